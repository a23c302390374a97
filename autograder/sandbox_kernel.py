"""``python -m autograder.sandbox_kernel LIMITS -- COMMAND ...``: set resource limits, then exec COMMAND.

Started by :class:`autograder.guarded_execute.SandboxedKernelManager` in front of bwrap (or of
the kernel itself when there is no sandbox), so the limits hold for the kernel and every process
it starts. It imports nothing but the standard library and replaces itself with COMMAND.
"""

import argparse
import os
import resource
import sys


def _count_tasks_of(uid):
    """Processes and threads that ``uid`` owns now (what RLIMIT_NPROC counts)."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid == uid:
                count += len(os.listdir(f"/proc/{entry}/task"))
        except OSError:
            continue
    return count


def apply_limits(cpu_seconds, memory_bytes, file_size_bytes, processes):
    """Set the rlimits of this process (0 leaves one unset); returns what was set, for the log."""
    applied = {}
    if cpu_seconds:
        # the hard limit a little above the soft one: SIGXCPU first, then SIGKILL
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        applied["cpu_seconds"] = cpu_seconds
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        applied["memory_bytes"] = memory_bytes
    if file_size_bytes:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_bytes, file_size_bytes))
        applied["file_size_bytes"] = file_size_bytes
    if processes and os.geteuid() != 0:  # the kernel does not apply RLIMIT_NPROC to root
        allowed = _count_tasks_of(os.getuid()) + processes
        resource.setrlimit(resource.RLIMIT_NPROC, (allowed, allowed))
        applied["processes"] = allowed
    return applied


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        print("usage: python -m autograder.sandbox_kernel [LIMITS] -- COMMAND ...", file=sys.stderr)
        return 2
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="python -m autograder.sandbox_kernel")
    for name in ("--cpu-seconds", "--memory-bytes", "--file-size-bytes", "--processes"):
        parser.add_argument(name, type=int, default=0)
    limits = parser.parse_args(argv[:split])
    command = argv[split + 1:]
    if not command:
        print("autograder.sandbox_kernel: no command after --", file=sys.stderr)
        return 2
    apply_limits(limits.cpu_seconds, limits.memory_bytes, limits.file_size_bytes, limits.processes)
    os.execvp(command[0], command)
    return 127  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
