"""Linux Landlock through ctypes: an unprivileged, irreversible allow-list of paths (and TCP, signals) for a process.

Shared by the grading sandbox (read-only trees, one read-write tree, no TCP at all) and the hub's learner servers
(their own folder, the exchange's drop box, TCP allowed: a server listens and talks to its kernels); neither may
signal or reach abstract Unix sockets outside its own domain. Kernel ABI 1 (5.13) is enough for files; ABI 4 adds
TCP, ABI 6 adds scoping. Landlock also keeps a process from tracing, or reading the memory of, any process outside
its domain; /proc/PID/environ stays readable, so a caller that must hide other processes' environments leaves /proc
out of the allowed paths.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same on every architecture
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

# Filesystem rights by the ABI that introduced them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
MAKE_DIR, MAKE_REG = 1 << 7, 1 << 8
_FS_ABI1 = (1 << 13) - 1  # execute .. make_sym
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the only rights a rule on a file may hold
READ_ONLY = EXECUTE | READ_FILE | READ_DIR
OPEN_BY_NAME = READ_FILE  # read a file whose name one knows; no listing of the folder
DROP_BOX = WRITE_FILE | MAKE_DIR | MAKE_REG | TRUNCATE  # create and write files; no reading, no listing
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class LandlockError(OSError):
    """The kernel refused a Landlock call."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is missing or disabled."""
    version = _libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(int(version), 0)


def _fs_rights(abi: int) -> int:
    rights = _FS_ABI1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def _check(result: int, what: str) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise LandlockError(errno, f"landlock {what}: {os.strerror(errno)}")
    return int(result)


def restrict(
    read_only: list[Path],
    read_write: list[Path],
    *,
    other: list[tuple[Path, int]] | None = None,
    deny_tcp: bool = True,
) -> dict[str, bool]:
    """Allow this process (and its future children) only these trees, and `other` paths with the rights given
    (OPEN_BY_NAME, DROP_BOX); deny TCP (unless `deny_tcp` is false) and outside signals where supported.

    Paths that do not exist are skipped. Returns which protections the kernel applied.
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockError(0, "Landlock is not available in this kernel")
    fs = _fs_rights(abi)
    tcp = deny_tcp and abi >= 4
    attr = _RulesetAttr(fs, NET_BIND_TCP | NET_CONNECT_TCP if tcp else 0, 0)
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _check(_libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0), "create_ruleset")
    try:
        rules = [(path, READ_ONLY) for path in read_only] + [(path, fs) for path in read_write] + (other or [])
        for path, rights in rules:
            _add_path(ruleset, Path(path), rights & fs)  # a right this kernel does not know is not asked for
        if _libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS, required to restrict without CAP_SYS_ADMIN
            raise LandlockError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        _check(_libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)), "restrict_self")
    finally:
        os.close(ruleset)
    return {"files": True, "tcp": tcp, "signals": abi >= 6}


def _add_path(ruleset: int, path: Path, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not path.is_dir():
            rights &= _FILE_RIGHTS
        rule = _PathBeneathAttr(rights, fd)
        _check(
            _libc.syscall(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule), 0),
            f"add_rule({path})",
        )
    finally:
        os.close(fd)
