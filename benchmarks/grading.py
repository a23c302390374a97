"""``python -m benchmarks.grading``: the kit's grading against plain serial ``nbgrader autograde``.

The runs grade the same N copies of the reference submission (the source notebooks of one
assignment) in identical scratch courses, in the same invocation:

- plain nbgrader: ``nbgrader autograde ASSIGNMENT --force`` with nbgrader's own preprocessors
  (one kernel per notebook, no sandbox, no judge) -- what nbgrader costs without the kit;
- serial baseline: the same CLI with the course's configuration (the kit's sandboxed student
  kernel and judge kernel per notebook), from the course folder, in this process's environment
  (BLAS thread variables as they are here, i.e. usually unset);
- parallel: ``python -m autograder grade ASSIGNMENT --workers W --force --no-feedback --no-export``,
  whose kernels get OMP/OPENBLAS/MKL_NUM_THREADS = max(1, cores // W).

Feedback and CSV export are left out of both. The notebook's own execution time is measured
by running its cells once in an already started kernel (nbclient); the per-notebook overhead
of each run is its time per notebook (serial: wall / N; parallel: wall * W / N, i.e. worker
time per notebook) minus that execution time; the design's overhead is the serial run's minus
plain nbgrader's. The benchmark also checks that the serial and parallel runs gave every
student the same scores.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.commands.build import build, select_assignments
from autograder.course.directory import Course, course_id, write_private_config
from autograder.course.environment import BLAS_THREAD_VARIABLES, blas_threads_for, cpu_count, put_tools_on_path
from autograder.notebooks.cells import read_notebook
from autograder.notebooks.sample_submissions import write_submission

REPOSITORY = Path(__file__).resolve().parent.parent
# Appended to a copy of the course configuration: nbgrader's own preprocessors, as if the kit were not there.
PLAIN_NBGRADER = """
p = "nbgrader.preprocessors."
c.Autograde.sanitize_preprocessors = [p + name for name in (
    "ClearOutput", "DeduplicateIds", "OverwriteKernelspec", "OverwriteCells", "CheckCellMetadata")]
c.Autograde.autograde_preprocessors = [p + "Execute", p + "IgnorePattern",
                                       "nbconvert.preprocessors.ClearMetadataPreprocessor"] + [p + name for name in (
    "LimitOutput", "SaveAutoGrades", "AssignLatePenalties", "CheckCellMetadata")]
"""


def own_execution_seconds(notebook_path, repeats=2):
    """Seconds to run the notebook's cells in a started kernel (best of ``repeats``), kernel start excluded."""
    from nbclient import NotebookClient

    from autograder.notebooks.cells import cleared

    best = float("inf")
    for _ in range(repeats):
        notebook = cleared(read_notebook(notebook_path))
        client = NotebookClient(notebook, timeout=600, allow_errors=True,
                                resources={"metadata": {"path": str(Path(notebook_path).parent)}})
        with client.setup_kernel():
            started = time.perf_counter()
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
            best = min(best, time.perf_counter() - started)
    return best


