"""A pool of long-lived worker processes with a wall-clock limit per job.

Why not ``concurrent.futures.ProcessPoolExecutor``: a job that hangs (a kernel stuck outside a
cell, a submission that forks) must be stopped on its own, and a worker that dies must not
break the whole pool. Each slot here is a thread that owns one ``python -m autograder.parallel.worker``
subprocess (started with a clean environment, in its own session), sends it one job at a time,
and on timeout kills that worker's whole process tree (kernels included) and starts a new one.

Jobs and replies are the typed messages of :mod:`autograder.parallel.jobs`. Replies come back to
the calling thread through :meth:`WorkerPool.run`, in completion order,
so the caller alone touches shared state such as the course gradebook.
"""

import queue
import subprocess
import sys
import threading
from pathlib import Path

import psutil

from autograder.parallel.jobs import REPLY_TYPES, RESULT_MARKER, MessageError, read_message


class WorkerPool:
    """Run jobs (:mod:`autograder.parallel.jobs`) in ``workers`` worker processes.

    environment: the workers' (and so the kernels') environment.
    run_dir: private folder for worker logs and matplotlib caches.
    timeout: wall-clock seconds allowed per job (``TimeLimits.job``); None for no limit. Past it the
        worker's whole process tree, kernels included, is killed.
    """

    def __init__(self, workers, environment, run_dir, timeout=None):
        if workers < 1:
            raise ValueError(f"WorkerPool: workers must be >= 1, got {workers}")
        self.workers = workers
        self.environment = dict(environment)
        self.run_dir = Path(run_dir)
        self.timeout = timeout
        self._slots = []

    def __repr__(self):
        return f"WorkerPool(workers={self.workers}, run_dir={str(self.run_dir)!r}, timeout={self.timeout})"

    def start(self, expected_jobs=None):
        """Start the worker processes now (they import nbgrader while the caller prepares jobs)."""
        count = self.workers if expected_jobs is None else max(1, min(self.workers, expected_jobs))
        while len(self._slots) < count:
            slot = _Slot(len(self._slots), self)
            slot._start_worker()
            self._slots.append(slot)
        return self

    def close(self):
        """Stop the worker processes (also done at the end of :meth:`run`)."""
        for slot in self._slots:
            slot._stop_worker()
        self._slots = []

    def run(self, jobs):
        """Yield ``(job, reply)`` for every job, as each finishes.

        A job that times out or whose worker dies yields ``job.failed_reply(reason)``; the other
        jobs carry on.
        """
        jobs = list(jobs)
        pending = queue.Queue()
        finished = queue.Queue()
        for job in jobs:
            pending.put(job)
        if not jobs:
            self.close()
            return
        self.start(len(jobs))
        slots, self._slots = self._slots, []
        for slot in slots:
            slot.pending, slot.finished = pending, finished
            slot.thread.start()
        try:
            for _ in range(len(jobs)):
                job, reply = finished.get()
                if isinstance(reply, BaseException):
                    raise reply
                yield job, reply
        finally:
            for slot in slots:
                slot.stop()
            for slot in slots:
                slot.thread.join()


class SingleWorker:
    """One worker process used by its caller's thread, one job at a time, kept between jobs.

    What a Dask worker thread holds (:mod:`autograder.parallel.remote`): the same process, limit and
    kill as a :class:`WorkerPool` slot, without the pool's threads. ``run(job)`` returns the reply
    (``job.failed_reply(reason)`` on a timeout or a dead worker, which is then started again).
    """

    def __init__(self, environment, run_dir, timeout=None, number=0):
        self.timeout = timeout
        self._slot = _Slot(number, WorkerPool(1, environment, run_dir, timeout))

    def __repr__(self):
        return f"SingleWorker(run_dir={str(self._slot.pool.run_dir)!r}, timeout={self.timeout})"

    def start(self):
        """Start the worker process now (it imports nbgrader before the first job comes)."""
        if self._slot.process is None:
            self._slot._start_worker()
        return self

    def run(self, job):
        return self._slot._run_one(job)

    def close(self):
        self._slot._stop_worker()


