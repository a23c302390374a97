"""``python -m benchmarks.class_scale --class 300``: a synthetic class of every lesson, graded two ways.

It builds the course (every lesson, no answer key), writes a synthetic class of ``--class`` students
per lesson -- honest answers, partly wrong ones (a wrong catalogue entry), correct variants (a
correct catalogue entry), blank notebooks, late ones and a few hostile ones (forged "passed"
output, looking for the hidden tests in the folders around it, redefining ``AssertionError``,
killing the kernel; none runs into a time limit, which would time the limit, not grading) -- and
grades the same stratified sample of ``--sample`` students per lesson, in one run:

- locally: ``grade`` with its worker pool (``--workers``, default the cores);
- on Dask: ``grade --scheduler`` on a ``LocalCluster`` of ``--workers`` single-threaded worker processes.

Grading all of a 300-student class twice would take hours on 2 cores, so the sample is graded and
the rest extrapolated; the table says so. Both runs must give every sampled student the same
scores (checked). It prints submissions per minute per core, the per-notebook overhead (worker
time per notebook minus the notebooks' own execution time, measured once in a started kernel) and
the extrapolated wall time for 1,000 students x every lesson on 16 and 64 cores, and the time of
the feedback pages in one process and in ``--workers`` processes (per-core
throughput as measured here; a cluster adds its own start-up and data transfer, which the Dask
column measures on one machine).
"""

import argparse
import random
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from autograder.commands.build import build, select_assignments
from autograder.commands.demo import DUE
from autograder.commands.grade import GradeOptions, grade
from autograder.course.directory import Course, open_gradebook, write_private_config
from autograder.course.environment import cpu_count, put_tools_on_path
from autograder.notebooks.catalogue import load_catalogue, with_entry
from autograder.notebooks.cells import find_cell, replace_cell_source, solution_cell_ids
from autograder.notebooks.sample_submissions import answered, release_and_source, write_submission
from benchmarks.grading import gradebook_scores, own_execution_seconds

REPOSITORY = Path(__file__).resolve().parent.parent
# Share of the class in each kind, in the order the sample takes them (see kinds_of_class).
MIX = (("honest", 0.40), ("partly_wrong", 0.25), ("correct_variant", 0.10), ("blank", 0.10), ("late", 0.10),
       ("hostile", 0.05))
HOSTILE_ANSWERS = (
    'print("All tests passed")\nprint("@@autograder-result@@ {\\"score\\": 100}")',
    'import os\nfor path in ("..", "../..", "/tmp", os.path.expanduser("~")):\n'
    '    print(path, sorted(os.listdir(path))[:10] if os.path.isdir(path) else "-")',
    "import builtins\nclass AssertionError(Exception):\n    pass\nbuiltins.AssertionError = AssertionError",
    "import os\nos._exit(0)",
)


def kinds_of_class(size):
    """The kind of each of ``size`` students: the MIX shares, rounded, interleaved so any prefix is mixed."""
    counts = [max(1, round(share * size)) for _, share in MIX]
    while sum(counts) > size:
        counts[counts.index(max(counts))] -= 1
    kinds = []
    pools = [[name] * count for (name, _), count in zip(MIX, counts, strict=True)]
    while any(pools):
        for pool in pools:
            if pool:
                kinds.append(pool.pop())
    return kinds


def student_notebooks(kind, pairs, catalogue, rng):
    """``{notebook name: notebook}`` of one student of ``kind`` (pairs: release and source per notebook)."""
    notebooks = {name: answered(release, source) for name, (release, source) in pairs.items()}
    if kind == "blank":
        return {name: answered(release, source, cell_ids=[]) for name, (release, source) in pairs.items()}
    if kind in ("partly_wrong", "correct_variant"):
        wanted = "wrong" if kind == "partly_wrong" else "correct"
        entries = [entry for entry in catalogue if entry.kind == wanted]
        return with_entry(notebooks, rng.choice(entries)) if entries else notebooks
    if kind == "hostile":
        name, (_, source) = sorted(pairs.items())[0]
        code_ids = [cell_id for cell_id in solution_cell_ids(source) if find_cell(source, cell_id).cell_type == "code"]
        notebooks[name] = replace_cell_source(notebooks[name], rng.choice(code_ids), rng.choice(HOSTILE_ANSWERS))
    return notebooks


def write_class(course, assignments, size, seed):
    """Write every lesson's submissions of ``size`` students; ``{assignment: [(student, kind)]}``."""
    rng = random.Random(seed)
    kinds = kinds_of_class(size)
    roster = {}
    with open_gradebook(course) as gradebook:
        for assignment in assignments:
            gradebook.update_or_create_assignment(assignment, duedate=DUE.replace(tzinfo=None))
    for assignment in assignments:
        pairs = release_and_source(course, assignment)
        catalogue = load_catalogue(course.source_notebooks / assignment)
        roster[assignment] = []
        for number, kind in enumerate(kinds):
            student = f"s{number:04d}"
            moment = DUE + (timedelta(hours=3) if kind == "late" else -timedelta(days=1))
            write_submission(course, student, assignment, student_notebooks(kind, pairs, catalogue, rng),
                             submitted_at=moment)
            roster[assignment].append((student, kind))
    return roster


def timed_grade(course, students, options):
    started = time.perf_counter()
    results = grade(course, GradeOptions(students=students, **options), log=None)
    return time.perf_counter() - started, results


