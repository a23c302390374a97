"""Grades after grading: scratch gradebooks merged into the course gradebook, grading records, CSV export.

- :mod:`.sync`: moving one student's state between the course gradebook and a private scratch one.
- :mod:`.results`: the record of each grading attempt and the file that keeps them.
- :mod:`.export`: grades as CSV with the course's late penalties applied, in one of the formats below.
- :mod:`.scores`: the score an export gives a submission (late penalty applied), and the class it reads.
- :mod:`.canvas`: the Canvas gradebook import CSV, an nbgrader export plugin (with an optional Canvas roster).
- :mod:`.exercises`: one row per submission, one column per graded cell, an nbgrader export plugin.

Imports :mod:`autograder.course` only. Only the parent grading process writes the course gradebook.
"""
