"""``grade --scheduler``: a real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1.

A small class of the fixture lesson (right, wrong and blank answers) is graded on this machine and
through the cluster; one worker is killed (with its grading processes and kernels, as a machine
that dies) while it grades. The scores must equal the local run's, every submission must be in the
gradebook exactly once, and the run must say which worker was lost. A scheduler that goes away
stops the run with a clear error, and running ``grade`` again grades only what is missing.
"""

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from nbgrader.api import Gradebook

from autograder.commands.build import build
from autograder.commands.grade import GradeOptions, grade
from autograder.course.directory import CourseError, course_id
from autograder.notebooks.cells import replace_cell_source
from autograder.parallel.cluster import ClusterLost, DaskPool

from ..autograder.conftest import ASSIGNMENT, copy_course, new_course
from ..autograder.helpers import catalogue_source, gradebook_state, release_notebook, source_notebook, submit

pytestmark = pytest.mark.cluster
distributed = pytest.importorskip("distributed", reason="needs dask.distributed: pip install -e '.[test]'")

WRONG = [("sigmoid_answer", "wrong_linear_ramp.py"), ("sigmoid_answer", "wrong_sign_flipped.py"),
         ("mse_answer", "wrong_sum_not_mean.py")]
CORRECT = [("sigmoid_answer", "correct_naive_formula.py"), ("mse_answer", "correct_explicit_average.py")]


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    """A built fixture course with 10 submissions: 2 reference, 2 correct variants, 3 wrong, 3 blank."""
    course = new_course(tmp_path_factory.mktemp("class"))
    build(course, solutions=False, log=None)
    reference, blank = source_notebook(course), release_notebook(course)
    submissions = [reference, reference, blank, blank, blank]
    for cell_id, name in CORRECT + WRONG:
        submissions.append(replace_cell_source(reference, cell_id, catalogue_source(course, cell_id, name)))
    for number, notebook in enumerate(submissions):
        submit(course, f"student{number:02d}", notebook)
    return course, [f"student{number:02d}" for number in range(len(submissions))]


class Cluster:
    """``dask scheduler`` and ``dask worker`` processes, each in its own session so it can be killed whole."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.scheduler_file = self.folder / "scheduler.json"
        self.processes = []
        self.scheduler = self._start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                      "--scheduler-file", str(self.scheduler_file)], "scheduler")
        deadline = time.monotonic() + 60
        while not self.scheduler_file.is_file():
            assert self.scheduler.poll() is None, "dask scheduler exited: " + self._log("scheduler")
            assert time.monotonic() < deadline, "dask scheduler did not start in 60 s: " + self._log("scheduler")
            time.sleep(0.2)
        self.workers = [self._start(["worker", "--scheduler-file", str(self.scheduler_file), "--nthreads", "1",
                                     "--nworkers", "1", "--no-dashboard", "--name", f"w{n}",
                                     "--local-directory", str(self.folder / f"w{n}")], f"worker{n}")
                        for n in range(2)]

    def _start(self, arguments, name):
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 -- closed with the process
        process = subprocess.Popen([str(Path(sys.executable).with_name("dask")), *arguments],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def _log(self, name):
        return (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]

    @property
    def address(self):
        import json

        return json.loads(self.scheduler_file.read_text())["address"]

    def client(self):
        return distributed.Client(self.address, timeout=30, set_as_default=False)

    @staticmethod
    def kill(process):
        """SIGKILL the process and everything it started (grading workers, kernels)."""
        try:
            tree = psutil.Process(process.pid).children(recursive=True)
        except psutil.Error:
            tree = []
        for member in [psutil.Process(process.pid), *tree] if process.poll() is None else tree:
            try:
                member.send_signal(signal.SIGKILL)
            except psutil.Error:
                pass
        process.wait()

    def close(self):
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def cluster(tmp_path):
    started = Cluster(tmp_path)
    try:
        with started.client() as client:
            client.wait_for_workers(2, timeout=60)
        yield started
    finally:
        started.close()


def entries(course):
    """(student, assignment) pairs of the gradebook's submissions, with repeats if any."""
    with Gradebook(course.db_url, course_id(course)) as gradebook:
        return sorted((s.student.id, s.assignment.name) for a in gradebook.assignments for s in a.submissions)


