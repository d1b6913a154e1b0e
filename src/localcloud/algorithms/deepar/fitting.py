"""Training GluonTS's DeepAR with Lightning, logging each epoch as SageMaker's DeepAR does::

    #quality_metric: host=algo-1, epoch=0, train loss <loss>=0.845
    #progress_metric: host=algo-1, completed 2.0 % of epochs
    Final loss: -0.217 (occurred at epoch 48)
    #quality_metric: host=algo-1, train final_loss <loss>=-0.217

GluonTS keeps the weights of the epoch with the lowest training loss (its checkpoint callback), as
the real algorithm returns the model with the lowest loss. ``early_stopping_patience`` stops
training when the loss has not improved for that many epochs.
"""

from __future__ import annotations

import logging
import tempfile
import time

import lightning.pytorch as pl
from gluonts.torch.model.predictor import PyTorchPredictor

from .hyperparameters import Hyperparameters
from .model import SEED, build_estimator, data_entry, default_scale
from .series import Series
from .settings import ModelSettings

log = logging.getLogger(__name__)


class EpochLog(pl.Callback):
    """Logs each epoch's mean training loss and progress; remembers the best epoch."""

    def __init__(self, host: str, epochs: int):
        self.host = host
        self.epochs = epochs
        self.best: tuple[float, int] | None = None  #: (loss, epoch)
        self.started = time.perf_counter()

    def on_train_epoch_end(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        metric = trainer.callback_metrics.get("train_loss")
        if metric is None:
            return
        loss, epoch = float(metric), trainer.current_epoch
        log.info("#quality_metric: host=%s, epoch=%d, train loss <loss>=%r", self.host, epoch,
                 loss)
        log.info("#progress_metric: host=%s, completed %.1f %% of epochs", self.host,
                 100.0 * (epoch + 1) / self.epochs)
        log.info("Epoch[%d] Time cost=%.3f", epoch, time.perf_counter() - self.started)
        self.started = time.perf_counter()
        if self.best is None or loss < self.best[0]:
            self.best = (loss, epoch)

    def log_final(self) -> None:
        if self.best is None:
            return
        loss, epoch = self.best
        log.info("Final loss: %r (occurred at epoch %d)", loss, epoch)
        log.info("#quality_metric: host=%s, train final_loss <loss>=%r", self.host, loss)


def fit(params: Hyperparameters, settings: ModelSettings, series: list[Series], host: str,
        batches_per_epoch: int) -> PyTorchPredictor:
    """Train DeepAR on ``series``; the predictor with the best epoch's weights."""
    pl.seed_everything(SEED, verbose=False)
    epoch_log = EpochLog(host, params.epochs)
    callbacks: list[pl.Callback] = [epoch_log]
    if params.early_stopping_patience:
        callbacks.append(pl.callbacks.EarlyStopping(
            monitor="train_loss", mode="min", patience=params.early_stopping_patience))
    dataset = [data_entry(item, settings) for item in series]
    log.info("Training DeepAR for up to %d epochs of %d batches of %d windows", params.epochs,
             batches_per_epoch, params.mini_batch_size)
    with tempfile.TemporaryDirectory(prefix="deepar-") as scratch:
        trainer_kwargs = {
            "max_epochs": params.epochs, "callbacks": callbacks, "accelerator": "cpu",
            "devices": 1, "default_root_dir": scratch, "logger": False,
            "enable_progress_bar": False, "enable_model_summary": False,
        }
        estimator = build_estimator(params, settings, default_scale(series), batches_per_epoch,
                                    trainer_kwargs)
        predictor = estimator.train(dataset, cache_data=True)
    epoch_log.log_final()
    return predictor
