"""Client portal pages of the engagements app: the engagement list, an engagement with its
team, and the culture page.

Checked through the pages as a browser gets them: who reaches what, which rows show, that a
consultant's private data (rates, notes, e-mail, capacity) never reaches the HTML, what the
chart draws, that bad input is reported instead of failing, and that query counts do not
grow with the rows.
"""

import dataclasses
import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.choices import Typology
from engagements import reports
from engagements.choices import CultureSource, EngagementStatus, Language, RemoteMode
from engagements.classification import culture_fit
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CertificationFactory,
    ClientUserFactory,
    ConsultantFactory,
    ConsultantLanguageFactory,
    ConsultantSkillFactory,
    CultureAssessmentFactory,
    DayRateFactory,
    EngagementFactory,
    PublishedServiceFactory,
    RoleFactory,
    ServiceFactory,
    SkillFactory,
    StakeholderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("engagements:engagement-list")
CULTURE = reverse("engagements:culture")
# Private data of consultants, planted to prove it never reaches a page.
SECRET_NOTE = "Private PMO note: negotiating a raise"
SECRET_RATE = Decimal("987.65")
SECRET_CAPACITY = 37


def _text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed, for phrase assertions."""
    markup = response.content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _detail(engagement) -> str:
    return reverse("engagements:engagement-detail", kwargs={"pk": engagement.pk})


def _titles(response) -> set[str]:
    return {engagement.title for engagement in response.context["engagements"]}


def _consultant(full_name: str, **fields):
    """A consultant with every private field filled in, and a day rate."""
    consultant = ConsultantFactory(
        full_name=full_name, notes=SECRET_NOTE, capacity_percent=SECRET_CAPACITY,
        email=f"{full_name.split()[0].lower()}@provider.example", **fields,
    )
    DayRateFactory(consultant=consultant, amount=SECRET_RATE)
    return consultant


def _assert_private_data_hidden(response, *consultants) -> None:
    body = response.content.decode()
    assert SECRET_NOTE not in body
    assert str(SECRET_RATE) not in body
    assert "987,65" not in body
    assert f"{SECRET_CAPACITY}%" not in body
    assert "capacity" not in _text(response).lower()
    for consultant in consultants:
        assert consultant.email not in body


@pytest.fixture
def engagement_a(org_a):
    """Organization A's active engagement: services, an application, sponsor, Product Owner,
    a Scrum Master and a two-person team (one of them finished)."""
    today = date.today()
    engagement = EngagementFactory(
        organization=org_a, title="Citizen services PMO", status=EngagementStatus.ACTIVE,
        typology=Typology.CONTROLLING, description="Set up the portfolio office.",
        planned_start=today - timedelta(days=60), planned_end=today + timedelta(days=120),
        sponsor=StakeholderFactory(organization=org_a, full_name="Marta Ruiz", title="CIO"),
        product_owner=StakeholderFactory(organization=org_a, full_name="Luis Gómez"),
        scrum_master=_consultant("Sara Master", headline="Agile coach"),
    )
    engagement.services.add(
        PublishedServiceFactory(name="Portfolio office"), ServiceFactory(name="Draft offer")
    )
    engagement.applications.add(ApplicationFactory(organization=org_a, code="PORTAL",
                                                   name="Citizen portal"))
    ana = _consultant(
        "Ana Torres", headline="Senior PMO lead", location="Bilbao, ES",
        remote_mode=RemoteMode.REMOTE, style_clan=10, style_adhocracy=10, style_market=30,
        style_hierarchy=50,
    )
    ConsultantSkillFactory(consultant=ana, skill=SkillFactory(name="Portfolio management"),
                           proficiency=5)
    ConsultantLanguageFactory(consultant=ana, language=Language.BASQUE)
    ana.certifications.create(certification=CertificationFactory(code="PMP"))
    AssignmentFactory(engagement=engagement, consultant=ana,
                      role=RoleFactory(name="PMO lead"), allocation_percent=60)
    ben = _consultant("Ben Adler", style_clan=40, style_adhocracy=40, style_market=10,
                      style_hierarchy=10)
    AssignmentFactory(engagement=engagement, consultant=ben, role=RoleFactory(name="Analyst"),
                      allocation_percent=40, start_on=today - timedelta(days=60),
                      end_on=today - timedelta(days=5))
    engagement.transitions.create(from_status=EngagementStatus.STAFFING,
                                  to_status=EngagementStatus.ACTIVE,
                                  actor=UserFactory(is_staff=True), note="Team complete.")
    return engagement


@pytest.fixture
def engagement_b(org_b):
    engagement = EngagementFactory(organization=org_b, title="Secret engagement of B")
    AssignmentFactory(engagement=engagement, consultant=_consultant("Secret Consultant B"))
    CultureAssessmentFactory(organization=org_b, note="Secret culture note of B")
    return engagement


# --- Who reaches the pages -------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, engagement_a):
    for url in (LIST, _detail(engagement_a), CULTURE):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_a_client_sees_only_their_organization(client, user_a, engagement_a, engagement_b):
    client.force_login(user_a)
    for url in (LIST, _detail(engagement_a), CULTURE):
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        for secret in ("Secret engagement of B", "Secret Consultant B",
                       "Secret culture note of B", "Organization B"):
            assert secret not in text, (url, secret)
    assert _titles(client.get(LIST)) == {"Citizen services PMO"}
    assert client.get(_detail(engagement_b)).status_code == 404


def test_another_organizations_engagement_is_a_404(client, user_b, engagement_a):
    client.force_login(user_b)
    assert client.get(_detail(engagement_a)).status_code == 404
    assert "Citizen services PMO" not in _text(client.get(LIST))


def test_a_client_cannot_pick_another_organization(client, user_a, engagement_a,
                                                   engagement_b, org_b):
    """The organization parameter is for staff; a client's pages stay on their own."""
    client.force_login(user_a)
    assert _titles(client.get(LIST, {"organization": org_b.pk})) == {"Citizen services PMO"}
    response = client.get(CULTURE, {"organization": org_b.pk})
    assert response.context["organization"].pk == engagement_a.organization_id
    assert "Secret" not in _text(response)


