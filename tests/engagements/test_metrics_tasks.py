"""The metrics tasks: idempotent, retried on database errors, limited in time, scheduled."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from engagements import tasks
from engagements.choices import EngagementStatus
from engagements.metrics import compute
from engagements.models import EngagementMetrics, MetricsSnapshot
from pmo_service.celery import app as celery_app
from tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_pending_marks():
    cache.clear()
    yield
    cache.clear()


def test_recompute_task_is_idempotent_and_clears_the_pending_mark():
    engagement = EngagementFactory(budget_at_completion=Decimal("1200"))
    cache.add(compute.pending_key(engagement.pk), 1)
    assert tasks.recompute_engagement_metrics.delay(engagement.pk).get() == "recomputed"
    assert cache.get(compute.pending_key(engagement.pk)) is None
    first = EngagementMetrics.objects.get(engagement=engagement)
    assert tasks.recompute_engagement_metrics.delay(engagement.pk).get() == "recomputed"
    second = EngagementMetrics.objects.get(engagement=engagement)
    assert second.pk == first.pk
    assert second.figures == first.figures
    assert second.bac == Decimal("1200")
    assert MetricsSnapshot.objects.filter(engagement=engagement).count() == 1


def test_recompute_task_of_a_missing_engagement_does_nothing():
    assert tasks.recompute_engagement_metrics.delay(987_654).get() == "missing"
    assert not EngagementMetrics.objects.exists()


def test_recompute_task_retries_database_errors_then_succeeds():
    engagement = EngagementFactory()
    real = compute.recompute_engagement
    with mock.patch.object(
        compute, "recompute_engagement",
        side_effect=[OperationalError("server closed the connection"), real(engagement.pk)],
    ) as recompute:
        # throw=False: let the eager run hand the Retry back and re-apply, as a worker would.
        result = tasks.recompute_engagement_metrics.apply(args=(engagement.pk,), throw=False)
        assert result.get() == "recomputed"
    assert recompute.call_count == 2


def test_tasks_retry_policy_and_time_limits():
    task = tasks.recompute_engagement_metrics
    assert set(task.autoretry_for) == {OperationalError, InterfaceError}
    assert task.retry_backoff
    assert task.max_retries
    assert celery_app.conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert celery_app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert celery_app.conf.task_acks_late
    assert celery_app.conf.task_reject_on_worker_lost


def test_recompute_all_and_sweep_tasks():
    active = EngagementFactory(status=EngagementStatus.ACTIVE)
    EngagementFactory(status=EngagementStatus.CANCELLED)
    assert tasks.recompute_all_metrics.delay().get() == 1
    assert tasks.sweep_stale_metrics.delay().get() == 0
    compute.mark_inputs_changed([active.pk])
    assert tasks.sweep_stale_metrics.delay().get() == 1
    assert not EngagementMetrics.objects.get(engagement=active).is_stale


def test_beat_schedules_the_nightly_recompute_and_the_sweep():
    schedule = celery_app.conf.beat_schedule
    nightly = schedule["recompute-all-engagement-metrics"]
    assert nightly["task"] == "engagements.tasks.recompute_all_metrics"
    assert nightly["schedule"] == crontab(hour=2, minute=30)
    sweep = schedule["sweep-stale-engagement-metrics"]
    assert sweep["task"] == "engagements.tasks.sweep_stale_metrics"
    assert sweep["schedule"] == timedelta(minutes=5)
    for entry in (nightly, sweep):
        assert entry["task"] in celery_app.tasks
