"""A grading worker process: ``python -m autograder.parallel.worker`` (started by :mod:`autograder.parallel.pool`).

The protocol loop only. It reads one job per line on stdin (:mod:`autograder.parallel.jobs`) and
answers one line ``RESULT_MARKER + reply`` on its original stdout (anything else that writes to
stdout is sent to stderr instead). Jobs are handled by role:

- :class:`~autograder.parallel.jobs.GradeJob`: :func:`autograder.parallel.scratch_grading.grade_submission`;
- :class:`~autograder.parallel.jobs.SolutionJob`: :func:`autograder.parallel.answer_key.build_solution`.

The worker is started with a clean environment (:func:`autograder.course.environment.clean_environment`);
every job gets a fresh HOME, temp dir and Jupyter/IPython/matplotlib folders inside its scratch
folder (:mod:`autograder.parallel.private_environment`). A job that raises is answered with a failed
reply naming the error; the worker goes on with the next job.
"""

import os
import sys
import traceback
from pathlib import Path

from autograder.parallel.jobs import JOB_TYPES, RESULT_MARKER, GradeJob, MessageError, SolutionJob, read_message


def handle(job):
    """The reply to one job (its handler is imported on first use: nbgrader is loaded once per worker)."""
    if isinstance(job, GradeJob):
        from autograder.parallel.scratch_grading import grade_submission

        return grade_submission(job)
    if isinstance(job, SolutionJob):
        from autograder.parallel.answer_key import build_solution

        return build_solution(job)
    raise MessageError(f"expected a job of kind {', '.join(t.kind for t in JOB_TYPES)}, got {type(job).__name__}")


def main():
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints cannot corrupt the protocol
    from autograder.course.environment import put_tools_on_path
    from autograder.parallel.private_environment import MATPLOTLIB_SEED_VARIABLE, seed_matplotlib_cache

    put_tools_on_path()
    if os.environ.get("AUTOGRADER_WORKER_DIR") and not os.environ.get(MATPLOTLIB_SEED_VARIABLE):
        seed_matplotlib_cache(Path(os.environ["AUTOGRADER_WORKER_DIR"]) / "matplotlib-seed")
    import nbgrader.apps  # noqa: F401 -- import once per worker, not once per job

    base_environment = dict(os.environ)
    for line in sys.stdin:
        if not line.strip():
            continue
        job = read_message(line, JOB_TYPES)  # a line that is not a job is a bug of the parent: stop loudly
        os.environ.clear()
        os.environ.update(base_environment)
        try:
            reply = handle(job)
        except Exception as error:  # noqa: BLE001 -- the parent records the failure and goes on
            reply = job.failed_reply(f"internal error while grading: {type(error).__name__}: {error}",
                                     log=traceback.format_exc())
        protocol.write(RESULT_MARKER + reply.to_json() + "\n")
        protocol.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
