"""The ``MetricDefinitions`` of a Linear Learner training job: which log lines hold which metric.

The algorithm logs its metrics as lines such as::

    #quality_metric: host=algo-1, epoch=3, validation mse_objective <loss>=0.25
    #quality_metric: host=algo-1, validation binary_f_1.000 <score>=0.83
    #progress_metric: host=algo-1, completed 20 % of epochs
    #throughput_metric: host=algo-1, train throughput=22356.2 records/second

(written by :mod:`.metrics` and :mod:`.training`). :data:`METRIC_DEFINITIONS` are the definitions
the service attaches to a linear-learner training job (as seen in a
DescribeHyperParameterTuningJob response of a real job, 2020), plus ``rmse`` and
``roc_auc_score``, which the metric table of the current documentation lists
(https://docs.aws.amazon.com/sagemaker/latest/dg/linear-learner-tuning.html).

This module imports nothing but the standard library: the service reads the definitions for
every training and tuning job without loading the algorithm.
"""

from __future__ import annotations

from localcloud.algorithms.first_party_log import PROGRESS_DEFINITIONS

from .channels import CHANNELS, TEST

_SCORE = r"#quality_metric: host=\S+, {channel} {name} <score>=(\S+)"
_LOSS = r"#quality_metric: host=\S+, {channel} {name} <loss>=(\S+)"
_EPOCH_OBJECTIVE = r"#quality_metric: host=\S+, epoch=\S+, {channel} \S+_objective <loss>=(\S+)"
#: metric name -> (regex template, how the name appears in the line)
_FINAL_METRICS = {
    "mse": (_LOSS, "mse"),
    "rmse": (_LOSS, "rmse"),
    "absolute_loss": (_LOSS, "absolute_loss"),
    "binary_classification_accuracy": (_SCORE, "binary_classification_accuracy"),
    "binary_f_beta": (_SCORE, r"binary_f_\S+"),
    "precision": (_SCORE, "precision"),
    "recall": (_SCORE, "recall"),
    "roc_auc_score": (_SCORE, "roc_auc_score"),
    "multiclass_accuracy": (_SCORE, "multiclass_accuracy"),
    "multiclass_top_k_accuracy": (_SCORE, r"multiclass_top_k_accuracy_\S+"),
    "dcg": (_SCORE, "dcg"),
    "macro_precision": (_SCORE, "macro_precision"),
    "macro_recall": (_SCORE, "macro_recall"),
    "macro_f_beta": (_SCORE, r"macro_f_\S+"),
}


def _metric_definitions() -> list[dict[str, str]]:
    definitions = list(PROGRESS_DEFINITIONS)
    for channel in CHANNELS:
        final_objective = _LOSS.format(channel=channel, name=r"\S+_objective")
        if channel == TEST:  # the test set is scored once, after training
            definitions.append({"Name": f"{TEST}:objective_loss", "Regex": final_objective})
        else:
            definitions.append({"Name": f"{channel}:objective_loss",
                                "Regex": _EPOCH_OBJECTIVE.format(channel=channel)})
            definitions.append({"Name": f"{channel}:objective_loss:final",
                                "Regex": final_objective})
        definitions.extend(
            {"Name": f"{channel}:{metric}", "Regex": template.format(channel=channel, name=name)}
            for metric, (template, name) in _FINAL_METRICS.items())
    return definitions


#: ``MetricDefinitions`` of a linear-learner training job (Name/Regex pairs).
METRIC_DEFINITIONS = _metric_definitions()
