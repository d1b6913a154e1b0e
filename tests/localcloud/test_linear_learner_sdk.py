"""The SDK's own LinearLearner estimator: record_set() (RecordIO shards + a ManifestFile
channel), fit, deploy, and its RecordIO-protobuf predictor."""

from __future__ import annotations

import numpy as np
import pytest
import sagemaker
from sagemaker import LinearLearner
from support import INSTANCE_TYPE, rmse

pytestmark = pytest.mark.usefixtures("aws_env")


def test_record_set_fit_deploy_predict(session, boston, no_leaks):
    features = boston.train.drop(columns="MEDV").to_numpy(dtype="float32")
    labels = boston.train["MEDV"].to_numpy(dtype="float32")
    estimator = LinearLearner(role=sagemaker.get_execution_role(), instance_count=1,
                              instance_type=INSTANCE_TYPE, predictor_type="regressor",
                              epochs=10, mini_batch_size=32, sagemaker_session=session,
                              data_location=f"s3://{session.default_bucket()}/ll-records")
    records = estimator.record_set(features, labels=labels)
    assert records.s3_data_type == "ManifestFile"
    estimator.fit(records, logs=False)
    description = estimator.latest_training_job.describe()
    assert description["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3DataType"] == \
        "ManifestFile"
    predictor = estimator.deploy(initial_instance_count=1, instance_type=INSTANCE_TYPE)
    try:
        test = boston.test_features.to_numpy(dtype="float32")
        answers = predictor.predict(test)
        scores = np.array([record.label["score"].float32_tensor.values[0] for record in answers])
        assert len(scores) == len(test)
        assert rmse(scores, boston.test_labels) < 7.0
    finally:
        predictor.delete_model()
        predictor.delete_endpoint()