class _Slot:
    """One worker process and the thread that feeds it."""

    def __init__(self, number, pool):
        self.number = number
        self.pool = pool
        self.pending = self.finished = None
        self.process = None
        self.busy = False
        self.stopping = threading.Event()
        self.timed_out = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=f"autograder-slot-{number}", daemon=True)

    def _start_worker(self):
        folder = self.pool.run_dir / f"worker-{self.number}"
        folder.mkdir(parents=True, exist_ok=True)
        environment = dict(self.pool.environment, AUTOGRADER_WORKER_DIR=str(folder))
        self.log = open(folder / "worker.log", "ab")  # noqa: SIM115 -- closed in _stop_worker
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.parallel.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.log, env=environment, cwd=str(folder), start_new_session=True, text=True, bufsize=1,
            preexec_fn=_limit_worker_memory)

    def _kill_worker(self):
        process = self.process
        if process is None:
            return
        try:
            tree = psutil.Process(process.pid).children(recursive=True)
        except psutil.Error:
            tree = []
        for child in tree:
            try:
                child.kill()
            except psutil.Error:
                pass
        try:
            process.kill()
        except OSError:
            pass

    def _stop_worker(self):
        if self.process is None:
            return
        try:
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self._kill_worker()
            self.process.wait()
        self.log.close()
        self.process = None

    def stop(self):
        """Ask the slot to take no more jobs; a job still running is killed (interrupted run)."""
        self.stopping.set()
        if self.busy:
            self._kill_worker()

    def _loop(self):
        try:
            while not self.stopping.is_set():
                try:
                    job = self.pending.get_nowait()
                except queue.Empty:
                    break
                self.finished.put((job, self._run_one(job)))
        except BaseException as error:  # noqa: BLE001 -- handed to the consumer, which re-raises
            self.finished.put((None, error))
        finally:
            self._stop_worker()

    def _run_one(self, job):
        if self.process is None or self.process.poll() is not None:
            if self.process is not None:
                self._stop_worker()
            self._start_worker()
        self.busy = True
        self.timed_out.clear()
        timer = None
        if self.pool.timeout is not None:
            timer = threading.Timer(self.pool.timeout, self._on_timeout)
            timer.start()
        try:
            self.process.stdin.write(job.to_json() + "\n")
            self.process.stdin.flush()
            line = self._read_result()
        except (BrokenPipeError, OSError):
            line = None
        finally:
            if timer is not None:
                timer.cancel()
            self.busy = False
        if line is not None:
            try:
                return read_message(line, (REPLY_TYPES[type(job)],))
            except MessageError as error:
                self._kill_worker()
                self._stop_worker()
                return job.failed_reply(f"the grading worker sent an unreadable reply: {error}")
        if self.timed_out.is_set():
            reason = f"grading took longer than the limit of {self.pool.timeout:g} s and was stopped"
        elif self.stopping.is_set():
            reason = "grading was interrupted"
        else:
            self.process.wait()
            reason = f"the grading worker died (exit code {self.process.returncode})"
        self._kill_worker()
        self._stop_worker()
        return job.failed_reply(reason)

    def _on_timeout(self):
        self.timed_out.set()
        self._kill_worker()

    def _read_result(self):
        for line in self.process.stdout:
            if line.startswith(RESULT_MARKER):
                return line[len(RESULT_MARKER):]
        return None


# A worker holds nbgrader, one notebook and its (capped) outputs: well under 1 GiB. The soft limit
# stops a worker that grows anyway (a flood the output caps missed) with a MemoryError that fails
# that one submission; the hard limit stays, so a kernel's launcher can still set its own limit.
WORKER_MEMORY_BYTES = 4 * 1024 ** 3


def _limit_worker_memory():
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > WORKER_MEMORY_BYTES:
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, hard))

