"""The typed messages between parent and worker, the grading record's file, the options of ``grade``,
the time limits, the hidden folders and the grading notes' channel."""

import ast
import json
from dataclasses import fields
from pathlib import Path

import pytest

from autograder.commands.grade import GradeOptions, _prepare_jobs
from autograder.gradebook.results import GradingResult, ResultFileError, load_results, save_results
from autograder.parallel import answer_key, scratch_grading
from autograder.parallel.intake import SubmissionLimits
from autograder.parallel.jobs import (
    MESSAGE_VERSION,
    GradeJob,
    GradeReply,
    MessageError,
    SolutionJob,
    SolutionReply,
    read_message,
)
from autograder.safety.hidden_folders import hidden_folders
from autograder.safety.time_limits import TimeLimits

from .conftest import ASSIGNMENT, copy_course
from .helpers import source_notebook, submit

RESULT = GradingResult("ada", "01_perceptron", "graded", reason="fixture.ipynb: a note", score=2.0, max_score=3.0,
                       failed_tests=["test_mse"], needs_manual_grade=1, seconds_late=60.0, elapsed=1.5,
                       review=["suspicious: sys.settrace"])
GRADE_JOB = GradeJob(student="ada", assignment="01_perceptron", course_id="course", submission_dir="/s",
                     source_dir="/src", config_file="/c.py", template_db="/t.db", notebooks=["a.ipynb"],
                     snapshot={"student": "ada", "record": {}, "submission": None},
                     config_overrides={"GuardedExecute": {"hidden_paths": ["/x"]}}, scratch="/scratch",
                     max_file_bytes=10, max_total_bytes=100, max_files=5)
SOLUTION_JOB = SolutionJob(notebook="/n.ipynb", assignment_dir="/a", destination="/d.ipynb", scratch="/s",
                           cell_timeout=300)
MESSAGES = [GRADE_JOB, SOLUTION_JOB, GradeReply(result=RESULT, state={"notebooks": {}}, autograded_dir="/ag", log="x"),
            SolutionReply(notebook="/n.ipynb", errors=["cell 3 raised ValueError: no"], elapsed=2.0)]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda message: type(message).__name__)
def test_every_message_type_survives_a_round_trip_through_json(message):
    assert type(message).from_json(message.to_json()) == message


def test_a_message_carries_its_version_and_kind():
    data = json.loads(GRADE_JOB.to_json())
    assert (data["version"], data["kind"]) == (MESSAGE_VERSION, "grade")


def test_an_unknown_version_is_refused_naming_both_versions():
    data = dict(json.loads(GRADE_JOB.to_json()), version=99)
    with pytest.raises(MessageError, match=f"expected message version {MESSAGE_VERSION}, got 99"):
        GradeJob.from_json(json.dumps(data))


def test_an_unexpected_kind_is_refused_naming_what_was_expected():
    with pytest.raises(MessageError, match="expected a message of kind 'grade', got kind 'solution'"):
        GradeJob.from_json(SOLUTION_JOB.to_json())


def test_a_missing_field_is_named():
    data = json.loads(GRADE_JOB.to_json())
    del data["template_db"]
    with pytest.raises(MessageError, match="grade message: expected the fields .*; got missing template_db"):
        read_message(json.dumps(data), (GradeJob, SolutionJob))


def test_an_unknown_field_is_named():
    data = dict(json.loads(SOLUTION_JOB.to_json()), timeout=5)
    with pytest.raises(MessageError, match="got unknown timeout"):
        SolutionJob.from_json(json.dumps(data))


def test_text_that_is_not_json_is_refused_with_the_text():
    with pytest.raises(MessageError, match="not JSON"):
        GradeJob.from_json("Traceback (most recent call last):")


def test_a_reply_with_a_broken_result_is_refused():
    data = json.loads(MESSAGES[2].to_json())
    data["result"]["status"] = "perfect"
    with pytest.raises(MessageError, match="status must be one of graded, failed, skipped, got 'perfect'"):
        GradeReply.from_json(json.dumps(data))


def test_a_failed_reply_of_each_job_says_why():
    assert GRADE_JOB.failed_reply("the worker died").result.reason == "the worker died"
    assert GRADE_JOB.failed_reply("the worker died").result.status == "failed"
    assert SOLUTION_JOB.failed_reply("the worker died").errors == ["the worker died"]


def _attributes_read(module, name):
    tree = ast.parse(Path(module.__file__).read_text())
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name) and node.value.id == name}


@pytest.mark.parametrize("job_type, module", [(GradeJob, scratch_grading), (SolutionJob, answer_key)])
def test_the_worker_reads_every_field_of_a_job_and_no_other(job_type, module):
    read = _attributes_read(module, "job") - {"failed_reply"}
    assert read == {item.name for item in fields(job_type)}


def test_the_jobs_grade_makes_set_every_field(built_course, tmp_path):
    course = copy_course(built_course, tmp_path / "course")
    submit(course, "ada", source_notebook(course))
    options = GradeOptions(submission_limits=SubmissionLimits(max_file_bytes=7, max_total_bytes=70, max_files=3),
                           time_limits=TimeLimits(cell=11, notebook=22))
    (tmp_path / "run").mkdir()
    skipped, [job], _ = _prepare_jobs(course, [("ada", ASSIGNMENT)], options, tmp_path / "run")
    assert skipped == []
    assert all(getattr(job, item.name) not in (None, "") for item in fields(GradeJob))
    assert (job.max_file_bytes, job.max_total_bytes, job.max_files) == (7, 70, 3)
    assert job.config_overrides["ExecutePreprocessor"]["timeout"] == 11
    assert job.config_overrides["GuardedExecute"]["notebook_timeout"] == 22
    assert str(tmp_path / "run") in job.config_overrides["GuardedExecute"]["hidden_paths"]
    assert Path(job.template_db).is_file()
    assert GradeJob.from_json(job.to_json()) == job


