"""Grades as CSV: nbgrader's own export (``grades.csv``), a Canvas gradebook import, or one column per exercise.

Every format is an nbgrader export plugin (``nbgrader export --exporter=...`` runs them too):
``nbgrader`` is nbgrader's ``CsvExportPlugin``, ``canvas`` :class:`autograder.gradebook.canvas.CanvasExportPlugin`,
``exercises`` :class:`autograder.gradebook.exercises.ExerciseExportPlugin`. Here the course's late policy is
applied to the current scores first (:func:`autograder.course.due_dates.refresh_late_penalties`), so every
file has the penalty that the feedback and the report show; through ``nbgrader export`` the penalties
are those the gradebook holds (the ones ``grade`` wrote). The plugins take their options from the
course's nbgrader_config.py (e.g. ``c.CanvasExportPlugin.roster``) unless given here.
"""

import logging
from dataclasses import dataclass, field

from autograder.course.directory import load_config, open_gradebook, quiet_nbgrader

FORMATS = {  # format: (plugin class, default file in the course root)
    "nbgrader": ("nbgrader.plugins.CsvExportPlugin", "grades.csv"),
    "canvas": ("autograder.gradebook.canvas.CanvasExportPlugin", "canvas_grades.csv"),
    "exercises": ("autograder.gradebook.exercises.ExerciseExportPlugin", "exercise_grades.csv"),
}


@dataclass
class Export:
    """A file written: where, in which format, and the warnings of its plugin (students that did not match)."""

    path: object
    format: str
    warnings: list = field(default_factory=list)


def export(course, format="nbgrader", destination=None, **options):
    """Write the grades in ``format`` (a key of :data:`FORMATS`) to ``destination`` (default: the format's
    file in the course root); ``options`` are traits of the plugin (None: from the course configuration)."""
    from traitlets.utils.importstring import import_item

    from autograder.course.due_dates import refresh_late_penalties

    if format not in FORMATS:
        raise ValueError(f"export: unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    plugin_name, file_name = FORMATS[format]
    quiet_nbgrader()
    refresh_late_penalties(course)  # the configured policy on the current scores, as feedback and report show
    destination = destination or course.root / file_name
    log = logging.getLogger("autograder.gradebook.export")
    log.propagate = False  # the warnings are returned to the caller, which shows them once
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    given = {name: value for name, value in options.items() if value is not None}
    plugin = import_item(plugin_name)(config=load_config(course), to=str(destination), log=log, **given)
    with open_gradebook(course) as gradebook:
        plugin.export(gradebook)
    return Export(destination, format, list(getattr(plugin, "warnings", [])))


def export_grades(course, destination=None):
    """Write every student's score per assignment to ``course/grades.csv`` (or ``destination``)."""
    return export(course, "nbgrader", destination).path
