"""Checks of source notebooks and catalogues, hidden-test removal, cell replacement."""

import nbformat
import pytest

from autograder.notebooks.catalogue import check_catalogue, load_catalogue
from autograder.notebooks.cells import (
    check_source_notebook,
    find_cell,
    hidden_test_lines,
    remove_hidden_tests,
    replace_cell_source,
)

from .conftest import ASSIGNMENT, FIXTURE_SOURCES, NOTEBOOK

SOURCE = FIXTURE_SOURCES / ASSIGNMENT / NOTEBOOK


def _meta(**fields):
    metadata = {"schema_version": 3, "grade": False, "solution": False, "locked": False}
    metadata.update(fields)
    return {"nbgrader": metadata}


def _notebook(tmp_path, *cells):
    notebook = nbformat.v4.new_notebook(cells=list(cells))
    path = tmp_path / "lesson.ipynb"
    nbformat.write(notebook, str(path))
    return path


def test_the_fixture_lesson_has_no_problem():
    assert check_source_notebook(SOURCE) == []
    assert check_catalogue(FIXTURE_SOURCES / ASSIGNMENT) == []


def test_a_file_that_is_not_json_is_reported(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{ not json")
    [problem] = check_source_notebook(path)
    assert "not a readable notebook" in problem and "broken.ipynb" in problem


def test_an_unclosed_hidden_test_region_is_reported(tmp_path):
    cell = nbformat.v4.new_code_cell("assert True\n### BEGIN HIDDEN TESTS\nassert 1", metadata=_meta(
        grade=True, locked=True, points=1, grade_id="test_a"))
    problems = check_source_notebook(_notebook(tmp_path, cell))
    assert any("never closed" in problem and "test_a" in problem for problem in problems)


def test_hidden_tests_outside_a_test_cell_are_reported(tmp_path):
    cell = nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nassert 1\n### END HIDDEN TESTS")
    graded = nbformat.v4.new_code_cell("assert 1", metadata=_meta(grade=True, locked=True, points=1, grade_id="t"))
    problems = check_source_notebook(_notebook(tmp_path, cell, graded))
    assert any("not a graded (test) cell" in problem for problem in problems)


def test_a_duplicate_grade_id_is_reported(tmp_path):
    first = nbformat.v4.new_code_cell("x = 1", metadata=_meta(solution=True, grade_id="answer"))
    second = nbformat.v4.new_code_cell("assert x", metadata=_meta(grade=True, locked=True, points=1,
                                                                  grade_id="answer"))
    problems = check_source_notebook(_notebook(tmp_path, first, second))
    assert any("'answer' is also used by cell 0" in problem for problem in problems)


def test_a_notebook_without_graded_cells_is_reported(tmp_path):
    problems = check_source_notebook(_notebook(tmp_path, nbformat.v4.new_code_cell("x = 1")))
    assert any("nothing to grade" in problem for problem in problems)


def test_remove_hidden_tests_keeps_visible_lines_and_marks_the_region():
    source = "a = 1\n    ### BEGIN HIDDEN TESTS\n    secret = 2\n    ### END HIDDEN TESTS\nb = 3"
    assert remove_hidden_tests(source) == "a = 1\n    # (hidden tests are not shown)\nb = 3"


def test_hidden_test_lines_are_the_lines_between_the_markers():
    lines = hidden_test_lines(nbformat.read(str(SOURCE), as_version=4))
    assert "hidden_canary_grid = np.linspace(-5.0, 5.0, 11)" in lines
    assert not any("BEGIN HIDDEN" in line or "END HIDDEN" in line for line in lines)


def test_replace_cell_source_changes_only_that_cell_and_leaves_the_original_alone():
    notebook = nbformat.read(str(SOURCE), as_version=4)
    replaced = replace_cell_source(notebook, "mse_answer", "def mean_squared_error(o, t):\n    return 0.0")
    assert find_cell(replaced, "mse_answer").source.endswith("return 0.0")
    assert find_cell(notebook, "mse_answer").source != find_cell(replaced, "mse_answer").source
    assert find_cell(replaced, "sigmoid_answer").source == find_cell(notebook, "sigmoid_answer").source


def test_replacing_an_unknown_cell_names_it():
    notebook = nbformat.read(str(SOURCE), as_version=4)
    with pytest.raises(KeyError, match="no_such_cell"):
        replace_cell_source(notebook, "no_such_cell", "")


def test_catalogue_entries_carry_kind_cell_and_description():
    entries = {entry.name: entry for entry in load_catalogue(FIXTURE_SOURCES / ASSIGNMENT)}
    entry = entries["sigmoid_answer/wrong_linear_ramp"]
    assert (entry.kind, entry.cell_id, entry.slug) == ("wrong", "sigmoid_answer", "linear_ramp")
    assert entry.description.startswith("a clipped linear ramp")
    assert sorted(e.kind for e in entries.values()) == ["correct", "correct", "wrong", "wrong", "wrong"]


def test_a_catalogue_folder_for_an_unknown_cell_is_reported(tmp_path):
    folder = tmp_path / "lesson"
    (folder / "catalogue" / "no_such_cell").mkdir(parents=True)
    (folder / "catalogue" / "no_such_cell" / "wrong_x.py").write_text("# a thing\nx = 1\n")
    (folder / "catalogue" / "no_such_cell" / "maybe_y.py").write_text("# a thing\n")
    nbformat.write(nbformat.read(str(SOURCE), as_version=4), str(folder / NOTEBOOK))
    problems = check_catalogue(folder)
    assert any("'no_such_cell' is not the grade_id of a solution cell" in problem for problem in problems)
    assert any("maybe_y.py" in problem and "wrong_<slug>.py" in problem for problem in problems)


def test_a_cell_reading_a_name_only_a_test_cell_binds_is_reported(tmp_path):
    test = nbformat.v4.new_code_cell("expected = 3\nassert True", metadata=_meta(
        grade=True, locked=True, points=1, grade_id="test_a"))
    later = nbformat.v4.new_code_cell("def show():\n    return expected\nprint(show())")
    problems = check_source_notebook(_notebook(tmp_path, test, later))
    assert any("cell 1 reads expected, which only a test cell binds" in problem for problem in problems)


def test_a_name_a_test_cell_rebinds_but_another_cell_binds_first_is_fine(tmp_path):
    first = nbformat.v4.new_code_cell("expected = 1")
    test = nbformat.v4.new_code_cell("expected = 3\nassert True", metadata=_meta(
        grade=True, locked=True, points=1, grade_id="test_a"))
    later = nbformat.v4.new_code_cell("print(expected)")
    assert check_source_notebook(_notebook(tmp_path, first, test, later)) == []
