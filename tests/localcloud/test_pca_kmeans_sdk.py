"""The SDK's own PCA and KMeans estimators against localcloud, compared with scikit-learn.

record_set() (RecordIO shards behind a ManifestFile channel) and plain CSV TrainingInput; fit,
read the artifact with mlcourse.recordio, deploy, predict with the SDK's RecordIO predictors,
batch transform, tune k-means on test:msd. The same code runs on AWS.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import sagemaker
from sagemaker import PCA, KMeans, image_uris
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.tuner import HyperparameterTuner, IntegerParameter
from sklearn import cluster, decomposition
from sklearn.datasets import make_blobs
from support import INSTANCE_TYPE, unique, write_csv

from mlcourse import recordio

pytestmark = pytest.mark.usefixtures("aws_env")

COMPONENTS = 3


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    features, _ = make_blobs(n_samples=400, n_features=6, centers=4, cluster_std=1.5,
                             random_state=0)
    return features.astype(np.float32)


@pytest.fixture(scope="module")
def csv_uri(session, blobs, tmp_path_factory) -> str:
    import pandas as pd

    path = write_csv(pd.DataFrame(blobs), tmp_path_factory.mktemp("blobs") / "blobs.csv")
    return session.upload_data(str(path), key_prefix=f"{unique('blobs')}/train")


def common(session) -> dict:
    return {"role": sagemaker.get_execution_role(), "instance_count": 1,
            "instance_type": INSTANCE_TYPE, "sagemaker_session": session}


def test_pca_matches_scikit_learn_and_serves_and_transforms(session, blobs, csv_uri, no_leaks):
    pca = PCA(num_components=COMPONENTS, **common(session))
    pca.fit(pca.record_set(blobs), logs=False)
    model = recordio.read_pca_model(pca.model_data)
    assert model.s.shape == (COMPONENTS,) and model.v.shape == (6, COMPONENTS)
    assert model.mean.shape == (1, 6) and np.all(np.diff(model.s) >= 0)  # ascending
    reference = decomposition.PCA(COMPONENTS).fit(blobs)
    total = ((blobs - blobs.mean(axis=0)) ** 2).sum()
    assert np.allclose(model.s[::-1] ** 2 / total, reference.explained_variance_ratio_,
                       rtol=1e-3)
    predictor = pca.deploy(initial_instance_count=1, instance_type=INSTANCE_TYPE)
    try:
        projections = recordio.label_array(predictor.predict(blobs[:20]), "projection")
        assert np.allclose(np.abs(projections[:, ::-1]), np.abs(reference.transform(blobs[:20])),
                           atol=1e-3)
    finally:
        predictor.delete_model()
        predictor.delete_endpoint()
    transformer = pca.transformer(instance_count=1, instance_type=INSTANCE_TYPE,
                                  accept="application/jsonlines", assemble_with="Line")
    transformer.transform(csv_uri, content_type="text/csv", split_type="Line", logs=False)
    output = session.read_s3_file(session.default_bucket(), transformer.output_path.split(
        session.default_bucket() + "/", 1)[1] + "/blobs.csv.out")
    lines = [json.loads(line)["projection"] for line in output.splitlines()]
    assert len(lines) == len(blobs)
    assert np.allclose(np.abs(lines[:20]), np.abs(projections), atol=1e-4)


def within_cluster_sum_of_squares(features: np.ndarray, centroids: np.ndarray) -> float:
    distances = ((features[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return float(distances.min(axis=1).sum())


def test_kmeans_record_set_matches_scikit_learn(session, blobs, no_leaks):
    kmeans = KMeans(k=4, **common(session))
    kmeans.fit(kmeans.record_set(blobs), logs=False)
    centroids = recordio.read_kmeans_centroids(kmeans.model_data)
    assert centroids.shape == (4, 6)
    reference = cluster.KMeans(4, n_init=10, random_state=0).fit(blobs).inertia_
    assert within_cluster_sum_of_squares(blobs, centroids) <= 1.05 * reference
    predictor = kmeans.deploy(initial_instance_count=1, instance_type=INSTANCE_TYPE)
    try:
        answers = predictor.predict(blobs[:50])
        clusters = recordio.label_array(answers, "closest_cluster")
        distances = recordio.label_array(answers, "distance_to_cluster")
        expected = np.linalg.norm(blobs[:50] - centroids[clusters.astype(int)], axis=1)
        assert np.allclose(distances, expected, rtol=1e-4)
    finally:
        predictor.delete_model()
        predictor.delete_endpoint()


def test_kmeans_from_csv_reports_test_metrics_and_transforms(session, blobs, csv_uri,
                                                             no_leaks):
    estimator = Estimator(image_uri=image_uris.retrieve("kmeans", session.boto_region_name),
                          **common(session))
    estimator.set_hyperparameters(k=4, feature_dim=6, eval_metrics='["msd", "ssd"]')
    channel = TrainingInput(csv_uri, content_type="text/csv;label_size=0")
    estimator.fit({"train": channel, "test": channel}, logs=False)
    metrics = {item["MetricName"]: item["Value"]
               for item in estimator.latest_training_job.describe()["FinalMetricDataList"]}
    assert metrics["test:ssd"] == pytest.approx(metrics["test:msd"] * len(blobs), rel=1e-4)
    transformer = estimator.transformer(instance_count=1, instance_type=INSTANCE_TYPE,
                                        accept="text/csv", assemble_with="Line")
    transformer.transform(csv_uri, content_type="text/csv", split_type="Line", logs=False)
    output = session.read_s3_file(session.default_bucket(), transformer.output_path.split(
        session.default_bucket() + "/", 1)[1] + "/blobs.csv.out")
    rows = [line.split(",") for line in output.splitlines()]
    assert len(rows) == len(blobs) and {len(row) for row in rows} == {2}
    msd = np.mean([float(distance) ** 2 for _, distance in rows])
    assert msd == pytest.approx(metrics["test:msd"], rel=1e-3)


def test_kmeans_is_tunable_on_test_msd(session, csv_uri, no_leaks):
    estimator = Estimator(image_uri=image_uris.retrieve("kmeans", session.boto_region_name),
                          **common(session))
    estimator.set_hyperparameters(feature_dim=6, k=2)
    tuner = HyperparameterTuner(estimator, "test:msd", {"k": IntegerParameter(2, 6)},
                                objective_type="Minimize", max_jobs=2, max_parallel_jobs=2)
    channel = TrainingInput(csv_uri, content_type="text/csv;label_size=0")
    tuner.fit({"train": channel, "test": channel}, logs=False)
    tuner.wait()
    best = tuner.best_training_job()
    assert session.sagemaker_client.describe_training_job(TrainingJobName=best)[
        "TrainingJobStatus"] == "Completed"


def test_pca_from_csv_training_input(session, blobs, csv_uri):
    """PCA(...).fit wants a RecordSet (it reads feature_dim from it), so CSV goes through the
    generic Estimator with PCA's image, as on AWS."""
    estimator = Estimator(image_uri=image_uris.retrieve("pca", session.boto_region_name),
                          **common(session))
    estimator.set_hyperparameters(feature_dim=6, num_components=2, mini_batch_size=100,
                                  algorithm_mode="randomized")
    estimator.fit({"train": TrainingInput(csv_uri, content_type="text/csv;label_size=0")},
                  logs=False)
    model = recordio.read_pca_model(estimator.model_data)
    reference = decomposition.PCA(2).fit(blobs)
    assert np.allclose(np.abs(model.components()), np.abs(reference.components_), atol=1e-3)
