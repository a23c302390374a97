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

# Wherever nbgrader renders a notebook as HTML with this configuration -- the Formgrader (the
# autograded submissions, served from the instructor's Jupyter) and generate_feedback -- the
# student's HTML (markdown cells, HTML/SVG/JavaScript outputs, widget state) goes through the kit's
# allowlist: no script, event handler or javascript: link of a submission reaches the page.
c.HTMLExporter.preprocessors = ["autograder.sanitize.SanitizeStudentHTML"]
c.HTMLExporter.filters = {"markdown2html": "autograder.sanitize.safe_markdown2html"}

# Grading safety (see "Grading safety" in autograder/README.md). Before nbgrader's OverwriteCells,
# every cell's nbgrader metadata is reset to the gradebook's (a test cell turned into a solution
# cell, invented grade_ids and points count for nothing). Execution uses GuardedExecute instead of
# nbgrader's Execute: a sandboxed kernel with resource limits, a guard that restores NumPy, mlp,
# builtins and IPython's machinery before every test cell, and a test cell passes only if it ran
# to its end with an "ok" reply.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "autograder.sanitize.RestoreCellMetadata",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "autograder.guarded_execute.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# All cells of one notebook together get this many seconds of wall-clock time; cells left when it
# runs out are not run (their tests score zero, the earlier ones count). `grade --timeout` is the
# hard limit for a whole submission, enforced by killing the worker.
c.GuardedExecute.notebook_timeout = 900
# "auto": the bwrap sandbox when it works on this machine (apt-get install bubblewrap), else only
# resource limits; "bwrap": refuse to grade without it; "none": resource limits only.
c.GuardedExecute.sandbox = "auto"
# Resource limits of each kernel (0 = unset): CPU seconds, address space, largest file written,
# extra processes (the last is not enforced when grading as root).
c.GuardedExecute.cpu_seconds = 3600
c.GuardedExecute.memory_bytes = 4 * 1024 ** 3
c.GuardedExecute.file_size_bytes = 256 * 1024 ** 2
c.GuardedExecute.max_processes = 256
# Output kept per cell; the rest is dropped with a note.
c.GuardedExecute.max_output_bytes = 2_000_000
