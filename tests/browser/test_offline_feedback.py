"""A student's feedback, read offline in Chromium: maths typeset, no request to any other host.

The fixture lesson with a paragraph of maths is built (release and answer key) and a sample student
who answered everything, as ``demo``'s ``ada_full`` does, is graded with ``python -m autograder grade``.
Each page -- that student's feedback, the answer key and the Formgrader's page of the submission --
is opened from disk with every request that is not to ``file://`` aborted and counted: the count
must be 0, KaTeX's output must be in the maths paragraph and no ``$`` of its LaTeX left, and the
results table has a header row and one bordered cell per value.
"""

import nbformat
import pytest

from autograder.notebooks.cells import find_cell
from autograder.notebooks.sample_submissions import answered
from autograder.pages.maths import INSTALL_HINT, katex_available
from tests.autograder.conftest import ASSIGNMENT, NOTEBOOK, new_course
from tests.autograder.helpers import release_notebook, source_notebook, submit
from tests.autograder.test_offline_pages import formgrader_page

MATHS = ("The logistic sigmoid is $\\sigma(x) = \\frac{1}{1 + e^{-x}}$ and its derivative is "
         "$\\sigma'(x) = \\sigma(x)\\,(1 - \\sigma(x))$.")

pytestmark = pytest.mark.skipif(not katex_available(), reason=f"KaTeX is not installed: {INSTALL_HINT}")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from autograder.commands.build import build
    from autograder.commands.grade import GradeOptions, grade
    from autograder.course.directory import load_config

    root = tmp_path_factory.mktemp("offline-feedback")
    course = new_course(root)
    source = course.source_notebooks / ASSIGNMENT / NOTEBOOK
    notebook = nbformat.read(str(source), as_version=4)
    intro = find_cell(notebook, "intro")
    notebook.cells.insert(notebook.cells.index(intro) + 1, nbformat.v4.new_markdown_cell(MATHS))
    nbformat.write(notebook, str(source))
    build(course, log=None)
    submit(course, "ada_full", answered(release_notebook(course), source_notebook(course)))
    [result] = grade(course, GradeOptions(workers=1, progress=False, export=False))
    assert result.status == "graded" and result.score == 3.0, result
    formgrader = root / "formgrader.html"
    formgrader.write_text(formgrader_page(course.autograded_dir("ada_full", ASSIGNMENT) / NOTEBOOK,
                                          load_config(course)))
    return {"feedback": course.feedback_dir("ada_full", ASSIGNMENT) / "fixture.html",
            "answer_key": course.solutions / ASSIGNMENT / "fixture.html", "formgrader": formgrader}


def open_offline(browser, path):
    """The page at ``path`` with every request that is not to file:// aborted; returns (page, other requests)."""
    page = browser.new_page()
    elsewhere = []

    def only_files(route):
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_files)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function("document.querySelectorAll('.katex').length > 0", timeout=10_000)
    return page, elsewhere


@pytest.mark.parametrize("name", ["feedback", "answer_key", "formgrader"])
def test_the_page_typesets_its_maths_offline_and_asks_no_other_host(browser, pages, artefacts, name):
    page, elsewhere = open_offline(browser, pages[name])
    try:
        paragraph = page.locator("p", has_text="The logistic sigmoid is").first
        assert paragraph.locator(".katex").count() == 2
        assert paragraph.locator(".katex .mfrac").count() == 1  # \frac typeset, not shown as text
        visible = paragraph.evaluate(  # the paragraph's text outside KaTeX's output
            "p => { const copy = p.cloneNode(true); copy.querySelectorAll('.katex').forEach(k => k.remove()); "
            "return copy.textContent; }")
        assert "$" not in visible and "\\frac" not in visible
        page.screenshot(path=str(artefacts / f"offline-{name}.png"), full_page=True)
    finally:
        page.close()
    assert elsewhere == [], elsewhere


def test_the_feedback_results_table_has_header_cells_spacing_and_borders(browser, pages):
    page, _ = open_offline(browser, pages["feedback"])
    try:
        table = page.locator("table.test-results")
        assert table.locator("thead th").all_inner_texts() == ["test", "result", "points", "message"]
        assert table.locator("tbody tr").count() == 2
        cell = table.locator("tbody td").first
        style = cell.evaluate("td => { const s = getComputedStyle(td); "
                              "return [s.borderTopStyle, parseFloat(s.paddingLeft)]; }")
        assert style[0] == "solid" and style[1] >= 8
        row_text = table.locator("tbody tr").first.inner_text()
        assert "test_sigmoid" in row_text and "passed" in row_text and "test_sigmoidpassed" not in row_text
    finally:
        page.close()
