"""Entry point of a localcloud container: ``python -m localcloud.containers train|serve ALGORITHM``.

The job runner and the host manager start this as a subprocess with ``LOCALCLOUD_ML_ROOT`` set,
exactly as SageMaker starts an image with ``train`` or ``serve`` as its argument.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback

from .contract import MLPaths
from .errors import failure_reason
from .registry import load_algorithm
from .serving import serve

log = logging.getLogger("localcloud.container")


def run_training(algorithm: str) -> int:
    """Train, recording any failure in ``output/failure`` as real containers do."""
    paths = MLPaths.from_env()
    try:
        load_algorithm(algorithm).train(paths)
    except Exception as error:  # every failure must reach FailureReason, whatever it is
        reason = failure_reason(error)
        log.error("%s", reason)
        log.debug("%s", traceback.format_exc())
        paths.write_failure(reason)
        return 1
    return 0


def run_serving(algorithm: str) -> int:
    """Serve the model in ``model/`` until terminated."""
    serve(load_algorithm(algorithm).Handler())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localcloud.containers")
    parser.add_argument("mode", choices=["train", "serve"])
    parser.add_argument("algorithm")
    args = parser.parse_args(argv)
    # Containers log to stdout/stderr; the platform ships those lines to CloudWatch Logs.
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="[%(asctime)s %(levelname)s %(name)s] %(message)s")
    runner = run_training if args.mode == "train" else run_serving
    return runner(args.algorithm)


if __name__ == "__main__":
    sys.exit(main())
