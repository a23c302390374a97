"""The environment of grading processes and kernels: tools on PATH, BLAS threads, a clean env.

nbgrader creates a new gradebook by running the ``alembic`` executable, which lives next to the
Python interpreter of the virtual environment; when the environment is not activated it is not
on PATH, so every entry point calls :func:`put_tools_on_path` first.
"""

import os
import sys
from pathlib import Path

BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# Variables passed through from the instructor's environment to the grading kernels; everything
# else (tokens, proxies, the user's Jupyter/IPython config locations, ...) is left out.
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX",
                  "MLP_DATA_DIR", "SYSTEMROOT")


def tools_directory():
    """The folder of the running interpreter (holds ``alembic``, ``nbgrader``, ``jupyter``)."""
    return str(Path(sys.executable).parent)


def put_tools_on_path():
    """Prepend the interpreter's folder to ``os.environ['PATH']`` when it is not there yet."""
    path = os.environ.get("PATH", os.defpath)
    if tools_directory() not in path.split(os.pathsep):
        os.environ["PATH"] = tools_directory() + os.pathsep + path


def cpu_count():
    """Cores this process may use (affinity-aware where the platform tells)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def blas_threads_for(workers):
    """BLAS threads per kernel so that ``workers`` kernels together do not oversubscribe the cores."""
    return max(1, cpu_count() // max(1, workers))


def repository_root():
    """The folder that holds the ``autograder`` package (so a worker can import it uninstalled)."""
    return str(Path(__file__).resolve().parents[2])


def clean_environment(blas_threads=None, base=None):
    """A minimal environment for grading workers and their kernels.

    base: mapping to take the passed-through variables from (default ``os.environ``).
    blas_threads: when given, OMP/OpenBLAS/MKL thread counts are pinned to it.
    Per-submission HOME, TMPDIR, IPYTHONDIR and Jupyter folders are set by the worker.
    """
    base = os.environ if base is None else base
    env = {name: base[name] for name in PASSED_THROUGH if name in base}
    path = env.get("PATH", os.defpath)
    if tools_directory() not in path.split(os.pathsep):
        path = tools_directory() + os.pathsep + path
    env["PATH"] = path
    env.setdefault("LANG", "C.UTF-8")
    python_path = [repository_root()] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(python_path))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    if blas_threads is not None:
        for name in BLAS_THREAD_VARIABLES:
            env[name] = str(blas_threads)
    seed = matplotlib_font_cache(base)
    if seed:
        env["AUTOGRADER_MPL_SEED"] = seed
    return env


def matplotlib_font_cache(base=None):
    """The instructor's matplotlib cache folder when it holds a font list (copied into each kernel's
    fresh matplotlib folder so that kernels do not rebuild it), else None."""
    base = os.environ if base is None else base
    if base.get("MPLCONFIGDIR"):
        folder = Path(base["MPLCONFIGDIR"])
    else:
        folder = Path(base.get("XDG_CACHE_HOME") or Path(base.get("HOME", str(Path.home()))) / ".cache") / "matplotlib"
    return str(folder) if any(folder.glob("fontlist-*.json")) else None


def private_home_environment(scratch):
    """Variables that give one submission its own HOME, temp dir and Jupyter/IPython/matplotlib dirs.

    A kernel can write anything into its home (an IPython startup file, a matplotlibrc); giving
    every submission a fresh one stops a submission from influencing the grading of the next.
    """
    scratch = Path(scratch)
    home = scratch / "home"
    folders = {
        "HOME": home,
        "TMPDIR": scratch / "tmp",
        "IPYTHONDIR": home / ".ipython",
        "JUPYTER_CONFIG_DIR": home / ".jupyter",
        "JUPYTER_DATA_DIR": home / ".local" / "share" / "jupyter",
        "JUPYTER_RUNTIME_DIR": home / ".local" / "share" / "jupyter" / "runtime",
        "MPLCONFIGDIR": home / ".matplotlib",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_CONFIG_HOME": home / ".config",
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return {name: str(folder) for name, folder in folders.items()}
