"""Media type names of ``sagemaker_containers.content_types``."""

from localcloud.frameworks.encoders import CSV, JSON, NPY, NPZ, OCTET_STREAM, UTF8_TYPES

ANY = "*/*"

__all__ = ["ANY", "CSV", "JSON", "NPY", "NPZ", "OCTET_STREAM", "UTF8_TYPES"]
