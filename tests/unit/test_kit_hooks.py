"""The kit's client hooks that keep the SDK's own work lean when localcloud is the target."""

import types

import jsonschema
import pytest

from localcloud.kit import hooks

VALID = {"SchemaVersion": "1.0",
         "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}


def counting_module():
    """A stand-in for ``sagemaker.config.config`` that counts the schema checks it does."""
    checked = []

    def validate_sagemaker_config(sagemaker_config=None):
        checked.append(sagemaker_config)
        if sagemaker_config.get("SchemaVersion") != "1.0":
            raise jsonschema.ValidationError("'2.0' is not one of ['1.0']")

    return types.SimpleNamespace(validate_sagemaker_config=validate_sagemaker_config), checked


def test_a_valid_config_is_checked_once():
    module, checked = counting_module()
    hooks.cache_config_validation(module)
    for _ in range(5):
        module.validate_sagemaker_config(dict(VALID))
    assert len(checked) == 1
    module.validate_sagemaker_config({**VALID, "Extra": 1})  # another config: checked too
    assert len(checked) == 2


def test_an_invalid_config_fails_every_time():
    module, checked = counting_module()
    hooks.cache_config_validation(module)
    for _ in range(3):
        with pytest.raises(jsonschema.ValidationError):
            module.validate_sagemaker_config({"SchemaVersion": "2.0"})
    assert len(checked) == 3


def test_installing_twice_wraps_once():
    module, checked = counting_module()
    hooks.cache_config_validation(module)
    wrapped = module.validate_sagemaker_config
    hooks.cache_config_validation(module)
    assert module.validate_sagemaker_config is wrapped


def test_the_sdk_still_rejects_a_config_that_breaks_its_schema():
    """Against the pinned SDK's real schema: caching never turns an error into a pass."""
    config = pytest.importorskip("sagemaker.config.config")
    module = types.SimpleNamespace(validate_sagemaker_config=config.validate_sagemaker_config)
    hooks.cache_config_validation(module)
    module.validate_sagemaker_config(VALID)
    module.validate_sagemaker_config(VALID)
    with pytest.raises(jsonschema.ValidationError):
        module.validate_sagemaker_config({"SchemaVersion": "1.0", "SageMaker": {"Nope": 1}})
