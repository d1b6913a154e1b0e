"""What a fresh localcloud sets up before it reports healthy, and what ``reset`` clears.

A SageMaker notebook instance runs with an execution role; ``sagemaker.get_execution_role()``
finds it by asking STS who the caller is and expects an assumed role. So localcloud creates that
role in (moto's) IAM, assumes it through STS, and hands the temporary credentials to clients.
It also creates the SDK's default bucket, named as the SDK names it.
"""

from __future__ import annotations

import json
import logging

import boto3

log = logging.getLogger(__name__)

ROLE_NAME = "AmazonSageMaker-ExecutionRole-localcloud"
ROLE_PATH = "/service-role/"
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}


def _session(region: str) -> boto3.session.Session:
    # Any key works with moto; these never leave the machine.
    return boto3.session.Session(aws_access_key_id="localcloud",
                                 aws_secret_access_key="localcloud", region_name=region)


def bootstrap(url: str, region: str) -> dict:
    """Create the execution role, assume it, create the default bucket; return the facts."""
    session = _session(region)
    iam = session.client("iam", endpoint_url=url)
    try:
        role = iam.create_role(RoleName=ROLE_NAME, Path=ROLE_PATH,
                               AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
                               Description="SageMaker execution role of the local cloud")["Role"]
    except iam.exceptions.EntityAlreadyExistsException:  # restored from an earlier run
        role = iam.get_role(RoleName=ROLE_NAME)["Role"]
    sts = session.client("sts", endpoint_url=url)
    credentials = sts.assume_role(RoleArn=role["Arn"],
                                  RoleSessionName="SageMaker")["Credentials"]
    account_id = role["Arn"].split(":")[4]
    bucket = f"sagemaker-{region}-{account_id}"
    create_bucket(session.client("s3", endpoint_url=url), bucket, region)
    log.info("Bootstrapped role %s and bucket %s", role["Arn"], bucket)
    return {"account_id": account_id, "role_arn": role["Arn"], "default_bucket": bucket,
            "access_key_id": credentials["AccessKeyId"],
            "secret_access_key": credentials["SecretAccessKey"],
            "session_token": credentials["SessionToken"]}


def create_bucket(s3, bucket: str, region: str) -> None:
    """Create ``bucket`` unless an earlier run (restored) already did."""
    try:
        if region == "us-east-1":  # S3 refuses a location constraint naming us-east-1
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket,
                             CreateBucketConfiguration={"LocationConstraint": region})
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass


def clear_storage(url: str, region: str, keep_bucket: str) -> None:
    """Empty every bucket (deleting all but ``keep_bucket``) and delete every log group."""
    session = _session(region)
    s3 = session.resource("s3", endpoint_url=url)
    for bucket in s3.buckets.all():
        bucket.object_versions.delete()
        bucket.objects.all().delete()
        if bucket.name != keep_bucket:
            bucket.delete()
    logs = session.client("logs", endpoint_url=url)
    for page in logs.get_paginator("describe_log_groups").paginate():
        for group in page["logGroups"]:
            logs.delete_log_group(logGroupName=group["logGroupName"])
