"""Benchmark: the web app's request path, API Gateway -> Lambda -> endpoint, against its parts.

    .venv/bin/python bench/webapp_latency.py [--calls 100]

Builds the IMDB web app of the tutorial on a fresh localcloud (tests/browser/webapp_stack.py:
the tutorial's function and page, a model trained in-process on the IMDB sample), then times, in
one run on this machine, ``--calls`` warm calls of each hop with the same review:

1. baseline: ``InvokeEndpoint`` with the review's bag-of-words CSV row (boto3);
2. ``Lambda Invoke`` of the function with a proxy event (boto3): encoding + InvokeEndpoint;
3. an HTTP POST to the API's execute-api URL (requests): API Gateway + Lambda + endpoint.

Prints p50/p90 of each and their ratio to the baseline, so the figures mean the same on any
machine. Not run as a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

REVIEW = ("A wonderful, moving masterpiece. Brilliant acting, a gripping story and a superb "
          "cast: a true delight from start to finish.")


def timed(call, count: int) -> list[float]:
    call()  # warm: the first call of a hop may start a worker or open a connection
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        durations.append(time.perf_counter() - started)
    return durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()

    from localcloud import LocalCloud
    from localcloud.kit import hooks

    with tempfile.TemporaryDirectory() as tmp, LocalCloud(state_dir=Path(tmp) / "state") as cloud:
        os.environ.update(cloud.environ())
        hooks.install()
        import boto3
        import requests
        from webapp_stack import WebApp

        import mlcourse.text.lite as text_lite

        app = WebApp(Path(tmp)).build()
        try:
            runtime = boto3.client("sagemaker-runtime")
            lam = boto3.client("lambda")
            http = requests.Session()
            row = text_lite.to_csv_row(text_lite.bow_encoding(text_lite.simple_words(REVIEW),
                                                              app.vocabulary))
            event = json.dumps({"body": REVIEW}).encode()
            hops = {
                "InvokeEndpoint (baseline)": lambda: runtime.invoke_endpoint(
                    EndpointName=app.endpoint_name, ContentType="text/csv",
                    Body=row)["Body"].read(),
                "Lambda Invoke -> endpoint": lambda: lam.invoke(
                    FunctionName=app.function_name, Payload=event)["Payload"].read(),
                "HTTP POST -> API Gateway -> Lambda -> endpoint": lambda: http.post(
                    app.api_url, data=REVIEW.encode(), timeout=30).raise_for_status(),
            }
            results = {name: timed(call, args.calls) for name, call in hops.items()}
        finally:
            app.teardown()

    baseline = statistics.median(results["InvokeEndpoint (baseline)"])
    for name, durations in results.items():
        p50 = statistics.median(durations)
        p90 = float(np.percentile(durations, 90))
        print(f"{name}: p50 {p50 * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms over {len(durations)} "
              f"calls ({p50 / baseline:.1f}x the InvokeEndpoint p50)")


if __name__ == "__main__":
    main()
