"""The Lambda function behind the IMDB web app: review text in, sentiment out.

API Gateway's Lambda proxy integration hands the function the HTTP request as ``event`` (the
review is the request body) and turns the dictionary it returns into the HTTP response.

The function packs three files into its deployment package: this one, ``text_lite.py`` (the
course's dependency-free text helpers, ``mlcourse.text.lite``) and ``vocabulary.json``, the
vocabulary the model was trained with. The endpoint's name comes from the environment variable
``ENDPOINT_NAME``, so the same code works for any deployment.
"""

import json
import os

import boto3
from text_lite import bow_encoding, simple_words, to_csv_row

# Loaded once per warm worker, not once per request.
with open(os.path.join(os.path.dirname(__file__), "vocabulary.json")) as vocabulary_file:
    VOCABULARY = json.load(vocabulary_file)
RUNTIME = boto3.client("sagemaker-runtime")


def lambda_handler(event, context):
    """Answer ``{"sentiment": "positive" | "negative", "score": probability}``."""
    review = event.get("body") or ""
    if not review.strip():
        return respond(400, {"error": "Send the text of a review as the request body."})
    features = bow_encoding(simple_words(review), VOCABULARY)
    answer = RUNTIME.invoke_endpoint(EndpointName=os.environ["ENDPOINT_NAME"],
                                     ContentType="text/csv", Body=to_csv_row(features))
    score = float(answer["Body"].read().decode("utf-8"))
    sentiment = "positive" if score > 0.5 else "negative"
    print(f"{sentiment} ({score:.3f}) for a review of {len(review)} characters")
    return respond(200, {"sentiment": sentiment, "score": round(score, 4)})


def respond(status, document):
    """A proxy-integration answer. The CORS header lets a page from any origin read it."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        "body": json.dumps(document),
    }
