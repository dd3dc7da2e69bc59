"""Catalog admin: lists, lifecycle and workflow actions, the decline page, history, recording."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.choices import RequestStatus, ServiceStatus
from catalog.models import Service, ServiceRequest, ServiceRequestTransition
from tests.factories import (
    CertificationFactory,
    ClientUserFactory,
    IndicatorFactory,
    PublishedServiceFactory,
    ServiceFactory,
    ServiceRequestFactory,
    ServiceRoleSkillFactory,
    ServiceTierFactory,
    ValueProcessFactory,
)

pytestmark = pytest.mark.django_db

SERVICES_URL = "/admin/catalog/service/"
REQUESTS_URL = "/admin/catalog/servicerequest/"


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _messages(response) -> list[str]:
    """The messages waiting for the next page (earlier unread ones included)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def _action(client, url, action, objects, **extra):
    return client.post(
        url, {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    )


@pytest.mark.parametrize(
    "model",
    ["service", "servicerole", "servicerequest", "valueprocess", "category", "skill", "role",
     "certification"],
)
def test_every_catalog_changelist_loads_for_staff(staff_client, model):
    role_skill = ServiceRoleSkillFactory(service_role__service=PublishedServiceFactory())
    role_skill.service_role.certifications.add(CertificationFactory())
    role_skill.service_role.service.value_processes.add(ValueProcessFactory())
    ServiceRequestFactory(service=role_skill.service_role.service)
    response = staff_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_published_services_link_to_the_catalog(staff_client):
    published = PublishedServiceFactory(slug="reporting")
    ServiceFactory(slug="draft-one")
    response = staff_client.get(SERVICES_URL)
    content = response.content.decode()
    assert reverse("catalog:service-detail", kwargs={"slug": "reporting"}) in content
    assert reverse("catalog:service-detail", kwargs={"slug": "draft-one"}) not in content
    assert published.name in content


def test_taxonomy_lists_count_the_services_using_each_entry(staff_client):
    first = ServiceRoleSkillFactory()
    ServiceRoleSkillFactory(skill=first.skill)  # a second service needing the same skill
    response = staff_client.get(reverse("admin:catalog_skill_changelist"))
    [skill] = response.context["cl"].result_list
    assert skill.usage_count == 2


@pytest.mark.parametrize("url", [SERVICES_URL, REQUESTS_URL])
def test_changelist_query_count_does_not_grow_with_rows(staff_client, url):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url).status_code == 200
        return len(queries)

    ServiceRequestFactory.create_batch(2)
    few = count()
    ServiceRequestFactory.create_batch(8)
    assert count() == few


def test_service_search_and_filters(staff_client):
    reporting = ServiceFactory(name="Portfolio reporting", summary="Monthly dashboards")
    published = PublishedServiceFactory(name="Risk office")
    response = staff_client.get(SERVICES_URL, {"q": "dashboards"})
    assert list(response.context["cl"].result_list) == [reporting]
    response = staff_client.get(SERVICES_URL, {"status__exact": ServiceStatus.PUBLISHED})
    assert list(response.context["cl"].result_list) == [published]


def test_request_search_and_filters(staff_client, user_a, org_a):
    mine = ServiceRequestFactory(organization=org_a, requested_by=user_a)
    other = ServiceRequestFactory(status=RequestStatus.IN_REVIEW)
    response = staff_client.get(REQUESTS_URL, {"q": "alice"})
    assert list(response.context["cl"].result_list) == [mine]
    response = staff_client.get(REQUESTS_URL, {"q": other.service.name})
    assert list(response.context["cl"].result_list) == [other]
    response = staff_client.get(REQUESTS_URL, {"status__exact": RequestStatus.IN_REVIEW})
    assert list(response.context["cl"].result_list) == [other]


# --- Service lifecycle actions ---------------------------------------------------------------


def test_publish_action_publishes_and_reports_each_refusal(staff_client):
    ready = ServiceTierFactory(service=ServiceFactory(name="Ready")).service
    without_tiers = ServiceFactory(name="Empty")
    response = _action(staff_client, SERVICES_URL, "publish_services", [ready, without_tiers])
    assert response.status_code == 302
    assert _messages(response) == [
        "“Empty” has no service tiers; add at least one before publishing.",
        "1 service(s) published.",
    ]
    ready.refresh_from_db()
    without_tiers.refresh_from_db()
    assert (ready.status, without_tiers.status) == (ServiceStatus.PUBLISHED, ServiceStatus.DRAFT)


