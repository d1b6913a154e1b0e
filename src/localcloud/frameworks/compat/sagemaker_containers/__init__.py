"""The names scripts written for SageMaker's older containers import from ``sagemaker_containers``.

AWS's PyTorch 0.4/1.0 and early scikit-learn images shipped the ``sagemaker_containers`` package,
and course scripts of that time ``import sagemaker_containers`` (often without using it) or use
a few of its names::

    env = sagemaker_containers.training_env()          # hosts, model_dir, hyperparameters, ...
    from sagemaker_containers.beta.framework import content_types, encoders, worker
    encoders.decode(body, content_types.NPY)
    return worker.Response(body, mimetype=accept)

localcloud's framework containers put this small package on the script's path, so such scripts
run unchanged. It is not AWS's package: only these names exist, and they behave as AWS's did.
"""

from . import beta, content_types, encoders, worker
from .env import TrainingEnv, training_env

__all__ = ["TrainingEnv", "beta", "content_types", "encoders", "training_env", "worker"]