def test_staff_see_every_organization_and_narrow_to_one(
    client, staff_user, engagement_a, engagement_b, org_b
):
    client.force_login(staff_user)
    response = client.get(LIST)
    assert _titles(response) == {"Citizen services PMO", "Secret engagement of B"}
    assert response.context["show_organization"]
    assert "Organization B" in _text(response)

    response = client.get(LIST, {"organization": org_b.pk})
    assert _titles(response) == {"Secret engagement of B"}
    assert not response.context["show_organization"]
    assert client.get(_detail(engagement_b)).status_code == 200


def test_a_user_without_organization_is_told_so(client, engagement_a):
    client.force_login(UserFactory())
    for url in (LIST, CULTURE):
        response = client.get(url)
        assert response.status_code == 200
        assert "No organization yet" in _text(response)
        assert "Citizen services PMO" not in _text(response)
    assert client.get(_detail(engagement_a)).status_code == 404


# --- Engagement list ---------------------------------------------------------------------


def test_the_list_shows_status_dates_services_and_team_size(client, user_a, engagement_a):
    client.force_login(user_a)
    response = client.get(LIST)
    text = _text(response)
    assert "1 engagement" in text
    row = re.search(r"Citizen services PMO.*?</tr>", response.content.decode(), re.S).group(0)
    assert 'eg-status-active">Active<' in row
    assert "Controlling" in row
    assert engagement_a.planned_start.strftime("%Y-%m-%d") in row
    assert "Portfolio office" in row
    assert "Draft offer" in row
    assert "2 consultants" in _text(response)


def test_filters_narrow_the_list(client, user_a, engagement_a, org_a):
    EngagementFactory(organization=org_a, title="Risk office", status=EngagementStatus.CLOSED,
                      typology=Typology.DIRECTIVE, description="Enterprise risk register.")
    client.force_login(user_a)
    assert _titles(client.get(LIST, {"status": "closed"})) == {"Risk office"}
    assert _titles(client.get(LIST, {"typology": "controlling"})) == {"Citizen services PMO"}
    assert _titles(client.get(LIST, {"q": "risk register"})) == {"Risk office"}
    response = client.get(LIST, {"q": "citizen", "status": "closed"})
    assert _titles(response) == set()
    assert "No engagement matches these filters" in _text(response)
    assert "0 of 2 engagements" in _text(response)


