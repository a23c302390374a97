"""``report`` summarises: score distributions, pass rates, flags and missing work; ``--all`` adds every row.

Statistics are checked against values worked out by hand (and, for the quantile rule, against NumPy's
``percentile``, an independent implementation of the same definition). The class is :mod:`.sample_class`,
with two grading records added: ben's 01_alpha flagged for review, cat's 02_beta not graded.
"""

import re

import numpy as np
import pytest

from autograder.commands.cli import main
from autograder.commands.report import Report, SubmissionRow, collect_report
from autograder.commands.report_summary import (
    ScoreDistribution,
    awaiting_grading,
    distributions,
    flagged_rows,
    format_summary,
    missing_work,
    tenth_of_maximum,
)
from autograder.gradebook.results import GradingResult, save_results

from .conftest import new_course
from .sample_class import build_sample_class

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

SIMILAR = "similar answer: t1 lines 1-4 match cat's answer (90% of this answer)"


@pytest.fixture(scope="module")
def flagged_class(tmp_path_factory):
    course = build_sample_class(new_course(tmp_path_factory.mktemp("report")))
    save_results(course, [GradingResult("ben", "01_alpha", "graded", review=[SIMILAR, "changed file: data.npz",
                                                                              "suspicious code: open()"]),
                          GradingResult("cat", "02_beta", "failed", reason="not a valid notebook")])
    return course


@pytest.fixture(scope="module")
def report(flagged_class):
    return collect_report(flagged_class)


def test_distribution_of_a_few_scores_is_the_one_worked_out_by_hand():
    # sorted 1, 2, 2, 3, 9.5, 10 (n = 6): the quantile at p sits at (n - 1) p = 5p
    distribution = ScoreDistribution.of([10, 2, 9.5, 1, 3, 2], max_score=10)
    assert distribution.count == 6 and distribution.mean == pytest.approx(27.5 / 6)
    assert (distribution.minimum, distribution.maximum) == (1, 10)
    assert distribution.lower_quartile == 2  # position 1.25: between 2 and 2
    assert distribution.median == 2.5  # position 2.5: halfway from 2 to 3
    assert distribution.upper_quartile == pytest.approx(7.875)  # position 3.75: 3 + 0.75 * (9.5 - 3)
    assert distribution.counts == (0, 1, 2, 1, 0, 0, 0, 0, 0, 2)  # 10/10 falls in the last, closed, tenth


@pytest.mark.parametrize("scores", [[3.0], [0, 4], [1, 2, 2, 3, 9.5, 10], [0.5, 7, 7, 7.25, 8, 1.5, 3.3]])
def test_quartiles_are_numpys_linear_percentiles(scores):
    distribution = ScoreDistribution.of(scores, max_score=10)
    assert [distribution.lower_quartile, distribution.median, distribution.upper_quartile] == pytest.approx(
        np.percentile(scores, [25, 50, 75]))


@pytest.mark.parametrize(("score", "max_score", "tenth"), [
    (0, 4, 0), (0.39, 4, 0), (0.4, 4, 1), (2.8, 4, 7), (3.99, 4, 9), (4, 4, 9), (-1, 4, 0), (1, 0, 0)])
def test_each_score_falls_in_its_tenth_of_the_maximum(score, max_score, tenth):
    assert tenth_of_maximum(score, max_score) == tenth


def test_the_histogram_has_a_line_per_tenth_with_a_bar_scaled_to_the_largest_count():
    lines = ScoreDistribution.of([10, 2, 9.5, 1, 3, 2], max_score=10).histogram().splitlines()
    assert len(lines) == 10
    assert lines[0] == "     0-10% |" + " " * 40 + " 0"
    assert lines[2] == "    20-30% |" + "#" * 40 + " 2"
    assert lines[3] == "    30-40% |" + "#" * 20 + " " * 20 + " 1"
    assert lines[9].startswith("   90-100% |" + "#" * 40)


