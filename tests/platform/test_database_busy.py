"""A database that answered but could not finish (a timeout, a deadlock) gets its own 503:
"too busy, nothing saved, retry in 5 s", not "cannot reach the database" (30 s)."""

import pytest
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory

from pmo_service.errors import database_busy, service_unavailable
from pmo_service.middleware import DatabaseUnavailableMiddleware

pytestmark = pytest.mark.django_db


def _sleep_past_a_timeout() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '10ms'")
        cursor.execute("SELECT pg_sleep(1)")


def _statement_timeout() -> OperationalError:
    """The error PostgreSQL itself raises when a statement runs past its timeout."""
    with pytest.raises(OperationalError) as raised:
        _sleep_past_a_timeout()
    return raised.value


@pytest.mark.postgres
def test_a_statement_timeout_is_answered_as_busy_with_a_short_retry():
    error = _statement_timeout()
    assert database_busy(error)

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    api = middleware.process_exception(RequestFactory().get("/api/v1/engagements/"), error)
    assert api.status_code == 503
    assert api["Retry-After"] == "5"
    assert b"too busy" in api.content
    page = middleware.process_exception(RequestFactory().get("/engagements/"), error)
    assert page.status_code == 503
    assert b"too busy to finish your request" in page.content
    assert b"try again in 5 seconds" in page.content


def test_an_unreachable_database_keeps_its_own_answer():
    refused = OperationalError('connection to server at "127.0.0.1", port 1 failed: refused')
    assert not database_busy(refused)
    response = service_unavailable(RequestFactory().get("/api/v1/me/"), refused)
    assert response["Retry-After"] == "30"
    assert b"cannot reach its database" in response.content


def test_sqlite_writer_lock_is_busy_and_other_errors_are_not():
    assert database_busy(OperationalError("database is locked"))
    assert not database_busy(OperationalError("no such table: x"))
    assert not database_busy(None)
