"""The bad-input table: each request a careless or hostile client may send, the AWS error it must
get, and a check that the service still serves afterwards.

Requests go over plain HTTP (what any client can send, including what botocore would refuse to
send) and through boto3 with client-side validation off, against the session's service.
"""

from __future__ import annotations

import json
import time
import uuid

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from resilience import INSTANCE_TYPE, XGBOOST_IMAGE, count

JSON11 = "application/x-amz-json-1.1"


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def raw(cloud):
    """POST a SageMaker operation with any body: (status, error code, message, document)."""
    session = requests.Session()
    session.trust_env = False

    def send(operation: str, body) -> tuple[int, str, str, dict]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        answer = session.post(cloud.url + "/", data=data, timeout=30,
                              headers={"X-Amz-Target": f"SageMaker.{operation}",
                                       "Content-Type": JSON11})
        document = answer.json() if answer.content else {}
        return (answer.status_code, document.get("__type", ""), document.get("message", ""),
                document)

    return send


@pytest.fixture(scope="module")
def loose(cloud):
    """boto3 SageMaker and runtime clients that send whatever they are given."""
    info = cloud.info
    config = Config(parameter_validation=False, retries={"max_attempts": 1})
    session = boto3.session.Session(aws_access_key_id=info.access_key_id,
                                    aws_secret_access_key=info.secret_access_key,
                                    aws_session_token=info.session_token, region_name=info.region)
    return (session.client("sagemaker", endpoint_url=info.url, config=config),
            session.client("sagemaker-runtime", endpoint_url=info.url, config=config))


def _still_serves(raw) -> None:
    status, code, _, _ = raw("ListModels", {})
    assert (status, code) == (200, ""), "the service stopped serving after a bad request"


MODEL = {"PrimaryContainer": {"Image": XGBOOST_IMAGE}, "ExecutionRoleArn":
         "arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-localcloud"}

# (what, operation, body, expected code, words the message must contain)
RAW_REQUESTS = [
    ("body is not JSON", "ListModels", b"{not json", "SerializationException", "JSON"),
    ("body is a JSON list", "ListModels", b"[1, 2]", "SerializationException", "object"),
    ("required member missing", "CreateModel", {"ExecutionRoleArn": MODEL["ExecutionRoleArn"]},
     "ValidationException", "Value null at 'modelName' failed to satisfy constraint: "
                            "Member must not be null"),
    ("two required members missing", "CreateEndpoint", {},
     "ValidationException", "2 validation errors detected"),
    ("string where a number belongs", "ListModels", {"MaxResults": "ten"},
     "SerializationException", "maxResults"),
    ("number where a string belongs", "DescribeModel", {"ModelName": 42},
     "SerializationException", "modelName"),
    ("boolean where a number belongs", "ListModels", {"MaxResults": True},
     "SerializationException", "maxResults"),
    ("name breaks the pattern", "DescribeModel", {"ModelName": "bad name!"},
     "ValidationException", "regular expression pattern"),
    ("name too long", "DescribeModel", {"ModelName": "m" * 64},
     "ValidationException", "length less than or equal to 63"),
    ("enum value unknown", "ListModels", {"SortBy": "Size"},
     "ValidationException", "enum value set"),
    ("MaxResults out of range", "ListModels", {"MaxResults": 0},
     "ValidationException", "greater than or equal to 1"),
    ("NextToken -1", "ListModels", {"NextToken": "-1"},
     "ValidationException", "pagination token"),
    ("NextToken not a number", "ListModels", {"NextToken": "abc"},
     "ValidationException", "pagination token"),
    ("time filter not a time", "ListModels", {"CreationTimeAfter": "yesterday"},
     "ValidationException", "timestamp"),
    ("unknown operation", "LaunchRocket", {}, "UnknownOperationException", "LaunchRocket"),
    ("unknown model", "DescribeModel", {"ModelName": "no-such-model"},
     "ValidationException", "Could not find model"),
    ("unknown training job", "DescribeTrainingJob", {"TrainingJobName": "no-such-job"},
     "ValidationException", "not found"),
    ("unknown image", "CreateModel",
     {**MODEL, "ModelName": "bad-image", "PrimaryContainer": {"Image": "example.com/x:1"}},
     "ValidationException", ""),
    ("config naming an unknown model", "CreateEndpointConfig",
     {"EndpointConfigName": "cfg", "ProductionVariants": [
         {"VariantName": "v", "ModelName": "no-such-model", "InitialInstanceCount": 1,
          "InstanceType": INSTANCE_TYPE}]},
     "ValidationException", "Could not find model"),
    ("endpoint with an unknown config", "CreateEndpoint",
     {"EndpointName": "ep", "EndpointConfigName": "no-such-config"},
     "ValidationException", "Could not find endpoint configuration"),
    ("tags of an unknown ARN", "ListTags",
     {"ResourceArn": "arn:aws:sagemaker:us-east-1:123456789012:model/none"},
     "ValidationException", "does not exist"),
]


