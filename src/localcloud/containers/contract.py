"""The SageMaker container contract: where a training or serving container finds its inputs.

On SageMaker every algorithm container sees a fixed tree under ``/opt/ml``::

    /opt/ml/input/config/hyperparameters.json   all values are strings
    /opt/ml/input/config/resourceconfig.json    {"current_host": "algo-1", "hosts": [...]}
    /opt/ml/input/config/inputdataconfig.json   per channel: ContentType, TrainingInputMode, ...
    /opt/ml/input/data/<channel>/               the channel's files (File mode)
    /opt/ml/model/                              written by training, packed into model.tar.gz
    /opt/ml/output/failure                      why training failed (becomes FailureReason)
    /opt/ml/output/data/                        extra outputs (packed into output.tar.gz)

(https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-algo-running-container.html)

localcloud runs containers as subprocesses, so the tree lives in the job's folder under the state
directory; the environment variable ``LOCALCLOUD_ML_ROOT`` points at it and defaults to
``/opt/ml`` so the same code would run in a real image.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ML_ROOT_ENV = "LOCALCLOUD_ML_ROOT"
DEFAULT_ML_ROOT = "/opt/ml"
#: Serving containers listen on this port (set for inference pipelines; 8080 otherwise).
BIND_PORT_ENV = "SAGEMAKER_BIND_TO_PORT"
DEFAULT_SERVING_PORT = 8080
#: How much of the failure file SageMaker keeps in FailureReason.
FAILURE_REASON_MAX_CHARS = 1024


@dataclass(frozen=True)
class MLPaths:
    """The ``/opt/ml`` tree of one container, rooted at ``root``."""

    root: Path

    @classmethod
    def from_env(cls) -> MLPaths:
        """The tree this process should use (``$LOCALCLOUD_ML_ROOT`` or ``/opt/ml``)."""
        return cls(Path(os.environ.get(ML_ROOT_ENV, DEFAULT_ML_ROOT)))

    @property
    def config_dir(self) -> Path:
        return self.root / "input" / "config"

    @property
    def hyperparameters_file(self) -> Path:
        return self.config_dir / "hyperparameters.json"

    @property
    def resource_config_file(self) -> Path:
        return self.config_dir / "resourceconfig.json"

    @property
    def input_data_config_file(self) -> Path:
        return self.config_dir / "inputdataconfig.json"

    @property
    def data_dir(self) -> Path:
        return self.root / "input" / "data"

    def channel_dir(self, channel: str) -> Path:
        """Folder holding the files of one input channel."""
        return self.data_dir / channel

    @property
    def model_dir(self) -> Path:
        return self.root / "model"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def output_data_dir(self) -> Path:
        return self.output_dir / "data"

    @property
    def failure_file(self) -> Path:
        return self.output_dir / "failure"

    def make_dirs(self) -> None:
        """Create every folder of the tree (the platform does this before the container starts)."""
        for folder in (self.config_dir, self.data_dir, self.model_dir, self.output_data_dir):
            folder.mkdir(parents=True, exist_ok=True)

    # -- reading the configuration, as an algorithm does --------------------------------------

    def read_hyperparameters(self) -> dict[str, str]:
        """Hyperparameters exactly as SageMaker hands them over: a dict of strings."""
        return _read_json(self.hyperparameters_file, default={})

    def read_input_data_config(self) -> dict[str, dict]:
        """Per-channel settings (ContentType, TrainingInputMode, S3DistributionType, ...)."""
        return _read_json(self.input_data_config_file, default={})

    def read_resource_config(self) -> dict:
        return _read_json(self.resource_config_file, default={"current_host": "algo-1",
                                                               "hosts": ["algo-1"]})

    def received_channels(self, input_data_config: dict | None = None) -> list[str]:
        """Channels named in inputdataconfig.json or present as folders under input/data, sorted.

        Pass ``input_data_config`` when it has been read already.
        """
        if input_data_config is None:
            input_data_config = self.read_input_data_config()
        folders = ({folder.name for folder in self.data_dir.iterdir() if folder.is_dir()}
                   if self.data_dir.is_dir() else set())
        return sorted(set(input_data_config) | folders)

    def channel_files(self, channel: str) -> list[Path]:
        """The data files of a channel, sorted.

        That is every non-empty file under the channel's folder, except those with a hidden
        (``.``) or metadata (``_``) name on their path, such as ``.ipynb_checkpoints/`` or the
        ``_SUCCESS`` marker Spark writes next to its output.
        """
        folder = self.channel_dir(channel)
        return [path for path in self._files_under(channel) if _is_data_file(path, folder)]

    def describe_channel(self, channel: str) -> str:
        """Every file a channel folder holds, with sizes, for error messages."""
        listing = [f"{path.relative_to(self.channel_dir(channel))} ({path.stat().st_size} bytes)"
                   for path in self._files_under(channel)]
        return ", ".join(listing) or "no files"

    def _files_under(self, channel: str) -> list[Path]:
        folder = self.channel_dir(channel)
        if not folder.is_dir():
            return []
        return sorted(path for path in folder.rglob("*") if path.is_file())

    def write_failure(self, reason: str) -> None:
        """Record why the job failed; the platform turns it into the job's FailureReason."""
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.failure_file.write_text(reason[:FAILURE_REASON_MAX_CHARS])


def _is_data_file(path: Path, folder: Path) -> bool:
    """Non-empty, and no hidden (``.``) or metadata (``_``) name on the way from ``folder``."""
    skipped = any(part.startswith((".", "_")) for part in path.relative_to(folder).parts)
    return not skipped and path.stat().st_size > 0


def _read_json(path: Path, default):
    if not path.exists():
        return default
    return json.loads(path.read_text())


def serving_port() -> int:
    """The port a serving container must listen on."""
    return int(os.environ.get(BIND_PORT_ENV, DEFAULT_SERVING_PORT))
