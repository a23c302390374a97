"""End to end: ``selfcheck`` proves the tests, and reports a catalogue entry the tests get wrong."""

from autograder.cli import main
from autograder.selfcheck import selfcheck

from .conftest import ASSIGNMENT, new_course


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
