"""A class built, graded, fed back, exported, reported and hand-graded with its gradebook on PostgreSQL.

The same submissions are graded in a second course with nbgrader's default SQLite gradebook; what
autograde writes must be identical in both, and the expected points are fixed numbers.
"""

import shutil
import subprocess
import sys
import time

import pytest

from ..autograder.conftest import ASSIGNMENT, new_course
from ..autograder.helpers import DUE, gradebook_state
from .course_on_postgres import (
    ENVIRONMENT_MARKER,
    EXPECTED_AUTOGRADED,
    kit,
    scores_in_database,
    submit_class,
    use_database,
)
from .formgrader import Formgrader
from .server import PASSWORD

pytestmark = [pytest.mark.xdist_group("postgres"), pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

STUDENTS = sorted(EXPECTED_AUTOGRADED)


def _build_and_grade(course, outputs):
    from autograder.course.directory import open_gradebook

    outputs.append(kit(course, "build", "--no-solutions"))
    with open_gradebook(course) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE.replace(tzinfo=None))
    submit_class(course)
    outputs.append(kit(course, "grade", "--workers", "2", "--no-progress"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory, postgres_database):
    postgres = new_course(tmp_path_factory.mktemp("postgres"))
    use_database(postgres, postgres_database)
    sqlite = new_course(tmp_path_factory.mktemp("sqlite"))
    outputs = []
    _build_and_grade(postgres, outputs)
    _build_and_grade(sqlite, outputs)
    return {"postgres": postgres, "sqlite": sqlite, "url": postgres_database, "outputs": outputs}


def test_the_kit_reads_the_configured_database(graded):
    assert graded["postgres"].db_url == graded["url"]
    assert graded["postgres"].gradebook_file is None
    assert graded["sqlite"].gradebook_file == graded["sqlite"].root / "gradebook.db"


def test_scores_in_postgres_are_the_expected_ones_and_equal_a_sqlite_run(graded):
    in_postgres = scores_in_database(graded["url"])
    assert {student: autograded for student, (autograded, _) in in_postgres.items()} == EXPECTED_AUTOGRADED
    assert gradebook_state(graded["postgres"], STUDENTS) == gradebook_state(graded["sqlite"], STUDENTS)


def test_no_sqlite_gradebook_appears_in_the_course(graded):
    assert not list(graded["postgres"].root.rglob("*.db"))
    assert (graded["sqlite"].root / "gradebook.db").is_file()


def test_feedback_export_and_report_work_against_postgres(graded):
    postgres, sqlite = graded["postgres"], graded["sqlite"]
    for student in STUDENTS:
        assert (postgres.feedback_dir(student, ASSIGNMENT) / "fixture.html").is_file()
    kit(postgres, "feedback")
    kit(postgres, "export")
    # the same header and the same rows; the row order is the database's (PostgreSQL returns students in another)
    postgres_lines, sqlite_lines = (course.grades_csv.read_text().splitlines() for course in (postgres, sqlite))
    assert postgres_lines[0] == sqlite_lines[0]
    assert sorted(postgres_lines[1:]) == sorted(sqlite_lines[1:])
    assert "carol" in postgres.grades_csv.read_text()
    reports = [kit(course, "report", "--no-figure", "--all").stdout.replace(str(course.root), "COURSE")
               for course in (postgres, sqlite)]
    assert reports[0] == reports[1]
    assert all(student in reports[0] for student in STUDENTS)


def test_the_password_reaches_no_kernel_feedback_log_or_output(graded):
    postgres = graded["postgres"]
    notebook = (postgres.autograded_dir("alice", ASSIGNMENT) / "fixture.ipynb").read_text()
    assert ENVIRONMENT_MARKER in notebook  # alice's kernel printed its whole environment
    leaks = [str(path) for path in postgres.root.rglob("*")
             if path.is_file() and path != postgres.config_file and PASSWORD in path.read_text(errors="replace")]
    assert leaks == []
    for completed in graded["outputs"]:
        assert PASSWORD not in completed.stdout + completed.stderr


def test_a_manual_grade_given_in_the_formgrader_lands_in_postgres(graded, tmp_path):
    formgrader = Formgrader(graded["postgres"], tmp_path)
    try:
        formgrader.wait_ready()
        ids = formgrader.grade_ids(ASSIGNMENT, "fixture")
        answer = formgrader.set_manual_score(ids[("bob", "saturation_answer")], 0.5)
    finally:
        formgrader.stop()
    assert answer["manual_score"] == 0.5
    assert scores_in_database(graded["url"])["bob"][1] == {"saturation_answer": 0.5}


def test_grading_and_formgrader_writes_at_the_same_time_lose_nothing(graded, tmp_path):
    postgres = graded["postgres"]
    manual = {"alice": 0.25, "bob": 1.0, "carol": 0.75}
    formgrader = Formgrader(postgres, tmp_path)
    try:
        formgrader.wait_ready()
        ids = formgrader.grade_ids(ASSIGNMENT, "fixture")
        shutil.rmtree(postgres.feedback_dir())
        command = [sys.executable, "-m", "autograder", "grade", "--course", str(postgres.root), "--force",
                   "--workers", "2", "--no-progress"]
        grading = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        writes = 0
        while grading.poll() is None or writes < len(manual):
            student = STUDENTS[writes % len(STUDENTS)]
            formgrader.set_manual_score(ids[(student, "saturation_answer")], manual[student])
            writes += 1
            time.sleep(0.05)
        out, err = grading.communicate(timeout=60)
    finally:
        formgrader.stop()
    assert grading.returncode == 0, out + err
    assert writes > 2 * len(manual)  # writes went on while grading ran
    in_postgres = scores_in_database(graded["url"])
    assert {student: autograded for student, (autograded, _) in in_postgres.items()} == EXPECTED_AUTOGRADED
    assert {student: given for student, (_, given) in in_postgres.items()} == {
        student: {"saturation_answer": score} for student, score in manual.items()}
    assert all((postgres.feedback_dir(student, ASSIGNMENT) / "fixture.html").is_file() for student in STUDENTS)
