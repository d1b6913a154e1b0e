# GENERATED from solutions/Mini-Projects/website/lambda_function.py
# by `python -m mlcourse.grading generate`; maintainers edit that file, not this one.
"""The Lambda function behind the project's web page: the review goes to the endpoint as it is.

API Gateway's Lambda proxy integration hands over the page's HTTP request as ``event`` (the review
is its body) and turns the returned dictionary into the HTTP response. Unlike the XGBoost web
app, this function does no preprocessing: the endpoint's ``predict.py`` turns raw text into the
model's input, so the function only needs the endpoint's name (``ENDPOINT_NAME``).
"""

import json
import os

import boto3

RUNTIME = boto3.client("sagemaker-runtime")


def lambda_handler(event, context):
    """Answer the endpoint's verdict, ``1`` (positive) or ``0`` (negative), as plain text."""
    review = event.get("body") or ""
    if not review.strip():
        return respond(400, "Send the text of a review as the request body.")
    # TODO: call the endpoint named by the ENDPOINT_NAME environment variable with the review as
    #       a text/plain body, and answer respond(200, <the endpoint's answer as text>)
    raise NotImplementedError("TODO: call the endpoint named by the ENDPOINT_NAME environment variable with the review as a text/plain body, and answer respond(200, <the endpoint's answer as text>)")


def respond(status, text):
    """A proxy-integration answer. The CORS header lets a page from any origin read it."""
    return {"statusCode": status,
            "headers": {"Content-Type": "text/plain", "Access-Control-Allow-Origin": "*"},
            "body": text}
