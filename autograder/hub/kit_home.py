"""The kit's home on a course server: a copy every unix user can reach, and its venv.

Every user's server and kernel runs the kit's environment, so it must not live in a checkout that
others cannot enter (a clone in a 0700 folder, a home, ``mktemp -d``). ``make hub-env`` (as root)
runs this file to install the kit where a server would, whatever the checkout's place::

    /opt/nn-course-kit/            HUB_HOME, root-owned, 0755
        kit/                       a copy of the checkout's files (``git ls-files``, or the working
                                   tree less what .gitignore leaves out), KaTeX and the hub's proxy
        kit/source_notebooks/      root only (0700): the lessons hold the solutions and hidden tests;
                                   ``python -m autograder hub`` copies them into the instructor's
                                   course directory
        venv/                      made from /usr/bin/python3, the kit installed with ``pip install -e kit``

A second run copies only what changed (size and modification time), removes what the checkout no
longer has, and runs pip again only when pyproject.toml changed. Standard library only: it runs
with the system Python before any venv exists (``python3 autograder/hub/kit_home.py --home H``).
"""

import argparse
import fnmatch
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT_HOME = Path("/opt/nn-course-kit")
SYSTEM_PYTHON = Path("/usr/bin/python3")
# Installed beside the copied files: what the pages inline (KaTeX) and the hub's proxy (npm ci puts them there).
ASSETS = ("autograder/pages/static/node_modules/katex/dist", "autograder/hub/proxy/node_modules")
# Lessons (solutions, hidden tests), the answer key and the kit's tests: not for every user's eyes.
PRIVATE = ("source_notebooks", "solutions", "tests")
ALWAYS_LEFT_OUT = (".git", "node_modules", "__pycache__")
MANIFEST = ".kit-files"
PIP_STAMP = ".installed"


def kit_of(home):
    return Path(home) / "kit"


def venv_of(home):
    return Path(home) / "venv"


def python_of(home):
    return venv_of(home) / "bin" / "python"


# What the copy holds ---------------------------------------------------------------------------
def kit_files(checkout):
    """The checkout's files, relative and sorted: tracked and new ones not ignored, as git lists them;
    without git (a tarball), the working tree less what .gitignore leaves out."""
    checkout = Path(checkout)
    listed = None
    if (checkout / ".git").exists() and shutil.which("git"):
        result = subprocess.run(["git", "-C", str(checkout), "ls-files", "-z", "--cached", "--others",
                                 "--exclude-standard"], capture_output=True)
        if result.returncode == 0:
            listed = [name for name in result.stdout.decode().split("\0") if name]
        else:
            print(f"warning: git ls-files failed in {checkout} ({result.stderr.decode().strip()[-200:]}); "
                  "copying the working tree less .gitignore", file=sys.stderr)
    if listed is None:
        listed = list(_walk(checkout, _ignore_patterns(checkout)))
    return sorted(name for name in set(listed)
                  if (checkout / name).is_file() and not _left_out(name) and not name.startswith(".venv"))


def _left_out(name):
    return any(part in ALWAYS_LEFT_OUT or part.endswith(".egg-info") for part in Path(name).parts)


def _ignore_patterns(checkout):
    """The simple .gitignore forms the kit uses: ``name``, ``dir/``, ``path/name``, ``*``, ``!negation``."""
    source = checkout / ".gitignore"
    lines = source.read_text().splitlines() if source.is_file() else []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")] + [".venv*/"]


def _ignored(name, is_dir, patterns):
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern[1:] if negated else pattern
        if pattern.endswith("/"):
            if not is_dir:
                continue
            pattern = pattern[:-1]
        if "/" in pattern.lstrip("/"):
            matched = fnmatch.fnmatch(name, pattern.lstrip("/"))
        else:
            matched = fnmatch.fnmatch(Path(name).name, pattern)
        if matched:
            ignored = not negated
    return ignored


def _walk(checkout, patterns):
    for folder, folders, files in os.walk(checkout):
        relative = Path(folder).relative_to(checkout)
        folders[:] = [name for name in folders
                      if not _ignored(str(relative / name), True, patterns) and not _left_out(name)]
        for name in files:
            if not _ignored(str(relative / name), False, patterns):
                yield str(relative / name)


def differences(checkout, kit, under=None):
    """The files of ``checkout`` (see :func:`kit_files`; only those in its folder ``under`` when given)
    whose copy in ``kit`` is missing or not the same."""
    checkout, kit = Path(checkout), Path(kit)
    names = [name for name in kit_files(checkout) if under is None or name.startswith(under.rstrip("/") + "/")]
    return [name for name in names
            if not (kit / name).is_file() or (kit / name).read_bytes() != (checkout / name).read_bytes()]


# Copying ---------------------------------------------------------------------------------------
def _mode_of(source):
    return 0o755 if os.stat(source).st_mode & 0o111 else 0o644


def _same(source, target):
    try:
        one, two = os.stat(source), os.lstat(target)
    except FileNotFoundError:
        return False
    return (not os.path.islink(target) and one.st_size == two.st_size and one.st_mtime_ns == two.st_mtime_ns
            and two.st_mode & 0o777 == _mode_of(source))


