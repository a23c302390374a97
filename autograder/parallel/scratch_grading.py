"""The grading half of a worker: autograde one submission in a private scratch course.

The scratch course holds the course configuration (its ``db_url`` set to the scratch course's own
SQLite file), a copy of the assignment's template gradebook
with the student's snapshot written in, ``source/<assignment>`` and a copy of the submission
(:mod:`autograder.parallel.intake`). nbgrader's own ``Autograde`` grades it, through
:class:`NotedAutograde`, which also collects the notes ``GuardedExecute`` leaves in each notebook's
resources (``resources[NOTES_RESOURCE]``): the explicit channel for "why a notebook was graded only
in part". Resources live in this process only; nothing a kernel writes reaches them.
"""

import os
import shutil
import time
from pathlib import Path

from nbgrader.converters import Autograde

from autograder.gradebook.results import GradingResult
from autograder.parallel.intake import SubmissionLimits, adopt_renamed_notebook, copy_submission, unreadable_notebooks
from autograder.parallel.jobs import GradeReply
from autograder.parallel.nbgrader_failures import nbgrader_failure_reason
from autograder.parallel.private_environment import private_environment
from autograder.safety.guarded_execute import NOTES_RESOURCE


class NotedAutograde(Autograde):
    """nbgrader's ``Autograde`` converter that keeps the grading notes of every notebook it writes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.grading_notes = []

    def write_single_notebook(self, output, resources):
        self.grading_notes.extend(note for note in resources.get(NOTES_RESOURCE, []) if note not in self.grading_notes)
        super().write_single_notebook(output, resources)


def autograde_with_notes(api, assignment, student):
    """What ``NbGraderAPI.autograde(assignment, student, force=True, create=True)`` does, plus the notes:
    ``(nbgrader's result dict, [note, ...])``."""
    from nbgrader.utils import capture_log, temp_attrs

    with temp_attrs(api.coursedir, assignment_id=assignment, student_id=student):
        converter = NotedAutograde(coursedir=api.coursedir, parent=api)
        converter.force = True
        converter.create_student = True
        result = capture_log(converter)
    return result, converter.grading_notes


def grade_submission(job):
    """Autograde the :class:`~autograder.parallel.jobs.GradeJob` ``job``; its :class:`GradeReply`."""
    from nbgrader.api import Gradebook

    from autograder.course.directory import Course, load_config, make_api, write_private_config
    from autograder.gradebook.sync import apply_snapshot, read_autograde_state
    from autograder.safety.suspicious_code import review_submission

    started = time.perf_counter()
    scratch = Path(job.scratch)
    student, assignment = job.student, job.assignment
    course = Course.at(scratch / "course", scratch / "unused", scratch / "unused")
    course.root.mkdir(parents=True, exist_ok=True)
    write_private_config(job.config_file, course)  # its own SQLite gradebook, never the course's database
    database = course.db_url
    shutil.copyfile(job.template_db, course.gradebook_file)
    shutil.copytree(job.source_dir, course.source_dir(assignment))
    submitted = course.submitted_dir(student, assignment)
    limits = SubmissionLimits(job.max_file_bytes, job.max_total_bytes, job.max_files)
    skipped = copy_submission(Path(job.submission_dir), submitted, limits)
    notes, log = [], ""
    if skipped:
        log += "skipped: {}\n".format("; ".join(skipped))
        notes.append("files not graded: " + "; ".join(skipped))
    renamed = adopt_renamed_notebook(submitted, job.notebooks)
    if renamed:
        notes.append(renamed)
    problems = unreadable_notebooks(submitted, job.notebooks)
    review = review_submission(submitted, job.notebooks)
    if problems:
        return _failed(job, "; ".join(problems + notes), log, review, started)

    os.environ.update(private_environment(scratch))
    config = load_config(course, **job.config_overrides)
    with Gradebook(database, job.course_id) as gradebook:
        apply_snapshot(gradebook, assignment, job.snapshot)
    result, kernel_notes = autograde_with_notes(make_api(course, config), assignment, student)
    notes.extend(kernel_notes)
    log += result.get("log", "") + result.get("error", "")
    if not result.get("success"):
        return _failed(job, "; ".join([nbgrader_failure_reason(result)] + notes), log, review, started)
    with Gradebook(database, job.course_id) as gradebook:
        state = read_autograde_state(gradebook, assignment, student)
    graded = GradingResult.from_state(student, assignment, state, elapsed=time.perf_counter() - started,
                                      reason="; ".join(notes), review=review)
    return GradeReply(result=graded, state=state, autograded_dir=str(course.autograded_dir(student, assignment)),
                      log=log)


def _failed(job, reason, log, review, started):
    result = GradingResult(job.student, job.assignment, "failed", reason=reason,
                           elapsed=time.perf_counter() - started, review=review)
    return GradeReply(result=result, log=log)
