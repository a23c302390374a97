"""What this machine supports of the sandbox: whether bubblewrap can make namespaces, where cgroups go.

Each check runs once per process (cached): :func:`bwrap_problem` starts a tiny sandbox with the
namespaces and mounts a kernel's sandbox uses, :func:`cgroup_parent` finds a cgroup v2 folder the
grader may make kernels' cgroups in (:mod:`autograder.safety.kernel_cgroup`). The policy
(:class:`autograder.safety.sandbox.SandboxPolicy`) asks them before each kernel start, and
:func:`autograder.safety.sandbox.isolation_description` says in one line what is active.
"""

import os
import shutil
import subprocess
from functools import lru_cache

from autograder.safety import kernel_cgroup
from autograder.safety.bwrap_mounts import system_mounts
from autograder.safety.resource_limits import MIB


@lru_cache(maxsize=1)
def bwrap_problem():
    """None when bwrap can start a sandbox on this machine, else why not (checked once per process)."""
    executable = shutil.which("bwrap")
    if executable is None:
        return "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        probe = subprocess.run([executable, *system_mounts(), "--dev", "/dev", "--proc", "/proc",
                                "--unshare-user", "--unshare-pid", "--unshare-net", "--die-with-parent",
                                "--size", str(MIB), "--tmpfs", "/tmp", "--remount-ro", "/", "true"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not be started ({error})"
    if probe.returncode != 0:
        return f"bwrap cannot create namespaces here ({probe.stderr.strip()[:200] or probe.returncode})"
    return None


@lru_cache(maxsize=4)
def cgroup_parent(explicit=None):
    """(folder, None) where kernels' cgroup v2 folders can be made, or (None, why not); checked once."""
    explicit = explicit or os.environ.get("AUTOGRADER_CGROUP_PARENT")
    if explicit:
        return kernel_cgroup.check_parent(explicit)
    return kernel_cgroup.delegated_parent()
