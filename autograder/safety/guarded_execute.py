"""The grading execute preprocessor: the student's cells in a sandbox, the test cells in a judge.

Named in ``course/nbgrader_config.py`` in place of ``nbgrader.preprocessors.Execute`` in
``Autograde.autograde_preprocessors``, so ``python -m autograder grade`` and plain
``nbgrader autograde`` both use it. Each notebook gets two kernels, both sandboxed
(:mod:`autograder.safety.sandbox`):

- the **student kernel** runs every cell that is not a test cell (the student's answers and the
  instructor's locked cells), with the agent of :mod:`autograder.safety.agent` installed before any cell;
- the **judge kernel** runs the test cells (:mod:`autograder.safety.judge`). It never runs student code:
  the names a test reads come from the instructor's replayed definitions or, as plain data and
  proxies, from the student kernel over a private Unix socket. So the verdict -- the judge's
  execute reply and outputs -- is computed where no student code can reach it: patched NumPy,
  audit hooks, tracers, a rewritten IPython, an ``ndarray`` subclass that equals everything or a
  forged completion marker change nothing the judge computes. The student kernel never sees a
  test cell, so hidden tests cannot be read, printed or sent from it.

What else it adds to nbgrader's execution:

- **One failure does not sink the notebook.** A cell that kills the student kernel or leaves it
  unresponsive after the per-cell timeout stops execution there: earlier tests keep their scores,
  the later test cells score zero, and a note says why. A per-notebook wall-clock limit
  (``notebook_timeout``) works the same way.
- **Bounded outputs.** Every message a kernel sends for a cell (streams, displays, display
  updates, widget comm messages) counts against ``max_output_bytes`` per cell and
  ``max_notebook_output_bytes`` per notebook; past them messages are dropped with a note.
  ``execute_result`` outputs are dropped from test cells (nbgrader would read a number there as
  partial credit; the kit's tests are all-or-nothing).

- **Little waiting.** The judge kernel is started first and its set-up (installing the judge,
  then importing the modules the test cells import) is sent without waiting: it boots and works
  while the student kernel starts and runs its first cells, and the grader waits for it only
  before the first test cell. The instructor's cells reach the judge the same way. After the last
  cell both kernels are killed together rather than shut down gracefully: nothing of them is kept.

Notes for the grading result (why a notebook was graded only in part) are put into the notebook's
``resources[NOTES_RESOURCE]`` (a list of lines), which nbgrader hands on to its writer in the
grading process; the worker reads them there (:class:`autograder.parallel.scratch_grading.NotedAutograde`).
Nothing a kernel sends can write into them. The time limits are one :class:`TimeLimits`
(:mod:`autograder.safety.time_limits`); the kernels, their messages and the folders they must not
see are in :mod:`.notebook_kernels`, :mod:`.kernel_messages` and :mod:`.hidden_folders`.
"""

import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_hook, run_sync
from nbgrader.preprocessors import Execute
from traitlets import Enum, Integer, List, Unicode

from autograder.notebooks.cells import grade_id
from autograder.safety import agent, judge, wire
from autograder.safety.hidden_folders import hidden_folders
from autograder.safety.kernel_messages import KernelMessages
from autograder.safety.notebook_kernels import (
    KernelStartRefused,
    SandboxedKernelManager,
    cell_roles,
    error_output,
    working_copy,
)
from autograder.safety.output_limits import BoundedOutputs
from autograder.safety.sandbox import SANDBOX_MODES, ResourceLimits, SandboxPolicy, shared_socket_folder
from autograder.safety.time_limits import DEFAULT_JUDGE_CHANNEL_SECONDS, DEFAULT_NOTEBOOK_SECONDS, TimeLimits

AGENT_NAME = "_grading_agent"
JUDGE_NAME = "_grading_judge"
NOTES_RESOURCE = "grading_notes"


def _module_sources(*modules):
    """(name, source) pairs that recreate the kit's modules inside a kernel that cannot import them."""
    return [(f"autograder_{module.__name__.rsplit('.', 1)[-1]}", Path(module.__file__).read_text())
            for module in modules]


def _installer(modules, expression, binding):
    """Code that defines ``modules`` in a kernel and binds ``binding = expression`` in its namespace."""
    return (f"def _grading_install():\n"
            f"    import sys, types\n"
            f"    for name, source in {_module_sources(*modules)!r}:\n"
            f"        module = types.ModuleType(name)\n"
            f"        exec(compile(source, name + '.py', 'exec'), module.__dict__)\n"
            f"        sys.modules[name] = module\n"
            f"    return {expression}\n"
            f"{binding} = _grading_install()\n"
            f"del _grading_install\n")


