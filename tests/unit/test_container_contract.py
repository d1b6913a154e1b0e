"""The container contract's view of input channels: which channels and files a job received."""

from __future__ import annotations

import json

from localcloud.containers.contract import MLPaths


def job_tree(tmp_path, files: dict[str, bytes], config: dict | None = None) -> MLPaths:
    """An /opt/ml tree holding ``files`` (paths relative to input/data) and inputdataconfig."""
    paths = MLPaths(tmp_path)
    paths.make_dirs()
    if config is not None:
        paths.input_data_config_file.write_text(json.dumps(config))
    for relative, content in files.items():
        path = paths.data_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return paths


def test_received_channels_unite_the_config_and_the_folders(tmp_path):
    paths = job_tree(tmp_path, {"train/a.csv": b"1\n", "extra/b.csv": b"2\n"},
                     config={"validation": {"ContentType": "text/csv"}, "train": {}})
    assert paths.received_channels() == ["extra", "train", "validation"]
    # A config the caller has read already is used as given.
    assert paths.received_channels({"test": {}}) == ["extra", "test", "train"]


def test_received_channels_without_config_or_data(tmp_path):
    assert MLPaths(tmp_path).received_channels() == []


def test_channel_files_skip_hidden_metadata_and_empty_files(tmp_path):
    paths = job_tree(tmp_path, {
        "train/part-1.csv": b"1\n",
        "train/nested/part-0.csv": b"2\n",
        "train/.hidden.csv": b"3\n",
        "train/_SUCCESS": b"4\n",
        "train/.ipynb_checkpoints/part-1-checkpoint.csv": b"5\n",
        "train/_temporary/part-2.csv": b"6\n",
        "train/empty.csv": b"",
    })
    folder = paths.channel_dir("train")
    assert paths.channel_files("train") == [folder / "nested/part-0.csv", folder / "part-1.csv"]
    assert paths.channel_files("validation") == []


def test_describe_channel_lists_every_file_with_its_size(tmp_path):
    paths = job_tree(tmp_path, {"train/empty.csv": b"", "train/_SUCCESS": b"ok"})
    assert paths.describe_channel("train") == "_SUCCESS (2 bytes), empty.csv (0 bytes)"
    assert paths.describe_channel("validation") == "no files"
