"""Script mode's building blocks, in-process: the training toolkit's environment and failure
message, the encoders, the serving handler chain, the PyTorch and scikit-learn defaults and the
``sagemaker_containers`` compatibility package. (test_frameworks_sdk.py drives them end to end.)
"""

from __future__ import annotations

import io
import json
import sys
import textwrap

import numpy as np
import pytest

from localcloud.containers.contract import FAILURE_REASON_MAX_CHARS, MLPaths
from localcloud.containers.errors import UnsupportedContentType
from localcloud.containers.serving import predict
from localcloud.frameworks import encoders
from localcloud.frameworks.code import COMPAT_DIR, container_path, fetch_code
from localcloud.frameworks.environment import (
    TrainingEnvironment,
    decode_hyperparameters,
    to_cmd_args,
    to_env_vars,
)
from localcloud.frameworks.inference import ScriptHandler, UserScriptError
from localcloud.frameworks.training import ExecuteUserScriptError, entry_point_command
from localcloud.frameworks.versions import framework_version

# -- training environment ---------------------------------------------------------------------


def test_hyperparameters_are_json_decoded_with_raw_fallback():
    raw = {"epochs": "2", "lr": "0.1", "name": '"x y"', "flag": "true", "hand-written": "abc",
           "sagemaker_program": '"train.py"'}
    assert decode_hyperparameters(raw) == {"epochs": 2, "lr": 0.1, "name": "x y", "flag": True,
                                           "hand-written": "abc", "sagemaker_program": "train.py"}


def test_command_line_arguments_follow_the_toolkit():
    args = to_cmd_args({"lr": 0.1, "k": 3, "batch-size": 64, "name": "x y", "opts": {"b": 2,
                                                                                      "a": 1}})
    assert args == ["--batch-size", "64", "-k", "3", "--lr", "0.1", "--name", "x y",
                    "--opts", "a=1,b=2"]


def test_env_vars_keep_strings_and_json_encode_the_rest():
    assert to_env_vars({"hp_batch-size": 64, "hp_name": "x y", "hosts": ["algo-1"],
                        "is_hetero": False, "empty": None}) == {
        "SM_HP_BATCH-SIZE": "64", "SM_HP_NAME": "x y", "SM_HOSTS": '["algo-1"]',
        "SM_IS_HETERO": "false", "SM_EMPTY": ""}


@pytest.fixture
def job_tree(tmp_path) -> MLPaths:
    paths = MLPaths(tmp_path / "opt_ml")
    paths.make_dirs()
    paths.hyperparameters_file.write_text(json.dumps({
        "epochs": "2", "name": '"x y"', "sagemaker_program": '"train.py"',
        "sagemaker_submit_directory": '"s3://b/job/source/sourcedir.tar.gz"',
        "sagemaker_container_log_level": "20", "sagemaker_job_name": '"job-1"',
        "sagemaker_region": '"us-east-1"'}))
    paths.input_data_config_file.write_text(json.dumps({"train": {}, "test": {}}))
    paths.resource_config_file.write_text(json.dumps({"current_host": "algo-1",
                                                      "hosts": ["algo-1"]}))
    for channel in ("train", "test"):
        paths.channel_dir(channel).mkdir()
    return paths


def test_training_environment_sets_the_toolkits_variables(job_tree):
    env = TrainingEnvironment.read(job_tree).env_vars()
    assert env["SM_CHANNELS"] == '["test","train"]'
    assert env["SM_CHANNEL_TRAIN"] == str(job_tree.channel_dir("train"))
    assert env["SM_HPS"] == '{"epochs":2,"name":"x y"}'
    assert env["SM_HP_NAME"] == "x y" and env["SM_HP_EPOCHS"] == "2"
    assert env["SM_USER_ARGS"] == '["--epochs","2","--name","x y"]'
    assert env["SM_MODULE_NAME"] == "train" and env["SM_USER_ENTRY_POINT"] == "train.py"
    assert env["SM_MODULE_DIR"] == "s3://b/job/source/sourcedir.tar.gz"
    assert env["SM_MODEL_DIR"] == str(job_tree.model_dir)
    assert env["SM_OUTPUT_INTERMEDIATE_DIR"] == str(job_tree.output_dir / "intermediate")
    assert env["SM_NUM_GPUS"] == "0" and env["SM_CURRENT_INSTANCE_TYPE"] == "local"
    assert env["SAGEMAKER_JOB_NAME"] == "job-1" and env["SAGEMAKER_REGION"] == "us-east-1"
    training_env = json.loads(env["SM_TRAINING_ENV"])
    assert training_env["hyperparameters"] == {"epochs": 2, "name": "x y"}
    assert training_env["is_master"] is True


