"""A cgroup v2 per grading kernel, where the machine delegates one to the grader.

Resource limits (``RLIMIT_AS``) bound each process on its own: a kernel with four children of
1 GB, or 1 GB written into its in-memory folders, holds far more than "4 GiB". A cgroup v2 with
``memory.max`` counts all of it together -- every process of the kernel, the in-memory (tmpfs)
folders they write, page cache -- and ``pids.max`` bounds processes and threads even for root.
At the end ``cgroup.kill`` ends every process left in it at once, so nothing of a submission
outlives its job.

Used only when the grader's own cgroup is on a cgroup v2 (unified) hierarchy, writable, and
its parent lets it enable the ``memory`` and ``pids`` controllers for children (e.g. a systemd
unit with ``Delegate=yes``, a container with a private cgroup namespace). Otherwise
:func:`cgroup_problem` says why and grading falls back to the resource limits alone.
"""

import os
import signal
import time
import uuid
from pathlib import Path

CONTROLLERS = ("memory", "pids")


def cgroup_v2_mount(mountinfo="/proc/self/mountinfo"):
    """Where the cgroup v2 hierarchy is mounted, or None (a cgroup v1 host, or no cgroups)."""
    try:
        lines = Path(mountinfo).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if " - " in line and line.split(" - ", 1)[1].split()[0] == "cgroup2":
            return fields[4]
    return None


def own_cgroup(cgroup_file="/proc/self/cgroup"):
    """This process's path in the v2 hierarchy (the ``0::PATH`` line), or None."""
    try:
        lines = Path(cgroup_file).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("0::"):
            return line[3:] or "/"
    return None


def v1_controllers(cgroup_file="/proc/self/cgroup"):
    """Controllers bound to a cgroup v1 hierarchy for this process (``4:memory:/...`` lines)."""
    try:
        lines = Path(cgroup_file).read_text().splitlines()
    except OSError:
        return set()
    return {name for line in lines if not line.startswith("0::") and line.count(":") >= 2
            for name in line.split(":")[1].split(",") if name}


def delegated_parent(mountinfo="/proc/self/mountinfo", cgroup_file="/proc/self/cgroup"):
    """(folder, None) for the cgroup folder under which kernels get their own, or (None, why not)."""
    mount, on_v1 = cgroup_v2_mount(mountinfo), v1_controllers(cgroup_file) & set(CONTROLLERS)
    path = own_cgroup(cgroup_file)
    if mount is None or path is None or on_v1:
        where = f" (cgroup v1 host: {', '.join(sorted(on_v1))} on cgroup v1)" if on_v1 else \
            (" (cgroup v1 host)" if v1_controllers(cgroup_file) else "")
        return None, "cgroup v2 not available" + where
    return check_parent(Path(mount) / path.lstrip("/"))


def check_parent(folder):
    """(folder, None) when kernels' cgroups can be made in ``folder`` with memory and pids limits, else (None, why)."""
    folder = Path(folder)
    try:
        available = (folder / "cgroup.controllers").read_text().split()
    except OSError:
        return None, f"cgroup v2 folder {folder} cannot be read"
    missing = [name for name in CONTROLLERS if name not in available]
    if missing:
        return None, f"cgroup v2 controllers {', '.join(missing)} are not delegated to {folder}"
    if not os.access(folder, os.W_OK):
        return None, f"cgroup v2 folder {folder} is not writable by the grader"
    enabled = (folder / "cgroup.subtree_control").read_text().split()
    wanted = [name for name in CONTROLLERS if name not in enabled]
    if wanted:
        try:
            (folder / "cgroup.subtree_control").write_text(" ".join("+" + name for name in wanted))
        except OSError as error:  # EBUSY: processes live in this cgroup itself (the no-internal-process rule)
            return None, f"cgroup v2 controllers cannot be enabled in {folder} ({error.strerror or error})"
    return folder, None


class KernelCgroup:
    """One kernel's cgroup: made before the kernel starts, killed and removed after it.

    folder: the cgroup's folder (``<parent>/autograder-kernel-<random>``).
    memory_bytes: memory.max (every process and their tmpfs files together; swap off).
    processes: pids.max (processes and threads).
    """

    def __init__(self, folder, memory_bytes=0, processes=0):
        self.folder = Path(folder)
        self.memory_bytes = memory_bytes
        self.processes = processes

    @classmethod
    def create(cls, parent, memory_bytes=0, processes=0):
        folder = Path(parent) / f"autograder-kernel-{uuid.uuid4().hex[:12]}"
        folder.mkdir(mode=0o755)
        cgroup = cls(folder, memory_bytes, processes)
        if memory_bytes:
            cgroup._write("memory.max", str(int(memory_bytes)))
            cgroup._write("memory.swap.max", "0", optional=True)
            cgroup._write("memory.oom.group", "1", optional=True)  # an OOM ends the whole kernel, not a part
        if processes:
            cgroup._write("pids.max", str(int(processes)))
        return cgroup

    def _write(self, name, value, optional=False):
        try:
            (self.folder / name).write_text(value)
        except OSError:
            if not optional:
                raise

    def processes_left(self):
        try:
            return [int(pid) for pid in (self.folder / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def kill(self, timeout=5.0):
        """End every process in the cgroup (``cgroup.kill``; SIGKILL one by one on kernels before 5.14)."""
        if (self.folder / "cgroup.kill").exists():
            self._write("cgroup.kill", "1", optional=True)
        deadline = time.monotonic() + timeout
        while True:
            left = self.processes_left()
            if not left or time.monotonic() > deadline:
                return not left
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)

    def remove(self):
        """Kill what is left and remove the cgroup's folder; True when it is gone."""
        self.kill()
        try:
            self.folder.rmdir()
        except OSError:
            return False
        return True

    def __repr__(self):
        return (f"KernelCgroup(folder={str(self.folder)!r}, memory_bytes={self.memory_bytes}, "
                f"processes={self.processes})")
