"""nbgrader configuration of the course (read by nbgrader's apps and by `python -m autograder`).

Every option name below was checked against nbgrader 0.9.6's own source. The course root is
the folder holding this file: run plain `nbgrader ...` commands from here, or use
`python -m autograder ... --course course`.
"""

c = get_config()  # noqa: F821 (injected by traitlets when nbgrader loads this file)

# The course id names the course in the gradebook and in the exchange.
c.CourseDirectory.course_id = "nn-from-scratch"

# Wall-clock limit for one cell while autograding or building the answer key, in seconds. A cell
# that runs longer is interrupted and recorded as an error (the rest of the notebook still runs).
c.ExecutePreprocessor.timeout = 300

# What replaces the code between `### BEGIN SOLUTION` / `### END SOLUTION` in the release.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A student who deletes a graded cell (a test cell or a written answer) gets it back from the
# gradebook instead of silently losing it (nbgrader >= 0.9: OverwriteCells.add_missing_cells).
c.OverwriteCells.add_missing_cells = True

# A test cell with anything on stderr scores zero in nbgrader. Warnings printed by the warnings
# module (NumPy's RuntimeWarning on overflow, scikit-learn's ConvergenceWarning, ...) and tqdm
# progress bars are not failures, so stderr outputs that contain one are removed after execution
# and before the grades are computed. Errors (exceptions) are separate outputs and still count.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?m)^.*:\d+: [A-Za-z_]*Warning: |\d+%\|"

# Feedback goes to students: hidden tests (and tracebacks that quote them) are removed and a
# summary of every test cell (passed / failed with its message) is put at the top. The
# preprocessor is given by name so loading this file stays cheap.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback.StudentFacingFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
