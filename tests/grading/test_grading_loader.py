"""Loading graded cells: only tagged cells run, and no learner mistake stops the loading."""

import time

import pytest

from mlcourse.grading.loader import (
    GradedNameError,
    GradingTimeout,
    graded_cell_sources,
    load_graded_notebook,
    time_limit,
)

GRADED = ["graded"]


def test_only_graded_code_cells_run_in_order(write_notebook):
    path = write_notebook(
        [
            ("code", "import math", GRADED),
            ("code", "raise RuntimeError('a cloud call the grader must not run')", []),
            ("markdown", "x = 'markdown is never executed'", GRADED),
            ("code", "def area(r):\n    return math.pi * r ** 2", GRADED),
            ("code", "VALUE = 1", ["parameters", "graded"]),
            ("code", "VALUE = 2", GRADED),
        ]
    )
    notebook = load_graded_notebook(path)
    assert notebook["area"](1.0) == pytest.approx(3.14159, abs=1e-4)
    assert notebook["VALUE"] == 2, "later cells overwrite earlier ones, as in a kernel"
    assert "x" not in notebook
    assert notebook.failures == [] and notebook.notes() == []
    assert [index for index, _ in graded_cell_sources(path)] == [0, 3, 4, 5]


def test_sources_stored_as_lists_of_lines_are_joined(write_notebook):
    path = write_notebook([("code", ["a = 1\n", "b = a + 1"], GRADED)])
    assert load_graded_notebook(path)["b"] == 2


def test_a_failing_cell_does_not_stop_the_others(write_notebook):
    path = write_notebook(
        [
            ("code", "def broken(:\n    pass", GRADED),
            ("code", "def fine():\n    return 'ok'", GRADED),
            ("code", "LIMIT = 3\nraise NotImplementedError('TODO: set LIMIT')\nLATER = 1", GRADED),
        ]
    )
    notebook = load_graded_notebook(path)
    assert notebook["fine"]() == "ok"
    assert [failure.index for failure in notebook.failures] == [0, 2]
    with pytest.raises(SyntaxError, match=r"cell index 0"):
        notebook["broken"]
    with pytest.raises(NotImplementedError, match="TODO: set LIMIT"):
        notebook["LATER"]
    assert notebook["LIMIT"] == 3
    notes = notebook.notes()
    assert notes[0].startswith("graded cell index 0 failed: SyntaxError")
    assert notes[1] == "graded cell index 2 failed: NotImplementedError: TODO: set LIMIT"


def test_a_missing_name_is_explained(write_notebook):
    notebook = load_graded_notebook(write_notebook([("code", "def renamed():\n    pass", GRADED)]))
    with pytest.raises(GradedNameError, match="'original' is not defined .* renamed"):
        notebook["original"]
    assert isinstance(GradedNameError("x"), NameError)


def test_a_notebook_without_graded_cells_says_so(write_notebook):
    notebook = load_graded_notebook(write_notebook([("code", "x = 1", [])]))
    assert notebook.notes() == ["notebook.ipynb has no code cells tagged 'graded'"]
    with pytest.raises(GradedNameError, match="no code cells tagged 'graded'"):
        notebook["x"]


def test_ipython_syntax_is_skipped_only_when_needed(write_notebook):
    path = write_notebook(
        [
            ("code", "%matplotlib inline\nif True:\n    !pip list\nA = 1", GRADED),
            ("code", "B = (10\n% 4)", GRADED),
        ]
    )
    notebook = load_graded_notebook(path)
    assert (notebook["A"], notebook["B"]) == (1, 2)


def test_an_endless_cell_times_out_and_loading_goes_on(write_notebook):
    path = write_notebook(
        [
            (
                "code",
                "while True:\n    try:\n        pass\n    except Exception:\n        pass",
                GRADED,
            ),
            ("code", "AFTER = True", GRADED),
        ]
    )
    started = time.monotonic()
    notebook = load_graded_notebook(path, cell_timeout=0.2)
    assert time.monotonic() - started < 5
    assert notebook["AFTER"] is True
    assert isinstance(notebook.failures[0].error, GradingTimeout)


def test_time_limit_leaves_fast_code_alone_and_restores_the_alarm():
    with time_limit(1.0):
        total = sum(range(1000))
    assert total == 499500
    with pytest.raises(GradingTimeout, match="timed out after 0.1 s"), time_limit(0.1):
        while True:
            pass
    time.sleep(0.15)  # an alarm left armed would fire here


def test_dataclasses_work_in_graded_cells(write_notebook):
    source = "from dataclasses import dataclass\n\n@dataclass\nclass Point:\n    x: 'int'"
    notebook = load_graded_notebook(write_notebook([("code", source, GRADED)]))
    assert notebook["Point"](3).x == 3


def test_scripts_are_imported_fresh_from_beside_the_notebook(write_notebook, tmp_path):
    notebook = load_graded_notebook(write_notebook([("code", "x = 1", GRADED)]))
    source = tmp_path / "source"
    source.mkdir()
    (source / "scoring_factor_fixture.py").write_text("FACTOR = 3\n")
    (source / "train.py").write_text(
        "from scoring_factor_fixture import FACTOR\n\nCALLS = []\n\ndef scale(v):\n"
        "    CALLS.append(v)\n    return FACTOR * v\n"
    )
    first = notebook.script("source/train.py")
    assert first.scale(2) == 6
    assert notebook.script("source/train.py").CALLS == [], "every import starts afresh"
    with pytest.raises(FileNotFoundError, match="source/missing.py not found next to"):
        notebook.script("source/missing.py")
