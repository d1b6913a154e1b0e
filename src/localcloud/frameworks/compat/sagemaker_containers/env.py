"""``sagemaker_containers.training_env()``: the training environment as an object.

Built from ``SM_TRAINING_ENV``, which localcloud's training toolkit sets for every script, so
``env.hosts``, ``env.current_host``, ``env.model_dir``, ``env.channel_input_dirs``,
``env.hyperparameters``, ``env.num_gpus``, ``env.output_data_dir``, ... read as on AWS.
"""

from __future__ import annotations

import json
import os

TRAINING_ENV_VARIABLE = "SM_TRAINING_ENV"


class TrainingEnv(dict):
    """The toolkit's training environment: a dict whose keys are also attributes."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"The training environment has no {name!r}; it has "
                                 f"{', '.join(sorted(self))}") from None


def training_env() -> TrainingEnv:
    """The environment of the running training job (only inside a training container)."""
    encoded = os.environ.get(TRAINING_ENV_VARIABLE)
    if not encoded:
        raise RuntimeError(f"{TRAINING_ENV_VARIABLE} is not set: training_env() works inside a "
                           "SageMaker training job, not in a notebook or at serving time")
    return TrainingEnv(json.loads(encoded))
