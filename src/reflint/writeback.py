"""Bytes back to disk without ever leaving a half-written file or a broken link.

Two ways, chosen by :func:`documents.write`: an ordinary file is replaced atomically (temp
file, fsync, rename); a file with several hard links is rewritten in place, so that every
name keeps seeing the same inode, with a fsynced backup of the original kept until the new
text is safely on disk. Errors are ``OSError`` (``InPlaceError`` says where the original is
if even putting it back failed); the caller words them for the user.
"""

from __future__ import annotations

import os
import stat
import tempfile

TEMP_SUFFIX = ".reflint-tmp"  # ".<name>.XXXXXXXX.reflint-tmp": the new text before the rename
BACKUP_SUFFIX = ".reflint-backup"  # ".<name>.XXXXXXXX.reflint-backup": the original during an in-place write


class InPlaceError(OSError):
    """Rewriting in place failed and the original could not be put back: it is in ``backup``."""

    def __init__(self, cause: OSError, backup: str) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.backup = backup


def _new_file(directory: str, name: str, suffix: str, data: bytes) -> str:
    """A fsynced hidden file beside ``name`` holding ``data``; its path."""
    fd, path = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink(path)
        raise
    return path


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def replace(target: str, data: bytes, st: os.stat_result) -> None:
    """Atomically replace ``target`` (whose stat is ``st``) by a new file with ``data``,
    keeping its mode and, where permitted, its owner."""
    directory, name = os.path.split(target)
    tmp = _new_file(directory, name, TEMP_SUFFIX, data)
    try:
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass  # not permitted for non-root; the file is ours then anyway
        os.replace(tmp, target)
    except BaseException:
        _unlink(tmp)
        raise


def _overwrite(target: str, data: bytes) -> None:
    with open(target, "r+b") as fh:
        fh.write(data)
        fh.truncate()
        fh.flush()
        os.fsync(fh.fileno())


def rewrite_in_place(target: str, data: bytes, original: bytes) -> None:
    """Write ``data`` into ``target``'s own inode (hard links stay linked).

    The ``original`` bytes go to a fsynced backup first. If writing fails they are written
    back and the backup removed; if that fails too, ``InPlaceError`` names the backup. A
    process killed mid-write leaves the backup, which discovery reports and never deletes.
    """
    directory, name = os.path.split(target)
    backup = _new_file(directory, name, BACKUP_SUFFIX, original)
    try:
        _overwrite(target, data)
    except OSError as exc:
        try:
            _overwrite(target, original)
        except OSError:
            raise InPlaceError(exc, backup) from None
        _unlink(backup)
        raise
    _unlink(backup)