def test_a_job_without_a_program_says_what_is_missing(job_tree):
    job_tree.hyperparameters_file.write_text('{"epochs": "2"}')
    with pytest.raises(ValueError, match="sagemaker_program"):
        TrainingEnvironment.read(job_tree).env_vars()


def test_entry_points_run_as_python_programs_or_executables(tmp_path):
    assert entry_point_command(tmp_path, "train.py", ["--a", "1"]) == [
        sys.executable, "train.py", "--a", "1"]
    (tmp_path / "train.sh").write_text("#!/bin/sh\n")
    assert entry_point_command(tmp_path, "train.sh", ["--a", "x y"]) == [
        "/bin/sh", "-c", "./train.sh --a 'x y'"]


def test_failure_message_keeps_the_end_of_a_long_traceback():
    stderr = [f"  frame {index}\n" for index in range(500)] + ["ValueError: the cause\n"]
    error = ExecuteUserScriptError(1, stderr, ["/usr/bin/python3", "train.py", "--epochs", "2"])
    reason = f"{error.prefix}: {error}"
    assert len(reason) <= FAILURE_REASON_MAX_CHARS
    assert reason.startswith('AlgorithmError: ExecuteUserScriptError:\nExitCode 1\n'
                             'ErrorMessage "...')
    assert reason.endswith('ValueError: the cause"\nCommand "/usr/bin/python3 train.py '
                           '--epochs 2"')


def test_a_killed_script_is_reported_as_out_of_memory():
    assert "OutOfMemory" in str(ExecuteUserScriptError(137, [], ["python", "train.py"]))


def test_container_paths_map_into_the_job_tree(tmp_path):
    paths = MLPaths(tmp_path)
    assert container_path("/opt/ml/model/code", paths) == tmp_path / "model" / "code"
    assert container_path("/elsewhere", paths).as_posix() == "/elsewhere"


def test_fetch_code_extracts_a_tarball_and_rejects_a_missing_one(tmp_path):
    import tarfile

    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text("print('hi')\n")
    archive = tmp_path / "opt_ml" / "input" / "data" / "code" / "sourcedir.tar.gz"
    archive.parent.mkdir(parents=True)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source / "train.py", arcname="train.py")
    paths = MLPaths(tmp_path / "opt_ml")
    code = fetch_code("/opt/ml/input/data/code/sourcedir.tar.gz", paths.root / "code", paths)
    assert (code / "train.py").read_text() == "print('hi')\n"
    with pytest.raises(Exception, match="does not exist"):
        fetch_code("/opt/ml/nowhere.tar.gz", paths.root / "code2", paths)


def test_framework_version_comes_from_the_image_tag():
    assert framework_version("1.dkr.ecr.us-east-1.amazonaws.com/sagemaker-pytorch:1.0-cpu-py3") \
        == "1.0"
    assert framework_version("x/sagemaker-scikit-learn:1.2-1-cpu-py3") == "1.2-1"
    assert framework_version("x/pytorch-inference:2.1-gpu-py310") == "2.1"
    assert framework_version(None) == ""


# -- encoders ---------------------------------------------------------------------------------

def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array))
    return buffer.getvalue()


