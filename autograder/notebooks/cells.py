"""nbgrader cells in a notebook: what role each plays, hidden tests, reading and replacing cells.

The one definition of each cell role in the kit, on top of ``nbgrader.utils`` (so the kit and
nbgrader never disagree); ``tests/test_structure.py`` fails when another module
reads the ``solution`` / ``grade`` / ``locked`` / ``task`` flags itself.

Vocabulary (nbgrader cell metadata, schema version 3):

- solution cell: ``solution: true`` -- the student writes it (code answers are ``grade: false``,
  written answers that a person marks are ``grade: true`` with ``points``);
- test cell: ``grade: true, solution: false`` code cell with ``points`` -- autograded;
- hidden tests: lines of a test cell between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.
"""

import json
import re
from pathlib import Path

import nbformat
from nbgrader import utils as nbgrader_utils

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
HIDDEN_PLACEHOLDER = "# (hidden tests are not shown)"
# The marker lines as the lessons write them (nbgrader finds the words anywhere in a line).
BEGIN_SOLUTION_LINE, END_SOLUTION_LINE = f"### {BEGIN_SOLUTION}", f"### {END_SOLUTION}"
BEGIN_HIDDEN_LINE, END_HIDDEN_LINE = f"### {BEGIN_HIDDEN}", f"### {END_HIDDEN}"


class SourceNotebookError(ValueError):
    """A source notebook cannot be built; ``problems`` lists every reason, one line each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("source notebooks are malformed:\n  - " + "\n  - ".join(self.problems))


def nbgrader_metadata(cell):
    """The cell's ``metadata["nbgrader"]`` as a dict; ``{}`` when missing or not a dict (a hostile file)."""
    metadata = (cell.get("metadata") or {}).get("nbgrader")
    return metadata if isinstance(metadata, dict) else {}


def cell_of_metadata(metadata):
    """A minimal cell whose nbgrader metadata is the dict ``metadata``, so that the role predicates
    below answer for a metadata entry kept apart from any notebook (the gradebook's record of a cell)."""
    return nbformat.NotebookNode(metadata={"nbgrader": metadata})


def _as_nbgrader_reads_it(cell):
    """A minimal cell that ``nbgrader.utils``' predicates read exactly as they would read ``cell``."""
    metadata = nbgrader_metadata(cell)
    return nbformat.NotebookNode(metadata={"nbgrader": metadata} if metadata else {})


def grade_id(cell):
    return nbgrader_metadata(cell).get("grade_id")


def is_solution_cell(cell):
    """The student writes this cell (a code answer, or a written answer when it is also graded)."""
    return bool(nbgrader_utils.is_solution(_as_nbgrader_reads_it(cell)))


def is_grade_cell(cell):
    """The cell carries points: a test cell, or a written answer that a person marks."""
    return bool(nbgrader_utils.is_grade(_as_nbgrader_reads_it(cell)))


def is_task_cell(cell):
    """A markdown task that a person marks (nbgrader's ``task: true``)."""
    return bool(nbgrader_utils.is_task(_as_nbgrader_reads_it(cell)))


def is_locked_cell(cell):
    """nbgrader puts this cell's source back from the gradebook: locked, or graded and not a solution."""
    return bool(nbgrader_utils.is_locked(_as_nbgrader_reads_it(cell)))


def is_test_cell(cell):
    """An autograded test cell: a graded code cell that the student does not write."""
    return cell.get("cell_type") == "code" and is_grade_cell(cell) and not is_solution_cell(cell)


def is_autograded_cell(cell):
    """A code cell nbgrader scores by running it: a test cell, or a code answer that carries points."""
    return cell.get("cell_type") == "code" and is_grade_cell(cell)


def is_code_answer_cell(cell):
    """A code cell the student writes that earns nothing itself: the test cells after it grade it."""
    return cell.get("cell_type") == "code" and is_solution_cell(cell) and not is_grade_cell(cell)


def is_written_answer_cell(cell):
    """A markdown cell the student writes and a person marks (a solution cell with points)."""
    return cell.get("cell_type") == "markdown" and is_solution_cell(cell) and is_grade_cell(cell)


def has_locked_flag(cell):
    """The cell's own ``locked`` flag as the file stores it.

    nbgrader treats every test cell as locked whatever the flag says (:func:`is_locked_cell`); the
    stored flag is what an editor shows and protects, so the lessons' checks read it here.
    """
    return bool(nbgrader_metadata(cell).get("locked"))


def max_points(cell):
    """The points a grade cell is worth (0.0 for a cell that is not graded)."""
    return float(nbgrader_metadata(cell).get("points", 0)) if is_grade_cell(cell) else 0.0


def test_cells(notebook):
    return [cell for cell in notebook.cells if is_test_cell(cell)]


def solution_cell_ids(notebook):
    return [grade_id(cell) for cell in notebook.cells if is_solution_cell(cell) and grade_id(cell)]


def has_hidden_tests(cell):
    return any(BEGIN_HIDDEN in line for line in cell.source.splitlines())


