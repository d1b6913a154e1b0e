"""The DeepAR network: GluonTS's PyTorch ``DeepAREstimator`` configured as SageMaker's DeepAR.

GluonTS's defaults already match SageMaker's (2 LSTM layers of 40 cells, dropout 0.1, Student's t
likelihood, learning rate 1e-3, lagged values and calendar features chosen by frequency, mean
scaling of each series). This module maps the SageMaker hyperparameters onto it, converts series
to GluonTS data entries, and saves or loads the trained predictor.

The model directory (packed into ``model.tar.gz``) holds GluonTS's serialized predictor
(``gluonts-config.json``, ``predictor.json``, ``prediction-net-state.pt``) and ``deepar.json``
(:mod:`.settings`: the frequency, horizon, categories and dynamic features the model expects).
The real algorithm's artifact is an MXNet model whose layout is not public; only localcloud
reads this one.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from gluonts.torch.distributions import (
    BetaOutput,
    LaplaceOutput,
    NegativeBinomialOutput,
    NormalOutput,
    StudentTOutput,
)
from gluonts.torch.model.deepar import DeepAREstimator
from gluonts.torch.model.predictor import PyTorchPredictor

from .hyperparameters import Hyperparameters
from .series import Series
from .settings import ModelSettings

log = logging.getLogger(__name__)

SEED = 0

#: SageMaker likelihood -> GluonTS distribution. deterministic-L1 (a point forecast trained on
#: the absolute error) has no GluonTS equivalent; the Laplace likelihood, whose location is
#: learned with the same absolute error, stands in for it.
DISTRIBUTIONS = {
    "gaussian": NormalOutput, "beta": BetaOutput, "negative-binomial": NegativeBinomialOutput,
    "student-t": StudentTOutput, "deterministic-l1": LaplaceOutput,
}


def data_entry(series: Series, settings: ModelSettings) -> dict:
    """A GluonTS data entry of ``series`` with the features the model uses."""
    entry = {"start": pd.Period(series.start, freq=settings.frequency), "target": series.target}
    if settings.cardinality:
        entry["feat_static_cat"] = np.array(series.cat[:len(settings.cardinality)], dtype=int)
    if settings.num_dynamic_feat:
        entry["feat_dynamic_real"] = series.dynamic_feat[:settings.num_dynamic_feat]
    return entry


def default_scale(series: list[Series]) -> float:
    """Mean absolute observed value of the training data: the scale GluonTS uses for a series
    with no observed value (a forecast from a start date alone) instead of zero."""
    values = np.concatenate([item.target[np.isfinite(item.target)] for item in series])
    scale = float(np.mean(np.abs(values))) if values.size else 1.0
    return scale if math.isfinite(scale) and scale > 0 else 1.0


def build_estimator(params: Hyperparameters, settings: ModelSettings, scale: float,
                    batches_per_epoch: int, trainer_kwargs: dict) -> DeepAREstimator:
    """GluonTS's DeepAR with the job's hyperparameters."""
    categories = len(settings.cardinality)
    return DeepAREstimator(
        freq=settings.frequency,
        prediction_length=params.prediction_length,
        context_length=params.context_length,
        num_layers=params.num_layers,
        hidden_size=params.num_cells,
        dropout_rate=params.dropout_rate,
        lr=params.learning_rate,
        distr_output=DISTRIBUTIONS[params.likelihood](),
        num_feat_static_cat=categories,
        cardinality=settings.cardinality or None,
        embedding_dimension=[params.embedding_dimension] * categories or None,
        num_feat_dynamic_real=settings.num_dynamic_feat,
        default_scale=scale,
        batch_size=params.mini_batch_size,
        num_batches_per_epoch=batches_per_epoch,
        num_parallel_samples=params.num_eval_samples,
        trainer_kwargs=trainer_kwargs,
    )


def save_predictor(predictor: PyTorchPredictor, settings: ModelSettings, model_dir: Path) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    predictor.serialize(model_dir)
    settings.save(model_dir)


def load_predictor(model_dir: Path) -> tuple[PyTorchPredictor, ModelSettings]:
    settings = ModelSettings.load(model_dir)
    predictor = PyTorchPredictor.deserialize(model_dir, device="cpu")
    predictor.prediction_net.eval()
    return predictor, settings


def sample_paths(predictor: PyTorchPredictor, entries: list[dict],
                 num_samples: int) -> list[np.ndarray]:
    """``num_samples`` forecast paths per entry, (num_samples, prediction_length) each.

    Seeded: the same entries give the same paths. torch's generator is global, so callers
    running requests in threads must not call this concurrently.
    """
    with torch.no_grad():
        torch.manual_seed(SEED)
        return [forecast.samples for forecast in predictor.predict(entries,
                                                                   num_samples=num_samples)]
