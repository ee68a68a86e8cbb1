"""Files and directories that only the service's own OS user may read.

Embedded mode keeps secrets on local disk: ``auth.db`` holds password hashes and
refresh-token digests, the signing key signs every access token, uploaded KYC
documents live under ``files/``. Created with the process umask (typically 022) they
would be world-readable to every account on the machine. Everything here is created
owner-only from the first byte (``os.open`` with the mode, never "write, then chmod",
which leaves a window), and an existing *file* that is more open than that is tightened
when it is opened again. An existing *directory* is left as its owner made it: it may be
shared on purpose (``var/`` also holds the test PostgreSQL's data, run as another user),
and the files in it are private whatever the directory allows.

SQLite creates its ``-wal`` and ``-shm`` files with the permissions of the database
file, so creating the database file owner-only is enough for all three.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["PRIVATE_DIR_MODE", "PRIVATE_FILE_MODE", "private_directory", "private_file"]

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def private_directory(path: Path) -> Path:
    """Create ``path`` owner-only if it is missing; an existing directory is not changed."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    return path


def private_file(path: Path, content: bytes | None = None) -> Path:
    """Make sure ``path`` exists and is owner-only; write ``content`` if it is new.

    An existing file keeps its content (``content`` is only for a file created here).
    """
    private_directory(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        _tighten(path, PRIVATE_FILE_MODE)
        return path
    with os.fdopen(fd, "wb") as handle:
        if content:
            handle.write(content)
    return path


def _tighten(path: Path, mode: int) -> None:
    if path.stat().st_mode & _OPEN_TO_OTHERS:
        path.chmod(mode)
