"""The ``model_algo-1`` artifact: Linear Learner's model inside ``model.tar.gz``.

What the real one is (verified from public walkthroughs of real jobs): ``model.tar.gz`` holds one
file, ``model_algo-1``, a zip archive with four members::

    additional-params.json
    manifest.json
    mx-mod-symbol.json       an MXNet symbol graph (``mx.mod.Module`` checkpoint, prefix mx-mod)
    mx-mod-0000.params       the weights, MXNet NDArray file with arg:fc0_weight and arg:fc0_bias

Readers load it with ``mx.mod.Module.load("mx-mod", 0, label_names=["out_label"])`` and read
``mod._arg_params["fc0_weight"]`` / ``["fc0_bias"]``, or with
``gluon.nn.SymbolBlock(mx.sym.load_json(...), mx.sym.var("data"))`` and
``load_parameters("mx-mod-0000.params", allow_missing=True)``; fed a raw feature vector, the
network returns the prediction in label units (Simon, *Learn Amazon SageMaker*, 2nd ed., ch. 11,
Boston Housing; public Lambda examples that read fc0_weight / fc0_bias).

What we write: the same four members, the weights in the real NDArray binary format (see
:mod:`localcloud.formats.ndarray`; byte-identical to ``mx.nd.save``) and a symbol graph
``data -> FullyConnected fc0 (num_hidden K) -> <output> out`` with a label variable ``out_label``,
where ``<output>`` is ``LinearRegressionOutput`` (regressor), ``LogisticRegressionOutput`` (binary
classifier: the network outputs the probability) or ``SoftmaxOutput`` (multiclass). Feature and
label normalization are folded into ``fc0`` so the network takes raw features, like the real one.
``fc0_weight`` has MXNet's FullyConnected shape (K, feature_dim).

The contents of the real ``manifest.json`` and ``additional-params.json`` are not public. Ours:
``manifest.json`` names the checkpoint (prefix, epoch, files, data and label names);
``additional-params.json`` holds what serving needs besides the weights (predictor_type, loss,
the calibrated decision threshold of a binary classifier, feature_dim, num_classes) and, for the
curious, the normalization statistics and the hyperparameters of the selected model.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from localcloud.containers.errors import ClientError
from localcloud.formats.ndarray import load_ndarrays, save_ndarrays

from .hyperparameters import BINARY, MULTICLASS
from .model import DEFAULT_THRESHOLD, LinearModel

MODEL_FILE = "model_algo-1"
CHECKPOINT_PREFIX = "mx-mod"
SYMBOL_MEMBER = f"{CHECKPOINT_PREFIX}-symbol.json"
PARAMS_MEMBER = f"{CHECKPOINT_PREFIX}-0000.params"
MANIFEST_MEMBER = "manifest.json"
ADDITIONAL_PARAMS_MEMBER = "additional-params.json"
WEIGHT_KEY = "arg:fc0_weight"
BIAS_KEY = "arg:fc0_bias"
LABEL_NAME = "out_label"
#: MXNet version stamped in the symbol file (1.9.1, the last 1.x release).
MXNET_VERSION = 10901
_OUTPUT_OPS = {BINARY: "LogisticRegressionOutput", MULTICLASS: "SoftmaxOutput"}
_REGRESSION_OUTPUT_OP = "LinearRegressionOutput"


def save_model(model: LinearModel, model_dir: Path, details: dict | None = None) -> Path:
    """Write ``model_dir/model_algo-1``; ``details`` go into additional-params.json as well."""
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    members = {
        ADDITIONAL_PARAMS_MEMBER: json.dumps(_additional_params(model, details), indent=2),
        MANIFEST_MEMBER: json.dumps(_manifest(), indent=2),
        SYMBOL_MEMBER: json.dumps(symbol_graph(model.predictor_type, model.num_outputs), indent=2),
        PARAMS_MEMBER: save_ndarrays({
            WEIGHT_KEY: model.weights.T.astype(np.float32),
            BIAS_KEY: model.bias.astype(np.float32),
        }),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _additional_params(model: LinearModel, details: dict | None) -> dict:
    params = {
        "predictor_type": model.predictor_type,
        "loss": model.loss,
        "feature_dim": model.feature_dim,
        "num_classes": model.num_outputs if model.predictor_type == MULTICLASS else None,
    }
    if model.predictor_type == BINARY:
        params["threshold"] = model.threshold
    return {**params, **(details or {})}


def _manifest() -> dict:
    return {
        "format": "mxnet-module-checkpoint",
        "prefix": CHECKPOINT_PREFIX,
        "epoch": 0,
        "symbol": SYMBOL_MEMBER,
        "params": PARAMS_MEMBER,
        "data_names": ["data"],
        "label_names": [LABEL_NAME],
        "extra": ADDITIONAL_PARAMS_MEMBER,
    }


def symbol_graph(predictor_type: str, num_outputs: int) -> dict:
    """MXNet's JSON graph of ``data -> fc0 -> out`` (``mx.sym.load_json`` reads it)."""
    hidden = {"num_hidden": str(num_outputs)}
    output_op = _OUTPUT_OPS.get(predictor_type, _REGRESSION_OUTPUT_OP)
    nodes = [
        {"op": "null", "name": "data", "inputs": []},
        {"op": "null", "name": "fc0_weight", "attrs": hidden, "inputs": []},
        {"op": "null", "name": "fc0_bias", "attrs": hidden, "inputs": []},
        {"op": "FullyConnected", "name": "fc0", "attrs": hidden,
         "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]},
        {"op": "null", "name": LABEL_NAME, "inputs": []},
        {"op": output_op, "name": "out", "inputs": [[3, 0, 0], [4, 0, 0]]},
    ]
    return {
        "nodes": nodes,
        "arg_nodes": [0, 1, 2, 4],
        "node_row_ptr": list(range(len(nodes) + 1)),
        "heads": [[5, 0, 0]],
        "attrs": {"mxnet_version": ["int", MXNET_VERSION]},
    }


def load_model(model_dir: Path) -> LinearModel:
    """Read ``model_dir/model_algo-1`` back into a :class:`LinearModel`."""
    path = model_dir / MODEL_FILE
    if not path.is_file():
        raise ClientError(f"No {MODEL_FILE} in {model_dir}: the model data is not a Linear "
                          f"Learner model.tar.gz")
    try:
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
            params = load_ndarrays(archive.read(PARAMS_MEMBER))
            extra = json.loads(archive.read(ADDITIONAL_PARAMS_MEMBER))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ClientError(f"{path} is not a readable Linear Learner artifact: {error}") from None
    return LinearModel(
        predictor_type=extra["predictor_type"],
        weights=params[WEIGHT_KEY].T.astype(np.float64),
        bias=params[BIAS_KEY].astype(np.float64),
        loss=extra["loss"],
        threshold=float(extra.get("threshold", DEFAULT_THRESHOLD)),
    )
