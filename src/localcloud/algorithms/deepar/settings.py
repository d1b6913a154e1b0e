"""What a trained DeepAR model takes and forecasts, saved beside the network as ``deepar.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from localcloud.containers.errors import ClientError

from .series import pandas_frequency

SETTINGS_FILE = "deepar.json"


@dataclass(frozen=True)
class ModelSettings:
    """What serving needs besides the network: the model's inputs and horizon."""

    time_freq: str
    prediction_length: int
    context_length: int
    cardinality: list[int]  #: categories per ``cat`` field ([] without categories)
    num_dynamic_feat: int
    num_eval_samples: int

    @property
    def frequency(self) -> str:
        return pandas_frequency(self.time_freq)

    def save(self, model_dir: Path) -> None:
        (model_dir / SETTINGS_FILE).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, model_dir: Path) -> ModelSettings:
        path = model_dir / SETTINGS_FILE
        if not path.is_file():
            raise ClientError(f"No {SETTINGS_FILE} in {model_dir}: the model data is not a "
                              "forecasting-deepar model.tar.gz")
        return cls(**json.loads(path.read_text()))
