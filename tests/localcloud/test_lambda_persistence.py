"""Lambda functions survive ``stop``/``start`` of localcloud: same code, and they still run."""

from __future__ import annotations

import json

import boto3
from lambda_support import LAMBDA_TRUST, zipped

from localcloud import LocalCloud

HANDLER = "def handler(event, context):\n    return {'echo': event}\n"


def lambda_client(cloud: LocalCloud):
    info = cloud.info or cloud.running()
    session = boto3.session.Session(aws_access_key_id=info.access_key_id,
                                    aws_secret_access_key=info.secret_access_key,
                                    aws_session_token=info.session_token, region_name=info.region)
    return session.client("iam", endpoint_url=info.url), session.client("lambda",
                                                                        endpoint_url=info.url)


def test_functions_survive_a_restart(tmp_path):
    state = tmp_path / "state"
    with LocalCloud(state_dir=state) as cloud:
        iam, lam = lambda_client(cloud)
        role = iam.create_role(RoleName="kept-role",
                               AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
        lam.create_function(FunctionName="kept", Runtime="python3.11", Role=role["Role"]["Arn"],
                            Handler="app.handler", Code={"ZipFile": zipped({"app.py": HANDLER})},
                            Environment={"Variables": {"KEPT": "yes"}})
        lam.add_permission(FunctionName="kept", StatementId="api", Principal="s3.amazonaws.com",
                           Action="lambda:InvokeFunction")
        before = lam.get_function_configuration(FunctionName="kept")
    with LocalCloud(state_dir=state) as cloud:
        _, lam = lambda_client(cloud)
        after = lam.get_function_configuration(FunctionName="kept")
        assert {key: after[key] for key in ("CodeSha256", "RevisionId", "Environment")} == \
            {key: before[key] for key in ("CodeSha256", "RevisionId", "Environment")}
        assert json.loads(lam.get_policy(FunctionName="kept")["Policy"])["Statement"][0][
            "Sid"] == "api"
        answer = lam.invoke(FunctionName="kept", Payload=b'{"body": "again"}')
        assert json.loads(answer["Payload"].read()) == {"echo": {"body": "again"}}
