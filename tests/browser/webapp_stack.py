"""The IMDB web app of the tutorial, built fast for tests and benchmarks.

Same pieces as ``Tutorials/IMDB Sentiment Analysis - XGBoost - Web App.ipynb`` and the very same
files (``Tutorials/web_app/lambda_function.py`` and ``index.html``), but the model is trained
in-process on the IMDB sample (two seconds instead of a training job) and then deployed to a
real localcloud endpoint behind a real function and REST API.

Usable from tests (``from webapp_stack import WebApp``) and from ``bench/webapp_latency.py``.
Needs this process's boto3 pointed at a running localcloud.
"""

from __future__ import annotations

import io
import json
import tarfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import numpy as np
import sagemaker
import xgboost
from sagemaker import image_uris

import mlcourse.text.lite as text_lite
from mlcourse.datasets import load_imdb
from mlcourse.teardown import delete_endpoint
from mlcourse.webapp import PageServer, invoke_url

REPO = Path(__file__).resolve().parents[2]
WEB_APP = REPO / "Tutorials" / "web_app"
LAMBDA_TRUST = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow",
                               "Principal": {"Service": "lambda.amazonaws.com"},
                               "Action": "sts:AssumeRole"}]}


@dataclass
class WebApp:
    """A deployed web app: endpoint, function, API and the page serving it."""

    folder: Path
    name: str = field(default_factory=lambda: f"webapp-{uuid.uuid4().hex[:8]}")
    endpoint_name: str = ""
    function_name: str = ""
    role_name: str = ""
    api_id: str = ""
    api_url: str = ""
    vocabulary: dict = field(default_factory=dict)
    page: PageServer | None = None

    def build(self, n_reviews: int = 2000, vocabulary_size: int = 500) -> WebApp:
        self._deploy_model(n_reviews, vocabulary_size)
        self._create_function()
        self._create_api()
        site = self.folder / "site"
        site.mkdir(parents=True, exist_ok=True)
        page = (WEB_APP / "index.html").read_text().replace("__API_URL__", self.api_url)
        (site / "index.html").write_text(page)
        self.page = PageServer(site)
        return self

    def _deploy_model(self, n_reviews: int, vocabulary_size: int) -> None:
        train_X, _, train_y, _ = load_imdb("sample", n_reviews=n_reviews, progress=False)
        words = [text_lite.simple_words(review) for review in train_X]
        self.vocabulary = text_lite.build_vocabulary(words, vocabulary_size)
        features = np.array([text_lite.bow_encoding(w, self.vocabulary) for w in words])
        booster = xgboost.train({"objective": "binary:logistic", "max_depth": 4, "eta": 0.3},
                                xgboost.DMatrix(features, label=np.asarray(train_y)), 60)
        model_dir = self.folder / "model"
        model_dir.mkdir(parents=True, exist_ok=True)
        booster.save_model(str(model_dir / "xgboost-model.json"))
        (model_dir / "xgboost-model.json").rename(model_dir / "xgboost-model")
        with tarfile.open(model_dir / "model.tar.gz", "w:gz") as tar:
            tar.add(model_dir / "xgboost-model", arcname="xgboost-model")
        session = sagemaker.Session()
        model_data = session.upload_data(str(model_dir / "model.tar.gz"), key_prefix=self.name)
        image = image_uris.retrieve("xgboost", session.boto_region_name, "1.7-1")
        sm = boto3.client("sagemaker")
        sm.create_model(ModelName=self.name, ExecutionRoleArn=sagemaker.get_execution_role(),
                        PrimaryContainer={"Image": image, "ModelDataUrl": model_data})
        sm.create_endpoint_config(EndpointConfigName=self.name, ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": self.name, "InitialInstanceCount": 1,
            "InstanceType": "ml.m5.large"}])
        self.endpoint_name = self.name  # from here on, teardown deletes endpoint, config, model
        sm.create_endpoint(EndpointName=self.name, EndpointConfigName=self.name)
        session.wait_for_endpoint(self.name)

    def _create_function(self) -> None:
        iam = boto3.client("iam")
        self.role_name = f"{self.name}-role"
        role_arn = iam.create_role(RoleName=self.role_name,
                                   AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as package:
            package.write(WEB_APP / "lambda_function.py", "lambda_function.py")
            package.write(text_lite.__file__, "text_lite.py")
            package.writestr("vocabulary.json", json.dumps(self.vocabulary))
        name = f"{self.name}-sentiment"
        boto3.client("lambda").create_function(
            FunctionName=name, Runtime="python3.11", Role=role_arn,
            Handler="lambda_function.lambda_handler", Code={"ZipFile": buffer.getvalue()},
            Environment={"Variables": {"ENDPOINT_NAME": self.endpoint_name}}, Timeout=30)
        self.function_name = name

    def _create_api(self) -> None:
        apigw = boto3.client("apigateway")
        lam = boto3.client("lambda")
        function_arn = lam.get_function(FunctionName=self.function_name)["Configuration"][
            "FunctionArn"]
        region, account = function_arn.split(":")[3:5]
        self.api_id = apigw.create_rest_api(name=self.name)["id"]
        root = apigw.get_resources(restApiId=self.api_id)["items"][0]["id"]
        apigw.put_method(restApiId=self.api_id, resourceId=root, httpMethod="POST",
                         authorizationType="NONE")
        apigw.put_integration(
            restApiId=self.api_id, resourceId=root, httpMethod="POST", type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}"
                "/invocations")
        lam.add_permission(FunctionName=self.function_name, StatementId="api",
                           Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                           SourceArn=f"arn:aws:execute-api:{region}:{account}:{self.api_id}/*/POST/")
        apigw.create_deployment(restApiId=self.api_id, stageName="prod")
        self.api_url = invoke_url(self.api_id, "prod")

    def teardown(self) -> None:
        """Delete everything :meth:`build` created (whatever part of it exists)."""
        if self.page:
            self.page.stop()
        if self.api_id:
            boto3.client("apigateway").delete_rest_api(restApiId=self.api_id)
        if self.function_name:
            boto3.client("lambda").delete_function(FunctionName=self.function_name)
        if self.role_name:
            boto3.client("iam").delete_role(RoleName=self.role_name)
        if self.endpoint_name:
            delete_endpoint(self.endpoint_name, wait=True)
