"""REST API of the portfolio: applications, dependencies, objectives and demand, per role."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from portfolio.choices import DemandStatus, Lifecycle
from portfolio.models import Application, ApplicationDependency, Demand, Objective
from stakeholders.choices import MembershipRole
from tests.factories import (
    ApplicationDependencyFactory,
    ApplicationFactory,
    ClientUserFactory,
    DemandFactory,
    ObjectiveFactory,
    StakeholderFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/applications/"
DEPENDENCIES = "/api/v1/application-dependencies/"
OBJECTIVES = "/api/v1/objectives/"
DEMANDS = "/api/v1/demands/"


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [row["code"] for row in response.json()["results"]]


def _transition(client, demand, to_status, note=None):
    body = {"to_status": to_status} if note is None else {"to_status": to_status, "note": note}
    return client.post(f"{DEMANDS}{demand.pk}/transition/", body, format="json")


@pytest.fixture
def reader_api(org_a):
    return _as(ClientUserFactory(membership__organization=org_a,
                                 membership__role=MembershipRole.READ_ONLY))


# --- Applications: CRUD ------------------------------------------------------------------------


def test_client_writer_manages_applications_of_their_organization(client_api, org_a):
    owner = StakeholderFactory(organization=org_a)
    TechnologyFactory(name="PostgreSQL")
    response = client_api.post(APPLICATIONS, {
        "name": "Permits", "code": "PERM", "business_owner": owner.pk,
        "technical_owner": owner.pk, "functional_fit": 1, "technical_fit": 4,
        "technologies": ["postgresql", "Django", "DJANGO"], "annual_run_cost": "12000.50",
        "lifecycle": "in_production", "hosting": "saas", "vendor": "Acme",
        "contract_end": "2027-06-30",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"] == org_a.pk
    assert (body["time_computed"], body["time_class"], body["fan_in"]) == (
        "tolerate", "tolerate", 0
    )
    assert body["technologies"] == ["Django", "PostgreSQL"]
    assert body["annual_run_cost"] == "12000.50"
    detail = f"{APPLICATIONS}{body['id']}/"

    response = client_api.patch(detail, {"functional_fit": 4, "technologies": ["Kafka"]},
                                format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["time_class"], response.json()["technologies"]) == (
        "invest", ["Kafka"]
    )
    payload = {**client_api.get(detail).json(), "name": "Permits and licences"}
    response = client_api.put(detail, payload, format="json")  # GET-edit-PUT round trip
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Permits and licences"
    assert client_api.delete(detail).status_code == 204
    assert not Application.objects.exists()


def test_staff_must_name_the_organization_and_may_override_time(staff_api, staff_user, org_a):
    payload = {"name": "Payroll", "code": "PAY", "functional_fit": 1, "technical_fit": 1}
    response = staff_api.post(APPLICATIONS, payload, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()
    response = staff_api.post(APPLICATIONS, {
        **payload, "organization": org_a.pk, "time_override": "invest",
        "time_override_rationale": "Mandated by the new collective agreement.",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["time_computed"], body["time_class"]) == ("eliminate", "invest")
    assert body["time_overridden_by"] == staff_user.get_full_name()
    assert body["time_overridden_at"]
    detail = f"{APPLICATIONS}{body['id']}/"
    response = staff_api.patch(detail, {"time_override": "migrate"}, format="json")
    assert response.status_code == 200  # the standing rationale still applies
    assert response.json()["time_class"] == "migrate"
    response = staff_api.patch(detail, {"time_override": ""}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["time_class"], body["time_override_rationale"]) == ("eliminate", "")
    assert body["time_overridden_by"] is None
    response = staff_api.patch(detail, {"time_override": "tolerate",
                                        "time_override_rationale": "  "}, format="json")
    assert response.status_code == 400
    assert "time_override_rationale" in response.json()


def test_clients_cannot_override_time(client_api, staff_api, org_a):
    response = client_api.post(APPLICATIONS, {
        "name": "Payroll", "code": "PAY", "time_override": "invest",
        "time_override_rationale": "We like it.",
    }, format="json")
    assert response.status_code == 400
    assert "Only PMO staff override" in response.json()["time_override"][0]
    application = ApplicationFactory(organization=org_a, functional_fit=1, technical_fit=1)
    detail = f"{APPLICATIONS}{application.pk}/"
    response = client_api.patch(detail, {"time_override": "tolerate",
                                         "time_override_rationale": "x"}, format="json")
    assert response.status_code == 400
    assert "time_override" in response.json()
    staff_api.patch(detail, {"time_override": "migrate", "time_override_rationale": "Cloud."},
                    format="json")
    for change in ({"time_override": ""}, {"time_override_rationale": "Cheaper."}):
        response = client_api.patch(detail, change, format="json")
        assert response.status_code == 400, change
        assert set(response.json()) == set(change)
    application.refresh_from_db()
    assert (application.time_override, application.time_override_rationale) == (
        "migrate", "Cloud."
    )


def test_computed_fields_are_read_only(client_api, org_a):
    response = client_api.post(APPLICATIONS, {
        "name": "Payroll", "code": "PAY", "functional_fit": 1, "technical_fit": 1,
        "time_class": "invest", "time_computed": "invest", "fan_in": 40,
        "time_overridden_at": "2020-01-01T00:00:00Z", "time_overridden_by": "someone",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["time_class"], body["time_computed"], body["fan_in"]) == (
        "eliminate", "eliminate", 0
    )
    assert (body["time_overridden_at"], body["time_overridden_by"]) == (None, None)
    demand = DemandFactory(organization=org_a)
    response = client_api.patch(f"{DEMANDS}{demand.pk}/", {
        "status": "approved", "priority_score": 99, "warnings": ["none"],
        "submitted_by": "me", "title": "Renamed",
    }, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["title"], body["priority_score"]) == (
        "submitted", "Renamed", 3.0
    )


def test_read_only_members_get_403_on_every_write(reader_api, org_a):
    application = ApplicationFactory(organization=org_a)
    dependency = ApplicationDependencyFactory(source__organization=org_a)
    objective = ObjectiveFactory(organization=org_a)
    demand = DemandFactory(organization=org_a)
    for collection, row in ((APPLICATIONS, application), (DEPENDENCIES, dependency),
                            (OBJECTIVES, objective), (DEMANDS, demand)):
        assert reader_api.get(collection).status_code == 200
        assert reader_api.get(f"{collection}{row.pk}/").status_code == 200
        assert reader_api.post(collection, {}, format="json").status_code == 403
        for method in ("put", "patch", "delete"):
            response = getattr(reader_api, method)(f"{collection}{row.pk}/", {}, format="json")
            assert response.status_code in (403, 405), (collection, method)
    assert _transition(reader_api, demand, "withdrawn").status_code == 403
    assert Application.objects.filter(pk=application.pk).exists()
    demand.refresh_from_db()
    assert demand.status == DemandStatus.SUBMITTED


def test_anonymous_users_get_401(api_client, org_a):
    for collection in (APPLICATIONS, DEPENDENCIES, OBJECTIVES, DEMANDS):
        assert api_client.get(collection).status_code == 401


@pytest.mark.parametrize(("payload", "field"), [
    ({"functional_fit": 5}, "functional_fit"),
    ({"technical_fit": "high"}, "technical_fit"),
    ({"lifecycle": "abandoned"}, "lifecycle"),
    ({"criticality": "extreme"}, "criticality"),
    ({"code": "has space"}, "code"),
    ({"annual_run_cost": "-1"}, "annual_run_cost"),
    ({"user_count": -5}, "user_count"),
    ({"technologies": "Java"}, "technologies"),
    ({"technologies": [{"name": "Java"}]}, "technologies"),
    ({"technologies": ["x" * 61]}, "technologies"),
    ({"technologies": [f"Tech {n}" for n in range(31)]}, "technologies"),
    ({"business_owner": "abc"}, "business_owner"),
    ({"business_owner": 10**30}, "business_owner"),
    ({"contract_end": "next year"}, "contract_end"),
])
def test_bad_application_input_is_a_400_naming_the_field(client_api, payload, field):
    response = client_api.post(APPLICATIONS, {"name": "Payroll", "code": "PAY", **payload},
                               format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Application.objects.exists()


def test_duplicate_code_and_cross_organization_owner_are_400(client_api, staff_api, org_a,
                                                             org_b):
    ApplicationFactory(organization=org_a, code="PAY")
    response = client_api.post(APPLICATIONS, {"name": "Payroll", "code": "pay"}, format="json")
    assert response.status_code == 400
    assert "Another application of this organization has this code." in str(response.json())
    foreign = StakeholderFactory(organization=org_b)
    response = staff_api.post(APPLICATIONS, {"organization": org_a.pk, "name": "CRM",
                                             "code": "CRM", "technical_owner": foreign.pk},
                              format="json")
    assert response.status_code == 400
    assert "technical_owner" in response.json()


def test_deleting_an_application_in_use_is_409(client_api, org_a):
    used = ApplicationFactory(organization=org_a)
    DemandFactory(organization=org_a, applications=[used])
    response = client_api.delete(f"{APPLICATIONS}{used.pk}/")
    assert response.status_code == 409
    assert "retired" in response.json()["detail"]
    depended_on = ApplicationDependencyFactory(source__organization=org_a).target
    assert client_api.delete(f"{APPLICATIONS}{depended_on.pk}/").status_code == 409
    assert Application.objects.filter(pk__in=[used.pk, depended_on.pk]).count() == 2


# --- Applications: filters, search, ordering, detail -------------------------------------------


@pytest.fixture
def portfolio(org_a, org_b):
    owner = StakeholderFactory(organization=org_a)
    apps = {
        "INV": ApplicationFactory(organization=org_a, code="INV", functional_fit=4,
                                  technical_fit=4, vendor="Acme Software",
                                  contract_end=datetime.date(2026, 3, 31),
                                  business_owner=owner, annual_run_cost=500),
        "TOL": ApplicationFactory(organization=org_a, code="TOL", functional_fit=1,
                                  technical_fit=4, lifecycle=Lifecycle.SUNSETTING,
                                  technical_owner=owner, annual_run_cost=100),
        "MIG": ApplicationFactory(organization=org_a, code="MIG", functional_fit=4,
                                  technical_fit=1, lifecycle=Lifecycle.PROPOSED,
                                  contract_end=datetime.date(2028, 1, 1)),
        # Computed Eliminate, overridden to Invest by staff.
        "OVR": ApplicationFactory(organization=org_a, code="OVR", functional_fit=1,
                                  technical_fit=1, time_override="invest",
                                  time_override_rationale="Core of the new strategy."),
        "NEW": ApplicationFactory(organization=org_a, code="NEW", functional_fit=None,
                                  technical_fit=None),
    }
    apps["INV"].technologies.add(TechnologyFactory(name="PostgreSQL"))
    apps["MIG"].technologies.add(TechnologyFactory(name="Oracle"))
    for source in ("TOL", "MIG"):
        ApplicationDependencyFactory(source=apps[source], target=apps["INV"])
    ApplicationDependencyFactory(source=apps["MIG"], target=apps["TOL"])
    ApplicationFactory(organization=org_b, code="FOREIGN", functional_fit=4, technical_fit=4)
    apps["owner"] = owner
    return apps


@pytest.mark.parametrize(("query", "codes"), [
    ({"time_class": "invest"}, ["INV", "OVR"]),
    ({"time_class": "eliminate"}, []),
    ({"time_computed": "eliminate"}, ["OVR"]),
    ({"time_class": "tolerate"}, ["TOL"]),
    ({"overridden": "true"}, ["OVR"]),
    ({"overridden": "false"}, ["INV", "MIG", "NEW", "TOL"]),
    ({"technology": "postgresql"}, ["INV"]),
    ({"technology": "ORACLE"}, ["MIG"]),
    ({"technology": "Cobol"}, []),
    ({"lifecycle": ["sunsetting", "proposed"]}, ["MIG", "TOL"]),
    ({"vendor": "acme"}, ["INV"]),
    ({"contract_end_before": "2027-01-01"}, ["INV"]),
    ({"search": "ovr"}, ["OVR"]),
])
def test_application_filters(client_api, portfolio, query, codes):
    assert sorted(_codes(client_api.get(APPLICATIONS, query))) == codes


def test_owner_filter_and_ordering(client_api, portfolio):
    owner = portfolio["owner"]
    assert sorted(_codes(client_api.get(APPLICATIONS, {"owner": owner.pk}))) == ["INV", "TOL"]
    ordered = _codes(client_api.get(APPLICATIONS, {"ordering": "-fan_in,code"}))
    assert ordered == ["INV", "TOL", "MIG", "NEW", "OVR"]
    by_cost = _codes(client_api.get(APPLICATIONS, {"ordering": "-annual_run_cost"}))
    assert by_cost[:2] == ["INV", "TOL"]
    fan_in = {row["code"]: row["fan_in"]
              for row in client_api.get(APPLICATIONS).json()["results"]}
    assert fan_in == {"INV": 2, "TOL": 1, "MIG": 0, "NEW": 0, "OVR": 0}


@pytest.mark.parametrize("query", [
    {"time_class": "keep"}, {"lifecycle": "abandoned"}, {"overridden": "maybe"},
    {"owner": "abc"}, {"owner": "1.5"}, {"organization": str(10**30)},
    {"contract_end_before": "soon"}, {"ordering": "time_override_rationale"},
    {"technology": "x" * 61},
])
def test_bad_application_filters_are_400(client_api, portfolio, query):
    response = client_api.get(APPLICATIONS, query)
    assert response.status_code == 400
    assert set(query) <= set(response.json())


def _graph(organization):
    """A <-> B is a cycle; C and D depend on A; E depends on C; F stands alone."""
    apps = {code: ApplicationFactory(organization=organization, code=code, name=f"App {code}")
            for code in "ABCDEF"}
    for source, target, kind in (("A", "B", "api"), ("B", "A", "batch"), ("C", "A", "api"),
                                 ("D", "A", "data_flow"), ("E", "C", "api")):
        ApplicationDependencyFactory(source=apps[source], target=apps[target], kind=kind)
    return apps


def test_detail_shows_the_neighbourhood(client_api, org_a, org_b):
    apps = _graph(org_a)
    _graph(org_b)
    demand = DemandFactory(organization=org_a, applications=[apps["A"]], title="Faster A")
    objective = ObjectiveFactory(organization=org_a, title="Modern core")
    objective.applications.add(apps["A"])
    body = client_api.get(f"{APPLICATIONS}{apps['A'].pk}/").json()
    assert [(link["code"], link["kind"]) for link in body["depends_on"]] == [("B", "api")]
    assert [(link["code"], link["kind"]) for link in body["depended_on_by"]] == [
        ("B", "batch"), ("C", "api"), ("D", "data_flow")
    ]
    link = body["depends_on"][0]
    assert (link["id"], link["name"]) == (apps["B"].pk, "App B")
    assert link["dependency"] == ApplicationDependency.objects.get(
        source=apps["A"], target=apps["B"]
    ).pk
    assert body["fan_in"] == 3
    assert body["blast_radius"] == 4
    assert [row["code"] for row in body["blast_radius_applications"]] == ["B", "C", "D", "E"]
    assert body["dependency_cycles"] == [["A", "B"]]
    assert body["demands"] == [{"id": demand.pk, "title": "Faster A", "status": "submitted"}]
    assert body["objectives"] == [{"id": objective.pk, "title": "Modern core"}]
    leaf = client_api.get(f"{APPLICATIONS}{apps['F'].pk}/").json()
    assert (leaf["depends_on"], leaf["depended_on_by"], leaf["blast_radius"],
            leaf["dependency_cycles"]) == ([], [], 0, [])
    assert "depends_on" not in client_api.get(APPLICATIONS).json()["results"][0]


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {"page_size": 50})
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def test_query_counts_do_not_grow_with_rows(client_api, org_a):
    def grow(count):
        for _ in range(count):
            application = ApplicationFactory(organization=org_a,
                                             business_owner=StakeholderFactory(organization=org_a))
            application.technologies.add(TechnologyFactory())
            ApplicationDependencyFactory(source=application)
            ApplicationDependencyFactory(target=application, source__organization=org_a)
            objective = ObjectiveFactory(organization=org_a)
            objective.applications.add(application)
            demand = DemandFactory(organization=org_a, applications=[application],
                                   requester=StakeholderFactory(organization=org_a))
            demand.objectives.add(objective)

    grow(2)
    client_api.get(DEMANDS)  # the user's membership is then cached, as in every later call
    small = {url: _count(client_api, url)
             for url in (APPLICATIONS, DEPENDENCIES, OBJECTIVES, DEMANDS)}
    hub = ApplicationFactory(organization=org_a)
    ApplicationDependencyFactory(target=hub, source__organization=org_a)
    detail_small = _count(client_api, f"{APPLICATIONS}{hub.pk}/", {})
    grow(12)
    for _ in range(8):
        ApplicationDependencyFactory(target=hub, source__organization=org_a)
    DemandFactory(organization=org_a, applications=[hub])
    assert {url: _count(client_api, url) for url in small} == small
    assert _count(client_api, f"{APPLICATIONS}{hub.pk}/", {}) == detail_small


# --- Dependencies ------------------------------------------------------------------------------


def test_dependency_crud_and_filters(client_api, org_a):
    crm, erp, web = (ApplicationFactory(organization=org_a, code=code)
                     for code in ("CRM", "ERP", "WEB"))
    response = client_api.post(DEPENDENCIES, {"source": crm.pk, "target": erp.pk,
                                              "kind": "api", "description": "Orders"},
                               format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source_code"], body["target_code"], body["kind"]) == ("CRM", "ERP", "api")
    back = client_api.post(DEPENDENCIES, {"source": erp.pk, "target": crm.pk, "kind": "batch"},
                           format="json")
    assert back.status_code == 201  # cycles are allowed
    client_api.post(DEPENDENCIES, {"source": web.pk, "target": crm.pk, "kind": "api"},
                    format="json")
    assert len(_ids(client_api.get(DEPENDENCIES, {"application": erp.pk}))) == 2
    assert len(_ids(client_api.get(DEPENDENCIES, {"target": crm.pk}))) == 2
    assert len(_ids(client_api.get(DEPENDENCIES, {"source": web.pk}))) == 1
    assert len(_ids(client_api.get(DEPENDENCIES, {"kind": "batch"}))) == 1
    assert len(_ids(client_api.get(DEPENDENCIES, {"organization": org_a.pk}))) == 3
    detail = f"{DEPENDENCIES}{body['id']}/"
    response = client_api.patch(detail, {"kind": "messaging"}, format="json")
    assert (response.status_code, response.json()["kind"]) == (200, "messaging")
    assert client_api.delete(detail).status_code == 204
    assert ApplicationDependency.objects.count() == 2


def test_bad_dependencies_are_400(client_api, staff_api, org_a, org_b):
    crm, erp = ApplicationFactory(organization=org_a), ApplicationFactory(organization=org_a)
    response = client_api.post(DEPENDENCIES, {"source": crm.pk, "target": crm.pk, "kind": "api"},
                               format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["An application cannot depend on itself."]}
    client_api.post(DEPENDENCIES, {"source": crm.pk, "target": erp.pk, "kind": "api"},
                    format="json")
    response = client_api.post(DEPENDENCIES, {"source": crm.pk, "target": erp.pk, "kind": "api"},
                               format="json")
    assert response.status_code == 400
    assert "This dependency is already recorded." in str(response.json())
    foreign = ApplicationFactory(organization=org_b)
    response = staff_api.post(DEPENDENCIES, {"source": crm.pk, "target": foreign.pk,
                                             "kind": "api"}, format="json")
    assert response.status_code == 400
    assert "target" in response.json()
    response = client_api.post(DEPENDENCIES, {"source": crm.pk, "target": foreign.pk,
                                              "kind": "api"}, format="json")
    assert response.status_code == 400
    assert "target" in response.json()
    response = client_api.post(DEPENDENCIES, {"source": crm.pk, "target": erp.pk,
                                              "kind": "telepathy"}, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()
    assert ApplicationDependency.objects.count() == 1


# --- Objectives --------------------------------------------------------------------------------


def test_objective_crud_filters_and_409_when_demands_serve_it(client_api, org_a):
    permits = ApplicationFactory(organization=org_a)
    response = client_api.post(OBJECTIVES, {
        "title": "Paperless permits", "period_start": "2026-01-01",
        "period_end": "2026-12-31", "applications": [permits.pk],
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["applications"], body["demand_count"], body["status"]) == (
        [permits.pk], 0, "active"
    )
    objective = Objective.objects.get(pk=body["id"])
    older = ObjectiveFactory(organization=org_a, period_start=datetime.date(2024, 1, 1),
                             period_end=datetime.date(2024, 12, 31), status="achieved")
    assert _ids(client_api.get(OBJECTIVES, {"active_on": "2026-06-15"})) == [objective.pk]
    assert _ids(client_api.get(OBJECTIVES, {"active_on": "2024-12-31"})) == [older.pk]
    assert _ids(client_api.get(OBJECTIVES, {"application": permits.pk})) == [objective.pk]
    assert _ids(client_api.get(OBJECTIVES, {"status": "achieved"})) == [older.pk]
    demand = DemandFactory(organization=org_a)
    demand.objectives.add(objective)
    detail = f"{OBJECTIVES}{objective.pk}/"
    assert client_api.get(detail).json()["demand_count"] == 1
    response = client_api.patch(detail, {"applications": []}, format="json")
    assert (response.status_code, response.json()["applications"]) == (200, [])
    response = client_api.delete(detail)
    assert response.status_code == 409
    assert client_api.delete(f"{OBJECTIVES}{older.pk}/").status_code == 204
    assert list(Objective.objects.all()) == [objective]


def test_bad_objectives_are_400(client_api, staff_api, org_a, org_b):
    response = client_api.post(OBJECTIVES, {"title": "Later", "period_start": "2026-06-01",
                                            "period_end": "2026-05-31"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"period_end": ["The period cannot end before it starts."]}
    objective = ObjectiveFactory(organization=org_a)
    response = client_api.patch(f"{OBJECTIVES}{objective.pk}/",
                                {"period_end": "2000-01-01"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["period_end"])
    response = staff_api.post(OBJECTIVES, {
        "organization": org_a.pk, "title": "Mixed", "period_start": "2026-01-01",
        "period_end": "2026-12-31", "applications": [ApplicationFactory(organization=org_b).pk],
    }, format="json")
    assert response.status_code == 400
    assert "applications" in response.json()
    response = client_api.post(OBJECTIVES, {"title": "X", "period_start": "2026-01-01",
                                            "period_end": "2026-12-31", "status": "paused"},
                               format="json")
    assert (response.status_code, list(response.json())) == (400, ["status"])


# --- Demands -----------------------------------------------------------------------------------


def test_client_submits_and_edits_a_demand(client_api, user_a, org_a):
    tolerated = ApplicationFactory(organization=org_a, code="OLD", functional_fit=1,
                                   technical_fit=4)
    objective = ObjectiveFactory(organization=org_a)
    response = client_api.post(DEMANDS, {
        "title": "Online booking", "description": "Book without calling.",
        "demand_type": "evolution", "applications": [tolerated.pk],
        "objectives": [objective.pk], "business_value": 8, "urgency": 5,
        "risk_reduction": 3, "effort": 2,
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["priority_score"], body["organization"]) == (
        "submitted", 8.0, org_a.pk
    )
    assert body["warnings"] == ["OLD is classified Tolerate in the TIME assessment."]
    assert body["allowed_transitions"] == ["withdrawn"]
    assert body["submitted_by"] == user_a.get_full_name()
    assert [(t["from_status"], t["to_status"], t["actor_name"]) for t in body["transitions"]] == [
        ("", "submitted", user_a.get_full_name())
    ]
    detail = f"{DEMANDS}{body['id']}/"
    response = client_api.patch(detail, {"effort": 8, "objectives": []}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["priority_score"], response.json()["objectives"]) == (2.0, [])
    assert client_api.delete(detail).status_code == 405
    assert Demand.objects.count() == 1


def test_staff_see_every_allowed_transition(staff_api, org_a):
    demand = DemandFactory(organization=org_a)
    body = staff_api.get(f"{DEMANDS}{demand.pk}/").json()
    assert body["allowed_transitions"] == ["assessed", "rejected", "withdrawn"]
    assert "transitions" not in staff_api.get(DEMANDS).json()["results"][0]


@pytest.mark.parametrize(("payload", "field"), [
    ({"applications": []}, "applications"),
    ({"applications": None}, "applications"),
    ({"effort": 4}, "effort"),
    ({"business_value": 21}, "business_value"),
    ({"demand_type": "wish"}, "demand_type"),
    ({"title": "   "}, "title"),
    ({"target_date": "tomorrow"}, "target_date"),
    ({"objectives": ["x"]}, "objectives"),
])
def test_bad_demands_are_400(client_api, org_a, payload, field):
    application = ApplicationFactory(organization=org_a)
    response = client_api.post(DEMANDS, {
        "title": "Booking", "description": "Book online.", "demand_type": "evolution",
        "applications": [application.pk], **payload,
    }, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Demand.objects.exists()


def test_demand_cannot_change_once_approved(client_api, staff_api, org_a):
    demand = DemandFactory(organization=org_a)
    for status in ("assessed", "approved"):
        assert _transition(staff_api, demand, status).status_code == 200
    response = client_api.patch(f"{DEMANDS}{demand.pk}/", {"title": "Changed"}, format="json")
    assert response.status_code == 409
    assert "cannot be changed once approved" in response.json()["detail"]


def test_transition_endpoint(client_api, staff_api, staff_user, org_a):
    demand = DemandFactory(organization=org_a)
    response = _transition(staff_api, demand, "assessed", note="Sized with the vendor.")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "assessed"
    last = body["transitions"][-1]
    assert (last["from_status"], last["to_status"], last["note"], last["actor_name"]) == (
        "submitted", "assessed", "Sized with the vendor.", staff_user.get_full_name()
    )
    response = _transition(staff_api, demand, "delivered")
    assert response.status_code == 409
    assert "cannot become delivered" in response.json()["detail"]
    response = _transition(client_api, demand, "approved")
    assert response.status_code == 403
    response = _transition(staff_api, demand, "rejected")
    assert (response.status_code, list(response.json())) == (400, ["note"])
    response = _transition(staff_api, demand, "archived")
    assert (response.status_code, list(response.json())) == (400, ["to_status"])
    assert _transition(staff_api, demand, "").status_code == 400
    demand.refresh_from_db()
    assert demand.status == DemandStatus.ASSESSED
    response = _transition(client_api, demand, "withdrawn")
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")
    assert response.json()["allowed_transitions"] == []
    assert demand.transitions.count() == 3


def test_transition_of_another_organization_is_404(client_api, org_b):
    demand = DemandFactory(organization=org_b)
    assert _transition(client_api, demand, "withdrawn").status_code == 404
    demand.refresh_from_db()
    assert demand.status == DemandStatus.SUBMITTED


def test_demand_filters_and_ordering(client_api, org_a):
    crm = ApplicationFactory(organization=org_a)
    objective = ObjectiveFactory(organization=org_a)
    requester = StakeholderFactory(organization=org_a)
    urgent = DemandFactory(organization=org_a, business_value=20, urgency=20, effort=1,
                           applications=[crm], requester=requester)  # 43.0
    middling = DemandFactory(organization=org_a, business_value=8, urgency=5,
                             risk_reduction=3, effort=2, demand_type="regulatory")  # 8.0
    slow = DemandFactory(organization=org_a, business_value=1, urgency=1, risk_reduction=1,
                         effort=20)  # 0.15
    slow.objectives.add(objective)
    Demand.objects.filter(pk=middling.pk).update(status=DemandStatus.APPROVED)
    Demand.objects.filter(pk=slow.pk).update(status=DemandStatus.REJECTED)
    assert _ids(client_api.get(DEMANDS, {"ordering": "-priority_score"})) == [
        urgent.pk, middling.pk, slow.pk
    ]
    assert _ids(client_api.get(DEMANDS, {"priority_min": 8})) in (
        [middling.pk, urgent.pk], [urgent.pk, middling.pk]
    )
    assert _ids(client_api.get(DEMANDS, {"priority_min": 8, "ordering": "priority_score"})) == [
        middling.pk, urgent.pk
    ]
    assert _ids(client_api.get(DEMANDS, {"priority_min": "0.16"})) != []
    assert slow.pk not in _ids(client_api.get(DEMANDS, {"priority_min": "0.16"}))
    assert sorted(_ids(client_api.get(DEMANDS, {"status": ["approved", "rejected"]}))) == sorted(
        [middling.pk, slow.pk]
    )
    assert _ids(client_api.get(DEMANDS, {"status": "submitted"})) == [urgent.pk]
    assert _ids(client_api.get(DEMANDS, {"demand_type": "regulatory"})) == [middling.pk]
    assert _ids(client_api.get(DEMANDS, {"application": crm.pk})) == [urgent.pk]
    assert _ids(client_api.get(DEMANDS, {"objective": objective.pk})) == [slow.pk]
    assert _ids(client_api.get(DEMANDS, {"requester": requester.pk})) == [urgent.pk]
    for query in ({"status": "lost"}, {"priority_min": "lots"}, {"priority_min": "NaN"},
                  {"ordering": "effort"}, {"application": "-1"}):
        response = client_api.get(DEMANDS, query)
        assert response.status_code == 400, query
        assert set(query) <= set(response.json())
