"""The per-round log lines of SageMaker XGBoost, printed through xgboost's callback API.

Every release prints one line per boosting round on stdout, metrics separated by TABs::

    [0]<TAB>train-rmse:17.12345<TAB>validation-rmse:17.44021      (0.90-1 and later)
    [0]<TAB>train-rmse:18.8786<TAB>validation-rmse:18.8742        (the legacy 0.72 image)

The open-source container prints them with ``xgb.callback.EvaluationMonitor`` (five decimals);
the 0.72 image formatted values with ``%g`` and announced early stopping::

    Multiple eval metrics have been passed: 'validation-rmse' will be used for early stopping.

    Will train until validation-rmse hasn't improved in 10 rounds.
    ...
    Stopping. Best iteration:
    [37]<TAB>train-rmse:1.30556<TAB>validation-rmse:3.94535

(captured from a 0.72 training job's CloudWatch log in a Udacity SageMaker course notebook).

The lines go straight to stdout rather than through ``logging``: they must appear verbatim,
without a logging prefix, because the platform's log shipper and tuning-metric regexes read them
exactly as the real container prints them.
"""

from __future__ import annotations

import sys

import xgboost


def print_line(text: str) -> None:
    """Write text to stdout, ending it with a newline (blank lines inside are kept).

    ``sys.stdout`` is looked up at each call so that redirected or captured output sees it.
    """
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def evaluation_monitor() -> xgboost.callback.TrainingCallback:
    """The per-round printer of the open-source container (0.90-1 and later)."""
    return xgboost.callback.EvaluationMonitor(logger=print_line)


class LegacyEvaluationPrinter(xgboost.callback.TrainingCallback):
    """Per-round lines as the 0.72 image prints them (``%g`` values), remembered by round."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, str] = {}

    def after_iteration(self, model, epoch: int, evals_log) -> bool:
        fields = [f"{data}-{metric}:{history[-1]:g}"
                  for data, data_metrics in evals_log.items()
                  for metric, history in data_metrics.items()]
        self.lines[epoch] = "\t".join([f"[{epoch}]", *fields])
        print_line(self.lines[epoch])
        return False


class LegacyEarlyStopping(xgboost.callback.EarlyStopping):
    """xgboost's early stopping, narrated the way the 0.72 image narrates it.

    Like ``xgb.train(early_stopping_rounds=...)`` of that era it watches the last metric of the
    last evaluation set and keeps every tree (the best iteration is recorded on the model).
    """

    def __init__(self, rounds: int, printer: LegacyEvaluationPrinter) -> None:
        super().__init__(rounds=rounds, save_best=False)
        self._printer = printer
        self._announced = False

    def after_iteration(self, model, epoch: int, evals_log) -> bool:
        if not self._announced:
            self._announce(evals_log)
        should_stop = super().after_iteration(model, epoch, evals_log)
        if should_stop:
            best = int(model.attr("best_iteration"))
            print_line(f"Stopping. Best iteration:\n{self._printer.lines[best]}\n\n")
        return should_stop

    def _announce(self, evals_log) -> None:
        data_name = list(evals_log)[-1]
        watched = f"{data_name}-{list(evals_log[data_name])[-1]}"
        if sum(len(data_metrics) for data_metrics in evals_log.values()) > 1:
            print_line(f"Multiple eval metrics have been passed: '{watched}' will be used for "
                       "early stopping.\n\n")
        print_line(f"Will train until {watched} hasn't improved in {self.rounds} rounds.")
        self._announced = True
