"""Helpers of the Lambda and API Gateway conformance tests (``from lambda_support import ...``)."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
from support import unique

LAMBDA_TRUST = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow",
                               "Principal": {"Service": "lambda.amazonaws.com"},
                               "Action": "sts:AssumeRole"}]}


def zipped(files: dict[str, str]) -> bytes:
    """A deployment package holding ``files`` (name -> text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def create_lambda_role() -> tuple[str, str]:
    """A fresh IAM role Lambda may assume: (name, ARN)."""
    name = unique("lambda-role")
    role = boto3.client("iam").create_role(RoleName=name,
                                           AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    return name, role["Role"]["Arn"]


def create_function(role_arn: str, source: str, handler: str = "app.lambda_handler",
                    **settings) -> str:
    """Create a python3.11 function from one module ``app.py``; return its name."""
    name = settings.pop("FunctionName", None) or unique("fn")
    boto3.client("lambda").create_function(
        FunctionName=name, Runtime="python3.11", Role=role_arn, Handler=handler,
        Code={"ZipFile": zipped({"app.py": source})}, **settings)
    return name
