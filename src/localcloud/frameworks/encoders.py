"""Request decoding and response encoding of SageMaker's framework serving containers.

The inference toolkits (sagemaker-inference-toolkit's ``decoder``/``encoder``, and the older
``sagemaker_containers.encoders``) read and write three formats:

- ``application/json``: a JSON array, read with ``numpy.array(json.loads(...))``;
- ``text/csv``: comma-separated rows, read with ``numpy.genfromtxt``, written with
  ``numpy.savetxt(fmt="%s")`` (one row per line);
- ``application/x-npy``: the NumPy ``.npy`` format (what the SDK's ``NumpySerializer`` sends and
  its ``NumpyDeserializer`` reads); ``application/x-npz`` is read too.

Only JSON and CSV bodies are text (``UTF8_TYPES``): the toolkits decode them to ``str`` before
``input_fn`` sees them; every other body reaches ``input_fn`` as ``bytes``. Pickled object arrays
are refused in both directions (``allow_pickle=False``), as the SDK's own deserializer refuses
them: a request body must never be able to run code in the model server.
"""

from __future__ import annotations

import io
import json

import numpy as np

from localcloud.containers.errors import UnsupportedContentType

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"
NPZ = "application/x-npz"
OCTET_STREAM = "application/octet-stream"
#: Bodies of these types are decoded to ``str`` before ``input_fn``.
UTF8_TYPES = (JSON, CSV)
#: What the default handlers read and write.
SUPPORTED_TYPES = (JSON, CSV, NPY)


class UnsupportedFormatError(UnsupportedContentType):
    """A content type the default handlers cannot read or write (HTTP 415)."""

    def __init__(self, content_type: str):
        super().__init__(
            f"Content type {content_type or '(none)'} is not supported by this framework's "
            f"default handlers, which read and write {', '.join(SUPPORTED_TYPES)}. Send one of "
            "those, or implement input_fn to deserialize the request and output_fn to "
            "serialize the response in your script.")


def decode(data: str | bytes, content_type: str) -> np.ndarray:
    """A request body of ``content_type`` as a NumPy array."""
    if content_type == JSON:
        return np.array(json.loads(_text(data)))
    if content_type == CSV:
        return np.genfromtxt(io.StringIO(_text(data)), delimiter=",", dtype=None)
    if content_type in (NPY, NPZ):
        loaded = np.load(io.BytesIO(_bytes(data)), allow_pickle=False)
        if isinstance(loaded, np.lib.npyio.NpzFile):
            with loaded:
                return loaded[loaded.files[0]]
        return loaded
    raise UnsupportedFormatError(content_type)


def encode(prediction, accept: str) -> bytes:
    """A prediction (array, list, scalar) as a response body of type ``accept``."""
    if accept == JSON:
        return json.dumps(_plain(prediction)).encode()
    if accept == CSV:
        buffer = io.StringIO()
        np.savetxt(buffer, np.atleast_1d(np.asarray(prediction)), delimiter=",", fmt="%s")
        return buffer.getvalue().encode()
    if accept == NPY:
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(prediction), allow_pickle=False)
        return buffer.getvalue()
    raise UnsupportedFormatError(accept)


def _plain(value):
    """NumPy arrays and scalars as the lists and numbers ``json`` writes."""
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _text(data: str | bytes) -> str:
    return data.decode("utf-8") if isinstance(data, bytes | bytearray) else data


def _bytes(data: str | bytes) -> bytes:
    return data.encode("latin-1") if isinstance(data, str) else bytes(data)
