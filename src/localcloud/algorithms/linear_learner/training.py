"""``train(paths)``: the training container of Linear Learner.

The steps follow "How linear learner works"
(https://docs.aws.amazon.com/sagemaker/latest/dg/ll_how-it-works.html):

1. Preprocess: learn normalization statistics from a sample of the training data.
2. Train: mini-batch SGD on ``num_models`` models in parallel for up to ``epochs`` passes, with
   early stopping on the validation objective (the training objective without validation data);
   the parameters of the best epoch are kept.
3. Validate and set the threshold: pick the best model on the validation channel (the training
   channel without one): lowest objective for regressors and multiclass classifiers; for binary
   classifiers, calibrate each model's decision threshold on up to ``num_calibration_samples``
   examples for ``binary_classifier_model_selection_criteria`` and keep the best.

Then the final metrics of the chosen model are logged for every channel and the model is written
to ``model/model_algo-1`` (see :mod:`.artifact`). Shuffling and initialization use a fixed seed, so
the same data and hyperparameters give the same model.
"""

from __future__ import annotations

import json
import logging
import time

import numpy as np

from localcloud.containers.contract import MLPaths

from .artifact import save_model
from .channels import TEST, TRAIN, VALIDATION
from .data import Dataset, load_datasets
from .hyperparameters import BINARY, MULTICLASS, Hyperparameters, parse_hyperparameters
from .losses import Loss
from .metrics import (
    Metric,
    SelectionCriterion,
    ThresholdChoice,
    binary_metrics,
    choose_threshold,
    multiclass_metrics,
    quality_line,
    regression_metrics,
)
from .model import DEFAULT_THRESHOLD, LinearModel, output_scores
from .sgd import (
    BestEpochs,
    Normalizer,
    ParallelSGD,
    SampleWeights,
    linear_outputs,
    model_variants,
)

log = logging.getLogger(__name__)

SEED = 0
#: Criteria that rank models by their objective loss and keep the 0.5 threshold.
LOSS_CRITERIA = ("cross_entropy_loss", "loss_function")


def train(paths: MLPaths) -> None:
    """Train on the channels in ``paths`` and write ``model/model_algo-1``."""
    host = paths.read_resource_config().get("current_host", "algo-1")
    params = parse_hyperparameters(paths.read_hyperparameters())
    datasets, feature_dim = load_datasets(paths, params)
    run = TrainingRun(params, datasets, feature_dim, host)
    model, details = run.fit()
    for channel in (TRAIN, VALIDATION, TEST):
        if channel in datasets:
            for metric in evaluate(model, datasets[channel], run.objective, params):
                log.info("%s", quality_line(host, channel, metric))
    save_model(model, paths.model_dir, details)
    log.info("Saved the model to %s", paths.model_dir)


