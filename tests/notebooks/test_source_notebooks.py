"""The source notebooks are well formed and hold what every lesson must (fast: nothing is executed).

Every test is parametrised over the lessons the autograder finds, so a failure names the lesson;
the catalogue files are checked in ``test_catalogue_files.py``.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from autograder.notebooks.cells import (
    BEGIN_HIDDEN_LINE,
    BEGIN_SOLUTION_LINE,
    END_HIDDEN_LINE,
    END_SOLUTION_LINE,
    grade_id,
    has_locked_flag,
    is_code_answer_cell,
    is_grade_cell,
    is_solution_cell,
    is_test_cell,
    is_written_answer_cell,
    max_points,
    nbgrader_metadata,
)
from tests.notebooks.lessons import SOURCE_ROOT, lesson_cells, lesson_notebooks, lessons, where

MIN_ANSWER_CELLS = 3
MIN_GRADED_TEST_CELLS = 4
MIN_CELLS_WITH_HIDDEN_TESTS = 3

GRADE_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
WIDGET_USE_PATTERN = re.compile(r"(from\s+mlp\.widgets\b|import\s+mlp\.widgets\b|from\s+mlp\s+import\s+widgets\b)")
ANY_SOLUTION_MARKER = re.compile(r"(BEGIN|END) SOLUTION")
ANY_HIDDEN_MARKER = re.compile(r"(BEGIN|END) HIDDEN TESTS")

each_lesson = pytest.mark.parametrize("assignment", lessons())


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


def test_every_folder_of_source_notebooks_is_a_lesson():
    folders = sorted(path.name for path in SOURCE_ROOT.iterdir()
                     if path.is_dir() and not path.name.startswith((".", "_")))
    strays = [name for name in folders if name not in lessons()]
    assert not strays, f"source_notebooks/ has folders without a notebook (so not lessons): {strays}"


def test_a_new_lesson_folder_is_found_without_editing_code(tmp_path):
    for lesson in ("01_first", "06_new"):
        (tmp_path / lesson).mkdir()
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
                       str(tmp_path / lesson / "lesson.ipynb"))
    (tmp_path / "notes").mkdir()  # no notebook: not a lesson
    assert lessons(tmp_path) == ["01_first", "06_new"]
    assert [path.name for path, _ in lesson_notebooks("06_new", tmp_path)] == ["lesson.ipynb"]


@each_lesson
def test_lesson_has_a_source_notebook(assignment):
    assert lesson_notebooks(assignment), f"{assignment}: no source notebook"


# --------------------------------------------------------------------------- notebook format


@each_lesson
def test_notebooks_are_valid_nbformat_4_with_a_python3_kernel(assignment):
    for path, notebook in lesson_notebooks(assignment):
        nbformat.validate(notebook)
        assert notebook.nbformat == 4, f"{path.name}: expected nbformat 4, got {notebook.nbformat}"
        kernel = notebook.metadata.get("kernelspec", {}).get("name")
        assert kernel == "python3", f"{path.name}: expected kernelspec python3, got {kernel!r}"


@each_lesson
def test_notebooks_are_stored_without_outputs_or_execution_counts(assignment):
    dirty = [where(name, index, cell) for name, index, cell in lesson_cells(assignment)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{assignment}: these cells were stored with outputs or an execution count: {dirty}"


# --------------------------------------------------------------------------- nbgrader metadata


@each_lesson
def test_nbgrader_metadata_passes_nbgraders_own_validator(assignment):
    for _, notebook in lesson_notebooks(assignment):
        MetadataValidator().validate_nb(notebook)


@each_lesson
def test_nbgrader_cells_use_schema_3_and_snake_case_grade_ids(assignment):
    problems = []
    for name, index, cell in lesson_cells(assignment):
        meta = nbgrader_metadata(cell)
        if not meta:
            continue
        if meta.get("schema_version") != 3:
            problems.append(f"{where(name, index, cell)}: schema_version {meta.get('schema_version')!r}, expected 3")
        if not GRADE_ID_PATTERN.match(str(meta.get("grade_id", ""))):
            problems.append(f"{where(name, index, cell)}: grade_id {meta.get('grade_id')!r} "
                            "is not lowercase_with_underscores")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@each_lesson
def test_grade_ids_are_unique_within_each_notebook(assignment):
    for path, notebook in lesson_notebooks(assignment):
        ids = [grade_id(cell) for cell in notebook.cells if grade_id(cell)]
        duplicates = sorted({cell_id for cell_id in ids if ids.count(cell_id) > 1})
        assert not duplicates, f"{path.name}: duplicated grade_ids {duplicates}"


@each_lesson
def test_graded_cells_have_positive_points(assignment):
    problems = [where(name, index, cell) for name, index, cell in lesson_cells(assignment)
                if is_grade_cell(cell)
                and not (isinstance(nbgrader_metadata(cell).get("points"), (int, float))
                         and nbgrader_metadata(cell)["points"] > 0)]
    assert not problems, f"{assignment}: graded cells without positive points: {problems}"


@each_lesson
def test_test_cells_are_locked_and_answer_cells_are_not(assignment):
    problems = []
    for name, index, cell in lesson_cells(assignment):
        if is_test_cell(cell) and not has_locked_flag(cell):
            problems.append(f"{where(name, index, cell)}: a graded test cell must be locked")
        if is_solution_cell(cell) and has_locked_flag(cell):
            problems.append(f"{where(name, index, cell)}: an answer cell must not be locked")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@each_lesson
def test_answer_cells_have_solution_markers_around_the_answer_and_a_stub_outside(assignment):
    problems = []
    for name, index, cell in lesson_cells(assignment):
        if not is_code_answer_cell(cell):
            continue
        inside, outside, problem = split_marked_section(cell.source, BEGIN_SOLUTION_LINE, END_SOLUTION_LINE)
        place = where(name, index, cell)
        if BEGIN_SOLUTION_LINE not in _lines(cell.source):
            problems.append(f"{place}: no '{BEGIN_SOLUTION_LINE}' line")
        if problem:
            problems.append(f"{place}: {problem}")
        if not any(_is_code_line(line) for line in inside):
            problems.append(f"{place}: no code between the solution markers")
        if not any(_is_code_line(line) for line in outside):
            problems.append(f"{place}: nothing outside the markers for students to start from (e.g. a def line)")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@each_lesson
def test_solution_markers_appear_only_in_answer_cells(assignment):
    problems = [where(name, index, cell) for name, index, cell in lesson_cells(assignment)
                if not is_solution_cell(cell) and ANY_SOLUTION_MARKER.search(cell.source)]
    assert not problems, f"{assignment}: solution markers outside answer cells: {problems}"


@each_lesson
def test_hidden_test_markers_appear_only_in_graded_test_cells_and_are_balanced(assignment):
    problems = []
    for name, index, cell in lesson_cells(assignment):
        if not ANY_HIDDEN_MARKER.search(cell.source):
            continue
        place = where(name, index, cell)
        if not is_test_cell(cell):
            problems.append(f"{place}: hidden-test markers in a cell that is not a graded test cell")
            continue
        inside, _, problem = split_marked_section(cell.source, BEGIN_HIDDEN_LINE, END_HIDDEN_LINE)
        if problem:
            problems.append(f"{place}: {problem}")
        if not any(_is_code_line(line) for line in inside):
            problems.append(f"{place}: the hidden section holds no test code")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- what each lesson must have


def _count(assignment: str, predicate) -> int:
    return sum(1 for _, _, cell in lesson_cells(assignment) if predicate(cell))


@each_lesson
def test_lesson_has_enough_autograded_answer_cells(assignment):
    count = _count(assignment, is_code_answer_cell)
    assert count >= MIN_ANSWER_CELLS, f"{assignment}: expected at least {MIN_ANSWER_CELLS} answer cells, got {count}"


@each_lesson
def test_lesson_has_enough_graded_test_cells_with_points(assignment):
    count = _count(assignment, lambda cell: is_test_cell(cell) and max_points(cell) > 0)
    assert count >= MIN_GRADED_TEST_CELLS, (
        f"{assignment}: expected at least {MIN_GRADED_TEST_CELLS} graded test cells with points, got {count}")


@each_lesson
def test_lesson_hides_tests_in_enough_graded_cells(assignment):
    count = _count(assignment, lambda cell: is_test_cell(cell) and BEGIN_HIDDEN_LINE in _lines(cell.source))
    assert count >= MIN_CELLS_WITH_HIDDEN_TESTS, (
        f"{assignment}: expected hidden tests in at least {MIN_CELLS_WITH_HIDDEN_TESTS} graded cells, got {count}")


@each_lesson
def test_lesson_has_a_manually_graded_written_question(assignment):
    count = _count(assignment, is_written_answer_cell)
    assert count >= 1, f"{assignment}: expected a manually graded markdown answer cell, found none"


@each_lesson
def test_lesson_uses_an_mlp_widget(assignment):
    count = _count(assignment, lambda cell: cell.cell_type == "code" and WIDGET_USE_PATTERN.search(cell.source))
    assert count >= 1, f"{assignment}: expected a code cell that uses mlp.widgets, found none"


# --------------------------------------------------------------------------- grading rules (source_notebooks/README.md)

# Reference implementations of each lesson's exercises: a setup cell (run before any exercise) must not
# import them, so that the student's namespace does not offer the answer.
EXERCISE_ANSWERS = {
    "01_perceptron": {"predict", "rosenblatt_update", "train"},
    "02_gradient_descent": {"softmax", "log_softmax", "CrossEntropySoftmaxError", "MomentumLearningRule",
                            "AdamLearningRule"},
    "03_backprop": {"AffineLayer", "SigmoidLayer", "CrossEntropySoftmaxError", "numerical_gradient"},
    "04_activations": {"ReluLayer", "LeakyReluLayer", "ELULayer", "deep_network_statistics"},
    "05_cnns": {"ConvolutionalLayer", "MaxPoolingLayer", "correlate", "correlate2d", "convolve", "convolve2d"},
    "06_generalisation": {"L1Penalty", "L2Penalty", "DropoutLayer", "BatchNormalizationLayer", "Optimiser"},
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


@each_lesson
def test_setup_cells_import_no_reference_answer(assignment):
    problems = []
    for name, index, cell in lesson_cells(assignment):
        if cell.cell_type == "code" and grade_id(cell) == "setup":
            if assignment not in EXERCISE_ANSWERS:
                pytest.fail(f"{assignment}: list the reference implementations of its exercises (the `mlp` names "
                            "a setup cell must not import) in EXERCISE_ANSWERS")
            found = sorted(_imported_names(cell.source) & EXERCISE_ANSWERS[assignment])
            if found:
                problems.append(f"{where(name, index, cell)} imports {found}, the reference of an exercise; import "
                                "it in the figure cell that needs it, or after the exercises")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@each_lesson
def test_graded_tests_check_values_not_dtypes(assignment):
    # The kit's dtype rule: results are graded by value (float32 precision for float32 inputs), never by dtype.
    offending = [where(name, index, cell) for name, index, cell in lesson_cells(assignment)
                 if is_test_cell(cell) and "assert_dtype" in cell.source]
    assert not offending, (f"{assignment}: these test cells grade a dtype, against the kit's rule (values are "
                           f"graded, not dtypes; see source_notebooks/README.md): {offending}")
