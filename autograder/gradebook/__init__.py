"""Grades after grading: scratch gradebooks merged into the course gradebook, grading records, CSV export.

- :mod:`.sync`: moving one student's state between the course gradebook and a private scratch one.
- :mod:`.results`: the record of each grading attempt and the file that keeps them.
- :mod:`.export`: nbgrader's CSV export with the course's late penalties applied.

Imports :mod:`autograder.course` only. Only the parent grading process writes the course gradebook.
"""
