"""The round trip of a real course, every step a real process run as the unix user who does it.

build -> release (instructor, nbgrader release_assignment) -> each student fetches, answers and
submits as themself (``runuser``; student 5 through the Assignments panel in Chromium): s1 a wrong
answer first, then a right one (the resubmission must replace it), s2 a wrong answer, s3 a right
answer after the due date, s4 nothing -> collect -> ``python -m autograder grade`` -> release_feedback
-> each student fetches their own feedback. Then hostile students try to read what is not theirs,
through the file system and through the hub's REST API with their own token.
"""

import json

from autograder.hub.users import home_of
from tests.hub.conftest import ASSIGNMENT
from tests.hub.round_trip import NOTEBOOK, answers


def submission(hub, student):
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{hub.course_root / 'gradebook.db'}", course_id=hub.plan.course_id) as gradebook:
        try:
            found = gradebook.find_submission(ASSIGNMENT, student)
        except MissingEntry:
            return None
        return {"code_score": found.code_score, "max_code_score": found.max_code_score,
                "seconds_late": found.total_seconds_late, "penalty": found.late_submission_penalty}


def test_right_answers_get_every_autograded_point_and_wrong_ones_lose_points(round_trip):
    hub = round_trip
    for student in (hub.student(1), hub.student(5)):
        graded = submission(hub, student)
        assert graded and graded["code_score"] == graded["max_code_score"] > 0, (student, graded)
    wrong = submission(hub, hub.student(2))
    assert wrong and 0 <= wrong["code_score"] < wrong["max_code_score"], wrong


def test_only_the_submission_after_the_due_date_is_late(round_trip):
    hub = round_trip
    late = submission(hub, hub.student(3))
    assert late["seconds_late"] > 0 and late["penalty"] > 0, late
    for student in (hub.student(1), hub.student(2), hub.student(5)):
        assert submission(hub, student)["seconds_late"] == 0, student


def test_a_student_who_never_submitted_has_no_submission(round_trip):
    assert submission(round_trip, round_trip.student(4)) is None
    assert not (round_trip.course_root / "submitted" / round_trip.student(4)).exists()


def test_a_resubmission_replaces_the_earlier_one(round_trip):
    hub, student = round_trip, round_trip.student(1)
    collected = hub.course_root / "submitted" / student / ASSIGNMENT
    assert json.loads((collected / NOTEBOOK).read_text()) == json.loads(answers(hub)["right"])
    timestamps = sorted(path.name.split("+")[2] for path in
                        (hub.settings.exchange / hub.plan.course_id / "inbound").iterdir()
                        if path.name.startswith(student + "+"))
    assert len(timestamps) == 2, timestamps
    assert (collected / "timestamp.txt").read_text().strip() == timestamps[-1]


def test_each_student_fetched_their_own_feedback(round_trip):
    hub = round_trip
    for student in (hub.student(1), hub.student(2), hub.student(3), hub.student(5)):
        pages = list((home_of(student) / ASSIGNMENT / "feedback").glob(f"*/{NOTEBOOK.replace('.ipynb', '.html')}"))
        assert pages, f"{student} has no feedback"
        assert pages[0].stat().st_uid == home_of(student).stat().st_uid
    assert not (home_of(hub.student(4)) / ASSIGNMENT).exists()
