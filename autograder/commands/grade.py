"""``grade``: autograde submissions in parallel worker processes, then merge, feedback and export.

How it stays identical to serial ``nbgrader autograde`` and safe for the SQLite gradebook:

1. The parent reads the course gradebook (assignment definitions, each student's existing
   record) and writes one *template* gradebook per assignment (see :mod:`autograder.gradebook.sync`).
2. Each submission becomes a job: a private scratch course (nbgrader_config.py, a copy of the
   template, ``source/<assignment>``, a copy of the submission) graded by nbgrader's own
   ``Autograde`` in a worker process (:mod:`autograder.parallel.worker`, :mod:`autograder.parallel.pool`).
3. As each job finishes, the parent -- the only process that ever opens the course gradebook --
   merges the scores into it with nbgrader's ``Gradebook`` API and copies the autograded
   notebooks into ``course/autograded/``. A job that fails (invalid notebook, dead kernel,
   timeout) is recorded with zero and a reason; the others carry on.
"""

import hashlib
import math
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from autograder.course.directory import CourseError, course_id, open_gradebook
from autograder.course.environment import blas_threads_for, clean_environment, cpu_count, put_tools_on_path
from autograder.gradebook.results import GradingResult, save_results

DEFAULT_TIMEOUT = 1800.0


def grade(course, assignments=None, students=None, workers=None, timeout=DEFAULT_TIMEOUT, force=False,
          progress=None, feedback=True, export=True, keep_scratch=False, config_overrides=None, log=print,
          cell_timeout=None, notebook_timeout=None, max_file_bytes=None):
    """Autograde the submissions under ``course/submitted/<student>/<assignment>/``.

    assignments / students: restrict to these (default: every submission found).
    workers: worker processes (default: the number of cores).
    timeout: wall-clock seconds allowed per submission; past it the worker and kernel are killed
        and the submission is recorded as not graded.
    cell_timeout: seconds per cell (default: ``ExecutePreprocessor.timeout`` of the course config).
    notebook_timeout: seconds for all cells of a notebook (default: ``GuardedExecute.notebook_timeout``);
        the cells left when it runs out are not run, the earlier ones keep their scores.
    max_file_bytes: files of a submission larger than this are not copied for grading.
    force: grade again submissions that are already autograded and unchanged.
    progress: show a tqdm bar (default: when stderr is a terminal).
    Returns one :class:`GradingResult` per submission found (skipped ones included).
    """
    from tqdm import tqdm

    put_tools_on_path()
    course.require_config()
    config_overrides = _with_limits(config_overrides, cell_timeout, notebook_timeout)
    pairs = course.submissions(assignments, students)
    if assignments:
        unknown = sorted(set(assignments) - {assignment for _, assignment in pairs})
        if unknown and not pairs:
            raise CourseError("no submissions of {} under {}".format(", ".join(unknown), course.submitted_dir()))
    results, jobs = [], []
    run_dir = Path(tempfile.mkdtemp(prefix="autograder-run-"))
    pool = None
    try:
        if pairs:  # workers start importing nbgrader while this process prepares the jobs
            pool = _start_pool(run_dir, workers, len(pairs), timeout)
            if log:
                log(f"isolation of each kernel: {isolation_here(course)}")
        from autograder.gradebook.sync import make_template, student_snapshot

        identifier = course_id(course)
        with open_gradebook(course) as gradebook:
            known = {assignment.name: assignment for assignment in gradebook.assignments}
            missing = sorted({assignment for _, assignment in pairs} - set(known))
            if missing:
                raise CourseError("assignment(s) {} are not in {}: run `python -m autograder build` first".format(
                    ", ".join(missing), course.gradebook_file))
            notebooks = {name: [f"{nb.name}.ipynb" for nb in known[name].notebooks] for name in known}
            for student, assignment in pairs:
                if not force and _already_graded(course, student, assignment):
                    results.append(GradingResult(student, assignment, "skipped", reason="already autograded"))
                    continue
                jobs.append({
                    "kind": "grade", "student": student, "assignment": assignment, "course_id": identifier,
                    "submission_dir": str(course.submitted_dir(student, assignment)),
                    "source_dir": str(course.source_dir(assignment)), "config_file": str(course.config_file),
                    "notebooks": notebooks[assignment],
                    "snapshot": student_snapshot(gradebook, assignment, student),
                    "config_overrides": config_overrides,
                    "scratch": str(run_dir / "jobs" / f"{len(jobs):04d}-{student}-{assignment}"),
                    "hidden_paths": hidden_paths(course, run_dir),
                    "max_file_bytes": max_file_bytes,
                    "submission_digest": folder_digest(course.submitted_dir(student, assignment)),
                })
        templates = {}
        for assignment in sorted({job["assignment"] for job in jobs}):
            templates[assignment] = str(make_template(course.gradebook_file, assignment,
                                                      run_dir / f"template-{assignment}.db", identifier))
        for job in jobs:
            job["template_db"] = templates[job["assignment"]]
        if jobs:
            results.extend(_run_jobs(course, jobs, pool, progress, keep_scratch, tqdm))
        graded = [r for r in results if r.status != "skipped"]
        save_results(course, graded)
        if graded:  # copies of mlp or of each other: "needs review" lines, scores unchanged
            _review_similarity(course, graded, log)
        if feedback and graded:
            from autograder.commands.feedback import generate_feedback

            generate_feedback(course, graded)
        if export:
            from autograder.gradebook.export import export_grades

            export_grades(course)
    finally:
        if pool is not None:
            pool.close()
        if not keep_scratch:
            shutil.rmtree(run_dir, ignore_errors=True)
        elif log:
            log(f"scratch folders kept in {run_dir}")
    return results


