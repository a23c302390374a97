"""``build``: source notebooks -> course/source, the student release, and the answer key.

1. Every source notebook and catalogue is checked first; any problem stops the build with the
   full list (nothing is written).
2. ``source_notebooks/<assignment>/*.ipynb`` -- the notebooks only, never the ``catalogue/``
   folder, which holds answers -- are mirrored into ``course/source/<assignment>/``.
3. nbgrader's ``generate_assignment`` writes ``course/release/<assignment>/`` and records the
   assignment in the gradebook.
4. The due dates of ``course/due_dates.toml`` (:mod:`autograder.course.due_dates`) are written into the
   gradebook as nbgrader's assignment due dates; an assignment the file does not list gets none.
5. The answer key: each source notebook is executed (in parallel worker processes), hidden
   tests and mark schemes are removed, outputs and figures kept: ``solutions/<assignment>/``
   gets ``<name>.ipynb`` and ``<name>.html``. A solution that raises (a test failing on the
   reference solution) stops the build with the cells named. The HTML is rendered here, through
   the kit's HTML allowlist (:func:`autograder.safety.sanitize.sanitized_html_exporter`): no script,
   event handler, ``javascript:`` link, SVG or widget state of a notebook's cells reaches the page.

Running it twice gives the same result.
"""

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.directory import CourseError, check_database, load_config, make_api
from autograder.course.due_dates import check_due_dates, due_dates_file, write_due_dates
from autograder.course.environment import blas_threads_for, clean_environment, cpu_count, put_tools_on_path
from autograder.notebooks.catalogue import check_catalogue
from autograder.notebooks.cells import SourceNotebookError, check_source_notebook


class BuildError(RuntimeError):
    """nbgrader or the answer key failed; the message says where."""


@dataclass
class BuildSummary:
    assignments: list
    notebooks: dict = field(default_factory=dict)
    solutions: list = field(default_factory=list)
    due_dates: dict = field(default_factory=dict)


def check_sources(course, assignments):
    """Every problem of the assignments' source notebooks and catalogues (empty list when fine)."""
    problems = []
    for assignment in assignments:
        folder = course.source_notebooks / assignment
        notebooks = sorted(folder.glob("*.ipynb"))
        if not notebooks:
            problems.append(f"{folder}: no notebook in the assignment folder")
        for notebook in notebooks:
            problems.extend(check_source_notebook(notebook))
        problems.extend(check_catalogue(folder))
    return problems


def select_assignments(course, assignments=None):
    available = course.lesson_assignments()
    if not assignments:
        if not available:
            raise CourseError(f"no assignment in {course.source_notebooks} "
                              "(expected one folder per assignment, holding notebooks)")
        return available
    unknown = [name for name in assignments if name not in available]
    if unknown:
        raise CourseError("no assignment {} in {} (found: {})".format(
            ", ".join(unknown), course.source_notebooks, ", ".join(available) or "none"))
    return list(assignments)


def build(course, assignments=None, solutions=True, workers=None, log=print):
    """Build the course for ``assignments`` (default: every folder of ``source_notebooks/``)."""
    put_tools_on_path()
    course.require_config()
    assignments = select_assignments(course, assignments)
    problems = check_sources(course, assignments)
    problems.extend(check_due_dates(course, course.lesson_assignments()))
    if problems:
        raise SourceNotebookError(problems)
    check_database(course)  # c.CourseDirectory.db_url: one clear message before anything is written
    summary = BuildSummary(assignments=assignments)
    for assignment in assignments:
        summary.notebooks[assignment] = mirror_notebooks(course, assignment)
    api = make_api(course)
    for assignment in assignments:
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result.get("success"):
            raise BuildError("nbgrader generate_assignment failed for {}:\n{}".format(
                assignment, _tail(result.get("error") or result.get("log", ""))))
        if log:
            log("built release of {}: {}".format(assignment, ", ".join(summary.notebooks[assignment])))
    summary.due_dates = write_due_dates(course, assignments)
    if log:
        log("due dates ({}): {}".format(due_dates_file(course).name, ", ".join(
            f"{name} {due:%Y-%m-%d %H:%M} UTC" if due else f"{name} none"
            for name, due in summary.due_dates.items())))
    if solutions:
        summary.solutions = build_solutions(course, assignments, workers=workers, log=log)
    return summary


def mirror_notebooks(course, assignment):
    """Make ``course/source/<assignment>/`` hold exactly the assignment's source notebooks."""
    destination = course.source_dir(assignment)
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    names = []
    for notebook in sorted((course.source_notebooks / assignment).glob("*.ipynb")):
        shutil.copyfile(notebook, destination / notebook.name)
        names.append(notebook.name)
    return names


def build_solutions(course, assignments, workers=None, log=print):
    """Execute every source notebook into ``solutions/<assignment>/`` (ipynb + html)."""
    from autograder.parallel.jobs import SolutionJob
    from autograder.parallel.pool import WorkerPool
    from autograder.safety.time_limits import TimeLimits

    cell_timeout = TimeLimits.from_config(load_config(course)).cell
    run_dir = Path(tempfile.mkdtemp(prefix="autograder-solutions-"))
    jobs = []
    for assignment in assignments:
        for notebook in sorted((course.source_notebooks / assignment).glob("*.ipynb")):
            jobs.append(SolutionJob(notebook=str(notebook), cell_timeout=cell_timeout,
                                    assignment_dir=str(course.source_notebooks / assignment),
                                    destination=str(course.solutions / assignment / notebook.name),
                                    scratch=str(run_dir / "jobs" / f"{len(jobs):03d}")))
    workers = max(1, min(workers or cpu_count(), len(jobs)))
    pool = WorkerPool(workers, clean_environment(blas_threads=blas_threads_for(workers)), run_dir)
    written, failures = [], []
    try:
        for job, reply in pool.run(jobs):
            if reply.errors:
                failures.append("{}:\n    {}".format(job.notebook, "\n    ".join(reply.errors)))
            else:
                write_answer_key_html(Path(job.destination))
                written.append(job.destination)
                if log:
                    log(f"answer key: {Path(job.destination).relative_to(course.solutions)} ({reply.elapsed:.1f} s)")
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    if failures:
        raise BuildError("the reference solutions raise errors (a test failing on its own solution?):\n"
                         + "\n".join(failures))
    return sorted(written)


def write_answer_key_html(notebook_path):
    """Render the answer-key notebook at ``notebook_path`` as sanitised HTML next to it (``.html``)."""
    import nbformat

    from autograder.safety.sanitize import sanitized_html_exporter

    notebook = nbformat.read(str(notebook_path), as_version=4)
    page, _ = sanitized_html_exporter().from_notebook_node(
        notebook, resources={"metadata": {"name": notebook_path.stem, "path": str(notebook_path.parent)}})
    notebook_path.with_suffix(".html").write_text(page)
    return notebook_path.with_suffix(".html")


def _tail(text, lines=25):
    return "\n".join(text.strip().splitlines()[-lines:])
