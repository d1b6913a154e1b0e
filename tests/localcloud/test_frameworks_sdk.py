"""The unchanged SDK's PyTorch and SKLearn estimators and models in script mode, end to end.

fit (the toolkit's SM_* environment and hyperparameters, requirements.txt in an overlay) ->
deploy with the predictors' default serializers (NPY in, NPY out) and with explicit ones ->
predict -> batch transform -> delete; a failing script's FailureReason; a script written for the
legacy PyTorch 1.0 container (sagemaker_containers, six, text/plain, (body, type) answers).
The scripts live in scripts/; the same code runs on AWS.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import boto3
import numpy as np
import pandas as pd
import pytest
import sagemaker
from sagemaker.deserializers import CSVDeserializer, JSONDeserializer
from sagemaker.predictor import Predictor
from sagemaker.pytorch import PyTorch, PyTorchModel
from sagemaker.serializers import CSVSerializer, IdentitySerializer, JSONSerializer
from sagemaker.sklearn import SKLearn
from support import INSTANCE_TYPE, unique, write_csv

from localcloud.frameworks.pytorch import DEFAULT_INTRA_OP_THREADS

pytestmark = pytest.mark.usefixtures("aws_env")

SCRIPTS = Path(__file__).parent / "scripts"
PYTORCH_VERSION = {"framework_version": "2.5.1", "py_version": "py311"}
SKLEARN_VERSION = {"framework_version": "1.2-1", "py_version": "py3"}
HYPERPARAMETERS = {"epochs": 40, "lr": 0.5, "label-name": "has spaces"}


def source_dir(tmp_path_factory, *folders: str) -> str:
    """A source_dir holding the files of scripts/<folder>/... and the shared record.py."""
    target = tmp_path_factory.mktemp("source")
    for folder in folders:
        shutil.copytree(SCRIPTS / folder, target, dirs_exist_ok=True)
    shutil.copy(SCRIPTS / "record.py", target)
    return str(target)


def build_wheel(folder: Path) -> Path:
    """A one-module wheel ``greeting`` (no build tool needed: a wheel is a zip with metadata)."""
    wheel = folder / "greeting-1.0-py3-none-any.whl"
    files = {
        "greeting.py": "def hello(name):\n    return f'hello from an overlay, {name}'\n",
        "greeting-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: greeting\n"
                                           "Version: 1.0\n",
        "greeting-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\n"
                                        "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in files) + "greeting-1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in {**files, "greeting-1.0.dist-info/RECORD": record}.items():
            archive.writestr(name, text)
    return wheel


@pytest.fixture(scope="module")
def moons(session, tmp_path_factory):
    """Two separable blobs: label first, as the test scripts read it; uploaded to S3."""
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 200)
    features = rng.normal(size=(200, 2)) + np.where(labels[:, None] == 1, 1.5, -1.5)
    frame = pd.DataFrame(np.column_stack([labels, features]))
    folder = tmp_path_factory.mktemp("frameworks-data")
    train = session.upload_data(str(write_csv(frame, folder / "train.csv")),
                                key_prefix="frameworks-test/train")
    test = session.upload_data(str(write_csv(frame.drop(columns=0), folder / "test.csv")),
                               key_prefix="frameworks-test/test")
    return {"train": train, "test": test, "features": features.astype(np.float32),
            "labels": labels, "output": f"s3://{session.default_bucket()}/frameworks-test/out"}


def model_files(session, estimator) -> dict[str, bytes]:
    """The members of a training job's model.tar.gz."""
    bucket, key = estimator.model_data.removeprefix("s3://").split("/", 1)
    body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        return {member.name: archive.extractfile(member).read()
                for member in archive.getmembers() if member.isfile()}


# -- PyTorch ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pytorch_estimator(session, moons, tmp_path_factory):
    estimator = PyTorch(entry_point="train.py", source_dir=source_dir(tmp_path_factory, "pytorch"),
                        role=sagemaker.get_execution_role(), instance_count=1,
                        instance_type=INSTANCE_TYPE, output_path=moons["output"],
                        hyperparameters=dict(HYPERPARAMETERS), sagemaker_session=session,
                        **PYTORCH_VERSION)
    estimator.fit({"train": moons["train"]}, logs="All")
    return estimator


@pytest.fixture(scope="module")
def recorded(session, pytorch_estimator) -> dict:
    return json.loads(model_files(session, pytorch_estimator)["environment.json"])


def job_log(estimator) -> str:
    """The training job's CloudWatch log, as one text."""
    events = boto3.client("logs").filter_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs",
        logStreamNamePrefix=estimator.latest_training_job.name)["events"]
    return "\n".join(event["message"] for event in events)


