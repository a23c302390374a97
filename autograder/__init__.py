"""The instructor's pipeline on top of nbgrader: build, parallel grading, feedback, grades, self-check.

Run ``python -m autograder --help``. Importing this package is cheap: nbgrader's configuration
file names :class:`autograder.commands.feedback.StudentFacingFeedback` by its dotted path, so the heavy
modules are imported only by the subcommands that need them.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
