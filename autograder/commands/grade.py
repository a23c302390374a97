"""``grade``: autograde submissions in parallel worker processes, then merge, feedback and export.

How it stays identical to serial ``nbgrader autograde`` and safe for the SQLite gradebook:

1. The parent reads the course gradebook (assignment definitions, each student's existing
   record) and writes one *template* gradebook per assignment (see :mod:`autograder.gradebook.sync`).
2. Each submission becomes a :class:`~autograder.parallel.jobs.GradeJob`: a private scratch course
   (nbgrader_config.py, a copy of the template, ``source/<assignment>``, a copy of the submission)
   graded by nbgrader's own ``Autograde`` in a worker process (:mod:`autograder.parallel.pool`,
   :mod:`autograder.parallel.scratch_grading`), which answers with a
   :class:`~autograder.parallel.jobs.GradeReply` holding the submission's :class:`GradingResult`.
3. As each job finishes, the parent -- the only process that ever opens the course gradebook --
   merges the scores into it with nbgrader's ``Gradebook`` API and copies the autograded
   notebooks into ``course/autograded/``. A job that fails (invalid notebook, dead kernel,
   timeout) is recorded with zero and a reason; the others carry on.
"""

import hashlib
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.directory import CourseError, check_database, course_id, displayed_db_url, open_gradebook
from autograder.course.environment import blas_threads_for, clean_environment, cpu_count, put_tools_on_path
from autograder.gradebook.results import GradingResult, save_results
from autograder.parallel.intake import SubmissionLimits
from autograder.parallel.jobs import GradeJob
from autograder.safety.hidden_folders import hidden_folders
from autograder.safety.time_limits import TimeLimits


def _names(what, values):
    if values is None:
        return None
    if isinstance(values, str) or not all(isinstance(value, str) and value for value in values):
        raise ValueError(f"GradeOptions: {what} must be a list of names (or None for all), got {values!r}")
    return tuple(values)


@dataclass(frozen=True)
class GradeOptions:
    """What ``grade`` does, validated on construction (a ValueError names the option and the value).

    assignments / students: restrict to these names (default None: every submission found).
    workers: worker processes (default None: the number of cores); ignored with ``scheduler``.
    scheduler: the address of a Dask scheduler (``tcp://host:8786``) whose workers grade the
        submissions (:mod:`autograder.parallel.cluster`); None grades on this machine.
    time_limits: per cell, per notebook, judge channel and per submission (:class:`TimeLimits`; the
        per-cell and per-notebook defaults come from ``course/nbgrader_config.py``).
    submission_limits: what of a submission is copied for grading (:class:`SubmissionLimits`).
    force: grade again submissions that are already autograded and unchanged.
    progress: show a tqdm bar (default None: when stderr is a terminal).
    feedback / export: generate feedback pages / write ``grades.csv`` afterwards.
    keep_scratch: keep the run's scratch courses (debugging).
    config_overrides: nbgrader configuration on top of the course's, ``{section: {option: value}}``.
    """

    assignments: tuple = None
    students: tuple = None
    workers: int = None
    scheduler: str = None
    time_limits: TimeLimits = field(default_factory=TimeLimits)
    submission_limits: SubmissionLimits = field(default_factory=SubmissionLimits)
    force: bool = False
    progress: bool = None
    feedback: bool = True
    export: bool = True
    keep_scratch: bool = False
    config_overrides: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "assignments", _names("assignments", self.assignments))
        object.__setattr__(self, "students", _names("students", self.students))
        if self.workers is not None and (isinstance(self.workers, bool) or not isinstance(self.workers, int)
                                         or self.workers < 1):
            raise ValueError(f"GradeOptions: workers must be a whole number >= 1 or None, got {self.workers!r}")
        if self.scheduler is not None and (not isinstance(self.scheduler, str) or not self.scheduler.strip()):
            raise ValueError(f"GradeOptions: scheduler must be an address such as tcp://host:8786 or None, "
                             f"got {self.scheduler!r}")
        checks = [("time_limits", TimeLimits), ("submission_limits", SubmissionLimits)]
        for name, expected in checks:
            if not isinstance(getattr(self, name), expected):
                raise TypeError(f"GradeOptions: {name} must be a {expected.__name__}, "
                                f"got {type(getattr(self, name)).__name__}")
        for name in ("force", "feedback", "export", "keep_scratch"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"GradeOptions: {name} must be True or False, got {getattr(self, name)!r}")
        if self.progress is not None and not isinstance(self.progress, bool):
            raise TypeError(f"GradeOptions: progress must be True, False or None, got {self.progress!r}")
        if not isinstance(self.config_overrides, dict) or not all(
                isinstance(values, dict) for values in self.config_overrides.values()):
            raise TypeError("GradeOptions: config_overrides must be {section: {option: value}}, "
                            f"got {self.config_overrides!r}")

    def nbgrader_overrides(self, course, run_dir):
        """``config_overrides`` with the time limits and the folders kernels must not see added."""
        overrides = {section: dict(values) for section, values in self.config_overrides.items()}
        for section, values in self.time_limits.config_overrides().items():
            overrides.setdefault(section, {}).update(values)
        guarded = overrides.setdefault("GuardedExecute", {})
        guarded["hidden_paths"] = hidden_folders(course=course, run_dir=run_dir, gradebook_url=course.db_url,
                                                 configured=guarded.get("hidden_paths", ()))
        return overrides


