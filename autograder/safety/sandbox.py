"""Where a grading kernel may look and what it may use: the sandbox around each kernel process.

A submission's kernel runs student code as the grader's own user (often root in CI), so file
permissions protect nothing. :meth:`SandboxPolicy.kernel_command` gives the kernel manager the
whole command, never a kernelspec's::

    python -I .../sandbox_kernel.py LIMITS --log LOG --env ... -- \
        bwrap MOUNTS -- python -I /.autograder/safety/kernel_bootstrap.py CHECKS -- -f CONNECTION

The launcher (:mod:`autograder.safety.sandbox_kernel`, isolated ``-I``, by absolute path, so nothing of
the submission is importable in its place) sends the kernel's output to a log file of its own,
replaces the environment, sets resource limits, joins the kernel's cgroup v2 when there is one
(:mod:`autograder.safety.kernel_cgroup`) and replaces itself with bubblewrap (``bwrap``, the
unprivileged sandbox of Flatpak; Debian package ``bubblewrap``). bwrap starts the kernel in new
user, mount, PID, IPC, UTS and -- when the Jupyter channels use the ``ipc`` transport -- network
namespaces, where

- the file system starts empty: only the operating system's folders
  (:data:`~autograder.safety.bwrap_mounts.SYSTEM_FOLDERS`) are mounted, read-only; the root and
  ``/dev`` are read-only too;
- the *hidden* paths (course root, lesson sources, answer key, the run folder, ``/home``,
  ``/root``, ...) are empty **read-only** folders; the Python installation and ``mlp`` are
  mounted back read-only;
- the only writable places are fresh, size-limited in-memory folders made for this kernel start:
  the working folder (the submission's non-notebook files are copied in by the bootstrap from a
  read-only view of the host's copy), HOME (with IPYTHONDIR, Jupyter and matplotlib folders),
  ``/tmp`` and ``/dev/shm``: nothing a kernel writes reaches the grader's disk or the next kernel;
- the one shared host folder is the kernel's private channel folder (mode 0700) holding the
  Jupyter ipc sockets; there is no network, not even the grader's loopback;
- every process of the kernel dies with it (new PID namespace, ``--die-with-parent``, and the
  cgroup is killed at :meth:`SandboxPolicy.cleanup`).

The bootstrap (:mod:`autograder.safety.kernel_bootstrap`) refuses to start a kernel whose ``numpy``,
``mlp`` or IPython would come from the submission; :func:`kernel_start_problem` reads that
reason back from the log. Without bwrap (or with ``sandbox = "none"``) the launcher's isolation,
the bootstrap's checks, fresh folders, the Landlock write lock (:mod:`autograder.safety.write_lock`)
and the resource limits still apply; :func:`isolation_description` says what is active here.

Where the pieces live: :mod:`.bwrap_mounts` (bubblewrap's command line and mounts),
:mod:`.resource_limits` (:class:`ResourceLimits`), :mod:`.sandbox_support` (what this machine
supports); here the policy of one notebook's kernels, their environment and the reading of a
failed start.
"""

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.environment import BLAS_THREAD_VARIABLES, PASSED_THROUGH
from autograder.safety import bwrap_mounts, kernel_bootstrap, kernel_cgroup, write_lock
from autograder.safety.bwrap_mounts import (
    BOOTSTRAP,
    SANDBOX_FOLDER,
    SANDBOX_HOME,
    SANDBOX_TMP,
    SYSTEM_FOLDERS,
    existing_folders,
    is_inside,
    mlp_folder,
    python_paths,
)
from autograder.safety.resource_limits import ResourceLimits
from autograder.safety.sandbox_support import bwrap_problem, cgroup_parent

SANDBOX_MODES = ("auto", "bwrap", "none")
CGROUP_MODES = ("auto", "none")

LAUNCHER = Path(__file__).resolve().with_name("sandbox_kernel.py")

# Variables of the kernel besides its folders: nothing else of the worker's environment.
KERNEL_VARIABLES = tuple(name for name in PASSED_THROUGH if name != "PYTHONPATH") + BLAS_THREAD_VARIABLES + (
    "PYDEVD_DISABLE_FILE_VALIDATION",)


class SandboxError(RuntimeError):
    """The sandbox that the configuration requires cannot be used on this machine."""


