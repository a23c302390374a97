"""Run a source notebook the way the autograder scores it, optionally with one answer cell replaced.

Everything about notebooks comes from the autograder: the lessons are the folders it finds
(:mod:`tests.notebooks.lessons`), the catalogue and its layout are
:mod:`autograder.notebooks.catalogue`'s, cell roles and replacing a cell are
:mod:`autograder.notebooks.cells`'. This module only executes: it runs the notebook in a plain
kernel (no sandbox, no judge: the lessons are trusted) and scores every autograded cell with
nbgrader's own rule (``nbgrader.utils.determine_grade``): a cell earns no points if it raises
**or writes to stderr**, partial points if its last expression is a number, full points otherwise.

From a shell (handy while writing catalogue files)::

    .venv/bin/python -m tests.notebooks.catalogue_runner source_notebooks/05_cnns/cnns.ipynb
    .venv/bin/python -m tests.notebooks.catalogue_runner source_notebooks/05_cnns/catalogue/conv_fprop/wrong_flip.py
    .venv/bin/python -m tests.notebooks.catalogue_runner source_notebooks/05_cnns   # every variant of a lesson
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.utils import determine_grade

from autograder.commands.feedback import test_outcome
from autograder.notebooks.catalogue import KINDS, CatalogueEntry, load_catalogue, notebook_holding
from autograder.notebooks.cells import (
    grade_id,
    is_autograded_cell,
    max_points,
    read_notebook,
    replace_cell_source,
    solution_cell_ids,
)
from tests.notebooks.lessons import SOURCE_ROOT, lessons

DEFAULT_CELL_TIMEOUT = 120

# Run silently before the notebook when figures are not wanted: images are not rendered to PNG (or
# any other image format), so plt.show() and inline figures cost almost nothing. Figures are still
# built, so errors in plotting code still surface; only drawing them is skipped.
_SKIP_FIGURE_RENDERING = """
_formatters = get_ipython().display_formatter.formatters
for _format in ("image/png", "image/jpeg", "image/svg+xml", "application/pdf"):
    if _format in _formatters:
        _formatters[_format].enabled = False
