"""The kernel sandbox, one attack per test: what a submission tries, and that it fails.

Kernels are started the way the grader starts them: jupyter_client's KernelManager with the ipc
transport in the policy's channel folder and the command of ``SandboxPolicy.kernel_command``.
Tests marked ``needs_bwrap`` run the real bubblewrap; they are skipped where it cannot run.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from jupyter_client.connect import write_connection_file
from jupyter_client.manager import KernelManager

from autograder.safety import kernel_bootstrap, kernel_cgroup
from autograder.safety.sandbox import (
    BOOTSTRAP,
    LAUNCHER,
    SANDBOX_FOLDER,
    ResourceLimits,
    SandboxPolicy,
    bwrap_problem,
    isolation_description,
    kernel_start_problem,
)
from autograder.safety.write_lock import landlock_abi

needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"bwrap cannot run here: {bwrap_problem()}")
needs_landlock = pytest.mark.skipif(not landlock_abi(), reason="Landlock is not available on this kernel")
MIB = 1024 ** 2
SMALL = ResourceLimits(working_folder_bytes=8 * MIB, home_bytes=4 * MIB, temp_bytes=4 * MIB, shm_bytes=4 * MIB)


# helpers ---------------------------------------------------------------------------------------
class PolicyKernelManager(KernelManager):
    """The kernel manager the grader uses: the policy's command, ipc channels in its channel folder."""

    policy = None

    def format_kernel_cmd(self, extra_arguments=None):
        return self.policy.kernel_command(self.connection_file)


@contextmanager
def kernel(policy):
    manager = PolicyKernelManager(kernel_name="python3")
    manager.policy = policy
    manager.transport, manager.ip = "ipc", policy.channel_prefix
    manager.start_kernel(cwd=policy.launch_cwd)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        policy.cleanup()


def run(client, code, timeout=60):
    """(stdout text, ename or None) of one cell."""
    printed, errors = [], []

    def collect(message):
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])
        elif message["msg_type"] == "error":
            errors.append(message["content"]["ename"])

    client.execute_interactive(code, timeout=timeout, output_hook=collect)
    return "".join(printed), (errors[0] if errors else None)


def outcome(client, statement):
    """What happened to ``statement`` in the kernel: 'ok' or the errno name (ENOSPC, EROFS, EACCES...)."""
    text, error = run(client, f"import errno\ntry:\n    {statement}\n    print('outcome: ok')\n"
                              f"except OSError as e:\n    print('outcome:', errno.errorcode.get(e.errno, e.errno))")
    assert error is None, error
    return next(line for line in text.splitlines() if line.startswith("outcome: "))[len("outcome: "):]


def connection_file_for(policy, path):
    write_connection_file(str(path), transport="ipc", ip=policy.channel_prefix, shell_port=1, iopub_port=2,
                          stdin_port=3, hb_port=4, control_port=5)
    return str(path)


def submission(tmp_path, files):
    work = tmp_path / "work"
    work.mkdir()
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    return work


def host_files(folder):
    return sorted(str(path.relative_to(folder)) for path in Path(folder).rglob("*"))


# the command -----------------------------------------------------------------------------------
def test_the_launcher_and_the_kernel_start_isolated_by_absolute_path_from_a_trusted_folder(tmp_path):
    work = submission(tmp_path, {})
    policy = SandboxPolicy(mode="none", working_folder=str(work))
    command = policy.kernel_command(connection_file_for(policy, tmp_path / "kernel.json"))
    try:
        assert command[:3] == [sys.executable, "-I", str(LAUNCHER)] and "-m" not in command[:3]
        bootstrap = command.index(str(BOOTSTRAP))
        assert command[bootstrap - 2:bootstrap] == [sys.executable, "-I"]
        assert command[-2] == "-f" and "ipykernel_launcher" not in command  # never a kernelspec's argv
        assert not Path(policy.launch_cwd).resolve().is_relative_to(work.resolve())
        environment = dict(item[len("--env="):].split("=", 1) for item in command if item.startswith("--env="))
        assert environment["PYTHONNOUSERSITE"] == "1" and "PYTHONPATH" not in environment
    finally:
        policy.cleanup()


