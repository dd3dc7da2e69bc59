"""Stakeholder-management pages: the power/interest grid and register, a stakeholder, the
engagement assessment matrix, communications due and overdue, the risk heat map and list, and
a risk. Checked through the pages as a browser sees them: who may see what, where each row
lands, filters (bad ones included) and query counts that do not grow with rows."""

import html
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stakeholders.choices import (
    CommunicationFrequency,
    EngagementLevel,
    Quadrant,
    Relationship,
    ResponseStrategy,
    RiskCategory,
    RiskKind,
    RiskStatus,
)
from stakeholders.reports import Trend
from tests.factories import (
    ClientUserFactory,
    CommunicationFactory,
    CommunicationPlanFactory,
    EngagementAssessmentFactory,
    RiskFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

GRID = reverse("portal:stakeholder-grid")
MATRIX = reverse("portal:engagement-matrix")
COMMUNICATIONS = reverse("portal:communications")
RISKS = reverse("portal:risk-list")
LIST_PAGES = [GRID, MATRIX, COMMUNICATIONS, RISKS]
TIMES = "\N{MULTIPLICATION SIGN}"


def _text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed, for phrase assertions."""
    markup = response.content.decode()
    markup = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", markup, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _today() -> date:
    return timezone.localdate()


def _stakeholder_detail(stakeholder) -> str:
    return reverse("portal:stakeholder-detail", kwargs={"pk": stakeholder.pk})


def _risk_detail(risk) -> str:
    return reverse("portal:risk-detail", kwargs={"pk": risk.pk})


def _quadrant_names(response) -> dict[str, set[str]]:
    return {
        cell.quadrant.value: {person.full_name for person in cell.stakeholders}
        for cell in response.context["grid"]
    }


def _heat(response) -> dict[tuple[int, int], int]:
    return {
        (cell.probability, cell.impact): cell.count
        for row in response.context["heat_map"] for cell in row.cells
    }


def _titles(response) -> list[str]:
    return [risk.title for risk in response.context["risks"]]


@pytest.fixture
def two_registers(org_a, org_b):
    """One of everything in each organization, with names that say whose they are."""
    made = {}
    for organization, letter in ((org_a, "A"), (org_b, "B")):
        person = StakeholderFactory(
            organization=organization, full_name=f"Person of {letter}", power=4, interest=4
        )
        plan = CommunicationPlanFactory(
            organization=organization, purpose=f"Plan of {letter}",
            next_due_on=_today() - timedelta(days=2),
        )
        plan.stakeholders.add(person)
        CommunicationFactory(organization=organization, plan=plan, summary=f"Log of {letter}")
        risk = RiskFactory(organization=organization, title=f"Risk of {letter}", owner=person)
        risk.stakeholders.add(person)
        made[letter] = {"stakeholder": person, "risk": risk, "plan": plan}
    return made


# --- Who may see what -------------------------------------------------------------------------


@pytest.mark.parametrize("url", LIST_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_visitors_cannot_open_a_stakeholder_or_a_risk(client, two_registers):
    for url in (_stakeholder_detail(two_registers["A"]["stakeholder"]),
                _risk_detail(two_registers["A"]["risk"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("url", "own", "foreign"),
    [
        (GRID, "Person of A", "Person of B"),
        (MATRIX, "Person of A", "Person of B"),
        (COMMUNICATIONS, "Plan of A", "Plan of B"),
        (COMMUNICATIONS, "Log of A", "Log of B"),
        (RISKS, "Risk of A", "Risk of B"),
    ],
)
def test_a_client_sees_their_organization_only(client, user_a, two_registers, url, own, foreign):
    client.force_login(user_a)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert own in page
    assert foreign not in page
    assert "Organization B" not in page
    # The organization filter is for staff: a client neither sees it nor can use it.
    assert 'name="organization"' not in page
    org_b = two_registers["B"]["stakeholder"].organization
    tried = client.get(url, {"organization": org_b.pk}).content.decode()
    assert own in tried
    assert foreign not in tried


def test_a_client_gets_404_for_another_organizations_stakeholder_and_risk(
    client, user_a, two_registers
):
    client.force_login(user_a)
    assert client.get(_stakeholder_detail(two_registers["A"]["stakeholder"])).status_code == 200
    assert client.get(_risk_detail(two_registers["A"]["risk"])).status_code == 200
    assert client.get(_stakeholder_detail(two_registers["B"]["stakeholder"])).status_code == 404
    assert client.get(_risk_detail(two_registers["B"]["risk"])).status_code == 404


@pytest.mark.parametrize(
    ("url", "marker"),
    [(GRID, "Person of"), (MATRIX, "Person of"), (COMMUNICATIONS, "Plan of"),
     (RISKS, "Risk of")],
)
def test_staff_see_every_organization_and_can_choose_one(
    client, staff_user, org_a, two_registers, url, marker
):
    client.force_login(staff_user)
    everything = client.get(url)
    text = _text(everything)
    assert f"{marker} A" in text
    assert f"{marker} B" in text
    # Rows of several organizations say whose they are.
    assert "Organization A" in text
    assert "Organization B" in text
    assert 'name="organization"' in everything.content.decode()

    chosen = client.get(url, {"organization": org_a.pk})
    text = _text(chosen)
    assert f"{marker} A" in text
    assert f"{marker} B" not in text
    assert chosen.context["chosen_organization"] == org_a
    # The tabs keep the organization.
    assert f'href="{RISKS}?organization={org_a.pk}"' in chosen.content.decode()


def test_staff_open_any_stakeholder_and_risk(client, staff_user, two_registers):
    client.force_login(staff_user)
    stakeholder = two_registers["B"]["stakeholder"]
    response = client.get(_stakeholder_detail(stakeholder))
    assert response.status_code == 200
    assert "Stakeholder of Organization B" in _text(response)
    assert client.get(_risk_detail(two_registers["B"]["risk"])).status_code == 200


def test_a_user_without_organization_is_told_why_the_pages_are_empty(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    for url in LIST_PAGES:
        response = client.get(url)
        assert response.status_code == 200
        assert "not linked to an organization" in _text(response)


# --- Power/interest grid and register ----------------------------------------------------------


def test_grid_places_stakeholders_by_the_thresholds(client, user_a, org_a):
    for name, power, interest in [
        ("High both", 3, 3), ("Power only", 3, 2), ("Interest only", 2, 3), ("Low both", 2, 2),
        ("Top corner", 5, 5), ("Decisive bystander", 5, 1), ("Affected user", 1, 5),
    ]:
        StakeholderFactory(organization=org_a, full_name=name, power=power, interest=interest)
    client.force_login(user_a)
    response = client.get(GRID)
    assert _quadrant_names(response) == {
        "manage_closely": {"High both", "Top corner"},
        "keep_satisfied": {"Power only", "Decisive bystander"},
        "keep_informed": {"Interest only", "Affected user"},
        "monitor": {"Low both"},
    }
    # Reading order: keep satisfied top-left, manage closely top-right, monitor bottom-left.
    assert [cell.quadrant for cell in response.context["grid"]] == [
        Quadrant.KEEP_SATISFIED, Quadrant.MANAGE_CLOSELY, Quadrant.MONITOR,
        Quadrant.KEEP_INFORMED,
    ]
    assert [cell.count for cell in response.context["grid"]] == [2, 2, 1, 2]
    text = _text(response)
    assert "high = 3 or more" in text
    assert "7 active stakeholders" in text


@override_settings(PMO_THRESHOLDS={
    "POWER_HIGH_FROM": 4, "INTEREST_HIGH_FROM": 3, "RISK_MEDIUM_FROM": 5,
    "RISK_HIGH_FROM": 10, "RISK_CRITICAL_FROM": 15,
})
def test_grid_follows_configured_thresholds(client, user_a, org_a):
    StakeholderFactory(organization=org_a, full_name="Three three", power=3, interest=3)
    StakeholderFactory(organization=org_a, full_name="Four three", power=4, interest=3)
    client.force_login(user_a)
    response = client.get(GRID)
    names = _quadrant_names(response)
    assert names["keep_informed"] == {"Three three"}
    assert names["manage_closely"] == {"Four three"}
    assert "power counts as high from 4 on (high = 4 or more)" in _text(response)


def test_grid_names_a_limited_number_per_quadrant_and_counts_all(client, user_a, org_a):
    StakeholderFactory.create_batch(14, organization=org_a, power=5, interest=5)
    client.force_login(user_a)
    response = client.get(GRID)
    manage = response.context["grid"][1]
    assert manage.count == 14
    assert len(manage.stakeholders) == 12
    assert "and 2 more in the register" in _text(response)


def test_grid_leaves_archived_stakeholders_out_and_the_register_shows_them_on_request(
    client, user_a, org_a
):
    StakeholderFactory(organization=org_a, full_name="Still here")
    StakeholderFactory(organization=org_a, full_name="Moved on", is_active=False)
    client.force_login(user_a)
    response = client.get(GRID)
    assert _quadrant_names(response)["manage_closely"] == {"Still here"}
    assert [person.full_name for person in response.context["stakeholders"]] == ["Still here"]
    response = client.get(GRID, {"archived": "1"})
    assert [person.full_name for person in response.context["stakeholders"]] == [
        "Moved on", "Still here",
    ]
    assert _quadrant_names(response)["manage_closely"] == {"Still here"}
    assert "Archived" in _text(response)


def test_register_filters_by_quadrant_relationship_and_search(client, user_a, org_a):
    StakeholderFactory(
        organization=org_a, full_name="Sara Sponsor", relationship=Relationship.SPONSOR,
        power=5, interest=5, title="Director general",
    )
    StakeholderFactory(
        organization=org_a, full_name="Kim Keyuser", relationship=Relationship.KEY_USER,
        power=1, interest=5, unit="Revenue office",
    )
    StakeholderFactory(
        organization=org_a, full_name="Sam Supplier", relationship=Relationship.SUPPLIER,
        power=1, interest=1,
    )
    client.force_login(user_a)

    def names(**query):
        return [person.full_name for person in client.get(GRID, query).context["stakeholders"]]

    assert names(quadrant="keep_informed") == ["Kim Keyuser"]
    assert names(relationship="supplier") == ["Sam Supplier"]
    assert names(q="revenue") == ["Kim Keyuser"]
    assert names(q="director SARA") == ["Sara Sponsor"]
    assert names(q="director kim") == []
    # The quadrant filter narrows the register, not the grid: the grid marks the quadrant.
    response = client.get(GRID, {"quadrant": "keep_informed"})
    assert sum(cell.count for cell in response.context["grid"]) == 3
    assert "is-chosen" in response.content.decode()
    # Relationship and search narrow the grid too.
    response = client.get(GRID, {"relationship": "sponsor"})
    assert _quadrant_names(response)["manage_closely"] == {"Sara Sponsor"}
    assert "matching the relationship and search filters" in _text(response)


def test_register_row_shows_quadrant_and_engagement(client, user_a, org_a):
    StakeholderFactory(
        organization=org_a, full_name="Dana Decider", title="CIO", unit="IT",
        relationship=Relationship.DECISION_MAKER, power=5, interest=2,
        current_engagement=EngagementLevel.RESISTANT, desired_engagement=EngagementLevel.LEADING,
    )
    client.force_login(user_a)
    text = _text(client.get(GRID))
    assert "Dana Decider CIO IT Decision maker 5 2 Keep satisfied Resistant Leading +3" in text


def test_grid_and_register_empty_states(client, user_a, staff_user):
    client.force_login(user_a)
    text = _text(client.get(GRID))
    assert "The stakeholder register is empty." in text
    assert "Ask your PMO contact to start the register." in text
    assert "No stakeholder matches these filters." in _text(client.get(GRID, {"q": "zzz"}))
    client.force_login(staff_user)
    assert "Add stakeholders in the admin" in _text(client.get(GRID))


# --- Stakeholder page ----------------------------------------------------------------------


def test_stakeholder_page_shows_profile_history_trend_plans_and_risks(client, user_a, org_a):
    person = StakeholderFactory(
        organization=org_a, full_name="Rosa Resistant", power=4, interest=2,
        current_engagement=EngagementLevel.NEUTRAL, desired_engagement=EngagementLevel.LEADING,
        notes="Prefers short written briefings.",
    )
    EngagementAssessmentFactory(
        stakeholder=person, assessed_on=date(2025, 1, 10), current=EngagementLevel.RESISTANT,
        desired=EngagementLevel.SUPPORTIVE, note="Opposed the new ERP.",
    )
    EngagementAssessmentFactory(
        stakeholder=person, assessed_on=date(2025, 4, 10), current=EngagementLevel.NEUTRAL,
        desired=EngagementLevel.LEADING, note="Accepted the pilot.",
    )
    plan = CommunicationPlanFactory(
        organization=org_a, purpose="Fortnightly ERP briefing",
        next_due_on=_today() - timedelta(days=3),
    )
    plan.stakeholders.add(person)
    CommunicationPlanFactory(organization=org_a, purpose="Someone else's plan")
    owned = RiskFactory(organization=org_a, title="Budget cut", owner=person)
    linked = RiskFactory(organization=org_a, title="Union objects")
    linked.stakeholders.add(person)
    RiskFactory(organization=org_a, title="Unrelated risk")
    CommunicationFactory(organization=org_a, summary="Walked Rosa through the pilot.")\
        .participants.add(person)

    client.force_login(user_a)
    response = client.get(_stakeholder_detail(person))
    assert response.status_code == 200
    text = _text(response)
    assert "Rosa Resistant" in text
    assert "Keep satisfied" in text
    assert "Prefers short written briefings." in text
    assert response.context["trend"] == Trend.IMPROVING
    assert "Improving" in text
    assert [row.change for row in response.context["history"]] == [Trend.IMPROVING, Trend.NEW]
    assert "Accepted the pilot." in text
    assert "Opposed the new ERP." in text
    assert text.index("10 Apr 2025") < text.index("10 Jan 2025")  # newest first
    assert "Raise by 2 levels" in text
    assert "Fortnightly ERP briefing" in text
    assert "Overdue by 3 days" in text
    assert "Someone else's plan" not in text
    assert {risk.title for risk in response.context["owned_risks"]} == {owned.title}
    assert {risk.title for risk in response.context["linked_risks"]} == {linked.title}
    assert "Unrelated risk" not in text
    assert "Walked Rosa through the pilot." in text


def test_stakeholder_page_without_assessments_explains(client, user_a, org_a):
    person = StakeholderFactory(organization=org_a)
    client.force_login(user_a)
    response = client.get(_stakeholder_detail(person))
    assert response.context["trend"] == Trend.NEW
    text = _text(response)
    assert "Not assessed yet." in text
    assert "No active communication plan names" in text
    assert "They own no risk." in text


# --- Engagement assessment matrix --------------------------------------------------------------


def _matrix_row(response, name):
    return next(row for row in response.context["rows"] if row.stakeholder.full_name == name)


def _assess(person, *levels):
    """Assessments of ``person`` with these current levels, oldest first, a month apart."""
    for months, level in enumerate(levels):
        EngagementAssessmentFactory(
            stakeholder=person, current=level, desired=person.desired_engagement,
            assessed_on=date(2025, 1 + months, 1),
        )


def test_matrix_marks_current_desired_and_the_gap(client, user_a, org_a):
    StakeholderFactory(
        organization=org_a, full_name="Gap of two", current_engagement=EngagementLevel.RESISTANT,
        desired_engagement=EngagementLevel.SUPPORTIVE,
    )
    StakeholderFactory(
        organization=org_a, full_name="Aligned", current_engagement=EngagementLevel.LEADING,
        desired_engagement=EngagementLevel.LEADING,
    )
    StakeholderFactory(
        organization=org_a, full_name="Overengaged", current_engagement=EngagementLevel.LEADING,
        desired_engagement=EngagementLevel.NEUTRAL,
    )
    client.force_login(user_a)
    response = client.get(MATRIX)

    row = _matrix_row(response, "Gap of two")
    assert row.gap == 2
    assert [(c.level.value, c.is_current, c.is_desired, c.in_gap) for c in row.cells] == [
        ("unaware", False, False, False),
        ("resistant", True, False, False),
        ("neutral", False, False, True),
        ("supportive", False, True, False),
        ("leading", False, False, False),
    ]
    assert row.gap_text == "Raise by 2 levels"
    aligned = _matrix_row(response, "Aligned")
    assert aligned.gap == 0
    assert [(c.is_current, c.is_desired) for c in aligned.cells][-1] == (True, True)
    assert _matrix_row(response, "Overengaged").gap_text == "2 levels above desired"

    page = response.content.decode()
    aligned_row = re.search(r"<tr class=\"matrix-row-aligned\">.*?Aligned.*?</tr>", page, re.S)
    assert aligned_row
    # C and D in the same cell read "C D".
    assert re.search(r"Leading: </span>\s*<span class=\"matrix-mark matrix-mark-current\">"
                     r"<span aria-hidden=\"true\">C</span>.*?<span aria-hidden=\"true\">D</span>",
                     aligned_row.group(0), re.S)
    text = _text(response)
    assert "+2 Raise by 2 levels" in text  # colour is never the only cue
    assert "0 No gap" in text


def test_matrix_trend_compares_the_two_latest_assessments(client, user_a, org_a):
    people = {
        name: StakeholderFactory(organization=org_a, full_name=name)
        for name in ("Rising", "Falling", "Flat", "Once", "Never")
    }
    _assess(people["Rising"], EngagementLevel.SUPPORTIVE, EngagementLevel.UNAWARE,
            EngagementLevel.NEUTRAL)
    _assess(people["Falling"], EngagementLevel.NEUTRAL, EngagementLevel.RESISTANT)
    _assess(people["Flat"], EngagementLevel.RESISTANT, EngagementLevel.NEUTRAL,
            EngagementLevel.NEUTRAL)
    _assess(people["Once"], EngagementLevel.NEUTRAL)
    client.force_login(user_a)
    response = client.get(MATRIX)
    assert {row.stakeholder.full_name: row.trend for row in response.context["rows"]} == {
        "Rising": Trend.IMPROVING, "Falling": Trend.DECLINING, "Flat": Trend.STEADY,
        "Once": Trend.NEW, "Never": Trend.NEW,
    }
    text = _text(response)
    for words in ("↑ Improving", "↓ Declining", "→ Steady", "• New"):
        assert words in text


def test_matrix_filter_keeps_only_stakeholders_with_a_gap(client, user_a, org_a):
    StakeholderFactory(organization=org_a, full_name="Needs work",
                       current_engagement=EngagementLevel.NEUTRAL,
                       desired_engagement=EngagementLevel.SUPPORTIVE)
    StakeholderFactory(organization=org_a, full_name="Fine as is",
                       current_engagement=EngagementLevel.SUPPORTIVE,
                       desired_engagement=EngagementLevel.SUPPORTIVE)
    StakeholderFactory(organization=org_a, full_name="Archived person", is_active=False)
    client.force_login(user_a)
    everyone = client.get(MATRIX)
    assert {row.stakeholder.full_name for row in everyone.context["rows"]} == {
        "Needs work", "Fine as is",
    }
    gaps = client.get(MATRIX, {"with_gap": "1"})
    assert [row.stakeholder.full_name for row in gaps.context["rows"]] == ["Needs work"]
    assert 'name="with_gap" value="1" id="id_with_gap" checked' in gaps.content.decode()


def test_matrix_empty_states(client, user_a, org_a):
    client.force_login(user_a)
    assert "No active stakeholders to assess yet." in _text(client.get(MATRIX))
    StakeholderFactory(organization=org_a, current_engagement=EngagementLevel.SUPPORTIVE,
                       desired_engagement=EngagementLevel.SUPPORTIVE)
    assert "No gaps" in _text(client.get(MATRIX, {"with_gap": "1"}))


# --- Communications ----------------------------------------------------------------------------


def test_communications_lists_overdue_then_due_soon_then_later(client, user_a, org_a):
    today = _today()
    for purpose, days in [
        ("Later quarterly board", 15), ("Due today standup", 0), ("Very late report", -9),
        ("Boundary review", 14), ("Yesterday's call", -1), ("In three days", 3),
    ]:
        CommunicationPlanFactory(
            organization=org_a, purpose=purpose, next_due_on=today + timedelta(days=days)
        )
    CommunicationPlanFactory(
        organization=org_a, purpose="Ad hoc escalation", next_due_on=None,
        frequency=CommunicationFrequency.AD_HOC,
    )
    CommunicationPlanFactory(
        organization=org_a, purpose="Retired plan", next_due_on=today - timedelta(days=30),
        is_active=False,
    )
    client.force_login(user_a)
    response = client.get(COMMUNICATIONS)
    sections = {
        section.status.value: [row.plan.purpose for row in section.plans]
        for section, _total in response.context["schedule"]
    }
    assert list(sections) == ["overdue", "due_soon", "later"]
    assert sections["overdue"] == ["Very late report", "Yesterday's call"]
    assert sections["due_soon"] == ["Due today standup", "In three days", "Boundary review"]
    assert sections["later"] == ["Later quarterly board", "Ad hoc escalation"]
    assert response.context["due_counts"] == {"overdue": 2, "due_soon": 3, "later": 2}

    text = _text(response)
    positions = [text.index(words) for words in (
        "Very late report", "Yesterday's call", "Due today standup", "Boundary review",
        "Later quarterly board", "Ad hoc escalation",
    )]
    assert positions == sorted(positions)
    assert "Overdue by 9 days" in text
    assert "Overdue by 1 day" in text
    assert "Due today" in text
    assert "In 3 days" in text
    assert "As needed" in text
    assert "Retired plan" not in text
    assert "2 overdue 3 due in the next 14 days 2 later or as needed" in text


def test_communications_show_audience_owner_and_last_held(client, user_a, org_a, staff_user):
    person = StakeholderFactory(organization=org_a, full_name="Olga Owner")
    plan = CommunicationPlanFactory(
        organization=org_a, purpose="Monthly steering", audience="Steering committee",
        owner=staff_user, next_due_on=_today() + timedelta(days=20),
    )
    plan.stakeholders.add(person)
    CommunicationFactory(organization=org_a, plan=plan, held_on=date(2025, 3, 4))
    CommunicationFactory(organization=org_a, plan=plan, held_on=date(2025, 2, 4))
    staff_user.first_name, staff_user.last_name = "Petra", "Pmo"
    staff_user.save()
    client.force_login(user_a)
    text = _text(client.get(COMMUNICATIONS))
    assert ("Monthly steering Steering committee Olga Owner Meeting Monthly Petra Pmo "
            "4 Mar 2025") in text


def test_communications_log_shows_the_latest_twenty(client, user_a, org_a):
    person = StakeholderFactory(organization=org_a, full_name="Paula Participant")
    for day in range(1, 23):
        communication = CommunicationFactory(
            organization=org_a, held_on=date(2025, 1, day), summary=f"Meeting number {day:02d}",
            agreed_actions=f"Action {day:02d}" if day == 22 else "",
        )
        communication.participants.add(person)
    client.force_login(user_a)
    response = client.get(COMMUNICATIONS)
    summaries = [item.summary for item in response.context["recent_communications"]]
    assert summaries == [f"Meeting number {day:02d}" for day in range(22, 2, -1)]
    text = _text(response)
    assert "Meeting number 01" not in text
    assert "Action 22" in text
    assert "Paula Participant" in text


def test_communications_empty_states(client, user_a):
    client.force_login(user_a)
    text = _text(client.get(COMMUNICATIONS))
    assert "No active communication plan yet." in text
    assert "No communication logged yet." in text


# --- Risk heat map and list --------------------------------------------------------------------


@pytest.fixture
def risks(org_a):
    owner = StakeholderFactory(organization=org_a, full_name="Rita Owner")
    made = {
        "flood": RiskFactory(organization=org_a, title="Data centre flood", probability=5,
                             impact=5, category=RiskCategory.TECHNICAL, owner=owner),
        "fire": RiskFactory(organization=org_a, title="Server room fire", probability=5,
                            impact=5, status=RiskStatus.MONITORING,
                            category=RiskCategory.TECHNICAL),
        "typo": RiskFactory(organization=org_a, title="Typo in the newsletter", probability=1,
                            impact=1, category=RiskCategory.STAKEHOLDER,
                            description="A zebracorn slips through."),
        "grant": RiskFactory(organization=org_a, title="EU grant awarded", probability=2,
                             impact=4, kind=RiskKind.OPPORTUNITY,
                             response_strategy=ResponseStrategy.EXPLOIT,
                             category=RiskCategory.FINANCIAL),
        "closed": RiskFactory(organization=org_a, title="Old licence audit", probability=4,
                              impact=3, status=RiskStatus.CLOSED),
        "occurred": RiskFactory(organization=org_a, title="Key developer left", probability=5,
                                impact=2, status=RiskStatus.OCCURRED),
    }
    return made


def test_heat_map_counts_active_risks_per_cell(client, user_a, risks):
    client.force_login(user_a)
    response = client.get(RISKS)
    heat = _heat(response)
    assert heat[(5, 5)] == 2
    assert heat[(1, 1)] == 1
    assert heat[(2, 4)] == 1
    assert heat[(4, 3)] == 0  # closed
    assert sum(heat.values()) == 4
    rows = response.context["heat_map"]
    assert [row.probability for row in rows] == [5, 4, 3, 2, 1]
    assert [cell.impact for cell in rows[0].cells] == [1, 2, 3, 4, 5]
    assert rows[0].cells[4].rating == "critical"
    assert rows[4].cells[0].rating == "low"
    page = response.content.decode()
    assert '<table class="heatmap-table">' in page
    assert "<caption>Number of risks per probability" in page
    heat_map_markup = page.split("heatmap-table")[1].split("</table>")[0]
    headers = re.findall(r'<th scope="(col|row)">(.*?)</th>', heat_map_markup)
    assert [(scope, re.sub(r"<[^>]+>", "", text)) for scope, text in headers] == [
        ("col", "Impact 1Negligible"), ("col", "Impact 2Minor"), ("col", "Impact 3Moderate"),
        ("col", "Impact 4Major"), ("col", "Impact 5Severe"),
        ("row", "Probability 5Almost certain"), ("row", "Probability 4Likely"),
        ("row", "Probability 3Possible"), ("row", "Probability 2Unlikely"),
        ("row", "Probability 1Rare"),
    ]
    # Non-empty cells link to the list filtered on them; empty ones do not.
    assert f'href="{RISKS}?probability=5&amp;impact=5"' in page
    assert f'href="{RISKS}?probability=4&amp;impact=3"' not in page
    assert "heatmap-cell heatmap-cell-critical" in page


def test_heat_map_cell_click_through_filters_the_list_only(client, user_a, risks):
    client.force_login(user_a)
    response = client.get(RISKS, {"probability": 5, "impact": 5})
    assert sorted(_titles(response)) == ["Data centre flood", "Server room fire"]
    # The map still shows every cell of the other filters, the chosen one marked.
    assert sum(_heat(response).values()) == 4
    page = response.content.decode()
    assert "is-chosen" in page
    assert f"Showing the cell probability 5 {TIMES} impact 5." in _text(response)
    # The cell count and the list agree under other filters too.
    response = client.get(RISKS, {"status": "all"})
    assert _heat(response)[(4, 3)] == 1
    assert f'href="{RISKS}?status=all&amp;probability=4&amp;impact=3"' in (
        response.content.decode()
    )
    cell = client.get(RISKS, {"status": "all", "probability": 4, "impact": 3})
    assert _titles(cell) == ["Old licence audit"]


def test_heat_map_follows_status_kind_and_category(client, user_a, risks):
    client.force_login(user_a)
    assert sum(_heat(client.get(RISKS, {"status": "all"})).values()) == 6
    assert _heat(client.get(RISKS, {"status": "occurred"}))[(5, 2)] == 1
    opportunities = _heat(client.get(RISKS, {"kind": "opportunity"}))
    assert sum(opportunities.values()) == 1
    assert opportunities[(2, 4)] == 1
    technical = _heat(client.get(RISKS, {"category": "technical"}))
    assert sum(technical.values()) == 2


def test_risk_list_defaults_to_active_risks_and_filters(client, user_a, risks):
    client.force_login(user_a)
    response = client.get(RISKS)
    assert set(_titles(response)) == {
        "Data centre flood", "Server room fire", "Typo in the newsletter", "EU grant awarded",
    }
    # Highest score first.
    assert _titles(response)[-1] == "Typo in the newsletter"
    assert "4 risks open or monitored" in _text(response)
    assert len(_titles(client.get(RISKS, {"status": "all"}))) == 6
    assert _titles(client.get(RISKS, {"status": "closed"})) == ["Old licence audit"]
    assert _titles(client.get(RISKS, {"status": "monitoring"})) == ["Server room fire"]
    assert sorted(_titles(client.get(RISKS, {"rating": "critical"}))) == [
        "Data centre flood", "Server room fire",
    ]
    assert _titles(client.get(RISKS, {"rating": "medium"})) == ["EU grant awarded"]
    assert _titles(client.get(RISKS, {"rating": "low"})) == ["Typo in the newsletter"]
    assert _titles(client.get(RISKS, {"q": "ZEBRACORN"})) == ["Typo in the newsletter"]
    assert _titles(client.get(RISKS, {"q": "server fire"})) == ["Server room fire"]
    assert _titles(client.get(RISKS, {"q": "server flood"})) == []
    assert _titles(client.get(RISKS, {"kind": "opportunity"})) == ["EU grant awarded"]
    assert _titles(client.get(RISKS, {"category": "financial"})) == ["EU grant awarded"]
    owner = risks["flood"].owner
    assert _titles(client.get(RISKS, {"owner": owner.pk})) == ["Data centre flood"]
    assert sorted(_titles(client.get(RISKS, {"probability": 5}))) == [
        "Data centre flood", "Server room fire",
    ]
    assert _titles(client.get(RISKS, {"impact": 4})) == ["EU grant awarded"]


def test_risk_list_row_shows_every_column(client, user_a, org_a):
    owner = StakeholderFactory(organization=org_a, full_name="Omar Owner")
    RiskFactory(
        organization=org_a, title="Vendor bankrupt", category=RiskCategory.EXTERNAL,
        probability=2, impact=5, response_strategy=ResponseStrategy.TRANSFER, owner=owner,
        proximity=date(2026, 6, 30), status=RiskStatus.MONITORING,
    )
    client.force_login(user_a)
    text = _text(client.get(RISKS))
    assert ("Vendor bankrupt External Threat 2 5 10 High Transfer Omar Owner 30 Jun 2026 "
            "Monitoring") in text


def test_risk_owner_choices_are_the_viewers_owners(client, user_a, risks, org_b):
    foreign_owner = StakeholderFactory(organization=org_b, full_name="Foreign owner")
    RiskFactory(organization=org_b, owner=foreign_owner)
    client.force_login(user_a)
    response = client.get(RISKS)
    page = response.content.decode()
    assert "Rita Owner" in page
    assert "Foreign owner" not in page
    response = client.get(RISKS, {"owner": foreign_owner.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in _text(response)


def test_staff_choosing_an_organization_narrows_the_owner_choices(
    client, staff_user, org_a, org_b
):
    owner_a = StakeholderFactory(organization=org_a, full_name="Owner in A")
    owner_b = StakeholderFactory(organization=org_b, full_name="Owner in B")
    RiskFactory(organization=org_a, owner=owner_a, title="Risk owned in A")
    RiskFactory(organization=org_b, owner=owner_b)
    client.force_login(staff_user)
    page = client.get(RISKS).content.decode()
    assert "Owner in A (Organization A)" in page
    assert "Owner in B (Organization B)" in page
    page = client.get(RISKS, {"organization": org_a.pk}).content.decode()
    assert f'<option value="{owner_a.pk}">Owner in A</option>' in page
    assert "Owner in B" not in page
    response = client.get(RISKS, {"organization": org_a.pk, "owner": owner_b.pk})
    assert "This person owns risks of another organization." in _text(response)
    assert _titles(response) == ["Risk owned in A"]


def test_risk_list_empty_states(client, user_a, org_a):
    client.force_login(user_a)
    text = _text(client.get(RISKS))
    assert "No open or monitored risk." in text
    assert "show all statuses" in text
    assert "0 risks by probability and impact" in text
    RiskFactory(organization=org_a, title="Only risk")
    assert "No risk matches these filters." in _text(client.get(RISKS, {"q": "nothing"}))


def test_risk_page_shows_every_field(client, user_a, org_a):
    owner = StakeholderFactory(organization=org_a, full_name="Ona Owner")
    concerned = StakeholderFactory(organization=org_a, full_name="Cai Concerned")
    risk = RiskFactory(
        organization=org_a, title="Go-live slips", description="The go-live may move.",
        cause="Data migration is late.", effect="Two more months of double running.",
        probability=4, impact=4, response_strategy=ResponseStrategy.MITIGATE,
        response_actions="Add a second migration team.", owner=owner,
        proximity=date(2026, 1, 15), category=RiskCategory.SCHEDULE,
    )
    risk.stakeholders.add(concerned)
    client.force_login(user_a)
    response = client.get(_risk_detail(risk))
    text = _text(response)
    for words in (
        "Go-live slips", "The go-live may move.", "Data migration is late.",
        "Two more months of double running.", "Add a second migration team.", "Mitigate",
        "Ona Owner", "Cai Concerned", "4 of 5 · Likely", "4 of 5 · Major", "16 of 25",
        "Critical", "15 January 2026", "Schedule", "Open",
    ):
        assert words in text
    assert "?probability=4&amp;impact=4&amp;status=all" in response.content.decode()


# --- Bad input never breaks a page -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "query", "message"),
    [
        (RISKS, {"probability": "9"}, "Select a valid choice"),
        (RISKS, {"impact": "x"}, "Select a valid choice"),
        (RISKS, {"status": "exploded"}, "Select a valid choice"),
        (RISKS, {"rating": "apocalyptic"}, "Select a valid choice"),
        (RISKS, {"owner": "abc"}, "Select a valid choice"),
        (RISKS, {"owner": "99999999999999999999999"}, "Select a valid choice"),
        (GRID, {"quadrant": "nowhere"}, "Select a valid choice"),
        (GRID, {"relationship": "cousin"}, "Select a valid choice"),
        (GRID, {"organization": "abc"}, "Select a valid choice"),
        (MATRIX, {"organization": "999999"}, "Select a valid choice"),
        (COMMUNICATIONS, {"organization": "abc"}, "Select a valid choice"),
        (RISKS, {"organization": "-1"}, "Select a valid choice"),
    ],
)
def test_bad_filter_values_give_a_normal_page_with_the_error(
    client, staff_user, two_registers, url, query, message
):
    client.force_login(staff_user)
    response = client.get(url, query)
    assert response.status_code == 200
    text = _text(response)
    assert message in text
    assert "Some filters could not be applied and were ignored" in text
    assert 'aria-invalid="true"' in response.content.decode()


def test_an_invalid_filter_is_ignored_and_the_others_still_apply(client, user_a, risks):
    client.force_login(user_a)
    response = client.get(RISKS, {"probability": "9", "kind": "opportunity"})
    assert _titles(response) == ["EU grant awarded"]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_page_numbers_out_of_range_show_the_first_or_last_page(client, user_a, org_a, url):
    for index in range(30):
        StakeholderFactory(organization=org_a, full_name=f"Person {index:02d}")
        CommunicationPlanFactory(organization=org_a)
        RiskFactory(organization=org_a)
    client.force_login(user_a)
    last = client.get(url, {"page": "999"})
    assert last.status_code == 200
    assert last.context["page_obj"].number == 2
    first = client.get(url, {"page": "abc"})
    assert first.status_code == 200
    assert first.context["page_obj"].number == 1
    assert "Page 1 of 2" in _text(first)


# --- Query counts ------------------------------------------------------------------------------


def _fill(organization, rows: int) -> None:
    """``rows`` of everything each page lists, with the relations each row shows."""
    for index in range(rows):
        person = StakeholderFactory(
            organization=organization, power=1 + index % 5, interest=1 + (index * 2) % 5
        )
        EngagementAssessmentFactory(stakeholder=person, current=EngagementLevel.RESISTANT)
        EngagementAssessmentFactory(stakeholder=person, current=EngagementLevel.NEUTRAL)
        plan = CommunicationPlanFactory(
            organization=organization, next_due_on=_today() + timedelta(days=index - 5)
        )
        plan.stakeholders.add(person)
        communication = CommunicationFactory(organization=organization, plan=plan)
        communication.participants.add(person)
        risk = RiskFactory(
            organization=organization, owner=person, probability=1 + index % 5,
            impact=1 + (index * 3) % 5,
        )
        risk.stakeholders.add(person)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", LIST_PAGES)
@pytest.mark.parametrize("as_staff", [False, True], ids=["client", "staff"])
def test_query_count_does_not_grow_with_rows(client, user_a, staff_user, org_a, url, as_staff):
    client.force_login(staff_user if as_staff else user_a)
    _fill(org_a, 2)
    few = _queries(client, url)
    _fill(org_a, 18)
    assert _queries(client, url) == few


@pytest.mark.parametrize("as_staff", [False, True], ids=["client", "staff"])
def test_detail_query_count_does_not_grow_with_history(client, user_a, staff_user, org_a,
                                                       as_staff):
    client.force_login(staff_user if as_staff else user_a)
    person = StakeholderFactory(organization=org_a)
    risk = RiskFactory(organization=org_a, owner=person)

    def grow(rows):
        for _ in range(rows):
            EngagementAssessmentFactory(stakeholder=person)
            CommunicationPlanFactory(organization=org_a).stakeholders.add(person)
            CommunicationFactory(organization=org_a).participants.add(person)
            RiskFactory(organization=org_a, owner=person).stakeholders.add(person)
            risk.stakeholders.add(StakeholderFactory(organization=org_a))

    grow(2)
    few = (_queries(client, _stakeholder_detail(person)), _queries(client, _risk_detail(risk)))
    grow(18)
    assert (_queries(client, _stakeholder_detail(person)),
            _queries(client, _risk_detail(risk))) == few


def test_client_users_of_the_same_organization_share_the_pages(client, org_a, two_registers):
    colleague = ClientUserFactory(membership__organization=org_a, membership__role="read_only")
    client.force_login(colleague)
    assert "Risk of A" in _text(client.get(RISKS))
