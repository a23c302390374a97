"""A Dask worker's side of cluster grading: one task grades one submission that arrived as data.

:func:`grade_parcels` runs in a ``dask worker`` process (on any machine with the kit installed and,
for full isolation, bubblewrap). It unpacks the job's parcels (:mod:`.parcels`) into a private
folder of this machine, grades the submission exactly as a local run does -- in a long-lived
``python -m autograder.parallel.worker`` process of its own (:class:`.pool.WorkerPool`'s slot, one
per Dask thread), with the same per-submission wall-clock limit and the kill of the whole process
tree, kernels included, when it overruns -- and answers with the reply as JSON and the autograded
notebooks as a parcel. Nothing here touches a gradebook other than the job's scratch copy.
"""

import queue
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from autograder.parallel.jobs import GradeJob
from autograder.parallel.parcels import pack_folder, unpack_folder

_LOCK = threading.Lock()
_RUN_DIR = []  # this process's folder for the jobs it grades (made on first use)
_IDLE = queue.LifoQueue()  # this process's grading worker processes that are not grading now
_NUMBERS = iter(range(1 << 30))  # their folders: worker-0, worker-1, ...


def grade_parcels(job_json, submission, assignment_files, timeout, host_threads):
    """Grade one submission on this machine.

    job_json: the :class:`~.jobs.GradeJob` as the parent wrote it (its paths are the parent's).
    submission: the parcel of the submission (already within the course's submission limits).
    assignment_files: ``{"source": parcel of the assignment's source, "config": the course
        configuration's text, "template": the bytes of the assignment's template gradebook}``.
    timeout: wall-clock seconds allowed for the job (``TimeLimits.job``), or None.
    host_threads: ``{host: Dask threads on it}`` (:func:`threads_per_host`): this machine's cores are
        shared by its Dask threads, so each kernel gets ``cores // threads`` BLAS threads.
    Returns ``{"reply": GradeReply JSON (autograded_dir ""), "autograded": parcel or b"", "worker": address}``.
    """
    job = GradeJob.from_json(job_json)
    run_dir = _run_dir()
    folder = Path(tempfile.mkdtemp(prefix="job-", dir=run_dir / "jobs"))
    try:
        inputs = folder / "inputs"
        unpack_folder(submission, inputs / "submitted")
        unpack_folder(assignment_files["source"], inputs / "source")
        (inputs / "nbgrader_config.py").write_text(assignment_files["config"])
        (inputs / "template.db").write_bytes(assignment_files["template"])
        local_job = replace(
            job, submission_dir=str(inputs / "submitted"), source_dir=str(inputs / "source"),
            config_file=str(inputs / "nbgrader_config.py"), template_db=str(inputs / "template.db"),
            scratch=str(folder / "grading"), config_overrides=_hiding(job.config_overrides, run_dir))
        worker = _acquire(run_dir, timeout, _blas_threads(host_threads))
        try:
            reply = worker.run(local_job)
        finally:
            _IDLE.put(worker)
        autograded = pack_folder(reply.autograded_dir) if reply.autograded_dir else b""
        return {"reply": replace(reply, autograded_dir="").to_json(), "autograded": autograded,
                "worker": _worker_address()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _hiding(overrides, run_dir):
    """The job's configuration, with this machine's run folder and kit hidden from kernels too."""
    from autograder.safety.hidden_folders import hidden_folders

    overrides = {section: dict(values) for section, values in overrides.items()}
    guarded = overrides.setdefault("GuardedExecute", {})
    guarded["hidden_paths"] = hidden_folders(run_dir=run_dir, configured=guarded.get("hidden_paths", ()))
    return overrides


def _run_dir():
    with _LOCK:
        if not _RUN_DIR:
            folder = Path(tempfile.mkdtemp(prefix="autograder-remote-"))
            (folder / "jobs").mkdir()
            _RUN_DIR.append(folder)
        return _RUN_DIR[0]


def _acquire(run_dir, timeout, blas_threads):
    """An idle grading worker process with these settings, or a new one (kept for the next jobs)."""
    from autograder.course.environment import clean_environment
    from autograder.parallel.pool import SingleWorker

    while True:
        try:
            worker = _IDLE.get_nowait()
        except queue.Empty:
            break
        if worker.timeout == timeout and worker.blas_threads == blas_threads:
            return worker
        worker.close()
    with _LOCK:
        number = next(_NUMBERS)
    worker = SingleWorker(clean_environment(blas_threads=blas_threads), run_dir, timeout=timeout, number=number)
    worker.blas_threads = blas_threads
    return worker


def start_workers(timeout, host_threads, dask_worker=None):
    """Start one grading worker process per Dask thread of this process now (``Client.run`` at start,
    which passes ``dask_worker``)."""
    run_dir = _run_dir()
    blas_threads = _blas_threads(host_threads, dask_worker)
    workers = [_acquire(run_dir, timeout, blas_threads) for _ in range(_dask_threads(dask_worker))]
    for worker in workers:
        worker.start()
        _IDLE.put(worker)
    return len(workers)


def _this_worker(dask_worker=None):
    """The Dask worker this code runs in (None outside one)."""
    if dask_worker is not None:
        return dask_worker
    try:
        from distributed import get_worker

        return get_worker()
    except (ImportError, ValueError):
        return None


def _dask_threads(dask_worker=None):
    worker = _this_worker(dask_worker)
    return max(1, worker.state.nthreads) if worker is not None else 1


def _worker_address():
    worker = _this_worker()
    return worker.address if worker is not None else "(not in a Dask worker)"


def threads_per_host(workers):
    """``{host: Dask threads on it}`` from the scheduler's ``{address: {"host": ..., "nthreads": ...}}``."""
    threads = {}
    for info in workers.values():
        threads[info.get("host", "?")] = threads.get(info.get("host", "?"), 0) + max(1, int(info.get("nthreads", 1)))
    return threads


def _blas_threads(host_threads, dask_worker=None):
    """BLAS threads per kernel here: this machine's cores shared by the Dask threads on it."""
    from autograder.course.environment import cpu_count

    worker = _this_worker(dask_worker)
    host = worker.address.rsplit(":", 1)[0].split("://")[-1] if worker is not None else None
    return max(1, cpu_count() // max(1, host_threads.get(host, _dask_threads(dask_worker))))
