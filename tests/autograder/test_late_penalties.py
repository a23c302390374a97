"""Late penalties that do what the report says: due dates from course/due_dates.toml, the kit's policy
(nbgrader's late-submission plugin), the same penalty in the gradebook, the feedback, grades.csv and
the report; manual grades missing make a score provisional; exchange timestamps read right.

The module's scenario: the fixture course with ``00_fixture`` due at :data:`helpers.DUE`, graded
with ``python -m autograder grade``:

lara   every answer right, 2.5 hours late (loses 10% of the notebook's 4 points: 0.4)
omar   every answer right, on time
"""

import csv
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from autograder.commands.cli import main
from autograder.commands.report import collect_report, format_report
from autograder.course.directory import CourseError, load_config, open_gradebook
from autograder.course.due_dates import LatePenalty, configured_plugin, read_due_dates, refresh_late_penalties
from autograder.notebooks.sample_submissions import answered

from .conftest import ASSIGNMENT, NOTEBOOK, copy_course, new_course
from .helpers import AFTER_DUE, DUE, release_notebook, source_notebook, submit, visible_text

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

PENALTY = 0.4  # 10% of the notebook's 4 points, for 2.5 hours (one started day) late


def write_due_dates(course, text):
    (course.root / "due_dates.toml").write_text(text)


@pytest.fixture(scope="module")
def late_course(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("late"))
    write_due_dates(course, f'[due]\n{ASSIGNMENT} = {DUE:%Y-%m-%dT%H:%M:%S}Z\n')
    assert main(["build", "--course", str(course.root), "--no-solutions"]) == 0
    solved = answered(release_notebook(course), source_notebook(course))
    submit(course, "lara", solved, when=AFTER_DUE)
    submit(course, "omar", solved)
    assert main(["grade", "--course", str(course.root), "--no-progress", "--workers", "2"]) == 0
    return course


def test_build_writes_the_due_date_of_the_course_file_into_the_gradebook(late_course):
    with open_gradebook(late_course) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate == DUE.replace(tzinfo=None)


def test_grade_takes_the_configured_penalty_from_the_late_submission(late_course):
    with open_gradebook(late_course) as gradebook:
        lara = gradebook.find_submission(ASSIGNMENT, "lara")
        omar = gradebook.find_submission(ASSIGNMENT, "omar")
        assert lara.total_seconds_late == 2.5 * 3600
        assert [notebook.late_submission_penalty for notebook in lara.notebooks] == [pytest.approx(PENALTY)]
        assert [notebook.late_submission_penalty for notebook in omar.notebooks] == [None]