@dataclass
class SandboxPolicy:
    """What one notebook's kernel may see and write, and the private folders of its starts.

    mode: "auto" (bwrap when it works here, else no sandbox), "bwrap" (required) or "none".
    hidden: folders replaced by empty read-only ones (secrets, other submissions).
    readable: folders under a hidden one that are mounted back read-only (Python, ``mlp``).
    writable: extra host folders bound read-write (none is needed: each one is disk the kernel
        can fill and state it shares with the next kernel).
    working_folder: host folder with the submission's non-notebook files (never written to: the
        sandbox works on an in-memory copy).
    environment: extra variables for the kernel.
    cgroups: "auto" (a cgroup v2 per kernel when the machine delegates one) or "none".
    cgroup_parent: the cgroup v2 folder to make kernels' cgroups in (default: the grader's own,
        or ``$AUTOGRADER_CGROUP_PARENT``).
    connect_folders: host folders of Unix sockets the kernel connects to (bound read-write; with
        Landlock the kernel can create nothing in them: connecting needs no write right).
    listen_folders: host folders where the kernel binds Unix sockets (with Landlock: sockets only,
        no file or folder). Make both with :func:`shared_socket_folder`, never below ``/tmp``.
    late_sockets: let code in the kernel create sockets (nothing else) in the channel folder after
        ipykernel has started (default: not; a trusted process binds, the kernel connects).

    Per start of the kernel, :meth:`kernel_command` makes a fresh log file and (without bwrap)
    fresh HOME and temp folders in :attr:`kernel_folder`; :meth:`cleanup` ends and removes it all.
    """

    mode: str = "auto"
    writable: list = field(default_factory=list)
    hidden: list = field(default_factory=list)
    readable: list = field(default_factory=list)
    limits: ResourceLimits = field(default_factory=ResourceLimits)
    working_folder: str = None
    environment: dict = field(default_factory=dict)
    cgroups: str = "auto"
    cgroup_parent: str = None
    connect_folders: list = field(default_factory=list)
    listen_folders: list = field(default_factory=list)
    late_sockets: bool = False
    _folder: str = field(default=None, init=False, repr=False)
    _starts: int = field(default=0, init=False, repr=False)
    _cgroups: list = field(default_factory=list, init=False, repr=False)

    def __post_init__(self):
        if self.mode not in SANDBOX_MODES:
            raise ValueError(f"SandboxPolicy: mode must be one of {', '.join(SANDBOX_MODES)}, got {self.mode!r}")
        if self.cgroups not in CGROUP_MODES:
            raise ValueError(f"SandboxPolicy: cgroups must be one of {', '.join(CGROUP_MODES)}, got {self.cgroups!r}")

    def uses_bwrap(self):
        """True when the kernel will run inside bwrap (raises when bwrap is required but unusable)."""
        if self.mode == "none":
            return False
        usable = bwrap_problem() is None
        if self.mode == "bwrap" and not usable:
            raise SandboxError(f"the sandbox 'bwrap' is required but cannot be used: {bwrap_problem()}")
        return usable

    # the kernel's private folders ----------------------------------------------------------
    @property
    def kernel_folder(self):
        """A private folder (0700) of this policy, made on first use: channel folder, logs, and the
        HOME/temp folders of kernels without bwrap. A short path, as ipc socket paths are limited."""
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="autograder-kernel-", dir=kernel_folder_base())
        return self._folder

    @property
    def channel_dir(self):
        """The kernel's channel folder (0700): the ipc sockets, and the only host folder it shares."""
        folder = Path(self.kernel_folder) / "channel"
        folder.mkdir(mode=0o700, exist_ok=True)
        return str(folder)

    @property
    def channel_prefix(self):
        """What the kernel manager's ``ip`` must be with ``transport = "ipc"`` (sockets ``<prefix>-<port>``)."""
        return str(Path(self.channel_dir) / "kernel")

    @property
    def launch_cwd(self):
        """A trusted working directory for starting the launcher (not the submission's folder)."""
        return self.kernel_folder

    @property
    def log_path(self):
        """The log file of the latest kernel start (its stdout and stderr), or None before the first."""
        return str(Path(self.kernel_folder) / f"kernel-{self._starts}.log") if self._starts else None

    def start_problem(self):
        """Why the latest kernel start failed, from its log (see :func:`kernel_start_problem`), or None."""
        return kernel_start_problem(self.log_path) if self.log_path else None

    # the command ----------------------------------------------------------------------------
    def kernel_command(self, connection_file, working_folder=None):
        """The full argv that starts one kernel (a fresh log, HOME, temp folder and cgroup each call).

        connection_file: the file the kernel manager wrote (its ``transport`` decides whether the
            kernel gets its own network namespace: yes for ``ipc``).
        working_folder: the submission's non-notebook files (default :attr:`working_folder`).
        """
        work = os.path.realpath(str(working_folder or self.working_folder or self.kernel_folder))
        connection_file = os.path.realpath(str(connection_file))
        sandboxed = self.uses_bwrap()
        self._starts += 1
        log = Path(self.log_path)
        log.touch(mode=0o600)
        if sandboxed:
            home, temp = SANDBOX_HOME, SANDBOX_TMP
        else:
            home, temp = self._fresh_folders()
        environment = kernel_environment(home, temp, extra=self.environment, parent_pid=None if sandboxed
                                         else os.getpid())
        launcher = [sys.executable, "-I", str(LAUNCHER), *self.limits.as_arguments(), "--log", str(log)]
        launcher += [f"--env={name}={value}" for name, value in environment.items()]
        cgroup = self._new_cgroup()
        if cgroup is not None:
            launcher += ["--cgroup", str(cgroup.folder)]
        seed = matplotlib_seed()
        if sandboxed:
            network = _transport(connection_file) == "ipc"
            with log.open("a") as handle:
                handle.write(f"autograder policy: bwrap sandbox, network {'own' if network else 'shared (tcp)'}\n")
            bootstrap = [sys.executable, "-I", f"{SANDBOX_FOLDER}/{BOOTSTRAP.name}", "--work", work,
                         "--copy-from", f"{SANDBOX_FOLDER}/submission",
                         "--writable", home, "--writable", temp, "--writable", "/dev/shm"]
            if seed:
                bootstrap += ["--matplotlib-seed", f"{SANDBOX_FOLDER}/matplotlib-seed"]
            sandbox = self.bwrap_arguments(work, connection_file, network=network, seed=seed) + ["--"]
            launcher.append("--ignore-interrupts")  # bwrap must survive the kernel manager's SIGINT
        else:
            bootstrap = [sys.executable, "-I", str(BOOTSTRAP), "--work", work, "--writable", home,
                         "--writable", temp, "--writable", "/dev/shm"]
            if seed:
                bootstrap += ["--matplotlib-seed", seed]
            launcher += ["--chdir", work]
            sandbox = []
        bootstrap += [f"--writable={folder}" for folder in existing_folders(self.writable)]
        bootstrap += [f"--listen-folder={folder}" for folder in existing_folders(self.listen_folders)]
        bootstrap += [f"--trusted={folder}" for folder in self.trusted_folders()]
        bootstrap += [f"--package=mlp={folder}" for folder in mlp_folder()]
        bootstrap += ["--channel", self.channel_dir] + ["--late-sockets"] * self.late_sockets
        bootstrap += ["--", "-f", connection_file]
        return launcher + ["--"] + sandbox + bootstrap

    def trusted_folders(self):
        """Where NumPy, IPython and ``mlp`` may come from: the Python installation and the system folders."""
        system = [folder for folder in SYSTEM_FOLDERS if not os.path.islink(folder)]
        return existing_folders(python_paths() + list(self.readable) + system)

    def bwrap_arguments(self, cwd, connection_file=None, network=True, seed=None):
        """bwrap's namespace and mount arguments (:func:`autograder.safety.bwrap_mounts.bwrap_arguments`);
        ``network``: own namespace."""
        return bwrap_mounts.bwrap_arguments(self, cwd, connection_file, network=network, seed=seed)

    # the end --------------------------------------------------------------------------------
    def _fresh_folders(self):
        """HOME and temp folder for a kernel without bwrap: new for every start, the previous ones removed."""
        for old in Path(self.kernel_folder).glob("home-*"):
            shutil.rmtree(old, ignore_errors=True)
        for old in Path(self.kernel_folder).glob("tmp-*"):
            shutil.rmtree(old, ignore_errors=True)
        home, temp = (Path(self.kernel_folder) / f"{name}-{self._starts}" for name in ("home", "tmp"))
        for folder in (home, temp):
            folder.mkdir(mode=0o700)
        return str(home), str(temp)

    def _new_cgroup(self):
        for old in self._cgroups:
            old.remove()
        self._cgroups = [c for c in self._cgroups if c.folder.exists()]
        if self.cgroups == "none":
            return None
        parent, _ = cgroup_parent(self.cgroup_parent)
        if parent is None:
            return None
        cgroup = kernel_cgroup.KernelCgroup.create(parent, self.limits.memory_bytes, self.limits.processes)
        self._cgroups.append(cgroup)
        return cgroup

    def cleanup(self):
        """End every process of the kernel's cgroups and remove them and :attr:`kernel_folder` (logs too).

        Read :meth:`start_problem` first if the kernel did not start. Safe to call more than once.
        """
        for cgroup in self._cgroups:
            cgroup.remove()
        self._cgroups = []
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __repr__(self):
        return (f"SandboxPolicy(mode={self.mode!r}, writable={self.writable!r}, hidden={self.hidden!r}, "
                f"readable={self.readable!r}, limits={self.limits!r}, working_folder={self.working_folder!r}, "
                f"cgroups={self.cgroups!r})")


