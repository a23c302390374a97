"""The answer key's half of a worker: execute one source notebook, hidden tests and mark schemes removed.

The executed notebook (outputs and figures kept) is written to the job's destination; the parent
(:mod:`autograder.commands.build`) renders its sanitised HTML. Errors raised by a cell (a test failing
on its own reference solution) come back in the reply, named by the cell's grade_id.
"""

import os
import shutil
import time
from pathlib import Path

from autograder.parallel.private_environment import private_environment


def build_solution(job):
    """Execute the :class:`~autograder.parallel.jobs.SolutionJob` ``job``'s notebook for the answer key
    (hidden tests and mark schemes removed); its :class:`~autograder.parallel.jobs.SolutionReply`."""
    import nbformat
    from nbclient import NotebookClient
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme

    from autograder.notebooks.cells import cleared, grade_id
    from autograder.parallel.jobs import SolutionReply

    started = time.perf_counter()
    scratch = Path(job.scratch)
    workdir = scratch / "work"
    shutil.copytree(job.assignment_dir, workdir, ignore=shutil.ignore_patterns("catalogue", ".*"))
    os.environ.update(private_environment(scratch))
    notebook = cleared(nbformat.read(job.notebook, as_version=4))
    client = NotebookClient(notebook, timeout=job.cell_timeout, allow_errors=True,
                            kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "python3"),
                            resources={"metadata": {"path": str(workdir)}})
    errors = []
    try:
        client.execute()
    except Exception as error:  # noqa: BLE001 -- a dead kernel or timeout is reported, not raised
        errors.append(f"{type(error).__name__}: {str(error).strip().splitlines()[:1]}")
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and "raises-exception" not in cell.metadata.get("tags", []):
                name = grade_id(cell) or f"cell {index}"
                errors.append(f"{name} raised {output.ename}: {output.evalue[:300]}")
    resources = {}
    notebook, resources = ClearHiddenTests(enforce_metadata=False).preprocess(notebook, resources)
    notebook, resources = ClearMarkScheme(enforce_metadata=False).preprocess(notebook, resources)
    destination = Path(job.destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(destination))  # the parent renders its sanitised HTML (autograder.commands.build)
    return SolutionReply(notebook=job.notebook, errors=errors, elapsed=time.perf_counter() - started)