def test_retire_action_retires_published_and_refuses_drafts(staff_client):
    published = PublishedServiceFactory()
    draft = ServiceFactory(name="Still a draft")
    response = _action(staff_client, SERVICES_URL, "retire_services", [published, draft])
    messages = _messages(response)
    assert "1 service(s) retired." in messages
    assert any("Only published services can be retired" in text for text in messages)
    published.refresh_from_db()
    assert published.status == ServiceStatus.RETIRED


def test_service_change_form_saves_with_inlines_and_history_shows_who(staff_client, staff_user):
    service = ServiceFactory(name="Old name")
    data = {
        "name": "New name", "slug": service.slug, "summary": service.summary,
        "description": service.description, "typology": "controlling",
        "category": service.category_id, "typical_duration_weeks": "", "pricing_basis":
        "fixed_price", "pricing_notes": "",
        "tiers-0-level": "essential", "tiers-0-headline": "Small", "tiers-0-price": "1000",
        "tiers-0-includes": "A report", "tiers-0-commitments": "On time",
        "criteria-0-kind": "entry", "criteria-0-position": "1",
        "criteria-0-text": "A sponsor is named.",
        "roles-0-role": "",
    }
    for prefix, total in (("tiers", 1), ("criteria", 1), ("indicators", 0), ("roles", 0)):
        data |= {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": 0,
                 f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    response = staff_client.post(f"{SERVICES_URL}{service.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"]
    service.refresh_from_db()
    assert service.name == "New name"
    assert service.typical_duration_weeks is None
    assert [tier.headline for tier in service.tiers.all()] == ["Small"]
    assert [criterion.text for criterion in service.criteria.all()] == ["A sponsor is named."]

    response = staff_client.get(f"{SERVICES_URL}{service.pk}/history/")
    latest = response.context["page_obj"].object_list[0]
    assert (latest.name, latest.history_type, latest.history_user) == ("New name", "~", staff_user)
    assert "Old name" in response.content.decode()


def test_history_can_be_viewed_but_not_reverted(staff_client):
    service = PublishedServiceFactory()
    version = service.history.earliest()
    url = f"{SERVICES_URL}{service.pk}/history/{version.history_id}/"
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"name": "Reverted"}).status_code == 403


