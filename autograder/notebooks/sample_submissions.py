"""Making submissions the way a student would: from the release, with some cells answered.

Used by ``demo`` (sample students), ``selfcheck`` (solutions, release, catalogue variants),
``benchmark`` and the tests. Submissions are written to ``course/submitted/<student>/<assignment>/``
with nbgrader's ``timestamp.txt``.
"""

from datetime import datetime, timezone

from autograder.notebooks.cells import (
    cleared,
    find_cell,
    grade_id,
    is_solution_cell,
    notebook_paths,
    read_notebook,
    write_notebook,
)


def answered(release, source, cell_ids=None):
    """The release notebook with solution cells ``cell_ids`` (default: all) answered as in ``source``."""
    notebook = cleared(release)
    for cell in notebook.cells:
        if is_solution_cell(cell) and (cell_ids is None or grade_id(cell) in cell_ids):
            cell.source = find_cell(source, grade_id(cell)).source
    return notebook


def format_timestamp(moment):
    """nbgrader's timestamp.txt format (UTC)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def write_submission(course, student, assignment, notebooks, submitted_at=None):
    """Write ``{"name.ipynb": notebook}`` (or raw text) as the submission of ``student``."""
    folder = course.submitted_dir(student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.ipynb"):
        stale.unlink()
    for name, notebook in notebooks.items():
        if isinstance(notebook, str):
            (folder / name).write_text(notebook)
        else:
            write_notebook(notebook, folder / name)
    moment = submitted_at or datetime.now(timezone.utc)
    (folder / "timestamp.txt").write_text(format_timestamp(moment))
    return folder


def release_and_source(course, assignment):
    """``{name: (release notebook, source notebook)}`` for a built assignment."""
    pairs = {}
    for path in notebook_paths(course.release_dir(assignment)):
        pairs[path.name] = (read_notebook(path), read_notebook(course.source_dir(assignment) / path.name))
    return pairs
