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
    "autograder.commands.feedback.StudentFacingFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Wherever nbgrader renders a notebook as HTML with this configuration -- the Formgrader (the
# autograded submissions, served from the instructor's Jupyter) and generate_feedback -- the
# student's HTML (markdown cells, HTML/SVG/JavaScript outputs, widget state) goes through the kit's
# allowlist: no script, event handler or javascript: link of a submission reaches the page.
c.HTMLExporter.preprocessors = ["autograder.safety.sanitize.SanitizeStudentHTML"]
c.HTMLExporter.filters = {"markdown2html": "autograder.safety.sanitize.safe_markdown2html",
                          "offline_maths": "autograder.pages.maths.offline_maths"}

# Maths without network in every page rendered with this configuration (feedback, the Formgrader):
# the kit's templates come first, and its `mathjax` macro puts KaTeX into the page instead of loading
# MathJax from a CDN (autograder/pages/maths.py; KaTeX is installed by `npm ci --prefix autograder/pages/static`).
# The kit's `feedback` template also says "awaiting grading" for written answers not graded yet.
# Found without importing nbgrader or the kit, so loading this file stays cheap.
import importlib.util as _importlib_util  # noqa: E402
from pathlib import Path as _Path  # noqa: E402

# nbconvert's templates also load require.js and jQuery from a CDN; no part of the kit's pages uses
# them (JavaScript outputs and widget state are removed), so they are empty scripts inside the page.
c.HTMLExporter.require_js_url = "data:text/javascript,"
c.HTMLExporter.jquery_url = "data:text/javascript,"
c.HTMLExporter.extra_template_basedirs = [
    str(_Path(_importlib_util.find_spec("autograder").submodule_search_locations[0]) / "pages" / "templates"),
    str(_Path(_importlib_util.find_spec("nbgrader").submodule_search_locations[0])
        / "server_extensions" / "formgrader" / "templates"),
]

# Grading safety (see "Grading safety" in autograder/README.md). Before nbgrader's OverwriteCells,
# every cell's nbgrader metadata is reset to the gradebook's (a test cell turned into a solution
# cell, invented grade_ids and points count for nothing), and the instructor's cells (tests, locked
# cells, written-answer cells) that a student deleted or moved are put back in the source notebook's
# order, each with a note (RestoreCellOrder; nbgrader's add_missing_cells fails with a KeyError when
# two neighbouring cells are missing). Execution uses GuardedExecute instead of
# nbgrader's Execute: a sandboxed kernel with resource limits, a guard that restores NumPy, mlp,
# builtins and IPython's machinery before every test cell, and a test cell passes only if it ran
# to its end with an "ok" reply.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "autograder.safety.sanitize.RestoreCellMetadata",
    "autograder.safety.sanitize.RestoreCellOrder",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "autograder.safety.guarded_execute.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# All cells of one notebook together get this many seconds of wall-clock time; cells left when it
# runs out are not run (their tests score zero, the earlier ones count). `grade --timeout` is the
# hard limit for a whole submission, enforced by killing the worker. Which of the four limits binds
# when: autograder/safety/time_limits.py (`grade --cell-timeout/--notebook-timeout` override these).
c.GuardedExecute.notebook_timeout = 900
# Seconds the judge kernel waits for the student kernel to answer before a test cell.
c.GuardedExecute.judge_channel_timeout = 30
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

# Late submissions (see "Late submissions" in autograder/README.md). Due dates come from
# course/due_dates.toml (written into the gradebook by `python -m autograder build`). The policy is
# the kit's nbgrader late-submission plugin: "per_day" takes percent_per_day of a notebook's points
# for every started day late (after grace_minutes), at most max_percent and never more than the
# notebook's score; "none" takes nothing; "zero" gives a late notebook zero.
c.AssignLatePenalties.plugin_class = "autograder.course.due_dates.LatePenalty"
c.LatePenalty.policy = "per_day"
c.LatePenalty.percent_per_day = 10.0
c.LatePenalty.max_percent = 100.0
c.LatePenalty.grace_minutes = 0.0

# Submission times written by nbgrader's exchange (timestamp.txt) are read back by nbgrader's
# parse_utc, which takes an abbreviation it does not know (BST, CEST, IST) as UTC and a numeric
# offset such as +0100 as that many seconds: the exchange must write its timestamps in UTC.
c.Exchange.timezone = "UTC"
