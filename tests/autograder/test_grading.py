"""End to end: parallel ``grade`` equals plain serial ``nbgrader autograde``; failures, feedback, export, report.

One module-scoped scenario: a built fixture course with a due date, where alice already has a
manual grade, and these submissions:

alice  the reference solution (its test_mse was manually overridden to 0.5 before grading)
bob    the release, untouched
carol  a wrong sigmoid that passes the visible test and fails the hidden one, 2.5 hours late
erin   the reference solution with the test_mse cell deleted (nbgrader adds it back)
frank  the release with the test_sigmoid cell emptied by the student (nbgrader restores it)
nadia  the textbook sigmoid, which prints a RuntimeWarning on stderr in test_sigmoid
dave   not a notebook at all (only graded by the parallel pipeline: plain nbgrader errors out)

The same course is copied twice before grading: the copy "serial" is graded with the plain
CLI ``nbgrader autograde 00_fixture --force`` (dave removed), the copy "parallel" with
``grade(workers=2)``.
"""

import csv
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder.commands.grade import GradeOptions, grade
from autograder.commands.report import collect_report, format_report, plot_report
from autograder.course.directory import make_api, open_gradebook
from autograder.notebooks.cells import grade_id, hidden_test_lines
from autograder.safety.time_limits import TimeLimits

from .conftest import ASSIGNMENT, AUTOGRADED_MAX, NOTEBOOK, copy_course, new_course
from .helpers import (
    AFTER_DUE,
    DUE,
    catalogue_source,
    gradebook_state,
    release_notebook,
    source_notebook,
    submit,
    tampered_test,
    tree_digest,
    visible_text,
    with_cell,
    without_cell,
)

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

COMPARED = ["alice", "bob", "carol", "erin", "frank", "nadia"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    from autograder.commands.build import build

    base = new_course(tmp_path_factory.mktemp("base"))
    build(base, solutions=False, log=None)
    source, release = source_notebook(base), release_notebook(base)
    submit(base, "alice", source)
    submit(base, "bob", release)
    submit(base, "carol", with_cell(source, "sigmoid_answer",
                                    catalogue_source(base, "sigmoid_answer", "wrong_linear_ramp.py")), when=AFTER_DUE)
    submit(base, "erin", without_cell(source, "test_mse"))
    submit(base, "frank", tampered_test(release, "test_sigmoid"))
    submit(base, "nadia", with_cell(source, "sigmoid_answer",
                                    catalogue_source(base, "sigmoid_answer", "correct_naive_formula.py")))
    submit(base, "dave", "this is not a notebook {")
    with open_gradebook(base) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE.replace(tzinfo=None))
        gradebook.update_or_create_student("alice", first_name="Alice", last_name="Liddell")
        gradebook.update_or_create_submission(ASSIGNMENT, "alice")
        notebook = gradebook.find_submission_notebook("fixture", ASSIGNMENT, "alice")
        grades = {grade.name: grade for grade in notebook.grades}
        grades["test_mse"].manual_score = 0.5
        grades["saturation_answer"].manual_score = 1.0
        gradebook.db.commit()

    serial = copy_course(base, tmp_path_factory.mktemp("serial"))
    shutil.rmtree(serial.submitted_dir("dave"))
    environment = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"], cwd=serial.root,
                   env=environment, check=True, capture_output=True)

    parallel = copy_course(base, tmp_path_factory.mktemp("parallel"))
    submitted_before = tree_digest(parallel.submitted_dir())
    results = grade(parallel, GradeOptions(workers=2, progress=False))
    return {"serial": serial, "parallel": parallel, "results": {r.student: r for r in results},
            "submitted_before": submitted_before, "source": source}


def test_parallel_gradebook_equals_plain_serial_nbgrader(scenario):
    serial = gradebook_state(scenario["serial"], COMPARED)
    parallel = gradebook_state(scenario["parallel"], COMPARED)
    for student in COMPARED:
        assert parallel[student] == serial[student], student


def test_scores_are_the_expected_ones(scenario):
    results = scenario["results"]
    expected = {"alice": (3.0, []), "bob": (0.0, ["test_mse", "test_sigmoid"]), "carol": (1.0, ["test_sigmoid"]),
                "erin": (3.0, []), "frank": (0.0, ["test_mse", "test_sigmoid"]), "nadia": (3.0, [])}
    for student, (score, failed) in expected.items():
        assert (results[student].status, results[student].score, results[student].failed_tests) == (
            "graded", score, failed), student
        assert results[student].max_score == AUTOGRADED_MAX


