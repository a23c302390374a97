"""``python -m autograder SUBCOMMAND [--course DIR]``: the instructor's commands.

build      copy source_notebooks/ into the course, generate the release and the answer key
grade      autograde submissions in parallel, then feedback and grades.csv
feedback   (re)generate feedback from the gradebook (e.g. after manual grading)
export     write course/grades.csv (nbgrader's CSV export); --format canvas|exercises: Canvas, per exercise
report     score distributions, pass rate per exercise, flags, missing work, figure; --all: every submission
selfcheck  prove the tests: solutions get every point, the release none, the catalogue behaves;
           --mutants: automatic mutants of every answer cell must lose points
demo       build, sample students, parallel grading and the report (what `make demo` runs)
"""

import argparse
import sys
import warnings

from autograder.commands import hub as hub_command
from autograder.course.directory import Course, CourseError
from autograder.notebooks.cells import SourceNotebookError


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text}")
    return value


def _positive_float(text):
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text}")
    return value


def make_parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course", default="course", help="nbgrader course root (default: course/)")
    common.add_argument("--source-notebooks", default=None,
                        help="lesson sources (default: source_notebooks/ next to the course)")
    common.add_argument("--solutions", default=None, help="answer key folder (default: solutions/ next to the course)")
    parallel = argparse.ArgumentParser(add_help=False)
    parallel.add_argument("--workers", type=_positive_int, default=None,
                          help="worker processes (default: number of cores)")
    parallel.add_argument("--no-progress", action="store_true", help="no progress bar")

    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")

    build = commands.add_parser("build", parents=[common, parallel], help="build release and answer key")
    build.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    build.add_argument("--no-solutions", action="store_true", help="skip the answer key")

    grade = commands.add_parser("grade", parents=[common, parallel], help="autograde submissions in parallel")
    grade.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    grade.add_argument("--students", nargs="+", default=None, metavar="STUDENT")
    grade.add_argument("--timeout", type=_positive_float, default=None,
                       help="wall-clock seconds allowed per submission, then its worker and kernels are killed "
                            "(default: 1800; see autograder/safety/time_limits.py)")
    grade.add_argument("--cell-timeout", type=_positive_float, default=None,
                       help="seconds per cell (default: ExecutePreprocessor.timeout in nbgrader_config.py)")
    grade.add_argument("--notebook-timeout", type=_positive_float, default=None,
                       help="seconds for all cells of a notebook; later cells are not run "
                            "(default: GuardedExecute.notebook_timeout in nbgrader_config.py)")
    grade.add_argument("--max-file-mb", type=_positive_float, default=None,
                       help="submitted files larger than this are not graded (default: 100)")
    grade.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="grade on the workers of this Dask scheduler (tcp://host:8786) instead of this "
                            "machine; see README, 'Grading on a cluster'")
    grade.add_argument("--force", action="store_true", help="grade again submissions already autograded")
    grade.add_argument("--no-feedback", action="store_true", help="do not generate feedback")
    grade.add_argument("--no-export", action="store_true", help="do not write grades.csv")
    grade.add_argument("--keep-scratch", action="store_true", help="keep the scratch courses (debugging)")

    feedback = commands.add_parser("feedback", parents=[common], help="generate feedback from the gradebook")
    feedback.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    feedback.add_argument("--students", nargs="+", default=None, metavar="STUDENT")

    export = commands.add_parser("export", parents=[common], help="write grades.csv, a Canvas or a per-exercise CSV",
                                 description="See docs/lms_export.md.")
    export.add_argument("--format", choices=["nbgrader", "canvas", "exercises"], default="nbgrader",
                        help="nbgrader: course/grades.csv (default); canvas: course/canvas_grades.csv, "
                             "Canvas's gradebook import; exercises: course/exercise_grades.csv, a column per cell")
    export.add_argument("--to", default=None, metavar="PATH", help="write here instead")
    export.add_argument("--roster", default=None, metavar="CSV",
                        help="canvas: the gradebook CSV exported from Canvas, for its student and assignment ids")
    export.add_argument("--match-by", choices=["sis-login-id", "sis-user-id"], default=None,
                        help="canvas: the roster column holding the nbgrader student id (default: sis-login-id)")
    export.add_argument("--assignment-map", nargs="+", default=None, metavar="ASSIGNMENT=CANVAS_NAME",
                        help="canvas: the Canvas name of an assignment whose name differs from the kit's")
    export.add_argument("--missing-as-zero", action="store_true",
                        help="canvas: 0 for a missing submission (default: an empty cell)")

    report = commands.add_parser("report", parents=[common], help="score summary and figure")
    report.add_argument("--no-figure", action="store_true")
    report.add_argument("--all", action="store_true", help="also the table with one row per submission")

    selfcheck = commands.add_parser("selfcheck", parents=[common, parallel], help="prove the tests")
    selfcheck.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    selfcheck.add_argument("--mutants", action="store_true",
                           help="grade automatic mutants of every answer cell instead of the catalogue")
    selfcheck.add_argument("--sample", type=_positive_int, default=None,
                           help="with --mutants: grade this many mutants per assignment (default: all)")
    selfcheck.add_argument("--seed", type=int, default=0, help="with --sample: the seed of the draw (default: 0)")

    demo = commands.add_parser("demo", parents=[common, parallel], help="the whole pipeline on sample students")
    demo.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    hub_command.add_arguments(commands.add_parser("hub", help="the course on JupyterHub: users, exchange, roles"))
    return parser