def grade(course, options=None, log=print):
    """Autograde the submissions under ``course/submitted/<student>/<assignment>/`` with :class:`GradeOptions`.

    Returns one :class:`GradingResult` per submission found (skipped ones included).
    """
    options = options or GradeOptions()
    put_tools_on_path()
    course.require_config()
    check_database(course)  # a database that cannot be used stops here: no run folder, no worker, no merge
    pairs = course.submissions(options.assignments, options.students)
    _check_requested(course, options, pairs)
    run_dir = Path(tempfile.mkdtemp(prefix="autograder-run-"))
    pool = None
    try:
        if pairs:  # workers start importing nbgrader while this process prepares the jobs
            pool = _start_pool(run_dir, options, len(pairs))
            if log:
                log(f"isolation of each kernel: {isolation_here(course)}")
        results, jobs, digests = _prepare_jobs(course, pairs, options, run_dir)
        if jobs:
            results.extend(_run_jobs(course, jobs, digests, pool, options, log))
        _after_grading(course, [r for r in results if r.status != "skipped"], options, log)
    finally:
        if pool is not None:
            pool.close()
        if not options.keep_scratch:
            shutil.rmtree(run_dir, ignore_errors=True)
        elif log:
            log(f"scratch folders kept in {run_dir}")
    return results


def _check_requested(course, options, pairs):
    if options.assignments:
        unknown = sorted(set(options.assignments) - {assignment for _, assignment in pairs})
        if unknown and not pairs:
            raise CourseError("no submissions of {} under {}".format(", ".join(unknown), course.submitted_dir()))