def test_service_role_page_edits_required_skills(staff_client):
    role_skill = ServiceRoleSkillFactory(minimum_level=2)
    IndicatorFactory(service=role_skill.service_role.service)
    url = reverse("admin:catalog_servicerole_change", args=[role_skill.service_role.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.prefix == "skill_requirements"
    service_url = reverse("admin:catalog_service_change", args=[role_skill.service_role.service_id])
    assert url in staff_client.get(service_url).content.decode()  # the inline's change link


# --- Service request workflow ----------------------------------------------------------------


def test_start_review_and_accept_actions_record_the_staff_member(staff_client, staff_user):
    service_request = ServiceRequestFactory()
    response = _action(staff_client, REQUESTS_URL, "start_review", [service_request])
    assert _messages(response) == ["1 request(s) now in review."]
    staff_client.get(REQUESTS_URL)  # shows (and so clears) the messages
    response = _action(staff_client, REQUESTS_URL, "accept_requests", [service_request])
    assert _messages(response) == ["1 request(s) accepted."]
    service_request.refresh_from_db()
    assert service_request.status == RequestStatus.ACCEPTED
    assert list(service_request.transitions.values_list("to_status", "actor")) == [
        (RequestStatus.SUBMITTED, service_request.requested_by_id),
        (RequestStatus.IN_REVIEW, staff_user.pk),
        (RequestStatus.ACCEPTED, staff_user.pk),
    ]


def test_invalid_transitions_come_back_as_messages(staff_client):
    submitted = ServiceRequestFactory()
    response = _action(staff_client, REQUESTS_URL, "accept_requests", [submitted])
    assert response.status_code == 302
    [message] = _messages(response)
    assert f"Request #{submitted.pk}" in message
    assert "is submitted and cannot be accepted; it can only move to in review or declined" in (
        message
    )
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.SUBMITTED


def test_decline_asks_for_a_reason_on_an_intermediate_page(staff_client):
    first, second = ServiceRequestFactory.create_batch(2)
    response = _action(staff_client, REQUESTS_URL, "decline_requests", [first, second])
    assert response.status_code == 200
    assert response.templates[0].name == "admin/catalog/servicerequest/decline_confirmation.html"
    content = response.content.decode()
    assert "csrfmiddlewaretoken" in content
    for hidden in (f'name="_selected_action" value="{first.pk}"',
                   f'name="_selected_action" value="{second.pk}"',
                   'name="action" value="decline_requests"', 'name="post" value="yes"'):
        assert hidden in content
    assert '<textarea name="reason"' in content

    response = _action(
        staff_client, REQUESTS_URL, "decline_requests", [first, second], post="yes", reason="  "
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    first.refresh_from_db()
    assert first.status == RequestStatus.SUBMITTED

    response = _action(
        staff_client, REQUESTS_URL, "decline_requests", [first, second], post="yes",
        reason="Budget not approved yet.",
    )
    assert response.status_code == 302
    assert _messages(response) == ["2 request(s) declined."]
    for service_request in (first, second):
        service_request.refresh_from_db()
        assert service_request.status == RequestStatus.DECLINED
        assert service_request.decision_reason == "Budget not approved yet."
        assert service_request.transitions.last().note == "Budget not approved yet."


def test_declining_a_decided_request_is_reported(staff_client):
    accepted = ServiceRequestFactory(status=RequestStatus.ACCEPTED)
    response = _action(
        staff_client, REQUESTS_URL, "decline_requests", [accepted], post="yes", reason="No."
    )
    assert response.status_code == 302
    [message] = _messages(response)
    assert "the decision is final" in message


def test_change_form_buttons_move_the_request(staff_client, staff_user):
    service_request = ServiceRequestFactory()
    url = reverse("admin:catalog_servicerequest_change", args=[service_request.pk])
    content = staff_client.get(url).content.decode()
    assert 'name="_start_review"' in content
    assert 'name="_accept"' not in content  # not allowed from "submitted"
    assert 'value="decline_requests"' in content
    assert 'name="_save"' not in content  # nothing to edit: the workflow moves requests

    response = staff_client.post(url, {"_start_review": "Start review"})
    assert response.status_code == 302
    assert _messages(response) == ["The request is now in review."]
    service_request.refresh_from_db()
    assert service_request.status == RequestStatus.IN_REVIEW
    assert service_request.transitions.last().actor == staff_user


def test_transitions_are_shown_read_only_and_requests_cannot_be_deleted(staff_client):
    service_request = ServiceRequestFactory()
    url = reverse("admin:catalog_servicerequest_change", args=[service_request.pk])
    response = staff_client.get(url)
    [inline] = response.context["inline_admin_formsets"]
    assert inline.formset.model is ServiceRequestTransition
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    assert 'name="transitions-0-note"' not in response.content.decode()
    assert "context" in response.context["adminform"].readonly_fields

    delete_url = reverse("admin:catalog_servicerequest_delete", args=[service_request.pk])
    assert staff_client.get(delete_url).status_code == 403
    _action(staff_client, REQUESTS_URL, "delete_selected", [service_request])
    assert ServiceRequest.objects.filter(pk=service_request.pk).exists()


def test_staff_record_a_request_on_behalf_of_a_client(staff_client, staff_user, user_a, org_a):
    service = PublishedServiceFactory()
    data = {
        "organization": org_a.pk, "service": service.pk, "tier": service.tiers.get().pk,
        "requested_by": user_a.pk,
        "desired_start": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "context": "Asked by phone.", "expected_outcomes": "A monthly report.",
    }
    response = staff_client.post(f"{REQUESTS_URL}add/", data)
    assert response.status_code == 302
    service_request = ServiceRequest.objects.get()
    assert (service_request.organization, service_request.requested_by) == (org_a, user_a)
    [transition] = service_request.transitions.all()
    assert (transition.to_status, transition.actor) == (RequestStatus.SUBMITTED, staff_user)
    assert service_request.history.count() == 1  # recorded once, not saved again by the admin


def test_recording_checks_the_requester_belongs_to_the_organization(staff_client, org_a, org_b):
    service = PublishedServiceFactory()
    outsider = ClientUserFactory(membership__organization=org_b)
    data = {
        "organization": org_a.pk, "service": service.pk, "tier": service.tiers.get().pk,
        "requested_by": outsider.pk,
        "desired_start": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "context": "Asked by phone.", "expected_outcomes": "A monthly report.",
    }
    response = staff_client.post(f"{REQUESTS_URL}add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "requested_by": ["Choose an active member of the requesting organization."]
    }
    assert not Service.objects.get().requests.exists()
