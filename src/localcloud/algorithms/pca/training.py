"""``train(paths)``: the training container of PCA.

``regular`` mode reads the data in mini-batches of ``mini_batch_size`` rows and accumulates the
sum and the scatter matrix ``XᵀX`` (in float64), then takes the eigenvectors of the centred
scatter matrix: exact, and the memory it needs does not grow with the number of rows.
``randomized`` mode runs scikit-learn's randomized SVD with ``num_components +
extra_components`` components and keeps the first ``num_components``.

The artifact ``model_algo-1`` holds, as the real algorithm's does (MXNet NDArray list file):

- ``s`` (num_components,): the singular values of the (centred) data, ASCENDING, so the most
  important component is the last one;
- ``v`` (feature_dim, num_components): the components as columns, in the order of ``s``;
- ``mean`` (1, feature_dim): the mean that was subtracted (zeros with ``subtract_mean=false``).

Each component's sign is fixed as scikit-learn fixes it (the largest loading is positive), so the
same data always gives the same model.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from localcloud.algorithms.artifacts import save_arrays
from localcloud.algorithms.first_party_log import log_progress, log_throughput
from localcloud.algorithms.inputs.channels import ChannelReader
from localcloud.containers.contract import MLPaths

from .hyperparameters import RANDOMIZED, Hyperparameters, parse_hyperparameters

log = logging.getLogger(__name__)

READER = ChannelReader("PCA", ("train",), supervised=False)
SEED = 0


def train(paths: MLPaths) -> None:
    """Compute the principal components of the ``train`` channel and write ``model_algo-1``."""
    params = parse_hyperparameters(paths.read_hyperparameters())
    datasets, _ = READER.read_all(paths, params.feature_dim)
    features = datasets["train"].features
    log.info("PCA in %s mode: %d examples, %d features, %d components", params.algorithm_mode,
             features.shape[0], features.shape[1], params.num_components)
    mean = features.mean(axis=0, dtype=np.float64) if params.subtract_mean else \
        np.zeros(features.shape[1])
    started = time.monotonic()
    if params.algorithm_mode == RANDOMIZED:
        singular_values, components = _randomized(features, mean, params)
    else:
        singular_values, components = _regular(features, mean, params)
    log_progress(log, 100)
    log_throughput(log, features.shape[0], time.monotonic() - started)
    components = _fixed_signs(components)
    _log_variance(singular_values, features, mean)
    save_arrays(paths.model_dir, {
        "s": singular_values[::-1].astype(np.float32),
        "v": components[:, ::-1].astype(np.float32),
        "mean": mean.reshape(1, -1).astype(np.float32),
    })
    log.info("Wrote model_algo-1: s (%d,), v %s, mean (1, %d)", params.num_components,
             (features.shape[1], params.num_components), features.shape[1])


def _regular(features: np.ndarray, mean: np.ndarray,
             params: Hyperparameters) -> tuple[np.ndarray, np.ndarray]:
    """Exact components, largest first, from the scatter matrix built batch by batch."""
    scatter = np.zeros((features.shape[1], features.shape[1]))
    for start in range(0, features.shape[0], params.mini_batch_size):
        batch = features[start:start + params.mini_batch_size].astype(np.float64)
        scatter += batch.T @ batch
    scatter -= features.shape[0] * np.outer(mean, mean)
    eigenvalues, eigenvectors = np.linalg.eigh(scatter)  # ascending
    top = slice(-1, -params.num_components - 1, -1)
    return np.sqrt(np.clip(eigenvalues[top], 0, None)), eigenvectors[:, top]


def _randomized(features: np.ndarray, mean: np.ndarray,
                params: Hyperparameters) -> tuple[np.ndarray, np.ndarray]:
    """Approximate components, largest first, from a sketch with extra components."""
    from sklearn.utils.extmath import randomized_svd  # seconds to import: only when used

    rank = min(params.num_components + params.extra_components, *features.shape)
    _, singular_values, rows = randomized_svd(features.astype(np.float64) - mean, rank,
                                              random_state=SEED)
    return singular_values[:params.num_components], rows[:params.num_components].T


def _fixed_signs(components: np.ndarray) -> np.ndarray:
    """Flip each column so that its largest absolute loading is positive."""
    largest = np.argmax(np.abs(components), axis=0)
    signs = np.sign(components[largest, np.arange(components.shape[1])])
    return components * np.where(signs == 0, 1, signs)


def _log_variance(singular_values: np.ndarray, features: np.ndarray, mean: np.ndarray) -> None:
    total = float(((features.astype(np.float64) - mean) ** 2).sum())
    if total > 0:
        kept = float((singular_values ** 2).sum()) / total
        log.info("The %d components explain %.1f%% of the variance", singular_values.size,
                 100 * kept)
