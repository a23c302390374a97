"""No script of a submission runs in a page the kit renders: counted in Chromium.

The notebook of :func:`tests.autograder.hostile_pages.hostile_notebook` holds ``<script>``,
``<img onerror>``, ``<svg onload>``, ``javascript:`` links, an ``ontoggle`` handler, an iframe
``srcdoc``, JavaScript / SVG / markdown / HTML outputs, widget state and a hostile cell tag; each
payload logs ``student-script-ran`` to the console when it runs. Each page is opened from disk in
headless Chromium, every link is clicked, and the console messages of every frame are counted:
the feedback page, the Formgrader's page (rendered with the course's ``nbgrader_config.py``) and
the answer-key page must count 0. The same notebook rendered by nbconvert without the kit's
sanitising counts more than 0, so the counter does see a payload that runs.
"""

import pytest
from traitlets.config import Config

from autograder.course.directory import load_config
from tests.autograder.conftest import ASSIGNMENT, FIXTURE_SOURCES, NOTEBOOK, new_course
from tests.autograder.hostile_pages import PAYLOAD_HIT, feedback_page, formgrader_page, hostile_notebook

SOURCE = FIXTURE_SOURCES / ASSIGNMENT / NOTEBOOK


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """{name: path of an HTML page} built from the hostile notebook."""
    import nbformat

    from autograder.commands.build import write_answer_key_html

    folder = tmp_path_factory.mktemp("hostile-pages")
    course = new_course(folder / "root")
    config = load_config(course)
    notebook_path = folder / NOTEBOOK
    nbformat.write(hostile_notebook(SOURCE), str(notebook_path))
    built = {
        "feedback": feedback_page(hostile_notebook(SOURCE), config),
        "formgrader": formgrader_page(notebook_path, config),
        "answer_key": write_answer_key_html(notebook_path).read_text(),
        "unsanitised_formgrader": formgrader_page(notebook_path, Config()),
    }
    paths = {}
    for name, page in built.items():
        paths[name] = folder / f"{name}.html"
        paths[name].write_text(page)
    return paths


def script_runs(browser, path):
    """How many payloads ran while ``path`` loaded and while each of its links was clicked."""
    page = browser.new_page()
    hits = []
    page.on("console", lambda message: hits.append(message.text) if PAYLOAD_HIT in message.text else None)
    page.on("dialog", lambda dialog: dialog.dismiss())
    try:
        page.route("http*://**", lambda route: route.abort())  # offline: no CDN script either
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        for link in page.locator("a[href]").all():
            try:
                link.click(timeout=1000, no_wait_after=True)
            except Exception:  # noqa: BLE001 -- hidden or covered links are not clickable; the rest are
                pass
        page.wait_for_timeout(500)
    finally:
        page.close()
    return len(hits)


@pytest.mark.parametrize("name", ["feedback", "formgrader", "answer_key"])
def test_no_student_script_runs_in_the_page(browser, pages, name):
    assert script_runs(browser, pages[name]) == 0


def test_the_counter_sees_student_script_in_a_page_rendered_without_sanitising(browser, pages):
    assert script_runs(browser, pages["unsanitised_formgrader"]) > 0
