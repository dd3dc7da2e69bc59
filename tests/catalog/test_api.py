"""REST API of the catalog: services, taxonomies and service requests, per role."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.choices import (
    CriterionKind,
    RequestStatus,
    ServiceStatus,
    SkillCategory,
    TierLevel,
    Typology,
)
from catalog.models import Category, Service, ServiceRequest
from stakeholders.choices import MembershipRole
from tests.factories import ClientUserFactory
from tests.factories.catalog import (
    CategoryFactory,
    CertificationFactory,
    CriterionFactory,
    IndicatorFactory,
    PublishedServiceFactory,
    RoleFactory,
    ServiceFactory,
    ServiceRequestFactory,
    ServiceRoleFactory,
    ServiceRoleSkillFactory,
    ServiceTierFactory,
    SkillFactory,
    ValueProcessFactory,
)

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/services/"
REQUESTS = "/api/v1/service-requests/"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def _in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- services: visibility, filters, detail ---------------------------------------------------


@pytest.fixture
def three_statuses():
    return {
        "draft": ServiceFactory(),
        "published": PublishedServiceFactory(),
        "retired": ServiceFactory(status=ServiceStatus.RETIRED, retired_at=timezone.now()),
    }


def test_anonymous_sees_published_services_only(api_client, three_statuses):
    assert _ids(api_client.get(SERVICES)) == [three_statuses["published"].pk]
    for name in ("draft", "retired"):
        response = api_client.get(f"{SERVICES}{three_statuses[name].pk}/")
        assert response.status_code == 404, name
    assert api_client.get(f"{SERVICES}{three_statuses['published'].pk}/").status_code == 200


def test_clients_see_published_only_even_when_filtering_by_status(client_api, three_statuses):
    assert _ids(client_api.get(SERVICES)) == [three_statuses["published"].pk]
    assert _ids(client_api.get(SERVICES, {"status": "draft"})) == []


def test_staff_see_every_status_and_filter_by_it(staff_api, three_statuses):
    assert set(_ids(staff_api.get(SERVICES))) == {s.pk for s in three_statuses.values()}
    for name, service in three_statuses.items():
        assert _ids(staff_api.get(SERVICES, {"status": name})) == [service.pk]


def test_filters_search_and_ordering(api_client):
    governance, delivery = CategoryFactory(slug="governance"), CategoryFactory(slug="delivery")
    planning = ValueProcessFactory(slug="planning")
    reporting = PublishedServiceFactory(
        name="Portfolio Reporting", category=governance, typology=Typology.CONTROLLING,
        description="A board-ready monthly report.",
    )
    reporting.value_processes.add(planning)
    coaching = PublishedServiceFactory(name="Agile Coaching", category=delivery)

    assert _ids(api_client.get(SERVICES, {"typology": "controlling"})) == [reporting.pk]
    assert _ids(api_client.get(SERVICES, {"category": "delivery"})) == [coaching.pk]
    assert _ids(api_client.get(SERVICES, {"value_process": "planning"})) == [reporting.pk]
    assert _ids(api_client.get(SERVICES, {"search": "board-ready"})) == [reporting.pk]
    assert _ids(api_client.get(SERVICES)) == [coaching.pk, reporting.pk]  # by name
    assert _ids(api_client.get(SERVICES, {"ordering": "-name"})) == [reporting.pk, coaching.pk]
    row = api_client.get(SERVICES, {"search": "reporting"}).json()["results"][0]
    assert row["category"] == {"id": governance.pk, "slug": "governance", "name": governance.name}
    assert row["value_processes"] == [
        {"id": planning.pk, "slug": "planning", "name": planning.name}
    ]
    assert "description" not in row  # the list stays lean


def test_bad_ordering_or_filter_values_are_400(api_client):
    response = api_client.get(SERVICES, {"ordering": "price"})
    assert response.status_code == 400
    assert "ordering" in response.json()
    for parameter in ("typology", "category", "value_process", "status"):
        response = api_client.get(SERVICES, {parameter: "nonsense"})
        assert response.status_code == 400, parameter
        assert parameter in response.json()


def test_service_list_query_count_does_not_grow(api_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(SERVICES, {"page_size": 50}).status_code == 200
        return len(queries)

    for _ in range(2):
        PublishedServiceFactory().value_processes.add(ValueProcessFactory())
    small = count()
    for _ in range(10):
        PublishedServiceFactory().value_processes.add(ValueProcessFactory())
    assert count() == small


def test_detail_nests_tiers_criteria_indicators_and_roles(api_client):
    service = PublishedServiceFactory()
    ServiceTierFactory(service=service, level=TierLevel.PREMIUM, includes="- One\n- Two\n")
    CriterionFactory(service=service, kind=CriterionKind.EXIT, text="Handover done.")
    CriterionFactory(service=service, kind=CriterionKind.ENTRY, text="Sponsor named.")
    indicator = IndicatorFactory(service=service)
    service_role = ServiceRoleFactory(service=service, responsibilities="Runs the PMO.")
    certification = CertificationFactory(code="PMP")
    service_role.certifications.add(certification)
    requirement = ServiceRoleSkillFactory(service_role=service_role, minimum_level=4)

    body = api_client.get(f"{SERVICES}{service.pk}/").json()
    assert [tier["level"] for tier in body["tiers"]] == ["standard", "premium"]
    assert body["tiers"][1]["includes"] == ["One", "Two"]
    assert body["tiers"][0]["commitments"] == [
        "Report by the 5th working day", "Answer within 2 working days",
    ]
    assert body["tiers"][0]["price"] == "4500.00"
    assert [(c["kind"], c["text"]) for c in body["criteria"]] == [
        ("entry", "Sponsor named."), ("exit", "Handover done."),
    ]
    assert body["indicators"][0]["name"] == indicator.name
    assert body["indicators"][0]["green_threshold"] == "90.0000"
    assert body["price_unit"] == "per month"
    role = body["roles"][0]
    assert role["role"]["slug"] == service_role.role.slug
    assert role["responsibilities"] == "Runs the PMO."
    assert role["certifications"] == [
        {"id": certification.pk, "code": "PMP", "name": certification.name}
    ]
    assert role["skills"] == [
        {
            "skill": {
                "id": requirement.skill.pk, "slug": requirement.skill.slug,
                "name": requirement.skill.name,
            },
            "minimum_level": 4,
        }
    ]


def test_detail_query_count_does_not_grow_with_children(api_client):
    service = PublishedServiceFactory()
    url = f"{SERVICES}{service.pk}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(url).status_code == 200
        return len(queries)

    def add_role() -> None:
        service_role = ServiceRoleFactory(service=service)
        service_role.certifications.add(CertificationFactory())
        ServiceRoleSkillFactory.create_batch(2, service_role=service_role)
        IndicatorFactory(service=service)
        CriterionFactory(service=service)

    add_role()
    small = count()
    for _ in range(4):
        add_role()
    assert count() == small


# --- services: writes and transitions --------------------------------------------------------


def _service_payload(**overrides) -> dict:
    return {
        "name": "Benefits Tracking",
        "slug": "benefits-tracking",
        "summary": "Track the benefits your projects promised.",
        "description": "Quarterly benefits reviews.",
        "typology": "controlling",
        "category": CategoryFactory().pk,
        "typical_duration_weeks": 26,
        "pricing_basis": "fixed_price",
        "value_processes": [ValueProcessFactory().pk],
        **overrides,
    }


def test_staff_create_update_and_delete_a_service(staff_api):
    response = staff_api.post(SERVICES, _service_payload(status="published"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"  # status is read-only
    assert body["tiers"] == []
    assert len(body["value_processes"]) == 1
    url = f"{SERVICES}{body['id']}/"
    response = staff_api.patch(url, {"summary": "New summary.", "value_processes": []})
    assert response.status_code == 200, response.json()
    assert response.json()["summary"] == "New summary."
    assert response.json()["value_processes"] == []
    assert staff_api.delete(url).status_code == 204
    assert not Service.objects.filter(pk=body["id"]).exists()


def test_deleting_a_requested_service_is_409(staff_api):
    request = ServiceRequestFactory()
    response = staff_api.delete(f"{SERVICES}{request.service_id}/")
    assert response.status_code == 409
    assert "detail" in response.json()
    assert Service.objects.filter(pk=request.service_id).exists()


def test_duplicate_name_or_slug_and_bad_values_are_400(staff_api):
    ServiceFactory(name="Benefits Tracking", slug="taken")
    response = staff_api.post(SERVICES, _service_payload(name="BENEFITS tracking"))
    assert response.status_code == 400
    assert "already exists" in str(response.json())
    response = staff_api.post(SERVICES, _service_payload(name="Other", slug="taken"))
    assert response.status_code == 400
    assert "slug" in response.json()
    response = staff_api.post(
        SERVICES,
        _service_payload(name="Other", typology="anarchic", typical_duration_weeks=0,
                         category=10**6),
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"typology", "typical_duration_weeks", "category"}


def test_clients_and_anonymous_cannot_write_services(api_client, client_api):
    service = PublishedServiceFactory()
    url = f"{SERVICES}{service.pk}/"
    assert api_client.post(SERVICES, _service_payload()).status_code == 401
    assert api_client.patch(url, {"name": "x"}).status_code == 401
    assert client_api.post(SERVICES, _service_payload()).status_code == 403
    assert client_api.patch(url, {"name": "x"}).status_code == 403
    assert client_api.delete(url).status_code == 403
    assert client_api.post(f"{url}retire/").status_code == 403
    assert api_client.post(f"{url}retire/").status_code == 401
    service.refresh_from_db()
    assert service.status == ServiceStatus.PUBLISHED


def test_publish_needs_a_tier_and_retire_needs_published(staff_api):
    service = ServiceFactory()
    url = f"{SERVICES}{service.pk}/"
    response = staff_api.post(f"{url}retire/")
    assert response.status_code == 409
    assert "Only published services" in response.json()["detail"]
    response = staff_api.post(f"{url}publish/")
    assert response.status_code == 409
    assert "no service tiers" in response.json()["detail"]

    ServiceTierFactory(service=service)
    response = staff_api.post(f"{url}publish/")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["published_at"] is not None
    assert len(response.json()["tiers"]) == 1
    response = staff_api.post(f"{url}retire/")
    assert response.status_code == 200
    assert response.json()["status"] == "retired"
    assert response.json()["retired_at"] is not None


# --- taxonomies ------------------------------------------------------------------------------


TAXONOMIES = {
    "/api/v1/value-processes/": (ValueProcessFactory, {"name": "Demand", "slug": "demand"}),
    "/api/v1/categories/": (CategoryFactory, {"name": "Governance", "slug": "governance"}),
    "/api/v1/skills/": (
        SkillFactory, {"name": "Scrum", "slug": "scrum", "category": "methodology"}
    ),
    "/api/v1/roles/": (RoleFactory, {"name": "PMO lead", "slug": "pmo-lead"}),
    "/api/v1/certifications/": (CertificationFactory, {"code": "PMP", "name": "Project Pro"}),
}


@pytest.mark.parametrize("url", TAXONOMIES)
def test_taxonomy_read_by_anyone_written_by_staff(url, api_client, client_api, staff_api):
    factory, payload = TAXONOMIES[url]
    existing = factory()
    assert _ids(api_client.get(url)) == [existing.pk]
    assert api_client.get(f"{url}{existing.pk}/").status_code == 200
    assert api_client.post(url, payload).status_code == 401
    assert client_api.post(url, payload).status_code == 403
    assert client_api.delete(f"{url}{existing.pk}/").status_code == 403

    response = staff_api.post(url, payload)
    assert response.status_code == 201, response.json()
    created = response.json()["id"]
    assert staff_api.patch(f"{url}{created}/", {"name": "Renamed"}).status_code == 200
    assert staff_api.delete(f"{url}{created}/").status_code == 204


@pytest.mark.parametrize("url", TAXONOMIES)
def test_taxonomy_duplicate_is_400(url, staff_api):
    _factory, payload = TAXONOMIES[url]
    assert staff_api.post(url, payload).status_code == 201
    shouting = {key: value.upper() for key, value in payload.items() if key != "category"}
    response = staff_api.post(url, {**payload, **shouting})
    assert response.status_code == 400
    assert "already exists" in str(response.json())


def test_deleting_taxonomy_in_use_is_409(staff_api):
    service_role = ServiceRoleSkillFactory().service_role
    in_use = {
        "/api/v1/categories/": service_role.service.category_id,
        "/api/v1/roles/": service_role.role_id,
        "/api/v1/skills/": service_role.skill_requirements.get().skill_id,
    }
    for url, pk in in_use.items():
        assert staff_api.delete(f"{url}{pk}/").status_code == 409, url
    assert Category.objects.filter(pk=in_use["/api/v1/categories/"]).exists()


def test_skills_filter_by_category_and_search(api_client):
    scrum = SkillFactory(name="Scrum", category=SkillCategory.METHODOLOGY)
    powerbi = SkillFactory(name="Power BI", category=SkillCategory.ANALYTICS)
    assert _ids(api_client.get("/api/v1/skills/", {"category": "analytics"})) == [powerbi.pk]
    assert _ids(api_client.get("/api/v1/skills/", {"search": "scr"})) == [scrum.pk]
    assert api_client.get("/api/v1/skills/", {"category": "magic"}).status_code == 400


# --- service requests: creation --------------------------------------------------------------


def _request_payload(service, **overrides) -> dict:
    return {
        "service": service.pk,
        "tier": service.tiers.first().pk,
        "desired_start": _in_days(14),
        "context": "Every project reports differently.",
        "expected_outcomes": "One monthly portfolio report.",
        **overrides,
    }


def test_client_submits_a_request(client_api, user_a, org_a):
    service = PublishedServiceFactory()
    response = client_api.post(REQUESTS, _request_payload(service), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["organization"] == {"id": org_a.pk, "name": org_a.name}
    assert body["service"]["id"] == service.pk
    assert body["service"]["status"] == "published"
    assert body["tier"]["level"] == "standard"
    assert body["requested_by"]["username"] == user_a.username
    assert body["requested_by"]["full_name"] == user_a.get_full_name()
    assert [(t["from_status"], t["to_status"], t["actor"]) for t in body["transitions"]] == [
        ("", "submitted", user_a.username)
    ]


def test_request_input_errors_are_400_on_the_field(client_api, org_a):
    service, other = PublishedServiceFactory(), PublishedServiceFactory()
    cases = {
        "desired_start": {"desired_start": _in_days(-1)},
        "tier": {"tier": other.tiers.first().pk},
        "context": {"context": "   "},
    }
    for field, change in cases.items():
        response = client_api.post(REQUESTS, _request_payload(service, **change), format="json")
        assert response.status_code == 400, field
        assert field in response.json(), response.json()
    draft = ServiceFactory()
    ServiceTierFactory(service=draft)
    response = client_api.post(REQUESTS, _request_payload(draft), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"service", "tier"}  # both as unknown as missing keys
    assert not ServiceRequest.objects.exists()


def test_second_open_request_for_the_same_service_is_400(client_api):
    service = PublishedServiceFactory()
    assert client_api.post(REQUESTS, _request_payload(service)).status_code == 201
    response = client_api.post(REQUESTS, _request_payload(service))
    assert response.status_code == 400
    assert "open request" in response.json()["non_field_errors"][0]


def test_only_writing_client_users_may_request(api_client, staff_api, org_a):
    service = PublishedServiceFactory()
    reader = ClientUserFactory(
        membership__organization=org_a, membership__role=MembershipRole.READ_ONLY
    )
    assert api_client.post(REQUESTS, _request_payload(service)).status_code == 401
    response = _as(reader).post(REQUESTS, _request_payload(service))
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    response = staff_api.post(REQUESTS, {})  # refused before the input is judged
    assert response.status_code == 403
    assert not ServiceRequest.objects.exists()


def test_requests_are_never_changed_or_deleted(client_api, staff_api, org_a):
    url = f"{REQUESTS}{ServiceRequestFactory(organization=org_a).pk}/"
    for client in (client_api, staff_api):
        assert client.put(url, {}).status_code == 405
        assert client.patch(url, {}).status_code == 405
        assert client.delete(url).status_code == 405


# --- service requests: visibility and filters ------------------------------------------------


def test_clients_see_only_their_organization_requests(client_api, staff_api, org_a, org_b):
    own, foreign = ServiceRequestFactory(organization=org_a), ServiceRequestFactory(
        organization=org_b
    )
    assert _ids(client_api.get(REQUESTS)) == [own.pk]
    assert client_api.get(f"{REQUESTS}{foreign.pk}/").status_code == 404
    assert _ids(client_api.get(REQUESTS, {"organization": org_b.pk})) == []
    assert set(_ids(staff_api.get(REQUESTS))) == {own.pk, foreign.pk}
    assert _ids(staff_api.get(REQUESTS, {"organization": org_b.pk})) == [foreign.pk]


def test_request_filters_search_and_ordering(staff_api):
    first = ServiceRequestFactory(service=PublishedServiceFactory(name="Risk Reviews"))
    second = ServiceRequestFactory(status=RequestStatus.IN_REVIEW)
    assert _ids(staff_api.get(REQUESTS)) == [second.pk, first.pk]  # newest first
    assert _ids(staff_api.get(REQUESTS, {"ordering": "created_at"})) == [first.pk, second.pk]
    assert _ids(staff_api.get(REQUESTS, {"status": "in_review"})) == [second.pk]
    assert _ids(staff_api.get(REQUESTS, {"service": first.service_id})) == [first.pk]
    assert _ids(staff_api.get(REQUESTS, {"search": "risk"})) == [first.pk]
    today = timezone.localdate()
    assert len(_ids(staff_api.get(REQUESTS, {"created_after": today.isoformat()}))) == 2
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert _ids(staff_api.get(REQUESTS, {"created_after": tomorrow})) == []
    assert staff_api.get(REQUESTS, {"ordering": "organization"}).status_code == 400


# --- service requests: workflow --------------------------------------------------------------


def test_clients_cannot_move_requests(client_api, org_a):
    url = f"{REQUESTS}{ServiceRequestFactory(organization=org_a).pk}/"
    for action, body in (("review", {}), ("accept", {}), ("decline", {"reason": "No."})):
        assert client_api.post(f"{url}{action}/", body).status_code == 403, action
    assert ServiceRequest.objects.get().status == RequestStatus.SUBMITTED


def test_staff_review_then_accept(staff_api, staff_user):
    url = f"{REQUESTS}{ServiceRequestFactory().pk}/"
    response = staff_api.post(f"{url}accept/")
    assert response.status_code == 409
    assert "can only move to in review or declined" in response.json()["detail"]

    assert staff_api.post(f"{url}review/").json()["status"] == "in_review"
    response = staff_api.post(f"{url}accept/", {"reason": "Good fit."})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["decision_reason"]) == ("accepted", "Good fit.")
    assert [(t["from_status"], t["to_status"], t["actor"], t["note"])
            for t in body["transitions"][1:]] == [
        ("submitted", "in_review", staff_user.username, ""),
        ("in_review", "accepted", staff_user.username, "Good fit."),
    ]
    for action in ("review", "accept"):
        response = staff_api.post(f"{url}{action}/")
        assert response.status_code == 409
        assert "final" in response.json()["detail"]


def test_decline_needs_a_reason_and_is_final(staff_api):
    url = f"{REQUESTS}{ServiceRequestFactory().pk}/"
    for body in ({}, {"reason": "  "}):
        response = staff_api.post(f"{url}decline/", body)
        assert response.status_code == 400
        assert "reason" in response.json()
    response = staff_api.post(f"{url}decline/", {"reason": "No budget this year."})
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert response.json()["decision_reason"] == "No budget this year."
    assert staff_api.post(f"{url}decline/", {"reason": "Again."}).status_code == 409
    assert staff_api.post(f"{url}review/").status_code == 409


# --- notifications ---------------------------------------------------------------------------


def test_submission_and_decision_send_mail(
    client_api, staff_api, staff_user, user_a, django_capture_on_commit_callbacks, mailoutbox
):
    service = PublishedServiceFactory(name="Portfolio Reporting")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_api.post(REQUESTS, _request_payload(service))
    assert response.status_code == 201
    assert [message.to for message in mailoutbox] == [[staff_user.email]]
    assert "Portfolio Reporting" in mailoutbox[0].subject
    request_id = response.json()["id"]
    assert f"/admin/catalog/servicerequest/{request_id}/change/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        url = f"{REQUESTS}{request_id}/"
        assert staff_api.post(f"{url}decline/", {"reason": "No budget."}).status_code == 200
    assert mailoutbox[1].to == [user_a.email]
    assert "No budget." in mailoutbox[1].body
    assert f"/requests/{request_id}/" in mailoutbox[1].body


def test_fast_list_rows_equal_the_generic_serializer_walk(api_client):
    """The list's hand-written rows must say exactly what ServiceSummarySerializer documents."""
    from catalog.api.serializers import ServiceSummarySerializer

    processes = [ValueProcessFactory(name=name) for name in ("Zeta", "Alpha", "Mid")]
    with_processes = PublishedServiceFactory(name="Alpha service", typical_duration_weeks=None)
    with_processes.value_processes.set(processes)
    PublishedServiceFactory(name="Beta service")
    rows = api_client.get(SERVICES).json()["results"]
    generic = ServiceSummarySerializer(
        Service.objects.filter(status="published").order_by("name"), many=True
    ).data
    assert rows == [dict(row) for row in generic]
    assert [p["name"] for p in rows[0]["value_processes"]] == ["Alpha", "Mid", "Zeta"]
