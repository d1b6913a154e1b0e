"""The short-delay waiter models the kit writes for AWS_DATA_PATH."""

import json

import botocore.loaders

from localcloud.kit.waiters import fast_model, write_fast_waiters


def test_fast_model_keeps_each_waiters_patience():
    model = {"version": 2, "waiters": {
        "EndpointInService": {"delay": 30, "maxAttempts": 120, "operation": "DescribeEndpoint",
                              "acceptors": [{"expected": "InService"}]},
        "Quick": {"delay": 0.1, "maxAttempts": 5, "operation": "Describe", "acceptors": []}}}
    fast = fast_model(model, 0.2)["waiters"]
    assert fast["EndpointInService"]["delay"] == 0.2
    assert fast["EndpointInService"]["maxAttempts"] == 30 * 120 / 0.2
    assert fast["EndpointInService"]["acceptors"] == [{"expected": "InService"}]
    assert fast["Quick"] == model["waiters"]["Quick"]  # already quick: unchanged


def test_botocore_loads_the_written_models_first(tmp_path):
    write_fast_waiters(tmp_path, 0.2)
    loader = botocore.loaders.create_loader(str(tmp_path))
    waiters = loader.load_service_model("sagemaker", "waiters-2")["waiters"]
    assert waiters["EndpointInService"]["delay"] == 0.2
    assert json.loads(next(tmp_path.glob("s3/*/waiters-2.json")).read_text())["waiters"]
