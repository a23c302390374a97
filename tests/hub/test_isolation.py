"""A hostile student after the round trip: what is not theirs stays out of reach.

Student 2 tries, as their own unix user and with their own hub token, to read student 1's work
and feedback, the course's sources (hidden tests), the collected submissions and the gradebook,
to list the exchange's inbound and feedback folders (nbgrader hides submissions and feedback
there behind names nobody else can list: a random string, a hash of the submission's secret),
and to replace the release or move the course's exchange folder.
"""

import pytest

from autograder.hub.users import home_of
from tests.hub.accounts import as_user, can_list, can_read
from tests.hub.conftest import ASSIGNMENT
from tests.hub.hub_client import get, start_server, token_of

NOTEBOOK = "perceptron.ipynb"


@pytest.fixture(scope="module")
def attacker(round_trip):
    return round_trip.student(2)


def test_a_student_cannot_list_the_exchange_inbound_or_feedback(round_trip, attacker):
    course = round_trip.settings.exchange / round_trip.plan.course_id
    assert can_list(attacker, course / "outbound"), "the release must stay readable"
    assert not can_list(attacker, course / "inbound")
    assert not can_list(attacker, course / "feedback")


def test_a_student_cannot_read_another_students_work_or_feedback(round_trip, attacker):
    other = home_of(round_trip.student(1))
    assert (other / ASSIGNMENT / NOTEBOOK).is_file()
    assert not can_read(attacker, other / ASSIGNMENT / NOTEBOOK)
    feedback = next((other / ASSIGNMENT / "feedback").glob("*/perceptron.html"))
    assert not can_read(attacker, feedback)
    assert not can_list(attacker, other)


def test_a_student_cannot_read_the_course_sources_submissions_or_gradebook(round_trip, attacker):
    root = round_trip.course_root
    secrets = [root / "source" / ASSIGNMENT / NOTEBOOK, root / "gradebook.db",
               root / "submitted" / round_trip.student(1) / ASSIGNMENT / NOTEBOOK,
               root / "autograded" / round_trip.student(1) / ASSIGNMENT / NOTEBOOK]
    for path in secrets:
        assert path.is_file(), path
        assert not can_read(attacker, path), path
    assert not can_list(attacker, root)


def test_a_student_cannot_replace_the_release_or_move_the_course_folder(round_trip, attacker):
    course = round_trip.settings.exchange / round_trip.plan.course_id
    outbound = course / "outbound" / ASSIGNMENT
    forged = as_user(attacker, ["sh", "-c", f'echo forged > "{outbound}/{NOTEBOOK}"'], check=False)
    assert forged.returncode != 0
    moved = as_user(attacker, ["mv", str(course), str(course) + "-moved"], check=False)
    assert moved.returncode != 0 and course.is_dir()
    squat = as_user(attacker, ["mkdir", str(course / "outbound" / "99_fake")], check=False)
    assert squat.returncode != 0


def test_a_students_token_opens_nothing_of_other_users_on_the_hub(round_trip, attacker):
    hub = round_trip
    instructor, other = hub.settings.instructor, hub.student(1)
    for name in (instructor, other):  # their servers run, so the proxy routes to them
        start_server(hub.url, name, token_of(hub.url, name, hub.password))
    token = token_of(hub.url, attacker, hub.password)
    assert get(hub.url, f"/user/{attacker}/api/contents", token).status_code in (200, 302)
    assert get(hub.url, "/hub/api/users", token).status_code == 403
    assert get(hub.url, f"/hub/api/users/{other}", token).status_code == 404
    assert get(hub.url, f"/hub/api/users/{instructor}/tokens", token).status_code in (403, 404)
    for path in (f"/user/{other}/api/contents/{ASSIGNMENT}/{NOTEBOOK}", f"/user/{instructor}/api/contents/course",
                 f"/user/{instructor}/formgrader/api/assignments",
                 f"/user/{instructor}/api/contents/course/gradebook.db"):
        response = get(hub.url, path, token)
        assert response.status_code == 403, (path, response.status_code, response.text[:200])
