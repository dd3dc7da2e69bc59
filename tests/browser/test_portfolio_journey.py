"""Portfolio journey in the browser: a client member opens the applications portfolio, filters
it by TIME class with the chart beside the list, opens an application to be eliminated,
submits a demand on it and is warned that the work may be wasted.

Full-page screenshots of the portfolio, an application, the demand form, the demand and the
board are saved under ``test-artifacts/`` on every run, so the pages can be reviewed without
starting a server.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portfolio.choices import Lifecycle
from portfolio.models import Demand
from tests.browser.helpers import screenshot, watch_console
from tests.factories import (
    ApplicationDependencyFactory,
    ApplicationFactory,
    ClientUserFactory,
    DemandFactory,
    ObjectiveFactory,
    OrganizationFactory,
    StakeholderFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _portfolio(organization):
    """A small council portfolio: every TIME class, two applications to eliminate, one not
    assessed, a few dependencies, an objective and a demand already on the board."""
    hr_head = StakeholderFactory(organization=organization, full_name="Marta Ruiz",
                                 title="Head of Human Resources")
    it_lead = StakeholderFactory(organization=organization, full_name="Jon Arce",
                                 title="Infrastructure lead")
    apps = {}
    for code, name, functional, technical, extra in [
        ("PORTAL", "Citizen portal", 4, 4, {}),
        ("TAX", "Local tax engine", 4, 2, {}),
        ("ARCHIVE", "Document archive", 2, 4, {}),
        ("PAYROLL", "Legacy payroll", 1, 2, {"lifecycle": Lifecycle.SUNSETTING,
                                             "vendor": "Nómina Systems"}),
        ("INTRA", "Old intranet", 2, 1, {}),
        ("GIS", "Street map viewer", 3, 3, {}),
        ("CRM", "Citizen relations", None, None, {"lifecycle": Lifecycle.PROPOSED}),
    ]:
        apps[code] = ApplicationFactory(
            organization=organization, code=code, name=name, functional_fit=functional,
            technical_fit=technical, business_owner=hr_head, technical_owner=it_lead,
            annual_run_cost=48000, **extra,
        )
    ApplicationDependencyFactory(source=apps["PORTAL"], target=apps["PAYROLL"], kind="api")
    ApplicationDependencyFactory(source=apps["INTRA"], target=apps["PAYROLL"], kind="batch")
    ApplicationDependencyFactory(source=apps["PAYROLL"], target=apps["ARCHIVE"],
                                 kind="data_flow")
    ObjectiveFactory(organization=organization, title="Paperless human resources"
                     ).applications.add(apps["PAYROLL"], apps["PORTAL"])
    DemandFactory(organization=organization, title="Online tax payments",
                  applications=[apps["TAX"], apps["PORTAL"]], business_value=13, urgency=8,
                  risk_reduction=3, effort=5)
    return apps


def test_client_filters_the_portfolio_and_submits_a_demand_on_an_eliminate_application(
    live_server, page, password
):
    errors = watch_console(page)
    council = OrganizationFactory(name="City Council of Riverton")
    ClientUserFactory(username="marco", first_name="Marco", last_name="Vidal",
                      membership__organization=council, membership__role="member")
    _portfolio(council)
    other = OrganizationFactory(name="Eastmoor Health")
    ApplicationFactory(organization=other, code="EHR", name="Eastmoor patient records",
                       functional_fit=1, technical_fit=1)

    page.goto(f"{live_server.url}/portfolio/")
    page.get_by_label("Username").fill("marco")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Applications portfolio")
    expect(page.get_by_text("7 applications", exact=True)).to_be_visible()
    chart = page.get_by_role("img", name=re.compile(r"TIME chart of 6 assessed applications"))
    expect(chart).to_be_visible()
    expect(page.locator(".pf-point-link")).to_have_count(6)
    expect(page.get_by_role("link", name="1 not assessed yet")).to_be_visible()
    expect(page.get_by_text("Eastmoor patient records")).to_have_count(0)
    screenshot(page, "portfolio-list.png")

    page.get_by_label("TIME class").select_option("eliminate")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("2 of 7 applications match")).to_be_visible()
    table = page.get_by_role("region", name="Applications")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and two applications
    expect(table.get_by_role("row", name=re.compile("Legacy payroll"))).to_contain_text(
        "Eliminate"
    )
    expect(table.get_by_role("row", name=re.compile("Old intranet"))).to_be_visible()
    expect(table.get_by_text("Citizen portal")).to_have_count(0)
    # The chart keeps every class to choose from, and marks the chosen one.
    expect(page.locator(".pf-point-link")).to_have_count(6)
    expect(page.locator('.pf-count-link[aria-current="true"]')).to_contain_text("Eliminate")

    table.get_by_role("link", name="Legacy payroll").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Legacy payroll")
    expect(page.get_by_text("Marta Ruiz · Head of Human Resources")).to_be_visible()
    expect(page.get_by_text(re.compile(r"An outage reaches 2 applications"))).to_be_visible()
    screenshot(page, "portfolio-application.png")

    page.get_by_role("link", name="Submit a demand for this application").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a demand")
    payroll = page.get_by_label("PAYROLL · Legacy payroll (Eliminate, sunsetting)")
    expect(payroll).to_be_checked()

    # Sending it without a title or description explains what is missing.
    page.get_by_role("button", name="Submit demand").click()
    expect(page.get_by_role("alert")).to_contain_text("The demand was not submitted")
    expect(page.get_by_role("alert")).to_contain_text("Give the demand a title.")
    expect(payroll).to_be_checked()

    page.get_by_label("Title").fill("Online payslips")
    page.get_by_label("Type").select_option("evolution")
    page.get_by_label("Description").fill(
        "Employees download their payslips instead of receiving paper every month."
    )
    page.get_by_label("Paperless human resources").check()
    page.get_by_label("Requester").select_option(label="Marta Ruiz · Head of Human Resources")
    page.get_by_label("Business value").select_option("8")
    page.get_by_label("Urgency").select_option("5")
    page.get_by_label("Risk reduction").select_option("3")
    page.get_by_label("Effort").select_option("2")
    target = timezone.localdate() + datetime.timedelta(days=120)
    page.get_by_label("Target date").fill(target.isoformat())
    screenshot(page, "portfolio-demand-form.png")
    page.get_by_role("button", name="Submit demand").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Online payslips")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Your demand “Online payslips” was submitted")
    expect(status).to_contain_text(
        "Warning: PAYROLL is classified Eliminate in the TIME assessment."
    )
    expect(status).to_contain_text("Warning: PAYROLL is sunsetting.")
    expect(page.locator(".badge-large")).to_have_text("Submitted")
    expect(page.get_by_text("(8 + 5 + 3) / 2 = 8.00")).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw this demand")).to_be_visible()
    screenshot(page, "portfolio-demand-detail.png")

    demand = Demand.objects.get(title="Online payslips")
    assert demand.organization == council
    assert [app.code for app in demand.applications.all()] == ["PAYROLL"]

    page.goto(f"{live_server.url}/demands/")
    submitted = page.get_by_role("region", name=re.compile("^Submitted"))
    cards = submitted.get_by_role("article")
    expect(cards).to_have_count(2)
    # Highest priority first: 8.00 before 4.80.
    expect(cards.nth(0)).to_contain_text("Online payslips")
    expect(cards.nth(0)).to_contain_text("Warning")
    expect(cards.nth(1)).to_contain_text("Online tax payments")
    screenshot(page, "portfolio-demand-board.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/portfolio/")
    screenshot(page, "portfolio-list-mobile.png")
    assert errors == []
