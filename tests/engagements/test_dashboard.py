"""The engagement dashboard: its read side (series, tiles, empty states) and the page
(who sees it, what it says, and a query count that does not grow with the engagement)."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagements.choices import DeliverableKind, DeliverableStatus, IterationStatus
from engagements.dashboard import HistoryPoint, engagement_dashboard, thin_history
from engagements.models import Deliverable, EngagementMetrics, Iteration, MetricsSnapshot
from tests.factories import EngagementFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)
TODAY = date(2026, 6, 1)


def deliverable(engagement, *, budget="1000", start=START, days=10, points=0,
                status=DeliverableStatus.TODO, iteration=None):
    accepted = status == DeliverableStatus.ACCEPTED
    return Deliverable.objects.create(
        engagement=engagement, title=f"Item {budget} {start}", budget=Decimal(budget),
        planned_start=start, planned_finish=start + timedelta(days=days - 1),
        percent_complete=100 if status in (DeliverableStatus.DONE, DeliverableStatus.ACCEPTED)
        else 0,
        story_points=points, status=status, iteration=iteration, kind=DeliverableKind.DOCUMENT,
        accepted_by=StakeholderFactory(organization=engagement.organization) if accepted
        else None,
        accepted_at=timezone.now() if accepted else None,
    )


def iteration(engagement, number):
    start = START + timedelta(days=14 * (number - 1))
    return Iteration.objects.create(
        engagement=engagement, number=number, start_on=start, end_on=start + timedelta(days=13),
        status=IterationStatus.FINISHED,
    )


def snapshot(engagement, day, *, pv="100", ev="90", ac="80", cpi="1.1250", spi="0.9000"):
    return MetricsSnapshot.objects.create(
        engagement=engagement, day=day, as_of=timezone.now(), pv=Decimal(pv), ev=Decimal(ev),
        ac=Decimal(ac), cpi=None if cpi is None else Decimal(cpi),
        spi=None if spi is None else Decimal(spi),
    )


def metrics(engagement, *, health="amber", reasons=("CPI 0.8500 is below 0.90.",),
            stale=False, kpis=(), **figures):
    as_of = timezone.now() - timedelta(hours=2)
    stored = {name: {"value": value, "reason": "" if value is not None else "AC = 0"}
              for name, value in figures.items()}
    return EngagementMetrics.objects.create(
        engagement=engagement, status_date=TODAY, as_of=as_of,
        inputs_changed_at=as_of + timedelta(hours=1) if stale else None,
        bac=Decimal("250000.00"), health=health,
        cpi=Decimal(figures["cpi"]) if figures.get("cpi") else None,
        figures={**stored, "kpis": list(kpis), "reasons": list(reasons)},
    )


KPI = {"indicator": 1, "name": "Reports on time", "unit": "%", "value": "70.00",
       "target": "95.00", "period_start": "2026-05-01", "period_end": "2026-05-28",
       "status": "red"}


# --- The read side --------------------------------------------------------------------------

def test_the_pv_baseline_spreads_each_budget_over_its_planned_days():
    engagement = EngagementFactory()
    metrics(engagement)
    deliverable(engagement, budget="1400", days=14)
    dashboard = engagement_dashboard(engagement=engagement, today=TODAY)
    baseline = [(point.day, point.pv) for point in dashboard.baseline]
    # From the day before the start (nothing planned) weekly to the finish (everything).
    assert baseline == [
        (START - timedelta(days=1), Decimal("0.00")),
        (START + timedelta(days=6), Decimal("700.00")),  # mid-plan: 7 of 14 days
        (START + timedelta(days=13), Decimal("1400.00")),
    ]


def test_the_pv_baseline_covers_every_deliverable_from_the_first_start_to_the_last_finish():
    engagement = EngagementFactory()
    metrics(engagement)
    deliverable(engagement, budget="1000", days=10)
    deliverable(engagement, budget="500", start=START + timedelta(days=20), days=5)
    baseline = engagement_dashboard(engagement=engagement, today=TODAY).baseline
    assert baseline[0].day == START - timedelta(days=1)
    assert baseline[-1].day == START + timedelta(days=24)
    assert baseline[-1].pv == Decimal("1500.00")
    # Day 13 (index 2): the first deliverable is all planned, the second not started.
    assert baseline[2].day == START + timedelta(days=13)
    assert baseline[2].pv == Decimal("1000.00")


def test_burnup_accumulates_accepted_points_per_iteration_against_the_scope():
    engagement = EngagementFactory()
    metrics(engagement)
    second, first = iteration(engagement, 2), iteration(engagement, 1)
    third = iteration(engagement, 3)
    deliverable(engagement, points=5, status=DeliverableStatus.ACCEPTED, iteration=first)
    deliverable(engagement, points=3, status=DeliverableStatus.DONE, iteration=first)
    deliverable(engagement, points=8, status=DeliverableStatus.ACCEPTED, iteration=second)
    deliverable(engagement, points=2, iteration=third)
    deliverable(engagement, points=13)  # in the scope, in no iteration yet
    dashboard = engagement_dashboard(engagement=engagement, today=TODAY)
    assert [(p.number, p.accepted, p.cumulative, p.scope) for p in dashboard.burnup] == [
        (1, 5, 5, 31), (2, 8, 13, 31), (3, 0, 13, 31),
    ]
    assert dashboard.scope_points == 31


def test_history_keeps_nulls_as_gaps_and_two_years_at_most():
    engagement = EngagementFactory()
    metrics(engagement)
    snapshot(engagement, TODAY - timedelta(days=800))
    snapshot(engagement, TODAY - timedelta(days=1), cpi=None)
    snapshot(engagement, TODAY)
    dashboard = engagement_dashboard(engagement=engagement, today=TODAY)
    assert [point.day for point in dashboard.history] == [TODAY - timedelta(days=1), TODAY]
    assert dashboard.history[0].cpi is None
    assert dashboard.chart_data()["history"][0]["cpi"] is None
    assert dashboard.chart_data()["history"][1]["cpi"] == 1.125


def test_long_history_is_thinned_to_weekly_keeping_the_latest():
    days = [TODAY - timedelta(days=offset) for offset in range(199, -1, -1)]
    points = [HistoryPoint(day, Decimal(1), Decimal(1), Decimal(1), None, None) for day in days]
    thinned = thin_history(points, max_points=120)
    assert thinned[-1].day == TODAY
    assert len(thinned) == 29  # today and 28 weeks back (196 days)
    assert all((b.day - a.day).days == 7 for a, b in itertools.pairwise(thinned))
    assert thin_history(points[:50], max_points=120) == points[:50]


def test_null_figures_show_a_dash_and_their_reason_and_kpis_their_label():
    engagement = EngagementFactory()
    metrics(engagement, cpi=None, ev="1000.00", kpis=[KPI])
    dashboard = engagement_dashboard(engagement=engagement, today=TODAY)
    tiles = {tile.name: tile for tile in dashboard.evm}
    assert (tiles["cpi"].display, tiles["cpi"].reason) == ("—", "AC = 0")
    assert (tiles["ev"].display, tiles["ev"].reason) == ("1,000.00", "")
    kpi = dashboard.kpis[0]
    assert (kpi.status, kpi.status_label) == ("red", "Off target")
    assert dashboard.health_label == "Amber"


def test_an_engagement_without_metrics_is_computed_once_and_shows_empty_series():
    engagement = EngagementFactory()
    dashboard = engagement_dashboard(engagement=engagement, today=TODAY)
    assert dashboard.as_of is not None
    assert EngagementMetrics.objects.filter(engagement=engagement).count() == 1
    assert dashboard.baseline == []
    assert dashboard.burnup == []
    assert dashboard.scope_points == 0
    assert not dashboard.has_ratio_history


# --- The page -------------------------------------------------------------------------------

def url(engagement):
    return reverse("engagements:engagement-dashboard", kwargs={"pk": engagement.pk})


@pytest.fixture
def engagement(org_a):
    engagement = EngagementFactory(organization=org_a, title="Permits PMO rollout")
    metrics(engagement, cpi="0.8500", kpis=[KPI])
    return engagement


def test_the_owner_client_and_staff_see_the_dashboard(client, user_a, staff_user, engagement):
    client.force_login(user_a)
    response = client.get(url(engagement))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Permits PMO rollout" in page
    assert "Metrics as of" in page
    assert "CPI 0.8500 is below 0.90." in page
    assert "Reports on time" in page
    assert "Off target" in page
    assert 'id="dashboard-data"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "Stale, recomputing" not in page
    client.force_login(staff_user)
    assert client.get(url(engagement)).status_code == 200


def test_another_organization_gets_a_404_and_anonymous_users_the_login(
    client, user_b, engagement
):
    response = client.get(url(engagement))
    assert response.status_code == 302
    assert "login" in response["Location"]
    client.force_login(user_b)
    assert client.get(url(engagement)).status_code == 404


def test_stale_metrics_say_they_are_being_recomputed(client, user_a, org_a):
    engagement = EngagementFactory(organization=org_a)
    metrics(engagement, stale=True)
    client.force_login(user_a)
    assert "Stale, recomputing" in client.get(url(engagement)).content.decode()


def test_empty_states_replace_empty_charts(client, user_a, engagement):
    client.force_login(user_a)
    page = client.get(url(engagement)).content.decode()
    assert "No plan yet." in page
    assert "No iteration yet." in page
    assert "No trend yet." in page
    assert "<canvas" not in page


def _grow(engagement, rows):
    for number in range(1, rows + 1):
        step = iteration(engagement, number)
        deliverable(engagement, points=3, status=DeliverableStatus.ACCEPTED, iteration=step,
                    start=START + timedelta(days=7 * number))
        snapshot(engagement, TODAY - timedelta(days=number))


def _queries(client, engagement) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(engagement))
    assert response.status_code == 200
    assert response.content.decode().count("<canvas") == 3
    return len(queries)


def test_the_query_count_does_not_grow_with_the_engagement(client, user_a, org_a):
    small, large = EngagementFactory(organization=org_a), EngagementFactory(organization=org_a)
    metrics(small, kpis=[KPI] * 2)
    metrics(large, kpis=[KPI] * 20)
    _grow(small, 2)
    _grow(large, 20)
    client.force_login(user_a)
    assert _queries(client, small) == _queries(client, large)


def test_the_engagement_list_shows_health_and_links_to_the_dashboard(client, user_a, engagement):
    client.force_login(user_a)
    page = client.get(reverse("engagements:engagement-list")).content.decode()
    assert url(engagement) in page
    assert "eg-health-amber" in page
    assert "0.8500" in page  # the CPI column
    detail = client.get(
        reverse("engagements:engagement-detail", kwargs={"pk": engagement.pk})
    ).content.decode()
    assert url(engagement) in detail
