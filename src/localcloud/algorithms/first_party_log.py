"""Log lines SageMaker's first-party algorithms (Linear Learner, PCA, k-means) print.

Their training containers share one framework and its metric lines::

    #progress_metric: host=algo-1, completed 100 % of epochs
    #throughput_metric: host=algo-1, train throughput=22356.2 records/second
    #test_score (algo-1) : ('msd', 0.123)

SageMaker reads ``train:progress`` and ``train:throughput`` from the first two; algorithms that
score a test channel (k-means) report ``test:<metric>`` in the third form. Standard library only:
the metric definitions are read by the service.
"""

from __future__ import annotations

import logging
import re

HOST = "algo-1"

#: ``train:progress`` and ``train:throughput``, as every first-party algorithm defines them.
PROGRESS_DEFINITIONS = [
    {"Name": "train:progress", "Regex": r"#progress_metric: host=\S+, completed (\S+) %"},
    {"Name": "train:throughput",
     "Regex": r"#throughput_metric: host=\S+, train throughput=(\S+) records/second"},
]


def score_definition(channel: str, metric: str) -> dict[str, str]:
    """The definition of ``<channel>:<metric>`` read from a ``#<channel>_score`` line."""
    return {"Name": f"{channel}:{metric}",
            "Regex": rf"#{re.escape(channel)}_score \(\S+\) : \('{re.escape(metric)}', (\S+)\)"}


def log_progress(log: logging.Logger, percent: float) -> None:
    log.info("#progress_metric: host=%s, completed %d %% of epochs", HOST, percent)


def log_throughput(log: logging.Logger, records: int, seconds: float) -> None:
    log.info("#throughput_metric: host=%s, train throughput=%r records/second", HOST,
             round(records / max(seconds, 1e-9), 1))


def log_score(log: logging.Logger, channel: str, metric: str, value: float) -> None:
    log.info("#%s_score (%s) : ('%s', %r)", channel, HOST, metric, float(value))
