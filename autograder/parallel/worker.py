"""A grading worker process: ``python -m autograder.parallel.worker`` (started by :mod:`autograder.parallel.pool`).

It reads one JSON job per line on stdin and answers one line ``RESULT_MARKER + JSON`` on its
original stdout (anything else that writes to stdout is sent to stderr instead). A job is either

- ``{"kind": "grade", ...}``: autograde one submission in a private scratch course with
  nbgrader's own ``Autograde`` (through ``NbGraderAPI.autograde``), or
- ``{"kind": "solution", ...}``: execute one source notebook for the answer key.

The worker is started with a clean environment (:func:`autograder.course.environment.clean_environment`);
for every job it also gets a fresh HOME, temp dir and Jupyter/IPython/matplotlib folders inside
the job's scratch folder, so one submission's kernel cannot influence the next one's.
The submission folder under ``course/submitted`` is only ever read.
"""

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

RESULT_MARKER = "@@autograder-result@@ "


DEFAULT_MAX_FILE_BYTES = 100 * 1024 ** 2
DEFAULT_MAX_TOTAL_BYTES = 500 * 1024 ** 2
DEFAULT_MAX_FILES = 2000


def copy_submission(source, destination, max_file_bytes=DEFAULT_MAX_FILE_BYTES,
                    max_total_bytes=DEFAULT_MAX_TOTAL_BYTES, max_files=DEFAULT_MAX_FILES):
    """Copy the regular files of a submission; returns what was skipped, one reason each.

    Symlinks and special files are skipped, and so are files larger than ``max_file_bytes``,
    files past ``max_files`` and files that would bring the copy above ``max_total_bytes``.
    The source folder is only read.
    """
    destination.mkdir(parents=True, exist_ok=True)
    skipped = []
    copied_files = copied_bytes = 0
    for root, dirs, files in os.walk(source, followlinks=False):
        relative = Path(root).relative_to(source)
        dirs.sort()
        for name in list(dirs):
            if os.path.islink(os.path.join(root, name)) or name in (".ipynb_checkpoints", "__pycache__"):
                dirs.remove(name)
        for name in sorted(files):
            path = Path(root) / name
            shown = str(relative / name)
            if path.is_symlink() or not path.is_file():
                skipped.append(f"{shown} (not a regular file)")
                continue
            size = path.stat().st_size
            if size > max_file_bytes:
                skipped.append(f"{shown} ({size} bytes, more than the limit of {max_file_bytes} per file)")
                continue
            if copied_files >= max_files or copied_bytes + size > max_total_bytes:
                skipped.append(f"{shown} (the submission is over its limit of {max_files} files / "
                               f"{max_total_bytes} bytes)")
                continue
            target = destination / relative / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            copied_files += 1
            copied_bytes += size
    return skipped


def notebook_problem(path):
    """Why the file at ``path`` cannot be graded as a notebook, or None when it can."""
    import nbformat

    data = path.read_bytes()
    if not data.strip():
        return f"{path.name} is empty"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"{path.name} is not UTF-8 text (byte {error.start}: {data[error.start:error.start + 1]!r})"
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 -- every failure to read becomes a reason
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"{path.name} is not a valid notebook ({type(error).__name__}: {message[:200]})"
    return None


def adopt_renamed_notebook(folder, expected):
    """When exactly one expected notebook is missing and exactly one other notebook is present, give it
    the expected name (a student who renamed ``fixture.ipynb`` to ``fixture-Copy1.ipynb``). Returns a note."""
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    missing = [name for name in expected if name not in present]
    extra = [name for name in present if name not in expected]
    if len(missing) == 1 and len(extra) == 1:
        (folder / extra[0]).rename(folder / missing[0])
        return f"{extra[0]} was graded as {missing[0]} (the notebook was renamed)"
    return None


