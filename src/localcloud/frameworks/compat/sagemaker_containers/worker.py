"""``sagemaker_containers.worker.Response``: a serialized body and its media type.

An ``output_fn`` or ``transform_fn`` may return one; the model server answers with its body and
``mimetype``.
"""

from __future__ import annotations


class Response:
    """What an old-style ``output_fn`` returns: ``Response(body, mimetype="text/csv")``."""

    def __init__(self, response=b"", status=200, mimetype="application/json", **_ignored):
        self.response = response
        self.status = status
        self.mimetype = mimetype
