"""Feedback students can read: nbgrader's ``generate_feedback`` showing only what the kit wrote.

nbgrader (0.9.6) puts the full test cells -- hidden tests included -- back into the autograded
notebook, and its feedback HTML shows them with every output of the graded run: tracebacks that
quote the failing hidden line (nbgrader issues #917, #1363), and whatever student code printed or
displayed while the tests called it (``print(In)``, its caller's source, ``<script>``).
:class:`StudentFacingFeedback`, registered in ``course/nbgrader_config.py`` as a
``GenerateFeedback`` preprocessor after ``GetGrades``, keeps only what the kit wrote:

- a "Test results" table at the top (an HTML table with header cells and borders, styled by the
  kit's templates) lists every test cell: passed / failed, points, message; a
  message is the error's type and first line, cut to 200 characters, and withheld when it quotes
  the hidden tests (a student's exception can carry its caller's source);
- every hidden-test region is replaced by one line ``# (hidden tests are not shown)``;
- a test cell's outputs (student prints, displays, tracebacks) are replaced by one line the kit
  writes (``Test result: passed`` / ``FAILED -- <message>``);
- the outputs of every code cell after the first test cell are removed: from there on, student
  code may have seen the tests (``In``, frames, the test's variables);
- the remaining HTML (markdown cells, ``text/html`` and other rich outputs, widget state) goes
  through the allowlist of :mod:`autograder.safety.sanitize`.
- a written answer not graded by hand yet is marked "awaiting grading" (the kit's feedback
  template, ``autograder/pages/templates/feedback``, shows that instead of "Score: 0.0 / 3.0") and the
  total is called provisional; a late submission shows how late, the due date, the course's late
  policy and the penalty; cells the grader put back (:class:`autograder.safety.sanitize.RestoreCellOrder`)
  are listed under the table.

:func:`generate_feedback` writes one page per submission; a submission whose feedback cannot be
written gets a ``not_graded``-style page with the reason, and the others carry on.
"""

import html
import re

from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.notebooks.cells import (
    BEGIN_HIDDEN,
    END_HIDDEN,
    grade_id,
    has_hidden_tests,
    is_test_cell,
    nbgrader_metadata,
    remove_hidden_tests,
)
from autograder.safety.sanitize import RESTORED_NOTE_START, sanitize_notebook

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{3,}")
_STRING = re.compile(r"(?s)\"\"\".*?\"\"\"|\'\'\'.*?\'\'\'|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'")
MESSAGE_LIMIT = 200
WITHHELD = "(message withheld: it quotes the hidden tests)"


def strip_ansi(text):
    return _ANSI.sub("", text)


