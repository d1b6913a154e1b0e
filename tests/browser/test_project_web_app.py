"""The sentiment project's web app in a real browser (headless Chromium through Playwright).

``solutions/Mini-Projects/website/index.html`` is served on 127.0.0.1 with the URL of a REST API
filled in; the API calls the project's ``website/lambda_function.py``, which passes the raw
review to an endpoint running the project's ``serve/predict.py`` on an LSTM trained with the
project's ``train/`` code. The test types a clearly positive and a clearly negative review,
clicks *Submit* and reads the verdict the page shows; an empty review shows the function's error.
A screenshot is kept in ``build/browser/``.
"""

from __future__ import annotations

import pytest
import requests
from webapp_stack import REPO, ProjectWebApp

SCREENSHOT = REPO / "build" / "browser" / "sentiment-project.png"
REVIEWS = [
    ("A wonderful, moving masterpiece. Brilliant acting, a gripping story and a superb cast: "
     "a true delight from start to finish.", "positive", "1"),
    ("A boring, awful mess. Dull, predictable and painfully slow: a complete waste of time and "
     "the most disappointing film of the year.", "negative", "0"),
]

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def project_app(aws_env, tmp_path_factory):
    app = ProjectWebApp(tmp_path_factory.mktemp("project-app"))
    try:
        yield app.build(n_reviews=4000, vocabulary_size=1000)
    finally:
        app.teardown()


def test_api_passes_raw_reviews_to_the_lstm_endpoint(project_app):
    """The page's request without a browser: raw text in, the endpoint's 1 or 0 out."""
    for review, _, answer in REVIEWS:
        response = requests.post(project_app.api_url, data=review.encode(), timeout=60)
        assert response.status_code == 200, response.text
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.text == answer, f"{answer!r} expected for {review[:40]!r}"


def test_page_shows_the_verdict(chromium, project_app):
    page = chromium.new_page()
    requests_seen = []
    page.on("request", lambda request: requests_seen.append(request))
    page.goto(project_app.page.url)
    assert page.title() == "Sentiment analysis web app"
    for review, sentiment, _ in REVIEWS:
        page.fill("#review", review)
        page.click("#submit")
        page.wait_for_selector(f"#verdict.{sentiment}", timeout=60_000)
        assert page.inner_text("#verdict") == f"Your review was {sentiment.upper()}!"
    posted = [request for request in requests_seen if request.method == "POST"]
    assert [request.url for request in posted] == [project_app.api_url] * len(REVIEWS)
    assert [request.post_data for request in posted] == [review for review, _, _ in REVIEWS]
    assert {request.headers["content-type"] for request in posted} == {"text/plain"}
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.close()


def test_an_empty_review_shows_the_functions_error(chromium, project_app):
    page = chromium.new_page()
    page.goto(project_app.page.url)
    page.fill("#review", "   ")  # the function answers 400 to an empty review
    page.click("#submit")
    page.wait_for_selector("#verdict.error", timeout=60_000)
    assert "Send the text of a review" in page.inner_text("#verdict")
    page.close()