@pytest.mark.parametrize("query", [
    {"status": "nope"}, {"typology": "<script>"}, {"organization": "abc"},
    {"organization": "99999999999999999999999"}, {"page": "abc"}, {"page": "-1"},
    {"page": "99999999999999999999"}, {"q": "x" * 500},
])
def test_bad_filter_input_is_reported_never_an_error(client, user_a, staff_user,
                                                      engagement_a, query):
    for user in (user_a, staff_user):
        client.force_login(user)
        response = client.get(LIST, query)
        assert response.status_code == 200, (user, query)
        assert "Citizen services PMO" in _text(response)


def test_an_invalid_filter_says_why(client, staff_user, engagement_a):
    client.force_login(staff_user)
    text = _text(client.get(LIST, {"status": "nope", "organization": "abc"}))
    assert "Choose one of the listed statuses." in text
    assert "Choose one of the listed organizations." in text


def test_empty_states(client, user_a, staff_user):
    client.force_login(user_a)
    text = _text(client.get(LIST))
    assert "No engagement yet" in text
    assert "your service requests" in text
    client.force_login(staff_user)
    assert "No engagement yet" in _text(client.get(LIST))


# --- Engagement page ---------------------------------------------------------------------


def test_the_engagement_page_shows_scope_people_and_history(client, user_a, engagement_a):
    client.force_login(user_a)
    response = client.get(_detail(engagement_a))
    body, text = response.content.decode(), _text(response)
    assert "<h1>Citizen services PMO</h1>" in body
    assert "Set up the portfolio office." in text
    service = engagement_a.services.get(name="Portfolio office")
    assert reverse("catalog:service-detail", kwargs={"slug": service.slug}) in body
    # A draft service is named, not linked: its catalog page does not exist for clients.
    draft = engagement_a.services.get(name="Draft offer")
    assert "Draft offer" in text
    assert reverse("catalog:service-detail", kwargs={"slug": draft.slug}) not in body
    application = engagement_a.applications.get()
    assert reverse("portfolio:application-detail", kwargs={"pk": application.pk}) in body
    assert "Marta Ruiz · CIO" in text
    assert "Luis Gómez" in text
    assert "Staffing → Active" in text
    assert "Team complete." in text


def test_the_team_shows_public_profiles_only(client, user_a, engagement_a):
    client.force_login(user_a)
    response = client.get(_detail(engagement_a))
    text = _text(response)
    ana = engagement_a.assignments.get(role__name="PMO lead").consultant
    for fact in ("Ana Torres", "Senior PMO lead", "Senior", "Bilbao, ES", "Remote",
                 "Portfolio management", "5/5", "PMP", "Basque", "PMO lead",
                 "60% of their time", "Hierarchy"):
        assert fact in text, fact
    # The Scrum Master and the finished assignment are shown as such.
    assert "Sara Master" in text
    assert "Agile coach" in text
    assert "Ben Adler" in text
    assert "Finished" in text
    _assert_private_data_hidden(response, ana, engagement_a.scrum_master)


def test_a_public_profile_cannot_carry_private_fields():
    names = {field.name for field in dataclasses.fields(reports.PublicProfile)}
    assert not names & {"email", "notes", "capacity_percent", "rates", "day_rate", "user"}


def test_staff_see_the_same_public_team(client, staff_user, engagement_a):
    """The portal is the client's view; staff manage rates and notes in the admin."""
    client.force_login(staff_user)
    response = client.get(_detail(engagement_a))
    assert "Ana Torres" in _text(response)
    _assert_private_data_hidden(response)


def test_an_engagement_without_team_says_so(client, user_a, org_a):
    engagement = EngagementFactory(organization=org_a, status=EngagementStatus.PROPOSED)
    client.force_login(user_a)
    text = _text(client.get(_detail(engagement)))
    assert "Nobody is assigned yet" in text
    assert "No Scrum Master is named yet" in text
    assert "no status change yet" in text


@pytest.mark.parametrize("pk", ["0", "abc", "99999999999999999999999"])
def test_unknown_engagements_are_not_found(client, user_a, pk):
    client.force_login(user_a)
    assert client.get(f"{LIST}{pk}/").status_code == 404


# --- Culture page ------------------------------------------------------------------------


