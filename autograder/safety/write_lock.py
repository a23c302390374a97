"""Landlock: a process gives up, for good, the right to write anywhere but in a few folders.

Landlock (Linux >= 5.13, ``CONFIG_SECURITY_LANDLOCK``) lets an unprivileged process restrict
itself and every thread and child it starts later; nothing it runs afterwards can lift the
restriction. The grading kernel's bootstrap uses it for the one host folder the sandbox must
share with the kernel, its channel folder: the kernel may create sockets there (ipykernel binds
its five) but no file or folder, so it cannot fill the grader's disk through it; once ipykernel
has bound them, student code cannot create anything there at all. Without the sandbox the same
rule keeps the kernel from writing anywhere on the machine but its own folders.

Standard library only (``ctypes``): the bootstrap loads it by path under ``python -I``.
"""

import ctypes
import os

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same numbers on every architecture
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

WRITE_FILE, REMOVE_DIR, REMOVE_FILE = 1 << 1, 1 << 4, 1 << 5
MAKE_CHAR, MAKE_DIR, MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = (1 << n for n in range(6, 13))
REFER, TRUNCATE = 1 << 13, 1 << 14  # ABI 2 and ABI 3
DEVICE_WRITES = WRITE_FILE | TRUNCATE  # /dev/null, /proc/self/... : open for writing, nothing created


class _RulesetAttributes(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathBeneathAttributes(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi():
    """The Landlock ABI version of the running kernel, 0 when Landlock is not available."""
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(0, int(version))


def all_writes(abi):
    """Every write-like access right the given ABI knows."""
    rights = WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_CHAR | MAKE_DIR | MAKE_REG | MAKE_SOCK | MAKE_FIFO \
        | MAKE_BLOCK | MAKE_SYM
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    return rights


def restrict_writes(rules):
    """Allow this process (and what it starts from now on) only the given writes; returns False without Landlock.

    rules: list of (folder, rights): ``rights`` is a bit set of the constants above (or
        :func:`all_writes`) allowed beneath ``folder``; every other write is refused (EACCES).
        Folders that do not exist are skipped. Reads and execution are not restricted.
    Only the calling thread and its future threads and children are restricted: call it before
    starting threads.
    """
    abi = landlock_abi()
    if abi < 1:
        return False
    handled = all_writes(abi)
    libc = _libc()
    attributes = _RulesetAttributes(handled_access_fs=handled)
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attributes), ctypes.c_size_t(ctypes.sizeof(attributes)),
                           ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}")
    try:
        for folder, rights in rules:
            try:
                descriptor = os.open(folder, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                rule = _PathBeneathAttributes(allowed_access=rights & handled, parent_fd=descriptor)
                if libc.syscall(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                                ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule {folder}: {os.strerror(ctypes.get_errno())}")
            finally:
                os.close(descriptor)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_restrict_self: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)
    return True
