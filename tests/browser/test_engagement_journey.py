"""Engagement journey in the browser: PMO staff open a staffing need's matching screen in the
admin, read the ranking (score, factor bars, the excluded with their reason), assign the top
candidate in one click; then the client's user signs in to the portal and finds that
consultant, with role and allocation, on their engagement's team.

Full-page screenshots of the matching screen (before and after the assignment), the bench and
the client's engagement page are saved under ``test-artifacts/``.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.choices import Seniority
from engagements.choices import Language, NeedStatus
from engagements.models import Assignment, StaffingNeed
from tests.browser.helpers import screenshot, watch_console
from tests.factories import (
    ClientUserFactory,
    ConsultantFactory,
    ConsultantLanguageFactory,
    ConsultantSkillFactory,
    CultureAssessmentFactory,
    DayRateFactory,
    EngagementFactory,
    OrganizationFactory,
    RoleFactory,
    SkillFactory,
    StaffingNeedFactory,
    StaffingNeedSkillFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _bench_and_need(council):
    """A hierarchy-type council staffing its PMO: a need for a senior, Spanish-speaking PMO
    lead with agile skills, and a bench where the best fit is clear."""
    CultureAssessmentFactory(organization=council, current_clan=Decimal("15"),
                             current_adhocracy=Decimal("10"), current_market=Decimal("15"),
                             current_hierarchy=Decimal("60"))
    engagement = EngagementFactory(organization=council, title="Permits PMO rollout",
                                   budget_at_completion=Decimal("240000"))
    scrum = SkillFactory(name="Scrum")
    portfolio = SkillFactory(name="Portfolio management")
    need = StaffingNeedFactory(engagement=engagement, role=RoleFactory(name="PMO lead"),
                               seniority=Seniority.SENIOR, language=Language.SPANISH,
                               allocation_percent=60)
    StaffingNeedSkillFactory(need=need, skill=scrum, minimum_level=4)
    StaffingNeedSkillFactory(need=need, skill=portfolio, minimum_level=3)
    bench = [
        # name, headline, levels (scrum, portfolio), style, speaks Spanish
        ("Lucía Navarro", "Agile PMO lead for public bodies", (5, 4), (20, 10, 15, 55), True),
        ("Marc Dubois", "Transformation lead", (5, 5), (20, 50, 20, 10), False),
        ("Pedro Alves", "Project manager", (3, 2), (25, 25, 25, 25), True),
        ("Sofía Ibarra", "Portfolio analyst", (2, 4), (30, 20, 20, 30), True),
    ]
    for name, headline, (scrum_level, portfolio_level), style, spanish in bench:
        consultant = ConsultantFactory(
            full_name=name, headline=headline, seniority=Seniority.SENIOR,
            style_clan=style[0], style_adhocracy=style[1], style_market=style[2],
            style_hierarchy=style[3],
        )
        ConsultantSkillFactory(consultant=consultant, skill=scrum, proficiency=scrum_level)
        ConsultantSkillFactory(consultant=consultant, skill=portfolio,
                               proficiency=portfolio_level)
        if spanish:
            ConsultantLanguageFactory(consultant=consultant, language=Language.SPANISH)
        DayRateFactory(consultant=consultant, amount=Decimal("650"))
    return engagement, need


def test_staff_assign_the_top_candidate_and_the_client_sees_the_team(
    live_server, page, browser, staff_user, password
):
    errors = watch_console(page)
    council = OrganizationFactory(name="City Council of Riverton")
    ClientUserFactory(username="marta", first_name="Marta", last_name="Ruiz",
                      membership__organization=council)
    engagement, need = _bench_and_need(council)
    other = OrganizationFactory(name="Eastmoor Health")
    EngagementFactory(organization=other, title="Eastmoor PMO")

    page.goto(f"{live_server.url}/admin/engagements/staffingneed/")
    page.get_by_label("Username").fill(staff_user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    row = page.get_by_role("row", name=re.compile("Permits PMO rollout"))
    row.get_by_role("link", name="Matching candidates").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Candidates for PMO lead on Permits PMO rollout"
    )
    expect(page.get_by_text("Portfolio management ≥ 3, Scrum ≥ 4")).to_be_visible()
    candidates = page.get_by_role("region", name=re.compile("^Ranked candidates: 3"))
    rows = candidates.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Lucía Navarro")
    expect(rows.nth(0).get_by_role("meter", name="Skills coverage: 100%")).to_be_visible()
    expect(rows.nth(0).get_by_role("meter", name=re.compile(r"^Culture fit: \d+%$"))
           ).to_be_visible()
    excluded = page.get_by_role("region", name="Excluded: 1")
    expect(excluded.get_by_role("row", name=re.compile("Marc Dubois"))).to_contain_text(
        "Does not work in Spanish"
    )
    screenshot(page, "engagement-matching.png")

    # Trying a weight that is not a number explains itself and changes nothing stored.
    page.get_by_label("Culture fit", exact=True).fill("900")
    page.get_by_role("button", name="Rank with these weights").click()
    expect(page.get_by_text("These weights were not used")).to_be_visible()
    expect(page.get_by_text("Ensure this value is less than or equal to 100.")).to_be_visible()

    rows.nth(0).get_by_role("button", name="Assign Lucía Navarro").click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        "Lucía Navarro is assigned to Permits PMO rollout as PMO lead at 60%"
    )
    expect(page.get_by_text(re.compile("^Filled by:"))).to_contain_text("Lucía Navarro")
    expect(page.get_by_role("button", name=re.compile("^Assign"))).to_have_count(0)
    screenshot(page, "engagement-matching-assigned.png")
    assignment = Assignment.objects.get(staffing_need=need)
    assert assignment.consultant.full_name == "Lucía Navarro"
    assert StaffingNeed.objects.get(pk=need.pk).status == NeedStatus.FILLED

    page.goto(f"{live_server.url}/admin/engagements/consultant/bench/")
    bench_row = page.get_by_role("row", name=re.compile("Lucía Navarro"))
    expect(bench_row).to_contain_text("Senior")
    screenshot(page, "engagement-bench.png")
    assert errors == []

    # The client signs in to the portal and sees Lucía on their team.
    client_context = browser.new_context()
    try:
        client_page = client_context.new_page()
        client_errors = watch_console(client_page)
        client_page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
        client_page.get_by_label("Username").fill("marta")
        client_page.get_by_label("Password").fill(password)
        client_page.get_by_role("button", name="Log in").click()
        expect(client_page.get_by_role("heading", level=1)).to_have_text("Permits PMO rollout")
        team = client_page.get_by_role("region", name="Delivery team")
        member = team.get_by_role("article", name="Lucía Navarro")
        expect(member).to_contain_text("Agile PMO lead for public bodies")
        expect(team).to_contain_text("PMO lead · 60% of their time")
        expect(team).not_to_contain_text("650")  # never the day rate
        expect(team.get_by_text("Pedro Alves")).to_have_count(0)
        screenshot(client_page, "engagement-client-team.png")
        client_page.goto(f"{live_server.url}/engagements/")
        expect(client_page.get_by_text("Eastmoor PMO")).to_have_count(0)
        assert client_errors == []
    finally:
        client_context.close()
