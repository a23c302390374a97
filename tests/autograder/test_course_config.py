"""course/nbgrader_config.py: every option is a real nbgrader 0.9.6 option and does what it says."""

import io
import re
import warnings

import nbformat
import pytest
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExecutePreprocessor
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.abc import Exchange
from nbgrader.preprocessors import AssignLatePenalties, ClearSolutions, Execute, IgnorePattern, OverwriteCells
from sklearn.exceptions import ConvergenceWarning
from tqdm import tqdm

from autograder.course.directory import Course, load_config
from autograder.course.due_dates import LatePenalty
from autograder.safety.guarded_execute import GuardedExecute

from .conftest import REPOSITORY

CONFIGURED_CLASSES = {cls.__name__: cls for cls in (
    CourseDirectory, ExecutePreprocessor, ClearSolutions, OverwriteCells, IgnorePattern, GenerateFeedback, Autograde,
    GuardedExecute, HTMLExporter, AssignLatePenalties, LatePenalty, Exchange)}


@pytest.fixture(scope="module")
def config():
    return load_config(Course.at(REPOSITORY / "course"))


def test_every_configured_option_is_a_configurable_trait_of_nbgrader(config):
    for section, values in config.items():
        if section not in CONFIGURED_CLASSES:
            continue  # the root is set by the loader
        names = CONFIGURED_CLASSES[section].class_trait_names(config=True)
        for key in values:
            assert key in names, f"{section}.{key} is not an option of nbgrader 0.9.6"
    assert set(config) - {"CourseDirectory"} <= set(CONFIGURED_CLASSES)


def test_course_id_is_set(config):
    assert CourseDirectory(config=config).course_id == "nn-from-scratch"


def test_per_cell_timeout_reaches_nbgraders_execute_preprocessor(config):
    assert Execute(config=config).timeout == config.ExecutePreprocessor.timeout > 0


def test_autograding_executes_with_the_guarded_preprocessor_and_restores_metadata_first(config):
    sanitize, execute = config.Autograde.sanitize_preprocessors, config.Autograde.autograde_preprocessors
    assert "nbgrader.preprocessors.Execute" not in execute
    assert execute[0] == "autograder.safety.guarded_execute.GuardedExecute"
    assert sanitize.index("autograder.safety.sanitize.RestoreCellMetadata") < sanitize.index(
        "nbgrader.preprocessors.OverwriteCells")
    guarded = GuardedExecute(config=config)
    assert guarded.timeout == config.ExecutePreprocessor.timeout
    assert guarded.notebook_timeout > guarded.timeout
    assert guarded.sandbox == "auto"


def test_code_stub_is_the_python_not_implemented_stub(config):
    assert ClearSolutions(config=config).code_stub == {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}


def test_deleted_graded_cells_are_added_back(config):
    assert OverwriteCells(config=config).add_missing_cells is True


def _warning_text(message, category):
    return warnings.formatwarning(message, category, "/tmp/ipykernel_41/2204.py", 3, "    return 1 / (1 + np.exp(-x))")


@pytest.mark.parametrize("text", [
    _warning_text("overflow encountered in exp", RuntimeWarning),
    _warning_text("lbfgs failed to converge (status=1)", ConvergenceWarning),
    _warning_text("`np.float` is a deprecated alias", DeprecationWarning),
    "some output first\n" + _warning_text("invalid value encountered in divide", RuntimeWarning),
])
def test_stderr_with_a_python_warning_is_ignored(config, text):
    assert re.search(config.IgnorePattern.pattern, text)


def test_stderr_with_a_tqdm_progress_bar_is_ignored(config):
    stream = io.StringIO()
    for _ in tqdm(range(3), file=stream, ascii=False):
        pass
    assert re.search(config.IgnorePattern.pattern, stream.getvalue())


@pytest.mark.parametrize("text", [
    "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad shape\n",
    "error: weights have the wrong shape\n",
    "I print my debugging here\n",
    "Warning: this line has no file and line number\n",
])
def test_other_stderr_is_kept(config, text):
    assert not re.search(config.IgnorePattern.pattern, text)


def test_ignore_pattern_preprocessor_drops_warning_output_and_keeps_errors(config):
    cell = nbformat.v4.new_code_cell("np.exp(1000.0)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=_warning_text("overflow encountered in exp",
                                                                           RuntimeWarning)),
        nbformat.v4.new_output("error", ename="AssertionError", evalue="wrong", traceback=[]),
    ]
    preprocessor = IgnorePattern(config=config)
    assert preprocessor.enabled
    cell, _ = preprocessor.preprocess_cell(cell, {}, 0)
    assert [output.output_type for output in cell.outputs] == ["error"]


def test_feedback_preprocessors_run_the_student_facing_filter_after_getgrades(config):
    names = list(config.GenerateFeedback.preprocessors)
    student_facing = names.index("autograder.commands.feedback.StudentFacingFeedback")
    assert names.index("nbgrader.preprocessors.GetGrades") < student_facing
