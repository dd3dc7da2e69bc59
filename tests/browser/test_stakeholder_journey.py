"""Stakeholder management in the browser: PMO staff open a client's power/interest grid, the
engagement assessment matrix and the risk heat map, click through a cell and open a risk.

Full-page screenshots of the grid, the matrix, the communications page and the heat map (wide
and narrow) are saved under ``test-artifacts/`` on every run, so the look of the pages can be
reviewed without starting a server.
"""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stakeholders.choices import (
    CommunicationFrequency,
    EngagementLevel,
    Relationship,
    ResponseStrategy,
    RiskCategory,
    RiskKind,
    RiskStatus,
)
from tests.browser.helpers import screenshot, watch_console
from tests.factories import (
    CommunicationFactory,
    CommunicationPlanFactory,
    EngagementAssessmentFactory,
    OrganizationFactory,
    RiskFactory,
    StakeholderFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMES = "\N{MULTIPLICATION SIGN}"


def _register(staff_user):
    """A client's register: people across the grid, assessments, a plan and some risks."""
    council = OrganizationFactory(name="City Council of Riverton")
    people = {}
    for name, title, relationship, power, interest, current, desired in [
        ("Marta Alcalde", "Mayor", Relationship.SPONSOR, 5, 4,
         EngagementLevel.NEUTRAL, EngagementLevel.LEADING),
        ("Jordi Puig", "Chief financial officer", Relationship.DECISION_MAKER, 4, 2,
         EngagementLevel.RESISTANT, EngagementLevel.NEUTRAL),
        ("Lucía Ferrer", "Head of citizen services", Relationship.KEY_USER, 2, 5,
         EngagementLevel.SUPPORTIVE, EngagementLevel.SUPPORTIVE),
        ("Pau Serra", "Records clerk", Relationship.END_USER, 1, 2,
         EngagementLevel.UNAWARE, EngagementLevel.NEUTRAL),
        ("Ana Vidal", "IT manager", Relationship.PRODUCT_OWNER, 3, 5,
         EngagementLevel.SUPPORTIVE, EngagementLevel.LEADING),
    ]:
        people[name] = StakeholderFactory(
            organization=council, full_name=name, title=title, relationship=relationship,
            power=power, interest=interest, current_engagement=current,
            desired_engagement=desired,
        )
    for person, levels in [
        ("Marta Alcalde", [EngagementLevel.RESISTANT, EngagementLevel.NEUTRAL]),
        ("Jordi Puig", [EngagementLevel.NEUTRAL, EngagementLevel.RESISTANT]),
        ("Ana Vidal", [EngagementLevel.SUPPORTIVE, EngagementLevel.SUPPORTIVE]),
    ]:
        for months, level in enumerate(levels):
            EngagementAssessmentFactory(
                stakeholder=people[person], current=level,
                desired=people[person].desired_engagement, assessed_by=staff_user,
                assessed_on=date(2025, 1 + 3 * months, 15),
            )
    today = timezone.localdate()
    steering = CommunicationPlanFactory(
        organization=council, purpose="Steering committee on the e-services programme",
        audience="Steering committee", owner=staff_user,
        next_due_on=today - timedelta(days=4),
    )
    steering.stakeholders.add(people["Marta Alcalde"], people["Jordi Puig"])
    CommunicationPlanFactory(
        organization=council, purpose="Newsletter to service desks", audience="All desks",
        next_due_on=today + timedelta(days=6), frequency=CommunicationFrequency.FORTNIGHTLY,
    )
    CommunicationFactory(
        organization=council, plan=steering, held_on=today - timedelta(days=35),
        summary="Agreed the pilot scope.", agreed_actions="PMO to draft the rollout plan.",
        recorded_by=staff_user,
    ).participants.add(people["Marta Alcalde"])

    for title, probability, impact, extra in [
        ("Budget freeze halts the rollout", 5, 4, {"category": RiskCategory.FINANCIAL}),
        ("Procurement appeal delays the contract", 5, 4, {"category": RiskCategory.COMPLIANCE}),
        ("Clerks resist the new workflow", 3, 3, {"category": RiskCategory.STAKEHOLDER}),
        ("Minor layout issues on the portal", 2, 1, {"category": RiskCategory.TECHNICAL}),
        ("Regional grant co-funds phase two", 3, 4, {
            "kind": RiskKind.OPPORTUNITY, "response_strategy": ResponseStrategy.EXPLOIT,
            "category": RiskCategory.FINANCIAL,
        }),
        ("Old server failure", 4, 4, {"status": RiskStatus.CLOSED}),
    ]:
        RiskFactory(organization=council, title=title, probability=probability, impact=impact,
                    owner=people["Jordi Puig"], **extra)
    budget = council.risks.get(title="Budget freeze halts the rollout")
    budget.cause = "The regional budget is not approved before March."
    budget.effect = "Licences cannot be bought; the rollout stops."
    budget.response_actions = "Ask the mayor to ring-fence the programme budget."
    budget.save()
    budget.stakeholders.add(people["Marta Alcalde"])

    # Another client, so the organization filter matters.
    StakeholderFactory(organization=OrganizationFactory(name="Eastmoor Health"),
                       full_name="Someone Elsewhere", power=5, interest=5)
    RiskFactory(organization=OrganizationFactory(name="Northbay Ports"),
                title="Port strike", probability=5, impact=4)
    return council


def test_staff_open_the_grid_the_matrix_and_the_heat_map(
    live_server, page, staff_user, password
):
    errors = watch_console(page)
    _register(staff_user)

    page.goto(f"{live_server.url}/stakeholders/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/stakeholders/"))
    page.get_by_label("Username").fill(staff_user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    # The grid of every organization, then of the council only.
    expect(page.get_by_role("heading", level=1)).to_have_text("Stakeholders")
    expect(page.get_by_text("Someone Elsewhere").first).to_be_visible()
    page.get_by_label("Organization").select_option(label="City Council of Riverton")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("Someone Elsewhere")).to_have_count(0)
    expect(page.get_by_text("high = 3 or more").first).to_be_visible()
    manage = page.get_by_role("region", name="Manage closely")
    expect(manage.get_by_role("link", name="Marta Alcalde")).to_be_visible()
    expect(manage.get_by_role("link", name="Ana Vidal")).to_be_visible()
    expect(manage).to_contain_text("High power, high interest")
    expect(page.get_by_role("region", name="Keep satisfied").get_by_role(
        "link", name="Jordi Puig")).to_be_visible()
    expect(page.get_by_role("region", name="Keep informed").get_by_role(
        "link", name="Lucía Ferrer")).to_be_visible()
    expect(page.get_by_role("region", name="Monitor").get_by_role(
        "link", name="Pau Serra")).to_be_visible()
    register = page.get_by_role("region", name="Stakeholder register")
    expect(register.get_by_role("row", name=re.compile("Marta Alcalde"))).to_contain_text(
        "Manage closely"
    )
    screenshot(page, "stakeholder-grid.png")

    # The engagement matrix keeps the organization.
    page.get_by_role("navigation", name="Stakeholder management").get_by_role(
        "link", name="Engagement matrix").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Engagement assessment matrix")
    marta = page.get_by_role("row", name=re.compile("Marta Alcalde"))
    expect(marta).to_contain_text("Raise by 2 levels")
    expect(marta).to_contain_text("Improving")
    expect(page.get_by_role("row", name=re.compile("Jordi Puig"))).to_contain_text("Declining")
    expect(page.get_by_role("row", name=re.compile("Lucía Ferrer"))).to_contain_text("No gap")
    expect(page.get_by_text("Someone Elsewhere")).to_have_count(0)
    page.get_by_label("Only stakeholders with a gap").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("row", name=re.compile("Lucía Ferrer"))).to_have_count(0)
    expect(page.get_by_text("4 stakeholders with a gap")).to_be_visible()
    screenshot(page, "engagement-matrix.png")

    page.get_by_role("navigation", name="Stakeholder management").get_by_role(
        "link", name="Communications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Communications")
    overdue = page.get_by_role("region", name=re.compile(r"^Overdue \("))
    expect(overdue.get_by_role("row", name=re.compile("Steering committee on the e-services"))
           ).to_contain_text("Overdue by 4 days")
    expect(page.get_by_role("region", name="Communication log")).to_contain_text(
        "Agreed the pilot scope."
    )
    screenshot(page, "communications.png")

    # The heat map: a click on a cell lists its risks.
    page.get_by_role("navigation", name="Stakeholder management").get_by_role(
        "link", name="Risks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Risks")
    heat_map = page.get_by_role("table", name=re.compile("Number of risks per probability"))
    expect(heat_map).to_be_visible()
    expect(page.get_by_text("5 risks by probability and impact")).to_be_visible()
    expect(page.get_by_text("Port strike")).to_have_count(0)
    screenshot(page, "risk-heat-map.png")
    heat_map.get_by_role("link", name=re.compile("2 risks with probability 5 and impact 4")).click()
    expect(page).to_have_url(re.compile(r"probability=5&impact=4"))
    risk_list = page.get_by_role("region", name="Risk list")
    expect(risk_list.get_by_role("row")).to_have_count(3)  # the header and two risks
    expect(risk_list).to_contain_text("Budget freeze halts the rollout")
    expect(risk_list).to_contain_text("Procurement appeal delays the contract")
    expect(page.get_by_text(f"Showing the cell probability 5 {TIMES} impact 4.")).to_be_visible()

    risk_list.get_by_role("link", name="Budget freeze halts the rollout").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Budget freeze halts the rollout")
    expect(page.get_by_text("The regional budget is not approved before March.")).to_be_visible()
    expect(page.get_by_text("Ask the mayor to ring-fence the programme budget.")).to_be_visible()
    expect(page.get_by_role("link", name="Marta Alcalde")).to_be_visible()
    expect(page.get_by_text(f"20 of 25 (probability {TIMES} impact)")).to_be_visible()

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Risks").click()
    expect(page.get_by_role("link", name=re.compile("with probability 3 and impact 3"))
           ).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "risk-heat-map-mobile.png")
    page.goto(f"{live_server.url}/stakeholders/")
    screenshot(page, "stakeholder-grid-mobile.png")
    assert errors == []
