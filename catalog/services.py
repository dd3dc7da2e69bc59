"""Write operations of the catalog: publishing services and the service-request workflow.

Interfaces (API, portal, admin) call these; they hold every rule, so the three doors behave
alike. Workflow violations raise ``ConflictError`` (409 in the API); bad input raises
Django's ``ValidationError`` with field names (400).
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pmo_service.celery import enqueue_on_commit
from pmo_service.exceptions import ConflictError
from stakeholders.models import Organization, User
from stakeholders.tenancy import user_membership

from .choices import REQUEST_TRANSITIONS, RequestStatus, ServiceStatus
from .models import Service, ServiceRequest, ServiceRequestTransition, ServiceTier
from .tasks import notify_service_request_transition

MAX_DESIRED_START_DAYS = 2 * 365  # further ahead than this is a typo, not a plan


# --- Services ----------------------------------------------------------------------------------


def _locked_service(service: Service) -> Service:
    return Service.objects.select_for_update().get(pk=service.pk)


@transaction.atomic
def service_publish(*, service: Service) -> Service:
    """Make a draft or retired service visible in the catalog.

    A service is published only when a client could request it: it needs at least one tier.
    """
    service = _locked_service(service)
    if service.status == ServiceStatus.PUBLISHED:
        raise ConflictError(f"“{service.name}” is already published.")
    if not service.tiers.exists():
        raise ConflictError(
            f"“{service.name}” has no service tiers; add at least one before publishing."
        )
    service.status = ServiceStatus.PUBLISHED
    service.published_at = timezone.now()
    service.retired_at = None
    service.save(update_fields=["status", "published_at", "retired_at", "updated_at"])
    return service


@transaction.atomic
def service_retire(*, service: Service) -> Service:
    """Withdraw a published service from the catalog. Requests referencing it keep showing it."""
    service = _locked_service(service)
    if service.status != ServiceStatus.PUBLISHED:
        raise ConflictError(
            f"Only published services can be retired; “{service.name}” is "
            f"{service.get_status_display().lower()}."
        )
    service.status = ServiceStatus.RETIRED
    service.retired_at = timezone.now()
    service.save(update_fields=["status", "retired_at", "updated_at"])
    return service


# --- Service requests --------------------------------------------------------------------------


def service_request_check_requester(*, user: User) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may request services for an organization."""
    membership = user_membership(user)
    if user.is_staff or membership is None:
        raise PermissionDenied(
            "Only client users request services; PMO staff record requests in the admin."
        )
    if not membership.can_write:
        raise PermissionDenied("Your access is read-only; ask your sponsor to request services.")
    if not membership.organization.is_active:
        raise PermissionDenied("Your organization is not active.")


def _check_request_fields(
    *,
    organization,
    service: Service,
    tier: ServiceTier,
    desired_start: date,
    context: str,
    expected_outcomes: str,
) -> None:
    """The rules every new request follows, whoever records it (field-keyed errors)."""
    errors: dict[str, list[str]] = {}
    if service.status != ServiceStatus.PUBLISHED:
        errors["service"] = ["This service is not available for requests."]
    elif tier.service_id != service.pk:
        errors["tier"] = ["Choose one of this service's tiers."]
    today = timezone.localdate()
    if desired_start < today:
        errors["desired_start"] = ["The desired start cannot be in the past."]
    elif (desired_start - today).days > MAX_DESIRED_START_DAYS:
        errors["desired_start"] = ["The desired start must be within the next two years."]
    for name, text in (("context", context), ("expected_outcomes", expected_outcomes)):
        if not text.strip():
            errors[name] = ["This field is required."]
    if errors:
        raise ValidationError(errors)
    if ServiceRequest.objects.open().filter(organization=organization, service=service).exists():
        raise ValidationError(
            "This organization already has an open request for this service; "
            "PMO staff answer it before a new one can be made."
        )


def _create_request(*, organization, requested_by: User, actor: User, **fields) -> ServiceRequest:
    _check_request_fields(organization=organization, **fields)
    request = ServiceRequest.objects.create(
        organization=organization,
        requested_by=requested_by,
        service=fields["service"],
        tier=fields["tier"],
        desired_start=fields["desired_start"],
        context=fields["context"].strip(),
        expected_outcomes=fields["expected_outcomes"].strip(),
    )
    _record_transition(request=request, from_status="", actor=actor, note="")
    return request