def first_line(text):
    """The first line of ``text`` that is not blank, stripped ("" when there is none)."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def error_message(output):
    """``ename: evalue`` of an error output: ANSI colours removed, first line only."""
    evalue = first_line(strip_ansi(str(output.get("evalue", ""))))
    ename = first_line(strip_ansi(str(output.get("ename", "")))) or "Error"
    return f"{ename}: {evalue}" if evalue else f"{ename} (no message)"


def test_outcome(cell):
    """(status, message) of an executed test cell: "passed", "partial" or "failed"."""
    metadata = nbgrader_metadata(cell)
    score, points = metadata.get("score"), metadata.get("points")
    errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    stderr = [output for output in cell.get("outputs", [])
              if output.get("output_type") == "stream" and output.get("name") == "stderr"]
    if errors:
        message = error_message(errors[0])
    elif stderr:
        text = first_line(strip_ansi("".join(str(output.get("text", "")) for output in stderr)))
        message = "wrote to stderr: " + text if text else "wrote to stderr (blank lines)"
    else:
        message = ""
    if score is not None and points is not None:
        if float(score) >= float(points):
            return "passed", message
        return ("partial" if float(score) > 0 else "failed"), message
    return ("failed" if errors or stderr else "passed"), message


def without_strings(code):
    """``code`` with the contents of its string literals removed (the test's messages are meant to be shown)."""
    return _STRING.sub('""', code)


def hidden_test_words(cell):
    """What of ``cell``'s hidden tests a message must not quote: the names (4+ characters) its visible
    part does not use, and its code lines of 12+ characters -- string literals (messages) left out."""
    hidden, visible, inside = [], [], False
    for line in cell.source.splitlines():
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        else:
            (hidden if inside else visible).append(line)
    hidden_code, visible_code = without_strings("\n".join(hidden)), without_strings("\n".join(visible))
    words = set(_WORD.findall(hidden_code)) - set(_WORD.findall(visible_code))
    lines = [" ".join(line.replace('""', " ").split()) for line in hidden_code.splitlines()]
    return words, [line for line in lines if len(line) >= 12]


def safe_message(message, cell):
    """``message`` cut to :data:`MESSAGE_LIMIT` characters, or :data:`WITHHELD` when it quotes hidden tests."""
    message = " ".join(strip_ansi(message).split())
    if has_hidden_tests(cell):
        words, lines = hidden_test_words(cell)
        if set(_WORD.findall(message)) & words or any(line in message for line in lines):
            return WITHHELD
    return message if len(message) <= MESSAGE_LIMIT else message[:MESSAGE_LIMIT - 1] + "…"


def kit_output(status, message):
    """The one output the kit writes into a test cell of the feedback."""
    text = "Test result: passed" if status == "passed" else f"Test result: {status.upper()}"
    if message and status != "passed":
        text += f" -- {message}"
    return new_output("stream", name="stdout", text=text + "\n")


class StudentFacingFeedback(NbGraderPreprocessor):
    """Keep only the kit's results and messages in the feedback (see the module docstring)."""

    def preprocess(self, nb, resources):
        about = submission_status(resources.get("nbgrader", {}), self.config)
        resources["autograder"] = about
        restored = [cell.source for cell in nb.cells if cell.get("cell_type") == "markdown"
                    and not nbgrader_metadata(cell) and cell.source.startswith(RESTORED_NOTE_START)]
        rows, seen_test = [], False
        for cell in nb.cells:
            if grade_id(cell) in about["awaiting_ids"]:
                nbgrader_metadata(cell)["awaiting_grading"] = True
            if cell.get("cell_type") != "code":
                continue
            if not is_test_cell(cell):
                if seen_test:
                    cell.outputs = []
                continue
            seen_test = True
            status, message = test_outcome(cell)
            message = safe_message(message, cell)
            if has_hidden_tests(cell):
                cell.source = remove_hidden_tests(cell.source)
            cell.outputs = [kit_output(status, message)]
            metadata = nbgrader_metadata(cell)
            rows.append((grade_id(cell) or "?", status, metadata.get("score"), metadata.get("points"),
                         message))
        sanitize_notebook(nb)
        if rows:
            nb.cells.insert(0, new_markdown_cell(summary_markdown(rows, about, restored)))
        return nb, resources


def submission_status(info, config=None):
    """What the feedback says besides the tests: written answers awaiting grading, lateness, the late policy.

    info: ``resources["nbgrader"]`` of nbgrader's ``GenerateFeedback`` (``db_url``, ``assignment``,
    ``student``, ``notebook``). Without a gradebook (a page rendered outside nbgrader) nothing is added.
    """
    status = {"awaiting": [], "awaiting_ids": set(), "awaiting_points": 0.0, "late": "", "due": "", "policy": ""}
    if not info.get("db_url"):
        return status
    from nbgrader.api import Gradebook, MissingEntry

    from autograder.course.due_dates import configured_plugin, describe_policy, hours_late

    try:
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            for grade in notebook.grades:
                if grade.cell.name in {cell.name for cell in notebook.notebook.solution_cells} \
                        and grade.manual_score is None and grade.auto_score is None:
                    status["awaiting"].append(grade.name)
                    status["awaiting_points"] += float(grade.max_score)
            submission = notebook.assignment
            if (submission.total_seconds_late or 0) > 0:
                status["late"] = hours_late(submission.total_seconds_late)
                status["due"] = f"{submission.duedate:%Y-%m-%d %H:%M} UTC"
                status["policy"] = describe_policy(configured_plugin(config)) if config is not None else ""
    except MissingEntry:
        pass
    status["awaiting_ids"] = set(status["awaiting"])
    return status


def summary_markdown(rows, status=None, restored=()):
    """The "Test results" section: an HTML table of (test, status, score, points, message) rows.

    HTML rather than a markdown table, so that the page has real header cells and the kit's
    ``table.test-results`` style (spacing, borders); the table is in a ``no-maths`` block, so a ``$``
    in a message is never typeset.
    """
    symbols = {"passed": "passed", "partial": "partly passed", "failed": "FAILED"}
    lines = ["## Test results", "", '<div class="no-maths">', '<table class="test-results">',
             "<thead>", "<tr>", "<th>test</th>", "<th>result</th>", "<th>points</th>", "<th>message</th>", "</tr>",
             "</thead>", "<tbody>"]
    for name, outcome, score, points, message in rows:
        shown = f"{float(score or 0):g} / {float(points or 0):g}" if points is not None else ""
        text = html.escape(message).replace("\n", " ").replace("$", "&#36;")
        result_class = "result-passed" if outcome == "passed" else "result-failed"
        lines += ["<tr>", f"<td><code>{html.escape(str(name))}</code></td>",
                  f'<td class="{result_class}">{symbols.get(outcome, outcome)}</td>',
                  f'<td class="points">{shown}</td>', f"<td>{text}</td>", "</tr>"]
    lines += ["</tbody>", "</table>", "</div>"]
    passed = sum(outcome == "passed" for _, outcome, *_ in rows)
    lines += ["", f"{passed} of {len(rows)} test cells passed. Hidden tests are not shown; "
              "a failing hidden test shows only its message."]
    status = status or {}
    if status.get("awaiting"):
        lines += ["", "Written answers awaiting grading by hand: {} ({:g} point(s)); the score above is "
                  "provisional until they are graded.".format(", ".join(f"`{name}`" for name in status["awaiting"]),
                                                             status["awaiting_points"])]
    if status.get("late"):
        lines += ["", f"Submitted {status['late']} after the due date ({status['due']}); "
                  f"late policy: {status['policy'] or 'see the course'}."]
    if restored:
        lines += ["", f"{len(restored)} cell(s) of the assignment were missing from your submission or not "
                  "in their place; the grader put the original back (see the notes in the notebook)."]
    return "\n".join(lines)


def generate_feedback(course, results, log=print, workers=1):
    """Feedback HTML for each result: nbgrader's page for a graded one, a short note for one that failed.

    workers: processes for nbgrader's pages (:mod:`autograder.commands.parallel_feedback`).
    One submission whose feedback cannot be written (nbgrader fails on its notebook) never stops
    the others: it gets a page saying that feedback could not be made, and its reason is returned
    (``[(result, reason)]``), printed with ``log``, added to the result's reason (kept in
    ``course/report/grading_results.json``) and to the submission's log file.
    """
    from autograder.commands.parallel_feedback import nbgrader_feedback
    from autograder.course.due_dates import refresh_late_penalties

    refresh_late_penalties(course)  # manual grades given since autograding change the score a penalty is taken from
    graded = [result for result in results if result.status == "graded"]
    errors = nbgrader_feedback(course, [(result.student, result.assignment) for result in graded], workers)
    problems = []
    for result in results:
        try:
            if result.status == "graded" and errors[(result.student, result.assignment)]:
                raise RuntimeError(errors[(result.student, result.assignment)])
            if result.status == "failed":
                _write_only_page(course.feedback_dir(result.student, result.assignment), "not_graded.html",
                                 not_graded_page(result))
        except Exception as error:  # noqa: BLE001 -- one submission's problem is recorded, the others go on
            reason = f"feedback could not be generated: {type(error).__name__}: {str(error)[:300]}"
            problems.append((result, reason))
            _record_feedback_problem(course, result, reason, log)
    return problems


def _write_only_page(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.html"):
        stale.unlink()
    (folder / name).write_text(text)


def _record_feedback_problem(course, result, reason, log):
    from autograder.gradebook.results import save_results

    result.reason = "; ".join(filter(None, [result.reason, reason]))
    try:
        save_results(course, [result])
        _write_only_page(course.feedback_dir(result.student, result.assignment), "feedback_unavailable.html",
                         feedback_unavailable_page(result))
        log_file = course.log_file(result.assignment, result.student)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, "a") as handle:
            handle.write(f"\n{reason}\n")
    except OSError:
        pass
    if log:
        log(f"{result.key}: {reason}")


def not_graded_page(result):
    assignment, reason = html.escape(result.assignment), html.escape(result.reason)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{assignment}: not graded</title></head>\n"
            f"<body>\n<h1>{assignment}: your submission could not be graded</h1>\n<p>Reason: {reason}</p>\n"
            "<p>It was recorded with a score of 0. Please contact the course team.</p>\n</body></html>\n")


def feedback_unavailable_page(result):
    assignment = html.escape(result.assignment)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{assignment}: feedback</title></head>\n"
            f"<body>\n<h1>{assignment}: feedback is not available yet</h1>\n"
            "<p>Your submission was graded, but its feedback page could not be made. "
            "Please contact the course team.</p>\n</body></html>\n")
