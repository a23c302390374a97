"""Where a grading kernel may look and what it may use: the sandbox around each kernel process.

A submission's kernel runs student code as the grader's own user (often root in CI), so file
permissions protect nothing. The kernel is therefore started as::

    python -m autograder.sandbox_kernel LIMITS -- bwrap MOUNTS -- python -m ipykernel_launcher -f CONNECTION

``autograder.sandbox_kernel`` sets resource limits (CPU seconds, address space, file size and, for
a non-root grader, number of processes) and then replaces itself with bubblewrap (``bwrap``, the
unprivileged sandbox of Flatpak; Debian package ``bubblewrap``), which starts the kernel in new
user, mount, PID, IPC and UTS namespaces where

- the file system starts empty: only the operating system's folders (:data:`SYSTEM_FOLDERS`:
  ``/usr``, ``/etc``, ``/lib``, ...) are mounted, read-only, so nothing else on the machine
  (other checkouts, data folders, mounted volumes) can be seen;
- the *hidden* paths (the course root, lesson sources, answer key, the grading run's folder with
  every other job and the template gradebooks, the repository, ``/tmp``, home folders) are
  replaced by empty in-memory folders, in case one of them lies inside a system folder;
- the Python installation and the ``mlp`` package are mounted back read-only, and only the
  notebook's working folder, its private HOME and temp dir are writable;
- every process of the kernel dies with it (new PID namespace, ``--die-with-parent``).

Without bwrap (or when ``sandbox = "none"``) only the resource limits apply; see the
"Grading safety" section of ``autograder/README.md`` for what that leaves open.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SANDBOX_MODES = ("auto", "bwrap", "none")

# The only folders of the machine a kernel sees (read-only), besides Python, ``mlp`` and its own
# working folders: what programs and shared libraries need, and nothing that holds user files.
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")

# Hidden in every sandbox besides the course's own folders: places where other runs, other
# users' files and the instructor's files live.
DEFAULT_HIDDEN = ("/tmp", "/var/tmp", "/home", "/root", "/run/user", "/mnt", "/media", "/srv")


class SandboxError(RuntimeError):
    """The sandbox that the configuration requires cannot be used on this machine."""


@dataclass
class ResourceLimits:
    """Limits applied to the kernel process (and inherited by its children).

    cpu_seconds: RLIMIT_CPU, CPU time of the kernel over the whole notebook (SIGXCPU, then kill).
    memory_bytes: RLIMIT_AS, address space of each process.
    file_size_bytes: RLIMIT_FSIZE, largest file a process may write.
    processes: extra processes/threads the grader's user may start (RLIMIT_NPROC). The kernel
        ignores this limit for root, so it is applied only when the grader is not root.
    A value of 0 or None leaves that limit unset.
    """

    cpu_seconds: int = 3600
    memory_bytes: int = 4 * 1024 ** 3
    file_size_bytes: int = 256 * 1024 ** 2
    processes: int = 256

    def as_arguments(self):
        """Command-line arguments of ``python -m autograder.sandbox_kernel``."""
        return ["--cpu-seconds", str(int(self.cpu_seconds or 0)), "--memory-bytes", str(int(self.memory_bytes or 0)),
                "--file-size-bytes", str(int(self.file_size_bytes or 0)), "--processes", str(int(self.processes or 0))]


@dataclass
class SandboxPolicy:
    """What one kernel may see and write.

    mode: "auto" (bwrap when it works here, else limits only), "bwrap" (required) or "none".
    writable: folders the kernel may write (its working folder, HOME, temp dir).
    hidden: folders replaced by empty ones (secrets, other submissions).
    readable: folders under a hidden one that are mounted back read-only (Python, ``mlp``).
    """

    mode: str = "auto"
    writable: list = field(default_factory=list)
    hidden: list = field(default_factory=list)
    readable: list = field(default_factory=list)
    limits: ResourceLimits = field(default_factory=ResourceLimits)

    def __post_init__(self):
        if self.mode not in SANDBOX_MODES:
            raise ValueError(f"SandboxPolicy: mode must be one of {', '.join(SANDBOX_MODES)}, got {self.mode!r}")

    def uses_bwrap(self):
        """True when the kernel will run inside bwrap (raises when bwrap is required but unusable)."""
        if self.mode == "none":
            return False
        usable = bwrap_problem() is None
        if self.mode == "bwrap" and not usable:
            raise SandboxError(f"the sandbox 'bwrap' is required but cannot be used: {bwrap_problem()}")
        return usable

    def wrap(self, kernel_command, cwd, connection_file=None):
        """The full command that starts ``kernel_command`` in the sandbox, working in ``cwd``."""
        launcher = [sys.executable, "-m", "autograder.sandbox_kernel", *self.limits.as_arguments(), "--"]
        if not self.uses_bwrap():
            return launcher + list(kernel_command)
        return launcher + self.bwrap_arguments(cwd, connection_file) + ["--"] + list(kernel_command)

    def bwrap_arguments(self, cwd, connection_file=None):
        """bwrap's mount and namespace arguments (see the module docstring)."""
        writable = _existing(list(self.writable) + [cwd])
        hidden = [path for path in _existing(list(DEFAULT_HIDDEN) + list(self.hidden)) if path != "/"]
        readable = _existing(list(self.readable) + python_paths())
        secret = [path for path in hidden if path not in DEFAULT_HIDDEN]
        readable = [path for path in readable if not any(_inside(s, path) for s in secret)]
        arguments = [shutil.which("bwrap") or "bwrap", *system_mounts(), "--dev", "/dev", "--proc", "/proc",
                     "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                     "--die-with-parent", "--cap-drop", "ALL",
                     # ipykernel would take bwrap's PID-1 process for init and shut down: the kernel's
                     # lifetime is bound by --die-with-parent instead
                     "--unsetenv", "JPY_PARENT_PID"]
        for path in _outermost_first(hidden):
            arguments += ["--tmpfs", path]
        for path in _outermost_first(readable):
            if any(_inside(path, h) for h in hidden) or not any(_inside(path, f) for f in SYSTEM_FOLDERS):
                arguments += ["--ro-bind", path, path]
        for path in _outermost_first(writable):
            arguments += ["--bind", path, path]
        if connection_file:  # it may live in a hidden folder such as /tmp
            connection_file = os.path.realpath(str(connection_file))
            arguments += ["--ro-bind", connection_file, connection_file]
        return arguments + ["--chdir", str(cwd)]

    def __repr__(self):
        return (f"SandboxPolicy(mode={self.mode!r}, writable={self.writable!r}, hidden={self.hidden!r}, "
                f"readable={self.readable!r}, limits={self.limits!r})")


