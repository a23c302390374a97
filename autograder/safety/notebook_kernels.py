"""The kernels of one graded notebook: their manager, working folder, roles of cells, error outputs.

- :class:`SandboxedKernelManager` starts the command of a sandbox policy, never a kernelspec's;
- :func:`cell_roles`: which cells are tests (run in the judge) and which are the instructor's;
- :func:`working_copy`: the kernel's working folder, the submission's files without notebooks;
- :func:`error_output`: an ``error`` output as nbgrader and the feedback expect it.
"""

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbformat import NotebookNode

from autograder.notebooks.cells import grade_id, is_locked_cell, is_test_cell


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the command of a :class:`~autograder.safety.sandbox.SandboxPolicy`, never a
    kernelspec's, with its Jupyter channels on ipc sockets in the policy's private channel folder."""

    sandbox_policy = None

    @classmethod
    def for_policy(cls, policy, config):
        manager = cls(kernel_name="python3", config=config)
        manager.sandbox_policy = policy
        manager.transport = "ipc"
        manager.ip = policy.channel_prefix
        return manager

    def format_kernel_cmd(self, extra_arguments=None):
        return self.sandbox_policy.kernel_command(self.connection_file)

    async def _async_pre_start_kernel(self, **kwargs):
        kwargs["cwd"] = self.sandbox_policy.launch_cwd
        return await super()._async_pre_start_kernel(**kwargs)


@dataclass
class CellRoles:
    """grade_ids of the notebook's test cells and of all instructor code cells (locked or tests)."""

    tests: set = field(default_factory=set)
    instructor: set = field(default_factory=set)


def cell_roles(nb, resources):
    """Roles from the gradebook (what the instructor wrote), falling back to the cells' own roles
    (:mod:`autograder.notebooks.cells`) when the notebook is executed without a gradebook."""
    info = (resources or {}).get("nbgrader", {})
    if {"notebook", "assignment", "db_url"} <= set(info):
        from nbgrader.api import Gradebook

        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            solutions = {cell.name for cell in notebook.solution_cells}
            tests = {cell.name for cell in notebook.grade_cells if cell.name not in solutions}
            locked = {cell.name for cell in notebook.source_cells if cell.locked and cell.name not in solutions}
            return CellRoles(tests=tests, instructor=tests | locked)
    return CellRoles(tests={grade_id(cell) for cell in nb.cells if is_test_cell(cell)},
                     instructor={grade_id(cell) for cell in nb.cells if is_locked_cell(cell)})


def working_copy(folder):
    """A fresh folder (in the temp dir) holding the files of ``folder`` except notebooks: the kernel's cwd.

    nbgrader executes the notebook in ``autograded/<student>/<assignment>/``, where the notebook
    being graded -- hidden tests included -- has just been written; the kernel works in this copy
    instead.
    """
    work = Path(tempfile.mkdtemp(prefix="notebook-"))
    if folder and Path(folder).is_dir():
        shutil.copytree(folder, work, dirs_exist_ok=True, symlinks=False,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    return work


class KernelStartRefused(RuntimeError):
    """The student's kernel did not start, for a reason its bootstrap gave (e.g. a shadowing numpy.py)."""


def error_output(ename, evalue):
    """An ``error`` output as nbgrader and the feedback expect it."""
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
