"""Grades as a CSV that Canvas's gradebook imports (Grades > Import), as an nbgrader export plugin.

``nbgrader export --exporter=autograder.gradebook.canvas.CanvasExportPlugin`` or
``python -m autograder export --format canvas`` (which first applies the course's late policy).

The layout is the one Canvas itself writes when a teacher exports the gradebook, and reads back on import:

- the header: ``Student`` (the sortable name, "Last, First"), ``ID`` (Canvas's user id), ``SIS User ID``,
  ``SIS Login ID``, ``Section``, then one column per assignment named ``"<assignment name> (<Canvas
  assignment id>)"``; the second row has ``"    Points Possible"`` (four spaces, as Canvas writes it) in the
  first column and each assignment's points under it. Source: Canvas's exporter,
  ``lib/gradebook_exporter.rb`` in github.com/instructure/canvas-lms (``header << "ID"``, ``"SIS User ID"``,
  ``"SIS Login ID"``, ``"Section"``, ``assignments.map(&:title_with_id)``, ``row = ["    Points Possible",
  ...]``; ``LastName``/``FirstName`` instead of ``Student`` when the teacher asks for split names).
- what the import needs, from guides to Canvas's *Grades > Import* (Ohio State's "Import CSV File for
  Carmen Grades", teaching.resources.osu.edu; VCU's "Gradebook Action Menu", ts.vcu.edu; both follow
  Canvas's "How do I import grades in the Gradebook?", community.canvaslms.com): the student columns
  (one of Student, ID, SIS User ID; SIS Login ID; Section) and the assignment columns; a column whose
  name has no Canvas id makes a new assignment; a score overwrites the one in Canvas; read-only columns
  (totals) are ignored, so this file has none.

Canvas matches a row to a student by its own ids, so with a **roster** (the CSV the teacher exports from
the Canvas gradebook) each nbgrader student id is looked up in the roster's ``SIS Login ID`` (default) or
``SIS User ID`` column (``match_by``), and the row keeps the roster's ``Student``, ``ID``, ... cells; an
assignment's column is the roster column of the same name (or of ``assignment_map[kit name]``), with its
Canvas id. Without a roster the rows come from the gradebook: the name, and the nbgrader id in the
``match_by`` column; the columns are named after the assignments (without a Canvas id: new assignments).

Scores are ``grades.csv``'s (:func:`autograder.gradebook.scores.final_score`: late penalty applied),
rounded to two decimals. No submission: an empty cell (no grade, not a zero), or 0 with
``missing_as_zero``. Nobody is left out silently: students of the roster unknown to the gradebook keep
their row with empty cells, and every such mismatch (and gradebook students absent from the roster,
assignments without a roster column) is a warning in the log and in :attr:`CanvasExportPlugin.warnings`.
"""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.plugins import ExportPlugin
from traitlets import Bool, Dict, Enum, List, Unicode

from autograder.gradebook.scores import format_points, read_class, sortable_name

NAME_COLUMNS = ("Student", "LastName", "FirstName")
IDENTITY_COLUMNS = ("Student", "LastName", "FirstName", "ID", "SIS User ID", "SIS Login ID", "Integration ID",
                    "Root Account", "Section")
DEFAULT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"
ASSIGNMENT_COLUMN = re.compile(r"^(?P<name>.*?)\s*\((?P<canvas_id>\d+)\)$")
SHOWN = 10  # students named in one warning; the rest are counted


class RosterError(ValueError):
    """A roster that cannot be used; the message says which file and what is missing."""


@dataclass
class Roster:
    """A Canvas gradebook export, read for its students and assignment columns.

    identity: the student columns it has (of :data:`IDENTITY_COLUMNS`), in its order;
    assignments: ``{Canvas assignment name: its column header "name (id)"}``;
    students: one ``{column: cell}`` per student row (the "Points Possible" and hidden-scores rows left out).
    """

    identity: list = field(default_factory=list)
    assignments: dict = field(default_factory=dict)
    students: list = field(default_factory=list)

    def __repr__(self):
        return f"Roster({len(self.students)} student(s), {len(self.assignments)} assignment column(s))"


