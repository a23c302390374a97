"""Hostile, broken and cheating submissions graded end to end next to honest students.

One course of the fixture assignment holds three honest students and every case of
:mod:`tests.adversarial.cases`; it is graded once with ``python -m autograder grade`` in a
subprocess, as an instructor runs it (2 workers, a 5 s per-cell timeout, a 20 s per-notebook limit,
files over 1 MB not graded, kernels limited to 20 MB files). A second course holds only the honest
students and is graded the same way. Every case must end as expected, the honest students' grades
must be identical in both runs, the gradebook must be sound and no submitted file may change.
"""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone

import nbformat
import psutil
import pytest

from autograder.course import open_gradebook
from autograder.notebooks import hidden_test_lines
from autograder.sandbox import bwrap_problem
from autograder.submissions import format_timestamp

from ..autograder.conftest import ASSIGNMENT, AUTOGRADED_MAX, NOTEBOOK, copy_course, new_course
from ..autograder.helpers import (
    catalogue_source,
    gradebook_state,
    release_notebook,
    source_notebook,
    tree_digest,
    visible_text,
    with_cell,
)
from .cases import CASES

pytestmark = [pytest.mark.xdist_group(name="adversarial"),
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

SUBMITTED_AT = datetime(2025, 3, 13, 12, 0, tzinfo=timezone.utc)
SANDBOXED = bwrap_problem() is None
GRADED_CASES = [case for case in CASES if SANDBOXED or not case.needs_sandbox]
GRADE_OPTIONS = ["--workers", "2", "--cell-timeout", "5", "--notebook-timeout", "20", "--max-file-mb", "1",
                 "--timeout", "180", "--no-progress"]
# the instructor's points: test_sigmoid 2, test_mse 1 (autograded), saturation_answer 1 (by hand)
INSTRUCTOR_MAX_SCORES = {"test_sigmoid": 2.0, "test_mse": 1.0, "saturation_answer": 1.0}


def honest_submissions(course):
    source, release = source_notebook(course), release_notebook(course)
    wrong = with_cell(source, "sigmoid_answer", catalogue_source(course, "sigmoid_answer", "wrong_linear_ramp.py"))
    return {"honest_full": {NOTEBOOK: source}, "honest_partial": {NOTEBOOK: wrong},
            "honest_release": {NOTEBOOK: release}}


def write_files(course, student, files):
    folder = course.submitted_dir(student, ASSIGNMENT)
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            nbformat.write(content, str(folder / name))
    (folder / "timestamp.txt").write_text(format_timestamp(SUBMITTED_AT))


def run_grade(course):
    environment = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    completed = subprocess.run([sys.executable, "-m", "autograder", "grade", "--course", str(course.root),
                                "--source-notebooks", str(course.source_notebooks), *GRADE_OPTIONS],
                               env=environment, capture_output=True, text=True, timeout=600)
    results = json.loads(course.results_file.read_text()) if course.results_file.is_file() else {}
    return completed, {key.split("/", 1)[1]: value for key, value in results.items()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from autograder.build import build

    mixed = new_course(tmp_path_factory.mktemp("mixed"))
    with open(mixed.config_file, "a") as handle:  # a small file limit so the file bomb is cheap
        handle.write("\nc.GuardedExecute.file_size_bytes = 20 * 1024 ** 2\n")
    build(mixed, solutions=False, log=None)
    honest = honest_submissions(mixed)
    for student, files in honest.items():
        write_files(mixed, student, files)
    alone = copy_course(mixed, tmp_path_factory.mktemp("honest-alone"))
    source, release = source_notebook(mixed), release_notebook(mixed)
    for case in GRADED_CASES:
        write_files(mixed, case.name, case.make(source, release))
    before = {"mixed": tree_digest(mixed.submitted_dir()), "alone": tree_digest(alone.submitted_dir())}
    mixed_run, mixed_results = run_grade(mixed)
    alone_run, alone_results = run_grade(alone)
    return {"mixed": mixed, "alone": alone, "mixed_run": mixed_run, "alone_run": alone_run,
            "results": mixed_results, "alone_results": alone_results, "honest": sorted(honest),
            "before": before, "source": source}


def test_the_suite_has_at_least_25_adversarial_cases():
    assert len(GRADED_CASES) >= 25


def test_grade_runs_to_the_end_and_reports_every_submission(graded):
    for run in ("mixed_run", "alone_run"):
        assert graded[run].returncode == 0, graded[run].stderr[-2000:]
    assert set(graded["results"]) == {case.name for case in GRADED_CASES} | set(graded["honest"])


def _outputs_text(notebook_path):
    notebook = nbformat.read(str(notebook_path), as_version=4)
    chunks = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            chunks.append(output.get("text", "") + " " + output.get("evalue", ""))
    return "\n".join(chunks)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_adversarial_case_ends_as_expected(graded, case):
    if case.needs_sandbox and not SANDBOXED:
        pytest.skip(f"needs the bwrap sandbox: {bwrap_problem()}")
    result, expected = graded["results"][case.name], case.expected
    assert (result["status"], result["score"]) == (expected.status, expected.score), (case.what, result)
    assert result["max_score"] == AUTOGRADED_MAX
    if expected.phrase is None:
        assert result["reason"] == "", (case.what, result["reason"])
    else:
        assert expected.phrase in result["reason"], (case.what, result["reason"])
    if expected.output is not None:
        text = _outputs_text(graded["mixed"].autograded_dir(case.name, ASSIGNMENT) / NOTEBOOK)
        assert expected.output in text, case.what


def test_honest_grades_are_identical_with_and_without_the_adversarial_submissions(graded):
    honest = graded["honest"]
    assert gradebook_state(graded["mixed"], honest) == gradebook_state(graded["alone"], honest)
    for student in honest:
        mixed, alone = graded["results"][student], graded["alone_results"][student]
        assert {k: mixed[k] for k in ("status", "score", "failed_tests", "reason")} == {
            k: alone[k] for k in ("status", "score", "failed_tests", "reason")}, student
    assert [graded["results"][s]["score"] for s in honest] == [3.0, 1.0, 0.0]


def test_the_gradebook_passes_an_integrity_check(graded):
    course = graded["mixed"]
    with sqlite3.connect(course.gradebook_file) as database:
        assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = database.execute(
            "SELECT student.id, assignment.name, COUNT(*) FROM submitted_assignment "
            "JOIN student ON student.id = submitted_assignment.student_id "
            "JOIN assignment ON assignment.id = submitted_assignment.assignment_id "
            "GROUP BY student.id, assignment.name").fetchall()
    students = set(graded["results"])
    assert {student for student, _, _ in rows} == students
    assert all(count == 1 and assignment == ASSIGNMENT for _, assignment, count in rows)
    with open_gradebook(course) as gradebook:
        notebook = gradebook.find_notebook("fixture", ASSIGNMENT)
        assert {cell.name: cell.max_score for cell in notebook.grade_cells} == INSTRUCTOR_MAX_SCORES
        for student in students:
            submitted = gradebook.find_submission_notebook("fixture", ASSIGNMENT, student)
            for grade in submitted.grades:
                assert grade.max_score == INSTRUCTOR_MAX_SCORES[grade.name]
                if grade.auto_score is not None:
                    assert 0.0 <= grade.auto_score <= grade.max_score, (student, grade.name)


def test_no_submitted_file_changed(graded):
    assert tree_digest(graded["mixed"].submitted_dir()) == graded["before"]["mixed"]
    assert tree_digest(graded["alone"].submitted_dir()) == graded["before"]["alone"]


def test_feedback_never_shows_hidden_tests(graded):
    hidden = hidden_test_lines(graded["source"])
    course = graded["mixed"]
    pages = list(course.feedback_dir().rglob("*.html"))
    assert len(pages) == len(graded["results"])
    for page in pages:
        text = visible_text(page.read_text())
        assert "hidden_canary" not in text, page
        for line in hidden:
            assert line not in text, (page, line)


def test_cheats_are_flagged_for_review_and_honest_students_are_not(graded):
    results = graded["results"]
    for name in ("custom_exception_handler", "showtraceback_replaced", "error_cleared_by_event_hook",
                 "hook_installed_during_test", "ast_transformer_strips_asserts", "numpy_allclose_patched",
                 "numpy_name_rebound", "os_exit_during_test"):
        assert results[name]["review"], name
    for student in graded["honest"]:
        assert results[student]["review"] == [], student


def test_cli_prints_the_needs_review_flags(graded):
    assert "needs review: 00_fixture/custom_exception_handler" in graded["mixed_run"].stdout


def test_no_process_of_a_submission_outlives_its_grading(graded):
    if not SANDBOXED:
        pytest.skip(f"needs the bwrap sandbox: {bwrap_problem()}")
    leftovers = [p.info for p in psutil.process_iter(["pid", "cmdline"]) if p.info["cmdline"] == ["sleep", "4242"]]
    assert leftovers == []
