"""The browser the page tests click with: Debian's Chromium, driven by Playwright, headless.

Chromium comes from the system (``apt-get install -y chromium``), never from a Playwright
download. Without it the tests that need it are skipped with a message saying so, except in CI
(``CI=true``), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _browser_missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return (f"Chromium is not installed ({CHROMIUM} is missing): install it with "
                "`apt-get update && apt-get install -y chromium` (.ci/run does so in CI)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is missing: run `make setup`"
    return None


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for every page test of the session."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the browser test: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            # --no-sandbox: Chromium's sandbox needs user namespaces CI containers lack. The
            # unreachable proxy keeps the browser on loopback (Chromium never proxies loopback).
            args=["--headless", "--no-sandbox", "--no-first-run", "--disable-component-update",
                  "--disable-background-networking", "--disable-sync",
                  "--proxy-server=http://127.0.0.1:9"])
        yield browser
        browser.close()
