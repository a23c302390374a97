"""The first code a grading kernel runs: make its folders, check what it imports, then start ipykernel.

Run by the launcher (:mod:`autograder.safety.sandbox_kernel`) as ``python -I kernel_bootstrap.py OPTIONS
-- IPKERNEL_ARGUMENTS``, inside the sandbox when there is one. ``-I`` (isolated mode) keeps the
working folder, ``PYTHONPATH`` and the user's site-packages off ``sys.path``, so this file, which
imports only the standard library, cannot be replaced by a submission. What it stops:

- **Shadowed packages.** A ``numpy.py``, a ``numpy/`` folder or an ``IPython`` module in the
  submission would run in place of the real one (in the student's own Jupyter they do, as the
  notebook's folder comes first on ``sys.path``). Such a submission is refused: the kernel exits
  with :data:`REFUSED_EXIT_CODE` after a line ``<REFUSED_PREFIX> the kernel could not start:
  numpy.py in the submission shadows NumPy`` on stderr. The same happens when one of
  :data:`PROTECTED` resolves to a file outside the read-only installation by any other route.
- **Grader modules from the submission.** ``mlp`` always comes from the folder the grader uses
  (a finder ahead of ``sys.path``); the working folder is put at the *end* of ``sys.path``, so a
  student's helper module imports as in Jupyter but never in place of an installed one; IPython's
  ``ignore_cwd`` (and ``-I``'s safe path) keep it from adding the working folder in front.
- **A full disk.** In the sandbox the working folder is a size-limited in-memory folder: the
  submission's files are copied into it from a read-only view of the host's copy, so nothing the
  kernel writes reaches the grader's disk. The only host folder it can reach is its channel
  folder (the Jupyter sockets); where Landlock exists (Linux >= 5.13) the kernel may create
  sockets there until ipykernel has bound its own and nothing at all afterwards, and may write
  only under its own writable folders.

Every line before :data:`HANDOVER_LINE` in the kernel's log was written by the launcher or this
file (no student code has run yet), which is what :func:`autograder.safety.sandbox.kernel_start_problem`
relies on.
"""

import argparse
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import shutil
import sys
import time

REFUSED_EXIT_CODE = 78  # EX_CONFIG of sysexits.h: the submission cannot be run as it is
REFUSED_PREFIX = "autograder-bootstrap-refused:"
HANDOVER_LINE = "autograder-bootstrap: checks passed, starting ipykernel"

# Modules whose code must be the installed one, with the names the refusal message uses.
PROTECTED = {"numpy": "NumPy", "mlp": "mlp", "IPython": "IPython", "ipykernel": "ipykernel"}


class KernelRefused(Exception):
    """The kernel must not start; the message says why, for the grade table."""


class TrustedPackages(importlib.abc.MetaPathFinder):
    """Finds the named top-level packages in given folders only, ahead of everything on ``sys.path``.

    packages: mapping name -> folder of the package (the one holding ``__init__.py``).
    """

    def __init__(self, packages):
        self.packages = dict(packages)

    def find_spec(self, fullname, path=None, target=None):
        folder = self.packages.get(fullname)
        if folder is None:
            return None
        return importlib.util.spec_from_file_location(fullname, os.path.join(folder, "__init__.py"),
                                                      submodule_search_locations=[folder])

    def __repr__(self):
        return f"TrustedPackages({self.packages!r})"


def shadowing_files(folder, names=PROTECTED):
    """Entries of ``folder`` that would be imported as one of ``names`` if ``folder`` came first on sys.path.

    Returns a list of (entry name, module name): ``numpy.py``, ``numpy/``, ``numpy.cpython-311.so``...
    """
    suffixes = tuple(importlib.machinery.all_suffixes())
    found = []
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return found
    for entry in entries:
        path = os.path.join(folder, entry)
        if entry in names and os.path.isdir(path):
            found.append((entry + "/", entry))
            continue
        for suffix in suffixes:
            if entry.endswith(suffix) and entry[:-len(suffix)].split(".")[0] in names:
                found.append((entry, entry[:-len(suffix)].split(".")[0]))
                break
    return found


