"""The kernel sandbox's resource limits: the launcher's rlimits and one cgroup v2 per kernel.

The cgroup decision logic runs on a fake ``/proc/self/mountinfo``, ``/proc/self/cgroup`` and cgroup
tree; the grade output's one-line isolation description names each defence in place.
"""

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.safety import kernel_cgroup
from autograder.safety.sandbox import LAUNCHER, SandboxPolicy, isolation_description
from autograder.safety.sandbox_support import bwrap_problem

from .sandbox_helpers import connection_file_for, submission


def test_the_launcher_sets_the_limits_before_running_the_command():
    probe = ("import resource; print(resource.getrlimit(resource.RLIMIT_CPU)[0], "
             "resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_FSIZE)[0])")
    completed = subprocess.run([sys.executable, "-I", str(LAUNCHER), "--cpu-seconds", "60",
                                "--memory-bytes", str(2 * 1024 ** 3), "--file-size-bytes", "1048576", "--",
                                sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert completed.stdout.split() == ["60", str(2 * 1024 ** 3), "1048576"]


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