def test_an_existing_manual_grade_marks_the_regraded_cell_for_review(scenario):
    with open_gradebook(scenario["parallel"]) as gradebook:
        grades = {g.name: g for g in gradebook.find_submission_notebook("fixture", ASSIGNMENT, "alice").grades}
        assert (grades["test_mse"].auto_score, grades["test_mse"].manual_score) == (1.0, 0.5)
        assert grades["test_mse"].needs_manual_grade
        assert not grades["test_sigmoid"].needs_manual_grade
        assert gradebook.find_student("alice").first_name == "Alice"


def test_a_late_submission_is_recorded_late(scenario):
    with open_gradebook(scenario["parallel"]) as gradebook:
        assert gradebook.find_submission(ASSIGNMENT, "carol").total_seconds_late == 2.5 * 3600
        assert gradebook.find_submission(ASSIGNMENT, "alice").total_seconds_late == 0


def test_an_invalid_notebook_is_recorded_with_zero_and_a_reason(scenario):
    dave = scenario["results"]["dave"]
    assert dave.status == "failed"
    assert "fixture.ipynb is not a valid notebook" in dave.reason
    with open_gradebook(scenario["parallel"]) as gradebook:
        notebook = gradebook.find_submission_notebook("fixture", ASSIGNMENT, "dave")
        assert [grade.auto_score for grade in notebook.grades] == [0.0, 0.0, 0.0]
        assert notebook.flagged
        assert all(comment.auto_comment.startswith("Not graded: fixture.ipynb is not a valid notebook")
                   for comment in notebook.comments)


def test_submissions_are_never_modified(scenario):
    assert tree_digest(scenario["parallel"].submitted_dir()) == scenario["submitted_before"]


def test_autograded_notebooks_are_in_the_course(scenario):
    course = scenario["parallel"]
    for student in COMPARED:
        assert (course.autograded_dir(student, ASSIGNMENT) / NOTEBOOK).is_file(), student
    assert not course.autograded_dir("dave", ASSIGNMENT).exists()


def test_feedback_contains_no_hidden_test_source(scenario):
    course = scenario["parallel"]
    hidden = hidden_test_lines(scenario["source"])
    assert len(hidden) >= 4
    for student in COMPARED:
        text = visible_text((course.feedback_dir(student, ASSIGNMENT) / "fixture.html").read_text())
        for line in hidden:
            assert line not in text, (student, line)
        assert "hidden_canary" not in text


