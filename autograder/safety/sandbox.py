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

- the file system starts empty: only the operating system's folders (:data:`SYSTEM_FOLDERS`) are
  mounted, read-only; the root and ``/dev`` are read-only too;
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
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from autograder.course.environment import BLAS_THREAD_VARIABLES, PASSED_THROUGH
from autograder.safety import kernel_bootstrap, kernel_cgroup, write_lock

SANDBOX_MODES = ("auto", "bwrap", "none")
CGROUP_MODES = ("auto", "none")

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

LAUNCHER = Path(__file__).resolve().with_name("sandbox_kernel.py")
BOOTSTRAP = Path(kernel_bootstrap.__file__).resolve()
WRITE_LOCK = Path(write_lock.__file__).resolve()

# Variables of the kernel besides its folders: nothing else of the worker's environment.
KERNEL_VARIABLES = tuple(name for name in PASSED_THROUGH if name != "PYTHONPATH") + BLAS_THREAD_VARIABLES + (
    "PYDEVD_DISABLE_FILE_VALIDATION",)

MIB = 1024 ** 2


class SandboxError(RuntimeError):
    """The sandbox that the configuration requires cannot be used on this machine."""


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
        bootstrap += [f"--writable={folder}" for folder in _existing(self.writable)]
        bootstrap += [f"--listen-folder={folder}" for folder in _existing(self.listen_folders)]
        bootstrap += [f"--trusted={folder}" for folder in self.trusted_folders()]
        bootstrap += [f"--package=mlp={folder}" for folder in _mlp_folder()]
        bootstrap += ["--channel", self.channel_dir] + ["--late-sockets"] * self.late_sockets
        bootstrap += ["--", "-f", connection_file]
        return launcher + ["--"] + sandbox + bootstrap

    def wrap(self, kernel_command, cwd, connection_file=None):
        """Compatibility with the kernel manager of the previous design: the same as :meth:`kernel_command`
        (``kernel_command``, the kernelspec's argv, is not used: the kernel always starts through the
        bootstrap)."""
        return self.kernel_command(connection_file, working_folder=cwd)

    def trusted_folders(self):
        """Where NumPy, IPython and ``mlp`` may come from: the Python installation and the system folders."""
        return _existing(python_paths() + list(self.readable) + [f for f in SYSTEM_FOLDERS if not os.path.islink(f)])

    def bwrap_arguments(self, cwd, connection_file=None, network=True, seed=None):
        """bwrap's namespace and mount arguments (see the module docstring); ``network``: own namespace."""
        writable = _existing(self.writable)
        hidden = [path for path in _existing(list(DEFAULT_HIDDEN) + list(self.hidden)) if path != "/"]
        readable = _existing(list(self.readable) + python_paths())
        secret = [path for path in hidden if path not in DEFAULT_HIDDEN]
        readable = [path for path in readable if not any(_inside(s, path) for s in secret)]
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
                   if any(_inside(path, h) for h in hidden) or not any(_inside(path, f) for f in SYSTEM_FOLDERS)]
        mounts += [(path, 1, ["--bind", path, path])
                   for path in writable + _existing(list(self.connect_folders) + list(self.listen_folders))]
        mounts += [(folder, 0, _sized_tmpfs(size, folder)) for folder, size in (
            (SANDBOX_TMP, self.limits.temp_bytes), (SANDBOX_HOME, self.limits.home_bytes),
            ("/dev/shm", self.limits.shm_bytes), (str(cwd), self.limits.working_folder_bytes))]
        mounts.append((self.channel_dir, 1, ["--bind", self.channel_dir, self.channel_dir]))
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
                and not any(_inside(real, folder) for folder in (SANDBOX_TMP, SANDBOX_HOME, "/dev/shm")):
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


def _sized_tmpfs(size, folder):
    return (["--size", str(int(size))] if size else []) + ["--tmpfs", folder]


def _mlp_folder():
    try:
        import mlp
    except ImportError:
        return []
    return [str(Path(mlp.__file__).resolve().parent)]


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
    paths.update(_mlp_folder())
    return sorted(paths)


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


def sandbox_description(mode="auto"):
    """One line saying how kernels are isolated under ``mode`` on this machine."""
    return isolation_description(mode)


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
