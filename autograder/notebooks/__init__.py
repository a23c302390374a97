"""Notebooks as data: nbgrader cell roles, source checks, the lesson catalogue, mutants, sample submissions.

- :mod:`.cells`: what role each cell plays (on top of ``nbgrader.utils``), hidden tests, reading,
  writing and replacing cells. The one place that decides "a test cell" or "a solution cell".
- :mod:`.catalogue`: the lessons' right and wrong answers (``catalogue/``) and their checks.
- :mod:`.mutants`: automatic small bugs in an answer cell, for ``selfcheck --mutants``.
- :mod:`.sample_submissions`: submissions made the way a student would, from the release.
- :mod:`.source_names`: the names a cell's code reads and binds (static analysis; the judge in
  :mod:`autograder.safety.judge` uses it too, installed in its kernel by source).

Runs no code of a notebook. Imports nbformat and nbgrader only; the other rooms import it.
"""
