"""What the SageMaker scikit-learn image does when SageMaker starts it with ``serve``.

The defaults follow sagemaker-scikit-learn-container's ``serving.py``:

- there is no default ``model_fn``: the script must say how its model was saved;
- ``input_fn`` decodes JSON/CSV/NPY, as ``float32`` for the text types;
- ``predict_fn`` is ``model.predict(data)``;
- ``output_fn`` encodes the prediction as the Accept type.
"""

from __future__ import annotations

import numpy as np

from localcloud.frameworks import encoders
from localcloud.frameworks.inference import ScriptHandler, UserScriptError
from localcloud.frameworks.versions import log_framework


class SKLearnDefaults:
    """The scikit-learn container's default handlers."""

    name = "scikit-learn"

    def model_fn(self, model_dir: str):
        raise UserScriptError(
            "Please provide a model_fn implementation: the scikit-learn container has no "
            "default. Define model_fn(model_dir) in your script, e.g. return "
            "joblib.load(os.path.join(model_dir, 'model.joblib')) for a model your training "
            "script saved with joblib.dump")

    def input_fn(self, body, content_type: str):
        array = encoders.decode(body, content_type)
        if content_type in encoders.UTF8_TYPES:
            return np.asarray(array, dtype=np.float32)
        return array

    def predict_fn(self, data, model):
        return model.predict(data)

    def output_fn(self, prediction, accepts: list[str]) -> tuple[bytes, str]:
        return encoders.encode(prediction, accepts[0]), accepts[0]


class Handler(ScriptHandler):
    """Serves the learner's scikit-learn model."""

    def __init__(self) -> None:
        log_framework("scikit-learn", "scikit-learn", "inference")
        super().__init__(SKLearnDefaults())
