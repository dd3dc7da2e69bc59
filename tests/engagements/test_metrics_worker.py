"""Engagement metrics kept current by a real Celery worker over Redis, end to end.

- a committed time entry, and then its correction (new hours), show in the stored metrics
  within seconds (the measured delays are printed);
- a worker killed with SIGKILL in the middle of a burst of recomputes loses nothing: its
  unacknowledged task is redelivered to the restarted worker and every engagement converges;
  the beat's sweep reconciles whatever is left stale;
- with the broker unreachable, writes through the service and the API still succeed and
  leave the metrics stale; once the broker is back, the sweep run by a worker converges them.

Needs PostgreSQL and Redis (``worker`` marker: skipped locally without them, a failure in CI).
In-process behaviour (coalescing, rollback, eager sweep) is in test_metrics_compute.py and
test_metrics_tasks.py; this module only adds what needs a real worker and broker.
"""

import os
import signal
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from kombu import Connection, pools
from rest_framework.test import APIClient

from engagements import services
from engagements.choices import EngagementStatus
from engagements.metrics import compute
from engagements.models import EngagementMetrics, Expense
from engagements.tasks import sweep_stale_metrics
from pmo_service.celery import app as celery_app
from tests.factories import (
    AssignmentFactory,
    ConsultantFactory,
    DayRateFactory,
    EngagementFactory,
    StaffUserFactory,
)
from tests.worker_support import private_queue, start_worker, stop_worker, wait_for

__all__ = ["private_queue"]  # a fixture, used by name

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate
# The restarted worker's short limits: a task abandoned by a dead worker is redelivered after
# VISIBILITY seconds (it stays above the hard limit, as settings/base.py requires).
SHORT_LIMITS = {
    "CELERY_TASK_SOFT_TIME_LIMIT": "3", "CELERY_TASK_TIME_LIMIT": "4",
    "CELERY_VISIBILITY_TIMEOUT": "5",
}
VISIBILITY = 5


def _clear_pending_marks(location: str) -> None:
    client = redis.Redis.from_url(location)
    for key in client.scan_iter(match=f"*{compute.pending_key(0)[:-1]}*"):
        client.delete(key)


@pytest.fixture
def shared_cache(settings):
    """One Redis cache for this process and its workers, so the pending marks a worker clears
    are the ones this process set, as in production. (django-environ cannot pass a key prefix
    to Django's Redis backend, so the marks are cleared before and after instead.)"""
    location = settings.TEST_BROKER_URL
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location,
    }}
    _clear_pending_marks(location)
    yield {"CACHE_URL": location.replace("redis://", "rediscache://", 1)}
    _clear_pending_marks(location)


@pytest.fixture
def workers(private_queue, shared_cache):
    """Start workers on the private queue; all are stopped (and their logs printed) after."""
    started = []

    def start(**environment: str):
        process = start_worker(private_queue, **shared_cache, **environment)
        started.append(process)
        return process

    yield start
    for process in started:
        print(stop_worker(process))  # shown by pytest when the test fails


@pytest.fixture
def team():
    """An active engagement with a consultant on the team at 600 a day, and a staff user."""
    start = TODAY() - timedelta(days=30)
    engagement = EngagementFactory(
        status=EngagementStatus.ACTIVE, planned_start=start, planned_end=start + timedelta(90),
        budget_at_completion=Decimal("50000.00"),
    )
    consultant = ConsultantFactory()
    DayRateFactory(consultant=consultant, amount=Decimal("600.00"))
    AssignmentFactory(engagement=engagement, consultant=consultant)
    return {"engagement": engagement, "consultant": consultant, "staff": StaffUserFactory()}


def metrics_of(engagement_id: int) -> EngagementMetrics | None:
    return EngagementMetrics.objects.filter(engagement_id=engagement_id).first()


def current_with(engagement_id: int, ac: Decimal, changed_before) -> bool:
    """The stored metrics show ``ac``, are not stale, and were read after ``changed_before``."""
    metrics = metrics_of(engagement_id)
    return bool(
        metrics and metrics.ac == ac and not metrics.is_stale
        and metrics.as_of is not None and metrics.as_of >= changed_before
    )


