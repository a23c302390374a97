"""LMS exports: the Canvas gradebook import CSV and the per-exercise CSV, both nbgrader export plugins.

The class is :mod:`.sample_class` (scores and late penalties known by construction); the expected files in
``fixtures/lms_export/`` are written by hand from its table. The roster is a Canvas gradebook export as
Canvas writes it (header, "Points Possible" row, read-only totals, a quiz of another tool, a student
unknown to nbgrader; dan is missing from it).
"""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.commands.cli import main
from autograder.gradebook.canvas import RosterError, read_roster
from autograder.gradebook.export import export

from .conftest import copy_course, new_course
from .sample_class import build_sample_class

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lms_export"
ROSTER = FIXTURES / "canvas_roster.csv"
CANVAS_NAMES = {"01_alpha": "Neural Networks 1", "02_beta": "Neural Networks 2"}


@pytest.fixture(scope="module")
def sample_template(tmp_path_factory):
    return build_sample_class(new_course(tmp_path_factory.mktemp("sample")))


@pytest.fixture
def sample_course(sample_template, tmp_path):
    """A copy of the sample class for one test (exports write files into the course)."""
    return copy_course(sample_template, tmp_path)


def expected(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_canvas_csv_without_a_roster_is_the_hand_written_file(sample_course):
    written = export(sample_course, "canvas")
    assert written.path == sample_course.root / "canvas_grades.csv"
    assert written.path.read_text(encoding="utf-8") == expected("canvas_expected_no_roster.csv")
    assert written.warnings == []


def test_canvas_csv_with_a_roster_takes_canvas_ids_and_columns_and_warns_of_every_mismatch(sample_course):
    written = export(sample_course, "canvas", roster=str(ROSTER), assignment_map=CANVAS_NAMES)
    assert written.path.read_text(encoding="utf-8") == expected("canvas_expected_roster.csv")
    assert len(written.warnings) == 2
    unknown, absent = written.warnings
    assert "1 student(s) of the roster are not in the nbgrader gradebook" in unknown and "Evans, Eve" in unknown
    assert "1 student(s) of the nbgrader gradebook have no row in the roster" in absent and absent.endswith(": dan")


def test_canvas_scores_are_those_of_grades_csv(sample_course):
    canvas = export(sample_course, "canvas").path
    with open(export(sample_course, "nbgrader").path, newline="") as handle:
        nbgrader_scores = {(row["student_id"], row["assignment"]): float(row["score"])
                           for row in csv.DictReader(handle)}
    with open(canvas, newline="") as handle:
        rows = list(csv.DictReader(handle))[1:]
    for row in rows:
        for assignment in ("01_alpha", "02_beta"):
            if row[assignment]:  # a submission; grades.csv gives 0 to the missing ones, Canvas an empty cell
                assert float(row[assignment]) == pytest.approx(nbgrader_scores[(row["SIS Login ID"], assignment)])
            else:
                assert nbgrader_scores[(row["SIS Login ID"], assignment)] == 0.0
    assert nbgrader_scores[("ben", "01_alpha")] == pytest.approx(1.7)  # 2.5 - 20% of 4: the late penalty applied


def test_missing_submissions_are_zero_only_when_asked(sample_course):
    written = export(sample_course, "canvas", missing_as_zero=True)
    rows = written.path.read_text().splitlines()
    assert rows[3] == '"Brown, Ben",,,ben,,1.7,0' and rows[5] == '"Dale, Dan",,,dan,,0,0'


def test_an_assignment_without_a_roster_column_is_written_by_name_with_a_warning(sample_course):
    written = export(sample_course, "canvas", roster=str(ROSTER), assignment_map={"01_alpha": "Neural Networks 1"})
    header = written.path.read_text().splitlines()[0]
    assert header.endswith(",Neural Networks 1 (1001),02_beta")
    assert any(warning.startswith("assignment 02_beta: the roster has no column '02_beta'") and
               "Canvas makes a new assignment" in warning for warning in written.warnings)


def test_matching_by_sis_user_id_uses_that_column(sample_course, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Neural Networks 2 (1002)\n"
                      '"Cole, Cat",503,cat,c.cole@uni.example,Section B,\n', encoding="utf-8")
    written = export(sample_course, "canvas", roster=str(roster), match_by="SIS User ID", assignment="02_beta",
                     assignment_map=CANVAS_NAMES)
    assert written.path.read_text().splitlines()[2] == '"Cole, Cat",503,cat,c.cole@uni.example,Section B,2'
    [absent] = written.warnings
    assert "3 student(s) of the nbgrader gradebook have no row in the roster (no SIS User ID" in absent


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("Student,ID,SIS User ID,Section\n", "no column 'SIS Login ID'"),
    ("Name,Section,SIS Login ID\n", "no column 'Student', 'ID'"),
])
def test_a_roster_that_is_not_a_canvas_export_is_refused_with_the_reason(tmp_path, text, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError, match=message):
        read_roster(roster)


