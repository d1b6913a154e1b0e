"""All the benchmarks, printed as one table.

    .venv/bin/python bench/run.py [--only cycle endpoints notebooks] [--runs N]
                                  [--match TEXT ...] [--from-report]

Imports each benchmark module of ``BENCHMARKS`` found in this folder and calls its
``rows(runs)`` (see ``table.py``): the SDK cycle against in-process work (``cycle.py``), the
endpoints' InvokeEndpoint latencies and update time (``endpoints.py``) and each notebook's time
with its CI parameters (``notebooks.py``; ``--match`` and ``--from-report`` are its options).
Every ratio is taken against a baseline measured in the same run. Not run as a test: the whole
table takes about as long as the notebook tests (use ``--only`` for a part).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

import notebooks
from table import Row, format_table

#: The modules whose rows make the table, in the table's order.
BENCHMARKS = ("cycle", "endpoints", "notebooks")


def _rows_of(name: str, args: argparse.Namespace) -> list[Row]:
    if name == notebooks.BENCHMARK:
        return notebooks.rows(args.runs, args.match, args.from_report)
    if importlib.util.find_spec(name) is None:
        return [Row(name, f"bench/{name}.py is not there", "-", "", 0)]
    module = importlib.import_module(name)
    if not hasattr(module, "rows"):
        return [Row(name, f"bench/{name}.py has no rows(): run it on its own", "-", "", 0)]
    return list(module.rows(args.runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS),
                        help="the benchmarks to run (default: all)")
    parser.add_argument("--runs", type=int, default=1,
                        help="runs of each measurement (the table shows the median)")
    notebooks.add_arguments(parser)
    args = parser.parse_args()
    rows = []
    for name in args.only:
        print(f"running bench/{name}.py ...", file=sys.stderr, flush=True)
        rows.extend(_rows_of(name, args))
    print(format_table(rows))


if __name__ == "__main__":
    main()
