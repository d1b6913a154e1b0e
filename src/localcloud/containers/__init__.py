"""What runs inside a localcloud "container": the SageMaker container contract and model server.

A container here is a subprocess, not a Docker container, but it sees the same world an
algorithm image sees on SageMaker: an ``/opt/ml`` tree (rooted elsewhere, see ``contract``),
hyperparameters as strings, channels as files, ``SAGEMAKER_BIND_TO_PORT`` for serving.
"""