def main(argv=None):
    arguments = make_parser().parse_args(argv)
    # nbgrader's own ORM code triggers harmless SQLAlchemy "not in session" warnings
    warnings.filterwarnings("ignore", message=".*not in session.*")
    course = Course.at(arguments.course, arguments.source_notebooks, arguments.solutions)
    progress = None if not getattr(arguments, "no_progress", False) else False
    try:
        return COMMANDS[arguments.command](course, arguments, progress)
    except (CourseError, SourceNotebookError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:  # BuildError and feedback failures carry readable messages
        print(f"error: {error}", file=sys.stderr)
        return 1


def _build(course, arguments, progress):
    from autograder.commands.build import build

    build(course, arguments.assignments or None, solutions=not arguments.no_solutions, workers=arguments.workers)
    return 0


def grade_options(arguments, progress):
    """The :class:`~autograder.commands.grade.GradeOptions` of ``grade``'s command line."""
    from autograder.commands.grade import GradeOptions
    from autograder.parallel.intake import SubmissionLimits
    from autograder.safety.time_limits import DEFAULT_JOB_SECONDS, TimeLimits

    limits = TimeLimits(cell=arguments.cell_timeout, notebook=arguments.notebook_timeout,
                        job=arguments.timeout or DEFAULT_JOB_SECONDS)
    submission = SubmissionLimits(max_file_bytes=int(arguments.max_file_mb * 1024 ** 2)) if arguments.max_file_mb \
        else SubmissionLimits()
    return GradeOptions(assignments=arguments.assignments or None, students=arguments.students,
                        workers=arguments.workers, scheduler=arguments.scheduler, time_limits=limits,
                        submission_limits=submission,
                        force=arguments.force, progress=progress, feedback=not arguments.no_feedback,
                        export=not arguments.no_export, keep_scratch=arguments.keep_scratch)


def _grade(course, arguments, progress):
    from autograder.commands.grade import grade
    from autograder.course.text_tables import format_table

    results = grade(course, grade_options(arguments, progress))
    rows = [[r.student, r.assignment, r.status, f"{r.score:g} / {r.max_score:g}" if r.status != "skipped"
             else "", "; ".join(filter(None, [r.reason, ", ".join(r.failed_tests),
                                             "NEEDS REVIEW" if r.review else ""]))] for r in results]
    print(format_table(["student", "assignment", "status", "autograded", "failed tests / reason"], rows))
    flagged = [r for r in results if r.review]
    for result in flagged:
        print(f"needs review: {result.key}: " + "; ".join(result.review[:5]))
    skipped = sum(r.status == "skipped" for r in results)
    if skipped:
        print(f"{skipped} submission(s) already autograded and unchanged were skipped (use --force to grade again)")
    if not arguments.no_export:
        print(f"grades: {course.grades_csv}")
    return 0


def _feedback(course, arguments, progress):
    from autograder.commands.feedback import generate_feedback
    from autograder.gradebook.results import GradingResult, load_results

    records = load_results(course)
    chosen = []
    for student, assignment in course.submissions(arguments.assignments or None, arguments.students):
        record = records.get(f"{assignment}/{student}")
        if record is not None:
            chosen.append(record)
        elif course.autograded_dir(student, assignment).is_dir():
            chosen.append(GradingResult(student, assignment, "graded"))
    generate_feedback(course, chosen)
    print(f"feedback for {len(chosen)} submission(s) in {course.feedback_dir()}")
    return 0


def _export(course, arguments, progress):
    from autograder.gradebook.canvas import RosterError
    from autograder.gradebook.export import export

    match_by = {"sis-login-id": "SIS Login ID", "sis-user-id": "SIS User ID"}.get(arguments.match_by)
    canvas_options = {"roster": arguments.roster, "assignment_map": _assignment_map(arguments.assignment_map),
                      "match_by": match_by, "missing_as_zero": arguments.missing_as_zero or None}
    given = [name for name, value in canvas_options.items() if value is not None]
    if arguments.format != "canvas" and given:
        raise CourseError(f"--{given[0].replace('_', '-')} is an option of --format canvas")
    try:
        written = export(course, arguments.format, arguments.to, **(canvas_options if given else {}))
    except RosterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for warning in written.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"grades ({written.format}): {written.path}")
    return 0


