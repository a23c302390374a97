"""Pages the kit renders (feedback, the Formgrader): offline maths, templates and the KaTeX assets.

- :mod:`.maths`: KaTeX inlined into each page instead of MathJax from a CDN.
- ``templates/``: nbconvert templates found by ``course/nbgrader_config.py``.
- ``static/``: KaTeX from npm (``npm ci --prefix autograder/pages/static``).

What of a student's HTML may reach a page is decided in :mod:`autograder.safety.sanitize`.
"""
