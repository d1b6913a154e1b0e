"""The service's command line and lifecycle: start, env, run, reset, stop, and nothing left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from localcloud import LocalCloud

CLI = [sys.executable, "-m", "localcloud"]


def localcloud(state_dir, *args, env=None, check=True) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "--state-dir", str(state_dir), *args], capture_output=True,
                          text=True, timeout=120, check=check, env=env)


def run_python(script: str, env: dict[str, str], *args: str,
               timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``script`` in a new interpreter with ``env`` (e.g. ``cloud.environ()``); must pass."""
    return subprocess.run([sys.executable, "-c", script, *args], env=env, text=True,
                          capture_output=True, timeout=timeout, check=True)


def descendants_of(pid: int) -> list[int]:
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def test_start_env_status_stop(tmp_path):
    state = tmp_path / "state"
    started = localcloud(state, "start", "--port", "0")
    assert "started at http://127.0.0.1:" in started.stdout
    info = json.loads((state / "service.json").read_text())
    again = localcloud(state, "start", "--port", "0")
    assert "already running" in again.stdout

    shell = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIAREALKEY", "AWS_PROFILE": "work",
             "AWS_ENDPOINT_URL_SAGEMAKER": "https://sagemaker.us-east-1.amazonaws.com"}
    unset, *exports = localcloud(state, "env", env=shell).stdout.splitlines()
    variables = dict(line.removeprefix("export ").split("=", 1) for line in exports)
    assert variables["AWS_ENDPOINT_URL"] == info["url"]
    assert variables["AWS_EC2_METADATA_DISABLED"] == "true"
    assert variables["AWS_PROFILE"] == "localcloud"
    assert variables["HTTPS_PROXY"] == variables["http_proxy"] == info["proxy_url"]
    assert "127.0.0.1" in variables["NO_PROXY"]
    removed = unset.removeprefix("unset ").split()
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_ENDPOINT_URL_SAGEMAKER"} <= set(removed)
    assert (state / "service.json").stat().st_mode & 0o777 == 0o600
    config = Path(variables["SAGEMAKER_USER_CONFIG_OVERRIDE"]).read_text()
    assert "TelemetryOptOut: true" in config

    status = json.loads(localcloud(state, "status").stdout)
    assert status["endpoints"] == [] and status["pid"] == info["pid"]

    localcloud(state, "stop")
    assert not psutil.pid_exists(info["pid"]) or \
        psutil.Process(info["pid"]).status() == psutil.STATUS_ZOMBIE
    assert not (state / "service.json").exists()
    assert localcloud(state, "status", check=False).returncode == 1


def test_run_starts_and_stops_a_service_for_the_command(tmp_path):
    state = tmp_path / "state"
    script = ("import boto3, sagemaker, json; "
              "print(json.dumps({'role': sagemaker.get_execution_role(), "
              "'bucket': sagemaker.Session().default_bucket()}))")
    result = localcloud(state, "run", "--port", "0", "--", sys.executable, "-c", script)
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert ":role/" in facts["role"]
    assert facts["bucket"].startswith("sagemaker-us-east-1-")
    assert not (state / "service.json").exists()


PRINT_STATE_DIR = "import os; print(os.environ['LOCALCLOUD_STATE_DIR'])"


def test_run_uses_a_running_service_says_so_and_leaves_it_running(tmp_path):
    state = tmp_path / "state"
    with LocalCloud(state_dir=state, port=0) as cloud:
        result = localcloud(state, "run", "--", sys.executable, "-c", PRINT_STATE_DIR)
        assert f"using the service already running at {cloud.url}" in result.stderr
        assert result.stdout.strip() == str(state.resolve()), "commands inherit the state dir"
        assert cloud.running(), "a service started with `localcloud start` keeps running"


def test_run_takes_over_a_service_left_by_a_killed_run(tmp_path):
    state = tmp_path / "state"
    orphan = LocalCloud(state_dir=state, port=0).start()
    try:
        (state / "run.pid").write_text(str(_dead_pid()))
        result = localcloud(state, "run", "--", sys.executable, "-c", "pass")
        assert "taking over the service left running" in result.stderr
        assert orphan.running() is None and not (state / "run.pid").exists()
    finally:
        orphan.stop()


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_real_credentials_are_masked_and_never_used(cloud):
    """A laptop with real AWS credentials: the kit's environment replaces them."""
    environ = cloud.environ({"AWS_ACCESS_KEY_ID": "AKIAREALKEY", "PATH": os.environ["PATH"],
                             "AWS_SECRET_ACCESS_KEY": "real-secret",
                             "AWS_ENDPOINT_URL_STS": "https://sts.amazonaws.com"})
    assert "AWS_ACCESS_KEY_ID" not in environ and "AWS_ENDPOINT_URL_STS" not in environ
    script = ("import boto3; c = boto3.client('sts', endpoint_url="
              "'https://sts.us-east-1.amazonaws.com'); print(c.get_caller_identity()['Arn'])")
    result = run_python(script, environ)
    assert ":assumed-role/AmazonSageMaker-ExecutionRole-localcloud/" in result.stdout


