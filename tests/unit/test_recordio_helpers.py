"""mlcourse.recordio, checked against files real MXNet 1.9.1 wrote (tests/fixtures/mxnet/)."""

from __future__ import annotations

import json
import tarfile
import zipfile
from pathlib import Path

import boto3
import numpy as np
import pytest
from moto import mock_aws
from scipy import sparse

from localcloud.algorithms.inputs.recordio_protobuf import label_records
from localcloud.formats import recordio as framing
from localcloud.formats.ndarray import load_ndarrays, save_ndarrays
from mlcourse import recordio

FIXTURES = Path(__file__).parents[1] / "fixtures" / "mxnet"
PCA_S = np.array([0.5, 2.0, 7.25], dtype=np.float32)
PCA_V = np.arange(15, dtype=np.float32).reshape(5, 3) / 10
PCA_MEAN = np.array([[1.0, -2.0, 3.5, 0.0, 4.25]], dtype=np.float32)
CENTROIDS = np.arange(20, dtype=np.float32).reshape(4, 5) - 7.5


def test_the_fixtures_were_written_by_mxnet_1_9_1():
    assert json.loads((FIXTURES / "versions.json").read_text())["mxnet"] == "1.9.1"


def test_reads_a_pca_artifact_mxnet_wrote():
    model = recordio.read_pca_model(FIXTURES / "pca_model_algo-1")
    assert np.array_equal(model.s, PCA_S) and np.array_equal(model.v, PCA_V)
    assert np.array_equal(model.mean, PCA_MEAN) and model.s.dtype == np.float32
    assert np.allclose(model.explained_variance_ratio(), [7.25**2, 4, 0.25] / np.float64(
        7.25**2 + 4 + 0.25))
    assert np.array_equal(model.components()[0], PCA_V[:, -1])


def test_reads_a_kmeans_artifact_mxnet_wrote():
    assert np.array_equal(recordio.read_kmeans_centroids(FIXTURES / "kmeans_model_algo-1"),
                          CENTROIDS)


def test_reads_every_dtype_mxnet_wrote():
    arrays = recordio.read_model(FIXTURES / "mixed_dtypes.nd")
    assert arrays["doubles"].dtype == np.float64 and arrays["doubles"].tolist() == [[1.5, -2.25]]
    assert arrays["ints"].tolist() == [7, -8, 9] and arrays["bytes"].tolist() == [1, 255]


@pytest.mark.parametrize(("name", "arrays"), [
    ("pca_model_algo-1", {"s": PCA_S, "v": PCA_V, "mean": PCA_MEAN}),
    ("kmeans_model_algo-1", [CENTROIDS]),
])
def test_localclouds_writer_is_byte_identical_to_mxnet(name, arrays):
    assert save_ndarrays(arrays) == (FIXTURES / name).read_bytes()


def test_recordio_framing_matches_mxnets_writer():
    data = (FIXTURES / "frames.rec").read_bytes()
    payloads = framing.split_frames(data, "frames.rec")
    assert payloads == [b"abc", b"", b"123456789"]
    assert framing.frame(payloads) == data


def model_tarball(folder: Path, member: str = "model_algo-1") -> Path:
    path = folder / "model.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        archive.add(FIXTURES / "kmeans_model_algo-1", arcname=member)
    return path


def test_reads_model_tar_gz_and_s3_uris(tmp_path):
    assert np.array_equal(recordio.read_model(model_tarball(tmp_path))[0], CENTROIDS)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="models")
        s3.upload_file(str(model_tarball(tmp_path)), "models", "job/output/model.tar.gz")
        centroids = recordio.read_kmeans_centroids("s3://models/job/output/model.tar.gz")
    assert np.array_equal(centroids, CENTROIDS)


def test_reads_linear_learners_zipped_checkpoint(tmp_path):
    path = tmp_path / "model_algo-1"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mx-mod-symbol.json", "{}")
        archive.writestr("mx-mod-0000.params", save_ndarrays({"arg:fc0_bias": PCA_S}))
    assert np.array_equal(recordio.read_model(path)["arg:fc0_bias"], PCA_S)


def test_clear_errors_for_the_wrong_artifact(tmp_path):
    with pytest.raises(ValueError, match="holds no model_algo-1 .*xgboost-model"):
        recordio.read_model(model_tarball(tmp_path, "xgboost-model"))
    with pytest.raises(ValueError, match="not a PCA model"):
        recordio.read_pca_model(FIXTURES / "kmeans_model_algo-1")
    with pytest.raises(ValueError, match="not a k-means model"):
        recordio.read_kmeans_centroids(FIXTURES / "pca_model_algo-1")
    with pytest.raises(ValueError, match="not an MXNet NDArray file"):
        recordio.read_model(FIXTURES / "versions.json")


def test_dense_and_sparse_arrays_round_trip_through_records():
    features = np.array([[1, 0, 2], [0, 0, 3]], dtype=np.float32)
    dense = recordio.to_records(features, labels=[1, 0])
    assert np.array_equal(recordio.feature_array(dense), features)
    assert recordio.label_array(dense, "values").tolist() == [1, 0]
    records = recordio.read_records(recordio.to_records(sparse.csr_matrix(features)))
    tensor = records[1].features["values"].float32_tensor
    assert list(tensor.keys) == [2] and list(tensor.values) == [3] and list(tensor.shape) == [3]


def test_label_array_reads_the_built_ins_answers():
    answers = label_records({"closest_cluster": np.array([2, 0]),
                             "distance_to_cluster": np.array([0.5, 1.5])})
    assert recordio.label_array(answers, "closest_cluster").tolist() == [2, 0]
    projections = label_records({"projection": np.array([[1, 2], [3, 4]])})
    assert recordio.label_array(projections, "projection").shape == (2, 2)
    assert recordio.label_array(recordio.read_records(projections), "projection")[1, 0] == 3
    with pytest.raises(KeyError, match="record 0 has no 'score'"):
        recordio.label_array(answers, "score")
    assert load_ndarrays(save_ndarrays([])) == []
