"""Each lesson's catalogue of right and wrong answers is well formed (fast: nothing is executed).

The catalogue is read with the autograder's own :func:`~autograder.notebooks.catalogue.load_catalogue`
and checked with :func:`~autograder.notebooks.catalogue.check_catalogue` (what ``build`` refuses),
then held to the stricter rules of the lessons: every answer cell has wrong and correct variants,
each a realistic student answer that is not the reference again.
"""

from __future__ import annotations

import ast

import pytest

from autograder.notebooks.catalogue import CATALOGUE_DIR, EQUIVALENT_MUTANTS, check_catalogue, load_catalogue
from autograder.notebooks.cells import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    BEGIN_SOLUTION_LINE,
    END_HIDDEN,
    END_SOLUTION,
    END_SOLUTION_LINE,
    grade_id,
    is_code_answer_cell,
)
from tests.notebooks.lessons import SOURCE_ROOT, lesson_cells, lessons

MIN_WRONG_VARIANTS = 2
MIN_CORRECT_VARIANTS = 1

each_lesson = pytest.mark.parametrize("assignment", lessons())


def _answer_cells(assignment: str) -> dict[str, object]:
    return {grade_id(cell): cell for _, _, cell in lesson_cells(assignment) if is_code_answer_cell(cell)}


def _entries(assignment: str):
    return load_catalogue(SOURCE_ROOT / assignment)


def _shown(entry) -> str:
    """``<grade_id>/<file name>``: an entry as a failure message names it."""
    return f"{entry.cell_id}/{entry.path.name}"


@each_lesson
def test_catalogue_passes_the_build_check(assignment):
    problems = check_catalogue(SOURCE_ROOT / assignment)
    assert not problems, f"{assignment}: `build` would refuse this catalogue:\n" + "\n".join(problems)


@each_lesson
def test_every_answer_cell_has_wrong_and_correct_variants(assignment):
    problems = []
    for cell_id in _answer_cells(assignment):
        kinds = [entry.kind for entry in _entries(assignment) if entry.cell_id == cell_id]
        if kinds.count("wrong") < MIN_WRONG_VARIANTS or kinds.count("correct") < MIN_CORRECT_VARIANTS:
            problems.append(f"{CATALOGUE_DIR}/{cell_id}: {kinds.count('wrong')} wrong and {kinds.count('correct')} "
                            f"correct variants, expected at least {MIN_WRONG_VARIANTS} and {MIN_CORRECT_VARIANTS}")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@each_lesson
def test_catalogue_folders_are_named_after_answer_cells(assignment):
    catalogue = SOURCE_ROOT / assignment / CATALOGUE_DIR
    folders = sorted(path.name for path in catalogue.iterdir()
                     if path.is_dir() and path.name != "__pycache__") if catalogue.is_dir() else []
    strays = [name for name in folders if name not in _answer_cells(assignment)]
    assert not strays, (f"{assignment}: catalogue folders {strays} match no answer cell grade_id "
                        f"(answer cells: {sorted(_answer_cells(assignment))})")
    loose = sorted(path.name for path in catalogue.iterdir()
                   if path.is_file() and path.name != EQUIVALENT_MUTANTS) if catalogue.is_dir() else []
    assert not loose, (f"{assignment}: files directly in catalogue/ (they belong in catalogue/<grade_id>/; "
                       f"only {EQUIVALENT_MUTANTS} sits there): {loose}")


@each_lesson
def test_catalogue_files_start_with_a_description_comment(assignment):
    undescribed = [_shown(entry) for entry in _entries(assignment)
                   if not (entry.source.startswith("#") and entry.description)]
    assert not undescribed, f"{assignment}: these files do not start with a '# description' line: {undescribed}"


@each_lesson
def test_catalogue_files_have_no_nbgrader_markers(assignment):
    markers = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)
    marked = [_shown(entry) for entry in _entries(assignment) if any(marker in entry.source for marker in markers)]
    assert not marked, f"{assignment}: catalogue files must not contain nbgrader markers: {marked}"


@each_lesson
def test_catalogue_files_are_valid_python(assignment):
    problems = []
    for entry in _entries(assignment):
        try:
            ast.parse(entry.source, filename=str(entry.path))
        except SyntaxError as error:
            problems.append(f"{_shown(entry)}: {error}")
    assert not problems, f"{assignment}: a syntax error is not a realistic student bug:\n" + "\n".join(problems)


def _solution_source(cell) -> str:
    return "\n".join(line for line in cell.source.splitlines()
                     if line.strip() not in (BEGIN_SOLUTION_LINE, END_SOLUTION_LINE))


def _normalised(source: str) -> str:
    """The code's syntax tree without docstrings or comments, to compare programs, not formatting."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


@each_lesson
def test_catalogue_variants_differ_from_the_reference_solution(assignment):
    answers = _answer_cells(assignment)
    copies = []
    for entry in _entries(assignment):
        cell = answers.get(entry.cell_id)
        if cell is None:
            continue
        try:
            same = _normalised(entry.source) == _normalised(_solution_source(cell))
        except SyntaxError:
            continue  # reported by test_catalogue_files_are_valid_python
        if same:
            copies.append(_shown(entry))
    assert not copies, f"{assignment}: these variants are the reference solution again: {copies}"
