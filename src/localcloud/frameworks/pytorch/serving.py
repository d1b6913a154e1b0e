"""What a SageMaker PyTorch inference image does when SageMaker starts it with ``serve``.

The defaults follow sagemaker-pytorch-inference-toolkit's ``default_pytorch_inference_handler``:

- ``model_fn`` loads a TorchScript model: ``model.pt``, or the only ``*.pt``/``*.pth`` file.
  A model saved as a ``state_dict`` needs the learner's own ``model_fn``;
- ``input_fn`` decodes JSON/CSV (to a float tensor) or NPY (``torch.from_numpy``, dtype kept);
- ``predict_fn`` calls the model in eval mode under ``torch.no_grad()``;
- ``output_fn`` turns a tensor into a list and encodes it as the first supported Accept type.

torch is imported only when first needed, after the thread default is in the environment.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from localcloud.frameworks import encoders
from localcloud.frameworks.inference import ScriptHandler, UserScriptError
from localcloud.frameworks.versions import log_framework

from . import thread_defaults

log = logging.getLogger(__name__)

DEFAULT_MODEL_FILE = "model.pt"


class PyTorchDefaults:
    """The PyTorch container's default handlers."""

    name = "PyTorch"

    def model_fn(self, model_dir: str):
        import torch

        path = _torchscript_file(Path(model_dir))
        try:
            return torch.jit.load(str(path), map_location="cpu")
        except RuntimeError as error:
            raise UserScriptError(
                f"{path.name} is not a TorchScript model ({error}). The default model_fn loads "
                "models saved with torch.jit.save; for a model saved with "
                "torch.save(model.state_dict(), ...), define model_fn(model_dir) in your "
                "script: build the model and load the state dict") from error

    def input_fn(self, body, content_type: str):
        import torch

        array = encoders.decode(body, content_type)
        if content_type in encoders.UTF8_TYPES:
            return torch.FloatTensor(array)
        return torch.from_numpy(array)

    def predict_fn(self, data, model):
        import torch

        model.eval()
        with torch.no_grad():
            return model(data)

    def output_fn(self, prediction, accepts: list[str]) -> tuple[bytes, str]:
        import torch

        if isinstance(prediction, torch.Tensor):
            prediction = prediction.detach().cpu().numpy().tolist()
        for accept in accepts:
            if accept in encoders.SUPPORTED_TYPES:
                return encoders.encode(prediction, accept), accept
        raise encoders.UnsupportedFormatError(", ".join(accepts))


def _torchscript_file(model_dir: Path) -> Path:
    preferred = model_dir / DEFAULT_MODEL_FILE
    if preferred.is_file():
        return preferred
    candidates = sorted([*model_dir.glob("*.pt"), *model_dir.glob("*.pth")])
    if len(candidates) == 1:
        return candidates[0]
    found = ", ".join(path.name for path in candidates) or "none"
    raise UserScriptError(
        f"Please provide a model_fn implementation: the default model_fn loads one TorchScript "
        f"file ({DEFAULT_MODEL_FILE}, or a single *.pt/*.pth file), and model.tar.gz holds "
        f"{found}. Define model_fn(model_dir) in your inference script")


class Handler(ScriptHandler):
    """Serves the learner's PyTorch model."""

    def __init__(self) -> None:
        for name, value in thread_defaults().items():
            os.environ.setdefault(name, value)  # the model's Environment, if set, wins
        log_framework("PyTorch", "torch", "inference")
        super().__init__(PyTorchDefaults())
