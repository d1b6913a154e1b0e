"""The metrics SageMaker reads from k-means' log.

``test:msd`` (mean squared distance of the test examples to their closest centroid) and
``test:ssd`` (their sum) are k-means' tuning metrics, both minimised
(https://docs.aws.amazon.com/sagemaker/latest/dg/k-means-tuning.html); they are printed once,
after training, for each of ``eval_metrics`` when the job has a ``test`` channel::

    #test_score (algo-1) : ('msd', 0.123)

Standard library only: the service reads these definitions.
"""

from __future__ import annotations

from localcloud.algorithms.first_party_log import PROGRESS_DEFINITIONS, score_definition

#: The metrics ``eval_metrics`` may list.
EVAL_METRICS = ("msd", "ssd")
TEST = "test"

METRIC_DEFINITIONS = PROGRESS_DEFINITIONS + [score_definition(TEST, metric)
                                             for metric in EVAL_METRICS]
