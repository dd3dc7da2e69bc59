"""Catalog services: publishing rules, the request workflow and its notifications."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog import services
from catalog.choices import RequestStatus, ServiceStatus, TierLevel
from catalog.models import ServiceRequest, ServiceRequestTransition
from catalog.tasks import notify_service_request_transition, resend_unsent_notifications
from pmo_service.exceptions import ConflictError
from tests.factories import (
    ClientUserFactory,
    PublishedServiceFactory,
    ServiceFactory,
    ServiceRequestFactory,
    ServiceTierFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db


def _in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _submit(user, service, **overrides):
    fields = {
        "user": user,
        "service": service,
        "tier": service.tiers.first(),
        "desired_start": _in_days(14),
        "context": "Reporting is manual.",
        "expected_outcomes": "A monthly portfolio report.",
    }
    return services.service_request_submit(**{**fields, **overrides})


# --- Publishing --------------------------------------------------------------------------------


def test_publish_needs_a_tier_then_retire_and_publish_again():
    service = ServiceFactory()
    with pytest.raises(ConflictError, match="no service tiers"):
        services.service_publish(service=service)
    ServiceTierFactory(service=service)
    service = services.service_publish(service=service)
    assert service.status == ServiceStatus.PUBLISHED
    assert service.published_at is not None
    with pytest.raises(ConflictError, match="already published"):
        services.service_publish(service=service)
    service = services.service_retire(service=service)
    assert service.status == ServiceStatus.RETIRED
    assert service.retired_at is not None
    with pytest.raises(ConflictError, match="Only published services"):
        services.service_retire(service=service)
    service = services.service_publish(service=service)
    assert service.status == ServiceStatus.PUBLISHED
    assert service.retired_at is None


def test_retiring_a_draft_is_a_conflict():
    with pytest.raises(ConflictError):
        services.service_retire(service=ServiceFactory())


# --- Submitting --------------------------------------------------------------------------------


def test_client_submits_a_request_with_its_first_transition(user_a, org_a):
    service = PublishedServiceFactory()
    request = _submit(user_a, service, context="  Reporting is manual.  ")
    assert request.organization == org_a
    assert request.status == RequestStatus.SUBMITTED
    assert request.context == "Reporting is manual."
    transition = request.transitions.get()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "", RequestStatus.SUBMITTED, user_a,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"desired_start": _in_days(-1)}, "desired_start"),
        ({"desired_start": _in_days(800)}, "desired_start"),
        ({"context": "   "}, "context"),
        ({"expected_outcomes": ""}, "expected_outcomes"),
    ],
)
def test_bad_request_fields_are_reported_by_field(user_a, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        _submit(user_a, PublishedServiceFactory(), **overrides)
    assert field in excinfo.value.message_dict
    assert not ServiceRequest.objects.exists()


def test_tier_must_belong_to_the_service(user_a):
    other_tier = ServiceTierFactory(service=PublishedServiceFactory(), level=TierLevel.PREMIUM)
    with pytest.raises(ValidationError) as excinfo:
        _submit(user_a, PublishedServiceFactory(), tier=other_tier)
    assert "tier" in excinfo.value.message_dict


@pytest.mark.parametrize("status", [ServiceStatus.DRAFT, ServiceStatus.RETIRED])
def test_only_published_services_can_be_requested(user_a, status):
    service = PublishedServiceFactory(status=status)
    with pytest.raises(ValidationError) as excinfo:
        _submit(user_a, service)
    assert "service" in excinfo.value.message_dict


def test_one_open_request_per_service_until_decided(user_a, staff_user):
    service = PublishedServiceFactory()
    first = _submit(user_a, service)
    with pytest.raises(ValidationError, match="already has an open request"):
        _submit(user_a, service)
    services.service_request_decline(request=first, actor=staff_user, reason="Not this year.")
    assert _submit(user_a, service).status == RequestStatus.SUBMITTED


def test_staff_read_only_members_and_users_without_organization_cannot_submit(org_a):
    service = PublishedServiceFactory()
    read_only = ClientUserFactory(membership__organization=org_a, membership__role="read_only")
    for user in (StaffUserFactory(), read_only, ClientUserFactory(membership=None)):
        with pytest.raises(PermissionDenied):
            _submit(user, service)


def test_members_of_an_inactive_organization_cannot_submit(user_a, org_a):
    org_a.is_active = False
    org_a.save()
    with pytest.raises(PermissionDenied, match="not active"):
        _submit(user_a, PublishedServiceFactory())


def test_staff_record_a_request_on_behalf_of_a_client(user_a, org_a, org_b, staff_user):
    service = PublishedServiceFactory()
    fields = {
        "service": service, "tier": service.tiers.first(), "desired_start": _in_days(3),
        "context": "Phoned in.", "expected_outcomes": "Reports.", "recorded_by": staff_user,
    }
    with pytest.raises(ValidationError) as excinfo:
        services.service_request_record(organization=org_b, requested_by=user_a, **fields)
    assert "requested_by" in excinfo.value.message_dict
    with pytest.raises(PermissionDenied):
        services.service_request_record(
            organization=org_a, requested_by=user_a, **{**fields, "recorded_by": user_a}
        )
    request = services.service_request_record(organization=org_a, requested_by=user_a, **fields)
    assert request.requested_by == user_a
    assert request.transitions.get().actor == staff_user


# --- Workflow ----------------------------------------------------------------------------------


def test_workflow_review_then_accept_records_who_and_when(staff_user):
    request = ServiceRequestFactory()
    services.service_request_review(request=request, actor=staff_user)
    request = services.service_request_accept(request=request, actor=staff_user, reason="Fits.")
    assert request.status == RequestStatus.ACCEPTED
    assert request.decision_reason == "Fits."
    moves = [(t.from_status, t.to_status, t.actor) for t in request.transitions.all()]
    assert moves[1:] == [
        (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW, staff_user),
        (RequestStatus.IN_REVIEW, RequestStatus.ACCEPTED, staff_user),
    ]
    assert all(t.created_at for t in request.transitions.all())


def test_accepting_without_review_is_a_conflict_with_the_reason(staff_user):
    request = ServiceRequestFactory()
    with pytest.raises(ConflictError, match="submitted and cannot be accepted"):
        services.service_request_accept(request=request, actor=staff_user)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    assert request.transitions.count() == 1


def test_decline_needs_a_reason_and_is_final(staff_user):
    request = ServiceRequestFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.service_request_decline(request=request, actor=staff_user, reason="  ")
    assert "reason" in excinfo.value.message_dict
    services.service_request_decline(request=request, actor=staff_user, reason="No budget.")
    with pytest.raises(ConflictError, match="final"):
        services.service_request_review(request=request, actor=staff_user)


def test_only_staff_move_requests(user_a, org_a):
    request = ServiceRequestFactory(organization=org_a)
    with pytest.raises(PermissionDenied):
        services.service_request_review(request=request, actor=user_a)
    inactive_staff = StaffUserFactory(is_active=False)
    with pytest.raises(PermissionDenied):
        services.service_request_review(request=request, actor=inactive_staff)


# --- Notifications -----------------------------------------------------------------------------


def test_submission_mails_staff_and_decisions_mail_the_requester(
    user_a, staff_user, django_capture_on_commit_callbacks, mailoutbox
):
    StaffUserFactory(email="")  # staff without an address are skipped
    service = PublishedServiceFactory(name="Portfolio Reporting")
    with django_capture_on_commit_callbacks(execute=True):
        request = _submit(user_a, service)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [staff_user.email]
    assert "Portfolio Reporting" in mailoutbox[0].subject
    assert f"/admin/catalog/servicerequest/{request.pk}/change/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.service_request_review(request=request, actor=staff_user)
        services.service_request_decline(request=request, actor=staff_user, reason="No budget.")
    assert [message.to for message in mailoutbox[1:]] == [[user_a.email], [user_a.email]]
    assert "declined" in mailoutbox[2].subject
    assert "No budget." in mailoutbox[2].body
    assert f"/requests/{request.pk}/" in mailoutbox[2].body
    assert all(t.notified_at for t in request.transitions.all())


def test_notification_is_sent_once_even_if_the_task_runs_again(staff_user, mailoutbox):
    request = ServiceRequestFactory()
    transition = request.transitions.get()
    assert notify_service_request_transition.run(transition.pk) == "sent"
    assert notify_service_request_transition.run(transition.pk) == "skipped"
    assert notify_service_request_transition.run(10**9) == "missing"
    assert len(mailoutbox) == 1


def test_a_failed_write_sends_nothing(user_a, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _submit(user_a, PublishedServiceFactory(), context="")
    assert mailoutbox == []


def test_a_notification_never_sent_is_sent_by_the_sweep_once(staff_user, mailoutbox):
    # A transition whose e-mail task was never sent (the broker was down after the commit).
    lost = ServiceRequestFactory().transitions.get()
    stale = ServiceRequestFactory().transitions.get()
    ServiceRequestTransition.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert resend_unsent_notifications.run() == 0  # within the grace: it may be on its way
    ServiceRequestTransition.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=11)
    )

    assert resend_unsent_notifications.run() == 1  # the 3-day-old news is left alone
    assert len(mailoutbox) == 1
    lost.refresh_from_db()
    assert lost.notified_at is not None
    assert resend_unsent_notifications.run() == 0
    assert len(mailoutbox) == 1