def test_the_roster_reader_skips_the_points_row_and_keeps_the_assignment_ids():
    roster = read_roster(ROSTER)
    assert [student["SIS Login ID"] for student in roster.students] == ["ann", "ben", "cat", "eve"]
    assert roster.assignments == {"Quiz 0": "Quiz 0 (999)", "Neural Networks 1": "Neural Networks 1 (1001)",
                                  "Neural Networks 2": "Neural Networks 2 (1002)"}
    assert roster.identity == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def test_per_exercise_csv_is_the_hand_written_file(sample_course):
    written = export(sample_course, "exercises")
    assert written.path == sample_course.root / "exercise_grades.csv"
    assert written.path.read_text(encoding="utf-8") == expected("exercises_expected.csv")


def test_the_command_line_writes_each_format_and_prints_the_warnings(sample_course, tmp_path, capsys):
    course = ["--course", str(sample_course.root)]
    target = tmp_path / "to_canvas.csv"
    assert main(["export", *course, "--format", "canvas", "--to", str(target), "--roster", str(ROSTER),
                 "--assignment-map", "01_alpha=Neural Networks 1", "02_beta=Neural Networks 2"]) == 0
    output = capsys.readouterr()
    assert target.read_text() == expected("canvas_expected_roster.csv")
    assert f"grades (canvas): {target}" in output.out
    assert output.err.count("warning: ") == 2 and "Evans, Eve" in output.err
    assert main(["export", *course, "--format", "exercises"]) == 0
    assert (sample_course.root / "exercise_grades.csv").read_text() == expected("exercises_expected.csv")
    assert main(["export", *course]) == 0
    assert "grades (nbgrader): " in capsys.readouterr().out and sample_course.grades_csv.is_file()


def test_the_command_line_refuses_canvas_options_for_another_format_and_a_bad_roster(sample_course, capsys):
    course = ["--course", str(sample_course.root)]
    assert main(["export", *course, "--format", "exercises", "--roster", str(ROSTER)]) == 2
    assert "--roster is an option of --format canvas" in capsys.readouterr().err
    assert main(["export", *course, "--format", "canvas", "--roster", str(sample_course.root / "absent.csv")]) == 2
    assert "cannot be read" in capsys.readouterr().err
    assert main(["export", *course, "--format", "canvas", "--assignment-map", "01_alpha"]) == 2
    assert "ASSIGNMENT=CANVAS_NAME" in capsys.readouterr().err


@pytest.mark.parametrize(("plugin", "expected_file"), [
    ("autograder.gradebook.canvas.CanvasExportPlugin", "canvas_expected_no_roster.csv"),
    ("autograder.gradebook.exercises.ExerciseExportPlugin", "exercises_expected.csv"),
])
def test_nbgrader_export_runs_the_plugins(sample_course, tmp_path, plugin, expected_file):
    from autograder.course.due_dates import refresh_late_penalties

    refresh_late_penalties(sample_course)  # what `grade` leaves in the gradebook; nbgrader export reads it as is
    target = tmp_path / "out.csv"
    environment = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    completed = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--exporter={plugin}", f"--to={target}"],
                               cwd=sample_course.root, env=environment, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert target.read_text(encoding="utf-8") == expected(expected_file)


def test_nbgrader_export_takes_the_roster_from_the_course_configuration(sample_course, tmp_path):
    with open(sample_course.config_file, "a") as handle:
        handle.write(f"\nc.CanvasExportPlugin.roster = {str(ROSTER)!r}\n"
                     f"c.CanvasExportPlugin.assignment_map = {CANVAS_NAMES!r}\n")
    written = export(sample_course, "canvas", destination=tmp_path / "configured.csv")
    assert written.path.read_text(encoding="utf-8") == expected("canvas_expected_roster.csv")