def test_the_sample_class_distributions_exclude_what_could_not_be_graded(report):
    found = distributions(report)
    alpha = found["01_alpha"]  # ann 4, ben 2.5 - 0.8 = 1.7, cat 2 (written answer not graded yet)
    assert (alpha.count, alpha.minimum, alpha.median, alpha.maximum, alpha.max_score) == (3, 1.7, 2, 4, 4)
    assert alpha.mean == pytest.approx(7.7 / 3)
    assert (alpha.lower_quartile, alpha.upper_quartile) == (pytest.approx(1.85), 3)  # positions 0.5 and 1.5
    assert alpha.counts == (0, 0, 0, 0, 1, 1, 0, 0, 0, 1)  # 42.5%, 50%, 100%
    beta = found["02_beta"]  # cat's was not graded: only ann's 5 counts
    assert (beta.count, beta.mean, beta.max_score) == (1, 5, 5)


def test_flags_name_the_failed_and_the_reviewed_submissions(report):
    assert flagged_rows(report) == [
        ["ben", "01_alpha", "needs review", f"{SIMILAR}; changed file: data.npz (+1 more)"],
        ["cat", "02_beta", "not graded", "not a valid notebook"]]
    assert awaiting_grading(report) == {"01_alpha": {"w1": 1}}  # cat's written answer


def test_missing_work_lists_the_students_without_a_submission(report):
    assert missing_work(report) == {"01_alpha": ["dan"], "02_beta": ["ben", "dan"]}


def test_the_summary_text_has_each_part_and_no_row_per_submission(report):
    text = re.sub(r" +", " ", format_summary(report))
    assert "Grades of 4 student(s) in 2 assignment(s)" in text
    assert "late policy: 10% of the notebook's points per started day late, at most 100%" in text
    assert "01_alpha 3 / 4 3 2.57 1.7 1.85 2 3 4 4" in text
    assert "02_beta 2 / 4 1 5 5 5 5 5 5 5" in text
    assert "01_alpha t1 2/3 67%" in text and "02_beta t3 1/1 100%" in text
    assert "cat 02_beta not graded not a valid notebook" in text
    assert "Provisional scores: 1 submission(s) await manual grading" in text and "01_alpha w1 1" in text
    assert "02_beta: 2 student(s) without a submission\n ben, dan" in text
    assert "ann 01_alpha 4 / 4" not in text


def test_the_summary_keeps_its_size_for_a_thousand_students():
    def report_of(students):
        names = [f"s{index:04d}" for index in range(students)]
        rows = [SubmissionRow(student=name, assignment=assignment, score=index % 11, max_score=10, seconds_late=0,
                              late_penalty=0, failed_tests=[]) for assignment in ("a", "b", "c", "d", "e")
                for index, name in enumerate(names)]
        return Report(submissions=rows, students=names, assignments=list("abcde"))

    small, large = (format_summary(report_of(count)).splitlines() for count in (10, 1000))
    assert len(large) == len(small) < 90


def test_report_prints_the_summary_and_all_adds_the_table_of_every_submission(flagged_class, capsys):
    arguments = ["report", "--course", str(flagged_class.root), "--no-figure"]
    assert main(arguments) == 0
    summary = re.sub(r" +", " ", capsys.readouterr().out)
    assert "Flagged submissions: 2 flag(s)" in summary and "ann 01_alpha 4 / 4" not in summary
    assert main([*arguments, "--all"]) == 0
    full = re.sub(r" +", " ", capsys.readouterr().out)
    assert "Flagged submissions: 2 flag(s)" in full
    assert "ann 01_alpha 4 / 4 final no -" in full
    assert "ben 01_alpha 1.7 / 4 final 30.0 h (-0.8) t2" in full
    assert "cat 02_beta 2 / 5 final 1.0 h (-0.5) NOT GRADED: not a valid notebook" in full