def read_roster(path, match_by="SIS Login ID"):
    """The :class:`Roster` in the CSV at ``path``; :class:`RosterError` when it lacks what the export needs."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:  # Excel adds a byte-order mark
            rows = list(csv.reader(handle))
    except OSError as error:
        raise RosterError(f"Canvas roster {path}: cannot be read ({error.strerror or error})") from error
    if not rows:
        raise RosterError(f"Canvas roster {path}: the file is empty")
    header = [name.strip() for name in rows[0]]
    needed = ["ID", "Section", match_by]
    missing = [name for name in needed if name not in header]
    if not any(name in header for name in NAME_COLUMNS):
        missing.insert(0, "Student")
    if missing:
        raise RosterError(f"Canvas roster {path}: no column {', '.join(repr(name) for name in missing)} "
                          f"(expected the CSV of Canvas's Grades > Export; its columns are {', '.join(header)})")
    roster = Roster(identity=[name for name in header if name in IDENTITY_COLUMNS])
    for name in header:
        matched = ASSIGNMENT_COLUMN.match(name)
        if matched and name not in IDENTITY_COLUMNS:
            roster.assignments[matched["name"]] = name
    for row in rows[1:]:
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        if cells.get("ID"):  # a student; the points row and the hidden-scores row have no Canvas id
            roster.students.append(cells)
    return roster


def _names(students):
    shown = ", ".join(students[:SHOWN])
    return shown + (f" and {len(students) - SHOWN} more" if len(students) > SHOWN else "")


class CanvasExportPlugin(ExportPlugin):
    """nbgrader export plugin writing a Canvas gradebook import CSV to ``to`` (default canvas_grades.csv)."""

    roster = Unicode("", help="the CSV exported from the Canvas gradebook, to take Canvas's student and "
                              "assignment ids from (default: none, rows from the nbgrader gradebook)").tag(config=True)
    match_by = Enum(["SIS Login ID", "SIS User ID"], default_value="SIS Login ID",
                    help="the roster column that holds the nbgrader student id").tag(config=True)
    assignment_map = Dict(value_trait=Unicode(), default_value={},
                          help="nbgrader assignment name -> Canvas assignment name (its column without "
                               "the id), when they differ").tag(config=True)
    missing_as_zero = Bool(False, help="write 0 for a student with no submission (default: an empty cell, "
                                       "no grade)").tag(config=True)
    warnings = List(help="what did not match, one sentence each (also logged as warnings)")

    def export(self, gradebook):
        destination = self.to or "canvas_grades.csv"
        self.warnings = []
        scores = read_class(gradebook, self.assignment, self.student)
        if self.roster:
            header, rows = self._rows_from_roster(scores, read_roster(self.roster, self.match_by))
        else:
            header, rows = self._rows_from_gradebook(scores)
        for warning in self.warnings:
            self.log.warning("Canvas export: %s", warning)
        with open(destination, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        self.log.info("Canvas export: %d student row(s) written to %s", len(rows) - 1, destination)

    def __repr__(self):
        return f"CanvasExportPlugin(to={self.to!r}, roster={self.roster!r}, match_by={self.match_by!r})"

    # ------------------------------------------------------------------ the cells

    def canvas_name(self, assignment):
        """The Canvas assignment name of an nbgrader assignment (``assignment_map``, else the same name)."""
        return self.assignment_map.get(assignment, assignment)

    def _cell(self, scores, assignment, student_id):
        score = scores.score(assignment, student_id)
        if score is None:
            return "0" if self.missing_as_zero else ""
        return format_points(score)

    def _points_row(self, identity, scores):
        return [POINTS_POSSIBLE] + [""] * (len(identity) - 1) + [format_points(points) for _, points in
                                                                  scores.assignments]

    # ------------------------------------------------------------------ the two layouts

    def _rows_from_gradebook(self, scores):
        header = list(DEFAULT_COLUMNS) + [self.canvas_name(name) for name, _ in scores.assignments]
        rows = [self._points_row(DEFAULT_COLUMNS, scores)]
        for student in scores.students:
            identity = {"Student": sortable_name(student), self.match_by: student.id}
            rows.append([identity.get(column, "") for column in DEFAULT_COLUMNS]
                        + [self._cell(scores, name, student.id) for name, _ in scores.assignments])
        return header, rows

    def _rows_from_roster(self, scores, roster):
        columns = []
        for name, _ in scores.assignments:
            canvas_name = self.canvas_name(name)
            column = roster.assignments.get(canvas_name)
            if column is None:
                self.warnings.append(f"assignment {name}: the roster has no column {canvas_name!r} (its "
                                     f"assignments: {', '.join(roster.assignments) or 'none'}); the column is "
                                     f"written without a Canvas id, so Canvas makes a new assignment of it "
                                     f"(map it with assignment_map / --assignment-map {name}=NAME)")
                column = canvas_name
            columns.append(column)
        header = roster.identity + columns
        rows = [self._points_row(roster.identity, scores)]
        known = {student.id for student in scores.students}
        in_roster, unknown, repeated = set(), [], []
        for cells in roster.students:
            student_id = cells.get(self.match_by, "")
            if student_id in in_roster:
                repeated.append(student_id)
            in_roster.add(student_id)
            if student_id not in known:
                unknown.append(f"{cells.get('Student') or cells.get('LastName', '')} ({self.match_by} "
                               f"{student_id or 'empty'})")
            rows.append([cells.get(column, "") for column in roster.identity]
                        + [self._cell(scores, name, student_id) if student_id in known else ""
                           for name, _ in scores.assignments])
        absent = [student.id for student in scores.students if student.id not in in_roster]
        if unknown:
            self.warnings.append(f"{len(unknown)} student(s) of the roster are not in the nbgrader gradebook "
                                 f"(or not among the students exported); their rows are kept with empty cells: "
                                 f"{_names(unknown)}")
        if absent:
            self.warnings.append(f"{len(absent)} student(s) of the nbgrader gradebook have no row in the roster "
                                 f"(no {self.match_by} equal to their id), so their grades are NOT in the file: "
                                 f"{_names(absent)}")
        if repeated:
            self.warnings.append(f"{self.match_by} repeated in the roster: {_names(sorted(set(repeated)))}")
        return header, rows