def _prepare_jobs(course, pairs, options, run_dir):
    """``(skipped results, jobs, {(student, assignment): digest of the submission})`` for ``pairs``."""
    from autograder.gradebook.sync import make_template, student_snapshot

    identifier = course_id(course)
    overrides = options.nbgrader_overrides(course, run_dir)
    limits = options.submission_limits
    skipped, jobs, digests, templates = [], [], {}, {}
    with open_gradebook(course) as gradebook:
        known = {assignment.name: assignment for assignment in gradebook.assignments}
        missing = sorted({assignment for _, assignment in pairs} - set(known))
        if missing:
            raise CourseError("assignment(s) {} are not in {}: run `python -m autograder build` first".format(
                ", ".join(missing), displayed_db_url(course.db_url)))
        for student, assignment in pairs:
            if not options.force and _already_graded(course, student, assignment):
                skipped.append(GradingResult(student, assignment, "skipped", reason="already autograded"))
                continue
            if assignment not in templates:
                templates[assignment] = str(run_dir / f"template-{assignment}.db")
            digests[(student, assignment)] = folder_digest(course.submitted_dir(student, assignment))
            jobs.append(GradeJob(
                student=student, assignment=assignment, course_id=identifier,
                submission_dir=str(course.submitted_dir(student, assignment)),
                source_dir=str(course.source_dir(assignment)), config_file=str(course.config_file),
                template_db=templates[assignment],
                notebooks=[f"{notebook.name}.ipynb" for notebook in known[assignment].notebooks],
                snapshot=student_snapshot(gradebook, assignment, student), config_overrides=overrides,
                scratch=str(run_dir / "jobs" / f"{len(jobs):04d}-{student}-{assignment}"),
                max_file_bytes=limits.max_file_bytes, max_total_bytes=limits.max_total_bytes,
                max_files=limits.max_files))
    for assignment, template in templates.items():
        make_template(course.db_url, assignment, Path(template), identifier)
    return skipped, jobs, digests


def _after_grading(course, graded, options, log):
    """Keep the records, then the similarity pass, feedback and ``grades.csv``."""
    save_results(course, graded)
    if graded:  # copies of mlp or of each other: "needs review" lines, scores unchanged
        _review_similarity(course, graded, log)
    if options.feedback and graded:
        from autograder.commands.feedback import generate_feedback

        generate_feedback(course, graded, workers=options.workers or cpu_count())
    if options.export:
        from autograder.gradebook.export import export_grades

        export_grades(course)


def _review_similarity(course, graded, log):
    """The similarity pass (:mod:`autograder.safety.similarity`) over every submission of the graded assignments."""
    from autograder.safety.similarity import review_similarity

    try:
        review_similarity(course, graded, log=log)
    except Exception as error:  # noqa: BLE001 -- grades, feedback and export must not depend on it
        if log:
            log(f"similarity check failed ({type(error).__name__}: {error}); grades are not affected")


def isolation_here(course):
    """One line saying how kernels are isolated with this course's ``GuardedExecute.sandbox`` on this machine."""
    from autograder.course.directory import load_config
    from autograder.safety.sandbox import isolation_description

    return isolation_description(load_config(course).GuardedExecute.get("sandbox", "auto"))


def folder_digest(folder):
    """SHA-256 of every file under ``folder`` (relative path -> hex digest); the submission is only read."""
    digests = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and not path.is_symlink():
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            digests[str(path.relative_to(folder))] = digest.hexdigest()
    return digests


def _start_pool(run_dir, options, expected_jobs):
    if options.scheduler:
        from autograder.parallel.cluster import ClusterLost, DaskPool

        try:
            return DaskPool(options.scheduler, run_dir, timeout=options.time_limits.job).start(expected_jobs)
        except ClusterLost as error:
            raise CourseError(str(error)) from error
    from autograder.parallel.pool import WorkerPool

    workers = max(1, min(options.workers or cpu_count(), expected_jobs))
    environment = clean_environment(blas_threads=blas_threads_for(workers))
    return WorkerPool(workers, environment, run_dir, timeout=options.time_limits.job).start(expected_jobs)


def _run_jobs(course, jobs, digests, pool, options, log):
    from tqdm import tqdm

    from autograder.parallel.cluster import ClusterLost

    progress = sys.stderr.isatty() if options.progress is None else options.progress
    results = []
    where = f"on the Dask cluster {options.scheduler}, " if options.scheduler else ""
    bar = tqdm(total=len(jobs), unit="submission", desc=f"grading ({where}{pool.workers} workers)",
               disable=not progress, dynamic_ncols=True)
    try:
        with open_gradebook(course) as gradebook, warnings.catch_warnings():
            # nbgrader's own ORM code triggers SQLAlchemy "not in session" warnings; they are harmless
            warnings.filterwarnings("ignore", module="nbgrader.api")
            warnings.filterwarnings("ignore", message=".*not in session.*")
            runs = pool.run(jobs)
            try:
                for job, reply in runs:
                    result = _merge(course, gradebook, job, reply, digests[(job.student, job.assignment)])
                    results.append(result)
                    if not options.keep_scratch:
                        shutil.rmtree(job.scratch, ignore_errors=True)
                    bar.set_postfix_str(f"{result.student}/{result.assignment}: {result.status}")
                    bar.update(1)
            finally:
                runs.close()
    except ClusterLost as error:  # what was merged stays; the next run grades what is missing
        save_results(course, results)
        raise CourseError(f"{error}. {len(results)} of {len(jobs)} submissions were graded and kept; "
                          "run grade again to grade the others") from error
    finally:
        bar.close()
    for line in getattr(pool, "summary", list)():
        if log:
            log(line)
    return results


