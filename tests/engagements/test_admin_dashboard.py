"""The staff portfolio dashboard (admin changelist of ``EngagementHealth``): staff only; rows
show health and figures; each filter; sorting in SQL with blanks last and health by severity;
the summary above the list; the "Recompute metrics now" action; read-only."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from engagements.choices import EngagementStatus, Health
from engagements.models import EngagementHealth, EngagementMetrics
from tests.factories import EngagementFactory, OrganizationFactory
from tests.stakeholders.test_register_admin import messages_of, results, run_action

pytestmark = pytest.mark.django_db

URL = "admin:engagements_engagementhealth_changelist"
COLUMNS = [
    "engagement", "organization", "status", "health", "cpi", "spi", "cv", "sv", "eac",
    "accepted", "risks", "red_kpis", "as_of", "freshness", "dashboard",
]


def figure(value) -> dict:
    return {"value": None if value is None else str(value), "reason": "" if value else "n/a"}


def with_metrics(health: str = Health.GREEN, cpi=None, spi=None, *, cv=None, red_kpis=0,
                 stale: bool = False, bac="1000.00", ev="500.00", ac="400.00",
                 **engagement) -> EngagementHealth:
    """An engagement with a stored metrics row of these values (as a recompute leaves it)."""
    created = EngagementFactory(**engagement)
    now = timezone.now()
    EngagementMetrics.objects.create(
        engagement=created, status_date=now.date(), as_of=now,
        inputs_changed_at=now + timedelta(minutes=1) if stale else None,
        bac=Decimal(bac), ev=Decimal(ev), ac=Decimal(ac), pv=Decimal("450.00"),
        cpi=None if cpi is None else Decimal(cpi), spi=None if spi is None else Decimal(spi),
        health=health,
        figures={
            "cpi": figure(cpi), "spi": figure(spi), "cv": figure(cv), "sv": figure("-25.00"),
            "eac": figure("1120.00"), "deliverables_accepted_percent": figure("40.00"),
            "risk_exposure": figure(18), "risks_red": figure(2),
            "kpis": [{"name": f"KPI {index}", "status": "red"} for index in range(red_kpis)]
            + [{"name": "Fine", "status": "green"}],
            "reasons": [],
        },
    )
    return EngagementHealth.objects.get(pk=created.pk)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def dashboard(client, **params):
    response = client.get(reverse(URL), params)
    assert response.status_code == 200
    return response


def titles(response) -> list[str]:
    return [row.title for row in results(response)]


def order_by(column: str, descending: bool = False) -> dict:
    # The list's first column is the action checkbox.
    return {"o": f"{'-' if descending else ''}{COLUMNS.index(column) + 1}"}


def test_staff_see_the_dashboard_clients_and_anonymous_go_to_login(client, user_a):
    url = reverse(URL)
    for who in (None, user_a):
        if who is not None:
            client.force_login(who)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_rows_show_health_with_its_word_and_the_figures(staff_client):
    engagement = with_metrics(Health.RED, "0.7500", "0.9000", cv="-100.00", red_kpis=2,
                              title="Alpha rollout")
    response = dashboard(staff_client)
    html = response.content.decode()
    assert response.context["title"] == "Portfolio dashboard"
    assert '<span class="eng-health eng-health-red">Red</span>' in html
    row = html[html.index("Alpha rollout"):]
    for text in ("0.7500", "0.9000", "-100.00", "-25.00", "1120.00", "40.0 %", "18 / 2",
                 "Up to date"):
        assert text in row, text
    change = reverse("admin:engagements_engagement_change", args=[engagement.pk])
    assert f'href="{change}"' in html
    assert results(response)[0].pk == engagement.pk
    assert response.context["cl"].model_admin.red_kpis(results(response)[0]) == 2


def test_dashboard_link_to_the_portal_page_when_the_route_exists(staff_client):
    engagement = with_metrics()
    try:
        url = reverse("engagements:engagement-dashboard", args=[engagement.pk])
    except NoReverseMatch:
        url = None
    html = dashboard(staff_client).content.decode()
    if url is None:
        assert ">Dashboard</a>" not in html
    else:
        assert f'<a href="{url}">Dashboard</a>' in html


def test_engagement_without_metrics_is_listed_as_not_computed(staff_client):
    EngagementFactory(title="Fresh one")
    response = dashboard(staff_client)
    html = response.content.decode()
    assert titles(response) == ["Fresh one"]
    assert '<span class="eng-health eng-health-none">Not computed</span>' in html
    assert "Never computed" in html


def test_status_filter_defaults_to_open_and_offers_all(staff_client):
    with_metrics(title="Open", status=EngagementStatus.ACTIVE)
    with_metrics(title="Done", status=EngagementStatus.CLOSED)
    assert titles(dashboard(staff_client)) == ["Open"]
    assert sorted(titles(dashboard(staff_client, status="all"))) == ["Done", "Open"]
    assert titles(dashboard(staff_client, status="closed")) == ["Done"]


def test_health_filter_including_not_computed(staff_client):
    with_metrics(Health.RED, title="Red one")
    with_metrics(Health.GREEN, title="Green one")
    EngagementFactory(title="Never")
    assert titles(dashboard(staff_client, health="red")) == ["Red one"]
    assert titles(dashboard(staff_client, health="green")) == ["Green one"]
    assert titles(dashboard(staff_client, health="none")) == ["Never"]


def test_organization_filter_and_search(staff_client):
    acme = OrganizationFactory(name="Acme Industries")
    with_metrics(title="Acme rollout", organization=acme)
    with_metrics(title="Other rollout")
    assert titles(dashboard(staff_client, organization__id__exact=acme.pk)) == ["Acme rollout"]
    assert titles(dashboard(staff_client, q="Acme Indus")) == ["Acme rollout"]
    assert titles(dashboard(staff_client, q="Other roll")) == ["Other rollout"]


def test_stale_filter(staff_client):
    with_metrics(title="Current")
    with_metrics(title="Stale", stale=True)
    EngagementFactory(title="Never")
    assert sorted(titles(dashboard(staff_client, stale="yes"))) == ["Never", "Stale"]
    assert titles(dashboard(staff_client, stale="no")) == ["Current"]
    assert "Stale" in dashboard(staff_client, stale="yes").content.decode()


def test_over_budget_and_behind_schedule_filters(staff_client):
    with_metrics(cpi="0.9500", spi="1.1000", title="Over budget")
    with_metrics(cpi="1.0500", spi="0.8000", title="Behind")
    with_metrics(title="Undefined")
    assert titles(dashboard(staff_client, over_budget="yes")) == ["Over budget"]
    assert titles(dashboard(staff_client, over_budget="no")) == ["Behind"]
    assert titles(dashboard(staff_client, behind_schedule="yes")) == ["Behind"]
    assert titles(dashboard(staff_client, behind_schedule="no")) == ["Over budget"]


def test_sorting_by_cpi_puts_blanks_last_both_ways(staff_client):
    with_metrics(cpi="0.8000", title="Low")
    with_metrics(cpi=None, title="Blank")
    with_metrics(cpi="1.2000", title="High")
    EngagementFactory(title="No metrics")
    ascending = titles(dashboard(staff_client, **order_by("cpi")))
    descending = titles(dashboard(staff_client, **order_by("cpi", descending=True)))
    assert ascending[:2] == ["Low", "High"]
    assert descending[:2] == ["High", "Low"]
    assert sorted(ascending[2:]) == sorted(descending[2:]) == ["Blank", "No metrics"]


def test_sorting_by_a_json_figure_is_numeric_with_blanks_last(staff_client):
    with_metrics(cv="-100.00", title="Minus hundred")
    with_metrics(cv="9.00", title="Nine")
    with_metrics(cv="20.00", title="Twenty")  # as text "20.00" < "9.00": must sort as numbers
    with_metrics(cv=None, title="Blank")
    assert titles(dashboard(staff_client, **order_by("cv"))) == [
        "Minus hundred", "Nine", "Twenty", "Blank"]
    assert titles(dashboard(staff_client, **order_by("cv", descending=True))) == [
        "Twenty", "Nine", "Minus hundred", "Blank"]


def test_health_sorts_by_severity_not_alphabetically(staff_client):
    with_metrics(Health.GREEN, title="G")
    EngagementFactory(title="N")
    with_metrics(Health.RED, title="R")
    with_metrics(Health.AMBER, title="A")
    assert titles(dashboard(staff_client)) == ["R", "A", "G", "N"]  # the default order
    assert titles(dashboard(staff_client, **order_by("health"))) == ["R", "A", "G", "N"]
    assert titles(dashboard(staff_client, **order_by("health", descending=True))) == [
        "G", "A", "R", "N"]


def test_summary_counts_and_totals_of_the_filtered_set(staff_client):
    with_metrics(Health.RED, bac="1000.00", ev="500.00", ac="400.00")
    with_metrics(Health.RED, bac="2000.00", ev="100.00", ac="300.00")
    with_metrics(Health.GREEN, bac="500.00", ev="50.00", ac="10.00")
    EngagementFactory()
    with_metrics(Health.AMBER, status=EngagementStatus.CLOSED)  # not open: filtered out
    summary = dashboard(staff_client).context["summary"]
    assert summary == {
        "total": 4, "red": 2, "amber": 0, "green": 1, "not_computed": 1,
        "bac": Decimal("3500.00"), "ev": Decimal("650.00"), "ac": Decimal("710.00"),
    }
    red_only = dashboard(staff_client, health="red").context["summary"]
    assert (red_only["total"], red_only["red"], red_only["green"]) == (2, 2, 0)
    assert red_only["bac"] == Decimal("3000.00")
    html = dashboard(staff_client).content.decode()
    assert "eng-portfolio-summary" in html
    assert "3,500.00" in html


def test_recompute_action_updates_as_of(staff_client):
    engagement = with_metrics(Health.RED)
    before = EngagementMetrics.objects.get(engagement=engagement).as_of
    fresh = EngagementFactory()
    response = run_action(staff_client, reverse(URL), "recompute_metrics", [engagement, fresh])
    assert response.status_code == 302
    assert "Metrics recomputed for 2 engagement(s)." in messages_of(response)
    metrics = EngagementMetrics.objects.get(engagement=engagement)
    assert metrics.as_of > before
    assert metrics.health in Health.values
    assert EngagementMetrics.objects.get(engagement=fresh).as_of is not None


def test_the_dashboard_is_read_only(staff_client):
    engagement = with_metrics()
    response = dashboard(staff_client)
    assert response.context["has_add_permission"] is False
    assert list(response.context["cl"].model_admin.get_actions(response.wsgi_request)) == [
        "recompute_metrics"]
    assert staff_client.get(
        reverse("admin:engagements_engagementhealth_add")).status_code == 403
    change = staff_client.get(
        reverse("admin:engagements_engagementhealth_change", args=[engagement.pk]))
    assert change.status_code == 302
    assert change["Location"] == reverse("admin:engagements_engagement_change",
                                         args=[engagement.pk])
    delete = staff_client.post(
        reverse("admin:engagements_engagementhealth_delete", args=[engagement.pk]))
    assert delete.status_code == 403
    assert EngagementHealth.objects.filter(pk=engagement.pk).exists()
