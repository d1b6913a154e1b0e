"""The IMDB web app in a real browser: Debian's Chromium, driven by Playwright, headless.

Also the same path without a browser (HTTP POST -> API Gateway -> Lambda -> endpoint), which runs
whether Chromium is installed or not.

The page of ``Tutorials/web_app/index.html`` is served on 127.0.0.1 with the URL of a REST API
filled in; the API calls the tutorial's Lambda function, which calls an XGBoost endpoint. The
test types a clearly positive and a clearly negative review, clicks, and reads the answers the
page shows. A screenshot and the click-to-answer times are kept in ``build/browser/``.

Chromium and its fixture: see ``conftest.py``.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
from webapp_stack import REPO, WebApp

OUTPUT_DIR = REPO / "build" / "browser"
SCREENSHOT = OUTPUT_DIR / "imdb-web-app.png"
REVIEWS = [
    ("A wonderful, moving masterpiece. Brilliant acting, a gripping story and a superb cast: "
     "a true delight from start to finish.", "positive"),
    ("A boring, awful mess. Dull, predictable and painfully slow: a complete waste of time and "
     "the most disappointing film of the year.", "negative"),
]


@pytest.fixture(scope="module")
def web_app(aws_env, tmp_path_factory):
    app = WebApp(tmp_path_factory.mktemp("webapp"))
    try:
        yield app.build()
    finally:
        app.teardown()


def test_api_answers_through_lambda_and_endpoint(web_app):
    """API Gateway -> Lambda -> SageMaker endpoint over HTTP, without a browser."""
    for review, sentiment in REVIEWS:
        response = requests.post(web_app.api_url, data=review.encode(), timeout=30)
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.json()["sentiment"] == sentiment
    empty = requests.post(web_app.api_url, data=b"", timeout=30)
    assert empty.status_code == 400 and "review" in empty.json()["error"]


def test_page_answers_positive_and_negative_reviews(chromium, web_app):
    page = chromium.new_page()
    page.goto(web_app.page.url)
    assert page.title() == "Movie review sentiment"
    click_to_answer = []
    for review, sentiment in REVIEWS:
        page.fill("#review", review)
        clicked = time.perf_counter()
        page.click("#submit")
        page.wait_for_selector(f"#answer.{sentiment}", timeout=30_000)
        click_to_answer.append(time.perf_counter() - clicked)
        shown = page.inner_text("#answer")
        assert shown.startswith(f"Your review was {sentiment.upper()}!"), shown
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    (OUTPUT_DIR / "click-to-answer.json").write_text(json.dumps(
        {"seconds": click_to_answer, "screenshot": str(SCREENSHOT)}, indent=1))
    page.close()
    assert SCREENSHOT.stat().st_size > 0


def test_api_error_is_shown_on_the_page(chromium, web_app):
    page = chromium.new_page()
    page.goto(web_app.page.url)
    page.fill("#review", "   ")  # the function answers 400 to an empty review
    page.click("#submit")
    page.wait_for_selector("#answer.error", timeout=30_000)
    assert "Send the text of a review" in page.inner_text("#answer")
    page.close()