@transaction.atomic
def service_request_submit(
    *,
    user: User,
    service: Service,
    tier: ServiceTier,
    desired_start: date,
    context: str,
    expected_outcomes: str,
) -> ServiceRequest:
    """Record a client user's request for ``service`` at ``tier`` and tell PMO staff."""
    service_request_check_requester(user=user)
    return _create_request(
        organization=user_membership(user).organization,
        requested_by=user,
        actor=user,
        service=service,
        tier=tier,
        desired_start=desired_start,
        context=context,
        expected_outcomes=expected_outcomes,
    )


@transaction.atomic
def service_request_record(
    *,
    organization: Organization,
    service: Service,
    tier: ServiceTier,
    requested_by: User,
    desired_start: date,
    context: str,
    expected_outcomes: str,
    recorded_by: User,
) -> ServiceRequest:
    """PMO staff record a request a client made by phone or e-mail, on the client's behalf.

    The same rules as a client's own request apply; the requester must be an active member of
    the organization, and the submission is recorded with the staff member as its actor.
    """
    if not (recorded_by.is_active and recorded_by.is_staff):
        raise PermissionDenied("Only PMO staff record requests on behalf of clients.")
    membership = user_membership(requested_by)
    if membership is None or membership.organization_id != organization.pk or not (
        requested_by.is_active
    ):
        raise ValidationError(
            {"requested_by": ["Choose an active member of the requesting organization."]}
        )
    return _create_request(
        organization=organization,
        requested_by=requested_by,
        actor=recorded_by,
        service=service,
        tier=tier,
        desired_start=desired_start,
        context=context,
        expected_outcomes=expected_outcomes,
    )


def _record_transition(
    *, request: ServiceRequest, from_status: str, actor: User, note: str
) -> ServiceRequestTransition:
    transition = ServiceRequestTransition.objects.create(
        request=request, from_status=from_status, to_status=request.status, actor=actor, note=note
    )
    enqueue_on_commit(notify_service_request_transition, transition.pk)
    return transition


@transaction.atomic
def service_request_transition(
    *, request: ServiceRequest, to_status: str, actor: User, reason: str = ""
) -> ServiceRequest:
    """Move a request along its workflow (staff only), recording who, when and why.

    The row is locked first, so two staff members deciding at once cannot both win.
    """
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied("Only PMO staff can review and decide service requests.")
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    allowed = REQUEST_TRANSITIONS.get(RequestStatus(request.status), ())
    target = RequestStatus(to_status)
    if target not in allowed:
        if allowed:
            options = " or ".join(status.label.lower() for status in allowed)
            hint = f"; it can only move to {options}"
        else:
            hint = "; the decision is final"
        raise ConflictError(
            f"This request is {request.get_status_display().lower()} and cannot be "
            f"{_verb(target)}{hint}."
        )
    reason = reason.strip()
    if target == RequestStatus.DECLINED and not reason:
        raise ValidationError({"reason": ["Say why the request is declined; the client sees it."]})
    from_status = request.status
    request.status = target
    if target in (RequestStatus.ACCEPTED, RequestStatus.DECLINED):
        request.decision_reason = reason
    request.save(update_fields=["status", "decision_reason", "updated_at"])
    _record_transition(request=request, from_status=from_status, actor=actor, note=reason)
    return request


def _verb(status: RequestStatus) -> str:
    return {
        RequestStatus.IN_REVIEW: "put in review",
        RequestStatus.ACCEPTED: "accepted",
        RequestStatus.DECLINED: "declined",
        RequestStatus.SUBMITTED: "submitted",
    }[status]


def service_request_review(*, request: ServiceRequest, actor: User) -> ServiceRequest:
    return service_request_transition(
        request=request, to_status=RequestStatus.IN_REVIEW, actor=actor
    )


def service_request_accept(
    *, request: ServiceRequest, actor: User, reason: str = ""
) -> ServiceRequest:
    return service_request_transition(
        request=request, to_status=RequestStatus.ACCEPTED, actor=actor, reason=reason
    )


def service_request_decline(*, request: ServiceRequest, actor: User, reason: str) -> ServiceRequest:
    return service_request_transition(
        request=request, to_status=RequestStatus.DECLINED, actor=actor, reason=reason
    )
