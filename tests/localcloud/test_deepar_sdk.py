"""Built-in DeepAR through the unchanged SDK: the generic ``Estimator`` with the image
``image_uris.retrieve("forecasting-deepar", region)`` resolves, as the time-series case study uses
it. Fit on JSON Lines channels, read the metric lines back as ``FinalMetricDataList``, deploy and
ask for quantiles, batch-transform with ``DEEPAR_INFERENCE_CONFIG``.

The data: noisy daily series with a weekly cycle, whose last 30 days are held out. A calibrated
forecast's 10%-90% band holds about 80% of the held-out days.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import sagemaker
from sagemaker import image_uris
from sagemaker.deserializers import JSONDeserializer
from sagemaker.estimator import Estimator
from sagemaker.serializers import IdentitySerializer
from support import INSTANCE_TYPE, unique

pytestmark = pytest.mark.usefixtures("aws_env")

PREDICTION_LENGTH = 30
NOISE = 1.0
HYPERPARAMETERS = {"time_freq": "D", "context_length": PREDICTION_LENGTH,
                   "prediction_length": PREDICTION_LENGTH, "epochs": 40,
                   "mini_batch_size": 32, "learning_rate": 0.01, "num_eval_samples": 100}


def seasonal_series(count: int = 4, days: int = 365, seed: int = 11) -> list[dict]:
    """``count`` daily series: level + weekly cycle + a slow wave + Gaussian noise."""
    rng = np.random.default_rng(seed)
    series = []
    for index in range(count):
        time = np.arange(days + PREDICTION_LENGTH)
        values = (10 + index + 3 * np.sin(2 * np.pi * time / 7)
                  + 2 * np.sin(2 * np.pi * time / 180 + index) + rng.normal(0, NOISE, time.size))
        series.append({"start": f"2015-0{index + 1}-01 00:00:00",
                       "target": np.round(values, 3).tolist()})
    return series


def history(item: dict) -> dict:
    """The series without its held-out last PREDICTION_LENGTH values."""
    return {"start": item["start"], "target": item["target"][:-PREDICTION_LENGTH]}


def upload_json_lines(session, items: list[dict], key: str) -> str:
    body = "".join(json.dumps(item) + "\n" for item in items)
    bucket = session.default_bucket()
    session.boto_session.client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode())
    return f"s3://{bucket}/{key}"


@pytest.fixture(scope="module")
def deepar(session):
    """A DeepAR estimator fitted on the series (train: history only; test: whole series)."""
    series = seasonal_series()
    prefix = unique("deepar-conformance")
    train = upload_json_lines(session, [history(item) for item in series],
                              f"{prefix}/train/train.json")
    test = upload_json_lines(session, series, f"{prefix}/test/test.json")
    image = image_uris.retrieve("forecasting-deepar", session.boto_region_name)
    estimator = Estimator(image_uri=image, role=sagemaker.get_execution_role(),
                          instance_count=1, instance_type=INSTANCE_TYPE,
                          output_path=f"s3://{session.default_bucket()}/{prefix}/output",
                          sagemaker_session=session)
    estimator.set_hyperparameters(**HYPERPARAMETERS)
    estimator.fit({"train": train, "test": test}, logs=False)
    return estimator, series, prefix


def test_metric_lines_become_final_metrics(deepar, sm):
    estimator, _, _ = deepar
    description = sm.describe_training_job(TrainingJobName=estimator.latest_training_job.name)
    assert description["TrainingJobStatus"] == "Completed"
    metrics = {item["MetricName"]: item["Value"] for item in description["FinalMetricDataList"]}
    assert {"test:RMSE", "test:mean_wQuantileLoss", "train:final_loss"} <= set(metrics)
    # The noise alone makes an RMSE of NOISE; a forecast that learned the cycle stays near it.
    assert 0.5 * NOISE < metrics["test:RMSE"] < 2.0 * NOISE
    assert 0 < metrics["test:mean_wQuantileLoss"] < 0.1
    assert np.isfinite(metrics["train:final_loss"])


def test_endpoint_quantiles_cover_the_held_out_days(deepar, no_leaks):
    estimator, series, _ = deepar
    predictor = estimator.deploy(initial_instance_count=1, instance_type=INSTANCE_TYPE,
                                 serializer=IdentitySerializer(content_type="application/json"),
                                 deserializer=JSONDeserializer())
    try:
        request = {"instances": [history(item) for item in series],
                   "configuration": {"num_samples": 200, "output_types": ["quantiles", "mean"],
                                     "quantiles": ["0.1", "0.5", "0.9"]}}
        answer = predictor.predict(json.dumps(request))
        # Cold start: a start date and no history still gets a forecast shaped by the model.
        cold = predictor.predict(json.dumps({"instances": [{"start": "2016-06-01",
                                                            "target": []}]}))
    finally:
        predictor.delete_model()
        predictor.delete_endpoint()
    predictions = answer["predictions"]
    assert len(predictions) == len(series)
    inside = []
    for item, prediction in zip(series, predictions, strict=True):
        assert set(prediction) == {"quantiles", "mean"}
        low, median, high = (np.array(prediction["quantiles"][q]) for q in ("0.1", "0.5", "0.9"))
        assert low.shape == (PREDICTION_LENGTH,)
        assert (low <= median).all() and (median <= high).all()
        truth = np.array(item["target"][-PREDICTION_LENGTH:])
        inside.extend((low <= truth) & (truth <= high))
    coverage = float(np.mean(inside))
    assert 0.6 <= coverage <= 0.97, f"the 10%-90% band covers {coverage:.0%} of held-out days"
    (cold_prediction,) = cold["predictions"]
    cold_mean = np.array(cold_prediction["mean"])
    assert cold_mean.shape == (PREDICTION_LENGTH,)
    assert np.abs(cold_mean).mean() > 1.0, "a forecast from a start date alone is not zeros"


def test_batch_transform_reads_deepar_inference_config(deepar, session, no_leaks):
    estimator, series, prefix = deepar
    source = upload_json_lines(session, [history(item) for item in series],
                               f"{prefix}/batch/input.json")
    output = f"s3://{session.default_bucket()}/{prefix}/batch-output"
    config = {"num_samples": 50, "output_types": ["quantiles"], "quantiles": ["0.1", "0.9"]}
    transformer = estimator.transformer(
        instance_count=1, instance_type=INSTANCE_TYPE, strategy="SingleRecord",
        assemble_with="Line", output_path=output,
        env={"DEEPAR_INFERENCE_CONFIG": json.dumps(config)})
    transformer.transform(source, content_type="application/jsonlines", split_type="Line",
                          wait=True, logs=False)
    try:
        body = session.read_s3_file(session.default_bucket(),
                                    f"{prefix}/batch-output/input.json.out")
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        assert len(lines) == len(series)
        for line in lines:
            assert set(line) == {"quantiles"}
            assert set(line["quantiles"]) == {"0.1", "0.9"}
            assert len(line["quantiles"]["0.9"]) == PREDICTION_LENGTH
    finally:
        transformer.delete_model()
