"""Moving grading state between the course gradebook and private scratch gradebooks.

Workers never open the course's database (``c.CourseDirectory.db_url``: SQLite or a server such as
PostgreSQL). Before grading, the parent process makes, per assignment, a *template*: a private
SQLite gradebook holding that assignment's definition copied from the course database, without
any student or other assignment. Each submission is graded against its own copy of that template, into which
the parent's *snapshot* of that one student (their record and any manual grades or extension
already in the course gradebook) has been written, so nbgrader's autograde computes exactly what
it would compute on the course gradebook. The parent then *merges* the fields that autograde
writes back into the course gradebook, one submission at a time, in one process.

Fields written by ``nbgrader autograde`` (0.9.6) and therefore merged: the submission's
timestamp; per grade ``auto_score`` and ``needs_manual_grade``; per comment ``auto_comment``;
per notebook ``late_submission_penalty``; the student record itself.
"""

from datetime import timedelta

from nbgrader.api import Base, Gradebook, MissingEntry

from autograder.course.directory import sqlite_url

# nbgrader's tables that define an assignment (no student data), in the order rows can be inserted
DEFINITION_TABLES = ("assignment", "notebook", "base_cell", "source_cell", "grade_cells", "solution_cells",
                     "task_cells")


def make_template(course_db_url, assignment, destination, course_id):
    """Write a SQLite gradebook at ``destination`` holding only ``assignment``'s definition (no students).

    The rows are copied from the course database at ``course_db_url`` (any database nbgrader works
    with), ids and all, with nbgrader's schema version; raises MissingEntry when the assignment was
    never built."""
    from sqlalchemy import create_engine, text

    with Gradebook(course_db_url, course_id) as course_gradebook:
        rows = definition_rows(course_gradebook, assignment)
        version = course_gradebook.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine = create_engine(sqlite_url(destination))
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:version)"),
                               {"version": version})
    finally:
        engine.dispose()
    with Gradebook(sqlite_url(destination), course_id) as template:  # adds the course's row
        for name in DEFINITION_TABLES:
            if rows[name]:
                template.db.execute(Base.metadata.tables[name].insert(), rows[name])
        template.db.commit()
    return destination


def definition_rows(gradebook, assignment):
    """``{table: [row as a dict, ...]}`` of ``assignment``'s definition in ``gradebook`` (see DEFINITION_TABLES)."""
    from sqlalchemy import select

    tables = Base.metadata.tables
    found = gradebook.find_assignment(assignment)

    def rows(name, column, values):
        table = tables[name]
        query = select(table).where(table.c[column].in_(values)).order_by(table.c.id)
        return [dict(row._mapping) for row in gradebook.db.execute(query)]

    result = {"assignment": rows("assignment", "id", [found.id])}
    notebooks = [notebook.id for notebook in found.notebooks]
    result["notebook"] = rows("notebook", "id", notebooks)
    result["base_cell"] = rows("base_cell", "notebook_id", notebooks)
    result["source_cell"] = rows("source_cell", "notebook_id", notebooks)
    cells = [row["id"] for row in result["base_cell"]]
    for name in ("grade_cells", "solution_cells", "task_cells"):
        result[name] = rows(name, "id", cells)
    return result


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
