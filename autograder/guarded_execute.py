"""The grading execute preprocessor: nbgrader's ``Execute`` with a sandboxed, guarded kernel.

Named in ``course/nbgrader_config.py`` in place of ``nbgrader.preprocessors.Execute`` in
``Autograde.autograde_preprocessors``, so ``python -m autograder grade`` and plain
``nbgrader autograde`` both use it. What it adds to nbgrader's execution:

- **Sandbox and limits.** The kernel starts through :class:`SandboxedKernelManager`: resource
  limits, and bwrap namespaces when available (see :mod:`autograder.sandbox`).
- **A guard before every test cell.** Right after the kernel starts, before any cell, the code of
  :mod:`autograder.kernel_guard` snapshots the kernel's pristine state; before each graded test
  cell it restores NumPy, ``mlp``, builtins, the sys hooks and IPython's execution machinery
  (custom exception handlers, ``showtraceback``, AST transformers, event callbacks, ``compile``).
- **A verdict per test cell that does not trust the outputs alone.** A test cell passes only if
  its execute reply says ``ok`` *and* a per-run secret completion marker appended to the cell was
  printed (it is printed only if the cell ran to its end). Otherwise an error output is added, so
  nbgrader scores it zero. ``execute_result`` outputs are dropped from test cells: nbgrader reads
  a number there as partial credit, and student code can publish one (the kit's tests never do).
- **One failure does not sink the notebook.** A cell that kills the kernel (``os._exit``, a
  resource limit) or leaves it unresponsive after the per-cell timeout stops execution there: the
  cells before keep their scores, that cell and the later test cells score zero, and a note says
  why. A per-notebook wall-clock limit (``notebook_timeout``) works the same way.
- **Bounded outputs.** At most ``max_output_bytes`` of output are kept per cell.

Notes for the grading result (why a notebook was graded only in part) are collected with
:func:`take_notes`.
"""

import math
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Enum, Integer, List, Unicode

from autograder import kernel_guard
from autograder.sandbox import SANDBOX_MODES, ResourceLimits, SandboxPolicy

_NOTES = []


def take_notes():
    """Notes recorded since the last call (one line each), and forget them."""
    notes = list(_NOTES)
    _NOTES.clear()
    return notes


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel command is wrapped by a :class:`~autograder.sandbox.SandboxPolicy`."""

    sandbox_policy = None

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        if self.sandbox_policy is None:
            return command
        cwd = (self._launch_args or {}).get("cwd") or os.getcwd()
        return self.sandbox_policy.wrap(command, str(cwd), connection_file=self.connection_file)


@dataclass
class CellRoles:
    """grade_ids of the notebook's test cells and of all instructor code cells (locked or tests)."""

    tests: set = field(default_factory=set)
    instructor: set = field(default_factory=set)


def cell_roles(nb, resources):
    """Roles from the gradebook (what the instructor wrote), falling back to the cell metadata."""
    info = (resources or {}).get("nbgrader", {})
    if {"notebook", "assignment", "db_url"} <= set(info):
        from nbgrader.api import Gradebook

        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            solutions = {cell.name for cell in notebook.solution_cells}
            tests = {cell.name for cell in notebook.grade_cells if cell.name not in solutions}
            locked = {cell.name for cell in notebook.source_cells if cell.locked and cell.name not in solutions}
            return CellRoles(tests=tests, instructor=tests | locked)
    roles = CellRoles()
    for cell in nb.cells:
        metadata = cell.metadata.get("nbgrader", {})
        if metadata.get("grade") and not metadata.get("solution"):
            roles.tests.add(metadata.get("grade_id"))
        if (metadata.get("locked") or metadata.get("grade")) and not metadata.get("solution"):
            roles.instructor.add(metadata.get("grade_id"))
    return roles