def _copy(source, target):
    """Copy one file (a symlink stays a symlink), readable by everyone; True when it was written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.path.islink(source):
        link = os.readlink(source)
        if os.path.islink(target) and os.readlink(target) == link:
            return False
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        os.symlink(link, target)
        return True
    if _same(source, target):
        return False
    temporary = target.with_name(f".{target.name}.kit-tmp")
    shutil.copy2(source, temporary, follow_symlinks=False)
    temporary.chmod(_mode_of(source))
    if target.is_symlink():
        target.unlink()
    os.replace(temporary, target)
    return True


def _asset_files(checkout):
    """(relative path of every file or symlink) of the installed assets, or a missing asset's install command."""
    found, missing = [], []
    for asset in ASSETS:
        root = checkout / asset
        if not root.is_dir():
            missing.append(asset)
            continue
        for folder, folders, files in os.walk(root):
            for name in files + [f for f in folders if os.path.islink(os.path.join(folder, f))]:
                found.append(str(Path(folder, name).relative_to(checkout)))
    return found, missing


def copy_kit(checkout, home):
    """Bring ``home``/kit up to date with ``checkout``; (files written, files removed)."""
    checkout, kit = Path(checkout).resolve(), kit_of(home)
    assets, missing = _asset_files(checkout)
    if missing:
        raise SystemExit("error: not installed in the checkout: " + ", ".join(missing) + "; run "
                         "`npm ci --prefix autograder/pages/static` and `npm ci --prefix autograder/hub/proxy` "
                         "(make hub-env does)")
    names = kit_files(checkout) + assets
    kit.mkdir(parents=True, exist_ok=True)
    written = sum(_copy(checkout / name, kit / name) for name in names)
    manifest = Path(home) / MANIFEST
    before = set(manifest.read_text().splitlines()) if manifest.is_file() else set()
    removed = 0
    for name in sorted(before - set(names), reverse=True):
        path = kit / name
        if path.is_symlink() or path.is_file():
            path.unlink()
            removed += 1
        _remove_empty_parents(path.parent, kit)
    manifest.write_text("\n".join(names) + "\n")
    manifest.chmod(0o644)
    _set_folder_modes(kit)
    return written, removed


def _remove_empty_parents(folder, kit):
    while folder != kit and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _set_folder_modes(kit):
    for folder, folders, _ in os.walk(kit):
        for name in folders:
            path = Path(folder, name)
            if not path.is_symlink():
                path.chmod(0o755)
    for name in PRIVATE:
        if (kit / name).is_dir():
            (kit / name).chmod(0o700)
    kit.chmod(0o755)


# The venv --------------------------------------------------------------------------------------
def install_venv(home, python=SYSTEM_PYTHON):
    """Create ``home``/venv from ``python`` when missing; ``pip install -e kit`` when pyproject.toml changed."""
    venv, kit = venv_of(home), kit_of(home)
    if not python_of(home).is_file():
        subprocess.run([str(python), "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python_of(home)), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    stamp = venv / PIP_STAMP
    wanted = hashlib.sha256((kit / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text().strip() == wanted:
        return False
    subprocess.run([str(python_of(home)), "-m", "pip", "install", "--quiet", "-e", str(kit)], check=True)
    stamp.write_text(wanted + "\n")
    return True


def closed_to_others(path):
    """The first folder on the way to ``path`` that other users cannot enter, else None."""
    for folder in [*reversed(Path(path).parents), Path(path)]:
        if folder.is_dir() and not folder.stat().st_mode & 0o001:
            return folder
    return None


def install(checkout, home=DEFAULT_HOME, python=SYSTEM_PYTHON):
    """Copy the kit and install its venv in ``home``; a one-line summary."""
    home = Path(home).absolute()
    os.umask(0o022)
    if os.geteuid() != 0:
        raise SystemExit(f"error: the kit's home {home} is owned by root: run as root (sudo make hub-env)")
    if not Path(python).is_file():
        raise SystemExit(f"error: no {python}: the venv every user runs is made from the system Python "
                         "(apt-get install python3 python3-venv)")
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o755)
    closed = closed_to_others(home)
    if closed is not None:
        raise SystemExit(f"error: other users cannot enter {closed} ({oct(closed.stat().st_mode & 0o777)}), so "
                         f"they cannot run the kit in {home}: pick another HUB_HOME, or chmod o+x {closed}")
    written, removed = copy_kit(checkout, home)
    installed = install_venv(home, python)
    return (f"kit home {home}: {written} file(s) copied, {removed} removed; "
            f"venv {'installed' if installed else 'up to date'} ({python_of(home)})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help=f"the kit's home (default {DEFAULT_HOME})")
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parents[2],
                        help="the checkout to copy (default: the one this file is in)")
    parser.add_argument("--python", type=Path, default=SYSTEM_PYTHON, help=f"the venv's base (default {SYSTEM_PYTHON})")
    arguments = parser.parse_args(argv)
    print(install(arguments.checkout, arguments.home, arguments.python))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
