"""Errors an algorithm raises, and how they read in a job's FailureReason.

SageMaker's built-in algorithms prefix a failure with who is to blame: ``ClientError:`` when the
input or hyperparameters are wrong (the learner can fix it), ``AlgorithmError:`` when the
algorithm itself broke. We keep that convention so failure messages look like AWS's.
"""


class ClientError(Exception):
    """The job's input is wrong: bad hyperparameter, unreadable data, missing channel."""

    prefix = "ClientError"


class AlgorithmError(Exception):
    """The algorithm failed for a reason that is not the caller's input."""

    prefix = "AlgorithmError"


class UnsupportedContentType(ClientError):
    """A request in a format the model server does not read, or asking (``Accept``) for one it
    does not write: HTTP 415 (Unsupported Media Type)."""


def failure_reason(error: BaseException) -> str:
    """The FailureReason text for an exception raised inside a container."""
    prefix = getattr(error, "prefix", AlgorithmError.prefix)
    return f"{prefix}: {error}"