def shared_socket_folder(prefix="autograder-sockets-"):
    """A new private folder (0700) for Unix sockets shared by kernels and the grader (see
    :attr:`SandboxPolicy.connect_folders`), where the sandbox's Landlock rules can protect it."""
    return tempfile.mkdtemp(prefix=prefix, dir=kernel_folder_base())


def kernel_folder_base():
    """Where kernels' private folders go on the host: a short path (ipc socket paths have at most 107
    bytes) that is not below a folder the sandboxed kernel may write (its ``/tmp``, HOME, ``/dev/shm``),
    or Landlock could not keep the kernel from writing into its channel folder."""
    for base in (tempfile.gettempdir(), "/var/tmp", "/tmp"):
        real = os.path.realpath(base)
        if len(real) <= 50 and os.path.isdir(real) and os.access(real, os.W_OK) \
                and not any(is_inside(real, folder) for folder in (SANDBOX_TMP, SANDBOX_HOME, "/dev/shm")):
            return real
    return "/tmp"


def kernel_environment(home, temp, extra=None, parent_pid=None):
    """The kernel's whole environment: a few of the worker's variables, its own folders, safe Python flags."""
    environment = {name: os.environ[name] for name in KERNEL_VARIABLES if name in os.environ}
    environment.setdefault("PATH", os.defpath)
    environment.setdefault("LANG", "C.UTF-8")
    environment.update({
        "HOME": home, "TMPDIR": temp,
        "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
        "JUPYTER_DATA_DIR": f"{home}/.local/share/jupyter",
        "JUPYTER_RUNTIME_DIR": f"{home}/.local/share/jupyter/runtime",
        "MPLCONFIGDIR": f"{home}/.config/matplotlib",
        "XDG_CACHE_HOME": f"{home}/.cache",
        "XDG_CONFIG_HOME": f"{home}/.config",
        "PYTHONNOUSERSITE": "1", "PYTHONSAFEPATH": "1", "PYTHONDONTWRITEBYTECODE": "1",
    })
    if parent_pid:
        environment["JPY_PARENT_PID"] = str(parent_pid)
    environment.update(extra or {})
    return environment


