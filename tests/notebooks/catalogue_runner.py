"""Run a source notebook the way the autograder would, optionally with one answer cell replaced.

The catalogue of each lesson (``source_notebooks/<assignment>/catalogue/<grade_id>/<kind>_<slug>.py``)
holds student answers to the exercise in the solution cell ``grade_id``: ``wrong_*`` ones must lose
points, ``correct_*`` ones must keep every point. This module finds those files and executes a
notebook with one of them in place of the solution, scoring every graded test cell with nbgrader's
own rule (``nbgrader.utils.determine_grade``): a cell earns no points if it raises **or writes to
stderr** (a warning, a progress bar on stderr), partial points if its last expression is a number,
and full points otherwise.

From a shell (handy while writing catalogue files)::

    .venv/bin/python -m tests.notebooks.catalogue_runner source_notebooks/05_cnns/cnns.ipynb
    .venv/bin/python -m tests.notebooks.catalogue_runner source_notebooks/05_cnns/catalogue/conv_fprop/wrong_flip.py
    .venv/bin/python -m tests.notebooks.catalogue_runner source_notebooks/05_cnns   # every variant of a lesson
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.utils import determine_grade

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOT = REPO_ROOT / "source_notebooks"
ASSIGNMENTS = ("01_perceptron", "02_gradient_descent", "03_backprop", "04_activations", "05_cnns")

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "### END HIDDEN TESTS"

VARIANT_KINDS = ("wrong", "correct")
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


# --------------------------------------------------------------------------- cell kinds


def nbgrader_metadata(cell) -> dict:
    """The cell's ``metadata["nbgrader"]`` dictionary (empty when the cell has none)."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def grade_id_of(cell) -> str | None:
    return nbgrader_metadata(cell).get("grade_id")