def _review_similarity(course, graded, log):
    """The similarity pass (:mod:`autograder.safety.similarity`) over every submission of the graded assignments."""
    from autograder.safety.similarity import review_similarity

    try:
        review_similarity(course, graded, log=log)
    except Exception as error:  # noqa: BLE001 -- grades, feedback and export must not depend on it
        if log:
            log(f"similarity check failed ({type(error).__name__}: {error}); grades are not affected")


def isolation_here(course):
    """One line saying how kernels are isolated with this course's ``GuardedExecute.sandbox`` on this machine."""
    from autograder.course.directory import load_config
    from autograder.safety.sandbox import isolation_description

    return isolation_description(load_config(course).GuardedExecute.get("sandbox", "auto"))


def _with_limits(config_overrides, cell_timeout, notebook_timeout):
    """``config_overrides`` with the per-cell and per-notebook limits added (when given)."""
    overrides = {section: dict(values) for section, values in (config_overrides or {}).items()}
    if cell_timeout is not None:
        overrides.setdefault("ExecutePreprocessor", {})["timeout"] = max(1, int(math.ceil(cell_timeout)))
    if notebook_timeout is not None:
        overrides.setdefault("GuardedExecute", {})["notebook_timeout"] = max(1, int(math.ceil(notebook_timeout)))
    return overrides


def hidden_paths(course, run_dir):
    """Folders a grading kernel must not see: the course, lesson sources, answer key, this run, the repository."""
    from autograder.course.environment import repository_root

    return [str(path) for path in (course.root, course.source_notebooks, course.solutions, run_dir,
                                   repository_root())]


def folder_digest(folder):
    """SHA-256 of every file under ``folder`` (relative path -> hex digest); the submission is only read."""
    digests = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and not path.is_symlink():
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            digests[str(path.relative_to(folder))] = digest.hexdigest()
    return digests


def _start_pool(run_dir, workers, expected_jobs, timeout):
    from autograder.parallel.pool import WorkerPool

    workers = max(1, min(workers or cpu_count(), expected_jobs))
    environment = clean_environment(blas_threads=blas_threads_for(workers))
    return WorkerPool(workers, environment, run_dir, timeout=timeout).start(expected_jobs)


