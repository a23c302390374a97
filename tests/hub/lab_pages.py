"""A user's JupyterLab on the hub in Chromium: log in through the hub's form, open nbgrader's panels."""

NBGRADER_MENU = ".lm-MenuBar-item:has-text('Nbgrader')"


def open_lab(chromium, url, name, password):
    """A new browser context logged in as ``name``, on their JupyterLab (the hub spawns it)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(240_000)
    page.goto(f"{url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{name}/lab**")
    page.wait_for_selector(".lm-MenuBar-item", state="attached")
    page.wait_for_selector("#jp-main-dock-panel", state="attached")
    return page


def nbgrader_menu_items(page):
    """The labels in JupyterLab's Nbgrader menu (empty when there is no such menu)."""
    if page.locator(NBGRADER_MENU).count() == 0:
        return []
    page.click(NBGRADER_MENU)
    items = page.locator(".lm-Menu:visible .lm-Menu-item:visible .lm-Menu-itemLabel")
    items.first.wait_for()
    labels = [text.strip() for text in items.all_inner_texts()]
    page.keyboard.press("Escape")
    return labels


def open_assignments_panel(page):
    """The student's way in: Nbgrader menu -> Assignment List."""
    page.click(NBGRADER_MENU)
    page.click(".lm-Menu-item:has-text('Assignment List')")
    page.wait_for_selector("#released_assignments_list", state="attached")


def assignment_row(page, listing, assignment):
    return page.locator(f"#{listing} .list_item", has_text=assignment)