def test_grades_csv_has_the_penalty_and_the_score_after_it(late_course):
    with open(late_course.grades_csv, newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert (float(rows["lara"]["raw_score"]), float(rows["lara"]["late_submission_penalty"]),
            float(rows["lara"]["score"])) == (3.0, pytest.approx(PENALTY), pytest.approx(3.0 - PENALTY))
    assert (float(rows["omar"]["late_submission_penalty"]), float(rows["omar"]["score"])) == (0.0, 3.0)


def test_feedback_shows_how_late_the_policy_and_the_penalty(late_course):
    text = re.sub(r"\s+", " ", visible_text(
        (late_course.feedback_dir("lara", ASSIGNMENT) / "fixture.html").read_text()))
    assert "Score so far: 2.6 / 4.0" in text
    assert ("Submitted 2.5 h after the due date (2025-03-14 17:00 UTC). Late policy: 10% of the notebook's "
            "points per started day late, at most 100%; penalty: 0.4 points.") in text
    on_time = visible_text((late_course.feedback_dir("omar", ASSIGNMENT) / "fixture.html").read_text())
    assert "after the due date" not in on_time


def test_a_written_answer_not_graded_yet_is_awaiting_grading_not_zero(late_course):
    page = (late_course.feedback_dir("omar", ASSIGNMENT) / "fixture.html").read_text()
    text = re.sub(r"\s+", " ", visible_text(page))
    assert "Written response (awaiting grading (1 point))" in text
    assert "Score: 0.0 / 1.0" not in text
    assert "Provisional: 1 written answer (1 point) awaiting grading by hand" in text


def test_report_shows_the_penalty_the_policy_and_which_scores_are_provisional(late_course):
    text = re.sub(r" +", " ", format_report(collect_report(late_course)))
    assert "late policy: 10% of the notebook's points per started day late, at most 100%" in text
    assert f"lara {ASSIGNMENT} 2.6 / 4 provisional: awaiting saturation_answer 2.5 h (-0.4) -" in text
    assert f"omar {ASSIGNMENT} 3 / 4 provisional: awaiting saturation_answer no -" in text
    assert "2 score(s) are provisional: manual grades are missing" in text


def test_a_manual_grade_makes_the_score_final_and_the_penalty_follows_the_new_score(late_course, tmp_path):
    course = copy_course(late_course, tmp_path)
    with open_gradebook(course) as gradebook:
        for student in ("lara", "omar"):
            notebook = gradebook.find_submission_notebook("fixture", ASSIGNMENT, student)
            written = {grade.name: grade for grade in notebook.grades}["saturation_answer"]
            written.manual_score, written.needs_manual_grade = 1.0, False  # as the Formgrader saves a grade
        gradebook.db.commit()
    report = {row.student: row for row in collect_report(course).submissions}
    assert not report["lara"].provisional and not report["omar"].provisional
    assert (report["lara"].score, report["lara"].late_penalty) == (pytest.approx(4.0 - PENALTY), pytest.approx(PENALTY))
    assert main(["feedback", "--course", str(course.root), "--source-notebooks", str(course.source_notebooks)]) == 0
    text = re.sub(r"\s+", " ", visible_text((course.feedback_dir("lara", ASSIGNMENT) / "fixture.html").read_text()))
    assert "(Score: 3.6 / 4.0)" in text and "awaiting grading" not in text


def test_policy_none_takes_nothing_and_refresh_applies_a_changed_policy(late_course, tmp_path):
    course = copy_course(late_course, tmp_path)
    with open(course.config_file, "a") as handle:
        handle.write('\nc.LatePenalty.policy = "none"\n')
    assert refresh_late_penalties(course) == 1
    with open_gradebook(course) as gradebook:
        assert [n.late_submission_penalty for n in gradebook.find_submission(ASSIGNMENT, "lara").notebooks] == [None]
    assert "late policy: no late penalty" in format_report(collect_report(course))


@pytest.mark.parametrize(("seconds_late", "expected"), [
    (0, None), (1, 0.4), (24 * 3600, 0.4), (24 * 3600 + 1, 0.8), (30 * 24 * 3600, 3.0)])
def test_the_course_policy_is_ten_percent_of_the_points_per_started_day_at_most_the_score(
        course, seconds_late, expected):
    policy = configured_plugin(load_config(course))
    assert isinstance(policy, LatePenalty)
    assert policy.penalty(score=3.0, max_score=4.0, seconds_late=seconds_late) == (
        None if expected is None else pytest.approx(expected))


def test_grace_and_zero_policies():
    assert LatePenalty(grace_minutes=15).penalty(3.0, 4.0, 10 * 60) is None
    assert LatePenalty(grace_minutes=15).penalty(3.0, 4.0, 20 * 60) == pytest.approx(0.4)
    assert LatePenalty(policy="zero").penalty(3.0, 4.0, 60) == 3.0
    assert LatePenalty(policy="none").penalty(3.0, 4.0, 60) is None


def test_due_dates_with_an_offset_a_time_zone_or_a_bare_date_are_read_as_utc(course):
    write_due_dates(course, 'timezone = "Europe/London"\n[due]\n'
                            'a = 2025-07-01T17:00:00\nb = 2025-12-01T17:00:00\nc = 2025-07-01T17:00:00+02:00\n'
                            'd = 2025-07-01\n')
    assert read_due_dates(course) == {"a": datetime(2025, 7, 1, 16, 0), "b": datetime(2025, 12, 1, 17, 0),
                                      "c": datetime(2025, 7, 1, 15, 0), "d": datetime(2025, 7, 1, 22, 59, 59)}


@pytest.mark.parametrize(("text", "message"), [
    ("[due\n", "not valid TOML"),
    ('timezone = "Mars/Olympus"\n', "is not a time zone name"),
    ('[due]\n00_fixture = "next tuesday"\n', "due date of 00_fixture: 'next tuesday' is not a date"),
])
def test_an_unreadable_due_dates_file_is_refused_with_the_reason(course, text, message):
    write_due_dates(course, text)
    with pytest.raises(CourseError, match=message):
        read_due_dates(course)


def test_build_refuses_a_due_date_for_an_unknown_assignment(course, capsys):
    write_due_dates(course, "[due]\n00_fixtuer = 2025-03-14T17:00:00Z\n")
    assert main(["build", "--course", str(course.root), "--no-solutions"]) == 2
    assert "due date for 00_fixtuer, which is not an assignment" in capsys.readouterr().err
    assert not course.release_dir().exists()


def test_build_clears_a_due_date_the_file_no_longer_has(late_course, tmp_path):
    """The "15038.9 h late" cause: a due date left in the gradebook (by `demo`) outlived the course's dates."""
    course = copy_course(late_course, tmp_path)
    (course.root / "due_dates.toml").unlink()
    assert main(["build", "--course", str(course.root), "--source-notebooks", str(course.source_notebooks),
                 "--no-solutions"]) == 0
    with open_gradebook(course) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate is None


def test_a_submission_through_the_exchange_is_exactly_as_late_as_it_was(tmp_path):
    """Release, submit and collect with nbgrader's own exchange; the lateness is the real one."""
    course = new_course(tmp_path / "root")
    due = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=3)
    write_due_dates(course, f'[due]\n{ASSIGNMENT} = {due:%Y-%m-%dT%H:%M:%S}Z\n')
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    with open(course.config_file, "a") as handle:
        handle.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    assert main(["build", "--course", str(course.root), "--no-solutions"]) == 0
    environment = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))

    def nbgrader(*arguments, cwd):
        subprocess.run([sys.executable, "-m", "nbgrader", *arguments, "--quiet"], cwd=cwd, env=environment,
                       check=True, capture_output=True)

    nbgrader("release_assignment", ASSIGNMENT, cwd=course.root)
    student_home = tmp_path / "student"
    student_home.mkdir()
    exchange_options = [f"--Exchange.root={exchange}", "--CourseDirectory.course_id=nn-from-scratch"]
    nbgrader("fetch_assignment", ASSIGNMENT, *exchange_options, cwd=student_home)
    fetched = student_home / ASSIGNMENT / NOTEBOOK
    assert fetched.is_file()
    submitted_at = datetime.now(timezone.utc)
    nbgrader("submit", ASSIGNMENT, *exchange_options, cwd=student_home)
    nbgrader("collect", ASSIGNMENT, cwd=course.root)
    [student] = [path.name for path in course.submitted_dir().iterdir()]
    assert main(["grade", "--course", str(course.root), "--no-progress", "--workers", "1", "--no-feedback"]) == 0
    with open_gradebook(course) as gradebook:
        seconds_late = gradebook.find_submission(ASSIGNMENT, student).total_seconds_late
    assert abs(seconds_late - (submitted_at - due).total_seconds()) < 120
    row = {r.student: r for r in collect_report(course).submissions}[student]
    assert row.late_penalty == 0.0  # the untouched release scores 0: a penalty never goes below zero
    assert load_config(course).Exchange.timezone == "UTC"
