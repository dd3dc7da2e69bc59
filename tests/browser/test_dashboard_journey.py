"""Dashboard journey in the browser: a client's user signs in, opens their engagements, follows
the health badge to the engagement's dashboard, reads the health and its reasons and the KPI
tiles, sees the three charts drawn by the vendored Chart.js (not animated: the user prefers
reduced motion), and opens a chart's data table.
No console error (CSP refusal, missing file, script error) is allowed.

A full-page screenshot of the dashboard is saved under ``test-artifacts/``.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagements.choices import DeliverableKind, DeliverableStatus, Health, IterationStatus
from engagements.models import Deliverable, EngagementMetrics, Iteration, MetricsSnapshot
from tests.browser.helpers import screenshot, watch_console
from tests.factories import ClientUserFactory, EngagementFactory, StakeholderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KPI = {"indicator": 1, "name": "Reports on time", "unit": "%", "value": "70.00",
       "target": "95.00", "period_start": "2026-05-01", "period_end": "2026-05-28",
       "status": "red"}


def _engagement_with_history(organization):
    """Two iterations of accepted work, a plan of three deliverables and ten days of recorded
    metrics (one day with CPI undefined), health amber for a low CPI."""
    today = timezone.localdate()
    start = today - timedelta(days=40)
    engagement = EngagementFactory(organization=organization, title="Permits PMO rollout",
                                   planned_start=start, budget_at_completion=Decimal("30000"))
    acceptor = StakeholderFactory(organization=organization)
    for number in (1, 2):
        iteration = Iteration.objects.create(
            engagement=engagement, number=number, start_on=start + timedelta(days=14 * number),
            end_on=start + timedelta(days=14 * number + 13), status=IterationStatus.FINISHED,
        )
        Deliverable.objects.create(
            engagement=engagement, iteration=iteration, title=f"Playbook {number}",
            kind=DeliverableKind.DOCUMENT, budget=Decimal("10000"), story_points=5 * number,
            planned_start=iteration.start_on, planned_finish=iteration.end_on,
            percent_complete=100, status=DeliverableStatus.ACCEPTED, accepted_by=acceptor,
            accepted_at=timezone.now(),
        )
    Deliverable.objects.create(
        engagement=engagement, title="Portfolio review", kind=DeliverableKind.DOCUMENT,
        budget=Decimal("10000"), story_points=8, planned_start=start + timedelta(days=60),
        planned_finish=start + timedelta(days=80),
    )
    for offset in range(10):
        MetricsSnapshot.objects.create(
            engagement=engagement, day=today - timedelta(days=offset), as_of=timezone.now(),
            pv=Decimal(12000 - offset * 500), ev=Decimal(10000 - offset * 400),
            ac=Decimal(12000 - offset * 450),
            cpi=None if offset == 5 else Decimal("0.85"), spi=Decimal("0.90"),
        )
    EngagementMetrics.objects.create(
        engagement=engagement, status_date=today, as_of=timezone.now(),
        bac=Decimal("30000"), cpi=Decimal("0.8333"), spi=Decimal("0.8333"), health=Health.AMBER,
        figures={
            "cpi": {"value": "0.8333", "reason": ""},
            "tcpi": {"value": None, "reason": "BAC = AC: no budget remains."},
            "kpis": [KPI],
            "reasons": ["CPI 0.8333 is below 0.90 (amber)."],
        },
    )
    return engagement


def test_a_client_reads_the_dashboard_of_their_engagement(live_server, page, org_a, password):
    ClientUserFactory(username="marta", membership__organization=org_a)
    engagement = _engagement_with_history(org_a)
    errors = watch_console(page)
    page.emulate_media(reduced_motion="reduce")

    page.goto(f"{live_server.url}/engagements/")
    page.get_by_label("Username").fill("marta")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=re.compile("^Dashboard of Permits PMO rollout")).click()

    expect(page).to_have_url(re.compile(f"/engagements/{engagement.pk}/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Permits PMO rollout")
    expect(page.get_by_role("heading", name="Overall health: Amber")).to_be_visible()
    expect(page.get_by_text("CPI 0.8333 is below 0.90 (amber).")).to_be_visible()
    expect(page.get_by_text(re.compile("^Metrics as of"))).to_be_visible()
    kpis = page.get_by_role("list", name="Service KPIs")
    expect(kpis).to_contain_text("Reports on time")
    expect(kpis).to_contain_text("Off target")
    expect(page.get_by_text("BAC = AC: no budget remains.")).to_be_visible()

    for chart in ("chart-scurve", "chart-trend", "chart-burnup"):
        canvas = page.locator(f"#{chart}")
        expect(canvas).to_be_visible()
        drawn = page.evaluate(
            """(id) => {
                const chart = Chart.getChart(document.getElementById(id));
                return chart ? chart.data.datasets.map((d) => d.data.length) : null;
            }""",
            chart,
        )
        assert drawn, f"{chart} has no Chart.js instance"
        assert all(length > 0 for length in drawn), (chart, drawn)
        # The user asked for reduced motion: the charts do not animate.
        assert page.evaluate(
            "(id) => Chart.getChart(document.getElementById(id)).options.animation", chart
        ) is False

    page.get_by_text("Burn-up as a table").click()
    table = page.get_by_role("table", name=re.compile("^Story points accepted per iteration"))
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("Iteration 2"))).to_contain_text("15")

    screenshot(page, "engagement_dashboard.png")
    assert errors == []
