"""The source notebooks and their catalogues are well formed (fast: nothing is executed).

Every test is parametrised over the five assignments, so a failure names the lesson.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from autograder.notebooks.catalogue import EQUIVALENT_MUTANTS
from tests.notebooks.catalogue_runner import (
    ASSIGNMENTS,
    BEGIN_HIDDEN_TESTS,
    BEGIN_SOLUTION,
    END_HIDDEN_TESTS,
    END_SOLUTION,
    SOURCE_ROOT,
    grade_id_of,
    is_autograded_answer,
    is_graded_test,
    is_manually_graded,
    nbgrader_metadata,
    notebooks_of,
    read_description,
    variant_kind,
)

MIN_ANSWER_CELLS = 3
MIN_GRADED_TEST_CELLS = 4
MIN_CELLS_WITH_HIDDEN_TESTS = 3
MIN_WRONG_VARIANTS = 2
MIN_CORRECT_VARIANTS = 1

GRADE_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
WIDGET_USE_PATTERN = re.compile(r"(from\s+mlp\.widgets\b|import\s+mlp\.widgets\b|from\s+mlp\s+import\s+widgets\b)")
ANY_SOLUTION_MARKER = re.compile(r"(BEGIN|END) SOLUTION")
ANY_HIDDEN_MARKER = re.compile(r"(BEGIN|END) HIDDEN TESTS")

lessons = pytest.mark.parametrize("assignment", ASSIGNMENTS)


@functools.cache
def _read(path: Path):
    return nbformat.read(str(path), as_version=4)


def _notebooks(assignment: str) -> list[tuple[Path, object]]:
    folder = SOURCE_ROOT / assignment
    if not folder.is_dir():
        pytest.fail(f"{assignment}: the lesson folder {folder} does not exist yet")
    paths = notebooks_of(folder)
    if not paths:
        pytest.fail(f"{assignment}: no .ipynb notebook in {folder}")
    return [(path, _read(path)) for path in paths]


def _cells(assignment: str):
    """(notebook name, cell index, cell) for every cell of every notebook of the lesson."""
    return [(path.name, index, cell) for path, notebook in _notebooks(assignment)
            for index, cell in enumerate(notebook.cells)]


def _where(name: str, index: int, cell) -> str:
    grade_id = grade_id_of(cell)
    return f"{name} cell {index}" + (f" ({grade_id})" if grade_id else "")


def _lines(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines()]


def split_marked_section(source: str, begin: str, end: str) -> tuple[list[str], list[str], str | None]:
    """Lines inside and outside ``begin``/``end`` marker pairs, and a problem description (None if balanced).

    Pairs must not nest and every ``begin`` must be closed by an ``end``.
    """
    inside, outside, problem, is_open = [], [], None, False
    for line in _lines(source):
        if line == begin:
            if is_open:
                problem = problem or f"'{begin}' opened twice without '{end}' in between"
            is_open = True
        elif line == end:
            if not is_open:
                problem = problem or f"'{end}' without an opening '{begin}'"
            is_open = False
        else:
            (inside if is_open else outside).append(line)
    if is_open:
        problem = problem or f"'{begin}' is never closed by '{end}'"
    return inside, outside, problem


def _is_code_line(line: str) -> bool:
    return bool(line) and not line.startswith("#")


# --------------------------------------------------------------------------- layout


def test_every_lesson_folder_is_an_expected_assignment():
    folders = sorted(path.name for path in SOURCE_ROOT.iterdir()
                     if path.is_dir() and not path.name.startswith((".", "_")))
    unexpected = [name for name in folders if name not in ASSIGNMENTS]
    assert not unexpected, f"source_notebooks/ has folders that are not assignments {ASSIGNMENTS}: {unexpected}"


@lessons
def test_lesson_has_a_source_notebook(assignment):
    assert _notebooks(assignment), f"{assignment}: no source notebook"


# --------------------------------------------------------------------------- notebook format


@lessons
def test_notebooks_are_valid_nbformat_4_with_a_python3_kernel(assignment):
    for path, notebook in _notebooks(assignment):
        nbformat.validate(notebook)
        assert notebook.nbformat == 4, f"{path.name}: expected nbformat 4, got {notebook.nbformat}"
        kernel = notebook.metadata.get("kernelspec", {}).get("name")
        assert kernel == "python3", f"{path.name}: expected kernelspec python3, got {kernel!r}"


@lessons
def test_notebooks_are_stored_without_outputs_or_execution_counts(assignment):
    dirty = [_where(name, index, cell) for name, index, cell in _cells(assignment)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{assignment}: these cells were stored with outputs or an execution count: {dirty}"


# --------------------------------------------------------------------------- nbgrader metadata


@lessons
def test_nbgrader_metadata_passes_nbgraders_own_validator(assignment):
    for _, notebook in _notebooks(assignment):
        MetadataValidator().validate_nb(notebook)


@lessons
def test_nbgrader_cells_use_schema_3_and_snake_case_grade_ids(assignment):
    problems = []
    for name, index, cell in _cells(assignment):
        meta = nbgrader_metadata(cell)
        if not meta:
            continue
        if meta.get("schema_version") != 3:
            problems.append(f"{_where(name, index, cell)}: schema_version {meta.get('schema_version')!r}, expected 3")
        if not GRADE_ID_PATTERN.match(str(meta.get("grade_id", ""))):
            problems.append(f"{_where(name, index, cell)}: grade_id {meta.get('grade_id')!r} "
                            "is not lowercase_with_underscores")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@lessons
def test_grade_ids_are_unique_within_each_notebook(assignment):
    for path, notebook in _notebooks(assignment):
        ids = [grade_id_of(cell) for cell in notebook.cells if grade_id_of(cell)]
        duplicates = sorted({grade_id for grade_id in ids if ids.count(grade_id) > 1})
        assert not duplicates, f"{path.name}: duplicated grade_ids {duplicates}"


@lessons
def test_graded_cells_have_positive_points(assignment):
    problems = [_where(name, index, cell) for name, index, cell in _cells(assignment)
                if nbgrader_metadata(cell).get("grade")
                and not (isinstance(nbgrader_metadata(cell).get("points"), (int, float))
                         and nbgrader_metadata(cell)["points"] > 0)]
    assert not problems, f"{assignment}: graded cells without positive points: {problems}"


@lessons
def test_test_cells_are_locked_and_answer_cells_are_not(assignment):
    problems = []
    for name, index, cell in _cells(assignment):
        meta = nbgrader_metadata(cell)
        if is_graded_test(cell) and not meta.get("locked"):
            problems.append(f"{_where(name, index, cell)}: a graded test cell must be locked")
        if meta.get("solution") and meta.get("locked"):
            problems.append(f"{_where(name, index, cell)}: an answer cell must not be locked")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@lessons
def test_answer_cells_have_solution_markers_around_the_answer_and_a_stub_outside(assignment):
    problems = []
    for name, index, cell in _cells(assignment):
        if not is_autograded_answer(cell):
            continue
        inside, outside, problem = split_marked_section(cell.source, BEGIN_SOLUTION, END_SOLUTION)
        where = _where(name, index, cell)
        if BEGIN_SOLUTION not in _lines(cell.source):
            problems.append(f"{where}: no '{BEGIN_SOLUTION}' line")
        if problem:
            problems.append(f"{where}: {problem}")
        if not any(_is_code_line(line) for line in inside):
            problems.append(f"{where}: no code between the solution markers")
        if not any(_is_code_line(line) for line in outside):
            problems.append(f"{where}: nothing outside the markers for students to start from (e.g. a def line)")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@lessons
def test_solution_markers_appear_only_in_answer_cells(assignment):
    problems = [_where(name, index, cell) for name, index, cell in _cells(assignment)
                if not nbgrader_metadata(cell).get("solution") and ANY_SOLUTION_MARKER.search(cell.source)]
    assert not problems, f"{assignment}: solution markers outside answer cells: {problems}"


@lessons
def test_hidden_test_markers_appear_only_in_graded_test_cells_and_are_balanced(assignment):
    problems = []
    for name, index, cell in _cells(assignment):
        if not ANY_HIDDEN_MARKER.search(cell.source):
            continue
        where = _where(name, index, cell)
        if not is_graded_test(cell):
            problems.append(f"{where}: hidden-test markers in a cell that is not a graded test cell")
            continue
        inside, _, problem = split_marked_section(cell.source, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS)
        if problem:
            problems.append(f"{where}: {problem}")
        if not any(_is_code_line(line) for line in inside):
            problems.append(f"{where}: the hidden section holds no test code")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- what each lesson must have


def _count(assignment: str, predicate) -> int:
    return sum(1 for _, _, cell in _cells(assignment) if predicate(cell))


@lessons
def test_lesson_has_enough_autograded_answer_cells(assignment):
    count = _count(assignment, is_autograded_answer)
    assert count >= MIN_ANSWER_CELLS, f"{assignment}: expected at least {MIN_ANSWER_CELLS} answer cells, got {count}"


@lessons
def test_lesson_has_enough_graded_test_cells_with_points(assignment):
    count = _count(assignment, lambda cell: is_graded_test(cell) and nbgrader_metadata(cell).get("points", 0) > 0)
    assert count >= MIN_GRADED_TEST_CELLS, (
        f"{assignment}: expected at least {MIN_GRADED_TEST_CELLS} graded test cells with points, got {count}")


@lessons
def test_lesson_hides_tests_in_enough_graded_cells(assignment):
    count = _count(assignment, lambda cell: is_graded_test(cell) and BEGIN_HIDDEN_TESTS in _lines(cell.source))
    assert count >= MIN_CELLS_WITH_HIDDEN_TESTS, (
        f"{assignment}: expected hidden tests in at least {MIN_CELLS_WITH_HIDDEN_TESTS} graded cells, got {count}")


@lessons
def test_lesson_has_a_manually_graded_written_question(assignment):
    count = _count(assignment, is_manually_graded)
    assert count >= 1, f"{assignment}: expected a manually graded markdown answer cell, found none"


@lessons
def test_lesson_uses_an_mlp_widget(assignment):
    count = _count(assignment, lambda cell: cell.cell_type == "code" and WIDGET_USE_PATTERN.search(cell.source))
    assert count >= 1, f"{assignment}: expected a code cell that uses mlp.widgets, found none"


# --------------------------------------------------------------------------- the catalogue


def _answer_cells(assignment: str) -> dict[str, object]:
    return {grade_id_of(cell): cell for _, _, cell in _cells(assignment) if is_autograded_answer(cell)}


def _catalogue(assignment: str) -> Path:
    return SOURCE_ROOT / assignment / "catalogue"


def _catalogue_files(assignment: str) -> list[Path]:
    catalogue = _catalogue(assignment)
    if not catalogue.is_dir():
        return []
    return sorted(path for path in catalogue.glob("*/*") if path.is_file() and path.suffix != ".pyc")


@lessons
def test_every_answer_cell_has_wrong_and_correct_variants(assignment):
    problems = []
    for grade_id in _answer_cells(assignment):
        folder = _catalogue(assignment) / grade_id
        kinds = [variant_kind(path) for path in folder.glob("*.py")] if folder.is_dir() else []
        if kinds.count("wrong") < MIN_WRONG_VARIANTS or kinds.count("correct") < MIN_CORRECT_VARIANTS:
            problems.append(f"catalogue/{grade_id}: {kinds.count('wrong')} wrong and {kinds.count('correct')} "
                            f"correct variants, expected at least {MIN_WRONG_VARIANTS} and {MIN_CORRECT_VARIANTS}")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@lessons
def test_catalogue_folders_are_named_after_answer_cells(assignment):
    catalogue = _catalogue(assignment)
    folders = sorted(path.name for path in catalogue.iterdir()
                     if path.is_dir() and path.name != "__pycache__") if catalogue.is_dir() else []
    strays = [name for name in folders if name not in _answer_cells(assignment)]
    assert not strays, (f"{assignment}: catalogue folders {strays} match no answer cell grade_id "
                        f"(answer cells: {sorted(_answer_cells(assignment))})")
    loose = sorted(path.name for path in catalogue.iterdir()
                   if path.is_file() and path.name != EQUIVALENT_MUTANTS) if catalogue.is_dir() else []
    assert not loose, (f"{assignment}: files directly in catalogue/ (they belong in catalogue/<grade_id>/; "
                       f"only {EQUIVALENT_MUTANTS} sits there): {loose}")


@lessons
def test_catalogue_files_are_wrong_or_correct_python_files(assignment):
    badly_named = [str(path.relative_to(_catalogue(assignment))) for path in _catalogue_files(assignment)
                   if path.suffix != ".py" or variant_kind(path) is None]
    assert not badly_named, f"{assignment}: catalogue files must be named wrong_<slug>.py or correct_<slug>.py: " \
                            f"{badly_named}"


@lessons
def test_catalogue_files_start_with_a_description_comment(assignment):
    undescribed = [str(path.relative_to(_catalogue(assignment))) for path in _catalogue_files(assignment)
                   if path.suffix == ".py" and not read_description(path)]
    assert not undescribed, f"{assignment}: these files do not start with a '# description' line: {undescribed}"


@lessons
def test_catalogue_files_have_no_nbgrader_markers(assignment):
    marked = [str(path.relative_to(_catalogue(assignment))) for path in _catalogue_files(assignment)
              if path.suffix == ".py"
              and (ANY_SOLUTION_MARKER.search(path.read_text(encoding="utf-8"))
                   or ANY_HIDDEN_MARKER.search(path.read_text(encoding="utf-8")))]
    assert not marked, f"{assignment}: catalogue files must not contain nbgrader markers: {marked}"


@lessons
def test_catalogue_files_are_valid_python(assignment):
    problems = []
    for path in _catalogue_files(assignment):
        if path.suffix != ".py":
            continue
        try:
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as error:
            problems.append(f"{path.relative_to(_catalogue(assignment))}: {error}")
    assert not problems, f"{assignment}: a syntax error is not a realistic student bug:\n" + "\n".join(problems)


def _solution_source(cell) -> str:
    return "\n".join(line for line in cell.source.splitlines()
                     if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def _normalised(source: str) -> str:
    """The code's syntax tree without docstrings or comments, to compare programs, not formatting."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