def test_cluster_run_with_a_killed_worker_gives_the_local_scores(small_class, cluster, tmp_path):
    course, students = small_class
    local = copy_course(course, tmp_path / "local")
    remote = copy_course(course, tmp_path / "remote")
    local_results = grade(local, GradeOptions(workers=2, feedback=False, export=False), log=None)
    assert sorted(r.status for r in local_results) == ["graded"] * len(students)

    lines, killed = [], []
    watcher = threading.Thread(target=_kill_first_busy_worker, args=(cluster, killed), daemon=True)
    watcher.start()
    results = grade(remote, GradeOptions(scheduler=cluster.address, feedback=False, export=False),
                    log=lines.append)
    watcher.join(timeout=5)

    assert killed, "the test did not manage to kill a worker while it graded"
    assert sorted(r.student for r in results) == students
    assert all(r.status == "graded" for r in results), [(r.student, r.status, r.reason) for r in results]
    assert {r.student: r.score for r in results} == {r.student: r.score for r in local_results}
    assert gradebook_state(remote, students) == gradebook_state(local, students)
    assert entries(remote) == [(student, ASSIGNMENT) for student in students]
    assert any("was lost while grading" in line and killed[0] in line for line in lines), lines
    for student in students:
        assert sorted(p.name for p in remote.autograded_dir(student, ASSIGNMENT).iterdir()) == \
            sorted(p.name for p in local.autograded_dir(student, ASSIGNMENT).iterdir())


def _kill_first_busy_worker(cluster, killed):
    """Wait until a worker is grading a submission, then kill that worker's whole process tree."""
    with cluster.client() as client:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            busy = [address for address, keys in client.processing().items()
                    if any(str(key).startswith("grade-") for key in keys)]
            if busy:
                break
            time.sleep(0.05)
        else:
            return
        names = {address: info.get("name") for address, info in client.scheduler_info()["workers"].items()}
    time.sleep(1.0)  # well inside the job (kernel start alone takes longer)
    victim = cluster.workers[int(str(names[busy[0]]).lstrip("w"))]
    Cluster.kill(victim)
    killed.append(busy[0])


def test_a_lost_scheduler_stops_the_run_and_the_next_run_grades_the_rest(small_class, cluster, tmp_path):
    course, students = small_class
    remote = copy_course(course, tmp_path / "remote")
    lost = threading.Thread(target=_kill_scheduler_after_first_merge, args=(cluster, remote), daemon=True)
    lost.start()
    with pytest.raises(CourseError, match="went away|lost the Dask scheduler") as raised:
        grade(remote, GradeOptions(scheduler=cluster.address, feedback=False, export=False), log=None)
    assert "run grade again" in str(raised.value)
    graded_first = entries(remote)
    assert 0 < len(graded_first) < len(students), graded_first

    results = grade(remote, GradeOptions(workers=2, feedback=False, export=False), log=None)
    skipped = sorted(r.student for r in results if r.status == "skipped")
    assert skipped == sorted(student for student, _ in graded_first)
    assert entries(remote) == [(student, ASSIGNMENT) for student in students]


def _kill_scheduler_after_first_merge(cluster, course):
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if any(course.autograded_dir(student, ASSIGNMENT).is_dir()
               for student in (p.name for p in course.submitted_dir().iterdir())):
            break
        time.sleep(0.05)
    Cluster.kill(cluster.scheduler)


def test_no_scheduler_at_the_address_is_a_clear_error(tmp_path):
    with pytest.raises(ClusterLost, match="no Dask cluster at tcp://127.0.0.1:9 with a worker within 2 s"):
        DaskPool("tcp://127.0.0.1:9", tmp_path, connect_timeout=2).start()


def test_a_submission_past_the_time_limit_is_killed_on_the_worker_as_locally(small_class, cluster, tmp_path):
    """The per-submission limit holds on a Dask worker: the job's worker process and kernels are killed,
    the submission is recorded as not graded with the reason, and the next job is graded."""
    from autograder.safety.time_limits import TimeLimits

    course, _ = small_class
    remote = copy_course(course, tmp_path / "remote")
    looping = replace_cell_source(source_notebook(remote), "sigmoid_answer", "while True:\n    pass")
    submit(remote, "zz_loops", looping)
    options = GradeOptions(scheduler=cluster.address, students=("zz_loops", "student00"), feedback=False,
                           export=False, time_limits=TimeLimits(job=20))
    results = {r.student: r for r in grade(remote, options, log=None)}
    assert results["zz_loops"].status == "failed"
    assert "longer than the limit of 20 s" in results["zz_loops"].reason
    assert results["student00"].status == "graded" and results["student00"].score == results["student00"].max_score
    kernels = [process for worker in cluster.workers for process in _tree(worker)
               if "ipykernel" in " ".join(_command(process))]
    assert not kernels, [_command(process) for process in kernels]


def _tree(process):
    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        return []


def _command(process):
    try:
        return process.cmdline()
    except psutil.Error:
        return []