def is_autograded_answer(cell) -> bool:
    """A code cell students write their answer in (solution, not graded itself)."""
    meta = nbgrader_metadata(cell)
    return cell.cell_type == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_graded_test(cell) -> bool:
    """A locked code cell of tests that earns points when it runs without error."""
    meta = nbgrader_metadata(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_autograded(cell) -> bool:
    """Any code cell nbgrader scores automatically (graded test cells, and graded code answers)."""
    return cell.cell_type == "code" and bool(nbgrader_metadata(cell).get("grade"))


def is_manually_graded(cell) -> bool:
    """A markdown cell with a written answer that a person grades."""
    meta = nbgrader_metadata(cell)
    return cell.cell_type == "markdown" and bool(meta.get("grade")) and bool(meta.get("solution"))


def read_notebook(path: Path):
    return nbformat.read(str(path), as_version=4)


def notebooks_of(assignment_dir: Path) -> list[Path]:
    """The source notebooks of one assignment folder (checkpoints excluded), sorted by name."""
    return sorted(path for path in Path(assignment_dir).glob("*.ipynb") if path.is_file())


# --------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Variant:
    """One catalogue file: a student answer to the solution cell ``grade_id`` of ``notebook``."""

    assignment: str
    notebook: Path | None
    grade_id: str
    kind: str
    path: Path
    description: str

    @property
    def test_id(self) -> str:
        """E.g. ``03_backprop/affine_fprop/wrong_missing_transpose``."""
        return f"{self.assignment}/{self.grade_id}/{self.path.stem}"


def variant_kind(path: Path) -> str | None:
    """``"wrong"`` or ``"correct"`` from the file name prefix, None for any other name."""
    prefix = Path(path).stem.split("_", 1)[0]
    return prefix if prefix in VARIANT_KINDS else None


def read_description(path: Path) -> str:
    """The text of the first line's ``# description`` comment ("" when the file does not start with one)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    first = lines[0] if lines else ""
    match = re.match(r"#\s*(\S.*)$", first)
    return match.group(1).strip() if match else ""


def solution_grade_ids(notebook_path: Path) -> set[str]:
    """grade_ids of the autograded answer cells of a notebook."""
    notebook = read_notebook(notebook_path)
    return {grade_id_of(cell) for cell in notebook.cells if is_autograded_answer(cell)}


def _notebook_with_solution(notebooks: list[Path], grade_id: str) -> Path | None:
    for path in notebooks:
        if grade_id in solution_grade_ids(path):
            return path
    return notebooks[0] if len(notebooks) == 1 else None


def list_variants(source_root: Path = SOURCE_ROOT, assignments=None) -> list[Variant]:
    """Every ``wrong_*.py`` and ``correct_*.py`` catalogue file, sorted by assignment, grade_id, name.

    ``notebook`` is the assignment's notebook that holds the solution cell ``grade_id`` (the only
    notebook if the grade_id is found nowhere; None if there is no such notebook).
    """
    source_root = Path(source_root)
    assignment_dirs = sorted(path for path in source_root.iterdir() if path.is_dir()) if source_root.is_dir() else []
    if assignments is not None:
        assignment_dirs = [path for path in assignment_dirs if path.name in set(assignments)]
    variants = []
    for assignment_dir in assignment_dirs:
        catalogue = assignment_dir / "catalogue"
        if not catalogue.is_dir():
            continue
        notebooks = notebooks_of(assignment_dir)
        for exercise_dir in sorted(path for path in catalogue.iterdir() if path.is_dir()):
            notebook = _notebook_with_solution(notebooks, exercise_dir.name)
            for path in sorted(exercise_dir.glob("*.py")):
                kind = variant_kind(path)
                if kind is None:
                    continue
                variants.append(Variant(assignment_dir.name, notebook, exercise_dir.name, kind, path,
                                        read_description(path)))
    return variants


# --------------------------------------------------------------------------- execution results


@dataclass
class GradedCellResult:
    """What nbgrader would give one graded cell. ``points`` is None when the cell was not run."""

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
    """The outcome of running a notebook: graded cells by grade_id (in notebook order) and other errors."""

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

    @property
    def failed(self) -> list[GradedCellResult]:
        """Graded cells that ran and lost points."""
        return [cell for cell in self.graded.values() if cell.executed and not cell.passed]

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


def _error_text(outputs) -> str | None:
    for output in outputs:
        if output.get("output_type") == "error":
            message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
            if output.get("ename") == "KeyboardInterrupt":
                message += " (the cell timed out and was interrupted)"
            return message
    return None


def _stderr_text(outputs) -> str | None:
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = output.get("text", "")
            text = text.strip()
            return text if len(text) < 400 else text[:400] + "..."
    return None


def _score(cell, timeout: float) -> GradedCellResult:
    grade_id = grade_id_of(cell)
    points, max_points = determine_grade(cell, _LOG)
    points = 0.0 if points is None else float(points)
    failure = None
    if points < max_points:
        failure = (_error_text(cell.outputs)
                   or (f"wrote to stderr, which nbgrader scores as a failure: {_stderr_text(cell.outputs)}"
                       if _stderr_text(cell.outputs) else None)
                   or "the last expression gave partial credit")
    return GradedCellResult(grade_id, float(max_points), points, failure)


def _replace_sources(notebook, replacements: Mapping[str, str], path: Path) -> None:
    answers = {grade_id_of(cell): cell for cell in notebook.cells if is_autograded_answer(cell)}
    unknown = sorted(set(replacements) - set(answers))
    if unknown:
        raise ValueError(f"{path.name} has no autograded answer cell with grade_id {unknown}; "
                         f"it has {sorted(answers)}")
    for grade_id, source in replacements.items():
        answers[grade_id].source = source


def run_notebook(notebook_path, replacements: Mapping[str, str] | None = None, *,
                 stop_at_first_failure: bool = False, timeout: float = DEFAULT_CELL_TIMEOUT,
                 kernel_name: str = "python3", render_figures: bool = True) -> ExecutionResult:
    """Execute a source notebook in a fresh kernel and score its graded cells as nbgrader would.

    Args:
        notebook_path: a source notebook (with solutions and hidden tests).
        replacements: grade_id of an autograded answer cell -> the source to put in that cell.
        stop_at_first_failure: stop as soon as one graded cell loses points (the rest are "not run"
            and earn nothing). Only safe when all you need to know is that points were lost.
        timeout: seconds allowed per cell; a cell that runs longer is interrupted and fails.
        kernel_name: Jupyter kernel to run in; the working directory is the notebook's folder.
        render_figures: False skips turning figures into images (a few seconds faster per notebook;
            graded cells are scored the same, since nbgrader looks only at errors, stderr and results).
    """
    notebook_path = Path(notebook_path).resolve()
    notebook = read_notebook(notebook_path)
    replacements = dict(replacements or {})
    _replace_sources(notebook, replacements, notebook_path)
    result = ExecutionResult(notebook_path, tuple(replacements))
    for cell in notebook.cells:
        if is_autograded(cell):
            points = float(nbgrader_metadata(cell).get("points", 0))
            result.graded[grade_id_of(cell)] = GradedCellResult(grade_id_of(cell), points, None)

    client = NotebookClient(notebook, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
                            interrupt_on_timeout=True,
                            resources={"metadata": {"path": str(notebook_path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        if not render_figures:
            client.wait_for_reply(client.kc.execute(_SKIP_FIGURE_RENDERING, silent=True, store_history=False))
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except (CellTimeoutError, DeadKernelError) as error:
                message = f"{type(error).__name__}: {error}"
                if is_autograded(cell):
                    result.graded[grade_id_of(cell)] = GradedCellResult(
                        grade_id_of(cell), result.graded[grade_id_of(cell)].max_points, 0.0, message)
                else:
                    result.errors_outside_graded_cells.append(f"cell {index} ({grade_id_of(cell)}): {message}")
                result.stopped_early = True
                break
            if is_autograded(cell):
                cell_result = _score(cell, timeout)
                result.graded[cell_result.grade_id] = cell_result
                if stop_at_first_failure and not cell_result.passed:
                    result.stopped_early = any(not other.executed for other in result.graded.values())
                    break
            else:
                error = _error_text(cell.outputs)
                if error:
                    result.errors_outside_graded_cells.append(f"cell {index} ({grade_id_of(cell)}): {error}")
    result.seconds = time.perf_counter() - start
    return result


def run_variant(variant: Variant, *, stop_at_first_failure: bool | None = None,
                timeout: float = DEFAULT_CELL_TIMEOUT, render_figures: bool = True) -> ExecutionResult:
    """Run the variant's notebook with the variant in place of its solution cell.

    By default a wrong variant stops at the first failed graded cell (it has lost points by then)
    and a correct one runs to the end.
    """
    if variant.notebook is None:
        raise ValueError(f"{variant.test_id}: no notebook of {variant.assignment} has an answer cell "
                         f"with grade_id {variant.grade_id!r}")
    if stop_at_first_failure is None:
        stop_at_first_failure = variant.kind == "wrong"
    source = variant.path.read_text(encoding="utf-8")
    return run_notebook(variant.notebook, {variant.grade_id: source},
                        stop_at_first_failure=stop_at_first_failure, timeout=timeout, render_figures=render_figures)


# --------------------------------------------------------------------------- command line


def _verdict(variant: Variant, result: ExecutionResult) -> str:
    if variant.kind == "wrong":
        ok = result.points < result.max_points
        return "ok (loses points)" if ok else "PROBLEM: keeps every point"
    ok = result.all_passed and not result.errors_outside_graded_cells
    return "ok (full points)" if ok else "PROBLEM: loses points or raises"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path,
                        help="a source notebook, a catalogue file, or an assignment folder (all its variants)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_CELL_TIMEOUT)
    arguments = parser.parse_args(argv)
    target = arguments.target.resolve()
    problems = 0
    if target.suffix == ".ipynb":
        result = run_notebook(target, timeout=arguments.timeout)
        print(result.summary())
        return 0 if result.all_passed and not result.errors_outside_graded_cells else 1
    if target.suffix == ".py":
        variants = [variant for variant in list_variants(target.parents[3]) if variant.path == target]
    else:
        variants = list_variants(target.parent, assignments=[target.name])
    if not variants:
        print(f"no catalogue variants found for {target}")
        return 1
    for variant in variants:
        result = run_variant(variant, timeout=arguments.timeout)
        verdict = _verdict(variant, result)
        problems += verdict.startswith("PROBLEM")
        print(f"{variant.test_id}: {verdict} -- {variant.description}")
        print("    " + result.summary().replace("\n", "\n    "))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