@needs_bwrap
def test_the_bwrap_command_hides_secrets_read_only_and_mounts_back_only_what_the_kernel_needs(tmp_path):
    course, work = tmp_path / "course", tmp_path / "course" / "work"
    work.mkdir(parents=True)
    policy = SandboxPolicy(mode="bwrap", hidden=[str(course)])
    try:
        arguments = policy.bwrap_arguments(str(work), network=True)
        pairs = [(arguments[i], arguments[i + 1]) for i in range(len(arguments) - 1)]
        assert ("--ro-bind", "/") not in pairs
        assert not any(kind in ("--ro-bind", "--bind") and path in ("/work", "/opt", "/home", "/root")
                       for kind, path in pairs)
        # hidden: an empty folder, made read-only once everything is mounted
        assert ("--tmpfs", str(course)) in pairs and ("--remount-ro", str(course)) in pairs
        assert ("--remount-ro", "/") in pairs and ("--remount-ro", "/dev") in pairs
        # writable: size-limited in-memory folders; the working folder is not the host's
        assert ("--bind", str(work)) not in pairs and ("--tmpfs", str(work)) in pairs
        at = arguments.index(str(work))
        assert arguments[at - 3:at] == ["--size", str(policy.limits.working_folder_bytes), "--tmpfs"]
        assert ("--ro-bind", str(work)) in pairs  # the host copy, read-only, for the bootstrap to copy
        assert ("--tmpfs", "/tmp") in pairs and ("--bind", policy.channel_dir) in pairs
        assert arguments.index(str(course)) < arguments.index(str(work))
        assert arguments[-2:] == ["--chdir", str(work)]
        assert {"--unshare-pid", "--unshare-net", "--die-with-parent"} <= set(arguments)
    finally:
        policy.cleanup()


@needs_bwrap
def test_the_kernel_gets_its_own_network_only_when_its_channels_use_ipc(tmp_path):
    policy = SandboxPolicy(mode="bwrap", working_folder=str(submission(tmp_path, {})))
    try:
        ipc = policy.kernel_command(connection_file_for(policy, tmp_path / "ipc.json"))
        write_connection_file(str(tmp_path / "tcp.json"), transport="tcp", ip="127.0.0.1")
        tcp = policy.kernel_command(str(tmp_path / "tcp.json"))
        assert "--unshare-net" in ipc and "--unshare-net" not in tcp
    finally:
        policy.cleanup()


def test_unknown_modes_are_refused():
    with pytest.raises(ValueError, match="mode must be one of auto, bwrap, none, got 'docker'"):
        SandboxPolicy(mode="docker")
    with pytest.raises(ValueError, match="cgroups must be one of auto, none, got 'v1'"):
        SandboxPolicy(cgroups="v1")


