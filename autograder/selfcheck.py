"""``selfcheck``: prove the tests before students see them.

In a scratch copy of the course (its nbgrader_config.py, a fresh build of the lessons), the
parallel grader grades, per assignment:

1. the source notebooks -- the reference solutions -- as a student: every autograded point;
2. the untouched release: zero autograded points (a test that passes on the stub tests nothing);
3. for each catalogue entry, the source notebooks with that one solution cell replaced:
   a ``wrong_*`` implementation must lose points, a ``correct_*`` one must keep every point.

The course itself is never touched.
"""

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.build import build, select_assignments
from autograder.catalogue import load_catalogue
from autograder.course import Course
from autograder.notebooks import find_cell, read_notebook, replace_cell_source
from autograder.report import format_table
from autograder.submissions import write_submission


@dataclass
class Check:
    assignment: str
    submission: str
    expectation: str
    score: float
    max_score: float
    ok: bool
    detail: str = ""

    def expected_text(self):
        return {"full": "all points", "zero": "zero", "loses": "loses points"}[self.expectation]


def _student_id(*parts):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "-".join(parts))


def selfcheck(course, assignments=None, workers=None, progress=None, log=print):
    """Run the checks; returns the list of :class:`Check` (``all(check.ok)`` when the tests are right)."""
    from autograder.grading import grade

    assignments = select_assignments(course, assignments)
    scratch_root = Path(tempfile.mkdtemp(prefix="autograder-selfcheck-"))
    try:
        scratch = Course.at(scratch_root / "course", course.source_notebooks, scratch_root / "solutions")
        scratch.root.mkdir(parents=True)
        shutil.copyfile(course.config_file, scratch.config_file)
        build(scratch, assignments, solutions=False, log=None)
        plan = {}
        for assignment in assignments:
            plan.update(_write_submissions(scratch, assignment))
        results = grade(scratch, assignments, workers=workers, progress=progress, feedback=False, export=False)
        checks = []
        order = {key: index for index, key in enumerate(plan)}
        for result in sorted(results, key=lambda r: order[(r.student, r.assignment)]):
            assignment, label, expectation = plan[(result.student, result.assignment)]
            if result.status != "graded":
                ok, detail = False, "not graded: " + result.reason
            elif expectation == "full":
                ok = result.score == result.max_score
                detail = "" if ok else "failed: " + ", ".join(result.failed_tests)
            elif expectation == "zero":
                ok = result.score == 0
                detail = "" if ok else "passes on the stub: " + ", ".join(
                    sorted(set(_all_tests(scratch, assignment)) - set(result.failed_tests)))
            else:
                ok = result.score < result.max_score
                detail = "failed: " + ", ".join(result.failed_tests) if ok else "no test caught it"
            checks.append(Check(assignment, label, expectation, result.score, result.max_score, ok, detail))
        return checks
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)


def _all_tests(course, assignment):
    from autograder.notebooks import grade_id, test_cells

    return [grade_id(cell) for path in sorted(course.source_dir(assignment).glob("*.ipynb"))
            for cell in test_cells(read_notebook(path))]


def _write_submissions(scratch, assignment):
    """Write the solution, release and catalogue submissions; returns ``{(student, assignment): plan}``."""
    sources = {path.name: read_notebook(path) for path in sorted(scratch.source_dir(assignment).glob("*.ipynb"))}
    releases = {path.name: read_notebook(path) for path in sorted(scratch.release_dir(assignment).glob("*.ipynb"))}
    plan = {}
    write_submission(scratch, "selfcheck-solution", assignment, sources)
    plan[("selfcheck-solution", assignment)] = (assignment, "reference solution", "full")
    write_submission(scratch, "selfcheck-release", assignment, releases)
    plan[("selfcheck-release", assignment)] = (assignment, "untouched release", "zero")
    for entry in load_catalogue(scratch.source_notebooks / assignment):
        notebooks = dict(sources)
        for name, notebook in sources.items():
            try:
                find_cell(notebook, entry.cell_id)
            except KeyError:
                continue
            notebooks[name] = replace_cell_source(notebook, entry.cell_id, entry.source)
        student = _student_id("selfcheck", entry.cell_id, entry.kind, entry.slug)
        write_submission(scratch, student, assignment, notebooks)
        expectation = "loses" if entry.kind == "wrong" else "full"
        label = f"{entry.name} ({entry.description})" if entry.description else entry.name
        plan[(student, assignment)] = (assignment, label, expectation)
    return plan


def format_checks(checks):
    rows = [[check.assignment, check.submission[:70], check.expected_text(),
             f"{check.score:g} / {check.max_score:g}", "ok" if check.ok else "MISS", check.detail[:80]]
            for check in checks]
    misses = sum(not check.ok for check in checks)
    summary = f"{len(checks)} checks, {misses} missed"
    return format_table(["assignment", "submission", "expected", "autograded", "result", "detail"], rows) + \
        "\n\n" + summary
