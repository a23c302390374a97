"""Driving a notebook in JupyterLab from Playwright.

JupyterLab runs with ``expose_app_in_browser``, so the page has ``window.jupyterapp``; the
helpers run JupyterLab's own commands (the ones behind the Run menu) and read the notebook
model for outputs, while widgets and screenshots are checked on the rendered page.
"""

from dataclasses import dataclass

from autograder.notebooks.cells import grade_id, is_test_cell

NOTEBOOK = "window.jupyterapp.shell.currentWidget"
KERNEL = f"{NOTEBOOK}.sessionContext.session?.kernel"


@dataclass
class Cell:
    """One notebook cell as JupyterLab holds it after running (nbformat JSON)."""

    index: int
    json: dict

    @property
    def kind(self):
        return self.json["cell_type"]

    @property
    def is_test(self):
        """An autograded test cell: graded, not an answer."""
        return is_test_cell(self.json)

    @property
    def executed(self):
        return self.json.get("execution_count") is not None

    @property
    def errors(self):
        return [output for output in self.json.get("outputs", []) if output.get("output_type") == "error"]

    def describe(self):
        name = grade_id(self.json)
        return f"cell {self.index}" + (f" ({name})" if name else "")


def open_notebook(page, base_url, token, path):
    """Open ``path`` (relative to the server root) and wait until its kernel is idle."""
    page.goto(f"{base_url}/lab/tree/{path}?reset&token={token}")  # reset: no tabs from earlier tests
    page.wait_for_function(f"window.jupyterapp && {NOTEBOOK}?.context?.path === {path!r}")
    page.wait_for_function(f"{KERNEL}?.status === 'idle'")
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached")


def run_all(page):
    """Run All Cells (the Run menu's command); True when no cell raised.

    Like for a student, the run stops at the first cell that raises.
    """
    succeeded = page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(f"{KERNEL}?.status === 'idle'")
    return succeeded


def run_each_cell(page):
    """Run every cell in order, one at a time, going on after a cell that raised.

    (Run All Cells stops at an error, and the cells queued behind it are dropped by the kernel
    or not depending on timing; one cell at a time makes the result the same on every run.)
    """
    for index in range(page.evaluate(f"{NOTEBOOK}.content.widgets.length")):
        page.evaluate(f"{NOTEBOOK}.content.activeCellIndex = {index}")
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-cell')")
    page.wait_for_function(f"{KERNEL}?.status === 'idle'")


def cells(page):
    """Every cell of the open notebook with its outputs and metadata."""
    data = page.evaluate(f"{NOTEBOOK}.content.widgets.map(cell => cell.model.toJSON())")
    return [Cell(index, json) for index, json in enumerate(data)]


def error_summary(cell):
    return "; ".join(f"{error['ename']}: {error['evalue']}"[:200] for error in cell.errors)


def shut_down_kernels(page):
    """Shut down every kernel the page started (the server keeps them after the page closes)."""
    page.evaluate("window.jupyterapp?.serviceManager.sessions.shutdownAll()")
