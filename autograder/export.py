"""Grades as CSV in nbgrader's own export format (``nbgrader export``'s ``CsvExportPlugin``)."""

from autograder.course import open_gradebook, quiet_nbgrader


def export_grades(course, destination=None):
    """Write every student's score per assignment to ``course/grades.csv`` (or ``destination``)."""
    from nbgrader.plugins import CsvExportPlugin

    quiet_nbgrader()
    destination = destination or course.grades_csv
    plugin = CsvExportPlugin(to=str(destination))
    with open_gradebook(course) as gradebook:
        plugin.export(gradebook)
    return destination
