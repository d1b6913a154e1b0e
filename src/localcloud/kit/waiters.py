"""Short-delay waiter models for every client pointed at localcloud, through ``AWS_DATA_PATH``.

botocore's waiters (``aws sagemaker wait endpoint-in-service``, ``client.get_waiter(...)``)
sleep the delay of their model between polls: 30 s for an endpoint, 120 s for a training job,
sized for AWS where those take minutes. localcloud deploys in about a second, so the CLI's
waiter would sleep 30 s for one second of work. botocore (and the AWS CLI's own copy of it)
looks for data files in the folders ``AWS_DATA_PATH`` names before its own ``data/`` folder, so
the service writes copies of the waiter models with the kit's poll interval as their delay, and
as many more attempts as keep each waiter's total patience unchanged. Neither client changes;
a waiter given an explicit ``WaiterConfig`` keeps it.

Only the waiter files are shadowed (the service models still come from each client's own
botocore), and they are copied from the service's botocore: the AWS CLI's copy differs only in
waiters of resources localcloud does not implement (SageMaker images).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

#: The services localcloud serves that have waiters worth shortening.
SERVICES = ("sagemaker", "s3", "lambda", "iam")
WAITERS_FILE = "waiters-2.json"


def fast_model(model: dict, delay: float) -> dict:
    """``model`` with every waiter polling each ``delay`` seconds for as long as before."""
    waiters = {}
    for name, waiter in model.get("waiters", {}).items():
        patience = waiter["delay"] * waiter["maxAttempts"]
        shortened = min(waiter["delay"], delay)
        waiters[name] = {**waiter, "delay": shortened,
                         "maxAttempts": max(waiter["maxAttempts"],
                                            math.ceil(patience / shortened))}
    return {**model, "waiters": waiters}


def write_fast_waiters(data_dir: Path, delay: float) -> Path:
    """Write the shortened waiter models under ``data_dir`` (the folder for ``AWS_DATA_PATH``)."""
    import botocore

    source = Path(botocore.__file__).parent / "data"
    for service in SERVICES:
        for original in sorted((source / service).glob(f"*/{WAITERS_FILE}")):
            target = data_dir / service / original.parent.name / WAITERS_FILE
            target.parent.mkdir(parents=True, exist_ok=True)
            model = fast_model(json.loads(original.read_text()), delay)
            target.write_text(json.dumps(model, indent=1))
    return data_dir
