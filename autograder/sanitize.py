"""Putting the instructor's nbgrader cell metadata back before a submission is graded.

nbgrader's ``OverwriteCells`` restores a graded cell's source, points, cell type and lock from
the gradebook, but not whether it is a test or a solution cell: a student who marks a test cell
``solution: true`` turns it into a manually graded answer (or makes nbgrader stop with
"Inconsistent checksums"), and a cell with an invented ``grade_id`` and ``points`` fails nbgrader's
metadata validation. :class:`RestoreCellMetadata` (a sanitize preprocessor, before
``OverwriteCells``) makes the gradebook the only authority:

- a cell whose ``grade_id`` the gradebook knows gets the instructor's ``grade``, ``solution``,
  ``locked``, ``task`` and ``points`` back (the last cell wins when the id occurs more than once,
  as in nbgrader's ``DeduplicateIds``; the earlier copies become plain cells);
- a cell whose ``grade_id`` is unknown, or that carries nbgrader metadata without an id, becomes
  a plain cell: it still runs, but it is worth nothing.
"""

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

SCHEMA_VERSION = 3


def instructor_metadata(gradebook, notebook_id, assignment_id):
    """``{grade_id: nbgrader metadata}`` of every cell the gradebook knows for one notebook."""
    notebook = gradebook.find_notebook(notebook_id, assignment_id)
    grades = {cell.name: cell for cell in notebook.grade_cells}
    tasks = {cell.name: cell for cell in notebook.task_cells}
    solutions = {cell.name for cell in notebook.solution_cells}
    metadata = {}
    for source in notebook.source_cells:
        entry = {"schema_version": SCHEMA_VERSION, "grade_id": source.name, "locked": bool(source.locked),
                 "solution": source.name in solutions, "grade": source.name in grades, "task": source.name in tasks}
        graded = grades.get(source.name) or tasks.get(source.name)
        if graded is not None:
            entry["points"] = float(graded.max_score)
        metadata[source.name] = (source.cell_type, entry)
    return metadata


class RestoreCellMetadata(NbGraderPreprocessor):
    """Reset every cell's nbgrader metadata to the gradebook's (see the module docstring)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            known = instructor_metadata(gradebook, info["notebook"], info["assignment"])
        seen = set()
        for cell in reversed(nb.cells):
            metadata = cell.metadata.get("nbgrader")
            if metadata is None:
                continue
            grade_id = metadata.get("grade_id") if isinstance(metadata, dict) else None
            if grade_id not in known or grade_id in seen:
                if grade_id in seen:
                    self.log.warning("cell %s occurs more than once; only the last one is graded", grade_id)
                elif grade_id is not None:
                    self.log.warning("cell %s is not in the gradebook; it is graded as a plain cell", grade_id)
                del cell.metadata["nbgrader"]
                continue
            seen.add(grade_id)
            _, entry = known[grade_id]
            restored = {key: value for key, value in metadata.items() if key in ("checksum", "cell_type")}
            restored.update(entry)
            if not restored["task"]:
                del restored["task"]
            cell.metadata["nbgrader"] = restored
        return nb, resources
