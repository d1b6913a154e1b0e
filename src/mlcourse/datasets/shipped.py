"""Where the datasets the course ships (``data/`` at the top of the repository) are found.

Notebooks run from ``Tutorials/``, ``Mini-Projects/`` or ``Case-Studies/<study>/``, tests from
the repository root, and the package is installed in editable mode, so the folder is found by
looking in ``$MLCOURSE_DATA_DIR`` first, then beside the ``src/`` folder this package lives in,
then in the current directory and its parents.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "MLCOURSE_DATA_DIR"
_MARKER = "README.md"  # data/README.md documents every shipped file


def _candidates() -> list[Path]:
    candidates = []
    if os.environ.get(DATA_DIR_ENV):
        candidates.append(Path(os.environ[DATA_DIR_ENV]))
    candidates.append(Path(__file__).resolve().parents[3] / "data")
    here = Path.cwd().resolve()
    candidates.extend(folder / "data" for folder in (here, *here.parents))
    return candidates


def shipped_data_dir() -> Path:
    """The repository's ``data/`` folder; a clear error naming where it looked otherwise."""
    candidates = _candidates()
    for folder in candidates:
        if (folder / _MARKER).is_file():
            return folder
    looked = ", ".join(str(c) for c in candidates[:4])
    raise FileNotFoundError(f"Cannot find the course's data/ folder (looked in {looked}, ...). "
                            f"Run from inside the repository or set {DATA_DIR_ENV}.")


def shipped_file(name: str) -> Path:
    path = shipped_data_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; it ships with the repository "
                                "(see data/README.md for how it is built)")
    return path
