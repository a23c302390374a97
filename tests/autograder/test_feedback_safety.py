"""Feedback shows only what the kit wrote; student HTML is rendered safe in every page the kit makes.

- :func:`autograder.commands.feedback.test_outcome` and the summary survive any stderr (a whitespace-only line);
- the feedback keeps no output of a test cell or of any code cell after the first test cell, only the
  kit's one line per test; a message that quotes hidden tests is withheld;
- one submission whose feedback cannot be generated is recorded with its reason, the others get theirs;
- the feedback page, the Formgrader's page (rendered with the course configuration) and the answer
  key hold no executable part (script, event handler, ``javascript:`` URL) of any student payload,
  while maths and ordinary markup survive.
"""

import nbformat
import pytest

from autograder.commands import feedback
from autograder.commands.feedback import WITHHELD, StudentFacingFeedback, safe_message
from autograder.course.directory import load_config
from autograder.notebooks.cells import find_cell
from autograder.safety.sanitize import clean_html, markdown_to_safe_html, sanitize_notebook

from ..adversarial.kit import executable_parts
from .conftest import ASSIGNMENT, FIXTURE_SOURCES, NOTEBOOK
from .hostile_pages import PAYLOAD_HIT, feedback_page, formgrader_page, hostile_notebook

SOURCE = FIXTURE_SOURCES / ASSIGNMENT / NOTEBOOK


def graded_fixture(outputs_by_cell, scores):
    """The fixture notebook as autograded: ``outputs_by_cell`` {grade_id: outputs}, ``scores`` {grade_id: score}."""
    notebook = nbformat.read(str(SOURCE), as_version=4)
    for cell_id, outputs in outputs_by_cell.items():
        find_cell(notebook, cell_id).outputs = outputs
    for cell_id, score in scores.items():
        find_cell(notebook, cell_id).metadata["nbgrader"]["score"] = score
    return notebook


def stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def error(ename, evalue):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def feedback_of(notebook):
    notebook, _ = StudentFacingFeedback().preprocess(notebook, {})
    return notebook


def test_a_whitespace_only_stderr_line_fails_the_test_with_a_message_instead_of_crashing():
    cell = find_cell(graded_fixture({"test_sigmoid": [stream("   \n \n", "stderr")]}, {"test_sigmoid": 0}),
                     "test_sigmoid")
    assert feedback.test_outcome(cell) == ("failed", "wrote to stderr (blank lines)")


def test_feedback_of_a_whitespace_only_stderr_line_has_its_summary():
    notebook = feedback_of(graded_fixture({"test_sigmoid": [stream("  \n", "stderr")]},
                                          {"test_sigmoid": 0, "test_mse": 1}))
    summary = " ".join(notebook.cells[0].source.split())
    assert ('<tr> <td><code>test_sigmoid</code></td> <td class="result-failed">FAILED</td> '
            '<td class="points">0 / 2</td> <td>wrote to stderr (blank lines)</td> </tr>') in summary


def test_test_cells_keep_only_the_kits_result_line():
    notebook = feedback_of(graded_fixture(
        {"test_sigmoid": [stream("student print from inside the test\n"),
                          nbformat.v4.new_output("display_data", data={"text/html": "<b>student display</b>"}),
                          error("AssertionError", "sigmoid does not match the logistic function")]},
        {"test_sigmoid": 0, "test_mse": 1}))
    test = find_cell(notebook, "test_sigmoid")
    assert [output.text for output in test.outputs] == [
        "Test result: FAILED -- AssertionError: sigmoid does not match the logistic function\n"]
    assert [output.text for output in find_cell(notebook, "test_mse").outputs] == ["Test result: passed\n"]


def test_code_cells_after_the_first_test_cell_lose_their_outputs_and_earlier_ones_keep_them():
    notebook = feedback_of(graded_fixture({"sigmoid_answer": [stream("before the tests\n")],
                                           "mse_answer": [stream("In[-2] = hidden_canary_grid = ...\n")]},
                                          {"test_sigmoid": 2, "test_mse": 1}))
    assert [output.text for output in find_cell(notebook, "sigmoid_answer").outputs] == ["before the tests\n"]
    assert find_cell(notebook, "mse_answer").outputs == []
    assert "hidden_canary" not in nbformat.writes(notebook)


@pytest.mark.parametrize("message", [
    "ValueError: assert np.allclose(sigmoid(hidden_canary_grid), 1.0 / (1.0 + np.exp(-hidden_canary_grid)))",
    "ValueError: the grid was hidden_canary_grid",
])
def test_a_message_that_quotes_the_hidden_tests_is_withheld(message):
    cell = find_cell(nbformat.read(str(SOURCE), as_version=4), "test_sigmoid")
    assert safe_message(message, cell) == WITHHELD


def test_an_ordinary_message_is_kept_and_a_long_one_is_cut():
    cell = find_cell(nbformat.read(str(SOURCE), as_version=4), "test_sigmoid")
    assert safe_message("AssertionError: sigmoid(0) should be 0.5, got 0.7", cell) == \
        "AssertionError: sigmoid(0) should be 0.5, got 0.7"
    assert len(safe_message("ValueError: " + "x" * 5000, cell)) == 200


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>", '<img src="x" onerror="alert(1)">', '<svg onload="alert(1)"></svg>',
    '<a href="javascript:alert(1)">x</a>', '<a href=" java\tscript:alert(1)">x</a>', '<iframe src="x"></iframe>',
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>', '<div onclick="alert(1)">x</div>',
])
def test_clean_html_leaves_nothing_executable(payload):
    assert executable_parts(clean_html(payload)) == []


