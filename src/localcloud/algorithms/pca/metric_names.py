"""The metrics SageMaker reads from PCA's log: progress and throughput only.

AWS's PCA logs no objective metric and lists none for automatic model tuning
(https://docs.aws.amazon.com/sagemaker/latest/dg/pca.html); like every first-party algorithm it
prints ``#progress_metric`` and ``#throughput_metric`` lines.
"""

from localcloud.algorithms.first_party_log import PROGRESS_DEFINITIONS

METRIC_DEFINITIONS = list(PROGRESS_DEFINITIONS)
