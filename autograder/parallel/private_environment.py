"""Each job's own HOME, temp dir and Jupyter/IPython/matplotlib folders inside its scratch folder.

So one submission's kernel cannot influence the next one's. Matplotlib's font cache is built once
per worker (not by a kernel) and copied into every job's folder, so kernels do not rebuild it.
"""

import os
import shutil
import tempfile
from pathlib import Path

MATPLOTLIB_SEED_VARIABLE = "AUTOGRADER_MPL_SEED"


def private_environment(scratch):
    """The environment variables of a job whose scratch folder is ``scratch`` (also makes the folders)."""
    from autograder.course.environment import private_home_environment

    environment = private_home_environment(scratch)
    tempfile.tempdir = environment["TMPDIR"]  # Python caches the temp dir of the first call
    seed = os.environ.get(MATPLOTLIB_SEED_VARIABLE)
    if seed and Path(seed).is_dir():  # a matplotlib font cache built by this worker, not by a kernel
        for cache in Path(seed).glob("fontlist-*.json"):
            shutil.copyfile(cache, Path(environment["MPLCONFIGDIR"]) / cache.name)
    return environment


def seed_matplotlib_cache(folder):
    """Build matplotlib's font cache once per worker, in ``folder``, for :func:`private_environment` to copy."""
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = str(folder)
    try:
        import matplotlib.font_manager  # noqa: F401 -- importing builds the cache
    except Exception:  # noqa: BLE001 -- without matplotlib there is nothing to seed
        return
    os.environ[MATPLOTLIB_SEED_VARIABLE] = str(folder)
    del os.environ["MPLCONFIGDIR"]
