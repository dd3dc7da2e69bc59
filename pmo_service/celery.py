"""The Celery application and the one helper that enqueues tasks after commit.

Policy, in one place:
- JSON only (tasks take primary keys and plain values, never pickled objects);
- soft and hard time limits and the Redis visibility timeout (kept above the hard limit so a
  long task is never redelivered while it still runs) come from settings/base.py;
- ``acks_late`` + ``reject_on_worker_lost``: a task whose worker dies is redelivered, which is
  why every task must be idempotent (re-check state, upsert);
- prefetch 1, so a slow task does not hold others hostage;
- the beat schedule is declared here and nowhere else.
"""

import logging
import os
from datetime import timedelta
from functools import partial
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import Celery
from celery.schedules import crontab
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo_service.settings.local")

logger = logging.getLogger(__name__)
# What an unreachable broker raises when a task is sent.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)

app = Celery("pmo_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_track_started=False,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
)


app.autodiscover_tasks()

# Periodic work, declared in one place.
app.conf.beat_schedule = {
    "purge-expired-sessions": {
        "task": "stakeholders.tasks.purge_expired_sessions",
        "schedule": timedelta(hours=6),
    },
    "recompute-all-engagement-metrics": {
        "task": "engagements.tasks.recompute_all_metrics",
        "schedule": crontab(hour=2, minute=30),
    },
    "sweep-stale-engagement-metrics": {
        "task": "engagements.tasks.sweep_stale_metrics",
        "schedule": timedelta(minutes=5),
    },
    "detect-improvement-bottlenecks": {
        "task": "improvement.tasks.detect_bottlenecks",
        "schedule": crontab(hour=3, minute=15),
    },
    # E-mails whose task could not be sent (broker down) are found by their missing stamp.
    "resend-unsent-invitations": {
        "task": "stakeholders.tasks.resend_unsent_invitations",
        "schedule": timedelta(minutes=15),
    },
    "resend-unsent-request-notifications": {
        "task": "catalog.tasks.resend_unsent_notifications",
        "schedule": timedelta(minutes=15),
    },
}


def _send_after_commit(task: Any, args: tuple, kwargs: dict) -> None:
    """The change is committed: a broker outage must not turn its answer into an error.

    The metrics recompute has its own reconciliation (the stale mark and the sweep); the
    e-mail tasks stamp their row when sent (``notified_at``, ``invitation_sent_at``), so an
    unsent one stays findable, and periodic sweeps send them again
    (``resend_unsent_notifications``, ``resend_unsent_invitations``). The failure is logged
    at ERROR with the task and its ids.
    """
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except BROKER_ERRORS as error:
        logger.error(
            "Could not enqueue %s%r (%s); the change is committed, the task was not sent.",
            getattr(task, "name", task), args, error,
        )


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` with these arguments once the current transaction commits.

    A rolled-back transaction enqueues nothing, and the worker never sees a primary key whose
    row is not yet visible. Outside a transaction the task is sent at once.
    """
    transaction.on_commit(partial(_send_after_commit, task, args, kwargs), robust=False)


# Sweeps of rows whose task never ran: each sends at most this many a run.
SWEEP_BATCH = 500


def resend_unstamped(task: Any, pending_ids: Any, what: str) -> int:
    """Send ``task`` again for each id of ``pending_ids`` (a queryset of ids, oldest first):
    the rows a task stamps when done but which carry no stamp, because the broker was down
    when the task was to be sent. Bounded per run; the next run takes the rest. The tasks
    lock and stamp their row, so one that was on its way after all still acts once."""
    ids = list(pending_ids[:SWEEP_BATCH])
    for pk in ids:
        task.delay(pk)
    if ids:
        logger.info("Sent again %d %s that were never sent", len(ids), what)
    return len(ids)
