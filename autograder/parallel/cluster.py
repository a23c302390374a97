"""Grading on a Dask cluster: ``grade --scheduler ADDRESS`` (``dask.distributed``).

:class:`DaskPool` has :class:`~.pool.WorkerPool`'s interface (``start``, ``run(jobs)`` yielding
``(job, reply)`` in completion order, ``close``), so ``grade`` merges replies into the gradebook the
same way: the parent alone writes it. Each :class:`~.jobs.GradeJob` travels as data -- its JSON,
the parcel (:mod:`.parcels`) of the submission (copied within the course's submission limits
first), and once per task the assignment's source parcel, configuration text and template
gradebook -- to :func:`.remote.grade_parcels` on a Dask worker, which grades it in a local worker
process with the same per-submission limit and kill as a local run. The reply and the parcel of
the autograded notebooks come back as data and are unpacked into this run's folder.

Faults:

- a worker that dies mid-job: the scheduler runs its tasks again elsewhere (Dask's
  ``distributed.scheduler.allowed-failures``, 3 by default; a submission that takes down that many
  workers fails with the reason). Each task's future resolves once, so each submission is merged
  once; :meth:`DaskPool.summary` names the lost workers and the submissions they were grading;
- a scheduler that goes away: :class:`ClusterLost` stops the run; what was merged stays in the
  gradebook and running ``grade`` again grades only what is missing.

Workers come from anywhere Dask starts them: ``dask worker ADDRESS`` by hand, Slurm through
``dask-jobqueue``, Kubernetes through ``dask-kubernetes`` (see README, "Grading on a cluster").
"""

import time
from pathlib import Path

from autograder.parallel.intake import SubmissionLimits, copy_submission
from autograder.parallel.jobs import GradeReply, MessageError, read_message
from autograder.parallel.parcels import ParcelError, pack_folder, unpack_folder


class ClusterLost(RuntimeError):
    """The Dask scheduler could not be reached, or went away during the run."""


