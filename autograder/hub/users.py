"""The course's unix accounts: found, created with ``useradd`` when missing, removed (tests).

A new account gets a home folder only its owner can enter (mode 0700: Debian's default is 0755,
which would let every student read every other student's work) and its own group.
"""

import grp
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from autograder.hub.settings import HubSetupError

HOME_MODE = 0o700


def exists(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def home_of(name):
    """The home folder of an existing user, or ``/home/NAME`` for one about to be created."""
    try:
        return Path(pwd.getpwnam(name).pw_dir)
    except KeyError:
        return Path("/home") / name


def ids_of(name):
    """``(uid, gid)`` of an existing user."""
    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def missing_users(names):
    return [name for name in names if not exists(name)]


def check_users(names, create):
    """Problems that keep the accounts from being ready (nothing is created here)."""
    missing = missing_users(names)
    if not missing:
        return []
    shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
    if not create:
        return [f"no unix user {shown}: create them (useradd --create-home NAME) or leave out --no-create-users"]
    if os.geteuid() != 0:
        return [f"no unix user {shown}, and only root can create them: run as root, or create them first "
                "(useradd --create-home NAME) and run again"]
    taken = [name for name in missing if _group_exists(name)]
    if taken:
        return [f"a group named {', '.join(taken)} exists, so `useradd --user-group` cannot create that user: "
                "pick another name, or create the user into that group yourself (useradd -m -g NAME NAME)"]
    if shutil.which("useradd") is None:
        return [f"no unix user {shown}, and no useradd on PATH to create them: apt-get install passwd, "
                "or create them first"]
    return []


def _group_exists(name):
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def create_users(names):
    """Create every missing account in ``names``; on a failure remove those made here and raise."""
    created = []
    for name in missing_users(names):
        result = subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name],
                                capture_output=True, text=True)
        if result.returncode != 0:
            remove_users(created)
            raise HubSetupError(f"useradd {name} failed ({result.stderr.strip()}); no account was kept. Fix: "
                                f"create {name} by hand or drop it from --students/the roster")
        created.append(name)
        home_of(name).chmod(HOME_MODE)
    return created


def open_homes(names):
    """``[(user, home)]`` whose home folder other users can enter or read (a warning, not a refusal)."""
    found = []
    for name in names:
        home = home_of(name)
        if exists(name) and home.is_dir() and home.stat().st_mode & 0o077:
            found.append((name, home))
    return found


def remove_users(names):
    """Delete accounts and their homes (``userdel --remove``); used by tests for their throwaway users."""
    for name in names:
        if exists(name):
            subprocess.run(["userdel", "--force", "--remove", name], capture_output=True, text=True)
