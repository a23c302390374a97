"""Deleted, moved or duplicated cells never cost a right answer its points (``RestoreCellOrder``).

Submissions of the fixture assignment, made from the release with the reference answers, graded
through ``python -m autograder grade``:

nora   every test cell and the written-answer cell deleted (nbgrader alone stops with a KeyError)
nils   every test cell deleted, and the locked cells next to them too (imports, the question)
sam    the test cells moved to the top, the two answers swapped, a test cell and an answer duplicated
walt   as nora, with a sigmoid that is wrong: it loses the sigmoid test's points, keeps the rest
"""

import re

import nbformat
import pytest

from autograder.commands.cli import main
from autograder.commands.grade import GradeOptions, grade
from autograder.gradebook.results import load_results
from autograder.notebooks.cells import find_cell
from autograder.notebooks.sample_submissions import answered

from .conftest import ASSIGNMENT, AUTOGRADED_MAX, copy_course, new_course
from .helpers import catalogue_source, release_notebook, source_notebook, submit, visible_text, with_cell, without_cell

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

TESTS = ("test_sigmoid", "test_mse")


def deleted(notebook, *cell_ids):
    for cell_id in cell_ids:
        notebook = without_cell(notebook, cell_id)
    return notebook


def shuffled(notebook):
    """Tests first, answers swapped, a copy of test_sigmoid (emptied) and of the mse answer at the end."""
    notebook = nbformat.from_dict(notebook)
    by_id = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell for cell in notebook.cells}
    tests = [by_id["test_mse"], by_id["test_sigmoid"]]
    answers = [by_id["mse_answer"], by_id["sigmoid_answer"]]
    others = [cell for cell in notebook.cells if cell not in tests + answers]
    test_copy, answer_copy = nbformat.from_dict(by_id["test_sigmoid"]), nbformat.from_dict(by_id["mse_answer"])
    test_copy.source = "pass  # a copy of the test, emptied"
    test_copy.id, answer_copy.id = "copy-of-test-sigmoid", "copy-of-mse-answer"
    notebook.cells = tests + others[:3] + answers + others[3:] + [test_copy, answer_copy]
    return notebook


@pytest.fixture(scope="module")
def restored(tmp_path_factory):
    from autograder.commands.build import build

    course = new_course(tmp_path_factory.mktemp("restored"))
    build(course, solutions=False, log=None)
    solved = answered(release_notebook(course), source_notebook(course))
    wrong = with_cell(solved, "sigmoid_answer", catalogue_source(course, "sigmoid_answer", "wrong_linear_ramp.py"))
    submit(course, "nora", deleted(solved, *TESTS, "saturation_answer"))
    submit(course, "nils", deleted(solved, *TESTS, "imports", "saturation_question"))
    submit(course, "sam", shuffled(solved))
    submit(course, "walt", deleted(wrong, *TESTS, "saturation_answer"))
    plain = copy_course(course, tmp_path_factory.mktemp("plain"))
    assert main(["grade", "--course", str(course.root), "--no-progress", "--workers", "2"]) == 0
    return {"course": course, "plain": plain, "results": load_results(course)}


@pytest.mark.parametrize(("student", "score", "failed"), [
    ("nora", AUTOGRADED_MAX, []), ("nils", AUTOGRADED_MAX, []), ("sam", AUTOGRADED_MAX, []),
    ("walt", 1.0, ["test_sigmoid"])])
def test_a_submission_scores_what_its_answers_earn_whatever_cells_are_missing_or_moved(restored, student, score,
                                                                                       failed):
    result = restored["results"][f"{ASSIGNMENT}/{student}"]
    assert (result.status, result.score, result.failed_tests) == ("graded", score, failed)
    assert "nbgrader could not" not in result.reason and "KeyError" not in result.reason


def test_the_graded_notebook_has_the_instructors_cells_in_source_order(restored):
    course = restored["course"]
    source_order = [cell.metadata["nbgrader"]["grade_id"] for cell in source_notebook(course).cells
                    if "nbgrader" in cell.metadata]
    for student in ("nora", "nils", "sam"):
        graded = nbformat.read(str(course.autograded_dir(student, ASSIGNMENT) / "fixture.ipynb"), as_version=4)
        ids = [cell.metadata["nbgrader"]["grade_id"] for cell in graded.cells if "nbgrader" in cell.metadata]
        assert ids == source_order, student
        test = find_cell(graded, "test_sigmoid")
        assert "hidden_canary" in test.source  # the instructor's test, hidden part included


def test_the_feedback_says_which_cells_were_put_back(restored):
    course = restored["course"]
    nora = re.sub(r"\s+", " ", visible_text((course.feedback_dir("nora", ASSIGNMENT) / "fixture.html").read_text()))
    assert "Put back by the grader: the test cell (test_sigmoid) was missing from your submission" in nora
    assert "Put back by the grader: the answer cell (saturation_answer) was missing from your submission" in nora
    assert "3 cell(s) of the assignment were missing from your submission or not in their place" in nora
    sam = re.sub(r"\s+", " ", visible_text((course.feedback_dir("sam", ASSIGNMENT) / "fixture.html").read_text()))
    assert "the test cell (test_sigmoid) was moved in your submission and is back in its place" in sam
    assert "2 of 2 test cells passed" in sam


def test_nbgraders_own_restoring_alone_costs_a_right_answer_its_points(restored):
    """What RestoreCellOrder prevents: with nbgrader's add_missing_cells alone, nora's right answers lose points.

    Which way depends on the order nbgrader re-inserts the missing cells in (it varies between worker
    processes): it either stops with a KeyError (the notebook is failed with zero) or puts a test cell
    where it cannot pass. Either way she does not keep the full marks she gets with the kit's restoring.
    """
    from autograder.course.directory import load_config

    course = restored["plain"]
    steps = [step for step in load_config(course).Autograde.sanitize_preprocessors
             if step != "autograder.safety.sanitize.RestoreCellOrder"]
    options = GradeOptions(students=["nora"], workers=1, progress=False, feedback=False, export=False,
                           config_overrides={"Autograde": {"sanitize_preprocessors": steps}})
    [result] = grade(course, options)
    assert result.score < AUTOGRADED_MAX, result
    if result.status == "failed":
        assert result.score == 0.0
        assert "nbgrader could not autograde the submission" in result.reason
    else:
        assert result.status == "graded" and result.failed_tests, result
