"""``sagemaker_containers.encoders``: ``decode(body, content_type)`` and ``encode(array, type)``."""

from localcloud.frameworks.encoders import UnsupportedFormatError, decode, encode

__all__ = ["UnsupportedFormatError", "decode", "encode"]
