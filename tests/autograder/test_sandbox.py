"""The kernel sandbox's policy, one attack per test: the bwrap command and its mounts, each kernel alone.

What a submission tries, and that it fails: the command the grader builds, what bubblewrap hides,
mounts read-only and back, and what one kernel can reach (the grader's sockets, the host's disk,
the next notebook's kernel). Kernels are started as the grader starts them (:mod:`.sandbox_helpers`).
"""

import json
import os
import shutil
import socket
import sys
from pathlib import Path

import pytest
from jupyter_client.connect import write_connection_file

from autograder.safety.bwrap_mounts import BOOTSTRAP, SANDBOX_FOLDER
from autograder.safety.sandbox import LAUNCHER, SandboxPolicy
from autograder.safety.write_lock import landlock_abi

from .sandbox_helpers import (
    MIB,
    SMALL,
    connection_file_for,
    host_files,
    kernel,
    needs_bwrap,
    needs_landlock,
    outcome,
    run,
    submission,
)


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


# each kernel alone ---------------------------------------------------------------------------------
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