def test_remote_hosts_are_refused_by_the_kit(cloud):
    script = ("import boto3\n"
              "from localcloud.kit.hooks import RemoteAWSRefused\n"
              "c = boto3.client('s3', endpoint_url='http://example.com')\n"
              "try:\n    c.list_buckets()\nexcept RemoteAWSRefused:\n    print('refused')\n")
    result = run_python(script, cloud.environ())
    assert result.stdout.strip() == "refused"


def tiny_xgboost_artifact(folder: Path) -> Path:
    """A model.tar.gz holding a real (if useless) SageMaker XGBoost model."""
    import tarfile

    import numpy as np
    import xgboost as xgb

    booster = xgb.train({}, xgb.DMatrix(np.random.rand(20, 3), label=np.random.rand(20)), 2)
    booster.save_model(str(folder / "xgboost-model"))
    archive = folder / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder / "xgboost-model", arcname="xgboost-model")
    return archive


def test_stop_leaves_no_process_even_with_live_endpoints(tmp_path):
    """Model servers started by the service die with it."""
    archive = tiny_xgboost_artifact(tmp_path)
    with LocalCloud(state_dir=tmp_path / "state") as cloud:
        script = (
            "import sys, boto3, sagemaker\n"
            "from sagemaker import image_uris\n"
            "session = sagemaker.Session()\n"
            "data = session.upload_data(sys.argv[1], key_prefix='tiny')\n"
            "sm = boto3.client('sagemaker')\n"
            "image = image_uris.retrieve('xgboost', 'us-east-1', '1.7-1')\n"
            "sm.create_model(ModelName='m', ExecutionRoleArn=sagemaker.get_execution_role(),\n"
            "                PrimaryContainer={'Image': image, 'ModelDataUrl': data})\n"
            "sm.create_endpoint_config(EndpointConfigName='c', ProductionVariants=[{\n"
            "    'VariantName': 'v', 'ModelName': 'm', 'InitialInstanceCount': 2,\n"
            "    'InstanceType': 'ml.m5.large'}])\n"
            "sm.create_endpoint(EndpointName='e', EndpointConfigName='c')\n"
            "session.wait_for_endpoint('e')\n")
        run_python(script, cloud.environ(), str(archive), timeout=120)
        server_pid = cloud.info.pid
        children = descendants_of(server_pid)
        assert len(children) >= 2, "the endpoint's two model servers should be running"
    for pid in [server_pid, *children]:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_reset_deletes_every_resource(tmp_path):
    upload = tmp_path / "object.txt"
    upload.write_text("an object to delete")
    with LocalCloud(state_dir=tmp_path / "state") as cloud:
        script = ("import sys, boto3, sagemaker\n"
                  "sagemaker.Session().upload_data(sys.argv[1], key_prefix='x')\n"
                  "boto3.client('s3').create_bucket(Bucket='scratch')\n")
        run_python(script, cloud.environ(), str(upload))
        cloud.reset()
        listing = ("import boto3, json, sagemaker\n"
                   "s3 = boto3.client('s3')\n"
                   "b = sagemaker.Session().default_bucket()\n"
                   "print(json.dumps([x['Name'] for x in s3.list_buckets()['Buckets']]),"
                   " s3.list_objects_v2(Bucket=b).get('KeyCount'))\n")
        out = run_python(listing, cloud.environ()).stdout.split()
        assert json.loads(out[0]) == ["sagemaker-us-east-1-123456789012"]
        assert out[1] == "0"


@pytest.mark.parametrize("seconds", [5, 30])
def test_fast_clock_keeps_the_sdk_arithmetic(seconds):
    from localcloud.kit.hooks import FastClock

    clock = FastClock(longest_sleep=0.01)
    before = clock.time()
    started = time.monotonic()
    clock.sleep(seconds)
    assert time.monotonic() - started < 1
    assert clock.time() - before >= seconds