def test_clean_html_keeps_ordinary_markup_and_raster_images():
    html = ('<p><b>bold</b> <code>x</code> <a href="https://example.org">link</a> '
            '<img src="data:image/png;base64,AAAA"></p>')
    assert clean_html(html) == html


def test_markdown_keeps_maths_and_loses_javascript_links():
    html = markdown_to_safe_html("$\\sigma(x) < 1$ and [x](javascript:alert(1))")
    assert "$\\sigma(x) &lt; 1$" in html
    assert "javascript" not in html


def test_sanitize_notebook_removes_script_outputs_and_widget_state():
    notebook = sanitize_notebook(hostile_notebook(SOURCE))
    assert "widgets" not in notebook.metadata and "title" not in notebook.metadata
    data = [output.get("data", {}) for output in find_cell(notebook, "sigmoid_answer").outputs]
    assert all(set(item) <= {"text/plain", "text/html"} for item in data)
    assert all(executable_parts(item.get("text/html", "")) == [] for item in data)


@pytest.fixture(scope="module")
def config(built_course):
    return load_config(built_course)


def test_the_course_configuration_sanitises_every_html_export(config):
    assert config.HTMLExporter.preprocessors == ["autograder.safety.sanitize.SanitizeStudentHTML"]
    assert config.HTMLExporter.filters == {"markdown2html": "autograder.safety.sanitize.safe_markdown2html",
                                           "offline_maths": "autograder.pages.maths.offline_maths"}


def _assert_no_student_script(page):
    found = [part for part in executable_parts(page) if PAYLOAD_HIT in part]
    assert found == [], found[:3]


def test_the_feedback_page_holds_no_student_script_and_keeps_the_maths(config):
    page = feedback_page(hostile_notebook(SOURCE), config)
    _assert_no_student_script(page)
    assert "\\sigma(x)" in page and "Test results" in page


def test_the_formgrader_page_holds_no_student_script(config, tmp_path):
    path = tmp_path / NOTEBOOK
    nbformat.write(hostile_notebook(SOURCE), str(path))
    page = formgrader_page(path, config)
    _assert_no_student_script(page)
    assert "saturation_answer" in page  # the manual-grading panel of the written answer is still there


def test_the_formgrader_page_without_the_course_configuration_would_run_student_script(tmp_path):
    from traitlets.config import Config

    path = tmp_path / NOTEBOOK
    nbformat.write(hostile_notebook(SOURCE), str(path))
    assert [part for part in executable_parts(formgrader_page(path, Config())) if PAYLOAD_HIT in part]


def test_the_answer_key_page_holds_no_student_script(tmp_path):
    from autograder.commands.build import write_answer_key_html

    path = tmp_path / NOTEBOOK
    nbformat.write(hostile_notebook(SOURCE), str(path))
    page = write_answer_key_html(path).read_text()
    _assert_no_student_script(page)
    assert "\\sigma(x)" in page


def test_one_broken_submission_does_not_stop_the_feedback_of_the_others(built_course, tmp_path):
    from autograder.commands.feedback import generate_feedback
    from autograder.gradebook.results import GradingResult, load_results, save_results

    from .conftest import copy_course
    from .helpers import source_notebook, submit

    course = copy_course(built_course, tmp_path)
    results = []
    for student in ("fine", "broken"):
        submit(course, student, source_notebook(course))
        folder = course.autograded_dir(student, ASSIGNMENT)
        folder.mkdir(parents=True)
        notebook = graded_fixture({}, {"test_sigmoid": 2, "test_mse": 1})
        nbformat.write(notebook, str(folder / NOTEBOOK))
        results.append(GradingResult(student, ASSIGNMENT, "graded", score=3.0, max_score=3.0))
    (course.autograded_dir("broken", ASSIGNMENT) / NOTEBOOK).write_text("{ not a notebook")
    save_results(course, results)
    _grade_in_gradebook(course, ["fine", "broken"])
    printed = []
    problems = generate_feedback(course, results, log=printed.append)
    assert [(result.student, reason.split(":")[0]) for result, reason in problems] == [
        ("broken", "feedback could not be generated")]
    assert (course.feedback_dir("fine", ASSIGNMENT) / "fixture.html").is_file()
    assert [p.name for p in course.feedback_dir("broken", ASSIGNMENT).glob("*.html")] == ["feedback_unavailable.html"]
    assert "feedback could not be generated" in load_results(course)[f"{ASSIGNMENT}/broken"].reason
    assert "feedback could not be generated" in course.log_file(ASSIGNMENT, "broken").read_text()
    assert printed and printed[0].startswith(f"{ASSIGNMENT}/broken: feedback could not be generated")


def _grade_in_gradebook(course, students):
    """Record the students' submissions in the gradebook as autograde would (all points)."""
    from autograder.course.directory import open_gradebook

    with open_gradebook(course) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student)
            submission = gradebook.add_submission(ASSIGNMENT, student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grade.auto_score = grade.max_score
            gradebook.db.commit()
