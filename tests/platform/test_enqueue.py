"""enqueue_on_commit: a broker outage after commit is logged, never raised to the user."""

import logging
from unittest import mock

import kombu.exceptions
import pytest
from django.db import transaction

from pmo_service.celery import app, enqueue_on_commit


@app.task(name="tests.platform.noop")
def noop(item_id: int) -> None:
    """A task for these tests only."""


@pytest.mark.django_db
def test_a_broker_outage_after_commit_is_logged_not_raised(
    django_capture_on_commit_callbacks, caplog,
):
    refused = kombu.exceptions.OperationalError("Error 111 connecting to redis:6379.")
    with (
        mock.patch.object(noop, "apply_async", side_effect=refused) as send,
        caplog.at_level(logging.ERROR, logger="pmo_service.celery"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        enqueue_on_commit(noop, 42)
    send.assert_called_once_with(args=(42,), kwargs={})
    assert "tests.platform.noop(42,)" in caplog.text
    assert "the change is committed, the task was not sent" in caplog.text


@pytest.mark.django_db
def test_other_errors_still_surface(django_capture_on_commit_callbacks):
    """Only an unreachable broker is tolerated; a programming error is not swallowed."""
    with (
        pytest.raises(TypeError),
        mock.patch.object(noop, "apply_async", side_effect=TypeError("bad arguments")),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        enqueue_on_commit(noop, 42)
