"""Grades per exercise as CSV, for a spreadsheet or an LMS that takes a generic file; an nbgrader export plugin.

``nbgrader export --exporter=autograder.gradebook.exercises.ExerciseExportPlugin`` or
``python -m autograder export --format exercises`` (which first applies the course's late policy).

One row per (assignment, student), in ``grades.csv``'s order (assignments by name, then students by id):

    assignment, student_id, last_name, first_name, <one column per graded cell>, raw_score,
    late_submission_penalty, score, max_score

A graded cell is an autograded test cell or a manually graded answer (or task); its column is named
``<assignment>/<cell id>`` (``<assignment>/<notebook>/<cell id>`` when two notebooks of an assignment use
the same id), so the columns of every assignment fit one header and a row fills its own assignment's.
The row under the header, ``max score`` in the ``assignment`` column, holds each cell's points.

A cell's value is its score (the manual grade when there is one, else the autograded one); empty when
nobody has graded it yet (a written answer awaiting grading) and for a student with no submission.
``raw_score``, ``late_submission_penalty``, ``score`` and ``max_score`` are ``grades.csv``'s (0 with no
submission, as nbgrader's CSV gives), rounded to two decimals.
"""

import csv

from nbgrader.plugins import ExportPlugin

from autograder.gradebook.scores import final_score, format_points, read_class

IDENTITY = ("assignment", "student_id", "last_name", "first_name")
TOTALS = ("raw_score", "late_submission_penalty", "score", "max_score")
MAX_ROW_LABEL = "max score"


def graded_cells(assignment):
    """``[(notebook name, cell id, max score)]`` of an nbgrader ``Assignment``, by notebook then cell id."""
    cells = []
    for notebook in sorted(assignment.notebooks, key=lambda n: n.name):
        graded = list(notebook.grade_cells) + list(notebook.task_cells)
        cells += [(notebook.name, cell.name, float(cell.max_score or 0.0))
                  for cell in sorted(graded, key=lambda c: c.name)]
    return cells


def column_names(assignment_name, cells):
    """The column of each cell: ``assignment/cell``, with the notebook when a cell id is in two notebooks."""
    ids = [cell for _, cell, _ in cells]
    return [f"{assignment_name}/{cell}" if ids.count(cell) == 1 else f"{assignment_name}/{notebook}/{cell}"
            for notebook, cell, _ in cells]


class ExerciseExportPlugin(ExportPlugin):
    """nbgrader export plugin writing one row per submission and one column per graded cell to ``to``
    (default exercise_grades.csv)."""

    def export(self, gradebook):
        destination = self.to or "exercise_grades.csv"
        scores = read_class(gradebook, self.assignment, self.student)
        layout = []  # (assignment name, max score, [(notebook, cell, max)], [column names])
        for name, max_score in scores.assignments:
            cells = graded_cells(gradebook.find_assignment(name))
            layout.append((name, max_score, cells, column_names(name, cells)))
        cell_columns = [column for *_, columns in layout for column in columns]
        max_row = {"assignment": MAX_ROW_LABEL}
        for _, _, cells, columns in layout:
            max_row |= {column: format_points(points) for (_, _, points), column in zip(cells, columns, strict=True)}
        rows = [max_row]
        for name, max_score, cells, columns in layout:
            for student in scores.students:
                row = {"assignment": name, "student_id": student.id, "last_name": student.last_name or "",
                       "first_name": student.first_name or "", "max_score": format_points(max_score)}
                submission = scores.submissions.get((name, student.id))
                row |= self._scores(submission, cells, columns)
                rows.append(row)
        with open(destination, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*IDENTITY, *cell_columns, *TOTALS], restval="",
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        self.log.info("per-exercise export: %d row(s) written to %s", len(rows) - 1, destination)

    @staticmethod
    def _scores(submission, cells, columns):
        """The cells and totals of one row (cells empty and totals 0 when there is no submission)."""
        if submission is None:
            return {"raw_score": "0", "late_submission_penalty": "0", "score": "0"}
        grades = {(notebook.name, grade.name): grade for notebook in submission.notebooks for grade in notebook.grades}
        values = {}
        for (notebook, cell, _), column in zip(cells, columns, strict=True):
            grade = grades.get((notebook, cell))
            graded = grade is not None and (grade.manual_score is not None or grade.auto_score is not None)
            values[column] = format_points(grade.score) if graded else ""
        return values | {"raw_score": format_points(submission.score or 0.0),
                         "late_submission_penalty": format_points(submission.late_submission_penalty or 0.0),
                         "score": format_points(final_score(submission))}

    def __repr__(self):
        return f"ExerciseExportPlugin(to={self.to!r})"
