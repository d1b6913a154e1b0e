"""The localcloud HTTP service: one WSGI app on 127.0.0.1 that dispatches AWS requests.

SageMaker (control plane and runtime) is ours; S3, STS, IAM and CloudWatch Logs are moto's,
used unmodified through its public WSGI application.
"""