def _merge(course, gradebook, job, reply, digest):
    """Bring one finished job into the course (gradebook, autograded/, log); the parent only.

    The result's scores are the course gradebook's after merging (clamped to its max scores), never
    the scratch gradebook's."""
    from autograder.gradebook.sync import merge_failed, merge_graded, read_autograde_state

    student, assignment, worker_result = job.student, job.assignment, reply.result
    review = list(worker_result.review)
    if folder_digest(course.submitted_dir(student, assignment)) != digest:
        review.append("the submitted files changed while the submission was being graded")
    log_file = course.log_file(assignment, student)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.write_text(reply.log + ("\nreason: " + worker_result.reason if worker_result.reason else ""))
    destination = course.autograded_dir(student, assignment)
    if destination.exists():
        shutil.rmtree(destination)
    if worker_result.status == "graded":
        merge_graded(gradebook, assignment, student, reply.state)
        shutil.copytree(reply.autograded_dir, destination)
        merged = read_autograde_state(gradebook, assignment, student)  # the course's max scores, clamped scores
        return GradingResult.from_state(student, assignment, merged, elapsed=worker_result.elapsed,
                                        reason=worker_result.reason, review=review)
    reason = worker_result.reason or "unknown failure"
    merge_failed(gradebook, assignment, student, reason, timestamp=_submitted_timestamp(course, student, assignment))
    return GradingResult(student, assignment, "failed", reason=reason,
                         max_score=autograded_max_score(gradebook, assignment),
                         failed_tests=autograded_test_ids(gradebook, assignment), elapsed=worker_result.elapsed,
                         review=review)


def autograded_test_ids(gradebook, assignment):
    """grade_ids of the assignment's test cells (graded cells that are not solution cells)."""
    ids = []
    for notebook in gradebook.find_assignment(assignment).notebooks:
        solution_ids = {cell.name for cell in notebook.solution_cells}
        ids.extend(sorted(cell.name for cell in notebook.grade_cells if cell.name not in solution_ids))
    return ids


def autograded_max_score(gradebook, assignment):
    total = 0.0
    for notebook in gradebook.find_assignment(assignment).notebooks:
        solution_ids = {cell.name for cell in notebook.solution_cells}
        total += sum(cell.max_score for cell in notebook.grade_cells if cell.name not in solution_ids)
    return total


def _submitted_timestamp(course, student, assignment):
    path = course.submitted_dir(student, assignment) / "timestamp.txt"
    try:
        from nbgrader.utils import parse_utc

        return parse_utc(path.read_text().strip()) if path.is_file() else None
    except (ValueError, OverflowError):
        return None


def _already_graded(course, student, assignment):
    """Autograded before, from a submission with the same timestamp file (nbgrader's notion of unchanged)."""
    autograded = course.autograded_dir(student, assignment)
    if not autograded.is_dir() or not any(autograded.glob("*.ipynb")):
        return False
    submitted_stamp = course.submitted_dir(student, assignment) / "timestamp.txt"
    graded_stamp = autograded / "timestamp.txt"
    if submitted_stamp.is_file() != graded_stamp.is_file():
        return False
    return not submitted_stamp.is_file() or submitted_stamp.read_text() == graded_stamp.read_text()
