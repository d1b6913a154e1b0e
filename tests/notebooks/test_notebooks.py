"""Every tutorial and solution notebook: its structure, and a headless run against localcloud.

Structure (fast, no kernel): exactly one ``parameters`` cell; every CI parameter exists in it;
kernelspec ``python3``; no committed outputs or execution counts except golden cells, which are
also tagged ``keep_output`` so that the commit hook (nbstripout) keeps their outputs.
Execution: papermill with the small CI parameters; afterwards no endpoint, model server or job
may be left running. Each notebook's run time and printed figures are kept in
``build/notebooks/report.json``; figures are checked against ``catalog.METRIC_RANGES``.
"""

from __future__ import annotations

import ast
import fcntl
import json
import re

import nbformat
import pytest
from catalog import (
    BUILD_DIR,
    GOLDEN_TAG,
    KEEP_OUTPUT_TAG,
    METRIC_RANGES,
    REPO,
    discover_notebooks,
    parameters_for,
    tagged,
)
from harness import execute

NOTEBOOKS = discover_notebooks()


def _ids(paths):
    return [path.as_posix() for path in paths]


def _read(notebook):
    return nbformat.read(REPO / notebook, as_version=4)


def test_notebooks_are_found():
    assert any(path.parts[0] == "Tutorials" for path in NOTEBOOKS)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_structure(notebook, strict):
    nb = _read(notebook)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    parameter_cells = [cell for cell in nb.cells if tagged(cell, "parameters")]
    assert len(parameter_cells) == 1, "exactly one cell must be tagged `parameters`"
    assigned = {target.id for node in ast.parse(parameter_cells[0].source).body
                if isinstance(node, ast.Assign) for target in node.targets
                if isinstance(target, ast.Name)}
    missing = set(parameters_for(notebook)) - assigned
    assert not missing, f"CI passes parameters the notebook does not define: {missing}"
    unkept = [index for index, cell in enumerate(nb.cells)
              if tagged(cell, GOLDEN_TAG) and not tagged(cell, KEEP_OUTPUT_TAG)]
    assert not unkept, (f"golden cells {unkept} need the tag {KEEP_OUTPUT_TAG} too: the commit "
                        "hook (nbstripout) strips every other output, the golden ones included")
    run_cells = [index for index, cell in enumerate(nb.cells)
                 if cell.cell_type == "code" and not tagged(cell, GOLDEN_TAG)
                 and (cell.get("outputs") or cell.get("execution_count") is not None)]
    if run_cells and not strict:
        # A learner ran the notebook and saved it: that is their work, not a broken lesson.
        pytest.skip(f"{notebook} was run and saved (outputs kept); maintainers commit it "
                    "stripped (the pre-commit hook does it; `make check` fails on outputs)")
    assert not run_cells, f"cells {run_cells} have committed outputs or execution counts"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_runs_headless_and_cleans_up(notebook, cloud, no_leaks):
    """The notebook runs; `no_leaks` then checks it left no endpoint, server or job running."""
    result = execute(notebook, cloud.environ())
    _record(notebook, "seconds", round(result.seconds, 1))
    assert result.returncode == 0, (
        f"{notebook} failed (executed copy: {result.output}):\n{result.log[-4000:]}")
    _check_metrics(notebook, nbformat.read(result.output, as_version=4))


METRIC_LINE = re.compile(r"^(?P<name>[A-Za-z][\w ()/-]*?):\s*(?P<value>[-+]?\d+(?:\.\d+)?)\s*$")


def printed_metrics(nb) -> dict[str, float]:
    """``name: value`` lines printed by the cells tagged ``metrics``."""
    metrics = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or not tagged(cell, "metrics"):
            continue
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                match = METRIC_LINE.match(line.strip())
                if match:
                    metrics[match["name"]] = float(match["value"])
    return metrics


def _check_metrics(notebook, executed) -> None:
    expected = METRIC_RANGES.get(notebook.as_posix(), {})
    metrics = printed_metrics(executed)
    _record(notebook, "metrics", metrics)
    for name, (low, high) in expected.items():
        assert name in metrics, f"{notebook} printed no `{name}: value` line in a metrics cell"
        assert low <= metrics[name] <= high, f"{notebook}: {name} = {metrics[name]} " \
                                             f"outside [{low}, {high}]"


def _record(notebook, key: str, value) -> None:
    """Keep each notebook's run time and figures in build/notebooks/report.json."""
    path = BUILD_DIR / "report.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    # The suite's workers (pytest-xdist) update the file concurrently: one at a time.
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        report = json.loads(path.read_text() or "{}") if path.exists() else {}
        report.setdefault(notebook.as_posix(), {})[key] = value
        path.write_text(json.dumps(report, indent=2, sort_keys=True))
