"""How the model servers read media types from Content-Type and Accept headers."""

from __future__ import annotations

import pytest

from localcloud.containers.media_types import accepted_types, media_parameters, media_type


@pytest.mark.parametrize(("header", "expected"), [
    ("text/csv", "text/csv"),
    (" Text/CSV ; charset=utf-8", "text/csv"),
    ("application/x-recordio-protobuf;", "application/x-recordio-protobuf"),
    ("", ""),
    (None, ""),
])
def test_media_type_drops_parameters_and_case(header, expected):
    assert media_type(header) == expected


def test_media_parameters_by_lower_cased_name():
    assert media_parameters("text/csv; Label_Size=1 ; charset=utf-8") == {
        "label_size": "1", "charset": "utf-8"}
    assert media_parameters("text/csv") == {}
    assert media_parameters(None) == {}


def test_accepted_types_keep_the_listed_order():
    assert accepted_types("application/json;q=0.5, TEXT/CSV, */*") == [
        "application/json", "text/csv", "*/*"]
    assert accepted_types(" , ") == []
    assert accepted_types(None) == []
