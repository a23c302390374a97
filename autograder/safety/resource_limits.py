"""The resource limits of a grading kernel: CPU time, memory, file size, processes, in-memory folders.

The launcher (:mod:`autograder.safety.sandbox_kernel`) applies the process limits as rlimits
before it starts bubblewrap, the kernel's cgroup v2 (:mod:`autograder.safety.kernel_cgroup`)
applies memory and process limits to the whole kernel where the machine delegates one, and the
folder sizes are bwrap's ``--size`` of the sandbox's in-memory folders
(:mod:`autograder.safety.bwrap_mounts`).
"""

from dataclasses import dataclass

MIB = 1024 ** 2


@dataclass
class ResourceLimits:
    """Limits applied to the kernel process (and inherited by its children).

    cpu_seconds: RLIMIT_CPU, CPU time of the kernel over the whole notebook (SIGXCPU, then kill).
    memory_bytes: RLIMIT_AS, address space of each process; also ``memory.max`` of the kernel's
        cgroup v2 (all processes and their in-memory folders together) when there is one.
    file_size_bytes: RLIMIT_FSIZE, largest file a process may write (its log included).
    processes: extra processes/threads the grader's user may start (RLIMIT_NPROC). The kernel
        ignores this limit for root, so it is applied only when the grader is not root; the
        cgroup's ``pids.max`` holds for root too.
    working_folder_bytes, home_bytes, temp_bytes, shm_bytes: sizes of the sandbox's in-memory
        working folder, HOME, ``/tmp`` and ``/dev/shm`` (bwrap ``--size``).
    A value of 0 or None leaves that limit unset.
    """

    cpu_seconds: int = 3600
    memory_bytes: int = 4 * 1024 ** 3
    file_size_bytes: int = 256 * MIB
    processes: int = 256
    working_folder_bytes: int = 512 * MIB
    home_bytes: int = 128 * MIB
    temp_bytes: int = 512 * MIB
    shm_bytes: int = 64 * MIB

    def as_arguments(self):
        """Command-line arguments of the launcher :mod:`autograder.safety.sandbox_kernel`."""
        return ["--cpu-seconds", str(int(self.cpu_seconds or 0)), "--memory-bytes", str(int(self.memory_bytes or 0)),
                "--file-size-bytes", str(int(self.file_size_bytes or 0)), "--processes", str(int(self.processes or 0))]