def working_copy(folder):
    """A fresh folder (in the temp dir) holding the files of ``folder`` except notebooks: the kernel's cwd.

    nbgrader executes the notebook in ``autograded/<student>/<assignment>/``, where the notebook
    being graded -- hidden tests included -- has just been written; the kernel works in this copy
    instead, so student code cannot read the hidden tests next to it.
    """
    work = Path(tempfile.mkdtemp(prefix="notebook-"))
    if folder and Path(folder).is_dir():
        shutil.copytree(folder, work, dirs_exist_ok=True, symlinks=False,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    return work


def error_output(ename, evalue):
    """An ``error`` output as nbgrader and the feedback expect it."""
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` with a sandboxed kernel, a state guard and per-test-cell verdicts."""

    notebook_timeout = Integer(900, allow_none=True,
                               help="wall-clock seconds for all cells of one notebook; the cells left when "
                                    "it runs out are not run (0 or None: no limit)").tag(config=True)
    max_output_bytes = Integer(2_000_000, help="output kept per cell; the rest is dropped").tag(config=True)
    sandbox = Enum(SANDBOX_MODES, default_value="auto",
                   help="'auto': bwrap when it works here, else resource limits only; 'bwrap': required; "
                        "'none': resource limits only").tag(config=True)
    hidden_paths = List(Unicode(), help="folders the kernel must not see (besides the course root, "
                                        "/tmp and home folders)").tag(config=True)
    cpu_seconds = Integer(ResourceLimits.cpu_seconds, help="RLIMIT_CPU of the kernel").tag(config=True)
    memory_bytes = Integer(ResourceLimits.memory_bytes, help="RLIMIT_AS of the kernel").tag(config=True)
    file_size_bytes = Integer(ResourceLimits.file_size_bytes, help="RLIMIT_FSIZE of the kernel").tag(config=True)
    max_processes = Integer(ResourceLimits.processes,
                            help="extra processes the kernel may start (RLIMIT_NPROC; not for root)").tag(config=True)

    def create_kernel_manager(self):
        self.kernel_name = "python3"  # the course's kernel, whatever the submitted metadata says
        manager = SandboxedKernelManager(kernel_name=self.kernel_name, config=self.config)
        manager.sandbox_policy = self.sandbox_policy()
        self.km = manager
        return manager

    def sandbox_policy(self):
        """The policy for this notebook's kernel (course root and configured folders hidden)."""
        hidden = list(self.hidden_paths)
        database = (self.resources or {}).get("nbgrader", {}).get("db_url", "")
        if database.startswith("sqlite:///"):
            hidden.append(str(Path(database[len("sqlite:///"):]).parent))
        writable = [os.environ.get(name) for name in ("HOME", "TMPDIR")]
        limits = ResourceLimits(cpu_seconds=self.cpu_seconds, memory_bytes=self.memory_bytes,
                                file_size_bytes=self.file_size_bytes, processes=self.max_processes)
        return SandboxPolicy(mode=self.sandbox, writable=[w for w in writable if w], hidden=hidden, limits=limits)

    # execution ---------------------------------------------------------------------------
    def preprocess(self, nb, resources=None, km=None):
        from nbclient import NotebookClient

        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._roles = cell_roles(nb, resources)
        self._secret = secrets.token_hex(16)
        self._sentinel = f"autograder-test-complete-{self._secret}"
        self._guard = f"__autograder_guard_{self._secret}"
        self._replies, self._completed, self._output_bytes, self._truncated = {}, set(), {}, set()
        self._notebook_name = (resources or {}).get("nbgrader", {}).get("notebook", "notebook")
        self._cell_timeout = self.timeout
        self._started = time.monotonic()
        stop_reason = None
        metadata = self.resources.setdefault("metadata", {})
        notebook_folder = metadata.get("path")
        metadata["path"] = str(working_copy(notebook_folder))
        try:
            with self.setup_kernel():
                info = self.wait_for_reply(self.kc.kernel_info())
                if info is None:
                    raise DeadKernelError("the kernel did not answer its first request")
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                self._guard_ready = self._install_guard()
                for index, cell in enumerate(self.nb.cells):
                    if cell.cell_type != "code" or not cell.source.strip():
                        continue
                    if stop_reason is None and self._time_left() <= 0:
                        stop_reason = f"the notebook ran past its time limit of {self.notebook_timeout} s"
                        self._note(f"{stop_reason}; the cells from cell {index} on were not run")
                    if stop_reason is not None:
                        self._mark_not_run(cell, stop_reason)
                        continue
                    stop_reason = self._execute_one(cell, index)
        finally:
            self.timeout = self._cell_timeout
            shutil.rmtree(metadata["path"], ignore_errors=True)
            metadata["path"] = notebook_folder
        self.set_widgets_metadata()
        return self.nb, self.resources

    def _time_left(self):
        if not self.notebook_timeout:
            return math.inf
        return self.notebook_timeout - (time.monotonic() - self._started)

    def _execute_one(self, cell, index):
        """Run one cell; returns why execution must stop (or None)."""
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        is_test = grade_id in self._roles.tests
        label = f"cell {index}" + (f" ({grade_id})" if grade_id else "")
        left = self._time_left()
        self.timeout = max(1, int(math.ceil(min(self._cell_timeout or math.inf, left))))
        cut_by_notebook_limit = left < (self._cell_timeout or math.inf)
        original = cell.source
        failure, stop_reason = None, None
        if is_test:
            if not (self._guard_ready and self._run_hidden(f"__import__('builtins').{self._guard}"
                                                           ".restore(get_ipython().user_ns)")):
                failure = "the grader could not reset the kernel before this test"
            cell.source = original.rstrip("\n") + f"\nprint({self._sentinel!r})"
        try:
            self.execute_cell(cell, index, store_history=True)
        except DeadKernelError:
            failure = "the kernel died while running this cell (os._exit, a crash, or a resource limit)"
            stop_reason = f"the kernel died in {label}"
        except CellTimeoutError:
            failure = "the cell produced no end of output before the timeout"
        finally:
            cell.source = original
            self.timeout = self._cell_timeout
        timed_out = failure is not None or any(output.get("ename") == "CellTimeoutError"
                                               for output in cell.get("outputs", []))
        if stop_reason is None and timed_out:
            if cut_by_notebook_limit:
                stop_reason = f"the notebook ran past its time limit of {self.notebook_timeout} s in {label}"
            elif not self._responsive():
                stop_reason = f"the kernel stopped responding after {label} ran past the per-cell timeout"
            else:
                self._note(f"{label} ran past the per-cell timeout of {self._cell_timeout} s and was interrupted")
        if stop_reason is not None:
            self._note(f"{stop_reason}; that cell and the ones after it were not graded")
            self._stop_kernel()
            failure = failure or stop_reason
        if is_test:
            self._judge_test(cell, index, failure)
        elif failure is not None:
            cell.outputs.append(error_output("GradingError", failure))
        if stop_reason is None and grade_id in self._roles.instructor and self._guard_ready:
            self._run_hidden(f"__import__('builtins').{self._guard}.record_names(get_ipython().user_ns)")
        return stop_reason

    def _judge_test(self, cell, index, failure):
        """Leave an error output in a test cell unless it verifiably ran to its end without error."""
        cell.outputs = [output for output in cell.outputs if output.get("output_type") != "execute_result"]
        has_error = any(output.get("output_type") == "error" for output in cell.outputs)
        reply = self._replies.get(index)
        if failure is None and reply is None:
            failure = "the test cell did not finish"
        if failure is None and reply["content"].get("status") != "ok":
            if not has_error:
                failure = "the test raised an error whose display was suppressed"
            else:
                return
        if failure is None and index not in self._completed:
            failure = ("the test cell did not run to its end (student code stopped it, redirected sys.stdout, "
                       "or changed how cells run)")
            self._note(f"test cell {cell.metadata['nbgrader'].get('grade_id')}: {failure}")
        if failure is not None:
            cell.outputs.append(error_output("TestNotPassed", failure))

    def _mark_not_run(self, cell, reason):
        cell.outputs = []
        if cell.metadata.get("nbgrader", {}).get("grade_id") in self._roles.tests:
            cell.outputs.append(error_output("NotRun", f"not run: {reason}"))

    def _note(self, text):
        message = f"{self._notebook_name}: {text}"
        if message not in _NOTES:
            _NOTES.append(message)
        self.log.warning(message)

    # talking to the kernel outside the notebook's cells ----------------------------------
    def _install_guard(self):
        source = Path(kernel_guard.__file__).read_text()
        code = ("def _autograder_install():\n"
                "    namespace = {'get_ipython': get_ipython, '__name__': 'autograder_kernel_guard'}\n"
                f"    exec({source!r}, namespace)\n"
                f"    namespace['install']({self._guard!r})\n"
                "_autograder_install()\n"
                "del _autograder_install\n")
        installed = self._run_hidden(code, timeout=120)
        if not installed:
            self._note("the kernel guard could not be installed; every test cell scores zero")
        return installed

    def _run_hidden(self, code, timeout=60):
        """Run ``code`` in the kernel without a notebook cell; True when it ran without error."""
        try:
            message_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False,
                                         stop_on_error=False)
            if not isinstance(message_id, str):  # an async client returns a coroutine
                message_id = run_sync(lambda: message_id)()
            saved, self.timeout = self.timeout, timeout
            try:
                reply = self.wait_for_reply(message_id)
            finally:
                self.timeout = saved
        except (DeadKernelError, RuntimeError):
            return False
        return reply is not None and reply["content"].get("status") == "ok"

    def _responsive(self):
        return self._run_hidden("pass", timeout=10)

    def _stop_kernel(self):
        try:
            if self.km is not None:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as error:  # noqa: BLE001 -- a kernel that is already gone is fine
            self.log.warning("stopping the kernel: %s", error)

    # hooks called by nbclient --------------------------------------------------------------
    def on_cell_executed(self, **kwargs):
        self._replies[kwargs["cell_index"]] = kwargs["execute_reply"]
        super().on_cell_executed(**kwargs)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        if msg.get("msg_type") == "stream" and getattr(self, "_sentinel", None) and self._sentinel in content.get(
                "text", ""):
            self._completed.add(cell_index)
            content["text"] = content["text"].replace(self._sentinel + "\n", "").replace(self._sentinel, "")
            if not content["text"]:
                return None
        used = self._output_bytes.get(cell_index, 0) + _content_size(content)
        self._output_bytes[cell_index] = used
        if used > self.max_output_bytes:
            if cell_index not in self._truncated:
                self._truncated.add(cell_index)
                note = f"\n[output truncated by the grader after {self.max_output_bytes} bytes]\n"
                outs.append(NotebookNode(output_type="stream", name="stdout", text=note))
            return None
        return super().output(outs, msg, display_id, cell_index)


def _content_size(content):
    """Approximate size in bytes of an output message's content (text and data)."""
    size = len(content.get("text", "") or "")
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(str(value))
    size += sum(len(line) for line in content.get("traceback", []) or [])
    return size