def _assignment_map(pairs):
    """``["01_perceptron=Lab 1"]`` -> ``{"01_perceptron": "Lab 1"}`` (None when no pair is given)."""
    if not pairs:
        return None
    if not all("=" in pair for pair in pairs):
        raise CourseError("--assignment-map takes ASSIGNMENT=CANVAS_NAME pairs, got " + " ".join(pairs))
    return dict(pair.split("=", 1) for pair in pairs)


def _report(course, arguments, progress):
    from autograder.commands.report import collect_report, format_similar_answers, format_submission_table, plot_report
    from autograder.commands.report_summary import format_summary

    sqlite_gradebook = course.gradebook_file  # None when the gradebook is on a database server
    if sqlite_gradebook is not None and not sqlite_gradebook.is_file():
        raise CourseError(f"no gradebook at {sqlite_gradebook}: build and grade first")
    report = collect_report(course)
    print(format_summary(report))
    if arguments.all:
        print("\nEvery submission\n" + format_submission_table(report))
    print("\n" + format_similar_answers(course))
    if not arguments.no_figure:
        print(f"\nfigure: {plot_report(report, course.report_figure)}")
    return 0


def _selfcheck(course, arguments, progress):
    import time

    from autograder.commands.selfcheck import MutationPlan, format_checks, format_mutation_score, selfcheck

    started, plan = time.monotonic(), MutationPlan()
    checks = selfcheck(course, arguments.assignments or None, workers=arguments.workers, progress=progress,
                       mutants=arguments.mutants, sample=arguments.sample, seed=arguments.seed, mutation_plan=plan)
    if arguments.mutants:
        print(format_mutation_score(checks, plan))
        print(f"\nwall time: {time.monotonic() - started:.0f} s")
    else:
        print(format_checks(checks))
    return 0 if checks and all(check.ok for check in checks) and not plan.stale else 1


def _demo(course, arguments, progress):
    from autograder.commands.demo import demo

    demo(course, arguments.assignments or None, workers=arguments.workers, progress=progress)
    return 0


COMMANDS = {"build": _build, "grade": _grade, "feedback": _feedback, "export": _export, "report": _report,
            "selfcheck": _selfcheck, "demo": _demo, "hub": hub_command.cli_entry}
