"""The lesson test catalogue: implementations the tests must reject (wrong) or accept (correct).

Layout: ``source_notebooks/<assignment>/catalogue/<solution cell grade_id>/{wrong,correct}_<slug>.py``.
Each file's whole content replaces the source of that solution cell; its first line is a
``# description`` comment.
"""

from dataclasses import dataclass
from pathlib import Path

from autograder.notebooks import read_notebook, solution_cell_ids

CATALOGUE_DIR = "catalogue"
KINDS = ("wrong", "correct")


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


def check_catalogue(assignment_dir):
    """Problems of the assignment's catalogue as readable lines (empty when fine)."""
    assignment_dir = Path(assignment_dir)
    cell_ids = set()
    for notebook_path in assignment_dir.glob("*.ipynb"):
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
    return problems
