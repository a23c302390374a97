"""Starting a sandboxed kernel, one attack per test: the isolated launcher, the bootstrap's import checks.

A submission that ships ``argparse.py``, ``numpy/``, ``mlp/`` or ``IPython.py`` next to the notebook,
or puts another NumPy first on ``sys.path``, must not have its code run by the launcher nor imported
by the kernel in place of the real package; the kernel then refuses to start and the grader reads
why. Last, the judge that the grader installs in the kernel (``GuardedExecute``).
"""

import os
import subprocess
import sys
import threading
import time

import pytest

from autograder.safety import kernel_bootstrap
from autograder.safety.bwrap_mounts import BOOTSTRAP, SANDBOX_FOLDER
from autograder.safety.sandbox import LAUNCHER, SandboxPolicy, kernel_start_problem

from .sandbox_helpers import connection_file_for, kernel, needs_bwrap, run, submission


# 1. nothing of the grader is importable from the submission -------------------------------------
def test_a_submitted_argparse_or_launcher_module_runs_with_python_m_but_not_with_the_isolated_launcher(tmp_path):
    marker = tmp_path / "escaped"
    evil = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran outside the sandbox')\n"
    work = submission(tmp_path, {"argparse.py": evil, "autograder/__init__.py": "",
                                 "autograder/safety/sandbox_kernel.py": evil})
    environment = dict(os.environ, PYTHONPATH=str(work))
    # the attack, as the previous launcher command made it possible
    subprocess.run([sys.executable, "-m", "autograder.safety.sandbox_kernel", "--", "true"], cwd=work, env=environment,
                   capture_output=True)
    assert marker.exists()
    marker.unlink()
    # the launcher as the policy starts it, even with the submission as cwd and on PYTHONPATH
    completed = subprocess.run([sys.executable, "-I", str(LAUNCHER), "--", sys.executable, "-c", "print('ran')"],
                               cwd=work, env=environment, capture_output=True, text=True)
    assert completed.stdout.strip() == "ran" and not marker.exists()


def test_the_launcher_leaves_the_kernel_only_its_own_log_and_no_descriptor_of_the_worker(tmp_path):
    worker_log = tmp_path / "worker.log"
    worker_log.write_text("worker secrets\n")
    kernel_log = tmp_path / "kernel.log"
    probe = ("import os\n"
             "for fd in sorted(map(int, os.listdir('/proc/self/fd'))):\n"
             "    try: print(fd, os.readlink(f'/proc/self/fd/{fd}'))\n"
             "    except OSError: pass\n"
             "for fd in range(3, 64):\n"
             "    try: open(f'/proc/self/fd/{fd}', 'a').write('appended by the kernel')\n"
             "    except OSError: pass\n")
    with open(worker_log, "a") as log:
        subprocess.run([sys.executable, "-I", str(LAUNCHER), "--log", str(kernel_log), "--",
                        sys.executable, "-c", probe], stdout=log, stderr=log, pass_fds=(log.fileno(),), check=True)
    listed = dict(line.split(" ", 1) for line in kernel_log.read_text().splitlines() if line[:1].isdigit())
    assert listed["0"] == "/dev/null" and listed["1"] == listed["2"] == str(kernel_log)
    assert set(listed) <= {"0", "1", "2", "3"} and str(worker_log) not in listed.values()  # 3: listdir's own
    assert worker_log.read_text() == "worker secrets\n"


def test_the_launcher_gives_the_kernel_exactly_the_environment_it_is_given(tmp_path):
    completed = subprocess.run([sys.executable, "-I", str(LAUNCHER), "--env=HOME=/nowhere", "--",
                                sys.executable, "-c", "import os; print(sorted(os.environ))"],
                               env=dict(os.environ, SECRET_TOKEN="x", PYTHONPATH="/evil"), capture_output=True,
                               text=True, check=True)
    assert "SECRET_TOKEN" not in completed.stdout and "PYTHONPATH" not in completed.stdout
    assert "'HOME'" in completed.stdout


# 2. the bootstrap refuses a submission that shadows NumPy, mlp or IPython -------------------------
@pytest.mark.parametrize("files, reason", [
    ({"numpy.py": "everything_is_close = True"}, "numpy.py in the submission shadows NumPy"),
    ({"numpy/__init__.py": ""}, "numpy/ in the submission shadows NumPy"),
    ({"mlp/__init__.py": ""}, "mlp/ in the submission shadows mlp"),
    ({"IPython.py": ""}, "IPython.py in the submission shadows IPython"),
    ({"ipykernel.cpython-311-x86_64-linux-gnu.so": ""}, "ipykernel.cpython-311-x86_64-linux-gnu.so in the "
                                                         "submission shadows ipykernel"),
])
def test_a_kernel_whose_submission_shadows_a_protected_package_does_not_start_and_says_why(tmp_path, files, reason):
    policy = SandboxPolicy(mode="none", working_folder=str(submission(tmp_path, files)))
    try:
        command = policy.kernel_command(connection_file_for(policy, tmp_path / "kernel.json"))
        completed = subprocess.run(command, cwd=policy.launch_cwd, timeout=60)
        assert completed.returncode == kernel_bootstrap.REFUSED_EXIT_CODE
        assert policy.start_problem() == f"the kernel could not start: {reason}"
        assert kernel_start_problem(policy.log_path) == policy.start_problem()
    finally:
        policy.cleanup()