def converged(engagement_ids) -> list[int]:
    """The engagements whose stored metrics are current and equal a fresh computation."""
    done = []
    for metrics in EngagementMetrics.objects.filter(engagement_id__in=engagement_ids):
        if metrics.is_stale or metrics.as_of is None:
            continue
        fresh = compute.compute_figures(metrics.engagement_id)
        stored = {name: value for name, value in metrics.figures.items()
                  if name not in ("kpis", "reasons")}
        if stored == fresh["figures"] and metrics.health == fresh["health"]:
            done.append(metrics.engagement_id)
    return sorted(done)


def _wait_until_ready(engagement_id: int) -> None:
    """A first recompute run by the worker: it is up and consuming (not timed)."""
    with transaction.atomic():
        compute.mark_inputs_changed([engagement_id])
    assert wait_for(lambda: not metrics_of(engagement_id).is_stale, 30), "worker not ready"


def test_a_committed_time_entry_and_its_correction_reach_the_metrics(team, workers):
    worker = workers()
    engagement = team["engagement"]
    _wait_until_ready(engagement.pk)
    before = timezone.now()
    started = time.monotonic()
    entry = services.time_entry_create(
        actor=team["staff"], engagement=engagement, consultant=team["consultant"],
        worked_on=TODAY() - timedelta(days=1), hours=Decimal("4"),
    )
    # The write committed (autocommit around the service's atomic block): stale until the
    # worker has run the recompute enqueued after commit.
    assert wait_for(lambda: current_with(engagement.pk, Decimal("300.00"), before), 20), (
        f"metrics not current after 20 s: {metrics_of(engagement.pk).__dict__}"
    )
    delay = time.monotonic() - started
    print(f"time entry -> metrics current in {delay:.2f} s")

    # A timesheet correction: the entry's hours change, its cost and the actual cost follow.
    before = timezone.now()
    started = time.monotonic()
    services.time_entry_update(entry=entry, actor=team["staff"], hours=Decimal("6.5"))
    assert wait_for(lambda: current_with(engagement.pk, Decimal("487.50"), before), 20), (
        "the corrected hours did not reach the metrics within 20 s (6.5 h x 600 / 8): "
        f"{metrics_of(engagement.pk).__dict__}"
    )
    print(f"time entry correction -> metrics current in {time.monotonic() - started:.2f} s")
    assert converged([engagement.pk]) == [engagement.pk]
    assert worker.poll() is None, "the worker died"


def _locked_metrics_row(engagement_id: int):
    """Another connection holding the engagement's metrics row locked: a recompute of it
    blocks on its upsert, so the worker is caught with the task in flight."""
    lock = connection.copy()
    lock.connect()
    lock.set_autocommit(False)
    with lock.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM engagements_engagementmetrics WHERE engagement_id = %s FOR UPDATE",
            [engagement_id],
        )
        cursor.execute("SELECT pg_backend_pid()")
        lock.backend_pid = cursor.fetchone()[0]
    return lock


def _release(lock) -> None:
    lock.rollback()
    lock.close()