def test_without_assessment_the_page_explains_the_ocai(client, user_a, engagement_a):
    client.force_login(user_a)
    response = client.get(CULTURE)
    text = _text(response)
    assert "No culture assessment yet" in text
    assert "six questions" in text
    assert "100 points" in text
    assert "record it yourself" in text
    # The team is still drawn, without fits.
    assert response.context["chart"] is not None
    assert len(response.context["chart"].series) == 2  # Ana and the Scrum Master
    assert "Culture fit" not in text


def test_a_read_only_member_is_told_who_can_record(client, org_a, engagement_a):
    reader = ClientUserFactory(membership__organization=org_a, membership__role="read_only")
    client.force_login(reader)
    assert "a member of your organization with write access" in _text(client.get(CULTURE))


def test_the_culture_beside_the_teams_styles(client, user_a, engagement_a, org_a):
    CultureAssessmentFactory(organization=org_a, assessed_on=date(2024, 3, 1),
                             source=CultureSource.QUESTIONNAIRE, respondents=12)
    client.force_login(user_a)
    response = client.get(CULTURE)
    text = _text(response)
    assert "mostly Hierarchy" in text
    assert "mostly Clan" in text
    assert "1 March 2024" in text
    assert "OCAI questionnaire (12 respondents)" in text
    # One shape per profile: current, preferred, and each consultant working on the open
    # engagement (Ana and the Scrum Master; Ben's assignment has ended).
    team = response.context["team"]
    assert {member.profile.full_name for member in team} == {"Ana Torres", "Sara Master"}
    assert "Ben Adler" not in text
    shapes = re.findall(r'<polygon class="eg-shape ', response.content.decode())
    assert len(shapes) == 2 + len(team) == len(response.context["chart"].series)
    # Ana (10/10/30/50) against the current culture (20/10/20/50): 1 - 20/200 = 90%.
    ana = next(member for member in team if member.profile.full_name == "Ana Torres")
    assert ana.fit == pytest.approx(culture_fit((10, 10, 30, 50), (20, 10, 20, 50)))
    assert ana.fit_percent == 90
    assert ana.fit_band == "close"
    assert "90% · close" in text
    assert "Citizen services PMO · PMO lead" in text
    assert "Citizen services PMO · Scrum Master" in text
    # Best fit first.
    assert [member.fit for member in team] == sorted((m.fit for m in team), reverse=True)
    _assert_private_data_hidden(
        response, *(assignment.consultant for assignment in engagement_a.assignments.all()),
        engagement_a.scrum_master,
    )


def test_the_chart_is_accessible(client, user_a, engagement_a, org_a):
    CultureAssessmentFactory(organization=org_a)
    client.force_login(user_a)
    body = client.get(CULTURE).content.decode()
    assert 'role="img" aria-labelledby="culture-chart-title culture-chart-desc"' in body
    assert '<title id="culture-chart-title">' in body
    assert '<desc id="culture-chart-desc">' in body
    assert "Current culture: Clan 20, Adhocracy 10, Market 20, Hierarchy 50" in body
    assert "<caption" in body  # the data table under the chart
    assert "style=" not in body.split('<main', 1)[1]  # the CSP forbids inline styles


def test_past_assessments_show_the_trend(client, user_a, org_a):
    CultureAssessmentFactory(organization=org_a, assessed_on=date(2023, 1, 10))
    CultureAssessmentFactory(
        organization=org_a, assessed_on=date(2024, 6, 1), current_clan=Decimal("30"),
        current_adhocracy=Decimal("10"), current_market=Decimal("20"),
        current_hierarchy=Decimal("40"), assessed_by=user_a,
    )
    client.force_login(user_a)
    response = client.get(CULTURE)
    trend = response.context["trend"]
    assert [row.assessment.assessed_on for row in trend] == [date(2024, 6, 1),
                                                             date(2023, 1, 10)]
    assert trend[0].changes == [Decimal("10"), 0, 0, Decimal("-10")]
    assert trend[1].changes == [None] * 4
    text = _text(response)
    assert "(+10)" in text
    assert "(-10)" in text
    assert response.context["assessment"].assessed_on == date(2024, 6, 1)
    # Recorded by a client member: named as such, not as the PMO team.
    assert f"Recorded by {user_a.get_full_name()} Source" in text