def timed_feedback(course, results, workers):
    from autograder.commands.feedback import generate_feedback

    started = time.perf_counter()
    generate_feedback(course, results, log=None, workers=workers)
    return time.perf_counter() - started


def run(size, sample, workers, seed, log=print):
    from distributed import LocalCluster

    put_tools_on_path()
    root = Path(tempfile.mkdtemp(prefix="class-benchmark-"))
    try:
        local = Course.at(root / "local" / "course", REPOSITORY / "source_notebooks", root / "local" / "solutions")
        local.root.mkdir(parents=True)
        write_private_config(REPOSITORY / "course" / "nbgrader_config.py", local)
        assignments = select_assignments(local, None)
        started = time.perf_counter()
        build(local, assignments, solutions=False, log=None)
        roster = write_class(local, assignments, size, seed)
        setup = time.perf_counter() - started
        shutil.copytree(local.root, root / "dask" / "course")
        dask = Course.at(root / "dask" / "course", local.source_notebooks, root / "dask" / "solutions")
        write_private_config(REPOSITORY / "course" / "nbgrader_config.py", dask)
        sampled = sorted({student for entries in roster.values() for student, _ in entries[:sample]})
        submissions = len(sampled) * len(assignments)
        notebooks = sum(len(release_and_source(local, a)) for a in assignments) * len(sampled)
        execution = sum(own_execution_seconds(path, repeats=1) for a in assignments
                        for path in sorted(local.source_dir(a).glob("*.ipynb"))) * len(sampled)
        log(f"class: {size} students x {len(assignments)} lessons = {size * len(assignments)} submissions "
            f"written in {setup:.0f} s (build included); graded: a sample of {len(sampled)} students per lesson "
            f"({submissions} submissions, {notebooks} notebooks); {cpu_count()} cores, {workers} workers")
        log("sample kinds: " + ", ".join(f"{kind} {sum(k == kind for _, k in roster[assignments[0]][:sample])}"
                                          for kind, _ in MIX))
        options = {"feedback": False, "export": False, "progress": False, "force": True}
        local_seconds, local_results = timed_grade(local, sampled, dict(options, workers=workers))
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          host="127.0.0.1") as cluster:
            dask_seconds, dask_results = timed_grade(dask, sampled, dict(options, scheduler=cluster.scheduler_address))
        feedback = {count: timed_feedback(local, local_results, count) for count in (1, workers)}
        local_scores, dask_scores = gradebook_scores(local), gradebook_scores(dask)
        same = local_scores == dask_scores
        failed = sorted({r.status for r in local_results + dask_results} - {"graded"})
        log(format_table(local_seconds, dask_seconds, submissions, notebooks, execution, workers, len(assignments)))
        inside = [sum(r.elapsed for r in results) / max(1, len(results)) for results in (local_results, dask_results)]
        log(f"time inside the grading worker per submission: local {inside[0]:.1f} s, Dask {inside[1]:.1f} s "
            "(the rest of the wall time is start-up, dispatch and merging)")
        log(f"feedback pages for the {submissions} submissions: {feedback[1]:.1f} s in one process, "
            f"{feedback[workers]:.1f} s in {workers} ({feedback[1] / feedback[workers]:.2f}x)")
        log(f"same scores locally and on Dask for every sampled student: {same}"
            + (f"; statuses other than graded: {failed}" if failed else ""))
        for student in sorted(set(local_scores) | set(dask_scores)):
            if local_scores.get(student) != dask_scores.get(student):
                differing = sorted(set(local_scores.get(student, ())) ^ set(dask_scores.get(student, ())))
                log(f"  {student[0]}/{student[1]}: local and Dask differ in {differing}")
        for result in local_results + dask_results:
            if result.status != "graded" or result.reason:
                log(f"  {result.student}/{result.assignment}: {result.status}: {result.reason[:200]}")
        return same
    finally:
        shutil.rmtree(root, ignore_errors=True)


def format_table(local_seconds, dask_seconds, submissions, notebooks, execution, workers, lessons):
    """The figures of both runs, and 1,000 students x ``lessons`` on 16 and 64 cores at the measured rate."""
    rows = []
    for name, seconds in (("local pool", local_seconds), ("Dask LocalCluster", dask_seconds)):
        per_core = submissions / (seconds / 60) / workers
        overhead = (seconds * workers - execution) / notebooks
        class_minutes = [1000 * lessons / (per_core * cores) for cores in (16, 64)]
        rows.append(f"| {name} | {seconds:.0f} s | {per_core:.1f} | {overhead:.2f} s | "
                    f"{class_minutes[0]:.0f} min | {class_minutes[1]:.0f} min |")
    return "\n".join([
        "| run | wall | submissions / min / core | overhead per notebook | 1,000 students on 16 cores | on 64 cores |",
        "|---|---|---|---|---|---|", *rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class", dest="size", type=int, default=300, help="students per lesson (default 300)")
    parser.add_argument("--sample", type=int, default=6, help="students per lesson graded (default 6: one per kind)")
    parser.add_argument("--workers", type=int, default=cpu_count(), help="worker processes (default: the cores)")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.sample <= arguments.size:
        parser.error(f"--sample must be between 1 and --class ({arguments.size}), got {arguments.sample}")
    return 0 if run(arguments.size, arguments.sample, arguments.workers, arguments.seed) else 1


if __name__ == "__main__":
    raise SystemExit(main())
