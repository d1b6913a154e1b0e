"""The environment a training script sees: hyperparameters, ``SM_*`` variables, arguments.

This follows sagemaker-training-toolkit (``environment.py``, ``params.py``, ``mapping.py``), which
every SageMaker framework training image runs:

- the SDK JSON-encodes each hyperparameter (``"2"``, ``"0.1"``, ``"\\"x y\\""``); the toolkit
  decodes each with ``json.loads`` and keeps the raw string when that fails;
- keys starting with ``sagemaker_`` are the platform's (``sagemaker_program``,
  ``sagemaker_submit_directory``, ...); the rest are the script's hyperparameters;
- the script is run as ``python <program> --key value ...`` (keys sorted, ``-k`` for one-letter
  keys, dicts as ``k=v,k2=v2``) with ``SM_*`` variables describing the container: every key of
  :meth:`TrainingEnvironment.variables` becomes ``SM_<KEY>`` (upper-cased, dashes kept), strings
  as they are and everything else as compact sorted JSON.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

from localcloud.containers.contract import MLPaths

#: Hyperparameters with this prefix configure the container, not the script.
PLATFORM_PREFIX = "sagemaker_"
PROGRAM_KEY = "sagemaker_program"
SUBMIT_DIRECTORY_KEY = "sagemaker_submit_directory"
LOG_LEVEL_KEY = "sagemaker_container_log_level"
JOB_NAME_KEY = "sagemaker_job_name"
REGION_KEY = "sagemaker_region"
DEFAULT_LOG_LEVEL = 20  # logging.INFO, what the SDK sends


def decode_hyperparameters(raw: dict[str, str]) -> dict[str, object]:
    """``{"epochs": "2", "name": "\\"x y\\""}`` -> ``{"epochs": 2, "name": "x y"}``."""
    decoded = {}
    for key, value in raw.items():
        try:
            decoded[key] = json.loads(value)
        except (TypeError, ValueError):
            decoded[key] = value  # written by hand (boto3), not JSON: keep the string
    return decoded


def split_hyperparameters(decoded: dict[str, object]) -> tuple[dict, dict]:
    """(the script's hyperparameters, the platform's ``sagemaker_*`` settings)."""
    user = {k: v for k, v in decoded.items() if not k.startswith(PLATFORM_PREFIX)}
    platform = {k: v for k, v in decoded.items() if k.startswith(PLATFORM_PREFIX)}
    return user, platform


def to_cmd_args(hyperparameters: dict[str, object]) -> list[str]:
    """Command-line arguments for a script: ``["--batch-size", "64", "-k", "3", ...]``."""
    def name(key: str) -> str:
        return f"--{key}" if len(key) > 1 else f"-{key}"

    def value(item: object) -> str:
        if isinstance(item, dict):
            return ",".join(f"{k}={v}" for k, v in sorted(item.items()))
        return str(item)

    return list(itertools.chain.from_iterable(
        (name(key), value(hyperparameters[key])) for key in sorted(hyperparameters)))


def to_env_vars(mapping: dict[str, object]) -> dict[str, str]:
    """``{"model_dir": "/opt/ml/model", "hosts": ["algo-1"]}`` -> ``SM_MODEL_DIR=...`` etc."""
    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    return {f"SM_{key.upper()}": text(value) for key, value in mapping.items()}


@dataclass(frozen=True)
class TrainingEnvironment:
    """What the training toolkit knows about one container: paths, hosts, hyperparameters."""

    paths: MLPaths
    hyperparameters: dict[str, object]
    platform_settings: dict[str, object]
    input_data_config: dict[str, dict]
    resource_config: dict

    @classmethod
    def read(cls, paths: MLPaths) -> TrainingEnvironment:
        """The environment of the container whose ``/opt/ml`` tree is ``paths``."""
        user, platform = split_hyperparameters(decode_hyperparameters(
            paths.read_hyperparameters()))
        return cls(paths, user, platform, paths.read_input_data_config(),
                   paths.read_resource_config())

    # -- what the platform settings say -------------------------------------------------------

    @property
    def user_entry_point(self) -> str:
        program = self.platform_settings.get(PROGRAM_KEY)
        if not program:
            raise ValueError(f"The job has no {PROGRAM_KEY} hyperparameter: script mode needs "
                             "the entry point the SDK's framework estimators set")
        return str(program)

    @property
    def module_name(self) -> str:
        return self.user_entry_point.removesuffix(".py")

    @property
    def module_dir(self) -> str:
        return str(self.platform_settings.get(SUBMIT_DIRECTORY_KEY) or "")

    @property
    def log_level(self) -> int:
        return int(self.platform_settings.get(LOG_LEVEL_KEY) or DEFAULT_LOG_LEVEL)

    @property
    def job_name(self) -> str:
        return str(self.platform_settings.get(JOB_NAME_KEY)
                   or os.environ.get("TRAINING_JOB_NAME", ""))

    # -- the container ------------------------------------------------------------------------

    @property
    def code_dir(self) -> Path:
        """Where the script's source directory is unpacked (``/opt/ml/code``)."""
        return self.paths.root / "code"

    @property
    def channel_input_dirs(self) -> dict[str, str]:
        return {channel: str(self.paths.channel_dir(channel))
                for channel in self.paths.received_channels(self.input_data_config)}

    @property
    def hosts(self) -> list[str]:
        return list(self.resource_config.get("hosts", ["algo-1"]))

    @property
    def current_host(self) -> str:
        return str(self.resource_config.get("current_host", "algo-1"))

    def as_dict(self) -> dict[str, object]:
        """``SM_TRAINING_ENV``: the toolkit's whole view of the container."""
        paths = self.paths
        instance_type = self.resource_config.get("current_instance_type", "local")
        group = self.resource_config.get("current_group_name", "homogeneousCluster")
        return {
            "additional_framework_parameters": {},
            "channel_input_dirs": self.channel_input_dirs,
            "current_host": self.current_host,
            "current_instance_group": group,
            "current_instance_group_hosts": self.hosts,
            "current_instance_type": instance_type,
            "distribution_hosts": [],
            "distribution_instance_groups": [],
            "framework_module": "",
            "hosts": self.hosts,
            "hyperparameters": self.hyperparameters,
            "input_config_dir": str(paths.config_dir),
            "input_data_config": self.input_data_config,
            "input_dir": str(paths.root / "input"),
            "instance_groups": [group],
            "is_hetero": False,
            "is_master": self.current_host == self.hosts[0],
            "job_name": self.job_name,
            "log_level": self.log_level,
            "master_hostname": self.hosts[0],
            "model_dir": str(paths.model_dir),
            "module_dir": self.module_dir,
            "module_name": self.module_name,
            "network_interface_name": self.resource_config.get("network_interface_name",
                                                               "eth0"),
            "num_cpus": os.cpu_count() or 1,
            "num_gpus": 0,
            "num_neurons": 0,
            "output_data_dir": str(paths.output_data_dir),
            "output_dir": str(paths.output_dir),
            "output_intermediate_dir": str(paths.output_dir / "intermediate"),
            "resource_config": self.resource_config,
            "user_entry_point": self.user_entry_point,
        }

    def variables(self) -> dict[str, object]:
        """The mapping whose keys become ``SM_*`` variables (before formatting)."""
        training_env = self.as_dict()
        mapping = {
            "hosts": self.hosts,
            "network_interface_name": training_env["network_interface_name"],
            "hps": self.hyperparameters,
            "user_entry_point": self.user_entry_point,
            "framework_params": {},
            "resource_config": self.resource_config,
            "input_data_config": self.input_data_config,
            "output_data_dir": training_env["output_data_dir"],
            "channels": sorted(self.channel_input_dirs),
            "current_host": self.current_host,
            "current_instance_type": training_env["current_instance_type"],
            "current_instance_group": training_env["current_instance_group"],
            "current_instance_group_hosts": self.hosts,
            "instance_groups": training_env["instance_groups"],
            "is_hetero": False,
            "module_name": self.module_name,
            "log_level": self.log_level,
            "framework_module": "",
            "input_dir": training_env["input_dir"],
            "input_config_dir": training_env["input_config_dir"],
            "output_dir": training_env["output_dir"],
            "num_cpus": training_env["num_cpus"],
            "num_gpus": 0,
            "num_neurons": 0,
            "model_dir": training_env["model_dir"],
            "module_dir": self.module_dir,
            "training_env": training_env,
            "user_args": to_cmd_args(self.hyperparameters),
            "output_intermediate_dir": training_env["output_intermediate_dir"],
        }
        for channel, folder in self.channel_input_dirs.items():
            mapping[f"channel_{channel}"] = folder
        for key, value in self.hyperparameters.items():
            mapping[f"hp_{key}"] = value
        return mapping

    def env_vars(self) -> dict[str, str]:
        """``SM_*`` and the few plain variables the toolkit exports for the script."""
        exported = to_env_vars(self.variables())
        exported.update({"SAGEMAKER_JOB_NAME": self.job_name,
                         "CURRENT_HOST": self.current_host,
                         "SAGEMAKER_REGION": str(self.platform_settings.get(REGION_KEY) or
                                                 os.environ.get("AWS_DEFAULT_REGION", ""))})
        return exported
