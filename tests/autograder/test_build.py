"""End to end: ``build`` makes the release, the gradebook entries and the answer key."""

import hashlib

import nbformat
import pytest

from autograder.commands.build import build
from autograder.commands.cli import main
from autograder.course.directory import open_gradebook
from autograder.notebooks.cells import SourceNotebookError, find_cell, hidden_test_lines

from .conftest import ASSIGNMENT, NOTEBOOK, new_course


@pytest.fixture(scope="module")
def fully_built(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("full"))
    build(course, log=None)
    return course


def _read(path):
    return nbformat.read(str(path), as_version=4)


def _tree_digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_source_holds_only_the_notebooks_never_the_catalogue(fully_built):
    files = sorted(p.relative_to(fully_built.source_dir()) for p in fully_built.source_dir().rglob("*") if p.is_file())
    assert [str(p) for p in files] == [f"{ASSIGNMENT}/{NOTEBOOK}"]


def test_release_has_stubs_and_no_solution_or_hidden_test(fully_built):
    release_path = fully_built.release_dir(ASSIGNMENT) / NOTEBOOK
    text = release_path.read_text()
    release = _read(release_path)
    assert "raise NotImplementedError()" in find_cell(release, "sigmoid_answer").source
    assert "logaddexp" not in text
    for line in hidden_test_lines(_read(fully_built.source_notebooks / ASSIGNMENT / NOTEBOOK)):
        assert line not in text
    assert "catalogue" not in {p.name for p in fully_built.release_dir(ASSIGNMENT).iterdir()}


def test_gradebook_knows_the_assignment_and_its_points(fully_built):
    with open_gradebook(fully_built) as gradebook:
        assignment = gradebook.find_assignment(ASSIGNMENT)
        assert [notebook.name for notebook in assignment.notebooks] == ["fixture"]
        points = {cell.name: cell.max_score for cell in assignment.notebooks[0].grade_cells}
    assert points == {"test_sigmoid": 2.0, "test_mse": 1.0, "saturation_answer": 1.0}


def test_answer_key_is_executed_with_outputs_and_without_hidden_tests(fully_built):
    key_path = fully_built.solutions / ASSIGNMENT / NOTEBOOK
    key = _read(key_path)
    assert all(cell.execution_count for cell in key.cells if cell.cell_type == "code")
    assert "logaddexp" in find_cell(key, "sigmoid_answer").source
    html = key_path.with_suffix(".html").read_text()
    for line in hidden_test_lines(_read(fully_built.source_notebooks / ASSIGNMENT / NOTEBOOK)):
        assert line not in key_path.read_text()
    assert "hidden_canary" not in html
    assert not any(output.output_type == "error" for cell in key.cells for output in cell.get("outputs", []))


def _source_cells(gradebook):
    notebook = gradebook.find_assignment(ASSIGNMENT).notebooks[0]
    return sorted((cell.name, cell.checksum) for cell in notebook.source_cells)


def test_building_again_gives_the_same_release_and_gradebook(course):
    build(course, solutions=False, log=None)
    release_before = _tree_digest(course.release_dir())
    with open_gradebook(course) as gradebook:
        cells_before = _source_cells(gradebook)
    build(course, solutions=False, log=None)
    with open_gradebook(course) as gradebook:
        cells_after = _source_cells(gradebook)
        assert [a.name for a in gradebook.assignments] == [ASSIGNMENT]
    assert _tree_digest(course.release_dir()) == release_before
    assert cells_after == cells_before


def test_a_malformed_source_notebook_stops_the_build_before_anything_is_written(course):
    path = course.source_notebooks / ASSIGNMENT / NOTEBOOK
    path.write_text(path.read_text().replace("### END HIDDEN TESTS", "### END OF HIDDEN", 1))
    with pytest.raises(SourceNotebookError, match="never closed"):
        build(course, log=None)
    assert not course.release_dir().exists() and not course.gradebook_file.exists()


def test_the_cli_refuses_a_malformed_notebook_with_exit_code_2(course, capsys):
    (course.source_notebooks / ASSIGNMENT / NOTEBOOK).write_text("{ not json")
    code = main(["build", "--course", str(course.root), "--no-solutions"])
    assert code == 2
    assert "not a readable notebook" in capsys.readouterr().err


def test_a_solution_that_fails_its_own_test_stops_the_build(course):
    from autograder.commands.build import BuildError

    path = course.source_notebooks / ASSIGNMENT / NOTEBOOK
    notebook = _read(path)
    cell = find_cell(notebook, "mse_answer")
    cell.source = cell.source.replace("np.mean(", "np.sum(")
    nbformat.write(notebook, str(path))
    with pytest.raises(BuildError, match="test_mse raised AssertionError: mean_squared_error should average"):
        build(course, log=None)
