"""nbgrader builds a student release of every lesson that gives nothing away.

Each lesson's source notebooks are copied into a scratch nbgrader course and released with
nbgrader's own ``generate_assignment`` (which clears solutions and hidden tests; it does not run
the notebooks). The release must hold no solution and no hidden test, and every answer cell must
be left as nbgrader's stub.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.apps import NbGraderAPI
from traitlets.config.loader import PyFileConfigLoader

from autograder.notebooks.cells import (
    BEGIN_HIDDEN_LINE,
    BEGIN_SOLUTION_LINE,
    END_HIDDEN_LINE,
    END_SOLUTION_LINE,
    grade_id,
    is_code_answer_cell,
    is_written_answer_cell,
    notebook_paths,
)
from tests.notebooks.lessons import SOURCE_ROOT, lessons

# One worker builds all releases, so the module-scoped release of each lesson is built once.
pytestmark = pytest.mark.xdist_group(name="nbgrader_release")

CODE_STUB_LINES = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "YOUR ANSWER HERE"


def _generate_release(assignment: str, course_root: Path) -> dict[str, tuple[object, object]]:
    """Release ``assignment`` in a fresh course; return {notebook name: (source, release)}."""
    source_dir = SOURCE_ROOT / assignment
    notebooks = notebook_paths(source_dir)
    if not notebooks:
        pytest.fail(f"{assignment}: no source notebook in {source_dir}")
    (course_root / "source" / assignment).mkdir(parents=True)
    for path in notebooks:
        shutil.copy(path, course_root / "source" / assignment / path.name)
    (course_root / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course_root)!r}\n"
        "c.CourseDirectory.course_id = 'release_check'\n",
        encoding="utf-8",
    )
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    with pytest.MonkeyPatch.context() as patch:
        # nbgrader's gradebook runs the `alembic` command, installed next to this Python but not
        # necessarily on PATH when the tests run as `.venv/bin/python -m pytest`.
        patch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
        outcome = NbGraderAPI(config=config).generate_assignment(assignment)
    if not outcome["success"]:
        pytest.fail(f"{assignment}: nbgrader generate_assignment failed:\n{outcome.get('error')}\n{outcome.get('log')}")
    release_dir = course_root / "release" / assignment
    return {path.name: (nbformat.read(str(path), as_version=4),
                        nbformat.read(str(release_dir / path.name), as_version=4))
            for path in notebooks}


@pytest.fixture(scope="module", params=lessons())
def released(request, tmp_path_factory):
    """(assignment, {notebook name: (source notebook, release notebook)})."""
    assignment = request.param
    return assignment, _generate_release(assignment, tmp_path_factory.mktemp(f"course_{assignment}"))


def _section_lines(source: str, begin: str, end: str) -> tuple[set[str], set[str]]:
    """Stripped non-blank lines inside and outside ``begin``/``end`` sections."""
    inside, outside, is_open = set(), set(), False
    for line in (line.strip() for line in source.splitlines()):
        if line == begin:
            is_open = True
        elif line == end:
            is_open = False
        elif line:
            (inside if is_open else outside).add(line)
    return inside, outside


def _lines_only_in_sections(notebook, begin: str, end: str, stubs=()) -> set[str]:
    """Lines that the source has inside marked sections and nowhere else (so a release must not have them)."""
    inside, outside = set(), set()
    for cell in notebook.cells:
        cell_inside, cell_outside = _section_lines(cell.source, begin, end)
        inside |= cell_inside
        outside |= cell_outside
    return inside - outside - set(stubs)


def _manual_answers_only(notebook) -> set[str]:
    """Lines of manually graded answers (without markers nbgrader replaces the whole cell) found nowhere else."""
    answers, elsewhere = set(), set()
    for cell in notebook.cells:
        lines = {line.strip() for line in cell.source.splitlines() if line.strip()}
        if is_written_answer_cell(cell) and BEGIN_SOLUTION_LINE not in lines:
            answers |= lines
        else:
            elsewhere |= lines
    return answers - elsewhere - {MARKDOWN_STUB}


def _release_lines(release) -> list[tuple[int, str]]:
    return [(index, line.strip()) for index, cell in enumerate(release.cells) for line in cell.source.splitlines()]


def test_release_contains_no_solution_markers(released):
    assignment, notebooks = released
    for name, (_, release) in notebooks.items():
        marked = [index for index, cell in enumerate(release.cells)
                  if BEGIN_SOLUTION_LINE in cell.source or END_SOLUTION_LINE in cell.source]
        assert not marked, f"{assignment}/{name}: release cells {marked} still have solution markers"


def test_release_contains_no_solution_code(released):
    assignment, notebooks = released
    for name, (source, release) in notebooks.items():
        secret = _lines_only_in_sections(source, BEGIN_SOLUTION_LINE, END_SOLUTION_LINE, CODE_STUB_LINES)
        secret |= _manual_answers_only(source)
        leaked = sorted({line for _, line in _release_lines(release) if line in secret})
        assert not leaked, f"{assignment}/{name}: solution lines leaked into the release: {leaked[:10]}"


def test_release_contains_no_hidden_tests(released):
    assignment, notebooks = released
    for name, (source, release) in notebooks.items():
        marked = [index for index, cell in enumerate(release.cells)
                  if BEGIN_HIDDEN_LINE in cell.source or END_HIDDEN_LINE in cell.source]
        assert not marked, f"{assignment}/{name}: release cells {marked} still have hidden-test markers"
        secret = _lines_only_in_sections(source, BEGIN_HIDDEN_LINE, END_HIDDEN_LINE)
        leaked = sorted({line for _, line in _release_lines(release) if line in secret})
        assert not leaked, f"{assignment}/{name}: hidden test lines leaked into the release: {leaked[:10]}"


def test_release_answer_cells_hold_the_not_implemented_stub(released):
    assignment, notebooks = released
    for name, (source, release) in notebooks.items():
        answer_ids = [grade_id(cell) for cell in source.cells if is_code_answer_cell(cell)]
        released_answers = {grade_id(cell): cell for cell in release.cells if is_code_answer_cell(cell)}
        assert sorted(released_answers) == sorted(answer_ids), (
            f"{assignment}/{name}: release answer cells {sorted(released_answers)}, expected {sorted(answer_ids)}")
        for cell_id, cell in released_answers.items():
            lines = [line.strip() for line in cell.source.splitlines()]
            missing = [stub for stub in CODE_STUB_LINES if stub not in lines]
            assert not missing, f"{assignment}/{name}: answer cell {cell_id} lacks the stub line(s) {missing}"


def test_release_written_answers_are_cleared(released):
    assignment, notebooks = released
    for name, (_, release) in notebooks.items():
        for cell in release.cells:
            if is_written_answer_cell(cell):
                assert MARKDOWN_STUB in cell.source, (
                    f"{assignment}/{name}: written answer {grade_id(cell)} was not replaced by '{MARKDOWN_STUB}'")


def test_release_keeps_every_cell_of_the_source(released):
    assignment, notebooks = released
    for name, (source, release) in notebooks.items():
        assert len(release.cells) == len(source.cells), (
            f"{assignment}/{name}: the release has {len(release.cells)} cells, the source {len(source.cells)}")
