"""Redis stopped (kill -9) under a running worker: pages and API writes keep working, /readyz
names the broker, the engagement metrics stay stale; with Redis back on the same port, the
sweep brings them to the right values.

The Redis is a throwaway server this test starts on a free port and kills, never the shared
one; it is the broker of this process and of the worker, and the cache too (coalescing
marks, API throttles), so everything that uses Redis loses it at once, as in an outage.
Needs PostgreSQL and the shared Redis for the worker tooling (``worker`` marker).
"""

import shutil
import socket
import subprocess
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu import Connection, pools
from rest_framework.test import APIClient

from catalog.choices import TierLevel
from catalog.models import ServiceRequest
from engagements.choices import EngagementStatus
from engagements.metrics import compute
from engagements.models import EngagementMetrics, TimeEntry
from engagements.tasks import sweep_stale_metrics
from pmo_service.celery import app as celery_app
from tests.factories import (
    AssignmentFactory,
    ClientUserFactory,
    ConsultantFactory,
    DayRateFactory,
    EngagementFactory,
    PublishedServiceFactory,
    ServiceTierFactory,
    StaffUserFactory,
)
from tests.worker_support import private_queue, start_worker, stop_worker, wait_for

__all__ = ["private_queue"]  # a fixture, used by name

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayRedis:
    """A redis-server of this test's own: started, killed with SIGKILL, restarted."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.exceptions.ConnectionError:
                return False

        assert wait_for(answers, 10, 0.05), "the throwaway redis-server did not start"

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no shutdown, no save
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


@pytest.fixture
def outage_redis(settings, private_queue):
    """The throwaway Redis as broker (this process and its workers) and as every cache."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed")
    server = ThrowawayRedis()
    server.start()
    cache_url = server.url.replace("redis://", "rediscache://", 1)
    saved_pool = celery_app.amqp._producer_pool
    celery_app.amqp._producer_pool = pools.producers[Connection(server.url)]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = server.url
    redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                   "LOCATION": server.url,
                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    settings.CACHES = {"default": redis_cache, "throttle": {**redis_cache, "KEY_PREFIX": "pmo"}}
    workers = []

    def start(**environment: str) -> subprocess.Popen:
        process = start_worker(private_queue, CELERY_BROKER_URL=server.url,
                               CACHE_URL=cache_url, **environment)
        workers.append(process)
        return process

    yield server, start
    for process in workers:
        print(stop_worker(process))  # shown by pytest when the test fails
    celery_app.amqp._producer_pool = saved_pool
    pools.producers[Connection(server.url)].force_close_all()
    server.stop()


@pytest.fixture
def team():
    start = TODAY() - timedelta(days=30)
    engagement = EngagementFactory(
        status=EngagementStatus.ACTIVE, planned_start=start, planned_end=start + timedelta(90),
        budget_at_completion=Decimal("50000.00"),
    )
    consultant = ConsultantFactory()
    DayRateFactory(consultant=consultant, amount=Decimal("600.00"),
                   valid_from=start - timedelta(days=10))
    AssignmentFactory(engagement=engagement, consultant=consultant, start_on=start,
                      end_on=start + timedelta(90))
    return {"engagement": engagement, "consultant": consultant, "staff": StaffUserFactory()}


def _metrics(engagement_id: int) -> EngagementMetrics | None:
    return EngagementMetrics.objects.filter(engagement_id=engagement_id).first()


def _current_with(engagement_id: int, ac: Decimal) -> bool:
    metrics = _metrics(engagement_id)
    return bool(metrics and not metrics.is_stale and metrics.ac == ac)


def test_redis_killed_writes_work_readyz_names_the_broker_metrics_reconcile(
    team, outage_redis, client
):
    server, start_workers = outage_redis
    engagement, consultant = team["engagement"], team["consultant"]
    worker = start_workers()
    api = APIClient()
    api.force_authenticate(team["staff"])
    entry = {"engagement": engagement.pk, "consultant": consultant.pk, "hours": "4"}

    # With Redis up the worker keeps the metrics current (4 h at 600 a day: 300.00).
    response = api.post("/api/v1/time-entries/",
                        {**entry, "worked_on": (TODAY() - timedelta(days=3)).isoformat()},
                        format="json")
    assert response.status_code == 201, response.content
    assert wait_for(lambda: _current_with(engagement.pk, Decimal("300.00")), 30), (
        f"the worker never brought the metrics up to date: {_metrics(engagement.pk).__dict__}"
    )
    assert client.get("/readyz").status_code == 200

    server.kill()

    # /readyz says the broker is down (the database is fine).
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["down"] == ["broker"]
    assert ready.json()["checks"]["database"]["ok"] is True

    # An API write succeeds; the metrics are left stale for the sweep.
    started = time.monotonic()
    response = api.post("/api/v1/time-entries/",
                        {**entry, "worked_on": (TODAY() - timedelta(days=2)).isoformat()},
                        format="json")
    assert response.status_code == 201, response.content
    api_seconds = time.monotonic() - started
    assert TimeEntry.objects.filter(engagement=engagement).count() == 2
    assert _metrics(engagement.pk).is_stale
    assert _metrics(engagement.pk).ac == Decimal("300.00")

    # A client page's form write succeeds: a service request (which notifies by a task).
    service = PublishedServiceFactory()
    tier = ServiceTierFactory(service=service, level=TierLevel.STANDARD)
    user = ClientUserFactory(membership__organization=engagement.organization)
    browser = Client()
    browser.force_login(user)
    started = time.monotonic()
    response = browser.post(
        reverse("catalog:service-request", kwargs={"slug": service.slug}),
        {"tier": tier.pk, "desired_start": (TODAY() + timedelta(days=30)).isoformat(),
         "context": "Nine projects report in nine formats.",
         "expected_outcomes": "One report the board trusts."},
    )
    page_seconds = time.monotonic() - started
    assert response.status_code == 302, response.content[:500]
    assert ServiceRequest.objects.filter(organization=engagement.organization).count() == 1
    assert browser.get(reverse("catalog:home")).status_code == 200
    print(f"with Redis down: API write {api_seconds:.2f} s, page write {page_seconds:.2f} s")

    # Redis back on the same port (empty: it saved nothing). The worker reconnects; the
    # sweep, as beat would send it, brings the metrics to 8 h at 600 a day: 600.00.
    server.start()
    back = time.monotonic()
    assert client.get("/readyz").status_code == 200
    sweep_stale_metrics.apply_async()
    assert wait_for(lambda: _current_with(engagement.pk, Decimal("600.00")), 60), (
        f"metrics not reconciled: {_metrics(engagement.pk).__dict__}; "
        f"worker alive: {worker.poll() is None}"
    )
    print(f"Redis back -> metrics reconciled in {time.monotonic() - back:.2f} s")
    fresh = compute.compute_figures(engagement.pk)
    stored = _metrics(engagement.pk)
    assert {name: value for name, value in stored.figures.items()
            if name not in ("kpis", "reasons")} == fresh["figures"]
    assert not compute.stale_engagement_ids()
    assert worker.poll() is None, "the worker died instead of reconnecting"