del _formatters, _format
"""

_LOG = logging.getLogger(__name__)


def list_variants(source_root: Path = SOURCE_ROOT) -> list[CatalogueEntry]:
    """Every ``wrong_*`` and ``correct_*`` catalogue entry of every lesson, by lesson, cell and file name."""
    return [entry for lesson in lessons(source_root) for entry in load_catalogue(Path(source_root) / lesson)
            if entry.kind in KINDS]


def variant_id(entry: CatalogueEntry) -> str:
    """E.g. ``03_backprop/affine_fprop/wrong_missing_transpose``."""
    return f"{entry.assignment}/{entry.name}"


# --------------------------------------------------------------------------- execution results


@dataclass
class GradedCellResult:
    """What nbgrader would give one autograded cell. ``points`` is None when the cell was not run."""

    grade_id: str
    max_points: float
    points: float | None
    failure: str | None = None

    @property
    def executed(self) -> bool:
        return self.points is not None

    @property
    def passed(self) -> bool:
        return self.executed and self.points >= self.max_points


@dataclass
class ExecutionResult:
    """The outcome of running a notebook: autograded cells by grade_id (in notebook order) and other errors."""

    notebook: Path
    replaced: tuple[str, ...]
    graded: dict[str, GradedCellResult] = field(default_factory=dict)
    errors_outside_graded_cells: list[str] = field(default_factory=list)
    stopped_early: bool = False
    seconds: float = 0.0

    @property
    def points(self) -> float:
        """Points earned; graded cells that were not run earn nothing."""
        return sum(cell.points or 0.0 for cell in self.graded.values())

    @property
    def max_points(self) -> float:
        return sum(cell.max_points for cell in self.graded.values())

    @property
    def all_passed(self) -> bool:
        return bool(self.graded) and all(cell.passed for cell in self.graded.values())

    def summary(self) -> str:
        lines = [f"{self.notebook.name}"
                 + (f" with {', '.join(self.replaced)} replaced" if self.replaced else "")
                 + f": {self.points:g}/{self.max_points:g} points in {self.seconds:.1f} s"
                 + (" (stopped at the first failed graded cell)" if self.stopped_early else "")]
        for cell in self.graded.values():
            if not cell.executed:
                status = "not run"
            elif cell.passed:
                status = "passed"
            else:
                status = f"FAILED ({cell.points:g}/{cell.max_points:g}): {cell.failure}"
            lines.append(f"  {cell.grade_id}: {status}")
        lines.extend(f"  error outside graded cells: {error}" for error in self.errors_outside_graded_cells)
        return "\n".join(lines)


def _score(cell) -> GradedCellResult:
    """nbgrader's points for an executed cell; the failure is the message the kit's feedback shows."""
    points, most = determine_grade(cell, _LOG)
    points = 0.0 if points is None else float(points)
    failure = None
    if points < most:
        failure = test_outcome(cell)[1] or "the last expression gave partial credit"
        if failure.startswith("KeyboardInterrupt"):
            failure += " (the cell timed out and was interrupted)"
    return GradedCellResult(grade_id(cell), float(most), points, failure)


def _with_replacements(notebook, replacements: Mapping[str, str], path: Path):
    answers = solution_cell_ids(notebook)
    unknown = sorted(set(replacements) - set(answers))
    if unknown:
        raise ValueError(f"{path.name} has no answer cell with grade_id {unknown}; it has {sorted(answers)}")
    for cell_id, source in replacements.items():
        notebook = replace_cell_source(notebook, cell_id, source)
    return notebook


def run_notebook(notebook_path, replacements: Mapping[str, str] | None = None, *,
                 stop_at_first_failure: bool = False, timeout: float = DEFAULT_CELL_TIMEOUT,
                 kernel_name: str = "python3", render_figures: bool = True) -> ExecutionResult:
    """Execute a source notebook in a fresh kernel and score its autograded cells as nbgrader would.

    Args:
        notebook_path: a source notebook (with solutions and hidden tests).
        replacements: grade_id of an answer cell -> the source to put in that cell.
        stop_at_first_failure: stop as soon as one graded cell loses points (the rest are "not run"
            and earn nothing). Only safe when all you need to know is that points were lost.
        timeout: seconds allowed per cell; a cell that runs longer is interrupted and fails.
        kernel_name: Jupyter kernel to run in; the working directory is the notebook's folder.
        render_figures: False skips turning figures into images (a few seconds faster per notebook;
            graded cells are scored the same, since nbgrader looks only at errors, stderr and results).
    """
    notebook_path = Path(notebook_path).resolve()
    replacements = dict(replacements or {})
    notebook = _with_replacements(read_notebook(notebook_path), replacements, notebook_path)
    result = ExecutionResult(notebook_path, tuple(replacements))
    for cell in filter(is_autograded_cell, notebook.cells):
        result.graded[grade_id(cell)] = GradedCellResult(grade_id(cell), max_points(cell), None)

    client = NotebookClient(notebook, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
                            interrupt_on_timeout=True,
                            resources={"metadata": {"path": str(notebook_path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        if not render_figures:
            client.wait_for_reply(client.kc.execute(_SKIP_FIGURE_RENDERING, silent=True, store_history=False))
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code" and not _run_cell(client, index, cell, result, stop_at_first_failure):
                break
    result.seconds = time.perf_counter() - start
    return result


def _run_cell(client, index, cell, result: ExecutionResult, stop_at_first_failure: bool) -> bool:
    """Execute one code cell and record it in ``result``; False when the run must stop here."""
    where = f"cell {index} ({grade_id(cell)})"
    try:
        client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
    except (CellTimeoutError, DeadKernelError) as error:
        message = f"{type(error).__name__}: {error}"
        if is_autograded_cell(cell):
            result.graded[grade_id(cell)] = GradedCellResult(grade_id(cell), max_points(cell), 0.0, message)
        else:
            result.errors_outside_graded_cells.append(f"{where}: {message}")
        result.stopped_early = True
        return False
    if not is_autograded_cell(cell):
        errors = [output for output in cell.outputs if output.get("output_type") == "error"]
        if errors:
            result.errors_outside_graded_cells.append(f"{where}: {test_outcome(cell)[1]}")
        return True
    cell_result = result.graded[grade_id(cell)] = _score(cell)
    if stop_at_first_failure and not cell_result.passed:
        result.stopped_early = any(not other.executed for other in result.graded.values())
        return False
    return True


def run_variant(entry: CatalogueEntry, *, stop_at_first_failure: bool | None = None,
                timeout: float = DEFAULT_CELL_TIMEOUT, render_figures: bool = True) -> ExecutionResult:
    """Run the lesson's notebook with the catalogue entry in place of its answer cell.

    By default a wrong entry stops at the first failed graded cell (it has lost points by then)
    and a correct one runs to the end.
    """
    notebook = notebook_holding(entry.assignment_dir, entry.cell_id)
    if notebook is None:
        raise ValueError(f"{variant_id(entry)}: no notebook of {entry.assignment} has an answer cell "
                         f"with grade_id {entry.cell_id!r}")
    if stop_at_first_failure is None:
        stop_at_first_failure = entry.kind == "wrong"
    return run_notebook(notebook, {entry.cell_id: entry.source}, stop_at_first_failure=stop_at_first_failure,
                        timeout=timeout, render_figures=render_figures)


# --------------------------------------------------------------------------- command line


def _verdict(entry: CatalogueEntry, result: ExecutionResult) -> str:
    if entry.kind == "wrong":
        return "ok (loses points)" if result.points < result.max_points else "PROBLEM: keeps every point"
    ok = result.all_passed and not result.errors_outside_graded_cells
    return "ok (full points)" if ok else "PROBLEM: loses points or raises"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path,
                        help="a source notebook, a catalogue file, or a lesson folder (all its variants)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_CELL_TIMEOUT)
    arguments = parser.parse_args(argv)
    target = arguments.target.resolve()
    if target.suffix == ".ipynb":
        result = run_notebook(target, timeout=arguments.timeout)
        print(result.summary())
        return 0 if result.all_passed and not result.errors_outside_graded_cells else 1
    lesson = target.parents[2] if target.suffix == ".py" else target
    entries = [entry for entry in load_catalogue(lesson)
               if entry.kind in KINDS and (target.suffix != ".py" or entry.path.resolve() == target)]
    if not entries:
        print(f"no catalogue variants found for {target}")
        return 1
    problems = 0
    for entry in entries:
        result = run_variant(entry, timeout=arguments.timeout)
        verdict = _verdict(entry, result)
        problems += verdict.startswith("PROBLEM")
        print(f"{variant_id(entry)}: {verdict} -- {entry.description}")
        print("    " + result.summary().replace("\n", "\n    "))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
