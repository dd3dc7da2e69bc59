"""REST API of the engagement metrics: current figures, daily history and recompute."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.choices import EngagementStatus
from engagements.metrics import compute
from engagements.models import (
    Deliverable,
    EngagementMetrics,
    Expense,
    MetricsSnapshot,
    TimeEntry,
)
from tests.factories import ConsultantFactory, EngagementFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/engagements/"


@pytest.fixture(autouse=True)
def clear_pending_marks():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small(org_a):
    """Two 1,000 deliverables: one done yesterday (100%), one starting tomorrow; 1,200 of
    time yesterday and a 50 expense today. BAC 2,000, PV 1,000, EV 1,000, AC 1,250."""
    today = timezone.localdate()
    engagement = EngagementFactory(organization=org_a, status=EngagementStatus.ACTIVE,
                                   budget_at_completion=Decimal(2000),
                                   planned_start=today - timedelta(days=30),
                                   planned_end=today + timedelta(days=30))
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    Deliverable.objects.create(engagement=engagement, title="Done", budget=Decimal(1000),
                               planned_start=yesterday, planned_finish=yesterday,
                               percent_complete=100, status="done")
    Deliverable.objects.create(engagement=engagement, title="Next", budget=Decimal(1000),
                               planned_start=tomorrow, planned_finish=tomorrow)
    TimeEntry.objects.create(engagement=engagement, consultant=ConsultantFactory(),
                             worked_on=yesterday, hours=8, cost=Decimal(1200))
    Expense.objects.create(engagement=engagement, spent_on=today, amount=Decimal(50),
                           category="travel")
    return engagement


def _metrics_url(engagement, suffix="metrics/"):
    return f"{API}{engagement.pk}/{suffix}"


def test_metrics_are_computed_on_first_read_and_match_the_computation(client_api, small):
    assert not EngagementMetrics.objects.filter(engagement=small).exists()
    response = client_api.get(_metrics_url(small))
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    figures = body["figures"]
    assert {name: figures[name]["value"] for name in ("bac", "pv", "ev", "ac", "cv", "sv",
                                                       "cpi", "spi", "eac", "etc", "vac")} == {
        "bac": "2000.00", "pv": "1000.00", "ev": "1000.00", "ac": "1250.00",
        "cv": "-250.00", "sv": "0.00", "cpi": "0.8000", "spi": "1.0000", "eac": "2500.00",
        "etc": "1250.00", "vac": "-500.00",
    }
    expected = compute.compute_figures(small.pk)
    assert figures == expected["figures"]
    assert body["health"] == expected["health"] == "amber"  # CPI 0.80: amber, not red
    assert body["reasons"] == expected["reasons"]
    assert body["kpis"] == expected["kpis"]
    assert body["status_date"] == timezone.localdate().isoformat()
    assert body["engagement"] == small.pk
    assert body["is_stale"] is False
    assert body["as_of"]
    assert "kpis" not in figures
    assert "reasons" not in figures
    assert EngagementMetrics.objects.filter(engagement=small).count() == 1


def test_stored_metrics_are_answered_as_stored_with_their_staleness(staff_api, small):
    compute.recompute_engagement(small.pk)
    Expense.objects.create(engagement=small, spent_on=timezone.localdate(),
                           amount=Decimal(750), category="travel")
    compute.mark_inputs_changed([small.pk])  # the recompute would follow the commit
    with CaptureQueriesContext(connection) as queries:
        body = staff_api.get(_metrics_url(small)).json()
    # The stored row is read joined to the scoped engagement: one statement (plus the
    # request transaction's savepoint bookkeeping on databases that use it).
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads
    assert "engagements_engagementmetrics" in reads[0]
    assert body["figures"]["ac"]["value"] == "1250.00"
    assert body["is_stale"] is True
    response = staff_api.post(_metrics_url(small, "recompute/"))
    assert response.status_code == 200, response.content[:300]
    assert response.json()["figures"]["ac"]["value"] == "2000.00"
    assert response.json()["is_stale"] is False


def test_an_undefined_ratio_comes_with_its_reason(client_api, org_a):
    engagement = EngagementFactory(organization=org_a, status=EngagementStatus.ACTIVE)
    body = client_api.get(_metrics_url(engagement)).json()
    assert body["figures"]["cpi"]["value"] is None
    assert body["figures"]["cpi"]["reason"]
    assert body["health"] == "green"


def test_recompute_is_staff_only_and_idempotent(staff_api, client_api, small):
    assert client_api.post(_metrics_url(small, "recompute/")).status_code == 403
    first = staff_api.post(_metrics_url(small, "recompute/"))
    second = staff_api.post(_metrics_url(small, "recompute/"))
    assert first.status_code == second.status_code == 200
    assert first.json()["figures"] == second.json()["figures"]
    assert EngagementMetrics.objects.filter(engagement=small).count() == 1
    assert MetricsSnapshot.objects.filter(engagement=small).count() == 1


def test_clients_read_only_their_own_engagements_metrics(client_api, org_b):
    foreign = EngagementFactory(organization=org_b, status=EngagementStatus.ACTIVE)
    for suffix in ("metrics/", "metrics/history/"):
        response = client_api.get(_metrics_url(foreign, suffix))
        assert response.status_code == 404, suffix
    assert client_api.post(_metrics_url(foreign, "recompute/")).status_code == 403
    assert not EngagementMetrics.objects.filter(engagement=foreign).exists()


def test_unknown_engagement_is_a_404(staff_api):
    for suffix in ("metrics/", "metrics/history/", "recompute/"):
        method = staff_api.post if suffix == "recompute/" else staff_api.get
        assert method(f"{API}999999/{suffix}").status_code == 404


def test_history_lists_daily_snapshots_oldest_first_and_filters_by_dates(client_api, small):
    days = [date(2026, 1, 10), date(2026, 1, 12), date(2026, 1, 11)]
    for day in days:
        compute.recompute_engagement(small.pk, day)
    url = _metrics_url(small, "metrics/history/")
    response = client_api.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [row["day"] for row in body["results"]] == ["2026-01-10", "2026-01-11", "2026-01-12"]
    first = body["results"][0]
    assert set(first) >= {"day", "as_of", "health", "figures", "reasons", "kpis"}
    assert first["figures"]["bac"]["value"] == "2000.00"
    response = client_api.get(url, {"from": "2026-01-11", "to": "2026-01-11"})
    assert [row["day"] for row in response.json()["results"]] == ["2026-01-11"]
    response = client_api.get(url, {"page_size": 2, "page": 2})
    assert [row["day"] for row in response.json()["results"]] == ["2026-01-12"]


@pytest.mark.parametrize("query", [{"from": "yesterday"}, {"to": "2026-02-30"},
                                   {"from": "2026-02-01", "to": "2026-01-01"}])
def test_bad_history_dates_are_a_400_naming_the_parameter(staff_api, small, query):
    response = staff_api.get(_metrics_url(small, "metrics/history/"), query)
    assert response.status_code == 400
    assert set(response.json()) & set(query)


def test_history_of_an_engagement_never_computed_is_empty(staff_api, small):
    response = staff_api.get(_metrics_url(small, "metrics/history/"))
    assert response.status_code == 200
    assert response.json()["count"] == 0
