"""Benchmark: each notebook's run time with its CI parameters, as `make test` runs it.

    .venv/bin/python bench/notebooks.py [--runs 1] [--match TEXT ...]
    .venv/bin/python bench/notebooks.py --from-report   # the times the last test run recorded

Runs every notebook the suite executes (or those whose path contains one of the ``--match``
texts) headless through ``tests/notebooks/harness.py``, against one localcloud in a temporary
state directory, with the CI parameters of ``tests/notebooks/catalog.py``: the same path as the
notebook tests. The baseline, measured in the same run, is a one-cell notebook taken through that
path (papermill, a fresh kernel, the localcloud environment): the fixed cost every notebook pays,
so each notebook's ratio to it is what its own work costs. Not run as a test.

``--from-report`` prints the seconds ``build/notebooks/report.json`` holds from the last run of
the notebook tests instead (no baseline: those runs were not timed together with one).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import nbformat
from table import Row, format_table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "notebooks"))
from catalog import BUILD_DIR, REPO, discover_notebooks  # noqa: E402 (path set just above)
from harness import execute  # noqa: E402

BENCHMARK = "notebooks"
#: The baseline notebook, written under build/ (the harness takes repository-relative paths).
BARE_NOTEBOOK = Path("build") / "bench" / "one-cell.ipynb"
REPORT = BUILD_DIR / "report.json"


def _write_bare_notebook() -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("print('ready')")]
    path = REPO / BARE_NOTEBOOK
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return BARE_NOTEBOOK


def _timed(notebook: Path, environ: dict[str, str], runs: int, parameters=None) -> list[float]:
    """Seconds of each of ``runs`` executions; a failed run ends the series with an error."""
    seconds = []
    for _ in range(runs):
        result = execute(notebook, environ, parameters)
        if result.returncode != 0:
            raise RuntimeError(f"{notebook} failed (exit {result.returncode}); executed copy: "
                               f"{result.output}\n{result.log[-2000:]}")
        seconds.append(result.seconds)
    return seconds


def selected(match: list[str] | None) -> list[Path]:
    notebooks = discover_notebooks()
    if not match:
        return notebooks
    return [path for path in notebooks if any(text in path.as_posix() for text in match)]


def measured_rows(notebooks: list[Path], runs: int) -> list[Row]:
    """Run the notebooks ``runs`` times each against a private localcloud; one row each."""
    from localcloud import LocalCloud

    with tempfile.TemporaryDirectory(prefix="bench-notebooks-") as state_dir, \
            LocalCloud(state_dir=state_dir, port=0) as cloud:
        environ = cloud.environ()
        baseline = statistics.median(_timed(_write_bare_notebook(), environ, runs, {}))
        rows = [Row(BENCHMARK, "one-cell notebook (the baseline)", f"{baseline:.1f} s", "1.0x",
                    runs)]
        total = 0.0
        for notebook in notebooks:
            try:
                seconds = statistics.median(_timed(notebook, environ, runs))
            except RuntimeError as error:
                print(error, file=sys.stderr)
                rows.append(Row(BENCHMARK, notebook.as_posix(), "failed", "", runs))
                continue
            total += seconds
            rows.append(Row(BENCHMARK, notebook.as_posix(), f"{seconds:.1f} s",
                            f"{seconds / baseline:.1f}x", runs))
    rows.append(Row(BENCHMARK, f"all {len(notebooks)} notebooks, one after another",
                    f"{total:.0f} s", f"{total / baseline:.0f}x", runs))
    return rows


def reported_rows(notebooks: list[Path]) -> list[Row]:
    """The seconds the last run of the notebook tests recorded, one row per notebook."""
    if not REPORT.exists():
        raise SystemExit(f"{REPORT.relative_to(REPO)} does not exist: run the notebook tests "
                         "(make test) first, or leave out --from-report")
    report = json.loads(REPORT.read_text())
    rows, total = [], 0.0
    for notebook in notebooks:
        seconds = report.get(notebook.as_posix(), {}).get("seconds")
        if seconds is None:
            rows.append(Row(BENCHMARK, notebook.as_posix(), "not in the report", "", 0))
            continue
        total += seconds
        rows.append(Row(BENCHMARK, notebook.as_posix(), f"{seconds:.1f} s",
                        "last test run", 1))
    rows.append(Row(BENCHMARK, "all notebooks in the report", f"{total:.0f} s", "last test run",
                    1))
    return rows


def rows(runs: int = 1, match: list[str] | None = None, from_report: bool = False) -> list[Row]:
    """The notebook rows of the benchmark table (``bench/run.py`` calls this)."""
    notebooks = selected(match)
    return reported_rows(notebooks) if from_report else measured_rows(notebooks, runs)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--match", nargs="+", metavar="TEXT",
                        help="only the notebooks whose path contains one of these texts")
    parser.add_argument("--from-report", action="store_true",
                        help="print the times of the last test run instead of running notebooks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of each notebook (median)")
    add_arguments(parser)
    args = parser.parse_args()
    print(format_table(rows(args.runs, args.match, args.from_report)))


if __name__ == "__main__":
    main()
