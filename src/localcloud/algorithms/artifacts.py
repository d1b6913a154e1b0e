"""``model_algo-1``: the model file of SageMaker's first-party (MXNet-based) algorithms.

Training writes it to ``model/``, SageMaker packs it into ``model.tar.gz``, and the model server
finds it in its model folder. PCA and k-means store their arrays in it directly as an MXNet NDArray
list file (:mod:`localcloud.formats.ndarray`), which ``mx.nd.load("model_algo-1")`` reads; Linear
Learner stores a zip of an MXNet module checkpoint under the same name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from localcloud.containers.errors import ClientError
from localcloud.formats.ndarray import load_ndarrays, save_ndarrays

MODEL_FILE = "model_algo-1"


def save_arrays(model_dir: Path, arrays: Mapping[str, np.ndarray] | Sequence[np.ndarray]) -> Path:
    """Write ``arrays`` (named or not) as ``model_dir/model_algo-1``."""
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    path.write_bytes(save_ndarrays(arrays))
    return path


def load_arrays(model_dir: Path, algorithm: str) -> dict[str, np.ndarray] | list[np.ndarray]:
    """The arrays of ``model_dir/model_algo-1``, or a ClientError saying what is wrong."""
    path = model_dir / MODEL_FILE
    if not path.is_file():
        found = ", ".join(sorted(item.name for item in model_dir.iterdir())) \
            if model_dir.is_dir() else "nothing"
        raise ClientError(f"No {MODEL_FILE} in the model archive (found: {found}); the model "
                          f"must come from a {algorithm} training job")
    try:
        return load_ndarrays(path.read_bytes())
    except ValueError as error:
        raise ClientError(f"{MODEL_FILE} is not a readable {algorithm} artifact: "
                          f"{error}") from None