def _run_jobs(course, jobs, pool, progress, keep_scratch, tqdm):
    workers = pool.workers
    if progress is None:
        progress = sys.stderr.isatty()
    results = []
    bar = tqdm(total=len(jobs), unit="submission", desc=f"grading ({workers} workers)",
               disable=not progress, dynamic_ncols=True)
    try:
        with open_gradebook(course) as gradebook, warnings.catch_warnings():
            # nbgrader's own ORM code triggers SQLAlchemy "not in session" warnings; they are harmless
            warnings.filterwarnings("ignore", module="nbgrader.api")
            warnings.filterwarnings("ignore", message=".*not in session.*")
            runs = pool.run(jobs)
            try:
                for job, record in runs:
                    result = _merge(course, gradebook, job, record)
                    results.append(result)
                    if not keep_scratch:
                        shutil.rmtree(job["scratch"], ignore_errors=True)
                    bar.set_postfix_str(f"{result.student}/{result.assignment}: {result.status}")
                    bar.update(1)
            finally:
                runs.close()
    finally:
        bar.close()
    return results


def _merge(course, gradebook, job, record):
    """Bring one finished job into the course (gradebook, autograded/, log); the parent only."""
    from autograder.gradebook.sync import merge_failed, merge_graded, read_autograde_state

    student, assignment = job["student"], job["assignment"]
    review = list(record.get("review") or [])
    if folder_digest(course.submitted_dir(student, assignment)) != job["submission_digest"]:
        review.append("the submitted files changed while the submission was being graded")
    log_file = course.log_file(assignment, student)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.write_text(record.get("log", "") + ("\nreason: " + record["reason"] if record.get("reason") else ""))
    destination = course.autograded_dir(student, assignment)
    if destination.exists():
        shutil.rmtree(destination)
    if record.get("status") == "graded":
        merge_graded(gradebook, assignment, student, record["state"])
        shutil.copytree(record["autograded_dir"], destination)
        merged = read_autograde_state(gradebook, assignment, student)  # the course's max scores, clamped scores
        result = GradingResult.from_state(student, assignment, merged, elapsed=record.get("elapsed", 0.0))
        result.reason, result.review = record.get("reason", ""), review
        return result
    reason = record.get("reason") or "unknown failure"
    merge_failed(gradebook, assignment, student, reason, timestamp=_submitted_timestamp(course, student, assignment))
    return GradingResult(student, assignment, "failed", reason=reason,
                         max_score=autograded_max_score(gradebook, assignment),
                         failed_tests=autograded_test_ids(gradebook, assignment), elapsed=record.get("elapsed", 0.0),
                         review=review)


def autograded_test_ids(gradebook, assignment):
    """grade_ids of the assignment's test cells (graded cells that are not solution cells)."""
    ids = []
    for notebook in gradebook.find_assignment(assignment).notebooks:
        solution_ids = {cell.name for cell in notebook.solution_cells}
        ids.extend(sorted(cell.name for cell in notebook.grade_cells if cell.name not in solution_ids))
    return ids


def autograded_max_score(gradebook, assignment):
    total = 0.0
    for notebook in gradebook.find_assignment(assignment).notebooks:
        solution_ids = {cell.name for cell in notebook.solution_cells}
        total += sum(cell.max_score for cell in notebook.grade_cells if cell.name not in solution_ids)
    return total


def _submitted_timestamp(course, student, assignment):
    path = course.submitted_dir(student, assignment) / "timestamp.txt"
    try:
        from nbgrader.utils import parse_utc

        return parse_utc(path.read_text().strip()) if path.is_file() else None
    except (ValueError, OverflowError):
        return None


def _already_graded(course, student, assignment):
    """Autograded before, from a submission with the same timestamp file (nbgrader's notion of unchanged)."""
    autograded = course.autograded_dir(student, assignment)
    if not autograded.is_dir() or not any(autograded.glob("*.ipynb")):
        return False
    submitted_stamp = course.submitted_dir(student, assignment) / "timestamp.txt"
    graded_stamp = autograded / "timestamp.txt"
    if submitted_stamp.is_file() != graded_stamp.is_file():
        return False
    return not submitted_stamp.is_file() or submitted_stamp.read_text() == graded_stamp.read_text()
