"""mlcourse.kernel: what a learner sees in a real notebook kernel when something goes wrong."""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timezone

import nbformat
import pytest
from nbclient import NotebookClient

from mlcourse import kernel
from mlcourse.teardown import delete_leftovers

LONG_TODO = "TODO: " + "keep the `size` most frequent words, ties broken alphabetically " * 3


def run_cells(sources: list[str], env: dict[str, str]) -> list[str]:
    """Execute ``sources`` in a fresh kernel with ``env``; return each cell's text output."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(notebook, kernel_name="python3", allow_errors=True, timeout=120).execute(
        env=env)
    texts = []
    for cell in notebook.cells:
        parts = []
        for output in cell.outputs:
            parts.append(output.get("text", ""))
            parts.extend(output.get("traceback", []))
        texts.append("\n".join(parts))
    return texts


def without_aws(environ: dict[str, str]) -> dict[str, str]:
    """A kernel started with plain `jupyter lab`: no localcloud, no AWS configuration."""
    env = {key: value for key, value in environ.items() if not key.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_EC2_METADATA_DISABLED="true", SAGEMAKER_SUPPRESS_V2_WARNING="1")
    return env


def test_no_cloud_error_says_what_to_do_and_tracebacks_are_plain():
    sdk_first = "import sagemaker\nimport mlcourse\n"
    texts = run_cells([sdk_first, "sagemaker.Session()",
                       f"def build_vocabulary():\n    raise NotImplementedError({LONG_TODO!r})\n"
                       "build_vocabulary()"], without_aws(dict(os.environ)))
    assert "Must setup local AWS configuration" in texts[1]
    assert "make lab" in texts[1], "the no-cloud error names the command that starts the course"
    stub = texts[2]
    assert LONG_TODO in stub, "the TODO's message is shown whole"
    assert "╭" not in stub and "│" not in stub, "no boxed traceback"
    assert len(stub.splitlines()) < 30


def test_hints_only_for_the_errors_they_explain():
    from botocore.exceptions import EndpointConnectionError, NoRegionError

    assert kernel.hint_for(NoRegionError()) == kernel.NO_CLOUD_HINT
    gone = EndpointConnectionError(endpoint_url="http://127.0.0.1:4599/")
    assert "localcloud is not answering at http://127.0.0.1:4599/" in kernel.hint_for(gone)
    assert kernel.hint_for(EndpointConnectionError(endpoint_url="https://sts.aws")) is None
    assert kernel.hint_for(ValueError("a learner's own mistake")) is None


def test_an_interrupted_cell_lists_the_jobs_still_running(aws_env, capsys, tmp_path):
    import boto3
    import sagemaker
    from sagemaker import image_uris

    session = sagemaker.Session()
    sm = boto3.client("sagemaker")
    started = datetime.now(timezone.utc)
    name = f"interrupted-{int(time.time() * 1000)}"
    rows = tmp_path / "train.csv"
    rows.write_text("".join(f"{i % 7},{i},{i * i % 11}\n" for i in range(200)))
    data = session.upload_data(str(rows), key_prefix=f"{name}/train")
    sm.create_training_job(
        TrainingJobName=name, RoleArn=sagemaker.get_execution_role(),
        AlgorithmSpecification={"TrainingImage": image_uris.retrieve("xgboost", "us-east-1",
                                                                     "1.7-1"),
                                "TrainingInputMode": "File"},
        HyperParameters={"num_round": "1000000", "eta": "0.001"},
        InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": data}}, "ContentType": "text/csv"}],
        OutputDataConfig={"S3OutputPath": f"s3://{session.default_bucket()}/{name}"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 60})
    try:
        kernel._state.cell_started, kernel._state.interrupted = started, True
        kernel._after_cell(result=None)  # the SDK swallowed the interrupt: no error recorded
        err = capsys.readouterr().err
        if "running: training-job" not in err:
            pytest.skip("the job ended before it could be listed")  # pragma: no cover
        assert "interrupting a cell never stops a job" in err
        assert "the SDK hid the interruption" in err
        assert f"running: training-job {name}" in err
    finally:
        kernel._state.interrupted = False
        delete_leftovers(prefix=name, dry_run=False)


def test_nothing_is_installed_outside_a_kernel():
    assert "IPython" not in sys.modules or kernel.install() is False
