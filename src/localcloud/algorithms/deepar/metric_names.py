"""The ``MetricDefinitions`` of a DeepAR training job: which log lines hold which metric.

DeepAR logs (as in a real job's CloudWatch stream)::

    #quality_metric: host=algo-1, epoch=3, train loss <loss>=0.845
    #progress_metric: host=algo-1, completed 20.0 % of epochs
    #quality_metric: host=algo-1, train final_loss <loss>=-0.217
    #test_score (algo-1, RMSE): 0.362
    #test_score (algo-1, mean_wQuantileLoss): 0.151
    #test_score (algo-1, wQuantileLoss[0.1]): 0.07
    #quality_metric: host=algo-1, test RMSE <loss>=0.362
    #quality_metric: host=algo-1, test mean_wQuantileLoss <loss>=0.151

The tunable metrics are ``test:RMSE``, ``test:mean_wQuantileLoss`` and ``train:final_loss``, all
minimized (https://docs.aws.amazon.com/sagemaker/latest/dg/deepar-tuning.html). Standard library
only: the service reads these definitions without loading torch.
"""

from __future__ import annotations

#: ``MetricDefinitions`` of a forecasting-deepar training job (Name/Regex pairs).
METRIC_DEFINITIONS = [
    {"Name": "train:loss",
     "Regex": r"#quality_metric: host=\S+, epoch=\d+, train loss <loss>=(\S+)"},
    {"Name": "train:progress", "Regex": r"#progress_metric: host=\S+, completed (\S+) %"},
    {"Name": "train:final_loss",
     "Regex": r"#quality_metric: host=\S+, train final_loss <loss>=(\S+)"},
    {"Name": "test:RMSE", "Regex": r"#test_score \(\S+, RMSE\): (\S+)"},
    {"Name": "test:mean_wQuantileLoss", "Regex": r"#test_score \(\S+, mean_wQuantileLoss\): (\S+)"},
    {"Name": "test:mean_absolute_QuantileLoss",
     "Regex": r"#test_score \(\S+, mean_absolute_QuantileLoss\): (\S+)"},
]