def matplotlib_seed():
    """A folder holding matplotlib's font list to copy into each kernel's fresh MPLCONFIGDIR, or None."""
    for folder in (os.environ.get("MPLCONFIGDIR"), os.environ.get("AUTOGRADER_MPL_SEED")):
        if folder and any(Path(folder).glob("fontlist-*.json")):
            return os.path.realpath(folder)
    return None


def kernel_start_problem(log_path):
    """Why a kernel did not start, read from its log file (None when it reached ipykernel or the log is empty).

    Only the lines written before the bootstrap handed over to ipykernel count: no student code had
    run then, so the reason cannot be forged. Examples: "the kernel could not start: numpy.py in
    the submission shadows NumPy", "the sandbox could not start: bwrap: ...".
    """
    try:
        with open(log_path, "rb") as handle:
            text = handle.read(64 * 1024).decode("utf-8", "replace")
    except (OSError, TypeError):
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(kernel_bootstrap.HANDOVER_LINE):
            return None
        if line.startswith(kernel_bootstrap.REFUSED_PREFIX):
            return line[len(kernel_bootstrap.REFUSED_PREFIX):].strip()
        if line.startswith("bwrap:"):
            return f"the sandbox could not start: {line[:300]}"
        if line.startswith("autograder launcher: cannot run"):
            return f"the kernel could not start: {line[len('autograder launcher: '):][:300]}"
    trusted = [line for line in lines if not line.startswith(("autograder launcher:", "autograder policy:"))]
    return f"the kernel could not start: {trusted[-1][:300]}" if trusted else None


def _transport(connection_file):
    try:
        return json.loads(Path(connection_file).read_text()).get("transport", "tcp")
    except (OSError, ValueError, AttributeError):
        return "tcp"


def isolation_description(mode="auto", cgroups="auto"):
    """One line saying how kernels are isolated under ``mode`` on this machine (for the grade output)."""
    parts = ["isolated launcher and import checks"]
    if mode == "none":
        parts.insert(0, "no sandbox (disabled in the configuration)")
    elif bwrap_problem() is None:
        parts.insert(0, "bwrap sandbox, own network namespace, size-limited in-memory folders")
    else:
        parts.insert(0, f"no sandbox ({bwrap_problem()})")
    parts.append("Landlock write lock" if write_lock.landlock_abi() else "no Landlock write lock")
    parent, problem = (None, "cgroups disabled in the configuration") if cgroups == "none" else cgroup_parent()
    if parent is not None:
        parts.append("cgroup v2 memory/pids limits")
    else:
        parts.append(f"{problem}: memory limited per process by RLIMIT_AS only")
    return ", ".join(parts)