def test_decoders_read_json_csv_and_npy():
    np.testing.assert_array_equal(encoders.decode("[[1, 2], [3, 4]]", encoders.JSON),
                                  [[1, 2], [3, 4]])
    np.testing.assert_array_equal(encoders.decode("1,2\n3,4\n", encoders.CSV), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(encoders.decode(_npy([[1.5, 2]]), encoders.NPY), [[1.5, 2]])


def test_pickled_npy_bodies_are_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        encoders.decode(buffer.getvalue(), encoders.NPY)


def test_encoders_write_json_csv_and_npy():
    assert encoders.encode(np.array([[0.5], [1.0]]), encoders.JSON) == b"[[0.5], [1.0]]"
    assert encoders.encode(np.array([1, 0, 1]), encoders.CSV) == b"1\n0\n1\n"
    assert encoders.encode([[1, 2]], encoders.CSV) == b"1,2\n"
    np.testing.assert_array_equal(np.load(io.BytesIO(encoders.encode([1, 2], encoders.NPY))),
                                  [1, 2])
    with pytest.raises(UnsupportedContentType, match="text/plain is not supported"):
        encoders.encode([1], "text/plain")


# -- serving ----------------------------------------------------------------------------------

def serve_script(tmp_path, monkeypatch, source: str, handler_class=None) -> ScriptHandler:
    """A loaded handler for a script in ``model/code``, as the SDK's repack lays it out."""
    from localcloud.frameworks.sklearn.serving import Handler as SKLearnHandler

    model_dir = tmp_path / "model"
    (model_dir / "code").mkdir(parents=True)
    module_name = f"inference_{abs(hash(source))}"
    (model_dir / "code" / f"{module_name}.py").write_text(textwrap.dedent(source))
    monkeypatch.setenv("SAGEMAKER_PROGRAM", f"{module_name}.py")
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", "/opt/ml/model/code")
    monkeypatch.setattr(sys, "path", list(sys.path))
    handler = (handler_class or SKLearnHandler)()
    handler.load(model_dir)
    return handler


SCRIPT = """
    def model_fn(model_dir):
        return {"scale": 2}

    def input_fn(body, content_type):
        return (type(body).__name__, content_type, body)

    def predict_fn(data, model, context):
        kind, content_type, body = data
        return f"{kind}:{content_type}:{context.accept}"

    def output_fn(prediction, accept):
        return prediction
"""


def test_text_bodies_arrive_as_str_others_as_bytes(tmp_path, monkeypatch):
    handler = serve_script(tmp_path, monkeypatch, SCRIPT)
    assert handler.invoke(b"1,2", "text/csv; charset=utf-8", "text/csv") == (
        b"str:text/csv:text/csv", "text/csv")
    assert handler.invoke(b"hello", "text/plain", "*/*") == (
        b"bytes:text/plain:application/json", "application/json")


def test_output_fn_pairs_set_the_content_type_without_parameters(tmp_path, monkeypatch):
    handler = serve_script(tmp_path, monkeypatch, """
        def model_fn(model_dir):
            return None

        def transform_fn(model, body, content_type, accept):
            return "7", "text/plain; charset=utf-8"
    """)
    assert handler.invoke(b"x", "application/json", "application/json") == (b"7", "text/plain")


def test_transform_fn_cannot_be_mixed_with_the_chain(tmp_path, monkeypatch):
    with pytest.raises(UserScriptError, match="Cannot use transform_fn"):
        serve_script(tmp_path, monkeypatch, """
            def model_fn(model_dir): return None
            def transform_fn(model, body, content_type, accept): return b""
            def input_fn(body, content_type): return body
        """)


def test_sklearn_defaults_predict_and_encode(tmp_path, monkeypatch):
    handler = serve_script(tmp_path, monkeypatch, """
        class Doubler:
            def predict(self, data):
                return data * 2

        def model_fn(model_dir):
            return Doubler()
    """)
    body, content_type = handler.invoke(_npy([[1.0, 2.0]]), "application/x-npy",
                                        "application/x-npy")
    assert content_type == "application/x-npy"
    np.testing.assert_array_equal(np.load(io.BytesIO(body)), [[2.0, 4.0]])
    assert handler.invoke(b"1,2", "text/csv", "application/json") == (b"[2.0, 4.0]",
                                                                      "application/json")
    unsupported = predict(handler, b"1", "text/plain", "application/json")
    assert unsupported.status == 415 and b"input_fn" in unsupported.body


def test_sklearn_needs_a_model_fn(tmp_path, monkeypatch):
    with pytest.raises(UserScriptError, match="Please provide a model_fn"):
        serve_script(tmp_path, monkeypatch, "x = 1\n")


def test_a_user_error_is_a_500_naming_the_exception(tmp_path, monkeypatch):
    handler = serve_script(tmp_path, monkeypatch, """
        def model_fn(model_dir): return None
        def predict_fn(data, model): raise KeyError("feature 'age' is missing")
    """)
    answer = predict(handler, b"[1]", "application/json", "application/json")
    assert answer.status == 500
    assert b"KeyError" in answer.body and b"feature 'age' is missing" in answer.body


def test_pytorch_defaults_serve_a_torchscript_model(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    from localcloud.frameworks.pytorch.serving import Handler

    model_dir = tmp_path / "model"
    (model_dir / "code").mkdir(parents=True)
    linear = torch.nn.Linear(2, 1)
    with torch.no_grad():
        linear.weight.fill_(1.0)
        linear.bias.fill_(0.5)
    torch.jit.script(linear).save(str(model_dir / "model.pt"))
    (model_dir / "code" / "empty_inference.py").write_text("")
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "empty_inference.py")
    monkeypatch.setattr(sys, "path", list(sys.path))
    handler = Handler()
    handler.load(model_dir)
    assert handler.invoke(b"[[1, 2]]", "application/json", "text/csv") == (b"3.5\n", "text/csv")
    body, content_type = handler.invoke(_npy(np.array([[1, 1]], dtype=np.float32)),
                                        "application/x-npy", "application/x-npy")
    assert content_type == "application/x-npy"
    np.testing.assert_allclose(np.load(io.BytesIO(body)), [[2.5]])


# -- sagemaker_containers ---------------------------------------------------------------------

def test_sagemaker_containers_provides_the_old_names(monkeypatch):
    monkeypatch.syspath_prepend(str(COMPAT_DIR))
    monkeypatch.setenv("SM_TRAINING_ENV", json.dumps({"hosts": ["algo-1"], "num_gpus": 0}))
    for name in [name for name in sys.modules if name.startswith("sagemaker_containers")]:
        monkeypatch.delitem(sys.modules, name)
    import sagemaker_containers
    from sagemaker_containers.beta.framework import content_types, encoders, worker

    env = sagemaker_containers.training_env()
    assert env.hosts == ["algo-1"] and env["num_gpus"] == 0
    with pytest.raises(AttributeError, match="has no 'gpus'"):
        _ = env.gpus
    assert content_types.NPY == "application/x-npy"
    np.testing.assert_array_equal(encoders.decode("[1, 2]", content_types.JSON), [1, 2])
    response = worker.Response(b"1", mimetype="text/csv")
    assert (response.response, response.mimetype) == (b"1", "text/csv")


# -- running a script (network-isolation layout: the code is a local tarball) ---------------------

def _script_job(job_tree, source: str) -> MLPaths:
    """Put ``source`` as train.py in a local sourcedir.tar.gz named by the hyperparameters."""
    import tarfile

    script = job_tree.root.parent / "train.py"
    script.write_text(textwrap.dedent(source))
    archive = job_tree.channel_dir("code") / "sourcedir.tar.gz"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(script, arcname="train.py")
    hyperparameters = json.loads(job_tree.hyperparameters_file.read_text())
    hyperparameters["sagemaker_submit_directory"] = \
        '"/opt/ml/input/data/code/sourcedir.tar.gz"'
    job_tree.hyperparameters_file.write_text(json.dumps(hyperparameters))
    return job_tree


RECORD_THREADS = """
    import os, sys
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "seen.txt"), "w") as file:
        file.write(os.environ.get("OMP_NUM_THREADS", "unset") + " " + " ".join(sys.argv[1:]))
"""


def test_the_thread_default_applies_unless_the_job_sets_it(job_tree, monkeypatch):
    from localcloud.frameworks.pytorch import thread_defaults
    from localcloud.frameworks.training import run_script

    paths = _script_job(job_tree, RECORD_THREADS)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    run_script(paths, extra_env=thread_defaults())
    assert (paths.model_dir / "seen.txt").read_text() == "1 --epochs 2 --name x y"
    monkeypatch.setenv("OMP_NUM_THREADS", "2")  # the job's Environment, as the platform sets it
    run_script(paths, extra_env=thread_defaults())
    assert (paths.model_dir / "seen.txt").read_text().startswith("2 ")


def test_a_failing_script_raises_with_its_traceback(job_tree):
    from localcloud.frameworks.training import run_script

    paths = _script_job(job_tree, """
        def load():
            raise KeyError("no column 'label'")

        load()
    """)
    with pytest.raises(ExecuteUserScriptError) as raised:
        run_script(paths)
    message = str(raised.value)
    assert message.startswith("ExecuteUserScriptError:\nExitCode 1\nErrorMessage \"Traceback")
    assert "KeyError: \"no column 'label'\"" in message
    assert message.endswith('train.py --epochs 2 --name \'x y\'"')