def test_pytorch_fit_completes_and_streams_the_script_output(pytorch_estimator):
    description = pytorch_estimator.latest_training_job.describe()
    assert description["TrainingJobStatus"] == "Completed"
    assert "/pytorch-training:2.5.1-cpu-py311" in description["AlgorithmSpecification"][
        "TrainingImage"]
    log = job_log(pytorch_estimator)
    assert "epoch 39: loss" in log
    assert "Invoking user script" in log


def test_hyperparameters_arrive_decoded_as_arguments_and_sm_variables(recorded):
    assert recorded["argv"] == ["--epochs", "40", "--label-name", "has spaces", "--lr", "0.5"]
    env = recorded["env"]
    assert json.loads(env["SM_HPS"]) == HYPERPARAMETERS
    assert env["SM_HP_EPOCHS"] == "40"
    assert env["SM_HP_LR"] == "0.5"
    assert env["SM_HP_LABEL-NAME"] == "has spaces"  # strings unquoted, dashes kept
    assert json.loads(env["SM_USER_ARGS"]) == recorded["argv"]
    assert not any(key.startswith("SM_HP_SAGEMAKER") for key in env)


def test_sm_variables_describe_the_container(recorded):
    env = recorded["env"]
    assert env["SM_CHANNELS"] == '["train"]'
    assert Path(env["SM_CHANNEL_TRAIN"]).name == "train"
    assert Path(env["SM_MODEL_DIR"]).name == "model"
    assert env["SM_OUTPUT_DATA_DIR"].endswith("output/data")
    assert env["SM_HOSTS"] == '["algo-1"]' and env["SM_CURRENT_HOST"] == "algo-1"
    assert env["SM_NUM_GPUS"] == "0" and int(env["SM_NUM_CPUS"]) >= 1
    assert env["SM_USER_ENTRY_POINT"] == "train.py" and env["SM_MODULE_NAME"] == "train"
    assert env["SM_MODULE_DIR"].startswith("s3://") and env["SM_MODULE_DIR"].endswith(
        "/source/sourcedir.tar.gz")
    assert env["SM_CURRENT_INSTANCE_TYPE"] == INSTANCE_TYPE
    assert env["SM_LOG_LEVEL"] == "20" and env["SM_IS_HETERO"] == "false"
    training_env = json.loads(env["SM_TRAINING_ENV"])
    assert training_env["hyperparameters"] == HYPERPARAMETERS
    assert training_env["channel_input_dirs"] == {"train": env["SM_CHANNEL_TRAIN"]}
    assert training_env["job_name"] == env["SAGEMAKER_JOB_NAME"] == env["TRAINING_JOB_NAME"]
    assert env["SAGEMAKER_REGION"] == "us-east-1"
    assert Path(recorded["cwd"]).name == "code"
    assert env["OMP_NUM_THREADS"] == str(DEFAULT_INTRA_OP_THREADS)


def test_pytorch_deploy_predicts_with_default_and_explicit_serializers(pytorch_estimator, moons):
    predictor = pytorch_estimator.deploy(1, INSTANCE_TYPE, endpoint_name=unique("pytorch"))
    try:
        # The PyTorchPredictor's defaults: NPY in, NPY out; the default handlers serve model.pt.
        probabilities = predictor.predict(moons["features"])
        assert isinstance(probabilities, np.ndarray) and probabilities.shape == (200, 1)
        accuracy = np.mean((probabilities[:, 0] > 0.5) == moons["labels"])
        assert accuracy > 0.9
        predictor.serializer, predictor.deserializer = JSONSerializer(), JSONDeserializer()
        as_json = predictor.predict(moons["features"][:3].tolist())
        np.testing.assert_allclose(as_json, probabilities[:3], rtol=1e-5)
        predictor.serializer, predictor.deserializer = CSVSerializer(), CSVDeserializer()
        as_csv = predictor.predict(moons["features"][:3])
        np.testing.assert_allclose(np.array(as_csv, dtype=float), probabilities[:3], rtol=1e-5)
    finally:
        predictor.delete_model()
        predictor.delete_endpoint()


def test_pytorch_batch_transform(pytorch_estimator, moons, session):
    transformer = pytorch_estimator.transformer(1, INSTANCE_TYPE, accept="text/csv",
                                                output_path=f"{moons['output']}/transform")
    transformer.transform(moons["test"], content_type="text/csv", split_type="Line", wait=True,
                          logs=False)
    session.delete_model(transformer.model_name)
    job = session.describe_transform_job(transformer.latest_transform_job.name)
    assert job["TransformJobStatus"] == "Completed"
    output = session.read_s3_file(session.default_bucket(),
                                  "frameworks-test/out/transform/test.csv.out")
    probabilities = np.array([float(line) for line in output.split()])
    assert len(probabilities) == 200
    assert np.mean((probabilities > 0.5) == moons["labels"]) > 0.9


