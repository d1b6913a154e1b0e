"""Shared by the test scripts: write what the training toolkit handed the script to model_dir.

``environment.json`` holds every ``SM_*`` variable, the command-line arguments and the few other
variables the toolkit exports, so a test can compare them with what AWS's toolkit sets.
"""

import json
import os
import sys

EXPORTED = ("SAGEMAKER_JOB_NAME", "CURRENT_HOST", "SAGEMAKER_REGION", "TRAINING_JOB_NAME",
            "OMP_NUM_THREADS", "PYTHONPATH")


def record_environment(model_dir: str) -> None:
    """Save SM_* variables, argv and the working directory as ``environment.json``."""
    recorded = {
        "argv": sys.argv[1:],
        "cwd": os.getcwd(),
        "env": {name: value for name, value in os.environ.items()
                if name.startswith("SM_") or name in EXPORTED},
    }
    with open(os.path.join(model_dir, "environment.json"), "w") as file:
        json.dump(recorded, file, indent=1)
