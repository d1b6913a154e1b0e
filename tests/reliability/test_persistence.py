"""Persistence: everything a course run made survives ``stop``/``start`` and a crash.

One private service gets S3 buckets and objects, an IAM role, CloudWatch logs, a trained model,
an endpoint with tags, and a training job that is still running when the service is killed.
After a clean restart and after ``kill -9`` + start, every object and resource is compared with
what it was before; the endpoint answers again and the interrupted job ends Failed, saying why.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time

import psutil
from resilience import INSTANCE_TYPE, XGBOOST_IMAGE, client, count, deploy, invoke, unique

from localcloud import LocalCloud

OBJECTS = 25


def _fill_storage(cloud: LocalCloud) -> None:
    s3 = client(cloud, "s3")
    s3.create_bucket(Bucket="persisted-bucket")
    for index in range(OBJECTS):
        s3.put_object(Bucket="persisted-bucket", Key=f"data/part {index:02d}%.csv",
                      Body=os.urandom(256 + index * 97), Metadata={"index": str(index)})
    s3.delete_object(Bucket="persisted-bucket", Key="data/part 00%.csv")  # deletes persist too
    client(cloud, "iam").create_role(RoleName="persisted-role", AssumeRolePolicyDocument="{}")
    logs = client(cloud, "logs")
    logs.create_log_group(logGroupName="/persisted")
    logs.create_log_stream(logGroupName="/persisted", logStreamName="stream")
    logs.put_log_events(logGroupName="/persisted", logStreamName="stream", logEvents=[
        {"timestamp": int(time.time() * 1000) + i, "message": f"line {i}"} for i in range(10)])


def _long_training_job(cloud: LocalCloud) -> str:
    """A training job that is still training when the service is killed."""
    info = cloud.info
    s3 = client(cloud, "s3")
    rows = "\n".join(f"{i % 7},{i % 5},{i % 3}" for i in range(2000))
    s3.put_object(Bucket=info.default_bucket, Key="slow/train/train.csv", Body=rows.encode())
    name = unique("interrupted")
    client(cloud, "sagemaker").create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
        RoleArn=info.role_arn,
        OutputDataConfig={"S3OutputPath": f"s3://{info.default_bucket}/slow/output"},
        ResourceConfig={"InstanceType": INSTANCE_TYPE, "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
        HyperParameters={"num_round": "1000000", "max_depth": "8", "eta": "0.001"},
        InputDataConfig=[{"ChannelName": "train", "ContentType": "text/csv",
                          "DataSource": {"S3DataSource": {
                              "S3DataType": "S3Prefix",
                              "S3Uri": f"s3://{info.default_bucket}/slow/train"}}}])
    sm = client(cloud, "sagemaker")
    deadline = time.monotonic() + 120
    while sm.describe_training_job(TrainingJobName=name)["SecondaryStatus"] != "Training":
        assert time.monotonic() < deadline, "the job did not start training"
        time.sleep(0.2)
    return name


def _inventory(cloud: LocalCloud) -> dict:
    """Everything the test compares, by resource."""
    s3, sm, logs = client(cloud, "s3"), client(cloud, "sagemaker"), client(cloud, "logs")
    found: dict = {}
    for bucket in s3.list_buckets()["Buckets"]:
        listing = s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])
        for item in listing:
            answer = s3.get_object(Bucket=bucket["Name"], Key=item["Key"])
            found[f"s3://{bucket['Name']}/{item['Key']}"] = (
                hashlib.sha256(answer["Body"].read()).hexdigest(), answer["Metadata"])
        found[f"bucket {bucket['Name']}"] = len(listing)
    for role in client(cloud, "iam").list_roles()["Roles"]:
        found[f"role {role['RoleName']}"] = role["Arn"]
    for group in logs.describe_log_groups()["logGroups"]:
        events = logs.filter_log_events(logGroupName=group["logGroupName"])["events"]
        found[f"log group {group['logGroupName']}"] = sorted(e["message"] for e in events)
    for model in sm.list_models()["Models"]:
        found[f"model {model['ModelName']}"] = model["ModelArn"]
    for config in sm.list_endpoint_configs()["EndpointConfigs"]:
        found[f"endpoint config {config['EndpointConfigName']}"] = config["EndpointConfigArn"]
    for endpoint in sm.list_endpoints()["Endpoints"]:
        arn = endpoint["EndpointArn"]
        found[f"endpoint {endpoint['EndpointName']}"] = (
            endpoint["EndpointStatus"], sm.list_tags(ResourceArn=arn)["Tags"])
    for job in sm.list_training_jobs()["TrainingJobSummaries"]:
        found[f"training job {job['TrainingJobName']}"] = job["TrainingJobArn"]
    return found


def _compare(before: dict, after: dict) -> None:
    count("objects and resources compared after restart", len(before))
    assert after.keys() == before.keys(), set(after) ^ set(before)
    different = {key: (before[key], after[key]) for key in before
                 if before[key] != after[key] and not key.startswith("log group")}
    assert different == {}
    for key in before:  # a restart adds log lines (new model servers), never loses one
        if key.startswith("log group"):
            assert set(before[key]) <= set(after[key]), key


def test_state_survives_stop_start_and_a_crash(tmp_path, artifact):
    state = tmp_path / "state"
    cloud = LocalCloud(state_dir=state).start()
    try:
        _fill_storage(cloud)
        endpoint = deploy(cloud, artifact, instances=1)
        sm = client(cloud, "sagemaker")
        arn = sm.describe_endpoint(EndpointName=endpoint)["EndpointArn"]
        sm.add_tags(ResourceArn=arn, Tags=[{"Key": "course", "Value": "reliability"}])
        before = _inventory(cloud)

        cloud.stop()  # 1. a clean stop and start
        cloud = LocalCloud(state_dir=state).start()
        _compare(before, _inventory(cloud))
        assert 0.5 < invoke(client(cloud, "sagemaker-runtime"), endpoint) < 1.6

        interrupted = _long_training_job(cloud)  # 2. a crash in the middle of a job
        before = _inventory(cloud)
        os.kill(cloud.info.pid, signal.SIGKILL)
        count("faults injected")
        psutil.Process(cloud.info.pid).wait(timeout=10)
        cloud = LocalCloud(state_dir=state).start()
        _compare(before, _inventory(cloud))
        assert 0.5 < invoke(client(cloud, "sagemaker-runtime"), endpoint) < 1.6
        job = client(cloud, "sagemaker").describe_training_job(TrainingJobName=interrupted)
        assert job["TrainingJobStatus"] == "Failed"
        assert "localcloud stopped while this job was running" in job["FailureReason"]
        assert "ModelArtifacts" in job

        cloud.reset()  # 3. reset still empties everything, for good
        cloud.stop()
        cloud = LocalCloud(state_dir=state).start()
        emptied = _inventory(cloud)
        assert not [key for key in emptied if key.startswith(("endpoint", "model", "training"))]
        assert emptied[f"bucket {cloud.info.default_bucket}"] == 0
        assert "bucket persisted-bucket" not in emptied
    finally:
        cloud.stop()
