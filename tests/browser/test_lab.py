"""Students and instructors in JupyterLab 4, driven through a headless Chromium.

1. Each release notebook runs top to bottom: the exercise stubs and the tests that call them
   raise NotImplementedError, nothing else raises, and the widgets render and respond.
2. Each solved (source) notebook runs top to bottom with every test cell passing, and the
   training progress bars render as widgets, not as text.
3. The instructor's Formgrader and the Assignment list panel show the course's assignments.
4. The student's Validate button fails the unsolved release and passes the solved notebook.
Screenshots of every page go to ``test-artefacts/browser/``.
"""

import re

import pytest

from tests.browser.conftest import ASSIGNMENTS, REPOSITORY
from tests.browser.lab import cells, error_summary, open_notebook, run_all, run_each_cell


def notebook_paths(folder):
    return [pytest.param(f"{folder}/{assignment}/{path.name}", id=assignment)
            for assignment in ASSIGNMENTS
            for path in sorted((REPOSITORY / "source_notebooks" / assignment).glob("*.ipynb"))]


def slider_changes_figure(page):
    """Press arrow keys on the first explorer's sliders, one after another, until its figure changes.

    (Not every slider changes every figure: the leaky-ReLU slope does nothing to a sigmoid.)
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    output = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-slider")).first
    image = output.locator("img").first
    before = image.get_attribute("src")
    handles = output.locator(".widget-slider .noUi-handle")
    for index in range(handles.count()):
        handle = handles.nth(index)
        handle.scroll_into_view_if_needed()
        handle.focus()
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        for _ in range(3):
            page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        try:
            page.wait_for_function("([image, before]) => image.getAttribute('src') !== before",
                                   arg=[image.element_handle(), before], timeout=15_000)
            return True
        except PlaywrightTimeout:
            continue
    return False


@pytest.mark.parametrize("path", notebook_paths("release"))
def test_release_notebook_runs_with_only_the_stubs_failing(lab_server, page, artefacts, path):
    base_url, token = lab_server
    open_notebook(page, base_url, token, path)
    run_each_cell(page)
    notebook = cells(page)
    code = [cell for cell in notebook if cell.kind == "code"]
    assert all(cell.executed for cell in code), \
        f"{path}: cells never ran: {[cell.describe() for cell in code if not cell.executed]}"
    # The stubs raise NotImplementedError; a test cell may also fail its own assertion (a test that
    # reads what an unfinished cell above left behind); nothing may raise anything else.
    unexpected = [f"{cell.describe()}: {error_summary(cell)}" for cell in code for error in cell.errors
                  if error["ename"] != "NotImplementedError"
                  and not (cell.is_test and error["ename"] == "AssertionError")]
    assert not unexpected, f"{path}: cells raised something other than the stubs' NotImplementedError: {unexpected}"
    tests = [cell for cell in code if cell.is_test]
    assert tests, f"{path}: no autograded test cell in the release"
    passing = [cell.describe() for cell in tests if not cell.errors]
    assert not passing, f"{path}: test cells pass before any exercise is solved: {passing}"

    sliders = page.locator(".jp-OutputArea-output .widget-slider")
    assert sliders.count() >= 1, f"{path}: no ipywidgets slider rendered"
    assert slider_changes_figure(page), f"{path}: moving the sliders of the first explorer left its figure unchanged"
    page.screenshot(path=str(artefacts / f"release-{path.split('/')[1]}.png"), full_page=False)


@pytest.mark.parametrize("path", notebook_paths("source"))
def test_solved_notebook_passes_every_test(lab_server, page, artefacts, path):
    base_url, token = lab_server
    open_notebook(page, base_url, token, path)
    succeeded = run_all(page)
    notebook = cells(page)
    failed = [f"{cell.describe()}: {error_summary(cell)}" for cell in notebook if cell.errors]
    assert succeeded and not failed, f"{path}: cells raised in the solved notebook: {failed}"
    code = [cell for cell in notebook if cell.kind == "code"]
    assert all(cell.executed for cell in code)
    assert sum(cell.is_test for cell in code) >= 4
    text_bars = [cell.describe() for cell in code for output in cell.json.get("outputs", [])
                 if output.get("name") == "stderr" and "it/s]" in "".join(output.get("text", ""))]
    assert not text_bars, f"{path}: progress bars printed as text instead of widgets: {text_bars}"
    trains_with_progress = [cell for cell in code if "Optimiser(" in "".join(cell.json["source"])
                            and "progress=False" not in "".join(cell.json["source"])]
    if trains_with_progress:
        bars = page.locator(".jp-OutputArea-output .widget-hbox", has=page.locator(".widget-hprogress"))
        assert bars.count() >= len(trains_with_progress), \
            f"{path}: the Optimiser's tqdm progress bars did not render as widgets"
        texts = [text.replace("\u2007", " ") for text in bars.all_inner_texts()]  # tqdm pads with figure spaces
        finished = [text for text in texts if re.search(r"\b(\d+)/\1 epochs", text)]
        assert finished, f"{path}: no progress bar reached its last epoch: {texts}"
    page.screenshot(path=str(artefacts / f"solved-{path.split('/')[1]}.png"), full_page=False)


def test_instructor_sees_the_assignments_in_formgrader_and_assignment_list(lab_server, page, artefacts):
    base_url, token = lab_server
    page.goto(f"{base_url}/lab?reset&token={token}")
    page.wait_for_function("window.jupyterapp?.commands.hasCommand('nbgrader:open-formgrader')")

    page.evaluate("window.jupyterapp.commands.execute('nbgrader:open-formgrader')")
    formgrader = page.frame_locator("iframe").first
    for assignment in ASSIGNMENTS:
        formgrader.locator("table").get_by_text(assignment, exact=True).wait_for()
    page.screenshot(path=str(artefacts / "formgrader.png"))

    page.evaluate("window.jupyterapp.commands.execute('nbgrader:open-assignment-list')")
    released = page.locator("#released_assignments_list")
    for assignment in ASSIGNMENTS:
        released.get_by_text(assignment, exact=True).wait_for()
    page.screenshot(path=str(artefacts / "assignment-list.png"))


def validate(page):
    """Click the notebook's Validate button (nbgrader) and return the text of the result dialog."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Validate").first.click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    expect(dialog).to_contain_text(re.compile("Success|failed|error", re.IGNORECASE), timeout=120_000)
    return dialog.inner_text()


@pytest.mark.parametrize(("folder", "verdict"), [("release", "failed"), ("source", "Success")])
def test_student_validate_button(lab_server, page, artefacts, folder, verdict):
    """What a student sees on pressing Validate before submitting: the unsolved release fails, the
    solved notebook passes."""
    base_url, token = lab_server
    assignment = ASSIGNMENTS[0]
    notebook = next((REPOSITORY / "source_notebooks" / assignment).glob("*.ipynb")).name
    open_notebook(page, base_url, token, f"{folder}/{assignment}/{notebook}")
    result = validate(page)
    assert verdict in result, f"Validate on the {folder} notebook: expected {verdict!r}, got {result[:500]}"
    page.screenshot(path=str(artefacts / f"validate-{folder}.png"))