def _inside(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _deepest(path, folders):
    return max((os.path.realpath(f) for f in folders if _inside(path, f)), key=len, default=None)


def _from_installation(origin, trusted, untrusted):
    """True when ``origin`` lies in a trusted folder and no writable folder can change it: either no
    writable folder contains it, or the trusted folder is deeper and mounted read-only over it (a
    checkout under /tmp, bound read-only over the sandbox's own /tmp)."""
    installation, writable = _deepest(origin, trusted), _deepest(origin, untrusted)
    if installation is None:
        return False
    return writable is None or (len(installation) > len(writable) and _read_only(installation))


def _read_only(folder):
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)


def check_protected(trusted, untrusted, working_folder, names=PROTECTED):
    """Raise :class:`KernelRefused` when a protected module would not come from the installation.

    trusted: folders of the read-only installation (Python, site-packages, ``mlp``).
    untrusted: folders the kernel may write (working folder, HOME, temp dirs); a module found there
        is refused even if it also lies under a trusted folder.
    """
    for entry, name in shadowing_files(working_folder, names):
        raise KernelRefused(f"the kernel could not start: {entry} in the submission shadows {names[name]}")
    for name, label in names.items():
        spec = importlib.util.find_spec(name)
        if spec is None:
            raise KernelRefused(f"the kernel could not start: {label} is not installed for the grading kernel")
        origin = spec.origin or next(iter(spec.submodule_search_locations or []), "")
        if not origin or not _from_installation(origin, trusted, untrusted):
            raise KernelRefused(f"the kernel could not start: {label} would be imported from {origin or 'nowhere'}, "
                                f"outside the read-only installation")


def copy_submission(source, working_folder):
    """Copy the submission's files from the read-only ``source`` into the (size-limited) working folder."""
    try:
        shutil.copytree(source, working_folder, dirs_exist_ok=True, symlinks=True)
    except (OSError, shutil.Error) as error:
        raise KernelRefused(f"the kernel could not start: the submission's files do not fit in the "
                            f"working folder ({_first_error(error)})") from None


def _first_error(error):
    if isinstance(error, shutil.Error) and error.args and isinstance(error.args[0], list) and error.args[0]:
        return str(error.args[0][0][-1])
    return str(error)


def make_folders(environment_names=("HOME", "TMPDIR", "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
                                    "JUPYTER_RUNTIME_DIR", "MPLCONFIGDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")):
    """Create the kernel's private folders named by the environment (they start empty)."""
    for name in environment_names:
        if os.environ.get(name):
            os.makedirs(os.environ[name], mode=0o700, exist_ok=True)


def seed_matplotlib(seed_folder):
    """Copy matplotlib's font list into the fresh MPLCONFIGDIR (saves rebuilding it in every kernel)."""
    target = os.environ.get("MPLCONFIGDIR")
    if not (seed_folder and target and os.path.isdir(seed_folder)):
        return
    for entry in os.listdir(seed_folder):
        if entry.startswith("fontlist-") and entry.endswith(".json"):
            shutil.copyfile(os.path.join(seed_folder, entry), os.path.join(target, entry))


def wait_for_sockets(connection_file, timeout=30.0):
    """Wait until ipykernel has bound every ipc socket named in ``connection_file`` (no-op for tcp)."""
    with open(connection_file) as handle:
        info = json.load(handle)
    if info.get("transport") != "ipc":
        return
    paths = [f"{info['ip']}-{info[key]}" for key in ("shell_port", "iopub_port", "stdin_port", "control_port",
                                                     "hb_port")]
    deadline = time.monotonic() + timeout
    while not all(os.path.exists(path) for path in paths) and time.monotonic() < deadline:
        time.sleep(0.01)