class TrainingRun:
    """One training job: normalization, the parallel SGD epochs, model selection."""

    def __init__(self, params: Hyperparameters, datasets: dict[str, Dataset], feature_dim: int,
                 host: str):
        self.params = params
        self.host = host
        self.train_set = datasets[TRAIN]
        # The validation channel judges models; without one, the training data does.
        self.judge_set = datasets.get(VALIDATION, self.train_set)
        self.rng = np.random.default_rng(SEED)
        self.normalizer = Normalizer.fit(self.train_set.features, self.train_set.labels,
                                         self.train_set.sparse, params, self.rng)
        self.objective = Loss.from_hyperparameters(params)
        self.variants = model_variants(params)
        self.trainer = ParallelSGD(
            self.variants, feature_dim, params,
            Loss.from_hyperparameters(params, self.normalizer.label_scale), self.rng,
            updates_per_epoch=-(-self.train_set.size // params.mini_batch_size))
        self.sample_weights = SampleWeights(self.variants, self.train_set.labels, params)
        self.best = BestEpochs(*self.trainer.parameters(), params.early_stopping_patience,
                               params.early_stopping_tolerance)
        #: The data sets whose objectives are logged each epoch (train, and validation if any).
        self.monitored = [self.train_set]
        if self.judge_set is not self.train_set:
            self.monitored.append(self.judge_set)
        # Losses are computed in float64 every epoch: convert each monitored set once.
        self._float64 = {dataset.channel: (dataset.features.astype(np.float64),
                                           dataset.labels.astype(np.float64))
                         for dataset in self.monitored}
        train_features, train_labels = self._float64[TRAIN]
        self._scaled_features = self.normalizer.features(train_features)
        self._scaled_labels = self.normalizer.labels(train_labels)

    def fit(self) -> tuple[LinearModel, dict]:
        log.info("Training %d model(s) in parallel for up to %d epochs on %d examples",
                 len(self.variants), self.params.epochs, self.train_set.size)
        epochs_run = 0
        for epoch in range(self.params.epochs):
            self._run_epoch(epoch)
            epochs_run += 1
            self._check_progress(epoch)
            if self.best.should_stop:
                log.info("Early stop condition met. Stopping training.")
                break
        weights, bias = self.normalizer.to_raw(self.best.weights, self.best.bias)
        index, threshold = self._select(weights, bias)
        log.info("Best model found for hyperparameters: %s",
                 json.dumps(self.variants[index].describe()))
        model = LinearModel(self.params.predictor_type, weights[index].astype(np.float32),
                            bias[index].astype(np.float32), self.params.loss, threshold)
        return model, self._details(index, epochs_run)

    # -- epochs --------------------------------------------------------------------------------

    def _run_epoch(self, epoch: int) -> None:
        started = time.perf_counter()
        order = self.rng.permutation(self.train_set.size)
        batch_size = self.params.mini_batch_size
        for start in range(0, order.size, batch_size):
            batch = order[start:start + batch_size]
            self.trainer.step(self._scaled_features[batch], self._scaled_labels[batch],
                              self.sample_weights.for_batch(self.train_set.labels[batch]))
        elapsed = max(time.perf_counter() - started, 1e-9)
        log.info("#progress_metric: host=%s, completed %d %% of epochs", self.host,
                 int(100 * (epoch + 1) / self.params.epochs))
        log.info("#throughput_metric: host=%s, train throughput=%r records/second", self.host,
                 self.train_set.size / elapsed)

    def _check_progress(self, epoch: int) -> None:
        """Log the epoch's objectives and keep each model's best epoch (on the judging data)."""
        weights, bias = self.normalizer.to_raw(*self.trainer.parameters())
        losses = {}
        for dataset in self.monitored:
            losses[dataset.channel] = self._objectives(weights, bias, dataset)
            # A diverged model restarts from zero weights: its loss means nothing.
            losses[dataset.channel][self.trainer.diverged] = np.inf
        for channel, channel_losses in losses.items():
            # Like the real log, one line per channel: here the best of the parallel models.
            best = Metric(self.objective.name, float(np.min(channel_losses)), "loss")
            log.info("%s", quality_line(self.host, channel, best, epoch=epoch))
        judged = losses[self.judge_set.channel]
        log.info("#early_stopping_criteria_metric: host=%s, epoch=%d, criteria=%s, value=%r",
                 self.host, epoch, self.objective.name, float(np.min(judged)))
        if self.best.update(*self.trainer.parameters(), judged):
            log.info("Epoch %d: Loss improved. Updating best model", epoch)
        else:
            log.info("Epoch %d: Loss has not improved for %d epochs.", epoch,
                     self.best.stale_epochs)

    def _objectives(self, weights: np.ndarray, bias: np.ndarray, dataset: Dataset) -> np.ndarray:
        """Mean objective loss of every model on a monitored dataset."""
        features, labels = self._float64[dataset.channel]
        losses, _ = self.objective(linear_outputs(features, weights, bias), labels)
        return losses.mean(axis=1)

    # -- model selection -----------------------------------------------------------------------

    def _select(self, weights: np.ndarray, bias: np.ndarray) -> tuple[int, float]:
        """Index of the best model and its decision threshold."""
        # Models that never had a finite loss (diverged from the start) are out of the race.
        usable = np.isfinite(self.best.losses)
        criterion = self.params.binary_classifier_model_selection_criteria
        if self.params.predictor_type != BINARY or criterion in LOSS_CRITERIA:
            objectives = self._objectives(weights, bias, self.judge_set)
            return int(np.argmin(np.where(usable, objectives, np.inf))), DEFAULT_THRESHOLD
        choices = self._calibrate(weights, bias)
        candidates = np.flatnonzero(usable)
        index = int(max(candidates, key=lambda model: choices[model].rank))
        choice = choices[index]
        if not choice.meets_target:
            log.warning("No model reaches the target of %s on the %s data; keeping the closest",
                        criterion, self.judge_set.channel)
        log.info("Calibrated threshold %r for %s (value %r on %s data)", choice.threshold,
                 criterion, choice.value, self.judge_set.channel)
        return index, choice.threshold

    def _calibrate(self, weights: np.ndarray, bias: np.ndarray) -> list[ThresholdChoice]:
        count = self.params.num_calibration_samples
        features, labels = (array[:count] for array in self._float64[self.judge_set.channel])
        scores = output_scores(BINARY, linear_outputs(features, weights, bias))
        criterion = SelectionCriterion(
            self.params.binary_classifier_model_selection_criteria,
            target_precision=self.params.target_precision,
            target_recall=self.params.target_recall, beta=self.params.f_beta)
        return [choose_threshold(model_scores, labels, criterion) for model_scores in scores]

    def _details(self, index: int, epochs_run: int) -> dict:
        return {
            "normalization": self.normalizer.describe(),
            "selected_model": {"index": index, **self.variants[index].describe()},
            "epochs_trained": epochs_run,
            "selection_channel": self.judge_set.channel,
        }


def evaluate(model: LinearModel, dataset: Dataset, objective: Loss,
             params: Hyperparameters) -> list[Metric]:
    """The final quality metrics of ``model`` on one channel, objective loss first."""
    labels = dataset.labels.astype(np.float64)
    outputs = model.outputs(dataset.features)
    losses, _ = objective(outputs[None], labels)
    metrics = [Metric(objective.name, float(losses.mean()), "loss")]
    predictions = model.interpret(outputs)
    if params.predictor_type == BINARY:
        metrics += binary_metrics(predictions.scores, labels, model.threshold, params.f_beta)
    elif params.predictor_type == MULTICLASS:
        metrics += multiclass_metrics(predictions.scores, labels, params.accuracy_top_k,
                                      params.f_beta)
    else:
        metrics += regression_metrics(predictions.scores, labels)
    return metrics