# the record's file ------------------------------------------------------------------------------
def test_results_are_kept_with_their_version_and_read_back(course):
    save_results(course, [RESULT])
    assert json.loads(course.results_file.read_text())[RESULT.key]["version"] == 2
    assert load_results(course) == {RESULT.key: RESULT}


def test_a_results_file_of_the_previous_version_is_read_as_it_was(course):
    previous = {key: value for key, value in RESULT.to_dict().items() if key != "version"}
    course.results_file.parent.mkdir(parents=True)
    course.results_file.write_text(json.dumps({RESULT.key: previous}))
    assert load_results(course) == {RESULT.key: RESULT}


def test_a_results_file_of_an_unknown_version_tells_to_grade_again(course):
    course.results_file.parent.mkdir(parents=True)
    course.results_file.write_text(json.dumps({RESULT.key: dict(RESULT.to_dict(), version=7)}))
    with pytest.raises(ResultFileError, match="got version 7.*run `python -m autograder grade --force` again"):
        load_results(course)


def test_a_results_file_that_is_not_json_tells_to_grade_again(course):
    course.results_file.parent.mkdir(parents=True)
    course.results_file.write_text("{")
    with pytest.raises(ResultFileError, match="is not valid JSON.*grade --force"):
        load_results(course)


# options and limits ----------------------------------------------------------------------------
@pytest.mark.parametrize("arguments, message", [
    ({"workers": 0}, "workers must be a whole number >= 1 or None, got 0"),
    ({"students": "ada"}, "students must be a list of names"),
    ({"time_limits": 30}, "time_limits must be a TimeLimits, got int"),
    ({"force": "yes"}, "force must be True or False, got 'yes'"),
    ({"config_overrides": {"Execute": 3}}, "config_overrides must be"),
])
def test_grade_options_refuse_bad_values_naming_the_option(arguments, message):
    with pytest.raises((ValueError, TypeError), match=message):
        GradeOptions(**arguments)


@pytest.mark.parametrize("arguments", [{"cell": 0}, {"notebook": -1}, {"job": None}, {"judge_channel": float("inf")}])
def test_time_limits_must_be_positive_seconds(arguments):
    with pytest.raises(ValueError, match=f"TimeLimits: {next(iter(arguments))} must be a number of seconds > 0"):
        TimeLimits(**arguments)


def test_submission_limits_must_be_whole_numbers():
    with pytest.raises(ValueError, match="SubmissionLimits: max_files must be a whole number >= 1, got 0"):
        SubmissionLimits(max_files=0)


def test_the_cell_limit_binds_while_the_notebook_has_time_left():
    assert TimeLimits(cell=300, notebook=900).cell_budget(elapsed_in_notebook=100) == (300, False)


def test_the_notebook_limit_binds_when_less_is_left_than_a_cell_may_take():
    assert TimeLimits(cell=300, notebook=900).cell_budget(elapsed_in_notebook=800.5) == (100, True)


def test_without_a_notebook_limit_only_the_cell_limit_binds():
    limits = TimeLimits(cell=300, notebook=None)
    assert limits.cell_budget(elapsed_in_notebook=10 ** 6) == (300, False)
    assert limits.notebook_seconds_left(10 ** 6) == float("inf")


def test_time_limits_come_from_the_course_configuration(built_course):
    from autograder.course.directory import load_config

    limits = TimeLimits.from_config(load_config(built_course), job=60)
    assert (limits.cell, limits.notebook, limits.judge_channel, limits.job) == (300, 900, 30, 60)


def test_time_limits_become_nbgrader_configuration_only_where_set():
    assert TimeLimits(cell=2.5).config_overrides() == {"ExecutePreprocessor": {"timeout": 3}}


# hidden folders ------------------------------------------------------------------------------------
def test_hidden_folders_cover_the_course_the_run_the_repository_and_a_sqlite_gradebook(course, tmp_path):
    from autograder.course.environment import repository_root

    run = tmp_path / "run"
    folders = hidden_folders(course=course, run_dir=run, gradebook_url=f"sqlite:///{run}/jobs/1/course/gradebook.db",
                             configured=["/secret"])
    assert folders == ["/secret", str(course.root), str(course.source_notebooks), str(course.solutions), str(run),
                       repository_root(), str(run / "jobs" / "1" / "course")]


# the notes' channel ---------------------------------------------------------------------------------
def test_notes_reach_the_worker_through_the_notebooks_resources_only(monkeypatch):
    from nbgrader.converters import Autograde

    from autograder.safety.guarded_execute import NOTES_RESOURCE

    monkeypatch.setattr(Autograde, "write_single_notebook", lambda self, output, resources: None)
    converter = scratch_grading.NotedAutograde()
    converter.write_single_notebook("", {NOTES_RESOURCE: ["a.ipynb: the kernel died in cell 3"]})
    converter.write_single_notebook("", {"metadata": {"grading_notes": ["forged"]}})
    converter.write_single_notebook("", {NOTES_RESOURCE: ["a.ipynb: the kernel died in cell 3"]})
    assert converter.grading_notes == ["a.ipynb: the kernel died in cell 3"]
