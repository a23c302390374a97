"""``report``: what the gradebook holds, per submission and per exercise, and a figure.

:func:`collect_report` reads it; :mod:`.report_summary` prints the class-sized summary that ``report``
shows by default (score distributions, flags, missing work); :func:`format_report` is the full
per-submission table (``report --all``, ``demo``).

Everything comes from the course gradebook (nbgrader's Gradebook API) plus the grading records
(status and reason of submissions that could not be graded). Late penalties are computed again
first with the course's late policy (:func:`autograder.course.due_dates.refresh_late_penalties`), so the
score shown is the one ``grades.csv`` and the feedback give. A score is *provisional* while a
manually graded cell has no manual grade yet (a written answer awaiting grading, or a test cell
that nbgrader flagged for review because it was graded by hand before and autograded again).
"""

from dataclasses import dataclass, field

from autograder.course.directory import open_gradebook, quiet_nbgrader
from autograder.course.text_tables import format_table
from autograder.gradebook.results import GradingResult, load_results


@dataclass
class SubmissionRow:
    """A row of the report: the course gradebook's view of one submission, *containing* its grading record.

    Not another shape of the grading result: ``score`` here is the gradebook's total (autograded tests
    plus manual grades, minus the late penalty) and ``failed_tests`` the gradebook's, while ``record``
    (a :class:`~autograder.gradebook.results.GradingResult`, None for a submission graded outside
    ``grade``) says how grading went; ``status`` and ``reason`` are the record's.
    """

    student: str
    assignment: str
    score: float
    max_score: float
    seconds_late: float
    late_penalty: float
    failed_tests: list
    record: GradingResult = None
    awaiting_grading: list = field(default_factory=list)
    to_review: list = field(default_factory=list)

    @property
    def status(self):
        return self.record.status if self.record else "graded"

    @property
    def reason(self):
        return self.record.reason if self.record else ""

    @property
    def provisional(self):
        """Whether manual grades are still missing (the score may still change)."""
        return bool(self.awaiting_grading or self.to_review) and self.status != "failed"


@dataclass
class ExerciseRow:
    assignment: str
    test: str
    passed: int
    attempted: int

    @property
    def pass_rate(self):
        return self.passed / self.attempted if self.attempted else 0.0


@dataclass
class Report:
    """submissions: a :class:`SubmissionRow` each; exercises: an :class:`ExerciseRow` per test cell;
    students / assignments: every id and name in the gradebook (with or without a submission)."""

    submissions: list = field(default_factory=list)
    exercises: list = field(default_factory=list)
    late_policy: str = ""
    students: list = field(default_factory=list)
    assignments: list = field(default_factory=list)


def collect_report(course):
    """Read the gradebook into a :class:`Report`."""
    import warnings

    from autograder.course.directory import load_config
    from autograder.course.due_dates import configured_plugin, describe_policy, refresh_late_penalties

    quiet_nbgrader()
    records = load_results(course)
    report = Report(late_policy=describe_policy(configured_plugin(load_config(course))))
    with open_gradebook(course) as gradebook, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not in session.*")
        refresh_late_penalties(course, gradebook)
        report.students = sorted(student.id for student in gradebook.students)
        report.assignments = sorted(assignment.name for assignment in gradebook.assignments)
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            tests = {}
            for notebook in assignment.notebooks:
                solution_ids = {cell.name for cell in notebook.solution_cells}
                for cell in notebook.grade_cells:
                    if cell.name not in solution_ids:
                        tests[(notebook.name, cell.name)] = cell.max_score
            counts = {key: [0, 0] for key in tests}
            for submission in sorted(assignment.submissions, key=lambda s: s.student.id):
                record = records.get(f"{assignment.name}/{submission.student.id}")
                failed, awaiting, to_review = [], [], []
                penalty = 0.0
                for notebook in submission.notebooks:
                    penalty += notebook.late_submission_penalty or 0.0
                    manual_ids = {cell.name for cell in notebook.notebook.solution_cells}
                    for grade in notebook.grades:
                        if grade.name in manual_ids and grade.manual_score is None and grade.auto_score is None:
                            awaiting.append(grade.name)  # a written answer nobody has graded yet
                        elif grade.needs_manual_grade:
                            to_review.append(grade.name)  # nbgrader asks for a look (e.g. a manual override regraded)
                        key = (notebook.name, grade.name)
                        if key not in tests:
                            continue
                        passed = grade.score is not None and grade.score >= grade.max_score
                        if record is None or record.status == "graded":
                            counts[key][1] += 1
                            counts[key][0] += int(passed)
                        if not passed:
                            failed.append(grade.name)
                report.submissions.append(SubmissionRow(
                    student=submission.student.id, assignment=assignment.name,
                    score=submission.score - penalty, max_score=submission.max_score,
                    seconds_late=submission.total_seconds_late, late_penalty=penalty, failed_tests=failed,
                    record=record, awaiting_grading=awaiting, to_review=to_review))
            for (_, test), (passed, attempted) in counts.items():
                report.exercises.append(ExerciseRow(assignment.name, test, passed, attempted))
    return report


