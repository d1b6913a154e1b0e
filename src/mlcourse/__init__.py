"""Helpers the course notebooks import.

Each module does one thing and works the same against real AWS and against localcloud:

- ``mlcourse.datasets``: one loader per dataset (full download or small offline sample)
- ``mlcourse.text``: review cleaning, vocabularies and bag-of-words encoding
- ``mlcourse.recordio``: RecordIO-protobuf and ``model_algo-1`` artifacts as numpy arrays
- ``mlcourse.teardown``: delete endpoints with their configs and models
- ``mlcourse.grading``: exercise generation and the learner's grade command
- ``mlcourse.kernel``: in a notebook kernel, plain tracebacks and hints for first errors
  (installed by importing ``mlcourse``; nothing happens outside IPython)
"""

from . import kernel as _kernel

__version__ = "0.1.0"

_kernel.install()
