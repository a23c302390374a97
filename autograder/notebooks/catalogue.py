"""The lesson test catalogue: implementations the tests must reject (wrong) or accept (correct).

Layout: ``source_notebooks/<assignment>/catalogue/<solution cell grade_id>/{wrong,correct}_<slug>.py``.
Each file's whole content replaces the source of that solution cell; its first line is a
``# description`` comment.

``catalogue/equivalent_mutants.toml`` lists the mutants (:mod:`autograder.notebooks.mutants`) that behave
exactly like the answer, each once with the reason, so that ``selfcheck --mutants`` does not
count them as survivors::

    [[mutant]]
    cell = "softmax"
    change = "axis: line 21: `np.max(x, axis=-1, keepdims=True)` -> `np.max(x, axis=1, keepdims=True)`"
    reason = "the inputs are 2-D: axis 1 is the last axis"
"""

import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

from autograder.notebooks.cells import find_cell, notebook_paths, read_notebook, replace_cell_source, solution_cell_ids

CATALOGUE_DIR = "catalogue"
KINDS = ("wrong", "correct")
EQUIVALENT_MUTANTS = "equivalent_mutants.toml"


@dataclass(frozen=True)
class CatalogueEntry:
    """One alternative implementation of a solution cell.

    kind: "wrong" (must lose points) or "correct" (must keep full autograded points).
    """

    assignment: str
    cell_id: str
    kind: str
    slug: str
    description: str
    source: str
    path: Path

    @property
    def name(self):
        return f"{self.cell_id}/{self.kind}_{self.slug}"

    @property
    def assignment_dir(self):
        """The lesson folder: ``<assignment_dir>/catalogue/<cell_id>/<file>``."""
        return self.path.parents[2]


def load_catalogue(assignment_dir):
    """Every catalogue entry of the assignment folder, sorted by cell then file name."""
    assignment_dir = Path(assignment_dir)
    entries = []
    for path in sorted((assignment_dir / CATALOGUE_DIR).glob("*/*.py")):
        kind, _, slug = path.stem.partition("_")
        source = path.read_text()
        first_line = source.splitlines()[0] if source.strip() else ""
        entries.append(CatalogueEntry(
            assignment=assignment_dir.name, cell_id=path.parent.name, kind=kind, slug=slug,
            description=first_line.lstrip("#").strip(), source=source.rstrip("\n"), path=path))
    return entries


def notebook_holding(assignment_dir, cell_id):
    """The notebook of the assignment folder with the solution cell ``cell_id`` (None when none has it)."""
    for path in notebook_paths(assignment_dir):
        if cell_id in solution_cell_ids(read_notebook(path)):
            return path
    return None


def with_entry(notebooks, entry):
    """``{name: notebook}`` with ``entry``'s source in cell ``entry.cell_id`` of whichever notebook has it."""
    replaced = dict(notebooks)
    for name, notebook in notebooks.items():
        try:
            find_cell(notebook, entry.cell_id)
        except KeyError:
            continue
        replaced[name] = replace_cell_source(notebook, entry.cell_id, entry.source)
    return replaced


def load_equivalent_mutants(assignment_dir):
    """``{(cell grade_id, change): reason}`` from the assignment's equivalent_mutants.toml (empty without one).

    Raises ValueError naming the file and the entry when an entry lacks ``cell``, ``change`` or ``reason``.
    """
    path = Path(assignment_dir) / CATALOGUE_DIR / EQUIVALENT_MUTANTS
    if not path.is_file():
        return {}
    try:
        entries = tomllib.loads(path.read_text()).get("mutant", [])
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML ({error})") from None
    equivalent = {}
    for number, entry in enumerate(entries, 1):
        missing = [key for key in ("cell", "change", "reason") if not str(entry.get(key, "")).strip()]
        if missing:
            raise ValueError(f"{path}: mutant {number} needs {', '.join(missing)} (expected cell = \"<grade_id>\", "
                             f"change = \"<the mutant's description>\", reason = \"<why it is equivalent>\")")
        equivalent[(entry["cell"], entry["change"])] = entry["reason"]
    return equivalent


def check_catalogue(assignment_dir):
    """Problems of the assignment's catalogue as readable lines (empty when fine)."""
    assignment_dir = Path(assignment_dir)
    cell_ids = set()
    for notebook_path in notebook_paths(assignment_dir):
        try:
            cell_ids.update(solution_cell_ids(read_notebook(notebook_path)))
        except Exception:  # noqa: BLE001 -- unreadable notebooks are reported by the notebook check
            continue
    problems = []
    catalogue = assignment_dir / CATALOGUE_DIR
    for path in sorted(catalogue.glob("*/*")) if catalogue.is_dir() else []:
        kind = path.stem.partition("_")[0]
        if path.suffix != ".py" or kind not in KINDS or not path.stem.partition("_")[2]:
            problems.append(f"{path}: catalogue files are named wrong_<slug>.py or correct_<slug>.py")
            continue
        if path.parent.name not in cell_ids:
            problems.append(f"{path}: {path.parent.name!r} is not the grade_id of a solution cell "
                            f"of {assignment_dir.name}")
        if not path.read_text().lstrip().startswith("#"):
            problems.append(f"{path}: the first line must be a '# description' comment")
    try:
        equivalent = load_equivalent_mutants(assignment_dir)
    except ValueError as error:
        return problems + [str(error)]
    problems += [f"{catalogue / EQUIVALENT_MUTANTS}: {cell!r} is not the grade_id of a solution cell of "
                 f"{assignment_dir.name}" for cell in sorted({cell for cell, _ in equivalent} - cell_ids)]
    return problems
