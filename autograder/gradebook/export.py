"""Grades as CSV in nbgrader's own export format (``nbgrader export``'s ``CsvExportPlugin``).

Its ``late_submission_penalty`` and ``score`` columns hold the course's late policy applied to the
current scores (:func:`autograder.course.due_dates.refresh_late_penalties` runs first).
"""

from autograder.course.directory import open_gradebook, quiet_nbgrader


def export_grades(course, destination=None):
    """Write every student's score per assignment to ``course/grades.csv`` (or ``destination``)."""
    from nbgrader.plugins import CsvExportPlugin

    from autograder.course.due_dates import refresh_late_penalties

    quiet_nbgrader()
    refresh_late_penalties(course)  # the configured policy on the current scores, as feedback and report show
    destination = destination or course.grades_csv
    plugin = CsvExportPlugin(to=str(destination))
    with open_gradebook(course) as gradebook:
        plugin.export(gradebook)
    return destination
