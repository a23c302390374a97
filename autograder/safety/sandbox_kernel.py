"""The kernel launcher: ``python -I .../sandbox_kernel.py LIMITS [OPTIONS] -- COMMAND ...``.

Started by the grader's kernel manager (the command comes from
:meth:`autograder.safety.sandbox.SandboxPolicy.kernel_command`) in front of bwrap, or of the kernel's
bootstrap when there is no sandbox. It imports nothing but the standard library and replaces
itself with COMMAND after it has

- sent its stdout/stderr to the kernel's own log file (``--log``) and stdin to ``/dev/null``,
  and closed every other inherited descriptor: the kernel cannot read or append to the worker's
  log through ``/proc/self/fd``;
- replaced the environment by exactly the ``--env NAME=VALUE`` pairs (no ``PYTHONPATH``, tokens,
  the user's Jupyter/IPython folders...);
- set the resource limits (they hold for the kernel and every process it starts);
- moved itself into the kernel's cgroup (``--cgroup``), when the grader made one;
- changed to ``--chdir`` (only without bwrap; bwrap changes directory itself);
- with ``--ignore-interrupts`` (in front of bwrap), set SIGINT to be ignored: the kernel manager
  interrupts a cell by sending SIGINT to the whole process group, and bwrap's own processes
  would die of it and take the kernel with them (``--die-with-parent``); ipykernel installs its
  own SIGINT handler while a cell runs, so the interrupt still reaches the cell.

It is started as ``python -I`` by absolute path: neither the working directory nor ``PYTHONPATH``
is on ``sys.path``, so a submission's ``argparse.py`` or ``autograder/safety/sandbox_kernel.py`` is
never imported in its place.
"""

import argparse
import os
import resource
import signal
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


def redirect_output(log_path):
    """Send fds 1 and 2 to ``log_path`` (appended, created 0600), fd 0 to /dev/null; close every other fd."""
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.closerange(3, _max_descriptors())
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)


def _max_descriptors():
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return soft if 0 < soft < 1 << 20 else 1 << 16


def join_cgroup(folder):
    """Move this process (and so the kernel and its children) into the cgroup v2 ``folder``."""
    with open(os.path.join(folder, "cgroup.procs"), "w") as procs:
        procs.write(f"{os.getpid()}\n")


def parse_arguments(argv):
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="sandbox_kernel.py")
    for name in ("--cpu-seconds", "--memory-bytes", "--file-size-bytes", "--processes"):
        parser.add_argument(name, type=int, default=0)
    parser.add_argument("--log", help="file that receives the kernel's stdout and stderr")
    parser.add_argument("--env", action="append", help="NAME=VALUE: the kernel's whole environment")
    parser.add_argument("--cgroup", help="cgroup v2 folder the kernel runs in")
    parser.add_argument("--chdir", help="working directory of COMMAND")
    parser.add_argument("--ignore-interrupts", action="store_true", help="COMMAND starts with SIGINT ignored")
    return parser.parse_args(argv[:split]), argv[split + 1:]


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        print("usage: python -I sandbox_kernel.py [LIMITS] [OPTIONS] -- COMMAND ...", file=sys.stderr)
        return 2
    options, command = parse_arguments(argv)
    if not command:
        print("autograder.safety.sandbox_kernel: no command after --", file=sys.stderr)
        return 2
    if options.log:
        redirect_output(options.log)
    applied = apply_limits(options.cpu_seconds, options.memory_bytes, options.file_size_bytes, options.processes)
    if options.cgroup:
        try:
            join_cgroup(options.cgroup)
            applied["cgroup"] = options.cgroup
        except OSError as error:
            print(f"autograder launcher: could not join the cgroup {options.cgroup} ({error}); "
                  "resource limits only", file=sys.stderr)
    if options.log:
        print(f"autograder launcher: {applied}", file=sys.stderr, flush=True)
    if options.chdir:
        os.chdir(options.chdir)
    if options.ignore_interrupts:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    environment = None
    if options.env is not None:
        environment = dict(item.split("=", 1) for item in options.env)
    try:
        if environment is None:
            os.execvp(command[0], command)
        os.execvpe(command[0], command, environment)
    except OSError as error:
        print(f"autograder launcher: cannot run {command[0]}: {error}", file=sys.stderr)
    return 127


if __name__ == "__main__":
    raise SystemExit(main())
