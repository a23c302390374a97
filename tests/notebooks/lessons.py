"""The lessons as the autograder finds them, each notebook read once per test session.

A lesson is a folder of ``source_notebooks/`` holding a notebook
(:meth:`autograder.course.directory.Course.lesson_assignments`): a new lesson folder is tested
without editing any list of names.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from autograder.course.directory import Course
from autograder.notebooks.cells import grade_id, notebook_paths, read_notebook

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOT = REPO_ROOT / "source_notebooks"


def lessons(source_root: Path = SOURCE_ROOT) -> list[str]:
    """The lesson folders of ``source_root``, sorted: every folder holding a notebook."""
    source_root = Path(source_root).resolve()
    return Course.at(source_root.parent / "course", source_notebooks=source_root).lesson_assignments()


@functools.cache
def _read(path: Path):
    return read_notebook(path)


def lesson_notebooks(lesson: str, source_root: Path = SOURCE_ROOT) -> list[tuple[Path, object]]:
    """(path, notebook) for every notebook of the lesson; the test fails when there is none."""
    paths = notebook_paths(Path(source_root) / lesson)
    if not paths:
        pytest.fail(f"{lesson}: no .ipynb notebook in {Path(source_root) / lesson}")
    return [(path, _read(path)) for path in paths]


def lesson_cells(lesson: str) -> list[tuple[str, int, object]]:
    """(notebook name, cell index, cell) for every cell of every notebook of the lesson."""
    return [(path.name, index, cell) for path, notebook in lesson_notebooks(lesson)
            for index, cell in enumerate(notebook.cells)]


def where(name: str, index: int, cell) -> str:
    """``"lesson.ipynb cell 7 (affine_fprop)"``: a cell as a failure message names it."""
    cell_id = grade_id(cell)
    return f"{name} cell {index}" + (f" ({cell_id})" if cell_id else "")
