"""The steps of a course's round trip on the hub, each run as the unix user who does it.

build and release (the ``released`` fixture) -> s1 submits a wrong answer, then a right one (the
resubmission), s2 a wrong one, s5 a right one through the Assignments panel in Chromium -> the
instructor sets the due date to now -> s3 submits a right answer, late; s4 never does -> collect ->
``python -m autograder grade`` as the instructor -> release_feedback -> every student who submitted
fetches their feedback. Right and wrong answers come from lesson 1's answer key and catalogue.
"""

import time
from datetime import datetime, timedelta, timezone

import nbformat
import psutil

from autograder.hub.users import home_of
from autograder.notebooks.catalogue import load_catalogue, with_entry
from autograder.notebooks.cells import read_notebook
from autograder.notebooks.sample_submissions import answered
from tests.hub.accounts import as_user, write_as
from tests.hub.conftest import ASSIGNMENT, lessons
from tests.hub.lab_pages import assignment_row, open_assignments_panel, open_lab

NOTEBOOK = "perceptron.ipynb"
WRONG_ENTRY = "perceptron_update/wrong_sign"


def answers(hub):
    """``{"right": text, "wrong": text}``: the release answered as the answer key, and with a catalogue mistake."""
    course_root = hub.course_root
    release = read_notebook(course_root / "release" / ASSIGNMENT / NOTEBOOK)
    right = answered(release, read_notebook(course_root / "source" / ASSIGNMENT / NOTEBOOK))
    entry = next(e for e in load_catalogue(lessons(hub) / ASSIGNMENT) if e.name == WRONG_ENTRY)
    wrong = with_entry({NOTEBOOK: right}, entry)[NOTEBOOK]
    return {"right": nbformat.writes(right), "wrong": nbformat.writes(wrong)}


def nbgrader(hub, name, *arguments, role="student", cwd=None):
    program = hub.plan.environment.program("nbgrader")
    return as_user(name, [program, *arguments], role=role, state=hub.state, cwd=cwd)


def fetch_answer_submit(hub, student, text, fetch=True):
    if fetch:
        nbgrader(hub, student, "fetch_assignment", ASSIGNMENT)
    write_as(student, home_of(student) / ASSIGNMENT / NOTEBOOK, text)
    nbgrader(hub, student, "submit", ASSIGNMENT)


def submit_in_browser(hub, chromium, artefacts, student, text):
    """Fetch and submit with the Assignments panel; the notebook is saved in between, as the student."""
    page = open_lab(chromium, hub.url, student, hub.password)
    open_assignments_panel(page)
    assignment_row(page, "released_assignments_list", ASSIGNMENT).locator("button", has_text="Fetch").click()
    fetched = assignment_row(page, "fetched_assignments_list", ASSIGNMENT)
    fetched.wait_for()
    write_as(student, home_of(student) / ASSIGNMENT / NOTEBOOK, text)
    fetched.locator("button", has_text="Submit").first.click()
    assignment_row(page, "submitted_assignments_list", ASSIGNMENT).wait_for()
    page.screenshot(path=str(artefacts / "hub-student-assignments-panel.png"))
    page.context.close()


def server_memory_mib(name):
    """Resident memory of every process of user ``name`` (their single-user server and kernels), in MiB."""
    total = sum(process.info["memory_info"].rss for process in psutil.process_iter(["username", "memory_info"])
                if process.info["username"] == name and process.info["memory_info"])
    return total / 2 ** 20


def run_round_trip(released, chromium, artefacts):
    """Every step of the round trip (see the module docstring); the hub, with what was measured."""
    hub, started = released, time.monotonic()
    s1, s2, s3, s4, s5 = (hub.student(n) for n in range(1, 6))
    texts = answers(hub)
    fetch_answer_submit(hub, s1, texts["wrong"])
    time.sleep(1.1)  # nbgrader's timestamps tell submissions apart
    fetch_answer_submit(hub, s1, texts["right"], fetch=False)
    fetch_answer_submit(hub, s2, texts["wrong"])
    submit_in_browser(hub, chromium, artefacts, s5, texts["right"])
    hub.measured["memory of one student's server (MiB)"] = round(server_memory_mib(s5))
    # the instructor sets the due date to the next whole second: what is submitted from then on is late
    due = (datetime.now(timezone.utc) + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S UTC")
    nbgrader(hub, hub.settings.instructor, "db", "assignment", "add", ASSIGNMENT, f"--duedate={due}",
             role="instructor", cwd=hub.course_root)
    time.sleep(2)
    fetch_answer_submit(hub, s3, texts["right"])
    nbgrader(hub, hub.settings.instructor, "collect", ASSIGNMENT, role="instructor", cwd=hub.course_root)
    python = str(hub.settings.python)
    as_user(hub.settings.instructor, [python, "-m", "autograder", "grade", ASSIGNMENT, "--course", hub.course_root,
                                      "--source-notebooks", lessons(hub), "--no-progress"],
            role="instructor", state=hub.state, cwd=hub.course_root)
    nbgrader(hub, hub.settings.instructor, "release_feedback", ASSIGNMENT, role="instructor", cwd=hub.course_root)
    for student in (s1, s2, s3, s5):
        nbgrader(hub, student, "fetch_feedback", ASSIGNMENT)
    hub.measured["round trip after release (s)"] = round(time.monotonic() - started, 1)
    return hub
