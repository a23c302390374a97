"""Starting kernels the way the grader starts them, for the sandbox tests (``test_sandbox*.py``).

Kernels are started with jupyter_client's KernelManager with the ipc transport in the policy's
channel folder and the command of ``SandboxPolicy.kernel_command``. Tests marked ``needs_bwrap``
run the real bubblewrap; they are skipped where it cannot run.
"""

from contextlib import contextmanager
from pathlib import Path

import pytest
from jupyter_client.connect import write_connection_file
from jupyter_client.manager import KernelManager

from autograder.safety.resource_limits import ResourceLimits
from autograder.safety.sandbox_support import bwrap_problem
from autograder.safety.write_lock import landlock_abi

needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"bwrap cannot run here: {bwrap_problem()}")
needs_landlock = pytest.mark.skipif(not landlock_abi(), reason="Landlock is not available on this kernel")
MIB = 1024 ** 2
SMALL = ResourceLimits(working_folder_bytes=8 * MIB, home_bytes=4 * MIB, temp_bytes=4 * MIB, shm_bytes=4 * MIB)


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
