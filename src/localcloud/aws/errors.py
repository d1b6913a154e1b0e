"""AWS errors as localcloud raises them: a code, a message and an HTTP status.

Each error code AWS uses is a small subclass (in the spirit of moto's ``exceptions.py``), so a
service raises ``ResourceNotFound("...")`` and a caller can catch exactly that. The codes and
messages follow what AWS returns, because the SDK and notebooks branch on them (e.g. the SDK
reuses a model when CreateModel fails with "Cannot create already existing model").
"""

from __future__ import annotations


class AWSError(Exception):
    """An error answer: ``code`` becomes the botocore ``Error.Code``.

    Subclasses fix ``code`` and ``status``; ``AWSError(code, message, status)`` still builds an
    error with any code (e.g. the bare HTTP status AWS answers an oversized request with).
    """

    code = "InternalFailure"
    status = 400

    def __init__(self, *args, status: int | None = None, **fields):
        if len(args) == 2:
            code, message = args
        elif len(args) == 3:
            code, message, status = args
        elif len(args) == 1:
            code, message = type(self).code, args[0]
        else:
            raise TypeError("AWSError(message) or AWSError(code, message[, status])")
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = type(self).status if status is None else status
        self.fields = fields  # extra members of the error shape (e.g. ModelError's OriginalMessage)


# -- shared by several services ---------------------------------------------------------------


class ValidationException(AWSError):
    """A request that does not fit the API."""

    code = "ValidationException"


class SerializationException(AWSError):
    """A body that is not valid JSON."""

    code = "SerializationException"


class UnknownOperationException(AWSError):
    """An operation localcloud does not implement."""

    code = "UnknownOperationException"


class InternalFailure(AWSError):
    """localcloud itself failed."""

    code = "InternalFailure"
    status = 500


# -- SageMaker --------------------------------------------------------------------------------


class ResourceNotFound(AWSError):
    """SageMaker: Describe/Stop of a missing job."""

    code = "ResourceNotFound"


class ResourceInUse(AWSError):
    """SageMaker: a name that is taken."""

    code = "ResourceInUse"


class ValidationError(AWSError):
    """SageMaker runtime: unknown endpoint/variant."""

    code = "ValidationError"


class ModelError(AWSError):
    """SageMaker runtime: the model answered with an error."""

    code = "ModelError"
    status = 424


# -- Lambda -----------------------------------------------------------------------------------


class ResourceNotFoundException(AWSError):
    """Lambda: no such function or policy statement."""

    code = "ResourceNotFoundException"
    status = 404


class ResourceConflictException(AWSError):
    """Lambda: a function or statement id that exists."""

    code = "ResourceConflictException"
    status = 409


class InvalidParameterValueException(AWSError):
    """Lambda: a parameter the service refuses."""

    code = "InvalidParameterValueException"


class InvalidRequestContentException(AWSError):
    """Lambda: an Invoke payload that is not JSON."""

    code = "InvalidRequestContentException"


class RequestTooLargeException(AWSError):
    """Lambda: an Invoke payload over the limit."""

    code = "RequestTooLargeException"
    status = 413


class ServiceException(AWSError):
    """Lambda: the service failed."""

    code = "ServiceException"
    status = 500


# -- API Gateway ------------------------------------------------------------------------------


class NotFoundException(AWSError):
    """API Gateway: no such resource."""

    code = "NotFoundException"
    status = 404


class BadRequestException(AWSError):
    """API Gateway: a request it refuses."""

    code = "BadRequestException"


def validation(message: str) -> AWSError:
    """SageMaker's generic bad-request error."""
    return ValidationException(message)


def unknown_operation(target: str) -> AWSError:
    return UnknownOperationException(f"localcloud does not implement the operation {target}")
