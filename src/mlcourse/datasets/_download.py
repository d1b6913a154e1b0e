"""Fetch the course's remote files with pooch; extract archives safely; cache generated samples.

pooch (https://www.fatiando.org/pooch) does the downloading: it streams into a temporary file
beside the target, checks the known hash (SHA-256 or MD5), and only then moves it into place, so
a corrupt or interrupted download never leaves anything a later run would trust; a cached file
whose hash matches is used with no network access at all, a wrong one is downloaded again; a
file with no recorded hash is cached as it is and its SHA-256 is logged so that it can be
recorded; failures are retried. This module adds what the course needs around it:

- one cache: ``cache_dir=`` if given, else ``$MLCOURSE_CACHE_DIR``, else pooch's per-user cache
  ``mlcourse`` (``$XDG_CACHE_HOME/mlcourse``, normally ``~/.cache/mlcourse``, on Linux);
- a mirror per file (``RemoteFile.url_env``), a size check, a progress bar naming the file, and
  errors that say what to do, ending with how to work offline (``DATA_SOURCE = "sample"``);
- :func:`extract_tar`: extraction into a staging directory renamed into place when complete,
  with tarfile's ``data`` filter refusing absolute paths, ``..`` and links leaving the archive
  (pooch's ``Untar`` extracts in place and without that filter);
- :func:`cached_sample`: the generated offline samples, cached by generator version and seed.

The registry of the course's remote files is :mod:`mlcourse.datasets.registry`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tarfile
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pooch
import requests
from tqdm import tqdm

logger = logging.getLogger(__name__)

CACHE_DIR_ENV = "MLCOURSE_CACHE_DIR"
"""Environment variable naming the cache directory (overridden by a loader's ``cache_dir=``)."""

DOWNLOAD_TIMEOUT_SECONDS = 60.0
"""Socket timeout for connecting and for each read; a stalled server fails instead of hanging."""

RETRIES = 2
"""Further attempts after a failed or corrupt download (pooch waits 1 s, then 2 s, between)."""

#: What to do when a download fails: every loader has an offline sample (``source="sample"``).
OFFLINE_HINT = (
    'Working offline? Set DATA_SOURCE = "sample" in the notebook\'s parameters cell (or pass '
    'source="sample"): it makes a small dataset with the same layout, with no download.'
)


class DownloadError(RuntimeError):
    """A file could not be downloaded."""


class ChecksumError(DownloadError):
    """A downloaded file does not have the expected hash or size (nothing was cached)."""


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the directory where downloads and generated samples are cached.

    Precedence: the explicit ``cache_dir``, then ``$MLCOURSE_CACHE_DIR``, then pooch's per-user
    cache folder ``mlcourse`` (``$XDG_CACHE_HOME/mlcourse`` or ``~/.cache/mlcourse`` on Linux).
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    from_environment = os.environ.get(CACHE_DIR_ENV)
    if from_environment:
        return Path(from_environment).expanduser()
    return Path(pooch.os_cache("mlcourse"))


@dataclass(frozen=True)
class RemoteFile:
    """A file published at a URL, with the hash (and optionally size) it must have.

    ``sha256`` or ``md5`` (AWS publishes only the MD5 of some files) is checked; with neither,
    the file is trusted on first download and its SHA-256 logged. ``url_env`` names an
    environment variable that may point at a mirror serving the same bytes; the hash still
    applies, and the cached file keeps the canonical URL's file name.
    """

    url: str
    sha256: str | None
    size: int | None = None
    url_env: str | None = None
    md5: str | None = None

    @property
    def filename(self) -> str:
        """The file name under which the download is cached (last segment of ``url``)."""
        return _filename_from_url(self.url)

    @property
    def known_hash(self) -> str | None:
        """The hash in pooch's notation (``sha256:<hex>`` or ``md5:<hex>``), if one is known."""
        if self.sha256:
            return f"sha256:{self.sha256.lower()}"
        return f"md5:{self.md5.lower()}" if self.md5 else None

    def resolved_url(self) -> str:
        """The URL to download from: the mirror in ``url_env`` if set, else ``url``."""
        mirror = os.environ.get(self.url_env) if self.url_env else None
        return mirror or self.url

    def fetch(
        self, cache_dir: str | os.PathLike[str] | None = None, *, progress: bool = True
    ) -> Path:
        """Download this file into ``cache_dir`` (see :func:`fetch`) and return its path."""
        return _fetch(self.resolved_url(), self.known_hash, cache_root(cache_dir) / self.filename,
                      size=self.size, progress=progress, timeout=DOWNLOAD_TIMEOUT_SECONDS)


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
        url: where to download from (http or https).
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
    known_hash = f"sha256:{sha256.lower()}" if sha256 else None
    return _fetch(url, known_hash, target, size=size, progress=progress, timeout=timeout)


def _fetch(url: str, known_hash: str | None, target: Path, *, size: int | None,
           progress: bool, timeout: float) -> Path:
    """Fetch ``url`` to ``target`` through a one-file pooch registry; check the size."""
    registry = pooch.create(path=target.parent, base_url="", registry={target.name: known_hash},
                            urls={target.name: url}, retry_if_failed=RETRIES)
    downloads: list[str] = []

    def download(url: str, output_file: str, pup: pooch.Pooch) -> None:
        downloads.append(output_file)
        # pooch sets the total from Content-Length; a bar without one would be falsy to it.
        bar = tqdm(desc=target.name, total=size or 1, unit="B", unit_scale=True,
                   unit_divisor=1024) if progress else False
        pooch.HTTPDownloader(progressbar=bar, timeout=timeout,
                             headers={"User-Agent": "mlcourse"})(url, output_file, pup)

    try:
        with _pooch_log_level(logging.INFO if progress else logging.WARNING):
            path = Path(registry.fetch(target.name, downloader=download))
    except ValueError as error:  # pooch: the hash does not match; the download was deleted
        raise _checksum_error(url, target, known_hash, str(error)) from None
    except requests.RequestException as error:
        # The reason is in the message: a second, chained traceback would only bury it.
        raise DownloadError(
            f"Could not download {url}: {error}. Check the network connection (or the URL), "
            f"then run again; nothing was cached.\n{OFFLINE_HINT}") from None
    if downloads and size is not None and path.stat().st_size != size:
        actual = path.stat().st_size
        path.unlink()
        raise _checksum_error(url, target, known_hash, f"expected {size} bytes, got {actual} "
                                                       "bytes")
    if not downloads:
        logger.info("Using cached %s", path)
    elif known_hash is None:
        logger.warning("No checksum is recorded for %s; received sha256 %s (%d bytes): record it "
                       "in mlcourse.datasets.registry", url, pooch.file_hash(str(path)),
                       path.stat().st_size)
    return path


@contextlib.contextmanager
def _pooch_log_level(level: int) -> Iterator[None]:
    """pooch announces each download on stderr; ``progress=False`` asks for silence."""
    pooch_logger = pooch.get_logger()
    previous = pooch_logger.level
    pooch_logger.setLevel(level)
    try:
        yield
    finally:
        pooch_logger.setLevel(previous)


def _checksum_error(url: str, target: Path, known_hash: str | None, reason: str) -> ChecksumError:
    algorithm, _, expected = (known_hash or "sha256:").partition(":")
    got = re.search(r"but got (\w+)", reason)
    detail = (f"expected {expected}, got {got.group(1)}" if got and expected
              else reason)
    return ChecksumError(
        f"{algorithm.upper()} checksum mismatch for {url}: {detail} ({reason}). The download was "
        "discarded and nothing was cached. Run again to retry; if it keeps failing, the server "
        f"is sending a different file: download it yourself, check it with `{algorithm}sum`, "
        f"and place it at {target}.\n{OFFLINE_HINT}"
    )


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


def _rename_unless_present(staging: Path, destination: Path) -> None:
    """Move a finished extraction into place, tolerating another process that got there first."""
    try:
        staging.rename(destination)
    except OSError:
        if not destination.is_dir():
            raise
        logger.debug("%s was extracted concurrently; keeping that copy", destination)
