"""``report``'s default text: a summary that stays the same size whatever the size of the class.

For a class of 1,000 students and five lessons a row per submission is 5,000 rows; what an instructor
acts on is smaller. Per assignment: the score distribution (count, mean, minimum, quartiles, maximum and
a text histogram by tenths of the maximum), the pass rate of each test cell, the submissions that need a
person (not graded, with the reason; flagged for review by ``grade``, e.g. similar answers; cells nbgrader
asks to look at again; written answers awaiting a manual grade, counted per cell), and the students in
the gradebook with no submission. The row per submission stays in ``grades.csv`` and ``report --all``.

Scores are those of :func:`autograder.commands.report.collect_report`: points after the late penalty,
as ``grades.csv`` gives them. Submissions that could not be graded are listed, not counted in the
distribution (their zero says nothing about the class).

Quartiles interpolate linearly between ranks: the quantile at fraction ``p`` of ``n`` sorted scores
``x_0 <= ... <= x_{n-1}`` is ``x_k + (h - k) (x_{k+1} - x_k)`` with ``h = (n - 1) p`` and
``k = floor(h)`` (NumPy's default ``linear`` method, a spreadsheet's ``QUARTILE.INC``).
"""

import math
import textwrap
from dataclasses import dataclass

from autograder.commands.report import format_exercise_table
from autograder.course.text_tables import format_table

BINS = 10  # the histogram counts scores per tenth of the maximum
BAR_WIDTH = 40
REVIEW_ITEMS_SHOWN = 2  # review flags shown per submission; the rest are counted
LINE_WIDTH = 100


def quantile(sorted_values, fraction):
    """The quantile at ``fraction`` (0..1) of ``sorted_values`` (ascending, not empty), by linear interpolation."""
    position = (len(sorted_values) - 1) * fraction
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    return sorted_values[below] + (position - below) * (sorted_values[above] - sorted_values[below])


def tenth_of_maximum(score, max_score):
    """Which histogram bin ``score`` falls in: 0 for [0, 10%) of ``max_score``, ..., 9 for [90%, 100%]."""
    if not max_score or score <= 0:
        return 0
    return min(BINS - 1, math.floor(round(BINS * score / max_score, 9)))


