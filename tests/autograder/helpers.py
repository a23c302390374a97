"""Submissions and gradebook snapshots used by the end-to-end tests."""

import hashlib
import html
import re
from datetime import datetime, timezone

import nbformat
from nbgrader.api import Gradebook

from autograder.course.directory import course_id
from autograder.notebooks.cells import find_cell, read_notebook, replace_cell_source
from autograder.notebooks.sample_submissions import write_submission

from .conftest import ASSIGNMENT, NOTEBOOK

BEFORE_DUE = datetime(2025, 3, 13, 12, 0, tzinfo=timezone.utc)
DUE = datetime(2025, 3, 14, 17, 0, tzinfo=timezone.utc)
AFTER_DUE = datetime(2025, 3, 14, 19, 30, tzinfo=timezone.utc)


def source_notebook(course):
    return read_notebook(course.source_dir(ASSIGNMENT) / NOTEBOOK)


def release_notebook(course):
    return read_notebook(course.release_dir(ASSIGNMENT) / NOTEBOOK)


def catalogue_source(course, cell_id, name):
    return (course.source_notebooks / ASSIGNMENT / "catalogue" / cell_id / name).read_text()


def submit(course, student, notebook, when=BEFORE_DUE):
    write_submission(course, student, ASSIGNMENT, {NOTEBOOK: notebook}, submitted_at=when)


def with_cell(notebook, cell_id, source):
    return replace_cell_source(notebook, cell_id, source)


def without_cell(notebook, cell_id):
    notebook = nbformat.from_dict(notebook)
    notebook.cells = [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade_id") != cell_id]
    return notebook


def tampered_test(notebook, cell_id):
    notebook = replace_cell_source(notebook, cell_id, "pass  # the student emptied the test")
    find_cell(notebook, cell_id).metadata["nbgrader"]["locked"] = False
    return notebook


def gradebook_state(course, students):
    """Everything autograde writes, per student, from a course gradebook."""
    state = {}
    with Gradebook(course.db_url, course_id(course)) as gradebook:
        for student in students:
            submission = gradebook.find_submission(ASSIGNMENT, student)
            rows = [("timestamp", submission.timestamp), ("seconds_late", submission.total_seconds_late)]
            for notebook in submission.notebooks:
                rows.append((notebook.name, "late_penalty", notebook.late_submission_penalty))
                for grade in notebook.grades:
                    rows.append((notebook.name, grade.name, grade.auto_score, grade.manual_score,
                                 grade.needs_manual_grade, grade.extra_credit))
                for comment in notebook.comments:
                    rows.append((notebook.name, comment.name, comment.auto_comment, comment.manual_comment))
            state[student] = sorted(rows, key=repr)
    return state


def visible_text(html_text):
    """The text a reader sees in an HTML page (tags removed, entities decoded)."""
    without_scripts = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html_text)
    return html.unescape(re.sub(r"<[^>]+>", "", without_scripts))


def tree_digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