def test_numpy_found_first_on_sys_path_outside_the_installation_is_refused(tmp_path):
    fake = tmp_path / "elsewhere"
    (fake / "numpy").mkdir(parents=True)
    (fake / "numpy" / "__init__.py").write_text("")
    code = (f"import sys; sys.path.insert(0, {str(fake)!r}); sys.path.insert(0, {str(BOOTSTRAP.parent)!r})\n"
            f"import kernel_bootstrap as b\n"
            f"try: b.check_protected({[sys.prefix, sys.base_prefix]!r}, [], {str(tmp_path)!r})\n"
            f"except b.KernelRefused as refusal: print(refusal)\n")
    completed = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.startswith("the kernel could not start: NumPy would be imported from "
                                       f"{fake}/numpy/__init__.py, outside the read-only installation")


def fake_installation(folder):
    """A folder holding a package ``numpy`` (empty), as a checkout's .venv would."""
    (folder / "numpy").mkdir(parents=True)
    (folder / "numpy" / "__init__.py").write_text("")
    return folder


def check_from(installation, writable, work, bootstrap_folder=BOOTSTRAP.parent):
    """Python code: check_protected with ``installation`` first on sys.path; prints the refusal or 'ok'."""
    return (f"import sys; sys.path[:0] = [{str(installation)!r}, {str(bootstrap_folder)!r}]\n"
            f"import kernel_bootstrap as b\n"
            f"try: b.check_protected([{str(installation)!r}, sys.base_prefix], {writable!r}, {str(work)!r}, "
            f"{{'numpy': 'NumPy'}}); print('ok')\n"
            f"except b.KernelRefused as refusal: print(refusal)\n")


def test_an_installation_inside_a_writable_folder_is_refused_unless_mounted_read_only_over_it(tmp_path):
    installation = fake_installation(tmp_path / "checkout" / ".venv")
    code = check_from(installation, [str(tmp_path)], tmp_path / "work")
    completed = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.startswith("the kernel could not start: NumPy would be imported from "
                                       f"{installation}/numpy/__init__.py, outside the read-only installation")


@needs_bwrap
def test_a_checkout_under_tmp_is_trusted_inside_the_sandbox_where_it_is_read_only(tmp_path):
    # the sandbox's /tmp is its own tmpfs; the checkout under the host's /tmp is bound read-only over it
    installation = fake_installation(tmp_path / "checkout" / ".venv")
    work = submission(tmp_path, {})
    policy = SandboxPolicy(mode="bwrap", working_folder=str(work), readable=[str(installation)])
    try:
        command = policy.bwrap_arguments(work) + ["--", sys.executable, "-I", "-c",
                                                  check_from(installation, ["/tmp"], work, SANDBOX_FOLDER)]
        assert str(installation).startswith("/tmp/")
        completed = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert (completed.stdout, completed.returncode) == ("ok\n", 0), completed.stderr
    finally:
        policy.cleanup()


def test_the_start_problem_cannot_be_forged_by_code_that_runs_after_the_handover(tmp_path):
    log = tmp_path / "kernel.log"
    log.write_text(f"autograder launcher: {{}}\n{kernel_bootstrap.HANDOVER_LINE} (write lock: Landlock)\n"
                   f"{kernel_bootstrap.REFUSED_PREFIX} the kernel could not start: the grader is broken\n")
    assert kernel_start_problem(log) is None
    log.write_text("autograder launcher: {}\nbwrap: Can't mount tmpfs on /newroot/x: No such device\n")
    assert kernel_start_problem(log) == ("the sandbox could not start: "
                                         "bwrap: Can't mount tmpfs on /newroot/x: No such device")
    assert kernel_start_problem(tmp_path / "missing.log") is None


@needs_bwrap
def test_in_the_sandbox_a_numpy_py_stops_the_kernel_and_the_grader_reads_the_reason(tmp_path):
    policy = SandboxPolicy(mode="bwrap", working_folder=str(submission(tmp_path, {"numpy.py": ""})))
    try:
        command = policy.kernel_command(connection_file_for(policy, tmp_path / "kernel.json"))
        completed = subprocess.run(command, cwd=policy.launch_cwd, timeout=60)
        assert completed.returncode == kernel_bootstrap.REFUSED_EXIT_CODE
        assert policy.start_problem() == "the kernel could not start: numpy.py in the submission shadows NumPy"
    finally:
        policy.cleanup()


