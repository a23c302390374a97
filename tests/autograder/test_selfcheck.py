"""End to end: ``selfcheck`` proves the tests, and reports a catalogue entry the tests get wrong."""

from autograder.commands.cli import main
from autograder.commands.selfcheck import MutationPlan, format_mutation_score, selfcheck

from .conftest import ASSIGNMENT, REPOSITORY, new_course


def test_selfcheck_passes_on_the_fixture_lesson_and_the_cli_exits_zero(tmp_path, capsys):
    course = new_course(tmp_path)
    code = main(["selfcheck", ASSIGNMENT, "--course", str(course.root), "--no-progress"])
    output = capsys.readouterr().out
    assert code == 0, output
    assert "7 checks, 0 missed" in output
    for label in ("reference solution", "untouched release", "sigmoid_answer/wrong_linear_ramp",
                  "mse_answer/correct_explicit_average"):
        assert label in output
    assert not course.release_dir().exists(), "selfcheck must not touch the course"


def test_selfcheck_reports_each_catalogue_entry_the_tests_get_wrong(tmp_path, capsys):
    course = new_course(tmp_path)
    folder = course.source_notebooks / ASSIGNMENT / "catalogue"
    # a "wrong" implementation that the tests cannot tell from a right one, and a "correct" one that is wrong
    (folder / "mse_answer" / "wrong_but_equivalent.py").write_text(
        "# the same mean, written differently: no test can catch it\nimport numpy as np\n\n\n"
        "def mean_squared_error(outputs, targets):\n"
        "    return float(np.mean(np.square(np.subtract(outputs, targets))))\n")
    (folder / "sigmoid_answer" / "correct_but_not.py").write_text(
        "# claims to be correct but is a step function\nimport numpy as np\n\n\n"
        "def sigmoid(x):\n    return (np.asarray(x, dtype=float) > 0).astype(float)\n")
    checks = {check.submission.split(" ")[0]: check for check in selfcheck(course, [ASSIGNMENT], progress=False)}
    misses = sorted(name for name, check in checks.items() if not check.ok)
    assert misses == ["mse_answer/wrong_but_equivalent", "sigmoid_answer/correct_but_not"]
    assert checks["mse_answer/wrong_but_equivalent"].detail == "no test caught it"
    assert checks["sigmoid_answer/correct_but_not"].detail.startswith("failed: test_sigmoid")
    code = main(["selfcheck", ASSIGNMENT, "--course", str(course.root), "--no-progress", "--workers", "2"])
    assert code == 1
    assert "MISS" in capsys.readouterr().out


def test_selfcheck_mutants_grades_every_mutant_and_shows_each_survivor_with_its_diff(tmp_path, capsys):
    course = new_course(tmp_path)
    code = main(["selfcheck", ASSIGNMENT, "--course", str(course.root), "--no-progress", "--mutants"])
    output = capsys.readouterr().out
    assert code == 1, output
    # the fixture's MSE test uses targets of zero: outputs + targets and the swapped difference go unseen
    assert "7 of 9 non-equivalent mutants caught (77.8%); 0 listed as equivalent" in output
    assert output.count("SURVIVOR") == 2
    assert "-    return float(np.mean((np.asarray(outputs) - np.asarray(targets)) ** 2))\n" \
           "+    return float(np.mean((np.asarray(outputs) + np.asarray(targets)) ** 2))" in output
    assert "+    return float(np.mean((np.asarray(targets) - np.asarray(outputs)) ** 2))" in output


def test_mutants_listed_as_equivalent_are_not_graded_and_stale_entries_fail_the_check(tmp_path, capsys):
    course = new_course(tmp_path)
    listed = course.source_notebooks / ASSIGNMENT / "catalogue" / "equivalent_mutants.toml"
    listed.write_text(
        '[[mutant]]\ncell = "mse_answer"\n'
        'change = "swapped arguments: line 4: `np.asarray(outputs) - np.asarray(targets)` -> '
        '`np.asarray(targets) - np.asarray(outputs)`"\nreason = "the difference is squared"\n\n'
        '[[mutant]]\ncell = "mse_answer"\nchange = "constant: line 9: `7` -> `8`"\nreason = "no longer there"\n')
    plan = MutationPlan()
    checks = selfcheck(course, [ASSIGNMENT], progress=False, mutants=True, mutation_plan=plan)
    graded = [check.submission for check in checks if check.cell_id]
    assert len(graded) == 8 and not any("np.asarray(targets) - np.asarray(outputs)" in name for name in graded)
    assert [(cell, reason) for _, cell, _, reason in plan.equivalent] == [("mse_answer", "the difference is squared")]
    assert plan.stale == [(ASSIGNMENT, "mse_answer", "constant: line 9: `7` -> `8`")]
    output = format_mutation_score(checks, plan)
    assert "7 of 8 non-equivalent mutants caught (87.5%); 1 listed as equivalent" in output
    assert "stale entry in 00_fixture/catalogue/equivalent_mutants.toml: mse_answer: constant: line 9" in output


def test_selfcheck_mutants_on_a_sample_of_a_real_lesson_catches_them_all(tmp_path, capsys):
    # the sample bounds the time in `make test`; `make mutants` grades every mutant of every lesson
    course = new_course(tmp_path, sources=REPOSITORY / "source_notebooks")
    code = main(["selfcheck", "01_perceptron", "--course", str(course.root), "--no-progress", "--mutants",
                 "--sample", "4", "--seed", "1"])
    output = capsys.readouterr().out
    assert code == 0, output
    assert "4 of 4 non-equivalent mutants caught (100.0%); 2 listed as equivalent" in output
