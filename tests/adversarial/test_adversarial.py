"""Hostile, broken and cheating submissions graded end to end next to honest students.

One course holds the fixture assignment, a two-notebook assignment ``01_pair`` (see
:mod:`tests.adversarial.kit`), four honest students and every case of ``cases_kernel``,
``cases_tamper``, ``cases_escape``, ``cases_forge``, ``cases_leak`` and ``cases_budget``; it is graded once with
``python -m autograder grade`` in a subprocess, as an instructor runs it (2 workers, an 8 s per-cell
timeout, a 20 s per-notebook limit, files over 1 MB not graded, kernels limited to 20 MB files),
while a listener on this machine records what kernels send it and the workers' memory is sampled.
A second course holds only the honest students and is graded the same way. Every case must end
as expected (score, reason, and its own check: nothing leaked, nothing written outside its job, a
budget that bound), the honest students' grades must be identical in both runs, the gradebook
must be sound and no submitted file may change.

``AUTOGRADER_ADVERSARIAL_ONLY=name,name`` grades only those cases (for working on one case).
"""

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

import nbformat
import psutil
import pytest

from autograder.course.directory import open_gradebook
from autograder.notebooks.cells import hidden_test_lines
from autograder.notebooks.sample_submissions import format_timestamp
from autograder.safety.sandbox_support import bwrap_problem

from ..autograder.conftest import ASSIGNMENT, AUTOGRADED_MAX, NOTEBOOK, copy_course, new_course
from ..autograder.helpers import (
    catalogue_source,
    gradebook_state,
    release_notebook,
    source_notebook,
    tree_digest,
    visible_text,
    with_cell,
)
from . import cases_budget, cases_escape, cases_forge, cases_kernel, cases_leak, cases_tamper
from .cases import ANY_REASON
from .kit import PAIR, PAIR_NOTEBOOKS, Kit, Listener, Outcome, write_pair_sources

pytestmark = [pytest.mark.xdist_group(name="adversarial"),
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

SUBMITTED_AT = datetime(2025, 3, 13, 12, 0, tzinfo=timezone.utc)
SANDBOXED = bwrap_problem() is None
CASES = (cases_kernel.CASES + cases_tamper.CASES + cases_escape.CASES + cases_forge.CASES + cases_leak.CASES
         + cases_budget.CASES)
ONLY = [name for name in os.environ.get("AUTOGRADER_ADVERSARIAL_ONLY", "").split(",") if name]
GRADED_CASES = [case for case in CASES if (SANDBOXED or not case.needs_sandbox) and (not ONLY or case.name in ONLY)]
GRADE_OPTIONS = ["--workers", "2", "--cell-timeout", "8", "--notebook-timeout", "20", "--max-file-mb", "1",
                 "--timeout", "180", "--no-progress"]
# the instructor's points: test_sigmoid 2, test_mse 1 (autograded), saturation_answer 1 (by hand)
INSTRUCTOR_MAX_SCORES = {"test_sigmoid": 2.0, "test_mse": 1.0, "saturation_answer": 1.0}


HONEST_SCORES = {"honest_full": 3.0, "honest_partial": 1.0, "honest_release": 0.0, "honest_pair": 6.0}


def pair_notebooks(course, folder):
    return {name: nbformat.read(str(folder(PAIR) / name), as_version=4) for name in PAIR_NOTEBOOKS}


def honest_submissions(course):
    source, release = source_notebook(course), release_notebook(course)
    wrong = with_cell(source, "sigmoid_answer", catalogue_source(course, "sigmoid_answer", "wrong_linear_ramp.py"))
    return {"honest_full": (ASSIGNMENT, {NOTEBOOK: source}), "honest_partial": (ASSIGNMENT, {NOTEBOOK: wrong}),
            "honest_release": (ASSIGNMENT, {NOTEBOOK: release}),
            "honest_pair": (PAIR, pair_notebooks(course, course.source_dir))}


def write_files(course, student, files, assignment=ASSIGNMENT):
    folder = course.submitted_dir(student, assignment)
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            nbformat.write(content, str(folder / name))
    (folder / "timestamp.txt").write_text(format_timestamp(SUBMITTED_AT))


def make_files(case, kit):
    return case.make(kit) if case.takes_kit else case.make(kit.source, kit.release)


class WorkerMemory:
    """Samples the resident memory of every ``autograder.parallel.worker`` process while a run goes on."""

    def __init__(self):
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        while not self._stop.wait(0.2):
            for process in psutil.process_iter(["cmdline", "memory_info"]):
                cmdline = process.info["cmdline"] or []
                if "autograder.parallel.worker" in cmdline and process.info["memory_info"] is not None:
                    self.peak = max(self.peak, process.info["memory_info"].rss)


def escape_markers(course, token):
    """Files named ``ESCAPED-<token>-*`` that a submission left outside its job."""
    from autograder.course.environment import repository_root

    found = list(course.root.rglob(f"ESCAPED-{token}-*"))
    for folder in ("/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~"), repository_root(), "/"):
        if os.path.isdir(folder):
            found += [os.path.join(folder, name) for name in os.listdir(folder) if name.startswith(f"ESCAPED-{token}-")]
    return sorted(map(str, found))


