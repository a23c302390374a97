"""Helpers of the PostgreSQL tests: a course whose ``db_url`` names a server, the kit's CLI, raw SQL."""

import os
import subprocess
import sys

from autograder.notebooks.cells import find_cell

from ..autograder.conftest import ASSIGNMENT
from ..autograder.helpers import AFTER_DUE, catalogue_source, release_notebook, source_notebook, submit, with_cell

# expected autograded points per student (test_sigmoid 2 + test_mse 1): fixed by the submissions below
EXPECTED_AUTOGRADED = {"alice": 3.0, "bob": 0.0, "carol": 1.0}
ENVIRONMENT_MARKER = "KERNEL-ENVIRONMENT"


def use_database(course, url):
    """Point the course's nbgrader_config.py at ``url``, as an instructor would."""
    with course.config_file.open("a") as handle:
        handle.write(f"\nc.CourseDirectory.db_url = {url!r}\n")


def kit(course, *arguments, check=True, env=None):
    """``python -m autograder ARGUMENTS --course ROOT``: the CompletedProcess (text output)."""
    environment = dict(os.environ, **(env or {}))
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment.get("PATH", "")
    command = [sys.executable, "-m", "autograder", *arguments[:1], "--course", str(course.root), *arguments[1:]]
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)
    if check and completed.returncode != 0:
        output = completed.stdout + "\n" + completed.stderr
        raise AssertionError(f"{' '.join(command)} exited {completed.returncode}:\n{output}")
    return completed


def submit_class(course):
    """alice: the solution, printing her kernel's environment; bob: the release; carol: a wrong sigmoid, late."""
    source = source_notebook(course)
    answer = find_cell(source, "mse_answer").source
    submit(course, "alice", with_cell(source, "mse_answer",
                                      f"{answer}\nimport os\nprint({ENVIRONMENT_MARKER!r}, dict(os.environ))"))
    submit(course, "bob", release_notebook(course))
    submit(course, "carol", with_cell(source, "sigmoid_answer",
                                      catalogue_source(course, "sigmoid_answer", "wrong_linear_ramp.py")),
           when=AFTER_DUE)


def scores_in_database(url):
    """``{student: (autograded points of test cells, {cell: manual score})}`` read with plain SQL."""
    from sqlalchemy import create_engine, text

    query = text("""
        SELECT sa.student_id, bc.name, g.auto_score, g.manual_score
        FROM grade g
        JOIN submitted_notebook sn ON g.notebook_id = sn.id
        JOIN submitted_assignment sa ON sn.assignment_id = sa.id
        JOIN assignment a ON sa.assignment_id = a.id
        JOIN base_cell bc ON g.cell_id = bc.id
        WHERE a.name = :assignment""")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(query, {"assignment": ASSIGNMENT}).all()
    finally:
        engine.dispose()
    scores = {}
    for student, cell, auto_score, manual_score in rows:
        autograded, manual = scores.setdefault(student, [0.0, {}])
        if cell.startswith("test_"):
            scores[student][0] = autograded + (auto_score or 0.0)
        if manual_score is not None:
            manual[cell] = manual_score
    return {student: (autograded, manual) for student, (autograded, manual) in scores.items()}