def test_no_team_yet(client, user_a, org_a):
    CultureAssessmentFactory(organization=org_a)
    # Closed and cancelled engagements' teams are history, not the team.
    closed = EngagementFactory(organization=org_a, status=EngagementStatus.CLOSED)
    AssignmentFactory(engagement=closed, consultant=ConsultantFactory(full_name="Old Hand"))
    client.force_login(user_a)
    response = client.get(CULTURE)
    text = _text(response)
    assert "No team yet" in text
    assert "Old Hand" not in text
    assert len(response.context["chart"].series) == 2  # the client's two profiles


def test_staff_choose_the_organization(client, staff_user, engagement_a, engagement_b,
                                       org_a, org_b):
    client.force_login(staff_user)
    response = client.get(CULTURE)
    assert response.context["organization"] is None
    assert "Choose a client organization" in _text(response)

    response = client.get(CULTURE, {"organization": org_b.pk})
    assert response.context["organization"] == org_b
    assert "Secret culture note of B" in _text(response)
    assert "Citizen services PMO" not in _text(response)


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", "1e3", "<b>"])
def test_staff_garbage_organization_is_a_form_error(client, staff_user, org_a, value):
    client.force_login(staff_user)
    response = client.get(CULTURE, {"organization": value})
    assert response.status_code == 200
    assert response.context["organization"] is None
    assert "Choose one of the listed organizations." in _text(response)


# --- Chart geometry ----------------------------------------------------------------------


def test_chart_places_each_type_on_its_diagonal():
    member = reports.TeamFit(
        profile=reports.PublicProfile(
            pk=1, full_name="Only Clan", headline="", seniority="Senior", location="",
            remote_mode="Hybrid", style=(100, 0, 0, 0),
        ),
        roles=[], fit=None,
    )
    chart = reports.culture_chart(None, [member])
    assert chart.scale_max == 100
    (series,) = chart.series
    corners = [tuple(map(float, point.split(","))) for point in series.points.split()]
    # 100 clan points reach the end of the top-left axis; the others sit on the centre.
    reach = reports.RADIUS / 2 ** 0.5
    assert corners[0] == pytest.approx((chart.center_x - reach, chart.center_y - reach), abs=0.01)
    assert corners[1:] == [pytest.approx((chart.center_x, chart.center_y))] * 3
    assert [ring.value for ring in chart.rings] == list(range(10, 101, 10))


def test_chart_scale_starts_at_fifty_and_rounds_up():
    assert reports._scale_max([(25, 25, 25, 25)]) == 50
    assert reports._scale_max([(20, 10, 9, 61)]) == 70


# --- Query counts ------------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def _staffed_engagement(organization, team: int):
    engagement = EngagementFactory(organization=organization,
                                   scrum_master=ConsultantFactory())
    engagement.services.add(PublishedServiceFactory())
    engagement.applications.add(ApplicationFactory(organization=organization))
    engagement.transitions.create(to_status=EngagementStatus.STAFFING,
                                  actor=UserFactory(is_staff=True), at=timezone.now())
    for _ in range(team):
        consultant = ConsultantFactory()
        ConsultantSkillFactory(consultant=consultant)
        ConsultantLanguageFactory(consultant=consultant)
        consultant.certifications.create(certification=CertificationFactory())
        AssignmentFactory(engagement=engagement, consultant=consultant)
    return engagement


@pytest.mark.parametrize("as_staff", [False, True])
def test_list_query_count_does_not_grow_with_engagements(client, user_a, staff_user, org_a,
                                                         as_staff):
    client.force_login(staff_user if as_staff else user_a)
    for _ in range(2):
        _staffed_engagement(org_a, team=2)
    small = _queries(client, LIST)
    for _ in range(12):
        _staffed_engagement(org_a, team=2)
    assert _queries(client, LIST) == small


def test_detail_and_culture_query_counts_do_not_grow_with_the_team(client, user_a, org_a):
    CultureAssessmentFactory(organization=org_a)
    small, large = _staffed_engagement(org_a, team=1), _staffed_engagement(org_a, team=8)
    client.force_login(user_a)
    assert _queries(client, _detail(small)) == _queries(client, _detail(large))
    before = _queries(client, CULTURE)
    _staffed_engagement(org_a, team=6)
    assert _queries(client, CULTURE) == before
