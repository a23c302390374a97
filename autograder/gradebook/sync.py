"""Moving grading state between the course gradebook and private scratch gradebooks.

Workers never open the course's ``gradebook.db``. Before grading, the parent process makes, per
assignment, a *template*: a copy of the course gradebook with every student and every other
assignment removed. Each submission is graded against its own copy of that template, into which
the parent's *snapshot* of that one student (their record and any manual grades or extension
already in the course gradebook) has been written, so nbgrader's autograde computes exactly what
it would compute on the course gradebook. The parent then *merges* the fields that autograde
writes back into the course gradebook, one submission at a time, in one process.

Fields written by ``nbgrader autograde`` (0.9.6) and therefore merged: the submission's
timestamp; per grade ``auto_score`` and ``needs_manual_grade``; per comment ``auto_comment``;
per notebook ``late_submission_penalty``; the student record itself.
"""

import shutil
from datetime import timedelta

from nbgrader.api import Gradebook, MissingEntry


def make_template(course_db_file, assignment, destination, course_id):
    """Write a gradebook at ``destination`` holding only ``assignment``'s definition (no students)."""
    shutil.copyfile(course_db_file, destination)
    with Gradebook(f"sqlite:///{destination}", course_id) as gradebook:
        for student in list(gradebook.students):
            gradebook.remove_student(student.id)
        for other in [a.name for a in gradebook.assignments if a.name != assignment]:
            gradebook.remove_assignment(other)
        gradebook.find_assignment(assignment)  # raises MissingEntry when the assignment was never built
    return destination


def student_snapshot(gradebook, assignment, student):
    """What the course gradebook knows of ``student`` that affects autograding ``assignment``."""
    snapshot = {"student": student, "record": {}, "submission": None}
    try:
        record = gradebook.find_student(student)
    except MissingEntry:
        return snapshot
    snapshot["record"] = {name: getattr(record, name) for name in ("first_name", "last_name", "email", "lms_user_id")}
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return snapshot
    snapshot["submission"] = {
        "timestamp": submission.timestamp.isoformat() if submission.timestamp else None,
        "extension_seconds": submission.extension.total_seconds() if submission.extension else None,
        "notebooks": {
            notebook.name: {
                "flagged": bool(notebook.flagged),
                "grades": {grade.name: {"manual_score": grade.manual_score, "extra_credit": grade.extra_credit}
                           for grade in notebook.grades},
                "comments": {comment.name: comment.manual_comment for comment in notebook.comments},
            }
            for notebook in submission.notebooks
        },
    }
    return snapshot


def apply_snapshot(gradebook, assignment, snapshot):
    """Write ``snapshot`` (from :func:`student_snapshot`) into a scratch gradebook."""
    student = snapshot["student"]
    gradebook.update_or_create_student(student, **{k: v for k, v in snapshot["record"].items() if v is not None})
    previous = snapshot["submission"]
    if previous is None:
        return
    fields = {}
    if previous["timestamp"]:
        fields["timestamp"] = previous["timestamp"]
    if previous["extension_seconds"] is not None:
        fields["extension"] = timedelta(seconds=previous["extension_seconds"])
    gradebook.update_or_create_submission(assignment, student, **fields)
    for notebook_name, notebook in previous["notebooks"].items():
        try:
            submitted = gradebook.find_submission_notebook(notebook_name, assignment, student)
        except MissingEntry:
            continue
        submitted.flagged = notebook["flagged"]
        for grade in submitted.grades:
            values = notebook["grades"].get(grade.name, {})
            grade.manual_score = values.get("manual_score")
            grade.extra_credit = values.get("extra_credit")
        for comment in submitted.comments:
            comment.manual_comment = notebook["comments"].get(comment.name)
    gradebook.db.commit()


def read_autograde_state(gradebook, assignment, student):
    """The fields autograde wrote for one submission, plus max scores, as plain data."""
    submission = gradebook.find_submission(assignment, student)
    notebooks = {}
    for notebook in submission.notebooks:
        notebooks[notebook.name] = {
            "late_submission_penalty": notebook.late_submission_penalty,
            "grades": {
                grade.name: {
                    "auto_score": grade.auto_score,
                    "needs_manual_grade": bool(grade.needs_manual_grade),
                    "max_score": grade.max_score,
                    "cell_type": grade.cell.cell_type,
                    "is_test": grade.cell.name not in {c.name for c in notebook.notebook.solution_cells},
                }
                for grade in notebook.grades
            },
            "comments": {comment.name: comment.auto_comment for comment in notebook.comments},
        }
    return {
        "timestamp": submission.timestamp.isoformat() if submission.timestamp else None,
        "seconds_late": submission.total_seconds_late,
        "notebooks": notebooks,
    }


def merge_graded(gradebook, assignment, student, state):
    """Copy autograde's fields from ``state`` (see :func:`read_autograde_state`) into ``gradebook``."""
    submission = _prepare_submission(gradebook, assignment, student, state.get("timestamp"))
    for notebook in submission.notebooks:
        values = state["notebooks"].get(notebook.name)
        if values is None:
            continue
        notebook.late_submission_penalty = values["late_submission_penalty"]
        for grade in notebook.grades:
            if grade.name in values["grades"]:
                grade.auto_score = _within(values["grades"][grade.name]["auto_score"], grade.max_score)
                grade.needs_manual_grade = values["grades"][grade.name]["needs_manual_grade"]
        for comment in notebook.comments:
            if comment.name in values["comments"]:
                comment.auto_comment = values["comments"][comment.name]
    gradebook.db.commit()


def _within(score, max_score):
    """A score clamped to [0, max_score] of the course gradebook (None stays None: not autograded)."""
    if score is None:
        return None
    return min(max(float(score), 0.0), float(max_score))


def merge_failed(gradebook, assignment, student, reason, timestamp=None):
    """Record a submission that could not be graded: zero everywhere, flagged, reason as comment."""
    submission = _prepare_submission(gradebook, assignment, student, timestamp)
    for notebook in submission.notebooks:
        notebook.flagged = True
        notebook.late_submission_penalty = None
        for grade in notebook.grades:
            grade.auto_score = 0.0
            grade.needs_manual_grade = False
        for comment in notebook.comments:
            comment.auto_comment = f"Not graded: {reason}"
    gradebook.db.commit()


def _prepare_submission(gradebook, assignment, student, timestamp):
    gradebook.update_or_create_student(student)
    if timestamp:
        return gradebook.update_or_create_submission(assignment, student, timestamp=timestamp)
    return gradebook.update_or_create_submission(assignment, student)
