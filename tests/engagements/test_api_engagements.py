"""REST API of engagements, their teams (assignments) and outcomes, per role."""

import copy
from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from catalog.choices import RequestStatus
from engagements.choices import EngagementStatus, NeedStatus
from engagements.models import Assignment, Engagement, EngagementOutcome
from stakeholders.choices import MembershipRole
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    ClientUserFactory,
    ConsultantFactory,
    ConsultantFitRatingFactory,
    CultureAssessmentFactory,
    DayRateFactory,
    EngagementFactory,
    EngagementOutcomeFactory,
    OrganizationFactory,
    PublishedServiceFactory,
    RoleFactory,
    ServiceRequestFactory,
    StaffingNeedFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

ENGAGEMENTS = "/api/v1/engagements/"
ASSIGNMENTS = "/api/v1/assignments/"
OUTCOMES = "/api/v1/engagement-outcomes/"
TODAY = date.today()
MEMBER_KEYS = {"id", "full_name", "headline", "seniority"}


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def reader_api(org_a):
    return _as(ClientUserFactory(membership__organization=org_a,
                                 membership__role=MembershipRole.READ_ONLY))


@pytest.fixture
def other_api(user_b):
    return _as(user_b)


def _window(days_from_now=14, length=120) -> dict:
    start = TODAY + timedelta(days=days_from_now)
    return {"planned_start": start.isoformat(),
            "planned_end": (start + timedelta(days=length)).isoformat()}


# --- Engagements ---------------------------------------------------------------------------------