def test_legacy_pytorch_script_with_sagemaker_containers(pytorch_estimator, tmp_path_factory):
    """A PyTorch 1.0 model: code from S3 (no repack), text/plain bytes, (body, type) answers."""
    model = PyTorchModel(model_data=pytorch_estimator.model_data, entry_point="predict.py",
                         source_dir=source_dir(tmp_path_factory, "pytorch_legacy"),
                         role=sagemaker.get_execution_role(), framework_version="1.0",
                         py_version="py3", predictor_cls=None)
    name = unique("legacy")
    model.deploy(1, INSTANCE_TYPE, endpoint_name=name)
    try:
        predictor = Predictor(name, serializer=IdentitySerializer("text/plain"))
        answer = predictor.predict("2.0 2.0\n-2.0 -2.0")
        assert answer == b"1 0"
        runtime = boto3.client("sagemaker-runtime")
        reply = runtime.invoke_endpoint(EndpointName=name, ContentType="text/plain",
                                        Body=b"1 1")
        assert reply["ContentType"] == "text/plain"
        with pytest.raises(runtime.exceptions.ModelError, match="unsupported ContentType"):
            runtime.invoke_endpoint(EndpointName=name, ContentType="application/json",
                                    Body=b"[[1, 1]]")
        # The server survives the learner's error.
        assert predictor.predict("3 3") == b"1"
        environment = model.sagemaker_session.sagemaker_client.describe_model(
            ModelName=model.name)["PrimaryContainer"]["Environment"]
        assert environment["SAGEMAKER_SUBMIT_DIRECTORY"].startswith("s3://")
    finally:
        model.sagemaker_session.delete_endpoint(name)
        model.sagemaker_session.delete_endpoint_config(name)
        model.delete_model()


# -- scikit-learn -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sklearn_estimator(session, moons, tmp_path_factory):
    folder = Path(source_dir(tmp_path_factory, "sklearn"))
    wheel = build_wheel(folder)
    (folder / "requirements.txt").write_text(f"./{wheel.name}\nscikit-learn\n")
    estimator = SKLearn(entry_point="train.py", source_dir=str(folder),
                        role=sagemaker.get_execution_role(), instance_count=1,
                        instance_type=INSTANCE_TYPE, output_path=moons["output"],
                        hyperparameters={"C": 0.5}, sagemaker_session=session,
                        **SKLEARN_VERSION)
    estimator.fit({"train": moons["train"]}, logs="All")
    return estimator


def test_sklearn_requirements_go_to_an_overlay(sklearn_estimator):
    assert sklearn_estimator.latest_training_job.describe()["TrainingJobStatus"] == "Completed"
    log = job_log(sklearn_estimator)
    assert "hello from an overlay, training job" in log
    assert "overlay" in log and "requirements.txt" in log
    with pytest.raises(ImportError):  # never installed into the course's environment
        __import__("greeting")


def test_sklearn_deploy_predict_and_transform(sklearn_estimator, moons, session):
    predictor = sklearn_estimator.deploy(1, INSTANCE_TYPE, endpoint_name=unique("sklearn"))
    try:
        labels = predictor.predict(moons["features"])  # NPY both ways, the SKLearn defaults
        assert labels.shape == (200,) and np.mean(labels == moons["labels"]) > 0.9
        predictor.serializer, predictor.deserializer = CSVSerializer(), JSONDeserializer()
        assert predictor.predict(moons["features"][:5]) == labels[:5].tolist()
    finally:
        predictor.delete_model()
        predictor.delete_endpoint()
    transformer = sklearn_estimator.transformer(1, INSTANCE_TYPE, accept="text/csv",
                                                output_path=f"{moons['output']}/sklearn")
    transformer.transform(moons["test"], content_type="text/csv", split_type="Line", logs=False)
    session.delete_model(transformer.model_name)
    output = session.read_s3_file(session.default_bucket(),
                                  "frameworks-test/out/sklearn/test.csv.out")
    assert [float(value) for value in output.split()] == labels.tolist()


def test_failing_script_reports_execute_user_script_error(session, moons, tmp_path_factory):
    estimator = SKLearn(entry_point="train.py", source_dir=source_dir(tmp_path_factory,
                                                                      "failing"),
                        role=sagemaker.get_execution_role(), instance_count=1,
                        instance_type=INSTANCE_TYPE, output_path=moons["output"],
                        sagemaker_session=session, **SKLEARN_VERSION)
    with pytest.raises(Exception, match="ExecuteUserScriptError"):
        estimator.fit({"train": moons["train"]}, logs=False)
    reason = estimator.latest_training_job.describe()["FailureReason"]
    assert reason.startswith("AlgorithmError: ExecuteUserScriptError:\nExitCode 1\n")
    assert "Traceback (most recent call last)" in reason
    assert "ValueError: no column named 'label' in ['train.csv']" in reason
    assert reason.endswith('train.py"') and "Command \"" in reason
    assert len(reason) <= 1024
