"""What each role sees in JupyterLab on the hub (Chromium): students no instructor tools, the
instructor the Formgrader with Release and Collect. Screenshots in ``test-artefacts/browser/``."""

from tests.hub.conftest import ASSIGNMENT
from tests.hub.hub_client import get, token_of
from tests.hub.lab_pages import NBGRADER_MENU, assignment_row, nbgrader_menu_items, open_assignments_panel, open_lab

INSTRUCTOR_TOOLS = ("Formgrader", "Course List", "Create Assignment")


def test_a_student_sees_the_assignments_panel_and_no_instructor_tools(released, chromium, artefacts):
    hub, student = released, released.student(4)
    page = open_lab(chromium, hub.url, student, hub.password)
    assert nbgrader_menu_items(page) == ["Assignment List"]
    page.click(NBGRADER_MENU)
    page.screenshot(path=str(artefacts / "hub-student-nbgrader-menu.png"))
    page.keyboard.press("Escape")
    for tool in INSTRUCTOR_TOOLS:
        assert page.get_by_text(tool, exact=True).count() == 0, tool
        assert page.locator(f"[title*='{tool}']").count() == 0, tool
    open_assignments_panel(page)
    assignment_row(page, "released_assignments_list", ASSIGNMENT).wait_for()
    page.screenshot(path=str(artefacts / "hub-student-lab.png"))
    page.context.close()
    token = token_of(hub.url, student, hub.password)
    assert get(hub.url, f"/user/{student}/formgrader", token).status_code == 404
    assert get(hub.url, f"/user/{student}/formgrader/api/courses", token).status_code == 404


def test_the_instructor_sees_the_formgrader_with_release_and_collect(released, chromium, artefacts):
    hub = released
    page = open_lab(chromium, hub.url, hub.settings.instructor, hub.password)
    assert "Formgrader" in nbgrader_menu_items(page)
    page.goto(f"{hub.url}/user/{hub.settings.instructor}/formgrader")
    row = page.locator("tr", has_text=ASSIGNMENT)
    row.first.wait_for()
    headers = page.locator("th").all_inner_texts()
    assert "Release" in headers and "Collect" in headers, headers
    assert row.locator("td.release a").count() == 1  # released: the "unrelease" link
    collect = row.locator("td.collect a")
    assert collect.count() == 1
    page.screenshot(path=str(artefacts / "hub-instructor-formgrader.png"))
    collect.click()
    page.get_by_text(f"Successfully collected submissions of '{ASSIGNMENT}'", exact=False).wait_for()
    page.screenshot(path=str(artefacts / "hub-instructor-collected.png"))
    page.context.close()
