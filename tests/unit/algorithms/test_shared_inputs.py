"""The shared hyperparameter vocabulary and CSV reader every built-in uses."""

from __future__ import annotations

import json

import numpy as np
import pytest

from localcloud.algorithms.hyperparameters import (
    AnyOf,
    Boolean,
    HyperparameterError,
    Interval,
    OptionList,
    Options,
    Schema,
    auto_or,
)
from localcloud.algorithms.inputs.channels import ChannelReader
from localcloud.algorithms.inputs.csv_table import describe_problem, label_size, read_csv_table
from localcloud.containers.contract import MLPaths
from localcloud.containers.errors import ClientError


@pytest.mark.parametrize(("constraint", "good", "bad", "words"), [
    (Interval(int, 1, None), [("3", 3), ("3.0", 3)], ["0", "2.5", "x", "inf"],
     "a positive integer"),
    (Interval(float, 0, 1), [("0", 0.0), ("1", 1.0)], ["-0.1", "1.01", "nan"],
     "a number in [0, 1]"),
    (Interval(float, 0, 1, closed="right"), [("1", 1.0)], ["0"], "a number in (0, 1]"),
    (Interval(float, 0, None), [("0", 0.0)], ["-1"], "a non-negative number"),
    (Options("regular", "randomized"), [(" regular ", "regular")], ["Regular"],
     "one of regular, randomized"),
    (Boolean(), [("True", True), ("false", False)], ["yes", "1"], "true or false"),
    (auto_or(Interval(int, 1, None)), [("auto", "auto"), ("4", 4)], ["-1"],
     "auto or a positive integer"),
    (AnyOf(Options("balanced", "auto"), Interval(float, 0, None, closed="neither")),
     [("balanced", "balanced"), ("2", 2.0)], ["0"], "balanced, auto or a positive number"),
    (OptionList(Options("msd", "ssd")), [('["msd", "ssd"]', ["msd", "ssd"]), ("msd", ["msd"]),
                                         ("['ssd']", ["ssd"])], ['["mse"]', "[]"],
     'a list of msd, ssd (e.g. ["msd"])'),
])
def test_constraints_read_strings_and_say_what_they_accept(constraint, good, bad, words):
    for text, value in good:
        assert constraint.parse(text) == value
    for text in bad:
        with pytest.raises(ValueError):
            constraint.parse(text)
    assert str(constraint) == words


SCHEMA = Schema("Demo", {"k": Interval(int, 2, None), "mode": Options("a", "b")},
                required=("k",), defaults={"mode": "a"}, required_hint="k is the cluster count.")


def test_schema_merges_defaults_and_passes_sagemaker_names_through():
    assert SCHEMA.parse({"k": "3", "_tuning_objective_metric": "test:msd"}) == {
        "k": 3, "mode": "a", "_tuning_objective_metric": "test:msd"}


@pytest.mark.parametrize(("provided", "message"), [
    ({}, "Missing required hyperparameter(s): k. k is the cluster count."),
    ({"k": "3", "mdoe": "a"}, "Unknown hyperparameter(s) for Demo: mdoe; did you mean mode?"),
    ({"k": "1"}, "Invalid value '1' for hyperparameter k: expected an integer in [2, +inf)"),
    ({"k": "3", "mode": "c"}, "Invalid value 'c' for hyperparameter mode: expected one of a, b"),
])
def test_schema_errors_name_the_hyperparameter(provided, message):
    with pytest.raises(HyperparameterError) as raised:
        SCHEMA.parse(provided)
    assert str(raised.value) == message and isinstance(raised.value, ClientError)