def remove_hidden_tests(source, placeholder=HIDDEN_PLACEHOLDER):
    """``source`` without the hidden-test regions (each replaced by one ``placeholder`` line).

    The placeholder is indented like the region's first line; None drops the region entirely.
    """
    kept, hidden = [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            hidden = True
            if placeholder is not None:
                kept.append(line[:len(line) - len(line.lstrip())] + placeholder)
        elif END_HIDDEN in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


def hidden_test_lines(notebook):
    """The stripped, non-empty source lines inside hidden-test regions (for leak checks)."""
    lines, hidden = [], False
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            if BEGIN_HIDDEN in line:
                hidden = True
            elif END_HIDDEN in line:
                hidden = False
            elif hidden and line.strip():
                lines.append(line.strip())
    return lines


def find_cell(notebook, cell_id):
    for cell in notebook.cells:
        if grade_id(cell) == cell_id:
            return cell
    raise KeyError(f"no cell with grade_id {cell_id!r} in the notebook")


def replace_cell_source(notebook, cell_id, source):
    """A copy of ``notebook`` whose cell ``cell_id`` has ``source`` (outputs cleared)."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    cell = find_cell(notebook, cell_id)
    cell.source = source
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    return notebook


def cleared(notebook):
    """A copy of ``notebook`` with every code cell's outputs and execution count cleared."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def read_notebook(path):
    return nbformat.read(str(path), as_version=4)


def notebook_paths(folder):
    """The notebooks directly in ``folder`` (sub-folders such as checkpoints left out), sorted by name."""
    return sorted(path for path in Path(folder).glob("*.ipynb") if path.is_file())


def write_notebook(notebook, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


# checks of a source notebook -------------------------------------------------------------------

_DELIMITER = re.compile(r"###\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)\b")


def check_source_notebook(path):
    """Every problem that stops ``path`` from being built, as readable lines (empty when fine)."""
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    path = Path(path)
    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as error:  # noqa: BLE001 -- any read failure is reported the same way
        return [f"{path}: not a readable notebook ({type(error).__name__}: {error})"]
    problems = []
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        problems.append(f"{path}: not a valid notebook: {str(error).splitlines()[0]}")
    try:
        MetadataValidator().validate_nb(notebook)
    except ValidationError as error:
        problems.append(f"{path}: nbgrader metadata: {error}")
    seen = {}
    for index, cell in enumerate(notebook.cells):
        where = "{}: cell {}{}".format(path, index, f" ({grade_id(cell)!r})" if grade_id(cell) else "")
        metadata = nbgrader_metadata(cell)
        if metadata:
            cell_id = metadata.get("grade_id")
            if (metadata.get("solution") or metadata.get("grade") or metadata.get("locked")) and not cell_id:
                problems.append(f"{where}: nbgrader cell without a grade_id")
            if cell_id in seen:
                problems.append(f"{where}: grade_id {cell_id!r} is also used by cell {seen[cell_id]}")
            elif cell_id:
                seen[cell_id] = index
            if metadata.get("grade"):
                points = metadata.get("points")
                if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
                    problems.append(f"{where}: graded cell needs non-negative 'points', got {points!r}")
        problems.extend(_check_delimiters(cell, where))
    problems.extend(_names_from_test_cells(notebook, path))
    if not any(is_grade_cell(cell) for cell in notebook.cells):
        problems.append(f"{path}: no graded cell (nothing to grade)")
    return problems


def _names_from_test_cells(notebook, path):
    """Cells that read a name only a test cell binds: test cells run in the judge kernel when
    grading (:mod:`autograder.safety.judge`), so such a name would not exist where that cell runs."""
    import ast

    from IPython.core.inputtransformer2 import TransformerManager

    from autograder.notebooks.source_names import free_names, stored_names

    transform, problems = TransformerManager().transform_cell, []
    bound_by_tests, bound_elsewhere = set(), set()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(transform(cell.source))
        except SyntaxError:
            continue
        names = set().union(*(stored_names(statement) for statement in tree.body))
        if is_test_cell(cell):
            bound_by_tests |= names
            continue
        top_level, nested = free_names(tree)
        missing = sorted((top_level | nested) & (bound_by_tests - bound_elsewhere))
        if missing:
            label = f" ({grade_id(cell)!r})" if grade_id(cell) else ""
            problems.append(f"{path}: cell {index}{label} reads {', '.join(missing)}, which only a test cell binds; "
                            "test cells run apart from the notebook when grading, so bind it in a cell that is "
                            "not a test")
        bound_elsewhere |= names
    return problems


def _check_delimiters(cell, where):
    problems, open_region = [], None
    for line in cell.source.splitlines():
        match = _DELIMITER.search(line)
        if not match:
            continue
        action, region = match.groups()
        if action == "BEGIN":
            if open_region:
                problems.append(f"{where}: '### BEGIN {region}' inside an open {open_region} region")
            open_region = region
        else:
            if open_region != region:
                problems.append(f"{where}: '### END {region}' without a matching BEGIN")
            open_region = None
        if region == "SOLUTION" and not is_solution_cell(cell):
            problems.append(f"{where}: solution delimiters in a cell that is not a solution cell")
        if region == "HIDDEN TESTS" and not is_grade_cell(cell):
            problems.append(f"{where}: hidden tests in a cell that is not a graded (test) cell")
    if open_region:
        problems.append(f"{where}: '### BEGIN {open_region}' is never closed")
    return sorted(set(problems), key=problems.index)