class DaskPool:
    """Run :class:`~.jobs.GradeJob` s on the Dask cluster whose scheduler is at ``scheduler``.

    run_dir: this run's private folder (outgoing submissions, returned notebooks).
    timeout: wall-clock seconds allowed per job on the worker (``TimeLimits.job``); None for no limit.
    connect_timeout: seconds to wait for the scheduler and for at least one worker.
    """

    def __init__(self, scheduler, run_dir, timeout=None, connect_timeout=30):
        if not isinstance(scheduler, str) or not scheduler:
            raise ValueError(f"DaskPool: scheduler must be an address such as tcp://host:8786, got {scheduler!r}")
        self.scheduler = scheduler
        self.run_dir = Path(run_dir)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.client = None
        self.workers = 0
        self._started = None
        self._host_threads = {}
        self._keys = {}

    def __repr__(self):
        return f"DaskPool(scheduler={self.scheduler!r}, workers={self.workers}, timeout={self.timeout})"

    def start(self, expected_jobs=None):
        """Connect to the scheduler and wait for a worker; ClusterLost when either does not come."""
        if self.client is not None:
            return self
        try:
            from distributed import Client
        except ImportError as error:
            raise ClusterLost("grading on a cluster needs dask.distributed: pip install 'mlp-course-kit[cluster]'"
                              ) from error
        try:
            self.client = Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
            self.client.wait_for_workers(1, timeout=self.connect_timeout)
        except (OSError, TimeoutError) as error:
            self.close()
            raise ClusterLost(f"no Dask cluster at {self.scheduler} with a worker within {self.connect_timeout:g} s "
                              f"({type(error).__name__}: {error})") from error
        from autograder.parallel.remote import start_workers, threads_per_host

        workers = self.client.scheduler_info()["workers"]
        self.workers = sum(info["nthreads"] for info in workers.values())
        self._host_threads = threads_per_host(workers)
        self.client.run(start_workers, self.timeout, self._host_threads)  # they import nbgrader meanwhile
        self._started = time.time()
        return self

    def close(self):
        if self.client is not None:
            try:
                self.client.close(timeout=10)
            except Exception:  # noqa: BLE001 -- a scheduler already gone: nothing left to close
                pass
            self.client = None

    def run(self, jobs):
        """Yield ``(job, reply)`` for every job as each finishes on the cluster.

        A job the cluster could not run (its workers kept dying, a reply that is not one) yields
        ``job.failed_reply(reason)``; a lost scheduler raises :class:`ClusterLost`.
        """
        from distributed import as_completed

        jobs = list(jobs)
        if not jobs:
            return
        self.start(len(jobs))
        futures = {}
        shared = {}
        for job in jobs:
            if job.assignment not in shared:
                shared[job.assignment] = self._assignment_files(job)
            future = self.client.submit(
                _grade_parcels, job.to_json(), self._submission_parcel(job), shared[job.assignment], self.timeout,
                self._host_threads,
                key=f"grade-{len(futures):05d}-{job.student}-{job.assignment}", pure=False)
            futures[future] = job
            self._keys[future.key] = f"{job.student}/{job.assignment}"
        try:
            for future in as_completed(futures, loop=self.client.loop):
                job = futures.pop(future)
                yield job, self._reply(job, future)
        finally:
            for future in futures:
                future.cancel()

    def _reply(self, job, future):
        from distributed.client import FutureCancelledError

        try:
            answer = future.result()
        except FutureCancelledError as error:
            raise ClusterLost(f"the Dask scheduler at {self.scheduler} went away during the run ({error})") from error
        except (OSError, TimeoutError) as error:
            raise ClusterLost(f"lost the Dask scheduler at {self.scheduler} "
                              f"({type(error).__name__}: {error})") from error
        except Exception as error:  # noqa: BLE001 -- e.g. KilledWorker: this job fails, the others go on
            return job.failed_reply(f"the cluster could not grade it ({type(error).__name__}: {error})")
        try:
            reply = read_message(answer["reply"], (GradeReply,))
            if not answer["autograded"]:
                return reply
            destination = Path(job.scratch) / "autograded"
            unpack_folder(answer["autograded"], destination)
        except (KeyError, TypeError, MessageError, ParcelError) as error:
            return job.failed_reply(f"the cluster's worker sent an unreadable reply: {error}")
        return GradeReply(result=reply.result, state=reply.state, autograded_dir=str(destination),
                          log=reply.log + f"\ngraded on the Dask worker {answer.get('worker', '?')}")

    def _submission_parcel(self, job):
        """The submission within the course's limits, as a parcel (what the worker copies again)."""
        outgoing = Path(job.scratch) / "outgoing"
        limits = SubmissionLimits(job.max_file_bytes, job.max_total_bytes, job.max_files)
        copy_submission(Path(job.submission_dir), outgoing, limits)
        try:
            return pack_folder(outgoing)
        finally:
            import shutil

            shutil.rmtree(outgoing, ignore_errors=True)

    @staticmethod
    def _assignment_files(job):
        return {"source": pack_folder(job.source_dir), "config": Path(job.config_file).read_text(),
                "template": Path(job.template_db).read_bytes()}

    def summary(self):
        """Lines saying which workers were lost during the run and which submissions they were grading."""
        if self.client is None or self._started is None:
            return []
        try:
            events = self.client.get_events("all")
        except Exception:  # noqa: BLE001 -- the summary must not fail the run
            return []
        lines = []
        for stamp, event in events:
            if stamp < self._started or not isinstance(event, dict) or event.get("action") != "remove-worker":
                continue
            ours = sorted(self._keys[key] for key in event.get("processing-tasks", ()) if key in self._keys)
            if ours:
                lines.append(f"Dask worker {event.get('worker', '?')} was lost while grading {', '.join(ours)}; "
                             "its jobs ran again on another worker")
            else:
                lines.append(f"Dask worker {event.get('worker', '?')} left the cluster")
        return lines


def _grade_parcels(*arguments):
    """Runs on the worker: imports the worker's side there, not in the parent."""
    from autograder.parallel.remote import grade_parcels

    return grade_parcels(*arguments)
