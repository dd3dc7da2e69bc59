"""PostgreSQL unreachable: a clear 503 (page or JSON) with Retry-After, never a traceback.

The application runs in a separate process whose ``DATABASE_URL`` points at a port where
nothing listens, so every connection attempt really fails, as in an outage: no mock. It
answers a public page, an API list, a signed-in style page and the readiness probe, and
prints what a client would see; the test reads that output, stderr (the logs) included.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError

from pmo_service import errors

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "postgres://postgres@127.0.0.1:1/pmo_unreachable"

SCRIPT = """
import json
import django
django.setup()
from django.test import Client

client = Client(raise_request_exception=False)
answers = {}
for url in ("/catalog/", "/api/v1/services/", "/accounts/login/", "/readyz", "/healthz"):
    response = client.get(url)
    answers[url] = {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "content_type": response.get("Content-Type"),
        "body": response.content.decode(),
    }
response = client.post("/api/v1/organizations/", data={"name": "x"},
                       content_type="application/json")
answers["POST /api/v1/organizations/"] = {"status": response.status_code,
                                           "body": response.content.decode()}
print("ANSWERS" + json.dumps(answers))
"""


@pytest.fixture(scope="module")
def outage():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmo_service.settings.test",
        "DATABASE_URL": UNREACHABLE,
    }
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    answers = json.loads(done.stdout.split("ANSWERS", 1)[1])
    return answers, output


def test_pages_answer_a_clear_503_page(outage):
    answers, _output = outage
    for url in ("/catalog/", "/accounts/login/"):
        answer = answers[url]
        assert answer["status"] == 503, (url, answer)
        assert answer["retry_after"] == "30"
        assert answer["content_type"].startswith("text/html")
        assert "<h1>Temporarily unavailable</h1>" in answer["body"]
        assert "cannot reach its database right now" in answer["body"]


def test_the_api_answers_a_json_503(outage):
    answers, _output = outage
    for url in ("/api/v1/services/", "POST /api/v1/organizations/"):
        answer = answers[url]
        assert answer["status"] == 503, (url, answer)
        assert "cannot reach its database" in json.loads(answer["body"])["detail"]
    assert answers["/api/v1/services/"]["retry_after"] == "30"


def test_readyz_names_the_unreachable_database_and_healthz_stays_up(outage):
    answers, _output = outage
    ready = answers["/readyz"]
    assert ready["status"] == 503
    body = json.loads(ready["body"])
    assert body["down"] == ["database"]
    assert "OperationalError" in body["checks"]["database"]["detail"]
    assert answers["/healthz"]["status"] == 200


def test_no_traceback_reaches_clients_or_the_logs(outage):
    answers, output = outage
    assert "Traceback" not in output
    assert all("Traceback" not in answer["body"] for answer in answers.values())
    # The outage is logged, once per request, as one line.
    assert "Database unavailable on GET /catalog/" in output


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
@pytest.mark.parametrize(("url", "kind"), [("/catalog/", "text/html"),
                                           ("/api/v1/services/", "application/json")])
def test_an_outage_met_outside_a_view_is_a_503_too(rf, error, url, kind):
    """A middleware that touches the database raises outside the view: Django's 500 handler
    is all that sees it, and it answers the same 503."""
    try:
        raise error("connection refused")
    except error:
        response = errors.server_error(rf.get(url))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith(kind)
    try:
        raise ValueError("a bug")
    except ValueError:
        assert errors.server_error(rf.get(url)).status_code == 500
