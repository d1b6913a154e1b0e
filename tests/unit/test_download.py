"""Tests for mlcourse.datasets._download: fetch, cache, checksum, progress and extraction."""

from __future__ import annotations

import hashlib
import io
import socket
import tarfile
from pathlib import Path

import pytest

from localcloud.safety.egress import EgressGuard, proxy_environment
from mlcourse.datasets._download import (
    ChecksumError,
    DownloadError,
    RemoteFile,
    cache_root,
    extract_tar,
    fetch,
)
from mlcourse.datasets.registry import lab_allowed_hosts

PAYLOAD = b"some archive bytes\n" * 1000
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


def _cache_contents(directory: Path) -> list[str]:
    """Every file or folder under ``directory`` (hidden temporary files included)."""
    if not directory.exists():
        return []
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*"))


def _tar_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_fetch_downloads_verifies_and_caches(http_server, cache_dir):
    http_server.files["data.bin"] = PAYLOAD

    path = fetch(http_server.url("data.bin"), PAYLOAD_SHA256, cache_dir, progress=False)

    assert path == cache_dir / "data.bin"
    assert path.read_bytes() == PAYLOAD
    assert _cache_contents(cache_dir) == ["data.bin"]
    assert http_server.requests == ["data.bin"]


def test_fetch_does_not_download_a_cached_file_again(http_server, cache_dir):
    http_server.files["data.bin"] = PAYLOAD
    first = fetch(http_server.url("data.bin"), PAYLOAD_SHA256, cache_dir, progress=False)
    second = fetch(http_server.url("data.bin"), PAYLOAD_SHA256, cache_dir, progress=False)

    assert first == second
    assert http_server.requests == ["data.bin"]


