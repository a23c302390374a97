"""Feedback in several processes (``generate_feedback(..., workers=2)``) writes the pages one process writes.

Eleven graded submissions (more than one batch of :data:`autograder.commands.parallel_feedback.BATCH`)
and one whose autograded notebook is broken: with two processes (one per submission allowed here,
instead of one per ``MIN_PER_PROCESS``) the pages must be byte for byte those of the serial run,
and the broken one must be reported the same way, its page replaced.
"""

import nbformat

from autograder.commands import parallel_feedback
from autograder.commands.feedback import generate_feedback
from autograder.commands.parallel_feedback import BATCH
from autograder.gradebook.results import GradingResult, save_results

from .conftest import ASSIGNMENT, NOTEBOOK, copy_course
from .helpers import source_notebook, submit
from .test_feedback_safety import _grade_in_gradebook, graded_fixture

STUDENTS = [f"student{number:02d}" for number in range(BATCH + 3)] + ["broken"]


def _class_with_feedback(built_course, root, workers):
    course = copy_course(built_course, root)
    results = []
    for number, student in enumerate(STUDENTS):
        submit(course, student, source_notebook(course))
        folder = course.autograded_dir(student, ASSIGNMENT)
        folder.mkdir(parents=True)
        scores = {"test_sigmoid": 2 * (number % 2), "test_mse": 1}
        nbformat.write(graded_fixture({}, scores), str(folder / NOTEBOOK))
        results.append(GradingResult(student, ASSIGNMENT, "graded", score=sum(scores.values()), max_score=3.0))
    (course.autograded_dir("broken", ASSIGNMENT) / NOTEBOOK).write_text("{ not a notebook")
    save_results(course, results)
    _grade_in_gradebook(course, STUDENTS)
    problems = generate_feedback(course, results, log=None, workers=workers)
    pages = {str(path.relative_to(course.root / "feedback")): path.read_bytes()
             for path in sorted((course.root / "feedback").rglob("*.html"))}
    return [(result.student, reason) for result, reason in problems], pages


def test_two_processes_write_the_pages_one_process_writes(built_course, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_feedback, "MIN_PER_PROCESS", 1)
    serial_problems, serial_pages = _class_with_feedback(built_course, tmp_path / "serial", workers=1)
    parallel_problems, parallel_pages = _class_with_feedback(built_course, tmp_path / "parallel", workers=2)
    assert [student for student, _ in serial_problems] == ["broken"]
    assert parallel_problems == serial_problems
    assert len(serial_pages) == len(STUDENTS)
    assert parallel_pages.keys() == serial_pages.keys()
    differing = [name for name in serial_pages if _without_paths(parallel_pages[name], tmp_path / "parallel")
                 != _without_paths(serial_pages[name], tmp_path / "serial")]
    assert not differing, differing


def _without_paths(page, root):
    return page.replace(str(root).encode(), b"<root>")


def test_processes_are_added_only_for_enough_submissions(monkeypatch):
    used = []
    monkeypatch.setattr(parallel_feedback, "feedback_batch", lambda where, pairs: used.append(len(pairs)) or {})
    course = type("CourseStub", (), {"root": "r", "source_notebooks": "s", "solutions": "a"})()
    parallel_feedback.nbgrader_feedback(course, [("s", "a")] * (parallel_feedback.MIN_PER_PROCESS - 1), workers=8)
    assert used == [parallel_feedback.MIN_PER_PROCESS - 1]  # fewer than one process's worth: this process, one call
