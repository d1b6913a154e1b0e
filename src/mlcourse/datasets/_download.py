"""Download, verify, cache and extract the files the dataset loaders need.

Every loader goes through :func:`fetch` (or :meth:`RemoteFile.fetch`) and :func:`extract_tar`, so
they all behave alike:

- files are cached under one directory: ``cache_dir=`` if given, else ``$MLCOURSE_CACHE_DIR``,
  else ``$XDG_CACHE_HOME/mlcourse`` (``~/.cache/mlcourse``);
- a cached file whose SHA-256 matches is used as is, with no network access at all;
- a file whose checksum nobody has recorded yet (``sha256=None``) is cached on first download and
  trusted afterwards; the SHA-256 it arrived with is logged so that it can be recorded;
- a download streams to a temporary file beside the target with a tqdm progress bar, is checked
  against the expected SHA-256 (and size, when known), and only then renamed into place, so a
  corrupt or interrupted download never leaves anything a later run would trust;
- archives are extracted once, into a staging directory renamed into place when complete, with
  tarfile's ``data`` filter refusing absolute paths, ``..`` and links leaving the archive.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import shutil
import tarfile
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tqdm import tqdm

from mlcourse._files import atomic_path, sha256_file

logger = logging.getLogger(__name__)

CACHE_DIR_ENV = "MLCOURSE_CACHE_DIR"
"""Environment variable naming the cache directory (overridden by a loader's ``cache_dir=``)."""

DOWNLOAD_TIMEOUT_SECONDS = 60.0
"""Socket timeout for connecting and for each read; a stalled server fails instead of hanging."""

_DOWNLOAD_CHUNK_BYTES = 1 << 20


class DownloadError(RuntimeError):
    """A file could not be downloaded."""


class ChecksumError(DownloadError):
    """A downloaded file does not have the expected SHA-256 or size (nothing was cached)."""


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the directory where downloads and generated samples are cached.

    Precedence: the explicit ``cache_dir``, then ``$MLCOURSE_CACHE_DIR``, then
    ``$XDG_CACHE_HOME/mlcourse`` (``~/.cache/mlcourse`` when XDG_CACHE_HOME is unset).
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    from_environment = os.environ.get(CACHE_DIR_ENV)
    if from_environment:
        return Path(from_environment).expanduser()
    xdg_cache = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(xdg_cache).expanduser() / "mlcourse"


@dataclass(frozen=True)
class RemoteFile:
    """A file published at a URL, with the checksum (and optionally size) it must have.

    ``url_env`` names an environment variable that may point at a mirror serving the same bytes;
    the checksum still applies, and the cached file keeps the canonical URL's file name.
    """

    url: str
    sha256: str | None
    size: int | None = None
    url_env: str | None = None

    @property
    def filename(self) -> str:
        """The file name under which the download is cached (last segment of ``url``)."""
        return _filename_from_url(self.url)

    def resolved_url(self) -> str:
        """The URL to download from: the mirror in ``url_env`` if set, else ``url``."""
        mirror = os.environ.get(self.url_env) if self.url_env else None
        return mirror or self.url

    def fetch(
        self, cache_dir: str | os.PathLike[str] | None = None, *, progress: bool = True
    ) -> Path:
        """Download this file into ``cache_dir`` (see :func:`fetch`) and return its path."""
        return fetch(
            self.resolved_url(),
            self.sha256,
            cache_dir,
            size=self.size,
            filename=self.filename,
            progress=progress,
        )


def fetch(
    url: str,
    sha256: str | None,
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    size: int | None = None,
    filename: str | None = None,
    progress: bool = True,
    timeout: float = DOWNLOAD_TIMEOUT_SECONDS,
) -> Path:
    """Return the path of ``url``'s file in ``cache_dir``, downloading it only when needed.

    Args:
        url: where to download from (http, https or file).
        sha256: expected hex SHA-256 digest of the file; None when no checksum is known yet
            (the file is then not verified, and the digest it arrived with is logged).
        cache_dir: directory to keep the file in (see :func:`cache_root` for the default).
        size: expected size in bytes, checked as well when given.
        filename: name of the cached file; defaults to the last segment of ``url``.
        progress: show a tqdm progress bar while downloading.
        timeout: socket timeout in seconds for connecting and for each read.

    Raises:
        ChecksumError: the downloaded bytes are not the expected ones; nothing was cached.
        DownloadError: the server could not be reached or the transfer broke off.
    """
    target = cache_root(cache_dir) / (filename or _filename_from_url(url))
    if _is_cached(target, sha256):
        return target
    logger.info("Downloading %s to %s", url, target)
    with atomic_path(target) as partial:
        actual_sha256, actual_size = _download_to(url, partial, size, progress, timeout)
        _verify(url, target, expected=(sha256, size), actual=(actual_sha256, actual_size))
    logger.info("Saved %s (%d bytes)", target, actual_size)
    return target


def cached_sample(
    folder: Path, filename: str, *, version: int, size: int, seed: int,
    write: Callable[[Path, int, int], Path],
) -> Path:
    """Return a generated sample file, calling ``write(path, size, seed)`` only on first use.

    The sample lives in ``folder/sample-v{version}-n{size}-seed{seed}/filename``: generator
    version, size and seed fix its contents, so a cached copy is always the right one.
    """
    target = folder / f"sample-v{version}-n{size}-seed{seed}" / filename
    if target.is_file():
        logger.info("Using cached sample %s", target)
        return target
    return write(target, size, seed)


def extract_tar(
    archive: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    *,
    progress: bool = True,
) -> Path:
    """Extract a (possibly compressed) tar archive into ``destination`` once, and return it.

    An existing ``destination`` is taken as a complete earlier extraction: it only ever appears
    by renaming a fully extracted staging directory. Callers should therefore name it after the
    archive's checksum, so a different archive never reuses a stale extraction.
    """
    archive, destination = Path(archive), Path(destination)
    if destination.is_dir():
        logger.debug("Using extracted %s", destination)
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".part")
    )
    try:
        logger.info("Extracting %s to %s", archive, destination)
        with tarfile.open(archive, "r:*") as tar:
            members = tqdm(
                tar, desc=f"Extracting {archive.name}", unit=" files", disable=not progress
            )
            tar.extractall(staging, members=members, filter="data")
        _rename_unless_present(staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return destination


def _filename_from_url(url: str) -> str:
    name = Path(urllib.parse.urlparse(url).path).name
    if not name:
        raise ValueError(f"Cannot derive a file name from {url!r}; pass filename=")
    return name


def _is_cached(target: Path, sha256: str | None) -> bool:
    """True when ``target`` exists with the right checksum; a wrong one is downloaded again."""
    if not target.is_file():
        return False
    if sha256 is None:
        logger.info("Using cached %s (no checksum is known for it)", target)
        return True
    if sha256_file(target) == sha256.lower():
        logger.info("Using cached %s", target)
        return True
    logger.warning("Cached %s has the wrong checksum; downloading it again", target)
    return False


def _download_to(
    url: str, path: Path, expected_size: int | None, progress: bool, timeout: float
) -> tuple[str, int]:
    """Stream ``url`` into ``path``; return the SHA-256 and size of what was received."""
    request = urllib.request.Request(url, headers={"User-Agent": "mlcourse"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, open(path, "wb") as out:
            announced = _content_length(response)
            with tqdm(
                total=announced or expected_size,
                desc=_filename_from_url(url),
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                disable=not progress,
            ) as bar:
                sha256, received = _copy(response, out, bar)
    except (OSError, http.client.HTTPException) as error:
        # URLError and HTTPError are OSErrors; IncompleteRead is an HTTPException. The reason is
        # in the message: a second, chained traceback would only bury it.
        raise _download_error(url, str(error)) from None
    if announced is not None and received < announced:
        # urllib returns a short body silently when the connection drops early.
        raise _download_error(url, f"the transfer stopped after {received} of {announced} bytes")
    return sha256, received


def _copy(source: BinaryIO, target: BinaryIO, bar: tqdm) -> tuple[str, int]:
    """Copy ``source`` to ``target`` in chunks, hashing and counting them on the way."""
    digest = hashlib.sha256()
    copied = 0
    while chunk := source.read(_DOWNLOAD_CHUNK_BYTES):
        digest.update(chunk)
        target.write(chunk)
        copied += len(chunk)
        bar.update(len(chunk))
    return digest.hexdigest(), copied


#: What to do when a download fails: every loader has an offline sample (``source="sample"``).
OFFLINE_HINT = (
    'Working offline? Set DATA_SOURCE = "sample" in the notebook\'s parameters cell (or pass '
    'source="sample"): it makes a small dataset with the same layout, with no download.'
)


def _download_error(url: str, reason: str) -> DownloadError:
    return DownloadError(
        f"Could not download {url}: {reason}. Check the network connection (or the URL), "
        f"then run again; nothing was cached.\n{OFFLINE_HINT}"
    )


def _content_length(response: http.client.HTTPResponse) -> int | None:
    header = response.headers.get("Content-Length")
    return int(header) if header and header.isdigit() else None


def _verify(
    url: str, target: Path, *, expected: tuple[str | None, int | None], actual: tuple[str, int]
) -> None:
    """Raise :class:`ChecksumError` unless the received checksum (and size, if known) match."""
    expected_sha256, expected_size = expected
    actual_sha256, actual_size = actual
    if expected_sha256 is None:
        logger.warning("No checksum is recorded for %s; received sha256 %s (%d bytes)",
                       url, actual_sha256, actual_size)
        expected_sha256 = actual_sha256
    size_ok = expected_size is None or expected_size == actual_size
    if actual_sha256 == expected_sha256.lower() and size_ok:
        return
    expected_bytes = "" if expected_size is None else f", {expected_size} bytes"
    raise ChecksumError(
        f"Checksum mismatch for {url}: expected sha256 {expected_sha256.lower()}{expected_bytes}, "
        f"got sha256 {actual_sha256}, {actual_size} bytes. The download was discarded and nothing "
        "was cached. Run again to retry; if it keeps failing, the server is sending a different "
        f"file: download it yourself, check it with `sha256sum`, and place it at {target}."
    )


def _rename_unless_present(staging: Path, destination: Path) -> None:
    """Move a finished extraction into place, tolerating another process that got there first."""
    try:
        staging.rename(destination)
    except OSError:
        if not destination.is_dir():
            raise
        logger.debug("%s was extracted concurrently; keeping that copy", destination)