def unreadable_notebooks(folder, expected):
    """Reasons why notebooks of the submission cannot be graded (unreadable or invalid files)."""
    reasons = []
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    if not set(expected) & set(present):
        reasons.append("the submission holds none of the assignment's notebooks (expected {}, found {})".format(
            ", ".join(expected), ", ".join(present) or "no notebook"))
    for name in sorted(set(expected) & set(present)):
        problem = notebook_problem(folder / name)
        if problem:
            reasons.append(problem)
    return reasons


def nbgrader_failure_reason(result):
    """A one-line reason from a failed ``NbGraderAPI`` call (its captured log and error)."""
    text = "\n".join(filter(None, [result.get("log", ""), result.get("error", "")]))
    for line in text.splitlines():  # the kernel's bootstrap said why it would not start the kernel
        if "KernelStartRefused: " in line:
            return "zero: " + line.split("KernelStartRefused: ", 1)[1].strip()[:300]
    known = [("DeadKernelError", "the kernel died while running the notebook"),
             ("Kernel died", "the kernel died while running the notebook"),
             ("CellTimeoutError", "a cell ran past the per-cell timeout"),
             ("UnresponsiveKernelError", "the kernel stopped responding")]
    for needle, reason in known:
        if needle in text:
            return reason
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line.split(":")[0] or "Exception" in line.split(":")[0]]
    return "nbgrader could not autograde the submission: {}".format((errors or lines or ["no log"])[-1][:300])


def grade_submission(job):
    """Autograde one submission in a scratch course; returns the result record as a dict."""
    from nbgrader.api import Gradebook

    from autograder.course.directory import Course, load_config, make_api
    from autograder.gradebook.sync import apply_snapshot, read_autograde_state
    from autograder.safety.guarded_execute import take_notes
    from autograder.safety.suspicious_code import review_submission

    started = time.perf_counter()
    scratch = Path(job["scratch"])
    student, assignment = job["student"], job["assignment"]
    record = {"student": student, "assignment": assignment, "status": "failed", "reason": "",
              "state": None, "scratch": str(scratch), "log": ""}
    course = Course.at(scratch / "course", scratch / "unused", scratch / "unused")
    course.root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(job["config_file"], course.config_file)
    shutil.copyfile(job["template_db"], course.gradebook_file)
    shutil.copytree(job["source_dir"], course.source_dir(assignment))
    submitted = course.submitted_dir(student, assignment)
    limits = {key: job[key] for key in ("max_file_bytes", "max_total_bytes", "max_files") if job.get(key)}
    skipped = copy_submission(Path(job["submission_dir"]), submitted, **limits)
    notes = []
    if skipped:
        record["log"] += "skipped: {}\n".format("; ".join(skipped))
        notes.append("files not graded: " + "; ".join(skipped))
    renamed = adopt_renamed_notebook(submitted, job["notebooks"])
    if renamed:
        notes.append(renamed)
    problems = unreadable_notebooks(submitted, job["notebooks"])
    record["review"] = review_submission(submitted, job["notebooks"])
    if problems:
        record["reason"] = "; ".join(problems + notes)
        record["elapsed"] = time.perf_counter() - started
        return record

    os.environ.update(_private_environment(scratch))
    overrides = job.get("config_overrides", {})
    hidden = list(job.get("hidden_paths", [])) + [str(scratch.parent)]
    guarded = dict(overrides.get("GuardedExecute", {}))
    guarded["hidden_paths"] = list(guarded.get("hidden_paths", [])) + hidden
    config = load_config(course, **dict(overrides, GuardedExecute=guarded))
    with Gradebook(course.db_url, job["course_id"]) as gradebook:
        apply_snapshot(gradebook, assignment, job["snapshot"])
    api = make_api(course, config)
    take_notes()
    result = api.autograde(assignment, student, force=True, create=True)
    notes.extend(take_notes())
    record["log"] += result.get("log", "") + result.get("error", "")
    if not result.get("success"):
        record["reason"] = "; ".join([nbgrader_failure_reason(result)] + notes)
    else:
        with Gradebook(course.db_url, job["course_id"]) as gradebook:
            record["state"] = read_autograde_state(gradebook, assignment, student)
        record["status"] = "graded"
        record["reason"] = "; ".join(notes)
        record["autograded_dir"] = str(course.autograded_dir(student, assignment))
    record["elapsed"] = time.perf_counter() - started
    return record