def test_csv_tables_skip_blank_lines_and_keep_missing_values(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("1;2;3\n\n4;;6\n")
    table = read_csv_table(path, "data.csv", "hint", delimiter=None)
    assert table.dtype == np.float32 and table.shape == (2, 3) and np.isnan(table[1, 1])
    assert read_csv_table("", "empty", "hint").shape == (0, 0)


@pytest.mark.parametrize(("text", "problem"), [
    ("a,b\n1,2\n", "line 1 looks like a header row ('a,b'); CSV data has no header"),
    ("1,2\n3,x\n", "line 2, column 2: 'x' is not a number"),
    ("1,2\n3,4,5\n", "line 2 has 3 values, earlier lines have 2"),
])
def test_csv_problems_name_line_and_column(text, problem):
    assert describe_problem(text).startswith(problem)
    with pytest.raises(ClientError, match=r"^f\.csv: .*; fix it$"):
        read_csv_table(text, "f.csv", "fix it")


def test_empty_cells_can_be_refused():
    with pytest.raises(ClientError, match="line 2, column 1: an empty value is not a number"):
        read_csv_table("1,2\n,4\n", "f.csv", "hint", allow_empty_cells=False)
    assert np.isnan(read_csv_table("1,nan\n", "f.csv", "hint", allow_empty_cells=False)).any()


def test_label_size_is_read_and_checked():
    assert label_size("text/csv") == 1 and label_size("text/csv; label_size=0") == 0
    with pytest.raises(ClientError, match="label_size must be 1"):
        label_size("text/csv;label_size=0", allowed=(1,))


def csv_channel(root, content_type: str, text: str) -> MLPaths:
    paths = MLPaths(root)
    paths.make_dirs()
    paths.channel_dir("train").mkdir(parents=True)
    (paths.channel_dir("train") / "part.csv").write_text(text)
    paths.input_data_config_file.write_text(json.dumps({"train": {"ContentType": content_type}}))
    return paths


UNSUPERVISED = ChannelReader("PCA", ("train",), supervised=False)


def test_unsupervised_csv_must_say_whether_it_has_a_label(tmp_path):
    with pytest.raises(ClientError, match="text/csv;label_size=0 .features only. or "
                                          "text/csv;label_size=1"):
        UNSUPERVISED.read_all(csv_channel(tmp_path, "text/csv", "1,2\n3,4\n"), None)


def test_unsupervised_csv_drops_a_declared_label_column(tmp_path):
    text = "9,1,2\n9,3,4\n"
    datasets, width = UNSUPERVISED.read_all(csv_channel(tmp_path / "a", "text/csv;label_size=1",
                                                        text), None)
    assert width == 2 and datasets["train"].features.tolist() == [[1, 2], [3, 4]]
    assert datasets["train"].labels is None
    datasets, width = UNSUPERVISED.read_all(csv_channel(tmp_path / "b", "text/csv; label_size=0",
                                                        text), None)
    assert width == 3


def test_supervised_channels_need_their_label(tmp_path):
    reader = ChannelReader("Linear Learner", ("train", "validation"), supervised=True)
    with pytest.raises(ClientError, match="needs a label column"):
        reader.read_all(csv_channel(tmp_path / "a", "text/csv;label_size=0", "1,2\n"), None)
    with pytest.raises(ClientError, match=r"No 'train' channel: Linear Learner needs a train "
                                          r"channel \(and optionally validation\)"):
        reader.read_all(MLPaths(tmp_path / "empty"), None)


def test_short_plain_csv_reads_as_pandas_reads_it():
    """The fast path for short texts of plain numbers gives pandas' table, value for value;
    anything else (spaces, empty cells, nan, a header, other delimiters) takes pandas' path."""
    import io

    import pandas as pd

    from localcloud.algorithms.inputs import csv_table

    rng = np.random.default_rng(0)
    texts = ["\n".join(",".join(repr(float(v)) for v in row) for row in
                       rng.normal(size=(3, 13)) * 10.0 ** rng.integers(-8, 8, (3, 13)))
             for _ in range(200)]
    texts += ["0.1,0.2,0.3", "5", "1e5,-2.5E-3,+3.,.5", "\n1,2\n\n3,4\n"]
    for text in texts:
        fast = csv_table._plain_table(text, None)
        expected = pd.read_csv(io.StringIO(text), header=None, dtype=np.float32,
                               skip_blank_lines=True).to_numpy()
        assert fast is not None and np.array_equal(fast, expected), text
        assert np.array_equal(csv_table.read_csv_table(text, "body", "hint", delimiter=None),
                              expected)
    for other in ("1, 2", "1,,3", "nan,1", "a,b\n1,2", "1,2\n3", "1;2;3", "1\t2"):
        assert csv_table._plain_table(other, None) is None, other
