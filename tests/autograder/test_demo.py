"""End to end: ``demo`` builds, grades four sample students in parallel and prints the report."""

import re

from autograder.commands.cli import main
from autograder.gradebook.results import load_results

from .conftest import ASSIGNMENT, new_course


def test_demo_runs_the_whole_pipeline_and_prints_the_grade_table(tmp_path, capsys):
    course = new_course(tmp_path)
    code = main(["demo", "--course", str(course.root), "--no-progress"])
    output = capsys.readouterr().out
    assert code == 0, output
    records = load_results(course)
    autograded = {key.split("/")[1]: (record.status, record.score) for key, record in records.items()}
    # ada: every answer; ben: none; cleo: the first of the two code answers (sigmoid, 2 points);
    # dan: every answer but mse_answer replaced by the first wrong catalogue entry (loses test_mse, 1 point)
    assert autograded == {"ada_full": ("graded", 3.0), "ben_blank": ("graded", 0.0),
                          "cleo_partial": ("graded", 2.0), "dan_bug": ("graded", 2.0)}
    table = re.sub(r" +", " ", output)
    # cleo: 2 hours late, the course's policy takes 10% of the notebook's 4 points; her written answer is the
    # untouched stub (nbgrader scores it 0, nothing to grade); ada's written answer awaits grading
    assert f"cleo_partial {ASSIGNMENT} 1.6 / 4 final 2.0 h (-0.4) test_mse" in table
    assert f"ada_full {ASSIGNMENT} 3 / 4 provisional: awaiting saturation_answer no -" in table
    assert f"ben_blank {ASSIGNMENT} 0 / 4 final no test_sigmoid, test_mse" in table
    assert "Pass rate per exercise" in output
    assert course.grades_csv.is_file() and course.report_figure.is_file()
    assert (course.solutions / ASSIGNMENT / "fixture.ipynb").is_file()
    assert (course.feedback_dir("dan_bug", ASSIGNMENT) / "fixture.html").is_file()
