"""Journeys a person makes in the browser: a client signs in, sees their organization, leaves;
PMO staff sign in to the admin."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import watch_console
from tests.factories import ClientUserFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page):
    """Console errors (Content-Security-Policy refusals, failed resources); journeys expect none."""
    return watch_console(page)


def test_client_logs_in_sees_organization_and_logs_out(
    live_server, page, password, csp_violations
):
    organization = OrganizationFactory(name="City Council of Riverton", region="Valencia")
    ClientUserFactory(
        username="laura", first_name="Laura", last_name="Gómez",
        membership__organization=organization, membership__role="sponsor",
    )
    ClientUserFactory(first_name="Colleague", last_name="Ruiz",
                      membership__organization=organization)
    OrganizationFactory(name="Some Other Client")

    # Anonymous visitors of the home page land in the public catalog.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/catalog/$"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("laura")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")

    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("City Council of Riverton")
    expect(page.get_by_text("Valencia (ES)")).to_be_visible()
    expect(page.get_by_role("cell", name="Colleague Ruiz")).to_be_visible()
    expect(page.get_by_text("Some Other Client")).to_have_count(0)

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/catalog/$"))
    assert csp_violations == []


def test_staff_logs_in_to_admin_and_finds_an_organization(
    live_server, page, staff_user, password, csp_violations
):
    OrganizationFactory(name="Eastmoor Regional Health Service")
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(staff_user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="PMO staff workspace")).to_be_visible()
    page.get_by_role("link", name="Organizations", exact=True).click()
    expect(page.get_by_role("heading", name="Select organization to change")).to_be_visible()
    page.locator("#searchbar").fill("Eastmoor")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Eastmoor Regional Health Service")).to_be_visible()
    assert csp_violations == []


def test_api_docs_render_offline_under_the_content_security_policy(
    live_server, page, csp_violations
):
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_role("heading", name=re.compile("PMO Service API"))).to_be_visible()
    # Tags start collapsed (SWAGGER_UI_SETTINGS); opening one lists its operations.
    for tag, path in (("organizations", "/api/v1/organizations/"),
                      ("staffing-needs", "/api/v1/staffing-needs/{id}/matches/")):
        page.locator(f"#operations-tag-{tag}").click()
        expect(page.get_by_text(path, exact=True).first).to_be_visible()
    assert csp_violations == []
