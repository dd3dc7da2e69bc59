"""Portal pages of the applications portfolio: the portfolio list and its TIME chart, an
application, the demand board, the demand form and page (withdrawal), the objectives.

Behaviour is checked through the pages as a browser sees them: who reaches what, which rows
show, what the chart draws, what the forms accept and refuse, and that query counts do not
grow with the rows.
"""

import datetime
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from portfolio import reports
from portfolio.choices import (
    DemandStatus,
    DemandType,
    Lifecycle,
    ObjectiveStatus,
    TimeClass,
)
from portfolio.models import Demand, DemandTransition
from tests.factories import (
    ApplicationDependencyFactory,
    ApplicationFactory,
    ClientUserFactory,
    DemandFactory,
    ObjectiveFactory,
    OrganizationFactory,
    StakeholderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PORTFOLIO = reverse("portfolio:application-list")
BOARD = reverse("portfolio:demand-board")
NEW_DEMAND = reverse("portfolio:demand-create")
OBJECTIVES = reverse("portfolio:objective-list")


def _text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed, for phrase assertions."""
    markup = response.content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _application_url(application) -> str:
    return reverse("portfolio:application-detail", kwargs={"pk": application.pk})


def _demand_url(demand) -> str:
    return reverse("portfolio:demand-detail", kwargs={"pk": demand.pk})


def _objective_url(objective) -> str:
    return reverse("portfolio:objective-detail", kwargs={"pk": objective.pk})


def _codes(response) -> set[str]:
    return {application.code for application in response.context["applications"]}


def _messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def portfolio(org_a, staff_user):
    """Organization A's portfolio: one application per TIME class, an overridden one, an
    unassessed one; business owners from the register."""
    owner = StakeholderFactory(organization=org_a, full_name="Marta Ruiz", title="Head of HR")
    apps = {
        "invest": ApplicationFactory(
            organization=org_a, code="PORTAL", name="Citizen portal", functional_fit=4,
            technical_fit=4, business_owner=owner, vendor="Acme Web",
        ),
        "migrate": ApplicationFactory(
            organization=org_a, code="TAX", name="Tax engine", functional_fit=4, technical_fit=2
        ),
        "tolerate": ApplicationFactory(
            organization=org_a, code="ARCHIVE", name="Document archive", functional_fit=2,
            technical_fit=4,
        ),
        "eliminate": ApplicationFactory(
            organization=org_a, code="PAYROLL", name="Legacy payroll", functional_fit=1,
            technical_fit=1, lifecycle=Lifecycle.SUNSETTING,
        ),
        # The fits say Eliminate; PMO staff keep it (Tolerate) until the region's GIS arrives.
        "overridden": ApplicationFactory(
            organization=org_a, code="GIS", name="GIS viewer", functional_fit=1,
            technical_fit=2, time_override=TimeClass.TOLERATE,
            time_override_rationale="Replaced by the regional GIS in 2027; keep it as is.",
            time_overridden_by=staff_user, time_overridden_at=timezone.now(),
        ),
        "unassessed": ApplicationFactory(
            organization=org_a, code="CRM", name="New CRM", functional_fit=None,
            technical_fit=None, lifecycle=Lifecycle.PROPOSED,
        ),
    }
    return apps


@pytest.fixture
def foreign(org_b):
    """Organization B's application, demand and objective: never visible to A's users."""
    application = ApplicationFactory(organization=org_b, code="SECRET", name="Secret ledger B")
    demand = DemandFactory(
        organization=org_b, title="Secret demand of B", applications=[application]
    )
    objective = ObjectiveFactory(organization=org_b, title="Secret objective of B")
    return {"application": application, "demand": demand, "objective": objective}


@pytest.fixture
def read_only_user(org_a):
    return ClientUserFactory(membership__organization=org_a, membership__role="read_only")


# --- Who reaches the pages ---------------------------------------------------------------


@pytest.mark.parametrize("url", [PORTFOLIO, BOARD, NEW_DEMAND, OBJECTIVES])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_visitors_cannot_open_details(client, portfolio, org_a):
    demand = DemandFactory(organization=org_a, applications=[portfolio["invest"]])
    objective = ObjectiveFactory(organization=org_a)
    for url in (_application_url(portfolio["invest"]), _demand_url(demand),
                _objective_url(objective)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_client_pages_show_only_their_organization(client, user_a, portfolio, foreign, org_a):
    demand = DemandFactory(organization=org_a, title="Online payslips",
                           applications=[portfolio["eliminate"]])
    objective = ObjectiveFactory(organization=org_a, title="Paperless HR")
    client.force_login(user_a)
    pages = [PORTFOLIO, BOARD, OBJECTIVES, _application_url(portfolio["invest"]),
             _demand_url(demand), _objective_url(objective), NEW_DEMAND]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        for secret in ("Secret ledger B", "SECRET", "Secret demand of B",
                       "Secret objective of B", "Organization B"):
            assert secret not in text, (url, secret)
    # Another organization's records do not exist for this user.
    for url in (_application_url(foreign["application"]), _demand_url(foreign["demand"]),
                _objective_url(foreign["objective"])):
        assert client.get(url).status_code == 404, url


def test_staff_see_every_organization_and_can_narrow_to_one(
    client, staff_user, portfolio, foreign, org_a, org_b
):
    client.force_login(staff_user)
    response = client.get(PORTFOLIO)
    assert {"PORTAL", "SECRET"} <= _codes(response)
    assert response.context["show_organization"]
    assert "Organization B" in _text(response)

    response = client.get(PORTFOLIO, {"organization": org_b.pk})
    assert _codes(response) == {"SECRET"}
    assert not response.context["show_organization"]
    assert len(response.context["chart"].points) == 1

    board = client.get(BOARD, {"organization": org_a.pk})
    assert "Secret demand of B" not in _text(board)
    assert "Secret demand of B" in _text(client.get(BOARD))

    ObjectiveFactory(organization=org_a, title="Paperless HR")
    objectives = client.get(OBJECTIVES, {"organization": org_b.pk})
    assert [o.title for o in objectives.context["objectives"]] == ["Secret objective of B"]
    assert client.get(_application_url(foreign["application"])).status_code == 200


# --- Portfolio list and TIME chart --------------------------------------------------------


def test_portfolio_lists_the_applications_with_their_facts(client, user_a, portfolio):
    client.force_login(user_a)
    response = client.get(PORTFOLIO)
    assert response.status_code == 200
    assert _codes(response) == {app.code for app in portfolio.values()}
    text = _text(response)
    assert "6 applications" in text
    assert "<h1>Applications portfolio</h1>" in response.content.decode()
    # The overridden application shows its final class and, in visible text, the computed one.
    assert "Tolerate overridden; computed: Eliminate" in text
    assert "Business: Marta Ruiz" in text
    assert not response.context["show_organization"]


def test_time_filter_uses_the_final_class(client, user_a, portfolio):
    client.force_login(user_a)
    tolerate = client.get(PORTFOLIO, {"time_class": "tolerate"})
    assert _codes(tolerate) == {"ARCHIVE", "GIS"}
    assert "2 of 6 applications match" in _text(tolerate)
    eliminate = client.get(PORTFOLIO, {"time_class": "eliminate"})
    assert _codes(eliminate) == {"PAYROLL"}
    unassessed = client.get(PORTFOLIO, {"time_class": "unassessed"})
    assert _codes(unassessed) == {"CRM"}


def test_other_filters_combine_and_survive_pagination(client, user_a, org_a, portfolio):
    client.force_login(user_a)
    assert _codes(client.get(PORTFOLIO, {"q": "acme"})) == {"PORTAL"}
    assert _codes(client.get(PORTFOLIO, {"q": "payroll"})) == {"PAYROLL"}
    assert _codes(client.get(PORTFOLIO, {"lifecycle": "sunsetting"})) == {"PAYROLL"}
    assert _codes(client.get(PORTFOLIO, {"lifecycle": "proposed", "time_class": "invest"})) == set()
    ApplicationFactory.create_batch(30, organization=org_a, hosting="saas", functional_fit=1,
                                    technical_fit=1)
    response = client.get(PORTFOLIO, {"hosting": "saas", "time_class": "eliminate"})
    assert response.context["paginator"].count == 30
    markup = response.content.decode()
    assert "?hosting=saas&amp;time_class=eliminate&amp;page=2" in markup
    last = client.get(PORTFOLIO, {"hosting": "saas", "time_class": "eliminate", "page": 2})
    assert len(last.context["applications"]) == 5


def test_empty_states(client, user_a, portfolio):
    client.force_login(user_a)
    assert "No application matches these filters" in _text(
        client.get(PORTFOLIO, {"q": "no such thing"})
    )
    other = ClientUserFactory(membership__organization=OrganizationFactory())
    client.force_login(other)
    response = client.get(PORTFOLIO)
    assert "No application is recorded yet" in _text(response)
    assert response.context["chart"].total == 0
    assert "TIME chart" not in _text(response)


def test_chart_places_each_assessed_application_with_its_class(client, user_a, portfolio):
    client.force_login(user_a)
    response = client.get(PORTFOLIO)
    chart = response.context["chart"]
    by_code = {point.code: point for point in chart.points}
    assert set(by_code) == {"PORTAL", "TAX", "ARCHIVE", "PAYROLL", "GIS"}
    assert by_code["PORTAL"].time_class == TimeClass.INVEST
    assert by_code["GIS"].time_class == TimeClass.TOLERATE
    assert by_code["GIS"].computed == TimeClass.ELIMINATE
    assert {count.time_class: count.count for count in chart.counts} == {
        TimeClass.INVEST: 1, TimeClass.MIGRATE: 1, TimeClass.TOLERATE: 2,
        TimeClass.ELIMINATE: 1,
    }
    assert chart.unassessed == 1
    markup = response.content.decode()
    assert markup.count('class="pf-point-link"') == 5
    assert "<title>PORTAL · Citizen portal · Invest</title>" in markup
    assert "<title>PAYROLL · Legacy payroll · Eliminate</title>" in markup
    assert "GIS · GIS viewer · Tolerate (overridden; the fits give Eliminate)" in markup
    assert 'role="img" aria-labelledby="time-chart-caption"' in markup
    assert f'href="{_application_url(portfolio["invest"])}"' in markup
    text = _text(response)
    assert "1 not assessed yet" in text
    # Each count links to the list filtered by that class.
    assert 'href="?time_class=tolerate"' in markup
    # Quadrants are labelled where the fits put them: high functional fit is at the top.
    invest, migrate = by_code["PORTAL"], by_code["TAX"]
    tolerate, eliminate = by_code["ARCHIVE"], by_code["PAYROLL"]
    assert invest.x > migrate.x
    assert invest.y < tolerate.y
    assert eliminate.x < tolerate.x
    assert eliminate.y > migrate.y
    quadrants = {quadrant.time_class: quadrant for quadrant in chart.quadrants}
    assert quadrants[TimeClass.INVEST].label_anchor == "end"
    assert quadrants[TimeClass.MIGRATE].x == chart.plot_left
    assert quadrants[TimeClass.ELIMINATE].y == chart.functional_threshold_y


def test_chart_ignores_the_time_filter_but_follows_the_others(client, user_a, portfolio):
    client.force_login(user_a)
    response = client.get(PORTFOLIO, {"time_class": "invest"})
    assert _codes(response) == {"PORTAL"}
    assert len(response.context["chart"].points) == 5
    assert 'aria-current="true"' in response.content.decode()
    narrowed = client.get(PORTFOLIO, {"lifecycle": "sunsetting"})
    assert [point.code for point in narrowed.context["chart"].points] == ["PAYROLL"]


def test_chart_threshold_lines_follow_the_settings(client, user_a, portfolio):
    client.force_login(user_a)
    default = client.get(PORTFOLIO).context["chart"]
    with override_settings(PMO_THRESHOLDS={
        **_thresholds(), "FUNCTIONAL_FIT_HIGH_FROM": 4, "TECHNICAL_FIT_HIGH_FROM": 2,
    }):
        moved = client.get(PORTFOLIO).context["chart"]
    assert moved.technical_threshold_x == default.technical_threshold_x - reports.CELL
    assert moved.functional_threshold_y == default.functional_threshold_y - reports.CELL
    assert {point.code: point.time_class for point in moved.points}["TAX"] == TimeClass.INVEST


def _thresholds() -> dict:
    from django.conf import settings

    return dict(settings.PMO_THRESHOLDS)


def test_points_on_the_same_fits_are_spread_deterministically(org_a):
    apps = [ApplicationFactory.build(organization=org_a, code=f"A{index}", name=f"App {index}",
                                     functional_fit=3, technical_fit=3, pk=index + 1)
            for index in range(12)]
    chart = reports.time_chart(apps)
    again = reports.time_chart(list(reversed(apps)))
    positions = [(point.x, point.y) for point in chart.points]
    assert positions == [(point.x, point.y) for point in again.points]
    assert len(set(positions)) == 12
    radius = chart.points[0].radius
    centre_x, centre_y = reports.fit_x(3), reports.fit_y(3)
    for index, (x, y) in enumerate(positions):
        # Inside their cell and not overlapping one another.
        assert abs(x - centre_x) < reports.CELL / 2 - radius
        assert abs(y - centre_y) < reports.CELL / 2 - radius
        for other in positions[index + 1:]:
            assert ((x - other[0]) ** 2 + (y - other[1]) ** 2) ** 0.5 > 2 * radius
    single = reports.time_chart(apps[:1]).points[0]
    assert (single.x, single.y) == (centre_x, centre_y)


# --- Application page -----------------------------------------------------------------------


def test_application_page_shows_owners_assessment_and_override(client, user_a, portfolio):
    client.force_login(user_a)
    response = client.get(_application_url(portfolio["invest"]))
    text = _text(response)
    assert "Citizen portal" in text
    assert "Marta Ruiz · Head of HR" in text
    assert "4 · Perfect" in text
    assert "Submit a demand for this application" in text
    assert f'{NEW_DEMAND}?application={portfolio["invest"].pk}' in response.content.decode()

    overridden = _text(client.get(_application_url(portfolio["overridden"])))
    assert "Replaced by the regional GIS in 2027" in overridden
    assert "Computed class Eliminate" in overridden
    assert "Final class Tolerate set by the PMO team" in overridden


def test_application_page_shows_dependencies_both_ways_blast_radius_and_cycles(
    client, user_a, org_a
):
    core, api, web, mobile, island = (
        ApplicationFactory(organization=org_a, code=code, name=f"{code} system")
        for code in ("CORE", "API", "WEB", "MOBILE", "ISLAND")
    )
    # WEB and MOBILE call API, which reads CORE; CORE calls back into API (a cycle).
    ApplicationDependencyFactory(source=api, target=core, kind="shared_database")
    ApplicationDependencyFactory(source=web, target=api, kind="api")
    ApplicationDependencyFactory(source=mobile, target=api, kind="api")
    ApplicationDependencyFactory(source=core, target=api, kind="messaging")
    client.force_login(user_a)

    text = _text(client.get(_application_url(core)))
    assert "Depends on Application Kind API · API system Messaging or events" in text
    assert "Depended on by Application Kind API · API system Shared database" in text
    assert "Fan-in 1" in text
    assert "An outage reaches 3 applications , directly or through others: API , MOBILE , WEB" \
        in text
    assert "Warning: part of a dependency cycle" in text
    assert "Cycle: API , CORE" in text

    web_page = _text(client.get(_application_url(web)))
    assert "An outage reaches 0 applications" in web_page
    assert "No other application depends on it" in web_page
    assert "dependency cycle" not in web_page
    assert "It depends on no other application" in _text(
        client.get(_application_url(island))
    )


def test_application_page_lists_its_demands_objectives_and_contract(client, user_a, org_a):
    application = ApplicationFactory(
        organization=org_a, code="ERP", name="Finance ERP",
        contract_end=timezone.localdate() + datetime.timedelta(days=60),
    )
    DemandFactory(organization=org_a, title="Budget module", applications=[application],
                  business_value=8, urgency=5, risk_reduction=3, effort=2)
    objective = ObjectiveFactory(organization=org_a, title="Close the books in 5 days")
    objective.applications.add(application)
    client.force_login(user_a)
    text = _text(client.get(_application_url(application)))
    assert "Budget module Submitted 8.00" in text
    assert "Close the books in 5 days" in text
    assert "Ending soon" in text
    application.contract_end = timezone.localdate() - datetime.timedelta(days=3)
    application.save()
    assert "Ended" in _text(client.get(_application_url(application)))


def test_read_only_members_get_no_demand_link(client, read_only_user, portfolio):
    client.force_login(read_only_user)
    assert "Submit a demand" not in _text(client.get(_application_url(portfolio["invest"])))


# --- Demand board -------------------------------------------------------------------------------


def _demand(organization, status=DemandStatus.SUBMITTED, **kwargs) -> Demand:
    demand = DemandFactory(organization=organization, **kwargs)
    if status != DemandStatus.SUBMITTED:
        Demand.objects.filter(pk=demand.pk).update(status=status)
        demand.refresh_from_db()
    return demand


def test_board_has_a_column_per_status_in_workflow_order_by_priority(
    client, user_a, org_a, portfolio
):
    low = _demand(org_a, title="Low value", applications=[portfolio["invest"]],
                  business_value=1, urgency=1, risk_reduction=1, effort=13)
    high = _demand(org_a, title="High value", applications=[portfolio["eliminate"]],
                   business_value=13, urgency=8, risk_reduction=5, effort=2)
    _demand(org_a, DemandStatus.IN_PROGRESS, title="Being built",
            applications=[portfolio["invest"]])
    _demand(org_a, DemandStatus.DELIVERED, title="Done already",
            applications=[portfolio["invest"]])
    client.force_login(user_a)
    response = client.get(BOARD)
    assert response.status_code == 200
    open_columns = response.context["open_columns"]
    assert [column.status for column in open_columns] == [
        "submitted", "assessed", "approved", "scheduled", "in_progress",
    ]
    assert [column.status for column in response.context["closed_columns"]] == [
        "delivered", "rejected", "withdrawn",
    ]
    submitted = open_columns[0]
    assert [card.demand for card in submitted.cards] == [high, low]
    assert submitted.total == 2
    high_card = submitted.cards[0]
    assert high_card.warnings == [
        "PAYROLL is classified Eliminate in the TIME assessment.", "PAYROLL is sunsetting.",
    ]
    text = _text(response)
    assert "High value PAYROLL Type Evolution Priority WSJF 13.00" in text
    assert "Warning PAYROLL is classified Eliminate" in text
    assert "In progress 1 demand Being built" in text
    assert "Delivered 1 · Rejected 0 · Withdrawn 0" in text


def test_board_limits_closed_columns_and_lists_a_status_in_full(
    client, user_a, org_a, portfolio
):
    for index in range(12):
        _demand(org_a, DemandStatus.DELIVERED, title=f"Delivered {index:02d}",
                applications=[portfolio["invest"]])
    client.force_login(user_a)
    response = client.get(BOARD)
    delivered = response.context["closed_columns"][0]
    assert delivered.total == 12
    assert len(delivered.cards) == 10
    assert delivered.truncated
    markup = response.content.decode()
    assert "Show all 12 delivered demands" in _text(response)
    assert 'href="?status=delivered"' in markup
    # Nothing is open, so the closed section is unfolded.
    assert '<details class="pf-closed card" open>' in markup

    full = client.get(BOARD, {"status": "delivered"})
    assert len(full.context["cards"]) == 12
    assert "<h1>Delivered demands</h1>" in full.content.decode()


def test_board_filters(client, user_a, org_a, portfolio):
    _demand(org_a, title="Fix payslips", applications=[portfolio["eliminate"]],
            demand_type=DemandType.CORRECTIVE)
    _demand(org_a, title="Portal chat", applications=[portfolio["invest"]])
    client.force_login(user_a)

    def titles(params):
        response = client.get(BOARD, params)
        return {card.demand.title for column in response.context["open_columns"]
                for card in column.cards}

    assert titles({"application": portfolio["invest"].pk}) == {"Portal chat"}
    assert titles({"demand_type": "corrective"}) == {"Fix payslips"}
    assert titles({"q": "payslip"}) == {"Fix payslips"}
    empty = client.get(BOARD, {"q": "nothing like it"})
    assert "No demand matches these filters" in _text(empty)


def test_board_empty_state(client, user_a):
    client.force_login(user_a)
    text = _text(client.get(BOARD))
    assert "No demand has been submitted yet" in text
    assert "Submit the first demand" in text


# --- Demand form --------------------------------------------------------------------------------


def _form_data(targets, **overrides) -> dict:
    data = {
        "title": "Online payslips",
        "description": "Employees download payslips instead of receiving paper.",
        "demand_type": DemandType.EVOLUTION,
        "applications": [application.pk for application in targets],
        "business_value": 8, "urgency": 5, "risk_reduction": 3, "effort": 2,
        "target_date": (timezone.localdate() + datetime.timedelta(days=120)).isoformat(),
    }
    data.update(overrides)
    return data


def test_client_submits_a_demand_and_sees_the_warnings(client, user_a, org_a, portfolio):
    requester = StakeholderFactory(organization=org_a, full_name="Ana Torres")
    objective = ObjectiveFactory(organization=org_a, title="Paperless HR")
    client.force_login(user_a)
    form_page = client.get(NEW_DEMAND, {"application": portfolio["eliminate"].pk})
    assert form_page.status_code == 200
    assert form_page.context["form"].initial == {"applications": [portfolio["eliminate"].pk]}
    page_text = _text(form_page)
    assert "PAYROLL · Legacy payroll (Eliminate, sunsetting)" in page_text
    assert "CRM · New CRM (not assessed, proposed)" in page_text
    assert "(business value + urgency + risk reduction) ÷ effort" in page_text

    response = client.post(
        f"{NEW_DEMAND}?application={portfolio['eliminate'].pk}",
        _form_data([portfolio["eliminate"], portfolio["invest"]], requester=requester.pk,
                   objectives=[objective.pk]),
        follow=True,
    )
    demand = Demand.objects.get(title="Online payslips")
    assert response.redirect_chain == [(_demand_url(demand), 302)]
    assert demand.organization == org_a
    assert demand.submitted_by == user_a
    assert demand.requester == requester
    assert list(demand.objectives.all()) == [objective]
    assert set(demand.applications.all()) == {portfolio["eliminate"], portfolio["invest"]}
    assert (demand.business_value, demand.urgency, demand.risk_reduction, demand.effort) == (
        8, 5, 3, 2,
    )
    assert list(demand.transitions.values_list("from_status", "to_status")) == [
        ("", "submitted")
    ]
    text = _text(response)
    assert "Your demand “Online payslips” was submitted" in text
    assert "Warning: PAYROLL is classified Eliminate in the TIME assessment." in text
    assert "Warning: PAYROLL is sunsetting." in text
    assert "message-warning" in response.content.decode()
    assert "(8 + 5 + 3) / 2 = 8.00" in text


def test_demand_form_rerenders_with_errors(client, user_a, portfolio, foreign):
    client.force_login(user_a)
    cases = [
        (_form_data([]), "applications", "Choose at least one application."),
        (_form_data([portfolio["invest"]], effort=4), "effort",
         "Choose a value on the scale 1, 2, 3, 5, 8, 13, 20."),
        (_form_data([foreign["application"]]), "applications",
         "Choose applications from the list."),
        (_form_data([portfolio["invest"]], applications=["abc"]), "applications",
         "Choose applications from the list."),
        (_form_data([portfolio["invest"]], title=""), "title", "Give the demand a title."),
        (_form_data([portfolio["invest"]], requester=StakeholderFactory(
            organization=foreign["application"].organization).pk), "requester",
         "Choose a stakeholder from the list."),
    ]
    for data, field, message in cases:
        response = client.post(NEW_DEMAND, data)
        assert response.status_code == 200, field
        assert response.context["form"].errors[field] == [message]
        text = _text(response)
        assert "The demand was not submitted. Please check:" in text
        assert message in text
    assert not Demand.objects.filter(title="Online payslips").exists()


@pytest.mark.parametrize("kind", ["read_only", "no_organization", "inactive_organization"])
def test_users_who_may_not_write_get_a_403_that_says_why(client, org_a, portfolio, kind):
    if kind == "read_only":
        user = ClientUserFactory(membership__organization=org_a, membership__role="read_only")
        reason = "Your access is read-only"
    elif kind == "no_organization":
        user = UserFactory()
        reason = "Your account belongs to no organization."
    else:
        org_a.is_active = False
        org_a.save()
        user = ClientUserFactory(membership__organization=org_a)
        reason = "Your organization is no longer served."
    client.force_login(user)
    for response in (client.get(NEW_DEMAND),
                     client.post(NEW_DEMAND, _form_data([portfolio["invest"]]))):
        assert response.status_code == 403
        assert "You cannot submit a demand" in _text(response)
        assert reason in _text(response)
    assert not Demand.objects.exists()


def test_staff_choose_the_organization_then_submit_for_it(
    client, staff_user, org_a, org_b, portfolio, foreign
):
    client.force_login(staff_user)
    choose = client.get(NEW_DEMAND)
    assert choose.status_code == 200
    assert "Which client organization is the demand for?" in _text(choose)
    assert "Organization A" in _text(choose)
    assert "Organization B" in _text(choose)
    assert "That organization was not found" in _text(client.get(NEW_DEMAND,
                                                                 {"organization": "999999"}))

    form_page = client.get(NEW_DEMAND, {"organization": org_a.pk})
    options = {app.code for app in form_page.context["form"].fields["applications"].queryset}
    assert options == {app.code for app in portfolio.values()}
    # An application of another organization is refused, even typed in by staff.
    refused = client.post(f"{NEW_DEMAND}?organization={org_a.pk}",
                          _form_data([foreign["application"]]))
    assert refused.context["form"].errors["applications"]

    response = client.post(f"{NEW_DEMAND}?organization={org_a.pk}",
                           _form_data([portfolio["invest"]]))
    demand = Demand.objects.get(title="Online payslips")
    assert response["Location"] == _demand_url(demand)
    assert demand.organization == org_a
    assert demand.submitted_by == staff_user

    # From an application page the organization follows the application.
    preselected = client.get(NEW_DEMAND, {"application": foreign["application"].pk})
    assert preselected.context["organization"] == org_b


# --- Demand page and withdrawal ---------------------------------------------------------------


def test_demand_page_shows_everything(client, user_a, org_a, portfolio):
    requester = StakeholderFactory(organization=org_a, full_name="Ana Torres",
                                   title="Payroll manager")
    objective = ObjectiveFactory(organization=org_a, title="Paperless HR")
    demand = _demand(org_a, title="Online payslips", applications=[portfolio["eliminate"]],
                     requester=requester, business_value=8, urgency=5, risk_reduction=3,
                     effort=2)
    demand.objectives.add(objective)
    client.force_login(user_a)
    response = client.get(_demand_url(demand))
    text = _text(response)
    assert "<h1>Online payslips</h1>" in response.content.decode()
    assert "WSJF 8.00" in text
    assert "(8 + 5 + 3) / 2 = 8.00" in text
    assert "Warning: work here may be wasted" in text
    assert "PAYROLL is sunsetting." in text
    assert "Ana Torres · Payroll manager" in text
    assert "Paperless HR" in text
    assert "PAYROLL · Legacy payroll Eliminate" in text
    assert "History Submitted" in text
    assert "Withdraw this demand" in text


def test_client_writer_withdraws_a_demand(client, user_a, org_a, portfolio):
    demand = _demand(org_a, applications=[portfolio["invest"]])
    client.force_login(user_a)
    response = client.post(_demand_url(demand), {"reason": "Covered by the regional platform."},
                           follow=True)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.WITHDRAWN
    transition = demand.transitions.last()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "submitted", "withdrawn", user_a,
    )
    assert transition.note == "Covered by the regional platform."
    text = _text(response)
    assert "The demand was withdrawn." in text
    assert "Submitted → Withdrawn" in text
    assert "Covered by the regional platform." in text
    # Closed: no withdraw form any more.
    assert "Withdraw this demand" not in text


def test_withdrawing_a_delivered_demand_is_refused_without_change(
    client, user_a, org_a, portfolio
):
    demand = _demand(org_a, DemandStatus.DELIVERED, applications=[portfolio["invest"]])
    client.force_login(user_a)
    assert "Withdraw this demand" not in _text(client.get(_demand_url(demand)))
    response = client.post(_demand_url(demand), {"reason": "tampered"}, follow=True)
    assert response.status_code == 200
    demand.refresh_from_db()
    assert demand.status == DemandStatus.DELIVERED
    assert demand.transitions.count() == 1
    assert _messages(response) == [(
        "error",
        "The demand was not withdrawn: A delivered demand cannot become withdrawn "
        "(allowed: none: it is closed).",
    )]


def test_read_only_member_cannot_withdraw(client, read_only_user, org_a, portfolio):
    demand = _demand(org_a, applications=[portfolio["invest"]])
    client.force_login(read_only_user)
    assert "Withdraw this demand" not in _text(client.get(_demand_url(demand)))
    response = client.post(_demand_url(demand), follow=True)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.SUBMITTED
    assert "The demand was not withdrawn: Your access is read-only" in _text(response)


def test_other_organizations_demand_cannot_be_withdrawn(client, user_a, foreign):
    client.force_login(user_a)
    assert client.post(_demand_url(foreign["demand"])).status_code == 404
    assert not DemandTransition.objects.filter(to_status="withdrawn").exists()


# --- Objectives ---------------------------------------------------------------------------------


def test_objective_list_counts_and_filters(client, user_a, org_a, portfolio):
    today = timezone.localdate()
    current = ObjectiveFactory(organization=org_a, title="Paperless HR",
                               owner=StakeholderFactory(organization=org_a, full_name="Ana",
                                                        title="HR director"))
    current.applications.add(portfolio["invest"], portfolio["eliminate"])
    _demand(org_a, applications=[portfolio["invest"]]).objectives.add(current)
    ObjectiveFactory(organization=org_a, title="Old goal", status=ObjectiveStatus.ACHIEVED,
                     period_start=today.replace(year=today.year - 2),
                     period_end=today.replace(year=today.year - 1))
    client.force_login(user_a)
    response = client.get(OBJECTIVES)
    text = _text(response)
    assert "2 objectives" in text
    assert "Paperless HR" in text
    assert "Ana" in text
    row = next(o for o in response.context["objectives"] if o.title == "Paperless HR")
    assert (len(row.applications.all()), row.demand_count_value) == (2, 1)
    assert "Current Ana · HR director Active 2 1" in text

    def titles(params):
        return [o.title for o in client.get(OBJECTIVES, params).context["objectives"]]

    assert titles({"status": "achieved"}) == ["Old goal"]
    assert titles({"period": "past"}) == ["Old goal"]
    assert titles({"period": "current"}) == ["Paperless HR"]
    assert titles({"period": "upcoming"}) == []


def test_objective_page(client, user_a, org_a, portfolio):
    objective = ObjectiveFactory(organization=org_a, title="Paperless HR",
                                 description="No paper forms by year end.")
    objective.applications.add(portfolio["overridden"])
    demand = _demand(org_a, title="Online payslips", applications=[portfolio["invest"]],
                     business_value=8, urgency=5, risk_reduction=3, effort=2)
    demand.objectives.add(objective)
    client.force_login(user_a)
    text = _text(client.get(_objective_url(objective)))
    assert "No paper forms by year end." in text
    assert "GIS · GIS viewer In production Tolerate overridden; computed: Eliminate" in text
    assert "Online payslips Submitted 8.00" in text


# --- Robustness and query counts -------------------------------------------------------------


@pytest.mark.parametrize(("url", "params"), [
    (PORTFOLIO, {"time_class": "foo", "lifecycle": "x", "page": "999"}),
    (PORTFOLIO, {"page": "abc", "organization": "abc"}),
    (PORTFOLIO, {"q": "x" * 5000, "hosting": ["saas", "nope"]}),
    (BOARD, {"application": "abc", "status": "nope", "page": "-1"}),
    (BOARD, {"application": "99999999999999999999999", "demand_type": "x"}),
    (BOARD, {"status": "delivered", "page": "999"}),
    (OBJECTIVES, {"status": "x", "period": "forever", "page": "0"}),
    (NEW_DEMAND, {"application": "abc"}),
    (NEW_DEMAND, {"application": "99999999999999999999999"}),
])
def test_bad_parameters_give_a_normal_page(client, user_a, staff_user, portfolio, url, params):
    for user in (user_a, staff_user):
        client.force_login(user)
        response = client.get(url, params)
        assert response.status_code == 200, (user, url, params)


def test_invalid_filters_are_explained_and_ignored(client, user_a, portfolio):
    client.force_login(user_a)
    response = client.get(PORTFOLIO, {"time_class": "foo"})
    assert len(response.context["applications"]) == 6
    assert "Select a valid choice. foo is not one of the available choices." in _text(response)
    board = client.get(BOARD, {"application": "abc"})
    assert "Choose one of the listed applications. The filter was ignored." in _text(board)


def _query_count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def _grow_portfolio(organization, rows: int) -> None:
    owner = StakeholderFactory(organization=organization)
    objective = ObjectiveFactory(organization=organization)
    previous = None
    for index in range(rows):
        application = ApplicationFactory(
            organization=organization, business_owner=owner, functional_fit=1 + index % 4,
            technical_fit=1 + (index // 4) % 4,
        )
        if previous is not None:
            ApplicationDependencyFactory(source=application, target=previous)
        previous = application
        objective.applications.add(application)
        status = list(DemandStatus)[index % len(DemandStatus)]
        _demand(organization, status, applications=[application], requester=owner)
        ObjectiveFactory(organization=organization).applications.add(application)


@pytest.mark.parametrize(("url", "params"), [
    (PORTFOLIO, {}),
    (PORTFOLIO, {"time_class": "eliminate", "q": "app"}),
    (BOARD, {}),
    (BOARD, {"status": "submitted"}),
    (OBJECTIVES, {}),
])
def test_query_count_does_not_grow_with_rows(client, user_a, staff_user, org_a, url, params):
    for user in (user_a, staff_user):
        client.force_login(user)
        _grow_portfolio(org_a, 2)
        small = _query_count(client, url, params)
        _grow_portfolio(org_a, 18)
        large = _query_count(client, url, params)
        assert small == large, (user.username, url, params)
