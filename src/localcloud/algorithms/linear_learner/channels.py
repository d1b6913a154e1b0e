"""The input channels of Linear Learner.

``train`` is required, ``validation`` and ``test`` are optional
(https://docs.aws.amazon.com/sagemaker/latest/dg/linear-learner.html#ll-input_output). The names
live in this dependency-free module because the metric definitions, which the service reads,
name their metrics after them.
"""

TRAIN, VALIDATION, TEST = "train", "validation", "test"
#: Every channel Linear Learner reads, in the order it reads them and reports their metrics.
CHANNELS = (TRAIN, VALIDATION, TEST)
