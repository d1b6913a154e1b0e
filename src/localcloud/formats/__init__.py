"""Data formats SageMaker defines, shared by the platform (batch transform) and the containers.

Only the standard library: the service imports these without loading numpy or protobuf.
"""