def gradebook_scores(course):
    """``{(student, assignment): (autograded score per grade cell...)}`` from a course gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(course.db_url, course_id(course)) as gradebook:
        for student in gradebook.students:
            for submission in student.submissions:
                rows = [(grade.notebook.name, grade.name, grade.auto_score)
                        for notebook in submission.notebooks for grade in notebook.grades]
                scores[(student.id, submission.assignment.name)] = tuple(sorted(rows))
    return scores


def run_benchmark(source_notebooks, assignment, copies, workers, config_file, log=print):
    put_tools_on_path()
    root = Path(tempfile.mkdtemp(prefix="grading-benchmark-"))
    try:
        serial = Course.at(root / "serial" / "course", source_notebooks, root / "serial" / "solutions")
        serial.root.mkdir(parents=True)
        write_private_config(config_file, serial)  # each scratch course: its own SQLite gradebook
        build(serial, [assignment], solutions=False, log=None)
        sources = {path.name: read_notebook(path) for path in sorted(serial.source_dir(assignment).glob("*.ipynb"))}
        for number in range(copies):
            write_submission(serial, f"student-{number + 1:02d}", assignment, sources)
        shutil.copytree(serial.root, root / "parallel" / "course")
        parallel = Course.at(root / "parallel" / "course", source_notebooks, root / "parallel" / "solutions")
        write_private_config(config_file, parallel)
        shutil.copytree(serial.root, root / "plain" / "course")
        plain = Course.at(root / "plain" / "course", source_notebooks, root / "plain" / "solutions")
        write_private_config(config_file, plain)
        with plain.config_file.open("a") as handle:
            handle.write(PLAIN_NBGRADER)

        execution = sum(own_execution_seconds(serial.source_dir(assignment) / name) for name in sources)
        blas_here = {name: os.environ.get(name, "unset") for name in BLAS_THREAD_VARIABLES}
        python = sys.version.split()[0]
        log(f"assignment {assignment} ({len(sources)} notebook(s)), {copies} copies, {cpu_count()} cores, "
            f"Python {python}")
        log(f"serial   environment: this shell's; BLAS threads {blas_here}")
        threads = blas_threads_for(workers)
        pinned = {name: str(threads) for name in BLAS_THREAD_VARIABLES}
        log(f"parallel environment: clean kernel env; BLAS threads {pinned}")

        started = time.perf_counter()
        subprocess.run(["nbgrader", "autograde", assignment, "--force"], cwd=plain.root, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        plain_seconds = time.perf_counter() - started

        started = time.perf_counter()
        subprocess.run(["nbgrader", "autograde", assignment, "--force"], cwd=serial.root, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        serial_seconds = time.perf_counter() - started

        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, "--course", str(parallel.root),
                        "--source-notebooks", str(source_notebooks), "--workers", str(workers), "--force",
                        "--no-feedback", "--no-export", "--no-progress"], check=True, cwd=REPOSITORY,
                       stdout=subprocess.DEVNULL)
        parallel_seconds = time.perf_counter() - started

        same = gradebook_scores(serial) == gradebook_scores(parallel)
        serial_per_notebook = serial_seconds / (copies * len(sources))
        parallel_per_notebook = parallel_seconds * workers / (copies * len(sources))
        plain_per_notebook = plain_seconds / (copies * len(sources))
        serial_overhead = serial_per_notebook - execution
        parallel_overhead = parallel_per_notebook - execution
        plain_overhead = plain_per_notebook - execution
        lines = [
            f"notebook's own execution time: {execution:.2f} s per notebook",
            f"plain nbgrader (stock Execute): {plain_seconds:7.2f} s  "
            f"({plain_per_notebook:.2f} s per notebook, overhead {plain_overhead:.2f} s)",
            f"serial   `nbgrader autograde`:   {serial_seconds:7.2f} s  "
            f"({serial_per_notebook:.2f} s per notebook, overhead {serial_overhead:.2f} s)",
            f"parallel `grade --workers {workers}`:    {parallel_seconds:7.2f} s  "
            f"({parallel_per_notebook:.2f} worker-s per notebook, overhead {parallel_overhead:.2f} s)",
            f"the kit's design per notebook above plain nbgrader: {serial_per_notebook - plain_per_notebook:+.2f} s "
            f"(serial), {parallel_per_notebook - plain_per_notebook:+.2f} worker-s (parallel); "
            f"ratio to plain nbgrader {serial_seconds / plain_seconds:.2f} (serial)",
            f"speed-up of `grade` over serial: {serial_seconds / parallel_seconds:.2f}x, "
            f"over plain nbgrader: {plain_seconds / parallel_seconds:.2f}x",
            "identical gradebook scores in both runs: {}".format("yes" if same else "NO"),
        ]
        for line in lines:
            log(line)
        return {"plain": plain_seconds, "serial": serial_seconds,
                "design_overhead": serial_per_notebook - plain_per_notebook, "parallel": parallel_seconds,
                "execution": execution,
                "speedup": serial_seconds / parallel_seconds, "identical": same}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grading", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source-notebooks", default=str(REPOSITORY / "source_notebooks"))
    parser.add_argument("--assignment", default=None, help="default: 03_backprop if present, else the first lesson")
    parser.add_argument("--copies", type=int, default=16, help="copies of the reference submission (default 16)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--config", default=str(REPOSITORY / "course" / "nbgrader_config.py"))
    arguments = parser.parse_args(argv)
    course = Course.at(REPOSITORY / "course", arguments.source_notebooks)
    assignment = arguments.assignment
    if assignment is None:
        available = select_assignments(course)
        assignment = "03_backprop" if "03_backprop" in available else available[0]
    result = run_benchmark(Path(arguments.source_notebooks).resolve(), assignment, arguments.copies,
                           arguments.workers, arguments.config)
    return 0 if result["identical"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
