"""AWS errors as localcloud raises them: a code, a message and an HTTP status.

The codes and messages follow what AWS returns, because the SDK and notebooks branch on them
(e.g. the SDK reuses a model when CreateModel fails with "Cannot create already existing model").
"""

from __future__ import annotations


class AWSError(Exception):
    """An error answer: ``code`` becomes the botocore ``Error.Code``."""

    def __init__(self, code: str, message: str, status: int = 400, **fields):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields  # extra members of the error shape (e.g. ModelError's OriginalMessage)


def validation(message: str) -> AWSError:
    """SageMaker's generic bad-request error."""
    return AWSError("ValidationException", message)


def not_found(message: str) -> AWSError:
    """SageMaker's ResourceNotFound (used by Describe/Stop of jobs)."""
    return AWSError("ResourceNotFound", message)


def in_use(message: str) -> AWSError:
    """SageMaker's ResourceInUse (duplicate job names)."""
    return AWSError("ResourceInUse", message)


def unknown_operation(target: str) -> AWSError:
    return AWSError("UnknownOperationException",
                    f"localcloud does not implement the operation {target}", status=400)
