"""Continuous-improvement journey in the browser: a client member opens a process map, sees
its bottleneck highlighted and the suggested action for it, opens that action and the demand
flow; a PMO staff member then approves the action and moves it across the improvement board.

Full-page screenshots of the map, the action, the demand flow and the board are saved under
``test-artifacts/`` on every run, so the pages can be reviewed without starting a server.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from improvement import services
from improvement.models import ImprovementAction
from portfolio.choices import DemandStatus
from portfolio.models import DemandTransition
from tests.browser.helpers import screenshot, watch_console
from tests.factories import (
    ClientUserFactory,
    DemandFactory,
    OrganizationFactory,
    StaffUserFactory,
)
from tests.factories.improvement import (
    ImprovementActionFactory,
    ProcessMapFactory,
    ProcessStepFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _permit_process(organization):
    """Building permits: the technical review takes 45 requests a week with room for 30."""
    process_map = ProcessMapFactory(organization=organization, name="Building permits",
                                    description="From the application to the permit sent.")
    for position, (name, performer, capacity, wait) in enumerate([
        ("Receive application", "Front desk", "80", "2"),
        ("Technical review", "Architects", "30", "60"),
        ("Sign permit", "Head of urban planning", "50", "16"),
    ], start=1):
        ProcessStepFactory(
            process_map=process_map, position=position, name=name, performer=performer,
            capacity_per_week=Decimal(capacity), demand_per_week=Decimal("45"),
            wait_time_hours=Decimal(wait), process_time_hours=Decimal("3"),
        )
    return process_map


def _demand_history(organization):
    """Demands that wait a week in submitted before being assessed, then move on within days."""
    start = timezone.now() - timedelta(days=30)
    for index in range(4):
        demand = DemandFactory(organization=organization, title=f"Demand {index}")
        DemandTransition.objects.filter(demand=demand).update(at=start + timedelta(days=index))
        moment = start + timedelta(days=index)
        for status, days in [(DemandStatus.ASSESSED, 7), (DemandStatus.APPROVED, 1),
                             (DemandStatus.SCHEDULED, 1), (DemandStatus.IN_PROGRESS, 1),
                             (DemandStatus.DELIVERED, 2)]:
            moment += timedelta(days=days)
            DemandTransition.objects.create(demand=demand, from_status="", to_status=status,
                                            actor=demand.submitted_by, at=moment)


def _sign_in(page, url, username, password):
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_client_finds_the_bottleneck_and_staff_move_its_action_across_the_board(
    live_server, page, password
):
    errors = watch_console(page)
    council = OrganizationFactory(name="City Council of Riverton")
    ClientUserFactory(username="marco", first_name="Marco", last_name="Vidal",
                      membership__organization=council)
    StaffUserFactory(username="pmo", first_name="Paula", last_name="Moreno")
    process_map = _permit_process(council)
    [suggestion] = services.suggest_actions_for_process_map(process_map=process_map)
    ImprovementActionFactory(organization=council, title="Weekly triage of permit questions",
                             business_value=3, time_criticality=2, risk_reduction=1,
                             job_size=8)
    _demand_history(council)
    other = OrganizationFactory(name="Eastmoor Health")
    ProcessMapFactory(organization=other, name="Eastmoor patient admission")

    # The client opens the process maps and the permit process.
    _sign_in(page, f"{live_server.url}/improvement/process-maps/", "marco", password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Process maps")
    expect(page.get_by_text("Eastmoor patient admission")).to_have_count(0)
    page.get_by_role("link", name="Building permits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Building permits")
    steps = page.get_by_role("list", name="Steps of Building permits")
    expect(steps.get_by_role("listitem")).to_have_count(3)
    bottleneck = page.locator("#bottleneck")
    expect(bottleneck).to_contain_text("Bottleneck")
    expect(bottleneck).to_contain_text("Technical review")
    expect(bottleneck).to_contain_text("150.0%")
    expect(page.get_by_text("Step 2 (Technical review) has the highest utilization")
           ).to_be_visible()
    screenshot(page, "improvement_process_map.png")

    # It opens the action suggested for the bottleneck: a proposal, with its evidence.
    page.get_by_role("link", name=suggestion.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(suggestion.title)
    expect(page.get_by_text("Status: Proposed")).to_be_visible()
    expect(page.get_by_text("Suggested by bottleneck detection")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("showed the bottleneck"))).to_contain_text(
        "1.5"
    )
    expect(page.get_by_role("heading", name="Move the action")).to_have_count(0)
    screenshot(page, "improvement_action.png")

    # The demand flow shows where demand waits, with its charts drawn.
    page.goto(f"{live_server.url}/improvement/demand-flow/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Demand flow")
    expect(page.get_by_text("Submitted is where work waits longest.")).to_be_visible()
    expect(page.locator("#chart-status")).to_be_visible()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-wip'))"
    )
    screenshot(page, "improvement_demand_flow.png")

    # Staff approve the suggestion and move it across the board.
    page.get_by_role("button", name="Log out").click()
    _sign_in(page, f"{live_server.url}/improvement/actions/", "pmo", password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Improvement board")
    proposed = page.get_by_role("region", name="Proposed")
    cards = proposed.get_by_role("article")
    # The suggestion's default scores (WSJF 3 / 1 = 3.00) rank above the triage's (0.75).
    expect(cards.first).to_contain_text(suggestion.title)
    expect(cards.first).to_contain_text("Suggested")
    cards.first.get_by_role("link", name=suggestion.title).click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("The action is now approved.")).to_be_visible()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("The action is now in progress.")).to_be_visible()
    expect(page.get_by_role("list").filter(has_text="Approved → In progress")).to_be_visible()
    page.get_by_role("link", name="Improvement board").first.click()
    expect(page.get_by_role("region", name="In progress")).to_contain_text(suggestion.title)
    expect(page.get_by_role("region", name="Proposed")).not_to_contain_text(suggestion.title)
    screenshot(page, "improvement_board.png")

    assert ImprovementAction.objects.get(pk=suggestion.pk).status == "in_progress"
    assert errors == []