class GuardedExecute(KernelMessages, BoundedOutputs, Execute):
    """nbgrader's ``Execute`` with a sandboxed student kernel and a judge kernel for the test cells."""

    notebook_timeout = Integer(DEFAULT_NOTEBOOK_SECONDS, allow_none=True,
                               help="wall-clock seconds for all cells of one notebook; the cells left when "
                                    "it runs out are not run (0 or None: no limit)").tag(config=True)
    max_output_bytes = Integer(2_000_000, help="output kept per cell; the rest is dropped").tag(config=True)
    max_notebook_output_bytes = Integer(20_000_000, help="output kept per notebook, all cells and kernel "
                                                         "messages together").tag(config=True)
    judge_channel_timeout = Integer(DEFAULT_JUDGE_CHANNEL_SECONDS,
                                    help="seconds the judge waits for the student kernel to answer "
                                         "before a test cell").tag(config=True)
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
        self.km = SandboxedKernelManager.for_policy(self._student_policy, self.config)
        return self.km

    def sandbox_policy(self, working_folder, role):
        """The policy for one of this notebook's kernels (``role``: "student" or "judge"): course root and
        configured folders hidden; the judge's socket folder, where the judge listens and the student
        kernel connects, is the only folder they share."""
        database = (self.resources or {}).get("nbgrader", {}).get("db_url", "")
        hidden = hidden_folders(gradebook_url=database, configured=self.hidden_paths)
        limits = ResourceLimits(cpu_seconds=self.cpu_seconds, memory_bytes=self.memory_bytes,
                                file_size_bytes=self.file_size_bytes, processes=self.max_processes)
        sockets = {"connect_folders" if role == "student" else "listen_folders": [self._rendezvous]}
        return SandboxPolicy(mode=self.sandbox, hidden=hidden, limits=limits, working_folder=str(working_folder),
                             **sockets)

    # execution ---------------------------------------------------------------------------
    def preprocess(self, nb, resources=None, km=None):
        from nbclient import NotebookClient

        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._roles = cell_roles(nb, resources)
        self._output_bytes, self._truncated, self._notebook_bytes = {}, set(), 0
        self._notebook_name = (resources or {}).get("nbgrader", {}).get("notebook", "notebook")
        self._cell_timeout = self.timeout
        self._limits = TimeLimits(cell=self.timeout or None, notebook=self.notebook_timeout or None,
                                  judge_channel=self.judge_channel_timeout)
        self.resources.setdefault(NOTES_RESOURCE, [])
        self._started = time.monotonic()
        self._rendezvous = shared_socket_folder()
        self._socket_path = os.path.join(self._rendezvous, "judge.sock")
        judge_folder = tempfile.mkdtemp(prefix="judge-")
        metadata = self.resources.setdefault("metadata", {})
        notebook_folder = metadata.get("path")
        metadata["path"] = str(working_copy(notebook_folder))
        self._student_policy = self.sandbox_policy(metadata["path"], "student")
        self._judge_policy = self.sandbox_policy(judge_folder, "judge")
        self._judge_km = self._judge_kc = self._judge_state = self._kernel_info = None
        # nothing of the student kernel is kept after its last cell: kill it, do not wait for a shutdown
        self.shutdown_kernel = "immediate"
        stop_reason = None
        try:
            run_sync(self._start_judge)()
            with self.setup_kernel():
                info = self._kernel_info or self.wait_for_reply(self.kc.kernel_info())
                if info is None:
                    raise DeadKernelError("the kernel did not answer its first request")
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                self._ready = self._install_agent()
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
        except RuntimeError as error:  # the student kernel did not start: say why, from its own log
            problem = self._student_policy.start_problem()
            if problem is None:
                raise
            raise KernelStartRefused(problem) from error
        finally:
            self.timeout = self._cell_timeout
            run_sync(self._stop_judge)()
            for policy in (self._student_policy, self._judge_policy):
                policy.cleanup()
            for folder in (metadata["path"], judge_folder, self._rendezvous):
                shutil.rmtree(folder, ignore_errors=True)
            metadata["path"] = notebook_folder
        self.set_widgets_metadata()
        return self.nb, self.resources

    async def _start_judge(self):
        """Start the judge kernel and queue its set-up; nothing here waits for the judge to boot.

        The requests wait in the judge's channel until it has started, and it works through them
        (install, then importing the modules the test cells import) while the student kernel starts
        and runs its first cells: the grader waits for the judge only before the first test cell
        (:meth:`_judge_ready`)."""
        manager = SandboxedKernelManager.for_policy(self._judge_policy, self.config)
        await manager.start_kernel()
        self._judge_km = manager
        self._judge_kc = manager.client()
        self._judge_kc.start_channels()
        self._judge_state = self._send_hidden(self._judge_kc, _installer(
            judge.kernel_modules(), f"sys.modules['autograder_judge'].install(get_ipython(), {self._socket_path!r})",
            JUDGE_NAME))
        tests = [cell.source for cell in self.nb.cells if cell.cell_type == "code"
                 and grade_id(cell) in self._roles.tests]
        modules = judge.imported_modules(tests)
        if modules:
            self._send_hidden(self._judge_kc, f"{JUDGE_NAME}.warm_up({modules!r})")

    async def _stop_judge(self):
        if self._judge_kc is not None:
            self._judge_kc.stop_channels()
            self._judge_kc = None
        if self._judge_km is not None:
            manager, self._judge_km = self._judge_km, None
            try:
                await manager.shutdown_kernel(now=True)
            except Exception as error:  # noqa: BLE001 -- a judge that is already gone is fine
                self.log.warning("stopping the judge kernel: %s", error)

    def _judge_ready(self):
        """True when the judge is installed; waits for it the first time (it was started with the student kernel)."""
        if self._judge_state in (True, False, None):
            return bool(self._judge_state)
        reply = self._wait_reply(self._judge_kc, self._judge_state, self.startup_timeout + 120)
        self._judge_state = False
        if reply is None:
            self._note("the judge kernel did not start or did not answer; every test cell scores zero")
            return False
        content = reply["content"]
        if content.get("status") != "ok":
            problem = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"[:500]
            self._note(f"the judge could not be installed ({problem}); every test cell scores zero")
            return False
        if not run_sync(self._until_iopub)(self._judge_kc, self.startup_timeout):
            self._note("the judge kernel's output channel did not connect; every test cell scores zero")
            return False
        self._judge_state = True
        return True

    def _install_agent(self):
        """Install the agent in the student kernel; True when it works."""
        agent_ok, problem = self._run_hidden(
            _installer([wire, agent], "sys.modules['autograder_agent'].Agent(get_ipython().user_ns)", AGENT_NAME),
            timeout=120)
        if not agent_ok:
            self._note(f"the grader's agent could not be installed in the notebook's kernel ({problem}); "
                       "every test cell scores zero")
        return agent_ok

    # starting and stopping the student kernel ------------------------------------------------
    async def async_start_new_kernel_client(self):
        """nbclient's, with a readiness check that does not then wait 0.2 s for IOPub to fall silent
        (nbclient reads only the messages of the cell it runs, so earlier ones need no flushing)."""
        self.kc = self.km.client()
        await ensure_async(self.kc.start_channels())
        try:
            self._kernel_info = await self._until_ready(self.kc, self.startup_timeout)
        except Exception as error:
            self.log.error("Error occurred while starting new kernel client for kernel %s: %s",
                           getattr(self.km, "kernel_id", None), error)
            await self._async_cleanup_kernel()
            raise
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _async_cleanup_kernel(self):
        """Stop the student kernel and the judge at the same time (both are killed: nothing of them is kept)."""
        await asyncio.gather(super()._async_cleanup_kernel(), self._stop_judge())

    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    def _time_left(self):
        return self._limits.notebook_seconds_left(time.monotonic() - self._started)

    def _execute_one(self, cell, index):
        """Run one cell; returns why execution must stop (or None)."""
        cell_id = grade_id(cell)
        is_test = cell_id in self._roles.tests
        label = f"cell {index}" + (f" ({cell_id})" if cell_id else "")
        self.timeout, cut_by_notebook_limit = self._limits.cell_budget(time.monotonic() - self._started)
        if is_test:
            failure, stop_reason = self._run_test(cell, index, label, cut_by_notebook_limit)
            self._judge_test(cell, failure)
        else:
            failure, stop_reason = self._run_in_student_kernel(cell, index, label, cut_by_notebook_limit)
            if failure is not None:
                cell.outputs.append(error_output("GradingError", failure))
            if stop_reason is None and cell_id in self._roles.instructor and self._ready \
                    and self._judge_state is not False:
                # not waited for: the judge takes it in order, before the next test cell's prepare
                self._send_hidden(self._judge_kc, f"{JUDGE_NAME}.remember({cell.source!r})")
        self.timeout = self._cell_timeout
        if stop_reason is not None:
            self._note(f"{stop_reason}; that cell and the ones after it were not graded")
            self._stop_kernel()
        return stop_reason

    def _run_in_student_kernel(self, cell, index, label, cut_by_notebook_limit):
        failure = stop_reason = None
        try:
            self.execute_cell(cell, index, store_history=True)
        except DeadKernelError:
            failure = "the kernel died while running this cell (os._exit, a crash, or a resource limit)"
            stop_reason = f"the kernel died in {label}"
        except CellTimeoutError:
            failure = "the cell produced no end of output before the timeout"
        timed_out = failure is not None or any(output.get("ename") == "CellTimeoutError"
                                               for output in cell.get("outputs", []))
        if stop_reason is None and timed_out:
            stop_reason = self._after_timeout(label, cut_by_notebook_limit)
        return (failure or stop_reason), stop_reason

    def _after_timeout(self, label, cut_by_notebook_limit):
        if cut_by_notebook_limit:
            return f"the notebook ran past its time limit of {self.notebook_timeout} s in {label}"
        if not self._responsive():
            return f"the kernel stopped responding after {label} ran past the per-cell timeout"
        self._note(f"{label} ran past the per-cell timeout of {self._cell_timeout} s and was interrupted")
        return None

    def _run_test(self, cell, index, label, cut_by_notebook_limit):
        """Run a test cell in the judge while the student kernel serves it; ``(failure, stop_reason)``."""
        cell.outputs = []
        if not (self._ready and self._judge_ready()):
            return "the grader could not set up the judge for this notebook", None
        serve_id = self.kc.execute(f"{AGENT_NAME}.serve({self._socket_path!r})", silent=True, store_history=False,
                                   allow_stdin=False, stop_on_error=False)
        failure = stop_reason = None
        prepared, problem = self._run_hidden(
            f"{JUDGE_NAME}.prepare({cell.source!r}, timeout={self.judge_channel_timeout})", kc=self._judge_kc,
            timeout=self.judge_channel_timeout + 120)
        if not prepared:
            failure = f"the grader could not run this test: {problem}"
        else:
            student = self.kc, self.km
            self.kc, self.km = self._judge_kc, self._judge_km
            try:
                self.execute_cell(cell, index, store_history=False)
            except DeadKernelError:
                failure = "the grader's judge kernel died while running this test"
                self._ready = False
            except CellTimeoutError:
                failure = "the test produced no end of output before the timeout"
            finally:
                self.kc, self.km = student
            if any(output.get("ename") == "CellTimeoutError" for output in cell.outputs):
                failure = failure or "the test ran past the per-cell timeout"
        if self._ready:
            self._run_hidden(f"{JUDGE_NAME}.finish()", kc=self._judge_kc, timeout=30)
        served = self._wait_reply(self.kc, serve_id, timeout=10) is not None
        if not served:
            if not run_sync(self.km.is_alive)():
                stop_reason = f"the kernel died in {label}"
            else:
                self._interrupt_student()
                if self._wait_reply(self.kc, serve_id, timeout=10) is None:
                    stop_reason = f"the kernel stopped responding while {label} called its code"
                elif failure is not None and cut_by_notebook_limit:
                    stop_reason = f"the notebook ran past its time limit of {self.notebook_timeout} s in {label}"
        self._drain(self.kc, serve_id if served else None)
        return failure, stop_reason

    def _judge_test(self, cell, failure):
        """Drop partial credit from a test cell and record a failure the judge's outputs do not show."""
        cell.outputs = [output for output in cell.outputs if output.get("output_type") != "execute_result"]
        if failure is not None and not any(output.get("output_type") == "error" for output in cell.outputs):
            cell.outputs.append(error_output("TestNotPassed", failure))

    def _mark_not_run(self, cell, reason):
        cell.outputs = []
        if grade_id(cell) in self._roles.tests:
            cell.outputs.append(error_output("NotRun", f"not run: {reason}"))

    def _note(self, text):
        """A line for the grading result (``resources[NOTES_RESOURCE]``) and the log."""
        message = f"{self._notebook_name}: {text}"
        notes = self.resources.setdefault(NOTES_RESOURCE, [])
        if message not in notes:
            notes.append(message)
        self.log.warning(message)