def system_mounts():
    """bwrap arguments that mount :data:`SYSTEM_FOLDERS` read-only (a symlink such as ``/bin -> usr/bin`` stays one)."""
    arguments = []
    for folder in SYSTEM_FOLDERS:
        if os.path.islink(folder):
            arguments += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            arguments += ["--ro-bind", folder, folder]
    return arguments


def python_paths():
    """Folders the kernel's Python needs: its installation and the ``mlp`` package (not the repository)."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(sys.executable).resolve().parent)}
    try:
        import mlp

        paths.add(str(Path(mlp.__file__).resolve().parent))
    except ImportError:
        pass
    return sorted(paths)


@lru_cache(maxsize=1)
def bwrap_problem():
    """None when bwrap can start a sandbox on this machine, else why not (checked once per process)."""
    executable = shutil.which("bwrap")
    if executable is None:
        return "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        probe = subprocess.run([executable, *system_mounts(), "--dev", "/dev", "--proc", "/proc",
                                "--unshare-user", "--unshare-pid", "--die-with-parent", "true"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not be started ({error})"
    if probe.returncode != 0:
        return f"bwrap cannot create namespaces here ({probe.stderr.strip()[:200] or probe.returncode})"
    return None


def sandbox_description(mode="auto"):
    """One line saying how kernels are isolated under ``mode`` on this machine."""
    if mode == "none":
        return "resource limits only (sandbox disabled in the configuration)"
    problem = bwrap_problem()
    if problem is None:
        return "bwrap sandbox and resource limits"
    return f"resource limits only: {problem}"


def _existing(paths):
    seen = []
    for path in paths:
        if not path:
            continue
        resolved = os.path.realpath(str(path))
        if os.path.isdir(resolved) and resolved not in seen:
            seen.append(resolved)
    return seen


def _inside(path, folder):
    """True when ``path`` is ``folder`` or below it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost_first(paths):
    return sorted(paths, key=lambda path: (path.count("/"), path))