def parse_arguments(argv):
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(prog="kernel_bootstrap.py")
    parser.add_argument("--work", required=True, help="the kernel's working folder")
    parser.add_argument("--copy-from", help="read-only folder whose files are copied into --work")
    parser.add_argument("--trusted", action="append", default=[], help="folder of the read-only installation")
    parser.add_argument("--writable", action="append", default=[], help="folder the kernel may write")
    parser.add_argument("--package", action="append", default=[], help="NAME=FOLDER: where a package must come from")
    parser.add_argument("--channel", help="folder of the Jupyter ipc sockets")
    parser.add_argument("--listen-folder", action="append", default=[],
                        help="folder where the kernel may create sockets (nothing else)")
    parser.add_argument("--late-sockets", action="store_true",
                        help="keep the right to create sockets in --channel after ipykernel has started")
    parser.add_argument("--matplotlib-seed", help="folder holding matplotlib's fontlist-*.json")
    options = parser.parse_args(argv[:split])
    return options, argv[split + 1:]


def prepare(options):
    """Everything before ipykernel: folders, the copy, sys.path, the checks (raises KernelRefused)."""
    make_folders()
    if options.copy_from:
        copy_submission(options.copy_from, options.work)
    os.chdir(options.work)
    seed_matplotlib(options.matplotlib_seed)
    packages = dict(item.split("=", 1) for item in options.package)
    sys.meta_path.insert(0, TrustedPackages(packages))
    sys.path[:] = [path for path in sys.path if path and not _inside(path, options.work)] + [options.work]
    untrusted = [options.work, *options.writable] + ([options.channel] if options.channel else [])
    check_protected(options.trusted + list(packages.values()), untrusted, options.work)


def _write_lock():
    """:mod:`autograder.safety.write_lock`, loaded from the file next to this one (``-I``: no sys.path entry for it)."""
    spec = importlib.util.spec_from_file_location("_autograder_write_lock",
                                                  os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                               "write_lock.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_rules(write_lock, options, sockets_allowed):
    """Landlock rules: all writes in the kernel's own folders, device writes, sockets in the channel folder."""
    everything = write_lock.all_writes(write_lock.landlock_abi())
    rules = [(folder, everything) for folder in [options.work, *options.writable]]
    rules += [("/dev", write_lock.DEVICE_WRITES), ("/proc", write_lock.DEVICE_WRITES)]
    rules += [(folder, write_lock.MAKE_SOCK | write_lock.REMOVE_FILE) for folder in options.listen_folder]
    if options.channel and sockets_allowed:
        rules.append((options.channel, write_lock.MAKE_SOCK))
    return rules


def start_ipykernel(options, kernel_arguments):
    """Start ipykernel in this process, giving up the channel folder once its sockets are bound."""
    write_lock = _write_lock()
    locked = write_lock.restrict_writes(write_rules(write_lock, options, sockets_allowed=True))
    print(f"{HANDOVER_LINE} (write lock: {'Landlock' if locked else 'not available'})", file=sys.stderr, flush=True)
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    # the history stays in memory: nothing on the sandbox's disk, and a submission that fills HOME
    # does not make IPython's history thread print into the graded output
    app.initialize(["--IPKernelApp.ignore_cwd=True", "--HistoryManager.hist_file=:memory:", *kernel_arguments])
    if locked and options.channel and not options.late_sockets:
        wait_for_sockets(app.abs_connection_file)
        write_lock.restrict_writes(write_rules(write_lock, options, sockets_allowed=False))
    app.start()


def main(argv=None):
    options, kernel_arguments = parse_arguments(list(sys.argv[1:] if argv is None else argv))
    try:
        prepare(options)
    except KernelRefused as refusal:
        print(f"{REFUSED_PREFIX} {refusal}", file=sys.stderr, flush=True)
        return REFUSED_EXIT_CODE
    sys.argv = ["ipykernel_launcher", *kernel_arguments]
    start_ipykernel(options, kernel_arguments)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