@dataclass(frozen=True)
class ScoreDistribution:
    """The scores of one assignment's graded submissions, out of ``max_score``.

    counts: how many scores fall in each tenth of ``max_score`` (``BINS`` numbers, the last one closed: 100%).
    """

    count: int
    mean: float
    minimum: float
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: float
    max_score: float
    counts: tuple

    @classmethod
    def of(cls, scores, max_score):
        """The distribution of ``scores`` (a non-empty list of points) out of ``max_score``."""
        ordered = sorted(float(score) for score in scores)
        counts = [0] * BINS
        for score in ordered:
            counts[tenth_of_maximum(score, max_score)] += 1
        return cls(count=len(ordered), mean=sum(ordered) / len(ordered), minimum=ordered[0],
                   lower_quartile=quantile(ordered, 0.25), median=quantile(ordered, 0.5),
                   upper_quartile=quantile(ordered, 0.75), maximum=ordered[-1], max_score=float(max_score),
                   counts=tuple(counts))

    def histogram(self):
        """One line per tenth of the maximum: its range, a bar of ``#`` scaled to the largest count, the count."""
        largest = max(self.counts) or 1
        lines = []
        for index, count in enumerate(self.counts):
            label = f"{BINS * index}-{BINS * (index + 1)}%"
            bar = "#" * math.ceil(BAR_WIDTH * count / largest) if count else ""
            lines.append(f"  {label:>8} |{bar:<{BAR_WIDTH}} {count}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"ScoreDistribution(count={self.count}, mean={self.mean:g}, median={self.median:g}, "
                f"max_score={self.max_score:g})")


def points(value):
    """A score as text, to two decimals at most: 2.5, 2.57, 3."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def distributions(report):
    """``{assignment: ScoreDistribution or None}`` over the graded submissions (None: none graded)."""
    found = {}
    for assignment in assignment_names(report):
        graded = [row for row in report.submissions if row.assignment == assignment and row.status != "failed"]
        found[assignment] = ScoreDistribution.of([row.score for row in graded], graded[0].max_score) \
            if graded else None
    return found


def assignment_names(report):
    return sorted(set(report.assignments) | {row.assignment for row in report.submissions})


def missing_work(report):
    """``{assignment: [students in the gradebook with no submission for it]}``."""
    submitted = {}
    for row in report.submissions:
        submitted.setdefault(row.assignment, set()).add(row.student)
    return {assignment: [student for student in report.students if student not in submitted.get(assignment, set())]
            for assignment in assignment_names(report)}


def flagged_rows(report):
    """``[student, assignment, flag, detail]`` for every submission a person should look at, but written
    answers awaiting their grade (counted per cell by :func:`awaiting_grading`)."""
    rows = []
    for row in report.submissions:
        if row.status == "failed":
            rows.append([row.student, row.assignment, "not graded", row.reason or "-"])
        review = row.record.review if row.record else []
        if review:
            shown = "; ".join(review[:REVIEW_ITEMS_SHOWN])
            more = f" (+{len(review) - REVIEW_ITEMS_SHOWN} more)" if len(review) > REVIEW_ITEMS_SHOWN else ""
            rows.append([row.student, row.assignment, "needs review", shown + more])
        if row.to_review and row.status != "failed":
            rows.append([row.student, row.assignment, "regrade by hand",
                         "nbgrader asks for a look at " + ", ".join(row.to_review)])
    return rows


def awaiting_grading(report):
    """``{assignment: {cell: submissions whose written answer in that cell has no manual grade yet}}``."""
    found = {}
    for row in report.submissions:
        if row.status == "failed":
            continue
        for cell in row.awaiting_grading:
            cells = found.setdefault(row.assignment, {})
            cells[cell] = cells.get(cell, 0) + 1
    return found


def format_summary(report):
    """The whole summary as text (see the module docstring)."""
    names = assignment_names(report)
    found = distributions(report)
    missing = missing_work(report)
    policy = report.late_policy or "nbgrader's"
    sections = [
        f"Grades of {len(report.students)} student(s) in {len(names)} assignment(s) (score = autograded tests + "
        f"manual grades - late penalty; late policy: {policy}).\n"
        "One row per submission: course/grades.csv, or `report --all`.",
        "Score distribution per assignment, over graded submissions (points)",
        format_table(["assignment", "submitted", "graded", "mean", "min", "Q1", "median", "Q3", "max", "out of"],
                     [_distribution_row(name, found[name], report) for name in names]),
    ]
    for name in names:
        if found[name] is not None:
            sections.append(f"{name}: submissions per tenth of the maximum ({points(found[name].max_score)} points)\n"
                            + found[name].histogram())
    sections += ["Pass rate per exercise (test cell), over graded submissions", format_exercise_table(report)]
    sections.append(_format_flags(report))
    sections.append(_format_awaiting(report))
    sections.append(_format_missing(missing))
    return "\n\n".join(sections)


def _distribution_row(name, distribution, report):
    rows = [row for row in report.submissions if row.assignment == name]
    graded = sum(row.status != "failed" for row in rows)
    submitted = f"{len(rows)} / {len(report.students)}"
    if distribution is None:
        return [name, submitted, graded, "-", "-", "-", "-", "-", "-", "-"]
    d = distribution
    return [name, submitted, graded, points(d.mean), points(d.minimum), points(d.lower_quartile),
            points(d.median), points(d.upper_quartile), points(d.maximum), points(d.max_score)]


def _format_flags(report):
    rows = flagged_rows(report)
    if not rows:
        return "Flagged submissions: none (no grading failure, no review flag)"
    return (f"Flagged submissions: {len(rows)} flag(s) for a person to look at (scores are unchanged)\n"
            + format_table(["student", "assignment", "flag", "detail"], rows))


def _format_awaiting(report):
    waiting = awaiting_grading(report)
    if not waiting:
        return "Provisional scores: none (every manually graded answer has its grade)"
    submissions = sum(1 for row in report.submissions if row.awaiting_grading and row.status != "failed")
    rows = [[assignment, cell, count] for assignment, cells in sorted(waiting.items())
            for cell, count in sorted(cells.items())]
    return (f"Provisional scores: {submissions} submission(s) await manual grading (Formgrader), per answer cell\n"
            + format_table(["assignment", "answer cell", "submissions awaiting a grade"], rows))


def _format_missing(missing):
    lines = []
    for assignment, students in missing.items():
        if students:
            lines.append(textwrap.fill(", ".join(students), width=LINE_WIDTH, initial_indent="  ",
                                       subsequent_indent="  ", break_on_hyphens=False))
            lines.insert(-1, f"{assignment}: {len(students)} student(s) without a submission")
    if not lines:
        return "Missing work: none (every student in the gradebook submitted every assignment)"
    return "Missing work (students in the gradebook with no submission)\n" + "\n".join(lines)
