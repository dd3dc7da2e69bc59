"""Background work of the engagements: keeping their metrics current.

Tasks take primary keys, call the metrics computation and are idempotent (they upsert the
current metrics and the day's snapshot), so a redelivered or duplicated task is harmless.
Database hiccups are retried with backoff; time limits come from the Celery settings.
"""

import contextlib
import logging

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from .metrics import compute
from .models import Engagement

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=300, max_retries=6,
)
def recompute_engagement_metrics(engagement_id: int) -> str:
    """Recompute one engagement's metrics and today's snapshot.

    The pending mark is cleared *before* reading, so a change committed while this runs
    enqueues a fresh recompute instead of being swallowed by this one. An unreachable cache
    only costs the coalescing (the mark expires on its own): the recompute still runs.
    """
    with contextlib.suppress(*compute.BROKER_ERRORS):
        cache.delete(compute.pending_key(engagement_id))
    try:
        compute.recompute_engagement(engagement_id)
    except Engagement.DoesNotExist:
        logger.info("Engagement %s is gone; no metrics to recompute", engagement_id)
        return "missing"
    return "recomputed"


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3)
def recompute_all_metrics() -> int:
    """Nightly: recompute every open engagement (set-based) and write the day's snapshots."""
    return compute.recompute_all()


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3)
def sweep_stale_metrics() -> int:
    """Every few minutes: recompute metrics left stale, e.g. while the broker was down."""
    return compute.sweep_stale()