def _blocked_backends(lock) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [lock.backend_pid],
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_worker_killed_mid_burst_loses_nothing(workers, private_queue):
    count, caught_at = 30, 5
    engagements = [EngagementFactory(status=EngagementStatus.ACTIVE) for _ in range(count)]
    ids = [engagement.pk for engagement in engagements]
    EngagementMetrics.objects.bulk_create(
        [EngagementMetrics(engagement_id=pk, status_date=TODAY()) for pk in ids]
    )
    in_flight = ids[caught_at - 1]
    with transaction.atomic():
        compute.mark_inputs_changed(ids)  # 30 recomputes enqueued after commit, in order
    assert len(compute.stale_engagement_ids()) == count
    lock = _locked_metrics_row(in_flight)
    try:
        first = workers()
        # The first few are recomputed, then the worker blocks on the locked one.
        assert wait_for(lambda: len(converged(ids)) == caught_at - 1 and _blocked_backends(lock),
                        20), f"converged so far: {converged(ids)}"
        os.kill(first.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(10)
        # The killed worker's database session would finish the upsert once unblocked:
        # end it, so only a redelivery can bring the in-flight engagement up to date.
        with connection.cursor() as cursor:
            for pid in _blocked_backends(lock):
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        _release(lock)
    broker = redis.Redis.from_url(settings.TEST_BROKER_URL)
    unacked = [body for body in broker.hvals("unacked") if str(in_flight).encode() in body]
    assert unacked, "the in-flight task should be held unacknowledged by the broker"
    assert len(converged(ids)) == caught_at - 1
    assert broker.llen(private_queue) == count - caught_at  # the rest still queued

    # Restart after the visibility timeout, so the new worker's first sweep redelivers it.
    time.sleep(max(0.0, VISIBILITY + 1 - (time.monotonic() - killed_at)))
    restarted_at = time.monotonic()
    second = workers(**SHORT_LIMITS)
    assert wait_for(lambda: len(converged(ids)) == count, 25), (
        f"{count - len(converged(ids))} engagement(s) never converged"
    )
    print(f"after restart all {count} converged in {time.monotonic() - restarted_at:.2f} s")
    assert in_flight in converged(ids)
    assert not compute.stale_engagement_ids()
    assert second.poll() is None

    # A change whose task is lost (marked, never sent) is reconciled by the beat's sweep.
    lost = ids[-3:]
    EngagementMetrics.objects.filter(engagement_id__in=lost).update(
        inputs_changed_at=timezone.now()
    )
    assert compute.stale_engagement_ids() == sorted(lost)
    sweep_stale_metrics.apply_async()
    assert wait_for(lambda: not compute.stale_engagement_ids(), 20)
    assert len(converged(ids)) == count


@pytest.fixture
def broker_down(private_queue):
    """Send tasks to a broker on a closed port until the test brings the real one back."""
    saved = celery_app.amqp._producer_pool
    closed_port = Connection("redis://127.0.0.1:1/0")

    def back() -> None:
        celery_app.amqp._producer_pool = saved

    celery_app.amqp._producer_pool = pools.producers[closed_port]
    yield back
    back()
    pools.producers[closed_port].force_close_all()


def test_broker_down_writes_succeed_stale_then_the_sweep_converges(team, broker_down, workers):
    engagement = team["engagement"]
    consultant = team["consultant"]
    started = time.monotonic()
    services.time_entry_create(
        actor=team["staff"], engagement=engagement, consultant=consultant,
        worked_on=TODAY() - timedelta(days=2), hours=Decimal("8"),
    )
    api = APIClient()
    api.force_authenticate(team["staff"])
    response = api.post("/api/v1/time-entries/", {
        "engagement": engagement.pk, "consultant": consultant.pk,
        "worked_on": (TODAY() - timedelta(days=1)).isoformat(), "hours": "2",
    }, format="json")
    assert response.status_code == 201, response.content
    print(f"two writes with the broker down took {time.monotonic() - started:.2f} s")
    metrics = metrics_of(engagement.pk)
    assert metrics.is_stale
    assert metrics.as_of is None
    assert compute.stale_engagement_ids() == [engagement.pk]
    # Nothing reached any queue; the pending mark was dropped so a later change may resend.
    assert cache.get(compute.pending_key(engagement.pk)) is None

    broker_down()  # the broker is back
    workers()
    before = timezone.now()
    started = time.monotonic()
    sweep_stale_metrics.apply_async()
    assert wait_for(lambda: current_with(engagement.pk, Decimal("750.00"), before), 20)
    print(f"sweep (worker just started) -> metrics current in {time.monotonic() - started:.2f} s")
    assert Expense.objects.count() == 0  # only the two time entries: 8 h + 2 h at 600/8
    assert converged([engagement.pk]) == [engagement.pk]