@needs_bwrap
def test_a_kernel_started_with_ipc_answers_imports_the_students_helpers_and_not_their_startup_code(tmp_path):
    marker = tmp_path / "sitecustomize-ran"
    work = submission(tmp_path, {"helper.py": "ANSWER = 41\n",
                                 "sitecustomize.py": f"open({str(marker)!r}, 'w')\n",
                                 "argparse.py": f"open({str(marker)!r}, 'w')\n"})
    with kernel(SandboxPolicy(mode="bwrap", working_folder=str(work))) as (_, client):
        assert run(client, "print(1 + 1)") == ("2\n", None)
        assert run(client, "import helper; print(helper.ANSWER + 1)") == ("42\n", None)
        text, _ = run(client, "import sys, numpy, argparse; print(sys.path[-1], numpy.__file__, argparse.__file__)")
        last, numpy_file, argparse_file = text.split()
        assert last == str(work) and numpy_file.startswith(sys.prefix) and not argparse_file.startswith(str(work))
    assert not marker.exists()


@needs_bwrap
def test_an_interrupt_reaches_the_cell_and_does_not_kill_the_sandboxed_kernel(tmp_path):
    with kernel(SandboxPolicy(mode="bwrap", working_folder=str(submission(tmp_path, {})))) as (manager, client):
        run(client, "x = 1")
        threading.Timer(1.0, manager.interrupt_kernel).start()
        started = time.monotonic()
        assert run(client, "import time; time.sleep(30)")[1] == "KeyboardInterrupt"
        assert time.monotonic() - started < 15
        assert run(client, "print(x)") == ("1\n", None)


# 3. the judge installed in the kernel ---------------------------------------------------------------
def _graded_notebook():
    """A notebook with a locked cell, an answer and two test cells (one passes, one fails)."""
    import nbformat

    def cell(source, grade_id, **flags):
        made = nbformat.v4.new_code_cell(source)
        made.metadata["nbgrader"] = {"grade_id": grade_id, "locked": bool(flags.get("locked")),
                                     "solution": bool(flags.get("solution")), "grade": bool(flags.get("grade")),
                                     "schema_version": 3, **({"points": 1} if flags.get("grade") else {})}
        return made

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [cell("import numpy as np\nSCALE = 2", "setup", locked=True),
                      cell("def double(x):\n    return SCALE * np.asarray(x)", "answer", solution=True),
                      cell("import numpy as np\nassert double([1.0]).tolist() == [2.0]", "passes", grade=True,
                           locked=True),
                      cell("assert double(1) == 3, 'double(1) is not 3'", "fails", grade=True, locked=True)]
    return notebook


def test_guarded_execute_grades_in_the_judge_and_leaves_no_kernel_process(tmp_path):
    import psutil

    from autograder.safety.guarded_execute import GuardedExecute

    before = {child.pid for child in psutil.Process().children(recursive=True)}
    notebook, _ = GuardedExecute(timeout=60).preprocess(_graded_notebook(), {"metadata": {"path": str(tmp_path)}})
    errors = [[output.get("ename") for output in cell.outputs if output.get("output_type") == "error"]
              for cell in notebook.cells]
    assert errors == [[], [], [], ["AssertionError"]]
    assert "double(1) is not 3" in notebook.cells[3].outputs[-1]["evalue"]
    left = [child for child in psutil.Process().children(recursive=True) if child.pid not in before]
    assert not [child for child in left if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]


def test_a_judge_that_cannot_be_installed_fails_every_test_cell_and_says_why(tmp_path, monkeypatch):
    from autograder.safety import guarded_execute

    real_installer = guarded_execute._installer

    def broken_judge(modules, expression, binding):
        if binding == guarded_execute.JUDGE_NAME:
            return "raise RuntimeError('the judge is broken')"
        return real_installer(modules, expression, binding)

    monkeypatch.setattr(guarded_execute, "_installer", broken_judge)
    notebook, resources = guarded_execute.GuardedExecute(timeout=60).preprocess(
        _graded_notebook(), {"metadata": {"path": str(tmp_path)}})
    assert [[output.get("ename") for output in cell.outputs if output.get("output_type") == "error"]
            for cell in notebook.cells[2:]] == [["TestNotPassed"], ["TestNotPassed"]]
    assert any("the judge could not be installed (RuntimeError: the judge is broken)" in note
               for note in resources[guarded_execute.NOTES_RESOURCE])
