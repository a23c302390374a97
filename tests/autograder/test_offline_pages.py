"""Every page the kit renders reads offline: maths typeset by KaTeX inside the page, no CDN, a real table.

The feedback page (the course's feedback template and preprocessors), the Formgrader's page (its
``formgrade`` template with the course's ``nbgrader_config.py`` read after the Formgrader's own
settings, as the Formgrader does) and the answer key (``write_answer_key_html``) of the fixture
notebook with a paragraph of maths. ``tests/browser/test_offline_feedback.py`` opens a graded
student's feedback in Chromium with the network off.
"""

import copy
import re

import nbformat
import pytest
from traitlets.config import Config

from autograder.commands.feedback import StudentFacingFeedback, summary_markdown
from autograder.course.directory import load_config
from autograder.notebooks.cells import is_grade_cell, nbgrader_metadata
from autograder.pages.maths import INSTALL_HINT, katex_available, offline_maths_head

from .conftest import ASSIGNMENT, FIXTURE_SOURCES, NOTEBOOK, new_course

SOURCE = FIXTURE_SOURCES / ASSIGNMENT / NOTEBOOK
MATHS = ("The logistic sigmoid is $\\sigma(x) = \\frac{1}{1 + e^{-x}}$, "
         "and $$\\sigma'(x) = \\sigma(x)(1 - \\sigma(x)).$$")
needs_katex = pytest.mark.skipif(not katex_available(), reason=f"KaTeX is not installed: {INSTALL_HINT}")


def with_maths(path):
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_markdown_cell(MATHS))
    for cell in notebook.cells:
        if is_grade_cell(cell):
            metadata = nbgrader_metadata(cell)
            metadata["score"] = metadata.get("points", 0)
    return notebook


def feedback_page(notebook, config):
    """The page nbgrader's GenerateFeedback writes with the course configuration (GetGrades' scores given)."""
    from pathlib import Path

    import nbgrader
    from nbconvert import HTMLExporter

    config = copy.deepcopy(config)  # what GenerateFeedback adds to the course's settings:
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_paths = [str(
        Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "static" / "node_modules"
        / "bootstrap" / "dist" / "css")]
    exporter = HTMLExporter(config=config)
    exporter.register_preprocessor(StudentFacingFeedback(), enabled=True)
    resources = {"nbgrader": {"notebook": "fixture", "score": 3.0, "max_score": 4.0, "late_penalty": 0.0},
                 "metadata": {"name": "fixture"}}
    page, _ = exporter.from_notebook_node(notebook, resources=resources)
    return page


def formgrader_page(notebook_path, course_config):
    """The Formgrader's page: its own settings first, then the course's nbgrader_config.py on top."""
    from nbconvert import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    config.merge(course_config)
    resources = {"assignment_id": ASSIGNMENT, "notebook_id": "fixture", "submission_id": "s", "index": 0,
                 "total": 1, "base_url": "", "student": "student", "last_name": "", "first_name": "",
                 "notebook_path": str(notebook_path)}
    page, _ = HTMLExporter(config=config).from_filename(str(notebook_path), resources=resources)
    return page


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from autograder.commands.build import write_answer_key_html

    folder = tmp_path_factory.mktemp("offline-pages")
    course = new_course(folder / "root")
    config = load_config(course)
    notebook_path = folder / NOTEBOOK
    nbformat.write(with_maths(SOURCE), str(notebook_path))
    return {"feedback": feedback_page(with_maths(SOURCE), config),
            "formgrader": formgrader_page(notebook_path, config),
            "answer_key": write_answer_key_html(notebook_path).read_text()}


@pytest.mark.parametrize("name", ["feedback", "formgrader", "answer_key"])
def test_no_page_loads_maths_from_another_host(pages, name):
    page = pages[name]
    assert "cdnjs" not in page and "MathJax.Hub" not in page
    sources = re.findall(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", page)
    external = [source for source in sources if re.match(r"(?i)(https?:)?//", source)]
    assert external == [], external


@needs_katex
@pytest.mark.parametrize("name", ["feedback", "formgrader", "answer_key"])
def test_katex_is_inside_the_page_with_its_fonts(pages, name):
    page = pages[name]
    assert "renderMathInElement" in page and '"trust": false' in page
    assert "data:font/woff2;base64," in page and "url(fonts/" not in page
    assert MATHS.split("$")[1] in page  # the maths is in the page for KaTeX to typeset


def test_without_katex_a_page_says_so_and_still_loads_nothing(monkeypatch, tmp_path):
    from autograder.pages import maths

    monkeypatch.setattr(maths, "KATEX_DIST", tmp_path / "missing")
    maths.offline_maths_head.cache_clear()
    try:
        head = offline_maths_head()
    finally:
        maths.offline_maths_head.cache_clear()
    assert INSTALL_HINT in head and "<script" not in head and "table.test-results" in head


def test_the_results_table_has_header_cells_and_one_cell_per_value(pages):
    page = pages["feedback"]
    table = re.search(r'<table class="test-results">.*?</table>', page, re.S).group(0)
    assert re.findall(r"<th>(.*?)</th>", table) == ["test", "result", "points", "message"]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    assert [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[:3] for row in rows] == [
        ["<code>test_sigmoid</code>", "passed", "2 / 2"], ["<code>test_mse</code>", "passed", "1 / 1"]]
    assert "table.test-results th, table.test-results td { border: 1px solid" in page


def test_a_dollar_in_a_message_is_never_typeset():
    summary = summary_markdown([("test_cost", "failed", 0, 1, "AssertionError: expected $5 got $6")])
    assert '<div class="no-maths">' in summary and "&#36;5" in summary and "$" not in summary