def test_fetch_uses_a_file_placed_by_hand_without_network(http_server, cache_dir):
    cache_dir.mkdir()
    (cache_dir / "data.bin").write_bytes(PAYLOAD)

    path = fetch(http_server.url("data.bin"), PAYLOAD_SHA256, cache_dir, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert http_server.requests == []


def test_fetch_replaces_a_cached_file_with_the_wrong_checksum(http_server, cache_dir):
    cache_dir.mkdir()
    (cache_dir / "data.bin").write_bytes(b"half a download")
    http_server.files["data.bin"] = PAYLOAD

    path = fetch(http_server.url("data.bin"), PAYLOAD_SHA256, cache_dir, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert http_server.requests == ["data.bin"]


def test_checksum_mismatch_names_url_and_both_checksums_and_caches_nothing(http_server, cache_dir):
    corrupted = PAYLOAD[:-1] + b"?"
    http_server.files["data.bin"] = corrupted
    url = http_server.url("data.bin")

    with pytest.raises(ChecksumError) as raised:
        fetch(url, PAYLOAD_SHA256, cache_dir, progress=False)

    message = str(raised.value)
    assert url in message
    assert PAYLOAD_SHA256 in message
    assert hashlib.sha256(corrupted).hexdigest() in message
    assert "sha256sum" in message  # tells the learner what to do
    assert _cache_contents(cache_dir) == []


def test_size_mismatch_is_reported_even_when_no_checksum_differs(http_server, cache_dir):
    http_server.files["data.bin"] = PAYLOAD

    with pytest.raises(ChecksumError, match=f"{len(PAYLOAD) + 1} bytes.*{len(PAYLOAD)} bytes"):
        fetch(
            http_server.url("data.bin"),
            PAYLOAD_SHA256,
            cache_dir,
            size=len(PAYLOAD) + 1,
            progress=False,
        )
    assert _cache_contents(cache_dir) == []


def test_http_error_raises_download_error_and_caches_nothing(http_server, cache_dir):
    url = http_server.url("missing.bin")

    with pytest.raises(DownloadError, match="404") as raised:
        fetch(url, PAYLOAD_SHA256, cache_dir, progress=False)

    assert not isinstance(raised.value, ChecksumError)
    assert url in str(raised.value)
    assert _cache_contents(cache_dir) == []


def test_offline_error_is_one_message_saying_how_to_work_offline(cache_dir):
    # Nothing listens on a port just released: what a learner offline meets.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/aclImdb_v1.tar.gz"

    with pytest.raises(DownloadError) as raised:
        fetch(url, PAYLOAD_SHA256, cache_dir, progress=False)

    assert raised.value.__cause__ is None and raised.value.__suppress_context__, \
        "one traceback, not two chained ones"
    assert 'DATA_SOURCE = "sample"' in str(raised.value)


def test_interrupted_transfer_leaves_no_partial_file(http_server, cache_dir):
    http_server.files["data.bin"] = PAYLOAD
    http_server.truncated.add("data.bin")

    with pytest.raises(DownloadError):
        fetch(http_server.url("data.bin"), PAYLOAD_SHA256, cache_dir, progress=False)

    assert _cache_contents(cache_dir) == []


def test_progress_bar_is_shown_only_when_asked(http_server, cache_dir, capsys):
    http_server.files["data.bin"] = PAYLOAD
    fetch(http_server.url("data.bin"), PAYLOAD_SHA256, cache_dir / "quiet", progress=False)
    assert capsys.readouterr().err == ""

    fetch(http_server.url("data.bin"), PAYLOAD_SHA256, cache_dir / "loud", progress=True)
    assert "data.bin" in capsys.readouterr().err


def test_cache_root_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv("MLCOURSE_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_root() == tmp_path / "home" / ".cache" / "mlcourse"

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "mlcourse"

    monkeypatch.setenv("MLCOURSE_CACHE_DIR", str(tmp_path / "env"))
    assert cache_root() == tmp_path / "env"
    assert cache_root(tmp_path / "explicit") == tmp_path / "explicit"


def test_remote_file_mirror_keeps_checksum_and_file_name(http_server, cache_dir, monkeypatch):
    http_server.files["mirror/copy.bin"] = PAYLOAD
    remote = RemoteFile(
        url="https://example.invalid/data/original.bin",
        sha256=PAYLOAD_SHA256,
        size=len(PAYLOAD),
        url_env="TEST_MIRROR_URL",
    )
    monkeypatch.setenv("TEST_MIRROR_URL", http_server.url("mirror/copy.bin"))

    path = remote.fetch(cache_dir, progress=False)

    assert path == cache_dir / "original.bin"
    assert path.read_bytes() == PAYLOAD
    monkeypatch.delenv("TEST_MIRROR_URL")
    assert remote.resolved_url() == remote.url


def test_extract_tar_extracts_once(tmp_path):
    first = tmp_path / "first.tar.gz"
    first.write_bytes(_tar_bytes({"top/a.txt": b"A", "top/sub/b.txt": b"B"}))
    destination = tmp_path / "cache" / "extracted"

    assert extract_tar(first, destination, progress=False) == destination
    assert (destination / "top" / "a.txt").read_bytes() == b"A"
    assert (destination / "top" / "sub" / "b.txt").read_bytes() == b"B"

    # An existing destination is a finished extraction: it is returned untouched.
    second = tmp_path / "second.tar.gz"
    second.write_bytes(_tar_bytes({"top/a.txt": b"changed"}))
    extract_tar(second, destination, progress=False)
    assert (destination / "top" / "a.txt").read_bytes() == b"A"
    assert _cache_contents(tmp_path / "cache") == [
        "extracted",
        "extracted/top",
        "extracted/top/a.txt",
        "extracted/top/sub",
        "extracted/top/sub/b.txt",
    ]


def test_extract_tar_refuses_paths_outside_the_destination(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    archive.write_bytes(_tar_bytes({"fine.txt": b"ok", "../escaped.txt": b"bad"}))
    cache = tmp_path / "cache"

    with pytest.raises(tarfile.OutsideDestinationError):
        extract_tar(archive, cache / "extracted", progress=False)

    assert not (tmp_path / "escaped.txt").exists()
    assert not (cache / "escaped.txt").exists()
    assert _cache_contents(cache) == []  # no half-extracted directory either


def test_under_the_labs_egress_guard_a_refused_host_gets_its_reason_and_the_offline_hint(
        cache_dir, monkeypatch):
    # `make lab` points every client's proxy variables at the guard; pooch's requests honours
    # them, so a host outside LAB_ALLOW_HOSTS is refused there, with nothing leaving the machine.
    guard = EgressGuard(allowed_hosts=frozenset()).start()
    try:
        for name, value in proxy_environment(guard.url).items():
            monkeypatch.setenv(name, value)
        with pytest.raises(DownloadError) as raised:
            fetch("https://example.invalid/data.bin", PAYLOAD_SHA256, cache_dir, progress=False)
    finally:
        guard.stop()
    assert "403" in str(raised.value) and "LOCALCLOUD_ALLOW_HOSTS" in str(raised.value)
    assert 'DATA_SOURCE = "sample"' in str(raised.value)
    assert _cache_contents(cache_dir) == []


def test_the_lab_lets_through_the_dataset_hosts_that_are_not_on_aws():
    assert lab_allowed_hosts() == ["ai.stanford.edu", "archive.ics.uci.edu"]