def test_staff_create_and_change_an_engagement(staff_api, staff_user, org_a):
    sponsor = StakeholderFactory(organization=org_a, full_name="Marta Sponsor")
    owner = StakeholderFactory(organization=org_a)
    application = ApplicationFactory(organization=org_a)
    service = PublishedServiceFactory()
    scrum_master = ConsultantFactory()
    response = staff_api.post(ENGAGEMENTS, {
        "organization": org_a.pk, "title": "Portfolio office", "typology": "controlling",
        "services": [service.pk], "applications": [application.pk], "sponsor": sponsor.pk,
        "product_owner": owner.pk, "scrum_master": scrum_master.pk,
        "budget_at_completion": "180000.00", **_window(),
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["organization_name"]) == ("proposed", org_a.name)
    assert body["services"] == [{"id": service.pk, "name": service.name}]
    assert body["applications"][0]["id"] == application.pk
    assert body["sponsor"] == {"id": sponsor.pk, "full_name": "Marta Sponsor"}
    assert body["scrum_master"]["id"] == scrum_master.pk
    assert body["allowed_transitions"] == ["staffing", "cancelled"]
    assert [(t["from_status"], t["to_status"]) for t in body["transitions"]] == [
        ("", "proposed")
    ]
    assert body["transitions"][0]["actor_name"] == staff_user.get_full_name()
    detail = f"{ENGAGEMENTS}{body['id']}/"
    response = staff_api.patch(detail, {"title": "PMO rollout", "applications": []},
                               format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["applications"]) == ("PMO rollout", [])
    payload = {**staff_api.get(detail).json(), "services": [], "description": "Phase one"}
    for name in ("sponsor", "product_owner", "scrum_master"):
        payload[name] = payload[name]["id"]
    response = staff_api.put(detail, payload, format="json")  # GET-edit-PUT round trip
    assert response.status_code == 200, response.json()
    assert response.json()["description"] == "Phase one"
    assert response.json()["status"] == "proposed"
    assert staff_api.delete(detail).status_code == 405
    other = OrganizationFactory()
    response = staff_api.patch(detail, {"organization": other.pk}, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()


@pytest.mark.parametrize(("change", "field"), [
    ({"organization": None}, "organization"),
    ({"planned_end": "2020-01-01"}, "planned_end"),
    ({"budget_at_completion": "-1"}, "budget_at_completion"),
    ({"typology": "chaotic"}, "typology"),
    ({"sponsor": "FOREIGN"}, "sponsor"),
    ({"applications": ["FOREIGN_APP"]}, "applications"),
    ({"services": [10**30]}, "services"),
    ({"scrum_master": "abc"}, "scrum_master"),
    ({"title": ""}, "title"),
])
def test_bad_engagement_input_is_a_400(staff_api, org_a, org_b, change, field):
    payload = {"organization": org_a.pk, "title": "Portfolio office", **_window(), **change}
    if payload["organization"] is None:
        del payload["organization"]
    if payload.get("sponsor") == "FOREIGN":
        payload["sponsor"] = StakeholderFactory(organization=org_b).pk
    if payload.get("applications") == ["FOREIGN_APP"]:
        payload["applications"] = [ApplicationFactory(organization=org_b).pk]
    response = staff_api.post(ENGAGEMENTS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Engagement.objects.exists()


def test_staff_create_an_engagement_from_an_accepted_request(staff_api, org_a):
    accepted = ServiceRequestFactory(organization=org_a, status=RequestStatus.ACCEPTED)
    url = f"{ENGAGEMENTS}from-request/"
    response = staff_api.post(url, {"service_request": accepted.pk,
                                    "budget_at_completion": "90000"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["organization"], body["service_request"]) == (org_a.pk, accepted.pk)
    assert body["planned_start"] == accepted.desired_start.isoformat()
    assert body["services"] == [{"id": accepted.service.pk, "name": accepted.service.name}]
    assert body["budget_at_completion"] == "90000.00"
    response = staff_api.post(url, {"service_request": accepted.pk}, format="json")
    assert response.status_code == 409
    submitted = ServiceRequestFactory(organization=org_a)
    assert staff_api.post(url, {"service_request": submitted.pk},
                          format="json").status_code == 409
    for bad in ({}, {"service_request": 10**30}, {"service_request": "x"},
                {"service_request": submitted.pk, "planned_start": "2030-02-01",
                 "planned_end": "2030-01-01"}):
        response = staff_api.post(url, bad, format="json")
        assert response.status_code == 400, bad
    assert Engagement.objects.count() == 1


def test_the_engagement_workflow(staff_api, org_a):
    engagement = EngagementFactory(organization=org_a, status=EngagementStatus.PROPOSED)
    need = StaffingNeedFactory(engagement=engagement)
    url = f"{ENGAGEMENTS}{engagement.pk}/transition/"
    response = staff_api.post(url, {"to_status": "staffing", "note": "Go"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "staffing"
    assert response.json()["allowed_transitions"] == ["active", "cancelled"]
    response = staff_api.post(url, {"to_status": "closed"}, format="json")
    assert response.status_code == 409
    assert "cannot become closed" in response.json()["detail"]
    response = staff_api.post(url, {"to_status": "active"}, format="json")
    assert response.status_code == 409  # no team yet
    response = staff_api.post(url, {"to_status": "cancelled"}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    assert staff_api.post(url, {"to_status": "paused"}, format="json").status_code == 400
    response = staff_api.post(url, {"to_status": "cancelled", "note": "Budget cut"},
                              format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["allowed_transitions"]) == ("cancelled", [])
    assert [t["to_status"] for t in body["transitions"]] == ["staffing", "cancelled"]
    need.refresh_from_db()
    assert need.status == NeedStatus.CANCELLED
    response = staff_api.patch(f"{ENGAGEMENTS}{engagement.pk}/", {"title": "X"}, format="json")
    assert response.status_code == 409


def test_clients_read_their_engagements_and_team(client_api, reader_api, other_api, org_a):
    engagement = EngagementFactory(organization=org_a, title="Our rollout")
    member = ConsultantFactory(headline="Agile PMO lead", notes="Internal only")
    DayRateFactory(consultant=member, amount="777.00")
    role = RoleFactory(name="PMO lead")
    AssignmentFactory(engagement=engagement, consultant=member, role=role, allocation_percent=60)
    foreign = EngagementFactory(organization=OrganizationFactory(), title="Their rollout")
    for api in (client_api, reader_api):
        assert _ids(api.get(ENGAGEMENTS)) == [engagement.pk]
        response = api.get(f"{ENGAGEMENTS}{engagement.pk}/")
        assert response.status_code == 200
        body = response.json()
        assert body["allowed_transitions"] == []
        (team_member,) = body["team"]
        assert set(team_member["consultant"]) == MEMBER_KEYS
        assert team_member["role"] == {"id": role.pk, "name": "PMO lead"}
        assert team_member["allocation_percent"] == 60
        text = response.content.decode()
        assert "777" not in text
        assert "Internal only" not in text
        assert api.get(f"{ENGAGEMENTS}{foreign.pk}/").status_code == 404
    assert _ids(other_api.get(ENGAGEMENTS)) == []
    detail = f"{ENGAGEMENTS}{engagement.pk}/"
    assert client_api.post(ENGAGEMENTS, {"title": "Mine", **_window()},
                           format="json").status_code == 403
    assert client_api.patch(detail, {"title": "Mine"}, format="json").status_code == 403
    assert client_api.post(f"{detail}transition/", {"to_status": "cancelled", "note": "x"},
                           format="json").status_code == 403
    request = ServiceRequestFactory(organization=org_a, status=RequestStatus.ACCEPTED)
    assert client_api.post(f"{ENGAGEMENTS}from-request/", {"service_request": request.pk},
                           format="json").status_code == 403
    engagement.refresh_from_db()
    assert (engagement.title, engagement.status) == ("Our rollout", EngagementStatus.STAFFING)


def test_anonymous_users_get_401(api_client):
    for url in (ENGAGEMENTS, ASSIGNMENTS, OUTCOMES):
        assert api_client.get(url).status_code == 401


def test_engagement_filters_and_ordering(staff_api, org_a, org_b):
    service = PublishedServiceFactory()
    early = EngagementFactory(organization=org_a, title="B early", planned_start=date(2030, 1, 1),
                              status=EngagementStatus.ACTIVE, typology="directive")
    early.services.add(service)
    late = EngagementFactory(organization=org_a, title="A late", planned_start=date(2030, 6, 1))
    other = EngagementFactory(organization=org_b, title="C other", planned_start=date(2030, 3, 1),
                              status=EngagementStatus.CLOSED)
    assert _ids(staff_api.get(ENGAGEMENTS)) == [late.pk, other.pk, early.pk]
    assert _ids(staff_api.get(ENGAGEMENTS, {"organization": org_b.pk})) == [other.pk]
    assert _ids(staff_api.get(ENGAGEMENTS, {"status": ["active", "closed"]})) == [
        other.pk, early.pk
    ]
    assert _ids(staff_api.get(ENGAGEMENTS, {"typology": "directive"})) == [early.pk]
    assert _ids(staff_api.get(ENGAGEMENTS, {"service": service.pk})) == [early.pk]
    assert _ids(staff_api.get(ENGAGEMENTS, {"starts_after": "2030-02-01",
                                            "starts_before": "2030-05-01"})) == [other.pk]
    assert _ids(staff_api.get(ENGAGEMENTS, {"ordering": "title"})) == [
        late.pk, early.pk, other.pk
    ]
    assert _ids(staff_api.get(ENGAGEMENTS, {"search": "early"})) == [early.pk]
    for bad in ({"status": "paused"}, {"starts_after": "soon"}, {"ordering": "budget"},
                {"service": "1.5"}):
        response = staff_api.get(ENGAGEMENTS, bad)
        assert response.status_code == 400, bad
        assert set(bad) <= set(response.json())


# --- Assignments ---------------------------------------------------------------------------------


@pytest.fixture
def staffing(org_a):
    engagement = EngagementFactory(organization=org_a)
    return engagement, ConsultantFactory(), RoleFactory()


def _assignment_payload(engagement, consultant, role, **fields) -> dict:
    return {
        "engagement": engagement.pk, "consultant": consultant.pk, "role": role.pk,
        "allocation_percent": 60, "start_on": engagement.planned_start.isoformat(),
        "end_on": engagement.planned_end.isoformat(), **fields,
    }


def test_staff_assign_change_and_remove_team_members(staff_api, staffing):
    engagement, consultant, role = staffing
    need = StaffingNeedFactory(engagement=engagement)
    response = staff_api.post(ASSIGNMENTS, _assignment_payload(
        engagement, consultant, role, staffing_need=need.pk
    ), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["staffing_need"], body["consultant"]["id"], body["allocation_percent"]) == (
        need.pk, consultant.pk, 60
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.FILLED
    detail = f"{ASSIGNMENTS}{body['id']}/"
    response = staff_api.patch(detail, {"allocation_percent": 80}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["allocation_percent"] == 80
    payload = {**_assignment_payload(engagement, consultant, role), "staffing_need": need.pk,
               "allocation_percent": 70}
    assert staff_api.put(detail, payload, format="json").status_code == 200
    response = staff_api.patch(detail, {"consultant": ConsultantFactory().pk}, format="json")
    assert response.status_code == 400
    assert "consultant" in response.json()
    assert staff_api.delete(detail).status_code == 204
    assert not Assignment.objects.exists()
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_over_capacity_is_a_409_with_the_reason(staff_api, staffing):
    engagement, consultant, role = staffing
    AssignmentFactory(consultant=consultant, allocation_percent=50,
                      start_on=engagement.planned_start, end_on=engagement.planned_start,
                      engagement=EngagementFactory(planned_start=engagement.planned_start))
    response = staff_api.post(ASSIGNMENTS, _assignment_payload(engagement, consultant, role),
                              format="json")
    assert response.status_code == 409
    assert consultant.full_name in response.json()["detail"]
    assert Assignment.objects.count() == 1
    response = staff_api.post(ASSIGNMENTS, _assignment_payload(
        engagement, consultant, role, allocation_percent=50
    ), format="json")
    assert response.status_code == 201
    detail = f"{ASSIGNMENTS}{response.json()['id']}/"
    assert staff_api.patch(detail, {"allocation_percent": 51}, format="json").status_code == 409


def test_started_assignments_are_history(staff_api, org_a):
    engagement = EngagementFactory(organization=org_a, planned_start=TODAY - timedelta(days=10))
    assignment = AssignmentFactory(engagement=engagement)
    response = staff_api.delete(f"{ASSIGNMENTS}{assignment.pk}/")
    assert response.status_code == 409
    assert Assignment.objects.filter(pk=assignment.pk).exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"allocation_percent": 0}, "allocation_percent"),
    ({"allocation_percent": 101}, "allocation_percent"),
    ({"end_on": "2000-01-01"}, "end_on"),
    ({"start_on": "2000-01-01"}, "start_on"),
    ({"role": 10**30}, "role"),
    ({"consultant": None}, "consultant"),
    ({"staffing_need": "OTHER"}, "staffing_need"),
])
def test_bad_assignment_input_is_a_400(staff_api, staffing, change, field):
    engagement, consultant, role = staffing
    payload = {**_assignment_payload(engagement, consultant, role), **change}
    if payload.get("staffing_need") == "OTHER":
        payload["staffing_need"] = StaffingNeedFactory().pk
    response = staff_api.post(ASSIGNMENTS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Assignment.objects.exists()


def test_clients_read_their_team_only(client_api, reader_api, other_api, org_a, staffing):
    engagement, consultant, role = staffing
    need = StaffingNeedFactory(engagement=engagement)
    own = AssignmentFactory(engagement=engagement, consultant=consultant, staffing_need=need)
    foreign = AssignmentFactory()
    public = {"id", "engagement", "engagement_title", "consultant", "role", "role_name",
              "allocation_percent", "start_on", "end_on"}
    for api in (client_api, reader_api):
        response = api.get(ASSIGNMENTS)
        assert _ids(response) == [own.pk]
        assert set(response.json()["results"][0]) == public
        assert set(response.json()["results"][0]["consultant"]) == MEMBER_KEYS
        assert set(api.get(f"{ASSIGNMENTS}{own.pk}/").json()) == public
        assert api.get(f"{ASSIGNMENTS}{foreign.pk}/").status_code == 404
    assert _ids(other_api.get(ASSIGNMENTS)) == []
    assert client_api.post(ASSIGNMENTS, _assignment_payload(engagement, consultant, role),
                           format="json").status_code == 403
    for method in ("patch", "delete"):
        response = getattr(client_api, method)(f"{ASSIGNMENTS}{own.pk}/",
                                               {"allocation_percent": 10}, format="json")
        assert response.status_code == 403
    own.refresh_from_db()
    assert own.allocation_percent == 50


def test_assignment_filters(staff_api, staffing):
    engagement, consultant, role = staffing
    first = AssignmentFactory(engagement=engagement, consultant=consultant, role=role,
                              start_on=date(2030, 1, 1), end_on=date(2030, 1, 31))
    second = AssignmentFactory(start_on=date(2030, 3, 1), end_on=date(2030, 3, 31))
    assert _ids(staff_api.get(ASSIGNMENTS, {"engagement": engagement.pk})) == [first.pk]
    assert _ids(staff_api.get(ASSIGNMENTS, {"consultant": second.consultant_id})) == [second.pk]
    assert _ids(staff_api.get(ASSIGNMENTS, {"role": role.pk})) == [first.pk]
    assert _ids(staff_api.get(ASSIGNMENTS, {"active_on": "2030-03-15"})) == [second.pk]
    consultant.full_name = "Zoe Searchable"
    consultant.save()
    assert _ids(staff_api.get(ASSIGNMENTS, {"search": "searchable"})) == [first.pk]
    assert staff_api.get(ASSIGNMENTS, {"active_on": "March"}).status_code == 400


# --- Outcomes ------------------------------------------------------------------------------------


def _closing_engagement(organization):
    engagement = EngagementFactory(organization=organization, status=EngagementStatus.CLOSING)
    member = ConsultantFactory()
    AssignmentFactory(engagement=engagement, consultant=member)
    return engagement, member


def test_staff_record_an_outcome_with_ratings(staff_api, staff_user, org_a):
    engagement, member = _closing_engagement(org_a)
    CultureAssessmentFactory(organization=org_a)
    rating = {"consultant": member.pk, "values_match": 6, "values_fit": 5, "culture_fit": 7,
              "comment": "Understood us quickly."}
    response = staff_api.post(OUTCOMES, {
        "engagement": engagement.pk, "client_satisfaction": 5, "on_time": True,
        "final_cpi": "1.020", "final_spi": "0.950", "note": "Renewal likely",
        "ratings": [rating],
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["client_satisfaction"], body["on_time"], body["final_cpi"]) == (
        5, True, "1.020"
    )
    (saved,) = body["ratings"]
    assert (saved["consultant"]["id"], saved["perceived_fit"]) == (member.pk, "6.00")
    assert body["culture_at_closing"] == {"clan": "20.00", "adhocracy": "10.00",
                                          "market": "20.00", "hierarchy": "50.00"}
    assert (body["note"], body["recorded_by"]) == ("Renewal likely", staff_user.get_full_name())
    response = staff_api.post(OUTCOMES, {"engagement": engagement.pk, "client_satisfaction": 3,
                                         "on_time": False}, format="json")
    assert response.status_code == 409
    active = EngagementFactory(organization=org_a, status=EngagementStatus.ACTIVE)
    response = staff_api.post(OUTCOMES, {"engagement": active.pk, "client_satisfaction": 3,
                                         "on_time": False}, format="json")
    assert response.status_code == 409
    assert EngagementOutcome.objects.count() == 1
    detail = f"{OUTCOMES}{body['id']}/"
    for method in ("put", "patch", "delete"):
        assert getattr(staff_api, method)(detail, {}, format="json").status_code == 405


@pytest.mark.parametrize(("change", "field"), [
    ({"client_satisfaction": 6}, "client_satisfaction"),
    ({"on_time": "maybe"}, "on_time"),
    ({"final_cpi": "-0.5"}, "final_cpi"),
    ({"final_spi": "1e9"}, "final_spi"),
    ({"ratings": [{"consultant": "MEMBER", "values_match": 8, "values_fit": 5,
                   "culture_fit": 5}]}, "ratings"),
    ({"ratings": [{"consultant": "STRANGER", "values_match": 5, "values_fit": 5,
                   "culture_fit": 5}]}, "ratings"),
    ({"ratings": [{"consultant": "MEMBER", "values_match": 5, "values_fit": 5,
                   "culture_fit": 5},
                  {"consultant": "MEMBER", "values_match": 6, "values_fit": 6,
                   "culture_fit": 6}]}, "ratings"),
    ({"ratings": "great"}, "ratings"),
    ({"engagement": 10**30}, "engagement"),
])
def test_bad_outcome_input_is_a_400(staff_api, org_a, change, field):
    engagement, member = _closing_engagement(org_a)
    payload = {"engagement": engagement.pk, "client_satisfaction": 4, "on_time": True,
               **copy.deepcopy(change)}
    for rating in payload.get("ratings", []) if isinstance(payload.get("ratings"), list) else []:
        rating["consultant"] = {"MEMBER": member.pk,
                                "STRANGER": ConsultantFactory().pk}[rating["consultant"]]
    response = staff_api.post(OUTCOMES, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not EngagementOutcome.objects.exists()


def test_clients_read_their_outcomes_without_internals(client_api, other_api, org_a):
    engagement, member = _closing_engagement(org_a)
    outcome = EngagementOutcomeFactory(engagement=engagement, note="Staff-only remark",
                                       culture_clan=25, culture_adhocracy=25, culture_market=25,
                                       culture_hierarchy=25)
    ConsultantFitRatingFactory(outcome=outcome, consultant=member, comment="Great fit")
    foreign = EngagementOutcomeFactory()
    response = client_api.get(OUTCOMES)
    assert _ids(response) == [outcome.pk]
    row = response.json()["results"][0]
    assert set(row) == {"id", "engagement", "engagement_title", "organization",
                        "client_satisfaction", "on_time", "final_cpi", "final_spi", "ratings",
                        "recorded_at"}
    assert set(row["ratings"][0]["consultant"]) == MEMBER_KEYS
    assert row["ratings"][0]["comment"] == "Great fit"
    assert "Staff-only remark" not in client_api.get(f"{OUTCOMES}{outcome.pk}/").content.decode()
    assert client_api.get(f"{OUTCOMES}{foreign.pk}/").status_code == 404
    assert _ids(other_api.get(OUTCOMES)) == []
    response = client_api.post(OUTCOMES, {"engagement": engagement.pk, "client_satisfaction": 1,
                                          "on_time": False}, format="json")
    assert response.status_code == 403


def test_outcome_filters(staff_api, org_a, org_b):
    engagement, member = _closing_engagement(org_a)
    own = EngagementOutcomeFactory(engagement=engagement, on_time=False)
    ConsultantFitRatingFactory(outcome=own, consultant=member)
    other = EngagementOutcomeFactory(engagement=EngagementFactory(organization=org_b))
    assert _ids(staff_api.get(OUTCOMES, {"organization": org_b.pk})) == [other.pk]
    assert _ids(staff_api.get(OUTCOMES, {"engagement": engagement.pk})) == [own.pk]
    assert _ids(staff_api.get(OUTCOMES, {"consultant": member.pk})) == [own.pk]
    assert _ids(staff_api.get(OUTCOMES, {"on_time": "false"})) == [own.pk]
    assert staff_api.get(OUTCOMES, {"on_time": "sometimes"}).status_code == 400
