"""Feedback students can read: nbgrader's ``generate_feedback`` with the hidden tests taken out.

nbgrader (0.9.6) puts the full test cells -- hidden tests included -- back into the autograded
notebook, and its feedback HTML shows them, together with tracebacks that quote the failing
hidden line (nbgrader issues #917, #1363). :class:`StudentFacingFeedback`, registered in
``course/nbgrader_config.py`` as a ``GenerateFeedback`` preprocessor after ``GetGrades``, makes
the feedback safe for students:

- every hidden-test region is replaced by one line ``# (hidden tests are not shown)``;
- in a test cell that had hidden tests, each error's traceback is replaced by its last line
  (``AssertionError: <the test's message>``), so no hidden source is quoted;
- a "Test results" table at the top lists every test cell: passed / failed, points, message.
"""

import html
import re

from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.notebooks import has_hidden_tests, is_test_cell, remove_hidden_tests

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text):
    return _ANSI.sub("", text)


def error_message(output):
    """``ename: evalue`` of an error output, ANSI colours removed."""
    evalue = strip_ansi(output.get("evalue", "")).strip()
    ename = strip_ansi(output.get("ename", "Error"))
    return f"{ename}: {evalue}" if evalue else f"{ename} (no message)"


def test_outcome(cell):
    """(status, message) of an executed test cell: "passed", "partial" or "failed"."""
    metadata = cell.metadata.get("nbgrader", {})
    score, points = metadata.get("score"), metadata.get("points")
    errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    stderr = [output for output in cell.get("outputs", [])
              if output.get("output_type") == "stream" and output.get("name") == "stderr"]
    if errors:
        message = error_message(errors[0])
    elif stderr:
        message = "wrote to stderr: " + strip_ansi(stderr[0].get("text", "")).strip().splitlines()[0][:200]
    else:
        message = ""
    if score is not None and points is not None:
        if float(score) >= float(points):
            return "passed", message
        return ("partial" if float(score) > 0 else "failed"), message
    return ("failed" if errors or stderr else "passed"), message


class StudentFacingFeedback(NbGraderPreprocessor):
    """Remove hidden tests (source and tracebacks) and add a per-test summary to the feedback."""

    def preprocess(self, nb, resources):
        rows = []
        for cell in nb.cells:
            if not is_test_cell(cell):
                continue
            hidden = has_hidden_tests(cell)
            if hidden:
                cell.source = remove_hidden_tests(cell.source)
                for output in cell.get("outputs", []):
                    if output.get("output_type") == "error":
                        output["traceback"] = [error_message(output)]
            status, message = test_outcome(cell)
            metadata = cell.metadata.get("nbgrader", {})
            rows.append((metadata.get("grade_id", "?"), status, metadata.get("score"), metadata.get("points"),
                         message))
        if rows:
            nb.cells.insert(0, new_markdown_cell(summary_markdown(rows)))
        return nb, resources


def summary_markdown(rows):
    """A markdown table of (test, status, score, points, message) rows."""
    symbols = {"passed": "passed", "partial": "partly passed", "failed": "FAILED"}
    lines = ["## Test results", "", "| test | result | points | message |", "|---|---|---|---|"]
    for name, status, score, points, message in rows:
        shown = f"{float(score or 0):g} / {float(points or 0):g}" if points is not None else ""
        text = html.escape(message).replace("|", "&#124;").replace("\n", " ")
        lines.append(f"| `{name}` | {symbols.get(status, status)} | {shown} | {text} |")
    passed = sum(status == "passed" for _, status, *_ in rows)
    lines += ["", f"{passed} of {len(rows)} test cells passed. Hidden tests are not shown; "
              "a failing hidden test shows only its message."]
    return "\n".join(lines)


def generate_feedback(course, results):
    """Feedback HTML for graded results (nbgrader), a short note for submissions that failed to grade."""
    from autograder.course import make_api

    api = make_api(course)
    problems = []
    for result in results:
        folder = course.feedback_dir(result.student, result.assignment)
        if result.status == "graded":
            outcome = api.generate_feedback(result.assignment, result.student, force=True)
            if not outcome.get("success"):
                problems.append("{}: {}".format(result.key, (outcome.get("error") or outcome.get("log", ""))[-300:]))
        elif result.status == "failed":
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.glob("*.html"):
                stale.unlink()
            (folder / "not_graded.html").write_text(not_graded_page(result))
    if problems:
        raise RuntimeError("feedback could not be generated for:\n" + "\n".join(problems))


def not_graded_page(result):
    assignment, reason = html.escape(result.assignment), html.escape(result.reason)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{assignment}: not graded</title></head>\n"
            f"<body>\n<h1>{assignment}: your submission could not be graded</h1>\n<p>Reason: {reason}</p>\n"
            "<p>It was recorded with a score of 0. Please contact the course team.</p>\n</body></html>\n")
