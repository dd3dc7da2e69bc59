"""Catalog journeys in the browser: a visitor explores the catalog; a client requests a service
and follows it while PMO staff review and accept it in the admin.

Full-page screenshots of the catalog and of a service page are saved under ``test-artifacts/``
on every run, so the look of the pages can be reviewed without starting a server.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.choices import CriterionKind, Direction, Frequency, PricingBasis, TierLevel, Typology
from tests.browser.helpers import screenshot, watch_console
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    ClientUserFactory,
    CriterionFactory,
    IndicatorFactory,
    OrganizationFactory,
    PublishedServiceFactory,
    RoleFactory,
    ServiceFactory,
    ServiceRoleFactory,
    ServiceRoleSkillFactory,
    ServiceTierFactory,
    SkillFactory,
    ValueProcessFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def _catalog():
    """A small, realistic catalog: one fully described service and a few others."""
    governance = CategoryFactory(name="Governance and assurance", slug="governance", position=1)
    reporting = CategoryFactory(name="Reporting and analytics", slug="reporting", position=2)
    delivery = CategoryFactory(name="Delivery support", slug="delivery", position=3)
    prioritization = ValueProcessFactory(name="Portfolio prioritization")
    status_reporting = ValueProcessFactory(name="Reporting")
    risk = ValueProcessFactory(name="Risk management")

    service = PublishedServiceFactory(
        name="Portfolio reporting", slug="portfolio-reporting", typology=Typology.SUPPORTIVE,
        category=reporting, typical_duration_weeks=None,
        pricing_basis=PricingBasis.MONTHLY_RETAINER,
        pricing_notes="Travel outside the region is billed separately.",
        summary="One trusted monthly view of every project, for the board and the managers.",
        description=(
            "We collect status from every project manager, check it, and turn it into a "
            "monthly portfolio report with a one-page summary for the board.\n\n"
            "Your project managers keep a single template; we chase, consolidate and explain."
        ),
    )
    service.value_processes.add(prioritization, status_reporting)
    ServiceTierFactory(
        service=service, level=TierLevel.ESSENTIAL, headline="For a first portfolio view",
        includes="Monthly portfolio report\nOne reporting template",
        commitments="Report by the 5th working day", price=Decimal("2400"),
    )
    # The factory already gave the service its standard tier.
    service.tiers.filter(level=TierLevel.STANDARD).update(
        headline="For boards that steer monthly",
        includes="Monthly portfolio report\nBoard summary\nPMO analyst two days a week",
        commitments="Report by the 5th working day\nAnswer within 2 working days",
        price=Decimal("4500"),
    )
    ServiceTierFactory(
        service=service, level=TierLevel.PREMIUM, headline="For regulated programmes",
        includes="Weekly flash report\nMonthly portfolio report\nDedicated PMO lead",
        commitments="Flash report every Monday\nAnswer within 4 working hours", price=None,
    )
    for kind, text in [
        (CriterionKind.ENTRY, "A sponsor is named and chairs the portfolio board."),
        (CriterionKind.ENTRY, "Project managers are listed with their projects."),
        (CriterionKind.ACCEPTANCE, "The board approves the report format."),
        (CriterionKind.EXIT, "The reporting template and calendar are handed over."),
    ]:
        CriterionFactory(service=service, kind=kind, text=text)
    IndicatorFactory(service=service, name="On-time reports")
    IndicatorFactory(
        service=service, name="Days to publish", measures="Delay between month end and report",
        formula="Working days from month end to publication", unit="days",
        direction=Direction.LOWER_IS_BETTER, target=Decimal("5"), green_threshold=Decimal("5"),
        red_threshold=Decimal("8"), frequency=Frequency.MONTHLY,
    )
    lead = ServiceRoleFactory(
        service=service, role=RoleFactory(name="PMO lead"), typical_allocation_percent=40,
        responsibilities="Runs the reporting cycle and presents to the board.",
    )
    ServiceRoleSkillFactory(
        service_role=lead, skill=SkillFactory(name="Portfolio governance"), minimum_level=4
    )
    ServiceRoleSkillFactory(service_role=lead, skill=SkillFactory(name="Stakeholder management"))
    lead.certifications.add(CertificationFactory(code="PfMP", name="Portfolio Management Prof."))
    ServiceRoleFactory(
        service=service, role=RoleFactory(name="PMO analyst"), typical_allocation_percent=40,
        seniority="mid", responsibilities="Collects and checks project status.",
    )

    audits = PublishedServiceFactory(
        name="Stage gate assurance", slug="stage-gate-assurance",
        typology=Typology.CONTROLLING, category=governance,
        summary="Independent checks at each gate so only ready projects go ahead.",
    )
    audits.value_processes.add(risk)
    PublishedServiceFactory(
        name="Project recovery", slug="project-recovery", typology=Typology.DIRECTIVE,
        category=delivery, typical_duration_weeks=16,
        summary="A senior team takes control of a troubled project and brings it back on track.",
    ).value_processes.add(risk)
    PublishedServiceFactory(
        name="Risk reviews", slug="risk-reviews", typology=Typology.CONTROLLING,
        category=governance, summary="Quarterly review of the top risks across the portfolio.",
    ).value_processes.add(risk, prioritization)
    ServiceFactory(name="Unreleased draft service")
    return service


def test_visitor_searches_filters_and_reads_a_service(live_server, page):
    errors = watch_console(page)
    _catalog()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/catalog/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Service catalog")
    expect(page.get_by_text("4 services", exact=True)).to_be_visible()
    expect(page.get_by_text("Unreleased draft service")).to_have_count(0)
    screenshot(page, "catalog-home.png")

    page.get_by_label("Search services").fill("portfolio")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("2 of 4 services match")).to_be_visible()
    page.get_by_label("PMI typology").select_option("supportive")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("1 of 4 services match")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Risk reviews")).to_have_count(0)
    page.get_by_role("link", name="Portfolio reporting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio reporting")
    tiers = page.locator(".tier-card")
    expect(tiers).to_have_count(3)
    expect(tiers.nth(0).get_by_role("heading", level=3)).to_have_text("Essential")
    expect(tiers.nth(1)).to_contain_text("€4,500 per month")
    expect(tiers.nth(2)).to_contain_text("On quote")
    expect(page.get_by_role("heading", name="Entry criteria")).to_be_visible()
    expect(page.get_by_text("Portfolio governance ≥ 4/5")).to_be_visible()
    expect(page.get_by_role("link", name="Log in to request this service")).to_be_visible()
    screenshot(page, "service-detail.png")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "service-detail-mobile.png")
    assert errors == []


def test_client_requests_a_service_and_sees_staff_accept_it(
    live_server, page, browser, staff_user, password
):
    errors = watch_console(page)
    organization = OrganizationFactory(name="City Council of Riverton")
    ClientUserFactory(
        username="laura", first_name="Laura", last_name="Gómez",
        membership__organization=organization, membership__role="sponsor",
    )
    _catalog()

    # The visitor logs in from the service page and comes back to the request form.
    page.goto(f"{live_server.url}/catalog/portfolio-reporting/")
    page.get_by_role("link", name="Log in to request this service").click()
    page.get_by_label("Username").fill("laura")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request Portfolio reporting")

    # Sending it empty explains what is missing, next to each field.
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("alert")).to_contain_text("The request was not sent")
    expect(page.get_by_text("Describe the situation that makes the service needed.").last
           ).to_be_visible()

    page.get_by_label(re.compile(r"Standard ·")).check()
    start = timezone.localdate() + datetime.timedelta(days=45)
    page.get_by_label("Desired start date").fill(start.isoformat())
    page.get_by_label("Context").fill("Eleven projects report in eleven different formats.")
    page.get_by_label("Expected outcomes").fill("One monthly report the board trusts.")
    page.get_by_role("button", name="Submit request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio reporting")
    expect(page.get_by_role("status").first).to_contain_text("was submitted")
    expect(page.locator(".badge-large")).to_have_text("Submitted")
    request_url = page.url

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My requests").click()
    row = page.get_by_role("row", name=re.compile("Portfolio reporting"))
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("Laura Gómez")
    screenshot(page, "my-requests.png")

    # PMO staff review, then accept, the request in the admin.
    staff_context = browser.new_context()
    try:
        staff_page = staff_context.new_page()
        staff_errors = watch_console(staff_page)
        staff_page.goto(f"{live_server.url}/admin/catalog/servicerequest/")
        staff_page.get_by_label("Username").fill(staff_user.username)
        staff_page.get_by_label("Password").fill(password)
        staff_page.get_by_role("button", name="Log in").click()
        for action, done in (("start_review", "now in review"), ("accept_requests", "accepted")):
            staff_row = staff_page.get_by_role("row", name=re.compile("Portfolio reporting"))
            staff_row.locator('input[name="_selected_action"]').check()
            staff_page.locator('select[name="action"]').select_option(action)
            staff_page.get_by_role("button", name="Go").click()
            expect(staff_page.get_by_text(re.compile(done)).first).to_be_visible()
        assert staff_errors == []
    finally:
        staff_context.close()

    page.reload()
    expect(page.get_by_role("row", name=re.compile("Portfolio reporting"))).to_contain_text(
        "Accepted"
    )
    page.goto(request_url)
    expect(page.locator(".badge-large")).to_have_text("Accepted")
    expect(page.get_by_text("In review → Accepted")).to_be_visible()
    screenshot(page, "request-detail.png")
    assert errors == []
