"""localcloud's SageMaker: control plane (json-1.1), runtime (InvokeEndpoint), job runner and
host manager. Everything here is ours; S3, Logs, STS and IAM are moto's, reached over HTTP
like any other client would.
"""