# 1. nothing of the grader is importable from the submission -------------------------------------
def test_the_launcher_sets_the_limits_before_running_the_command():
    probe = ("import resource; print(resource.getrlimit(resource.RLIMIT_CPU)[0], "
             "resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_FSIZE)[0])")
    completed = subprocess.run([sys.executable, "-I", str(LAUNCHER), "--cpu-seconds", "60",
                                "--memory-bytes", str(2 * 1024 ** 3), "--file-size-bytes", "1048576", "--",
                                sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert completed.stdout.split() == ["60", str(2 * 1024 ** 3), "1048576"]


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


# 3. each kernel alone ------------------------------------------------------------------------------
@needs_bwrap
def test_the_grader_loopback_and_its_sockets_are_out_of_reach(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        with kernel(SandboxPolicy(mode="bwrap", working_folder=str(submission(tmp_path, {})))) as (_, client):
            assert outcome(client, f"__import__('socket').create_connection(('127.0.0.1', {port}), timeout=5)") \
                == "ECONNREFUSED"
            text, _ = run(client, "print(open('/proc/net/tcp').read())")
            assert f":{port:04X} " not in text
            assert outcome(client, "__import__('socket').create_connection(('1.1.1.1', 53), timeout=5)") \
                == "ENETUNREACH"
    finally:
        listener.close()


STARTUP_ATTACK = """
import os, json, pathlib
startup = pathlib.Path(os.environ['IPYTHONDIR'], 'profile_default', 'startup')
startup.mkdir(parents=True, exist_ok=True)
(startup / '00-evil.py').write_text('PLANTED = True')
spec = pathlib.Path(os.environ['JUPYTER_DATA_DIR'], 'kernels', 'python3')
spec.mkdir(parents=True, exist_ok=True)
(spec / 'kernel.json').write_text(json.dumps({'argv': ['/bin/sh'], 'language': 'python', 'display_name': 'x'}))
pathlib.Path(os.environ['HOME'], '.bashrc').write_text('evil')
pathlib.Path(os.environ['TMPDIR'], 'left-over').write_text('evil')
print(sorted(os.listdir(os.environ['HOME'])))
"""


@pytest.mark.parametrize("mode", [pytest.param("bwrap", marks=needs_bwrap), "none"])
def test_a_startup_file_or_kernelspec_written_by_one_notebooks_kernel_does_not_reach_the_next(tmp_path, mode):
    work = submission(tmp_path, {})
    with kernel(SandboxPolicy(mode=mode, working_folder=str(work))) as (_, client):
        assert run(client, STARTUP_ATTACK)[1] is None
    with kernel(SandboxPolicy(mode=mode, working_folder=str(work))) as (manager, client):  # the next notebook
        assert run(client, "print('PLANTED' in dir())") == ("False\n", None)
        text, _ = run(client, "import os; print(sorted(os.listdir(os.environ['HOME'])), "
                              "os.listdir(os.environ['TMPDIR']))")
        assert ".bashrc" not in text and "left-over" not in text
        # and a restart of the same kernel starts afresh too
        assert run(client, STARTUP_ATTACK)[1] is None
        manager.restart_kernel(now=True)
        client.wait_for_ready(timeout=60)
        assert run(client, "print('PLANTED' in dir())") == ("False\n", None)


@needs_bwrap
def test_writing_past_the_size_of_each_writable_folder_fails_and_nothing_reaches_the_host_disk(tmp_path):
    work = submission(tmp_path, {"data.txt": "the student's data\n"})
    before = host_files(work)
    policy = SandboxPolicy(mode="bwrap", working_folder=str(work), limits=SMALL)
    with kernel(policy) as (_, client):
        channel = policy.channel_dir
        for folder in ("'.'", "os.environ['HOME']", "os.environ['TMPDIR']", "'/dev/shm'"):
            assert outcome(client, f"import os; open(os.path.join({folder}, 'big'), 'wb').write(b'0' * {9 * MIB})") \
                == "ENOSPC"
        assert outcome(client, "[open(f'f{i}', 'w').close() for i in range(30000)]") == "ok"  # in memory only
        assert run(client, "print(get_ipython().history_manager.hist_file)") == (":memory:\n", None)
        assert run(client, "print(open('data.txt').read(), end='')") == ("the student's data\n", None)
        assert outcome(client, f"open({channel + '/planted'!r}, 'w')") == "EACCES" or not landlock_abi()
        assert sorted(os.listdir(channel)) == sorted(f"kernel-{n}" for n in range(1, 6))
        assert host_files(work) == before
    assert not Path(channel).exists()  # cleanup removed the channel folder and the logs


@needs_bwrap
def test_hidden_folders_root_and_dev_are_empty_and_read_only(tmp_path):
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    (course / "source" / "hidden_tests.py").write_text("secret")
    policy = SandboxPolicy(mode="bwrap", hidden=[str(course)], working_folder=str(submission(tmp_path, {})))
    with kernel(policy) as (_, client):
        assert run(client, f"import os; print(os.listdir({str(course)!r}))") == ("[]\n", None)
        for path in (course / "planted", "/planted", "/dev/planted", "/home/planted", "/root/planted",
                     f"{SANDBOX_FOLDER}/planted"):
            assert outcome(client, f"open({str(path)!r}, 'w')") == "EROFS", path
        assert outcome(client, f"open({SANDBOX_FOLDER + '/kernel_bootstrap.py'!r}, 'a')") == "EROFS"
    assert os.listdir(course) == ["source"]


@needs_landlock
def test_without_bwrap_the_kernel_may_write_only_its_own_folders(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    with kernel(SandboxPolicy(mode="none", working_folder=str(submission(tmp_path, {})))) as (_, client):
        assert outcome(client, "open('answer.txt', 'w').write('ok')") == "ok"
        assert outcome(client, "import os; open(os.path.join(os.environ['HOME'], 'x'), 'w')") == "ok"
        assert outcome(client, f"open({str(course / 'gradebook.db')!r}, 'w')") == "EACCES"
    assert os.listdir(course) == []


# cgroup v2 ------------------------------------------------------------------------------------------
def fake_cgroup_host(tmp_path, controllers="cpu memory pids", subtree=""):
    """A fake /proc/self/mountinfo, /proc/self/cgroup and cgroup v2 tree for the decision logic."""
    mount = tmp_path / "cgroup2"
    own = mount / "grader.service"
    own.mkdir(parents=True)
    (own / "cgroup.controllers").write_text(controllers)
    (own / "cgroup.subtree_control").write_text(subtree)
    (tmp_path / "mountinfo").write_text(f"30 25 0:26 / {mount} rw,nosuid - cgroup2 cgroup2 rw\n")
    (tmp_path / "cgroup").write_text("0::/grader.service\n")
    return own


def test_this_cgroup_v1_host_is_recognised_and_the_grade_output_says_so():
    if not kernel_cgroup.v1_controllers() & {"memory", "pids"}:
        pytest.skip("the memory and pids controllers of this machine are not on cgroup v1")
    assert kernel_cgroup.delegated_parent() == (None, "cgroup v2 not available (cgroup v1 host: memory, pids "
                                                      "on cgroup v1)")
    assert "memory limited per process by RLIMIT_AS only" in isolation_description()


def test_a_hybrid_host_with_memory_on_cgroup_v1_does_not_use_cgroup_v2(tmp_path):
    fake_cgroup_host(tmp_path)
    (tmp_path / "cgroup").write_text("4:memory:/x\n0::/grader.service\n")
    assert kernel_cgroup.delegated_parent(tmp_path / "mountinfo", tmp_path / "cgroup") == (
        None, "cgroup v2 not available (cgroup v1 host: memory on cgroup v1)")


def test_a_delegated_cgroup_v2_is_found_and_its_controllers_enabled_for_children(tmp_path):
    own = fake_cgroup_host(tmp_path)
    folder, problem = kernel_cgroup.delegated_parent(tmp_path / "mountinfo", tmp_path / "cgroup")
    assert (folder, problem) == (own, None)
    assert (own / "cgroup.subtree_control").read_text() == "+memory +pids"


def test_a_cgroup_v2_without_the_memory_controller_is_not_used(tmp_path):
    fake_cgroup_host(tmp_path, controllers="cpu pids")
    folder, problem = kernel_cgroup.delegated_parent(tmp_path / "mountinfo", tmp_path / "cgroup")
    assert folder is None and problem == f"cgroup v2 controllers memory are not delegated to {tmp_path}/cgroup2/" \
                                         "grader.service"


def test_a_kernel_cgroup_gets_its_limits_and_is_killed_at_the_end(tmp_path):
    own = fake_cgroup_host(tmp_path, subtree="memory pids")
    cgroup = kernel_cgroup.KernelCgroup.create(own, memory_bytes=4 * 1024 ** 3, processes=256)
    assert (cgroup.folder / "memory.max").read_text() == str(4 * 1024 ** 3)
    assert (cgroup.folder / "pids.max").read_text() == "256"
    assert (cgroup.folder / "memory.swap.max").read_text() == "0"
    left_behind = subprocess.Popen(["sleep", "60"])
    (cgroup.folder / "cgroup.procs").write_text(f"{left_behind.pid}\n")
    (cgroup.folder / "cgroup.kill").write_text("0")
    cgroup.kill(timeout=0.2)
    assert (cgroup.folder / "cgroup.kill").read_text() == "1"
    assert left_behind.wait(timeout=5) == -signal.SIGKILL


def test_the_launcher_moves_the_kernel_into_its_cgroup(tmp_path):
    folder = tmp_path / "kernel-cgroup"
    folder.mkdir()
    completed = subprocess.run([sys.executable, "-I", str(LAUNCHER), "--cgroup", str(folder), "--",
                                sys.executable, "-c", "import os; print(os.getpid())"],
                               capture_output=True, text=True, check=True)
    assert (folder / "cgroup.procs").read_text().strip() == completed.stdout.strip()


def test_a_policy_with_a_delegated_cgroup_starts_every_kernel_in_a_new_one_and_kills_them(tmp_path):
    own = fake_cgroup_host(tmp_path, subtree="memory pids")
    policy = SandboxPolicy(mode="none", cgroup_parent=str(own), working_folder=str(submission(tmp_path, {})))
    try:
        command = policy.kernel_command(connection_file_for(policy, tmp_path / "kernel.json"))
        cgroup = Path(command[command.index("--cgroup") + 1])
        assert cgroup.parent == own and (cgroup / "memory.max").read_text() == str(policy.limits.memory_bytes)
        (cgroup / "cgroup.kill").write_text("0")
    finally:
        policy.cleanup()
    assert (cgroup / "cgroup.kill").read_text() == "1"


def test_the_isolation_description_is_one_line_naming_each_defence():
    description = isolation_description()
    assert "\n" not in description and "isolated launcher and import checks" in description
    if bwrap_problem() is None:
        assert description.startswith("bwrap sandbox, own network namespace")
    assert isolation_description(mode="none").startswith("no sandbox (disabled in the configuration)")


def test_the_connection_file_transport_is_what_the_grader_wrote(tmp_path):
    policy = SandboxPolicy(mode="none")
    try:
        info = json.loads(Path(connection_file_for(policy, tmp_path / "kernel.json")).read_text())
        assert info["transport"] == "ipc" and info["ip"].startswith(policy.channel_dir)
        assert len(f"{info['ip']}-65535") < 100  # ipc socket paths are limited to 107 bytes
        assert oct(os.stat(policy.channel_dir).st_mode & 0o777) == "0o700"
    finally:
        policy.cleanup()



@needs_bwrap
@needs_landlock
def test_a_shared_socket_folder_lets_the_kernel_connect_or_listen_but_not_store_files(tmp_path):
    from autograder.safety.sandbox import shared_socket_folder

    shared = shared_socket_folder()
    server = socket.socket(socket.AF_UNIX)
    server.bind(os.path.join(shared, "judge.sock"))
    server.listen()
    try:
        student = SandboxPolicy(mode="bwrap", connect_folders=[shared], working_folder=str(submission(tmp_path, {})))
        with kernel(student) as (_, client):
            sent = f"s = __import__('socket').socket(1); s.connect({shared + '/judge.sock'!r}); s.sendall(b'hello')"
            assert outcome(client, sent) == "ok"
            assert server.accept()[0].recv(5) == b"hello"
            assert outcome(client, f"open({shared + '/planted'!r}, 'w')") == "EACCES"
        judge = SandboxPolicy(mode="bwrap", listen_folders=[shared], working_folder=str(tmp_path / "work"))
        with kernel(judge) as (_, client):
            assert outcome(client, f"__import__('socket').socket(1).bind({shared + '/judge-2.sock'!r})") == "ok"
            assert outcome(client, f"open({shared + '/planted'!r}, 'w')") == "EACCES"
        assert sorted(os.listdir(shared)) == ["judge-2.sock", "judge.sock"]
    finally:
        server.close()
        shutil.rmtree(shared)


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
    guarded_execute.take_notes()
    notebook, _ = guarded_execute.GuardedExecute(timeout=60).preprocess(
        _graded_notebook(), {"metadata": {"path": str(tmp_path)}})
    assert [[output.get("ename") for output in cell.outputs if output.get("output_type") == "error"]
            for cell in notebook.cells[2:]] == [["TestNotPassed"], ["TestNotPassed"]]
    assert any("the judge could not be installed (RuntimeError: the judge is broken)" in note
               for note in guarded_execute.take_notes())
