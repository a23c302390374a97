"""The Python environment every user runs: the kit's venv, reachable by users who do not own it.

Each single-user server is ``<env>/bin/jupyterhub-singleuser`` started as that user, and its
kernels are the same environment's ``python``. A venv made from an interpreter inside a private
folder (pyenv under ``/root``), or a kit inside a folder others cannot enter (a clone in a 0700
``mktemp -d``), cannot be run by anyone else: the hub would start and every server would fail.
:func:`check_environment` finds that before anything starts. The way to have one is the kit's home
(:mod:`.kit_home`, ``make hub-env``): a root-owned copy in ``/opt/nn-course-kit`` with its venv.
"""

import json
import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from autograder.hub.kit_home import DEFAULT_HOME, python_of
from autograder.hub.settings import HubSetupError

PROGRAMS = ("jupyterhub", "jupyterhub-singleuser", "jupyter", "nbgrader")
FIX = ("install the kit where every user can reach it: `sudo make hub-env` (a root-owned copy in "
       f"{DEFAULT_HOME}/kit and its venv, made from the system Python), then pass --python {python_of(DEFAULT_HOME)}")


@dataclass(frozen=True)
class PythonEnvironment:
    """An interpreter and the folders it needs at run time.

    python: the environment's ``bin/python`` (not resolved: the venv is found from its location).
    prefix: the environment (``sys.prefix``); base_prefix: where the standard library lives.
    kit: the folder that holds the ``autograder`` package this environment imports (the kit's copy
    in its home), or None when it has none.
    """

    python: Path
    prefix: Path
    base_prefix: Path
    kit: Path | None = None

    @property
    def bin(self):
        return self.python.parent

    def program(self, name):
        return self.bin / name

    @property
    def student_config(self):
        """The students' Jupyter configuration folder of this environment's kit (see :mod:`.roles`)."""
        return None if self.kit is None else self.kit / "autograder" / "hub" / "jupyter_config" / "student"

    @classmethod
    def of(cls, python):
        python = Path(python).absolute()
        if not python.is_file():
            raise HubSetupError(f"--python {python}: no such interpreter; {FIX}")
        # -I: what a user's server imports, not what the current folder or PYTHONPATH would shadow it with
        report = ("import sys, json, importlib.util; spec = importlib.util.find_spec('autograder'); "
                  "print(json.dumps([sys.prefix, sys.base_prefix, "
                  "list(spec.submodule_search_locations) if spec else []]))")
        probe = subprocess.run([str(python), "-I", "-c", report], capture_output=True, text=True, timeout=60)
        if probe.returncode != 0:
            raise HubSetupError(f"--python {python} does not run: {probe.stderr.strip()[-300:]}")
        prefix, base_prefix, package = json.loads(probe.stdout)
        kit = Path(package[0]).parent if package else None
        return cls(python=python, prefix=Path(prefix), base_prefix=Path(base_prefix), kit=kit)


def _closed_to_others(path):
    """The first folder on the way to ``path`` (or ``path`` itself) that other users cannot enter or read."""
    path = Path(path)
    for folder in [*reversed(path.parents), path]:
        if not folder.exists():
            continue
        mode = folder.stat().st_mode
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return folder
        if not stat.S_ISDIR(mode) and not mode & stat.S_IROTH:
            return folder
    return None


def check_environment(environment):
    """Problems that keep other users from running ``environment``: missing programs, closed folders."""
    problems = [f"--python {environment.python}: its environment has no {name} (pip install -e . installs it)"
                for name in PROGRAMS if not environment.program(name).is_file()]
    if environment.kit is None:
        problems.append(f"--python {environment.python}: its environment cannot import the kit (autograder); {FIX}")
    elif not environment.student_config.is_dir():
        problems.append(f"--python {environment.python}: its kit {environment.kit} has no "
                        f"{environment.student_config} (the students' configuration); {FIX}")
    interpreter = Path(os.path.realpath(environment.python))
    kit = [environment.kit / "autograder" / "__init__.py", environment.student_config] if environment.kit else []
    for needed in (interpreter, environment.base_prefix / "lib", environment.prefix / "lib", *kit):
        closed = _closed_to_others(needed)
        if closed is not None:
            problems.append(f"--python {environment.python}: other users cannot reach {needed} ({closed} has mode "
                            f"{stat.filemode(closed.stat().st_mode)}), so no student's server could start; {FIX}")
            break
    return problems
