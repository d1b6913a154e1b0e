"""Loaded at interpreter start-up when the localcloud kit is on PYTHONPATH.

It installs :mod:`localcloud.kit.hooks` only when ``LOCALCLOUD_ENDPOINT_URL`` is set, then
chains to any other ``sitecustomize`` further down the path so nothing the system relies on
is lost.
"""

import importlib.util
import os
import sys

if os.environ.get("LOCALCLOUD_ENDPOINT_URL"):
    try:
        from localcloud.kit import hooks

        hooks.install()
    except ImportError:  # a Python without localcloud installed: nothing to do
        pass


def _chain_next_sitecustomize() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in sys.path:
        if os.path.abspath(entry or ".") == here:
            continue
        candidate = os.path.join(entry, "sitecustomize.py")
        if os.path.isfile(candidate):
            spec = importlib.util.spec_from_file_location("_next_sitecustomize", candidate)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return


_chain_next_sitecustomize()