def format_report(report):
    """The two tables (per submission, per exercise) as text: one row per submission, for ``report --all``."""
    provisional = sum(row.provisional for row in report.submissions)
    return "\n\n".join([
        "Grades (score = autograded tests + manual grades - late penalty; late policy: {}; "
        "tests are autograded test cells){}".format(
            report.late_policy or "nbgrader's", f"\n{provisional} score(s) are provisional: manual grades are missing"
            if provisional else ""),
        format_submission_table(report),
        "Pass rate per exercise (test cell), over graded submissions",
        format_exercise_table(report),
    ])


def format_submission_table(report):
    """One row per submission: student, assignment, score, final or provisional, lateness, failed tests."""
    rows = []
    for row in report.submissions:
        late = "no" if row.seconds_late <= 0 else f"{row.seconds_late / 3600:.1f} h"
        if row.late_penalty:
            late += f" (-{row.late_penalty:g})"
        if row.status == "failed":
            failed = "NOT GRADED: " + row.reason
        else:
            failed = ", ".join(row.failed_tests) or "-"
        rows.append([row.student, row.assignment, f"{row.score:g} / {row.max_score:g}",
                     provisional_text(row), late, failed])
    return format_table(["student", "assignment", "score", "grading", "late", "failed tests"], rows)


def format_exercise_table(report):
    """One row per test cell: how many graded submissions passed it."""
    rows = [[row.assignment, row.test, f"{row.passed}/{row.attempted}", f"{row.pass_rate:.0%}"]
            for row in report.exercises]
    return format_table(["assignment", "test", "passed", "rate"], rows)


def provisional_text(row):
    """"final", or "provisional: ..." naming the manual grades a submission still lacks."""
    if not row.provisional:
        return "final"
    parts = []
    if row.awaiting_grading:
        parts.append("awaiting " + ", ".join(row.awaiting_grading))
    if row.to_review:
        parts.append("review " + ", ".join(row.to_review))
    return "provisional: " + "; ".join(parts)


def plot_report(report, path):
    """Save the score distribution and per-exercise pass rates to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (scores_axis, rates_axis) = plt.subplots(
        1, 2, figsize=(12, max(4.0, 0.3 * len(report.exercises) + 1.5)), gridspec_kw={"width_ratios": [1, 1.3]})
    assignments = sorted({row.assignment for row in report.submissions})
    percentages = [[100.0 * row.score / row.max_score if row.max_score else 0.0
                    for row in report.submissions if row.assignment == name] for name in assignments]
    if assignments:
        scores_axis.hist(percentages, bins=list(range(0, 101, 10)), stacked=True, label=assignments)
        scores_axis.legend(fontsize="small")
    scores_axis.set(title="Score distribution", xlabel="score (% of maximum)", ylabel="submissions", xlim=(0, 100))
    labels = [f"{row.assignment}: {row.test}" for row in report.exercises]
    rates = [100.0 * row.pass_rate for row in report.exercises]
    positions = list(range(len(labels)))
    rates_axis.barh(positions, rates, color="tab:green")
    rates_axis.set_yticks(positions, labels, fontsize="small")
    rates_axis.invert_yaxis()
    rates_axis.set(title="Pass rate per exercise", xlabel="submissions passing (%)", xlim=(0, 100))
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def format_similar_answers(course):
    """The answers flagged by ``grade``'s similarity pass (course/report/similarity.json), pairs with
    scores and matching lines (see :mod:`autograder.safety.similarity`); they need review, scores are unchanged."""
    from autograder.safety.similarity import format_matches, load_matches

    return format_matches(load_matches(course))