@pytest.mark.parametrize("what, operation, body, code, words", RAW_REQUESTS,
                         ids=[row[0] for row in RAW_REQUESTS])
def test_bad_request_gets_aws_error_and_service_keeps_serving(raw, what, operation, body, code,
                                                              words):
    count("bad requests tried")
    status, got, message, _ = raw(operation, body)
    assert (status, got) == (400, code), (what, status, got, message)
    assert words in message, (what, message)
    _still_serves(raw)


def test_names_are_case_insensitive(raw):
    name = _name("Dup-Model")
    count("bad requests tried", 3)
    assert raw("CreateModel", {**MODEL, "ModelName": name})[0] == 200
    status, code, message, _ = raw("CreateModel", {**MODEL, "ModelName": name.lower()})
    assert (status, code) == (400, "ValidationException")
    assert "Cannot create already existing model" in message
    arn = f"arn:aws:sagemaker:us-east-1:123456789012:model/{name.lower()}"
    raw("AddTags", {"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "v"}]})
    assert raw("DescribeModel", {"ModelName": name.upper()})[0] == 200
    assert raw("DeleteModel", {"ModelName": name.upper()})[0] == 200
    assert raw("DescribeModel", {"ModelName": name})[0] == 400


def test_time_filters_are_applied(raw):
    name = _name("filtered")
    assert raw("CreateModel", {**MODEL, "ModelName": name})[0] == 200
    far_future = "2100-01-01T00:00:00Z"
    try:
        for body, listed in (({"CreationTimeBefore": far_future}, True),
                             ({"CreationTimeAfter": far_future}, False),
                             ({"CreationTimeAfter": 0}, True)):
            count("bad requests tried")
            status, _, _, answer = raw("ListModels", body)
            assert status == 200
            assert (name in [m["ModelName"] for m in answer["Models"]]) == listed, body
        for body in ({"LastModifiedTimeAfter": far_future}, {"LastModifiedTimeBefore": 0}):
            count("bad requests tried")
            status, _, _, answer = raw("ListEndpoints", body)
            assert status == 200 and answer["Endpoints"] == [], body
    finally:
        raw("DeleteModel", {"ModelName": name})


def test_runtime_errors_use_the_runtime_codes(raw, loose, cloud):
    sm, runtime = loose
    name = _name("failing")
    bucket = cloud.info.default_bucket
    raw("CreateModel", {**MODEL, "ModelName": name, "PrimaryContainer": {
        "Image": XGBOOST_IMAGE, "ModelDataUrl": f"s3://{bucket}/missing/model.tar.gz"}})
    raw("CreateEndpointConfig", {"EndpointConfigName": name, "ProductionVariants": [
        {"VariantName": "v", "ModelName": name, "InitialInstanceCount": 1,
         "InstanceType": INSTANCE_TYPE}]})
    raw("CreateEndpoint", {"EndpointName": name, "EndpointConfigName": name})
    try:
        for _ in range(300):
            status = sm.describe_endpoint(EndpointName=name)["EndpointStatus"]
            if status == "Failed":
                break
            time.sleep(0.1)
        assert status == "Failed"
        reason = sm.describe_endpoint(EndpointName=name)["FailureReason"]
        assert str(cloud.state_dir) not in reason
        cases = [({"EndpointName": name, "Body": b"1,2,3"}, "ValidationError"),
                 ({"EndpointName": "no-such-endpoint", "Body": b"1"}, "ValidationError"),
                 ({"EndpointName": name, "Body": b"x" * (6 * 1024 * 1024 + 1)}, "413")]
        for request, code in cases:
            count("bad requests tried")
            with pytest.raises(ClientError) as raised:
                runtime.invoke_endpoint(ContentType="text/csv", **request)
            assert raised.value.response["Error"]["Code"] == code, request["EndpointName"]
            _still_serves(raw)
    finally:
        raw("DeleteEndpoint", {"EndpointName": name})
        raw("DeleteEndpointConfig", {"EndpointConfigName": name})
        raw("DeleteModel", {"ModelName": name})


def test_filter_log_events_honours_the_stream_prefix(cloud):
    info = cloud.info
    logs = boto3.client("logs", endpoint_url=info.url, region_name=info.region,
                        aws_access_key_id=info.access_key_id,
                        aws_secret_access_key=info.secret_access_key,
                        aws_session_token=info.session_token)
    group = _name("/prefix-test")
    logs.create_log_group(logGroupName=group)
    for stream in ("alpha/1", "beta/1"):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": int(time.time() * 1000), "message": stream}])
    try:
        events = logs.filter_log_events(logGroupName=group,
                                        logStreamNamePrefix="alpha")["events"]
        assert [event["message"] for event in events] == ["alpha/1"]
        assert len(logs.filter_log_events(logGroupName=group)["events"]) == 2
    finally:
        logs.delete_log_group(logGroupName=group)