def stop_left_processes(token):
    """Kill processes a submission left behind (their pid files are ``/tmp/ESCAPED-<token>-*.pid``)."""
    left = []
    for name in os.listdir("/tmp"):
        if name.startswith(f"ESCAPED-{token}-") and name.endswith(".pid"):
            try:
                pid = int(open(os.path.join("/tmp", name)).read().strip())
                if psutil.pid_exists(pid):
                    left.append(pid)
                    os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError):
                pass
    return left


def run_grade(course):
    environment = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    completed = subprocess.run([sys.executable, "-m", "autograder", "grade", "--course", str(course.root),
                                "--source-notebooks", str(course.source_notebooks), *GRADE_OPTIONS],
                               env=environment, capture_output=True, text=True, timeout=600)
    results = json.loads(course.results_file.read_text()) if course.results_file.is_file() else {}
    return completed, {key.split("/", 1)[1]: value for key, value in results.items()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from autograder.commands.build import build

    mixed = new_course(tmp_path_factory.mktemp("mixed"))
    write_pair_sources(mixed.source_notebooks / ASSIGNMENT / NOTEBOOK, mixed.source_notebooks / PAIR)
    with open(mixed.config_file, "a") as handle:  # a small file limit so the file bomb is cheap
        handle.write("\nc.GuardedExecute.file_size_bytes = 20 * 1024 ** 2\n")
    build(mixed, solutions=False, log=None)
    honest = honest_submissions(mixed)
    for student, (assignment, files) in honest.items():
        write_files(mixed, student, files, assignment)
    alone = copy_course(mixed, tmp_path_factory.mktemp("honest-alone"))
    listener = Listener()
    kit = Kit(source=source_notebook(mixed), release=release_notebook(mixed),
              pair_source=pair_notebooks(mixed, mixed.source_dir),
              pair_release=pair_notebooks(mixed, mixed.release_dir),
              token=secrets.token_hex(6), listener_port=listener.port)
    for case in GRADED_CASES:
        write_files(mixed, case.name, make_files(case, kit), case.assignment)
    before = {"mixed": tree_digest(mixed.submitted_dir()), "alone": tree_digest(alone.submitted_dir())}
    try:
        with WorkerMemory() as mixed_memory:
            started = time.monotonic()
            mixed_run, mixed_results = run_grade(mixed)
            mixed_seconds = time.monotonic() - started
        with WorkerMemory() as alone_memory:
            alone_run, alone_results = run_grade(alone)
        time.sleep(2.0)  # a process left behind has had time to act after both runs
    finally:
        listener.close()
    left_processes = stop_left_processes(kit.token)
    yield {"mixed": mixed, "alone": alone, "mixed_run": mixed_run, "alone_run": alone_run,
           "results": mixed_results, "alone_results": alone_results, "honest": sorted(honest),
           "before": before, "source": kit.source, "token": kit.token, "listener": listener,
           "worker_peak_rss": mixed_memory.peak, "alone_worker_peak_rss": alone_memory.peak,
           "left_processes": left_processes, "mixed_seconds": mixed_seconds,
           "markers": escape_markers(mixed, kit.token)}
    for marker in escape_markers(mixed, kit.token):
        if marker.startswith(("/tmp/", "/var/tmp/", "/dev/shm/")):
            os.unlink(marker)


def test_the_suite_has_at_least_25_adversarial_cases():
    if ONLY:
        pytest.skip("AUTOGRADER_ADVERSARIAL_ONLY picks the cases")
    assert len(GRADED_CASES) >= 25


def test_grade_runs_to_the_end_and_reports_every_submission(graded):
    for run in ("mixed_run", "alone_run"):
        assert graded[run].returncode == 0, graded[run].stderr[-2000:]
    assert set(graded["results"]) == {case.name for case in GRADED_CASES} | set(graded["honest"])


def _outputs_text(notebook_path):
    notebook = nbformat.read(str(notebook_path), as_version=4)
    chunks = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            chunks.append(output.get("text", "") + " " + output.get("evalue", ""))
    return "\n".join(chunks)


def _graded_case(case):
    if case.needs_sandbox and not SANDBOXED:
        pytest.skip(f"needs the bwrap sandbox: {bwrap_problem()}")
    if case not in GRADED_CASES:
        pytest.skip("not picked by AUTOGRADER_ADVERSARIAL_ONLY")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_adversarial_case_ends_as_expected(graded, case):
    _graded_case(case)
    result, expected = graded["results"][case.name], case.expected
    assert result["status"] == expected.status, (case.what, result)
    if expected.score is not None:
        assert result["score"] == expected.score, (case.what, result)
    assert result["max_score"] == (AUTOGRADED_MAX if case.assignment == ASSIGNMENT else expected.max_score)
    if expected.phrase is None:
        assert result["reason"] == "", (case.what, result["reason"])
    elif expected.phrase != ANY_REASON:
        assert expected.phrase in result["reason"], (case.what, result["reason"])
    if expected.output is not None:
        text = _outputs_text(graded["mixed"].autograded_dir(case.name, ASSIGNMENT) / NOTEBOOK)
        assert expected.output in text, case.what


CHECKED_CASES = [case for case in CASES if case.check is not None]


@pytest.mark.parametrize("case", CHECKED_CASES, ids=[case.name for case in CHECKED_CASES])
def test_adversarial_case_passes_its_own_check(graded, case):
    _graded_case(case)
    case.check(Outcome(case, graded))


def test_nothing_is_written_outside_the_jobs(graded):
    assert graded["markers"] == []


def test_no_process_of_a_submission_acts_after_grading(graded):
    assert graded["left_processes"] == []


def test_honest_grades_are_identical_with_and_without_the_adversarial_submissions(graded):
    honest = graded["honest"]
    fixture_students = [student for student in honest if student != "honest_pair"]
    assert gradebook_state(graded["mixed"], fixture_students) == gradebook_state(graded["alone"], fixture_students)
    for student in honest:
        mixed, alone = graded["results"][student], graded["alone_results"][student]
        assert {k: mixed[k] for k in ("status", "score", "failed_tests", "reason")} == {
            k: alone[k] for k in ("status", "score", "failed_tests", "reason")}, student
    assert {student: graded["results"][student]["score"] for student in honest} == HONEST_SCORES
    for course in ("mixed", "alone"):
        with open_gradebook(graded[course]) as gradebook:
            assert gradebook.find_submission(PAIR, "honest_pair").score == 6.0, course


def test_grades_csv_has_a_row_for_every_submission_and_no_hidden_tests(graded):
    text = graded["mixed"].grades_csv.read_text()
    rows = text.splitlines()[1:]
    for student in graded["results"]:
        assert any(f",{student}," in row for row in rows), student
    assert "hidden_canary" not in text


def test_the_gradebook_passes_an_integrity_check(graded):
    course = graded["mixed"]
    with sqlite3.connect(course.gradebook_file) as database:
        assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = database.execute(
            "SELECT student.id, assignment.name, COUNT(*) FROM submitted_assignment "
            "JOIN student ON student.id = submitted_assignment.student_id "
            "JOIN assignment ON assignment.id = submitted_assignment.assignment_id "
            "GROUP BY student.id, assignment.name").fetchall()
    students = set(graded["results"])
    assignments = {case.name: case.assignment for case in GRADED_CASES} | {"honest_pair": PAIR}
    assert {student for student, _, _ in rows} == students
    assert all(count == 1 and assignment == assignments.get(student, ASSIGNMENT) for student, assignment, count in rows)
    with open_gradebook(course) as gradebook:
        for assignment, names in ((ASSIGNMENT, ["fixture"]), (PAIR, [name[:-6] for name in PAIR_NOTEBOOKS])):
            for name in names:
                notebook = gradebook.find_notebook(name, assignment)
                assert {cell.name: cell.max_score for cell in notebook.grade_cells} == INSTRUCTOR_MAX_SCORES
        for student in students:
            assignment = assignments.get(student, ASSIGNMENT)
            for notebook in gradebook.find_submission(assignment, student).notebooks:
                for grade in notebook.grades:
                    assert grade.max_score == INSTRUCTOR_MAX_SCORES[grade.name]
                    if grade.auto_score is not None:
                        assert 0.0 <= grade.auto_score <= grade.max_score, (student, grade.name)


def test_no_submitted_file_changed(graded):
    assert tree_digest(graded["mixed"].submitted_dir()) == graded["before"]["mixed"]
    assert tree_digest(graded["alone"].submitted_dir()) == graded["before"]["alone"]


def test_feedback_never_shows_hidden_tests(graded):
    hidden = hidden_test_lines(graded["source"])
    course = graded["mixed"]
    pages = list(course.feedback_dir().rglob("*.html"))
    assignments = {case.name: case.assignment for case in GRADED_CASES} | {"honest_pair": PAIR}
    assert len(pages) == sum(2 if assignments.get(student) == PAIR and graded["results"][student]["status"] == "graded"
                             else 1 for student in graded["results"])
    for page in pages:
        text = visible_text(page.read_text())
        assert "hidden_canary" not in text, page
        for line in hidden:
            assert line not in text, (page, line)


def test_cheats_are_flagged_for_review_and_honest_students_are_not(graded):
    results = graded["results"]
    for name in ("custom_exception_handler", "showtraceback_replaced", "error_cleared_by_event_hook",
                 "hook_installed_during_test", "ast_transformer_strips_asserts", "numpy_allclose_patched",
                 "numpy_name_rebound", "os_exit_during_test"):
        assert results[name]["review"], name
    for student in graded["honest"]:  # their answers are the catalogue's, shared by many cases: similar by design
        assert [flag for flag in results[student]["review"] if not flag.startswith("similar answer: ")] == [], student


def test_cli_prints_the_needs_review_flags(graded):
    assert "needs review: 00_fixture/custom_exception_handler" in graded["mixed_run"].stdout


def test_no_process_of_a_submission_outlives_its_grading(graded):
    if not SANDBOXED:
        pytest.skip(f"needs the bwrap sandbox: {bwrap_problem()}")
    leftovers = [p.info for p in psutil.process_iter(["pid", "cmdline"]) if p.info["cmdline"] == ["sleep", "4242"]]
    assert leftovers == []