def build_solution(job):
    """Execute one source notebook for the answer key (hidden tests and mark schemes removed)."""
    import nbformat
    from nbclient import NotebookClient
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme

    from autograder.notebooks.cells import cleared

    started = time.perf_counter()
    scratch = Path(job["scratch"])
    workdir = scratch / "work"
    shutil.copytree(job["assignment_dir"], workdir, ignore=shutil.ignore_patterns("catalogue", ".*"))
    os.environ.update(_private_environment(scratch))
    notebook = cleared(nbformat.read(job["notebook"], as_version=4))
    client = NotebookClient(notebook, timeout=job["cell_timeout"], allow_errors=True,
                            kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "python3"),
                            resources={"metadata": {"path": str(workdir)}})
    record = {"notebook": job["notebook"], "status": "built", "errors": []}
    try:
        client.execute()
    except Exception as error:  # noqa: BLE001 -- a dead kernel or timeout is reported, not raised
        record["status"] = "failed"
        record["errors"].append(f"{type(error).__name__}: {str(error).strip().splitlines()[:1]}")
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and "raises-exception" not in cell.metadata.get("tags", []):
                name = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"
                record["errors"].append(f"{name} raised {output.ename}: {output.evalue[:300]}")
    resources = {}
    notebook, resources = ClearHiddenTests(enforce_metadata=False).preprocess(notebook, resources)
    notebook, resources = ClearMarkScheme(enforce_metadata=False).preprocess(notebook, resources)
    destination = Path(job["destination"])
    destination.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(destination))  # the parent renders its sanitised HTML (autograder.commands.build)
    record["elapsed"] = time.perf_counter() - started
    return record


HANDLERS = {"grade": grade_submission, "solution": build_solution}


def _private_environment(scratch):
    from autograder.course.environment import private_home_environment

    environment = private_home_environment(scratch)
    tempfile.tempdir = environment["TMPDIR"]  # Python caches the temp dir of the first call
    seed = os.environ.get("AUTOGRADER_MPL_SEED")
    if seed and Path(seed).is_dir():  # a matplotlib font cache built by this worker, not by a kernel
        for cache in Path(seed).glob("fontlist-*.json"):
            shutil.copyfile(cache, Path(environment["MPLCONFIGDIR"]) / cache.name)
    return environment


def _seed_matplotlib_cache(folder):
    """Build matplotlib's font cache once per worker so kernels do not rebuild it per submission."""
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = str(folder)
    try:
        import matplotlib.font_manager  # noqa: F401 -- importing builds the cache
    except Exception:  # noqa: BLE001 -- without matplotlib there is nothing to seed
        return
    os.environ["AUTOGRADER_MPL_SEED"] = str(folder)
    del os.environ["MPLCONFIGDIR"]


def main():
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints cannot corrupt the protocol
    from autograder.course.environment import put_tools_on_path

    put_tools_on_path()
    if os.environ.get("AUTOGRADER_WORKER_DIR") and not os.environ.get("AUTOGRADER_MPL_SEED"):
        _seed_matplotlib_cache(Path(os.environ["AUTOGRADER_WORKER_DIR"]) / "matplotlib-seed")
    import nbgrader.apps  # noqa: F401 -- import once per worker, not once per job

    base_environment = dict(os.environ)
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        os.environ.clear()
        os.environ.update(base_environment)
        try:
            record = HANDLERS[job["kind"]](job)
        except Exception as error:  # noqa: BLE001 -- the parent records the failure and goes on
            reason = f"internal error while grading: {type(error).__name__}: {error}"
            record = {"status": "failed", "reason": reason, "log": traceback.format_exc()}
        record["job_id"] = job["job_id"]
        protocol.write(RESULT_MARKER + json.dumps(record) + "\n")
        protocol.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