@lessons
def test_catalogue_variants_differ_from_the_reference_solution(assignment):
    answers = _answer_cells(assignment)
    copies = []
    for path in _catalogue_files(assignment):
        cell = answers.get(path.parent.name)
        if cell is None or path.suffix != ".py":
            continue
        try:
            same = _normalised(path.read_text(encoding="utf-8")) == _normalised(_solution_source(cell))
        except SyntaxError:
            continue  # reported by test_catalogue_files_are_valid_python
        if same:
            copies.append(str(path.relative_to(_catalogue(assignment))))
    assert not copies, f"{assignment}: these variants are the reference solution again: {copies}"


# --------------------------------------------------------------------------- grading rules (source_notebooks/README.md)

# Reference implementations of each lesson's exercises: a setup cell (run before any exercise) must not
# import them, so that the student's namespace does not offer the answer.
EXERCISE_ANSWERS = {
    "01_perceptron": {"predict", "rosenblatt_update", "train"},
    "02_gradient_descent": {"softmax", "log_softmax", "CrossEntropySoftmaxError", "MomentumLearningRule",
                            "AdamLearningRule"},
    "03_backprop": {"AffineLayer", "SigmoidLayer", "CrossEntropySoftmaxError"},
    "04_activations": {"TanhLayer", "ReluLayer", "LeakyReluLayer", "ELULayer"},
    "05_cnns": {"ConvolutionalLayer", "MaxPoolingLayer", "correlate", "correlate2d", "convolve", "convolve2d"},
}


def _imported_names(source: str) -> set[str]:
    source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[-1] for alias in node.names)
    return names


@lessons
def test_setup_cells_import_no_reference_answer(assignment):
    problems = []
    for name, index, cell in _cells(assignment):
        if cell.cell_type == "code" and grade_id_of(cell) == "setup":
            found = sorted(_imported_names(cell.source) & EXERCISE_ANSWERS[assignment])
            if found:
                problems.append(f"{_where(name, index, cell)} imports {found}, the reference of an exercise; import "
                                "it in the figure cell that needs it, or after the exercises")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@lessons
def test_graded_tests_check_values_not_dtypes(assignment):
    # The kit's dtype rule: results are graded by value (float32 precision for float32 inputs), never by dtype.
    offending = [_where(name, index, cell) for name, index, cell in _cells(assignment)
                 if is_graded_test(cell) and "assert_dtype" in cell.source]
    assert not offending, (f"{assignment}: these test cells grade a dtype, against the kit's rule (values are "
                           f"graded, not dtypes; see source_notebooks/README.md): {offending}")
