"""The course's two web apps, built fast for tests and benchmarks.

- :class:`WebApp`: ``Tutorials/IMDB Sentiment Analysis - XGBoost - Web App.ipynb`` with the very
  same files (``Tutorials/web_app/lambda_function.py`` and ``index.html``); the XGBoost model is
  trained in-process on the IMDB sample (two seconds instead of a training job).
- :class:`ProjectWebApp`: the sentiment project (``solutions/Mini-Projects/SageMaker
  Project.ipynb``) with its ``serve/`` code, ``website/lambda_function.py`` and ``index.html``;
  its LSTM is trained in-process with the project's ``train/`` code.

Either model is then deployed to a real localcloud endpoint behind a real function and REST API
(``mlcourse.webapp.create_web_api``, the steps the notebooks take) and its page is served on
127.0.0.1. Usable from tests (``from webapp_stack import WebApp``) and from
``bench/webapp_latency.py``. Needs this process's boto3 pointed at a running localcloud.
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import numpy as np
import sagemaker
from sagemaker import image_uris

import mlcourse.text.lite as text_lite
from mlcourse.datasets import load_imdb
from mlcourse.grading.loader import load_graded_notebook
from mlcourse.teardown import delete_endpoint
from mlcourse.webapp import PageServer, WebApi, create_web_api

REPO = Path(__file__).resolve().parents[2]
WEB_APP = REPO / "Tutorials" / "web_app"
PROJECT = REPO / "solutions" / "Mini-Projects"
INSTANCE_TYPE = "ml.m5.large"


@dataclass
class WebApp:
    """A deployed web app: endpoint, function, API and the page serving it (the tutorial's)."""

    folder: Path
    name: str = field(default_factory=lambda: f"webapp-{uuid.uuid4().hex[:8]}")
    endpoint_name: str = ""
    api: WebApi | None = None
    vocabulary: dict = field(default_factory=dict)
    page: PageServer | None = None
    #: The page whose ``__API_URL__`` is replaced by the API's URL.
    page_template: Path = WEB_APP / "index.html"

    @property
    def api_url(self) -> str:
        return self.api.url if self.api else ""

    @property
    def function_name(self) -> str:
        return self.api.function_name if self.api else ""

    def build(self, n_reviews: int = 2000, vocabulary_size: int = 500) -> WebApp:
        self._deploy_model(n_reviews, vocabulary_size)
        self.api = create_web_api(self.name, self._function_package(), self.endpoint_name)
        site = self.folder / "site"
        site.mkdir(parents=True, exist_ok=True)
        page = self.page_template.read_text().replace("__API_URL__", self.api_url)
        (site / "index.html").write_text(page)
        self.page = PageServer(site)
        return self

    def _deploy_model(self, n_reviews: int, vocabulary_size: int) -> None:
        train_X, _, train_y, _ = load_imdb("sample", n_reviews=n_reviews, progress=False)
        words = [text_lite.simple_words(review) for review in train_X]
        self.vocabulary = text_lite.build_vocabulary(words, vocabulary_size)
        features = np.array([text_lite.bow_encoding(w, self.vocabulary) for w in words])
        import xgboost

        booster = xgboost.train({"objective": "binary:logistic", "max_depth": 4, "eta": 0.3},
                                xgboost.DMatrix(features, label=np.asarray(train_y)), 60)
        model_dir = self.folder / "model"
        model_dir.mkdir(parents=True, exist_ok=True)
        booster.save_model(str(model_dir / "xgboost-model.json"))
        (model_dir / "xgboost-model.json").rename(model_dir / "xgboost-model")
        session = sagemaker.Session()
        model_data = _upload_model(session, model_dir, self.name)
        image = image_uris.retrieve("xgboost", session.boto_region_name, "1.7-1")
        sm = boto3.client("sagemaker")
        sm.create_model(ModelName=self.name, ExecutionRoleArn=sagemaker.get_execution_role(),
                        PrimaryContainer={"Image": image, "ModelDataUrl": model_data})
        sm.create_endpoint_config(EndpointConfigName=self.name, ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": self.name, "InitialInstanceCount": 1,
            "InstanceType": INSTANCE_TYPE}])
        self.endpoint_name = self.name  # from here on, teardown deletes endpoint, config, model
        sm.create_endpoint(EndpointName=self.name, EndpointConfigName=self.name)
        session.wait_for_endpoint(self.name)

    def _function_package(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as package:
            package.write(WEB_APP / "lambda_function.py", "lambda_function.py")
            package.write(text_lite.__file__, "text_lite.py")
            package.writestr("vocabulary.json", json.dumps(self.vocabulary))
        return buffer.getvalue()

    def teardown(self) -> None:
        """Delete everything :meth:`build` created (whatever part of it exists)."""
        if self.page:
            self.page.stop()
        if self.api:
            self.api.delete()
        if self.endpoint_name:
            delete_endpoint(self.endpoint_name, wait=True)


@dataclass
class ProjectWebApp(WebApp):
    """The sentiment project's web app: an LSTM endpoint that reads raw text (``serve/``)."""

    name: str = field(default_factory=lambda: f"project-{uuid.uuid4().hex[:8]}")
    page_template: Path = PROJECT / "website" / "index.html"

    def _deploy_model(self, n_reviews: int, vocabulary_size: int) -> None:
        from sagemaker.pytorch import PyTorchModel

        model_dir = self.folder / "model"
        model_dir.mkdir(parents=True, exist_ok=True)
        _train_project_lstm(model_dir, n_reviews, vocabulary_size)
        session = sagemaker.Session()
        model = PyTorchModel(model_data=_upload_model(session, model_dir, self.name),
                             entry_point="predict.py", source_dir=str(PROJECT / "serve"),
                             role=sagemaker.get_execution_role(), framework_version="2.5.1",
                             py_version="py311", sagemaker_session=session, name=self.name)
        self.endpoint_name = self.name
        model.deploy(initial_instance_count=1, instance_type=INSTANCE_TYPE,
                     endpoint_name=self.name)

    def _function_package(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as package:
            package.write(PROJECT / "website" / "lambda_function.py", "lambda_function.py")
        return buffer.getvalue()


def _upload_model(session: sagemaker.Session, model_dir: Path, prefix: str) -> str:
    """``model.tar.gz`` of every file in ``model_dir``, uploaded; its S3 URI."""
    archive = model_dir.parent / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(model_dir.iterdir()):
            tar.add(path, arcname=path.name)
    return session.upload_data(str(archive), key_prefix=prefix)


def _project_module(relative: str):
    """A script of the project's solution, imported with its own siblings (model, utils)."""
    for sibling in ("model", "utils"):
        sys.modules.pop(sibling, None)
    return load_graded_notebook(PROJECT / "SageMaker Project.ipynb").script(relative)


def _train_project_lstm(model_dir: Path, n_reviews: int, vocabulary_size: int) -> None:
    """The project's preprocessing and training loop on the IMDB sample, saved as train.py saves.

    A few seconds: the sample's reviews are short and the dictionary small.
    """
    import torch

    from mlcourse.text import review_to_words

    utils, train = _project_module("serve/utils.py"), _project_module("train/train.py")
    train_X, _, train_y, _ = load_imdb("sample", n_reviews=n_reviews, progress=False)
    words = [review_to_words(review) for review in train_X]
    ranked = text_lite.build_vocabulary(words, vocabulary_size - 2, first_index=2)
    rows = []
    for review_words in words:
        indices, length = utils.convert_and_pad(ranked, review_words)
        rows.append([length, *indices])
    rows = torch.tensor(rows)
    torch.manual_seed(1)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(rows, torch.tensor(train_y, dtype=torch.float32)),
        batch_sampler=train.SimilarLengthBatches(rows[:, 0], 32, 1))
    model = train.LSTMClassifier(32, 64, vocabulary_size)
    # One thread, as the PyTorch containers run: a second one makes these small batches several
    # times slower on a busy 2-core machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        train.train(model, loader, 4, torch.optim.Adam(model.parameters(), lr=0.01),
                    torch.nn.BCELoss())
    finally:
        torch.set_num_threads(threads)
    train.save_model(model, ranked, str(model_dir))
