"""Liveness and readiness probes."""

from unittest import mock

import pytest
from django.db import connection


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django raises on any database access, so this proves none.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_ready_in_embedded_mode(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


@pytest.mark.django_db
def test_readyz_names_the_database_when_it_is_down(client):
    # The probe's reporting; tests/platform/test_db_down.py runs it against a database that
    # is really unreachable (a closed port, in a separate process).
    with mock.patch.object(connection, "cursor", side_effect=OSError("connection refused")):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["database"]
    assert "connection refused" in body["checks"]["database"]["detail"]


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_ready_with_a_real_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.TEST_BROKER_URL
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
