"""File-system helpers shared by the dataset loaders and the text cache.

Everything the course caches is written atomically: to a temporary file beside the target, then
renamed over it. An interrupted download or a kernel restart therefore never leaves a half-written
file that a later run would trust.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 digest of a file (read in chunks, so memory stays bounded)."""
    return file_digest(path, "sha256")


def file_digest(path: str | os.PathLike[str], algorithm: str) -> str:
    """Hex digest of a file, read in 1 MiB chunks (``hashlib.file_digest`` needs Python 3.11)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it to ``target`` only on success.

    The caller writes the temporary path however it likes. If the ``with`` block raises, the
    temporary file is deleted and ``target`` is left as it was (absent or previous version).
    The rename is atomic because both paths are in the same directory, hence on one file system.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        # After a successful rename there is nothing left to remove.
        temporary.unlink(missing_ok=True)
