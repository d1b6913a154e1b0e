"""``train(paths)``: the training container of k-means.

SageMaker's k-means is a web-scale variant of Lloyd's algorithm
(https://docs.aws.amazon.com/sagemaker/latest/dg/algo-kmeans-tech-notes.html), done here the same
way in two steps:

1. Streaming: ``k × extra_center_factor`` centers start from the first mini-batch (``random``
   rows or ``kmeans++``); each mini-batch of ``mini_batch_size`` rows moves every center to the
   weighted mean of its old position and the rows closest to it, for ``epochs`` passes. With
   ``half_life_time_size`` > 0 the weight of past rows halves every that many rows, so recent
   data counts more.
2. Local Lloyd: the extra centers, weighted by the rows they absorbed, are clustered into ``k``
   final centroids with scikit-learn's Lloyd k-means (``local_lloyd_init_method``,
   ``local_lloyd_num_trials`` restarts, ``local_lloyd_max_iter``, ``local_lloyd_tol``).

With a ``test`` channel the job then prints ``#test_score (algo-1) : ('msd', ...)`` (and ssd) for
``eval_metrics``. ``model_algo-1`` holds one (k, feature_dim) float32 array of centroids, an
unnamed MXNet NDArray list, read as ``mx.nd.load("model_algo-1")[0]``.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus

from localcloud.algorithms.artifacts import save_arrays
from localcloud.algorithms.first_party_log import log_progress, log_score, log_throughput
from localcloud.algorithms.inputs.channels import ChannelReader
from localcloud.containers.contract import MLPaths
from localcloud.containers.errors import ClientError

from .distances import squared_distances
from .hyperparameters import KMEANS_PLUS_PLUS, Hyperparameters, parse_hyperparameters
from .metric_names import TEST

log = logging.getLogger(__name__)

READER = ChannelReader("k-means", ("train", TEST), supervised=False)
SEED = 0


def train(paths: MLPaths) -> None:
    """Cluster the ``train`` channel, score ``test`` if given, and write ``model_algo-1``."""
    params = parse_hyperparameters(paths.read_hyperparameters())
    datasets, _ = READER.read_all(paths, params.feature_dim)
    features = datasets["train"].features.astype(np.float64)
    if features.shape[0] < params.k:
        raise ClientError(f"k={params.k} clusters need at least {params.k} training examples; "
                          f"the train channel has {features.shape[0]}")
    rng = np.random.default_rng(SEED)
    started = time.monotonic()
    centers, weights = stream(features, params, rng)
    log_throughput(log, features.shape[0] * params.epochs, time.monotonic() - started)
    centroids = reduce_centers(centers, weights, params)
    log.info("Training mean squared distance to the closest centroid: %.6g",
             squared_distances(features, centroids).min(axis=1).mean())
    if TEST in datasets:
        score(datasets[TEST].features.astype(np.float64), centroids, params.eval_metrics)
    save_arrays(paths.model_dir, [centroids.astype(np.float32)])
    log.info("Wrote model_algo-1: centroids (%d, %d)", *centroids.shape)


def stream(features: np.ndarray, params: Hyperparameters,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Mini-batch k-means with extra centers: the centers and the weight each absorbed."""
    count = min(params.k * params.extra_center_factor, features.shape[0])
    centers = initial_centers(features[:max(params.mini_batch_size, count)], count,
                              params.init_method, rng)
    weights = np.zeros(count)
    for epoch in range(params.epochs):
        for start in range(0, features.shape[0], params.mini_batch_size):
            batch = features[start:start + params.mini_batch_size]
            if params.half_life_time_size:
                weights *= 0.5 ** (batch.shape[0] / params.half_life_time_size)
            _absorb(batch, centers, weights)
        log_progress(log, 100 * (epoch + 1) / params.epochs)
    log.info("Streaming k-means: %d extra centers for k=%d", count, params.k)
    return centers, weights


def initial_centers(rows: np.ndarray, count: int, method: str,
                    rng: np.random.Generator) -> np.ndarray:
    """``count`` starting centers picked among ``rows``."""
    if method == KMEANS_PLUS_PLUS:
        centers, _ = kmeans_plusplus(rows, count, random_state=int(rng.integers(2**31)))
        return centers.copy()
    return rows[rng.choice(rows.shape[0], size=count, replace=False)].copy()


def _absorb(batch: np.ndarray, centers: np.ndarray, weights: np.ndarray) -> None:
    """Move each center to the weighted mean of itself and the batch rows closest to it."""
    closest = squared_distances(batch, centers).argmin(axis=1)
    counts = np.bincount(closest, minlength=centers.shape[0]).astype(np.float64)
    sums = np.zeros_like(centers)
    np.add.at(sums, closest, batch)
    moved = counts > 0
    total = weights[moved] + counts[moved]
    centers[moved] = (weights[moved, None] * centers[moved] + sums[moved]) / total[:, None]
    weights += counts


def reduce_centers(centers: np.ndarray, weights: np.ndarray,
                   params: Hyperparameters) -> np.ndarray:
    """The k final centroids: weighted Lloyd's k-means of the streamed centers."""
    used = weights > 0
    if used.sum() >= params.k:
        centers, weights = centers[used], weights[used]
    if centers.shape[0] == params.k:
        return centers
    init = "k-means++" if params.local_lloyd_init_method == KMEANS_PLUS_PLUS else "random"
    lloyd = KMeans(n_clusters=params.k, init=init, n_init=params.local_lloyd_num_trials,
                   max_iter=params.local_lloyd_max_iter, tol=params.local_lloyd_tol,
                   random_state=SEED)
    lloyd.fit(centers, sample_weight=np.maximum(weights, 1e-12))
    log.info("Local Lloyd: %d centers -> %d centroids in %d iterations", centers.shape[0],
             params.k, lloyd.n_iter_)
    return lloyd.cluster_centers_


def score(features: np.ndarray, centroids: np.ndarray, metrics: tuple[str, ...]) -> None:
    """Print ``#test_score`` lines: msd (mean) and ssd (sum) of squared distances."""
    closest = squared_distances(features, centroids).min(axis=1)
    values = {"msd": closest.mean(), "ssd": closest.sum()}
    for metric in metrics:
        log_score(log, TEST, metric, values[metric])
