"""The bubblewrap command line of a sandboxed kernel: its namespaces and every mount, in order.

:func:`bwrap_arguments` turns a :class:`~autograder.safety.sandbox.SandboxPolicy` into bwrap's
arguments (the module docstring of :mod:`autograder.safety.sandbox` says what the kernel sees):

- the operating system's folders (:data:`SYSTEM_FOLDERS`) read-only, a symlink such as
  ``/bin -> usr/bin`` kept a symlink (:func:`system_mounts`);
- the hidden folders (:data:`DEFAULT_HIDDEN` and the policy's) as empty in-memory folders, later
  remounted read-only; the Python installation and ``mlp`` (:func:`python_paths`) bound back
  read-only where a hidden folder covers them;
- size-limited in-memory ``/tmp``, HOME (:data:`SANDBOX_HOME`), ``/dev/shm`` and working folder;
- the grader's files for the kernel (the bootstrap, the write lock, a matplotlib font list) and a
  read-only view of the submission's files under :data:`SANDBOX_FOLDER`;
- the channel folder and the policy's socket folders bound read-write, nothing else.

Mounts are sorted outermost first, so a folder mounted inside another one comes after it.
"""

import os
import shutil
import sys
from pathlib import Path

from autograder.safety import kernel_bootstrap, write_lock

# The only folders of the machine a kernel sees (read-only), besides Python, ``mlp`` and its own
# working folders: what programs and shared libraries need, and nothing that holds user files.
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")

# Hidden in every sandbox besides the course's own folders: places where other runs, other
# users' files and the instructor's files live. ``/tmp`` becomes the kernel's own temp folder.
DEFAULT_HIDDEN = ("/tmp", "/var/tmp", "/home", "/root", "/run/user", "/mnt", "/media", "/srv")

# Inside the sandbox: the grader's read-only files for the kernel, HOME and the temp folder.
SANDBOX_FOLDER = "/.autograder"
SANDBOX_HOME = "/home/student"
SANDBOX_TMP = "/tmp"

BOOTSTRAP = Path(kernel_bootstrap.__file__).resolve()
WRITE_LOCK = Path(write_lock.__file__).resolve()


def bwrap_arguments(policy, cwd, connection_file=None, network=True, seed=None):
    """bwrap's namespace and mount arguments for ``policy`` (see the module docstring).

    cwd: the kernel's working folder; connection_file: bound read-only (it may live in a hidden
    folder); network: the kernel gets its own network namespace; seed: matplotlib's font list folder.
    """
    writable = existing_folders(policy.writable)
    hidden = [path for path in existing_folders(list(DEFAULT_HIDDEN) + list(policy.hidden)) if path != "/"]
    readable = existing_folders(list(policy.readable) + python_paths())
    secret = [path for path in hidden if path not in DEFAULT_HIDDEN]
    readable = [path for path in readable if not any(is_inside(s, path) for s in secret)]
    arguments = [shutil.which("bwrap") or "bwrap", *system_mounts(), "--dev", "/dev", "--proc", "/proc",
                 "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                 *(["--unshare-net"] if network else []),
                 "--die-with-parent", "--cap-drop", "ALL",
                 # ipykernel would take bwrap's PID-1 process for init and shut down: the kernel's
                 # lifetime is bound by --die-with-parent instead
                 "--unsetenv", "JPY_PARENT_PID"]
    # every mount in one list, outermost first, so that a folder mounted inside another one
    # (Python inside a hidden /root, HOME inside /home, the channel inside /var/tmp) comes after it
    mounts = [(path, 0, ["--tmpfs", path]) for path in hidden if path != SANDBOX_TMP]
    mounts += [(path, 1, ["--ro-bind", path, path]) for path in readable
               if any(is_inside(path, h) for h in hidden) or not any(is_inside(path, f) for f in SYSTEM_FOLDERS)]
    mounts += [(path, 1, ["--bind", path, path])
               for path in writable + existing_folders(list(policy.connect_folders) + list(policy.listen_folders))]
    limits = policy.limits
    mounts += [(folder, 0, _sized_tmpfs(size, folder)) for folder, size in (
        (SANDBOX_TMP, limits.temp_bytes), (SANDBOX_HOME, limits.home_bytes),
        ("/dev/shm", limits.shm_bytes), (str(cwd), limits.working_folder_bytes))]
    mounts.append((policy.channel_dir, 1, ["--bind", policy.channel_dir, policy.channel_dir]))
    for _, _, mount in sorted(mounts, key=lambda item: (item[0].count("/"), item[1], item[0])):
        arguments += mount
    arguments += ["--ro-bind", str(cwd), f"{SANDBOX_FOLDER}/submission"]
    for file in (BOOTSTRAP, WRITE_LOCK):
        arguments += ["--ro-bind", str(file), f"{SANDBOX_FOLDER}/{file.name}"]
    if seed:
        arguments += ["--ro-bind", seed, f"{SANDBOX_FOLDER}/matplotlib-seed"]
    if connection_file:  # it may live in a hidden folder such as /tmp
        connection_file = os.path.realpath(str(connection_file))
        arguments += ["--ro-bind", connection_file, connection_file]
    # last, once every mount point exists: the hidden folders, the root and /dev become read-only
    for path in ["/", "/dev"] + [path for path in _outermost_first(hidden) if path != SANDBOX_TMP]:
        arguments += ["--remount-ro", path]
    return arguments + ["--chdir", str(cwd)]


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
    paths.update(mlp_folder())
    return sorted(paths)


def mlp_folder():
    """``[the installed mlp package's folder]``, or ``[]`` when mlp cannot be imported."""
    try:
        import mlp
    except ImportError:
        return []
    return [str(Path(mlp.__file__).resolve().parent)]


def existing_folders(paths):
    """The folders of ``paths`` that exist, resolved, each once, in order (empty entries left out)."""
    seen = []
    for path in paths:
        if not path:
            continue
        resolved = os.path.realpath(str(path))
        if os.path.isdir(resolved) and resolved not in seen:
            seen.append(resolved)
    return seen


def is_inside(path, folder):
    """True when ``path`` is ``folder`` or below it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost_first(paths):
    return sorted(paths, key=lambda path: (path.count("/"), path))


def _sized_tmpfs(size, folder):
    return (["--size", str(int(size))] if size else []) + ["--tmpfs", folder]