def test_plain_nbgrader_feedback_would_show_the_hidden_tests(scenario):
    """The leak the filter prevents is real: nbgrader's default feedback shows the hidden tests."""
    from autograder.course.directory import load_config

    course = scenario["serial"]
    config = load_config(course, GenerateFeedback={"preprocessors": [
        "nbgrader.preprocessors.GetGrades", "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]})
    result = make_api(course, config).generate_feedback(ASSIGNMENT, "carol", force=True)
    assert result["success"], result.get("error")
    assert "hidden_canary" in visible_text((course.feedback_dir("carol", ASSIGNMENT) / "fixture.html").read_text())


def test_feedback_says_per_test_what_passed_and_failed_with_the_message(scenario):
    text = visible_text((scenario["parallel"].feedback_dir("carol", ASSIGNMENT) / "fixture.html").read_text())
    text = re.sub(r"\s+", " ", text)
    assert "test_sigmoid FAILED 0 / 2 AssertionError: sigmoid does not match the logistic function" in text
    assert "test_mse passed 1 / 1" in text
    assert "1 of 2 test cells passed" in text


def test_a_submission_that_could_not_be_graded_gets_a_note_with_the_reason(scenario):
    page = (scenario["parallel"].feedback_dir("dave", ASSIGNMENT) / "not_graded.html").read_text()
    assert "could not be graded" in page and "not a valid notebook" in page


def test_grades_csv_is_nbgraders_export_with_the_expected_scores(scenario):
    with open(scenario["parallel"].grades_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                             "raw_score", "late_submission_penalty", "score", "max_score"]
    scores = {row["student_id"]: (float(row["raw_score"]), float(row["max_score"])) for row in rows}
    # alice: test_sigmoid 2 (auto) + test_mse 0.5 (manual override) + written answer 1 (manual)
    assert scores == {"alice": (3.5, 4.0), "bob": (0.0, 4.0), "carol": (1.0, 4.0), "dave": (0.0, 4.0),
                      "erin": (3.0, 4.0), "frank": (0.0, 4.0), "nadia": (3.0, 4.0)}


def test_report_has_a_row_per_submission_and_pass_rates_per_test(scenario, tmp_path):
    report = collect_report(scenario["parallel"])
    rows = {row.student: row for row in report.submissions}
    assert rows["carol"].seconds_late == 9000 and rows["carol"].failed_tests == ["test_sigmoid"]
    assert rows["dave"].status == "failed" and "not a valid notebook" in rows["dave"].reason
    rates = {row.test: (row.passed, row.attempted) for row in report.exercises}
    # graded: alice, bob, carol, erin, frank, nadia; alice's test_mse was overridden to 0.5 by hand
    assert rates == {"test_sigmoid": (3, 6), "test_mse": (3, 6)}
    text = format_report(report)
    assert "NOT GRADED" in text and "2.5 h" in text
    figure = plot_report(report, tmp_path / "grades.png")
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_grading_again_skips_unchanged_submissions_but_retries_failed_ones(scenario):
    results = {r.student: r.status for r in grade(scenario["parallel"], GradeOptions(
        workers=1, progress=False, feedback=False, export=False))}
    assert results == {student: "skipped" for student in COMPARED} | {"dave": "failed"}


def test_a_hanging_submission_is_stopped_and_a_dead_kernel_is_reported(tmp_path):
    from autograder.commands.build import build

    course = new_course(tmp_path)
    build(course, solutions=False, log=None)
    source = source_notebook(course)
    submit(course, "sleepy", with_cell(source, "mse_answer", "import time\ntime.sleep(600)"))
    submit(course, "crashy", with_cell(source, "mse_answer", "import os\nos._exit(1)"))
    submit(course, "fine", source)
    # the limit leaves a loaded machine room to start two sandboxed kernels per notebook
    results = {r.student: r for r in grade(course, GradeOptions(
        workers=2, time_limits=TimeLimits(job=60), progress=False, export=False))}
    assert results["sleepy"].status == "failed"
    assert "longer than the limit of 60 s" in results["sleepy"].reason
    # the kernel dies in the mse answer: the sigmoid test before it keeps its 2 points
    assert (results["crashy"].status, results["crashy"].score) == ("graded", 2.0)
    assert "the kernel died in cell 6 (mse_answer)" in results["crashy"].reason
    assert (results["fine"].status, results["fine"].score) == ("graded", AUTOGRADED_MAX)


def test_the_notebook_limit_binds_before_the_job_limit_and_earlier_tests_keep_their_points(built_course, tmp_path):
    course = copy_course(built_course, tmp_path)
    submit(course, "slow", with_cell(source_notebook(course), "mse_answer", "import time\ntime.sleep(600)"))
    options = GradeOptions(workers=1, progress=False, feedback=False, export=False,
                           time_limits=TimeLimits(cell=300, notebook=20, job=240))
    [result] = grade(course, options)
    # graded, not killed: the note of GuardedExecute reached the result through the notebook's resources
    assert (result.status, result.score) == ("graded", 2.0)
    assert "the notebook ran past its time limit of 20 s in cell 6 (mse_answer)" in result.reason


def test_a_warning_from_student_code_called_by_a_test_never_reaches_the_test_cell(built_course, tmp_path):
    # nbgrader scores a test cell with stderr output zero; the answer's RuntimeWarning is printed in the
    # student's kernel while the judge runs the test, so even without IgnorePattern the test keeps its points
    course = copy_course(built_course, tmp_path)
    source = source_notebook(course)
    submit(course, "nadia", with_cell(source, "sigmoid_answer",
                                      catalogue_source(course, "sigmoid_answer", "correct_naive_formula.py")))
    [result] = grade(course, GradeOptions(workers=1, progress=False, feedback=False, export=False,
                                          config_overrides={"IgnorePattern": {"enabled": False}}))
    assert (result.status, result.failed_tests, result.score) == ("graded", [], AUTOGRADED_MAX)
    autograded = nbformat.read(str(course.autograded_dir("nadia", ASSIGNMENT) / NOTEBOOK), as_version=4)
    test_cell = next(cell for cell in autograded.cells
                     if grade_id(cell) == "test_sigmoid")
    assert not any(output.get("name") == "stderr" for output in test_cell.outputs)
