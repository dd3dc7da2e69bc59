"""Engagements: creating them (directly or from an accepted service request), changing them,
and moving them along proposed -> staffing -> active -> closing -> closed (or cancelled)."""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from catalog.choices import RequestStatus, Typology
from catalog.models import Service, ServiceRequest
from pmo_service.exceptions import ConflictError
from portfolio.models import Application
from stakeholders.models import Organization, Stakeholder, User

from ..choices import ENGAGEMENT_TRANSITIONS, EngagementStatus, NeedStatus
from ..models import Consultant, Engagement, EngagementTransition
from ._rules import (
    assign,
    check_client_organization,
    check_date,
    check_dates_in_order,
    check_known_fields,
    check_staff,
)

ENGAGEMENT_FIELDS = (
    "title", "description", "planned_start", "planned_end", "budget_at_completion",
    "typology", "sponsor", "product_owner", "scrum_master",
)
FINAL_STATUSES = (EngagementStatus.CLOSED, EngagementStatus.CANCELLED)
DEFAULT_DURATION_WEEKS = 12  # when the service has no typical duration (ongoing services)


def _check_references(organization: Organization, references: dict[str, Any]) -> None:
    """Client-side references come from the engagement's own organization; the Scrum
    Master is an active consultant of the provider. Errors name the field."""
    errors: dict[str, str] = {}
    for field in ("sponsor", "product_owner", "service_request"):
        row = references.get(field)
        if row is not None and row.organization_id != organization.pk:
            errors[field] = f"{row} does not belong to {organization.name}."
    foreign = [
        str(application) for application in references.get("applications") or ()
        if application.organization_id != organization.pk
    ]
    if foreign:
        errors["applications"] = f"Not applications of {organization.name}: {', '.join(foreign)}."
    scrum_master = references.get("scrum_master")
    if scrum_master is not None and not Consultant.objects.filter(
        pk=scrum_master.pk, is_active=True
    ).exists():
        errors["scrum_master"] = f"{scrum_master} is not an active consultant."
    if errors:
        raise ValidationError(errors)


def _check_budget(budget: Any) -> None:
    if isinstance(budget, bool) or not isinstance(budget, int | Decimal) or budget < 0:
        raise ValidationError(
            {"budget_at_completion": "The budget is an amount of euros, zero or more."}
        )


def _locked_request(service_request: ServiceRequest) -> ServiceRequest:
    """The request, locked so that two staff members cannot turn it into two engagements;
    it must be accepted and not yet used (ConflictError otherwise)."""
    service_request = (
        ServiceRequest.objects.select_for_update().select_related("service", "organization")
        .get(pk=service_request.pk)
    )
    if service_request.status != RequestStatus.ACCEPTED:
        raise ConflictError(
            f"This request is {service_request.get_status_display().lower()}; only accepted "
            "requests become engagements."
        )
    used = Engagement.objects.filter(service_request=service_request).first()
    if used is not None:
        raise ConflictError(f"This request already became the engagement “{used}”.")
    return service_request


def _record_transition(engagement: Engagement, from_status: str, actor: User, note: str) -> None:
    EngagementTransition.objects.create(
        engagement=engagement, from_status=from_status, to_status=engagement.status,
        actor=actor, note=note,
    )


@transaction.atomic
def engagement_create(
    *,
    actor: User,
    organization: Organization,
    title: str,
    planned_start: date,
    planned_end: date,
    description: str = "",
    services: Sequence[Service] = (),
    applications: Sequence[Application] = (),
    budget_at_completion: Decimal = Decimal(0),
    typology: str = Typology.SUPPORTIVE,
    sponsor: Stakeholder | None = None,
    product_owner: Stakeholder | None = None,
    scrum_master: Consultant | None = None,
    service_request: ServiceRequest | None = None,
) -> Engagement:
    """Open a new engagement for a client organization, in status proposed.

    Sponsor, Product Owner, applications and the service request come from the client's
    own records; the Scrum Master is an active consultant. The first transition
    ("" -> proposed) is stored like every later one.
    """
    check_staff(actor, "create engagements")
    check_client_organization(organization)
    if not organization.is_active:
        raise ValidationError({"organization": f"{organization.name} is no longer served."})
    check_date(planned_start, "planned_start", "Give the planned start date.")
    check_date(planned_end, "planned_end", "Give the planned end date.")
    check_dates_in_order(planned_start, planned_end, "planned_end")
    _check_budget(budget_at_completion)
    _check_references(organization, {
        "sponsor": sponsor, "product_owner": product_owner, "scrum_master": scrum_master,
        "applications": applications, "service_request": service_request,
    })
    if service_request is not None:
        service_request = _locked_request(service_request)
    engagement = Engagement(
        organization=organization, title=title, description=description,
        planned_start=planned_start, planned_end=planned_end,
        budget_at_completion=budget_at_completion, typology=typology, sponsor=sponsor,
        product_owner=product_owner, scrum_master=scrum_master,
        service_request=service_request, status=EngagementStatus.PROPOSED,
    )
    engagement.full_clean()
    engagement.save()
    engagement.services.set(services)
    engagement.applications.set(applications)
    _record_transition(engagement, "", actor, note="")
    return engagement


@transaction.atomic
def engagement_create_from_request(
    *,
    service_request: ServiceRequest,
    actor: User,
    planned_start: date | None = None,
    planned_end: date | None = None,
    budget_at_completion: Decimal = Decimal(0),
    title: str = "",
) -> Engagement:
    """Turn an accepted service request into an engagement in one action.

    The client, the service and the dates come from the request: the start defaults to
    the desired start, the end to the start plus the service's typical duration (12 weeks
    for ongoing services); the title to "<service> for <client>". A request becomes at most
    one engagement (ConflictError when it is not accepted or already used).
    """
    check_staff(actor, "create engagements")
    service_request = _locked_request(service_request)
    service = service_request.service
    organization = service_request.organization
    start = planned_start or service_request.desired_start
    end = planned_end or start + timedelta(
        weeks=service.typical_duration_weeks or DEFAULT_DURATION_WEEKS
    )
    max_title = Engagement._meta.get_field("title").max_length
    return engagement_create(
        actor=actor, organization=organization,
        title=(title.strip() or f"{service.name} for {organization.name}")[:max_title],
        planned_start=start, planned_end=end, services=[service],
        budget_at_completion=budget_at_completion, typology=service.typology,
        service_request=service_request,
    )


def _check_window_holds_team(engagement: Engagement) -> None:
    """New planned dates must still contain the needs and the assignments."""
    start, end = engagement.planned_start, engagement.planned_end
    outside = models.Q(start_on__lt=start) | models.Q(end_on__gt=end)
    if engagement.assignments.filter(outside).exists() or engagement.staffing_needs.exclude(
        status=NeedStatus.CANCELLED
    ).filter(outside).exists():
        raise ValidationError({
            "planned_start": "Staffing needs or assignments fall outside these dates; "
                             "change them first."
        })


@transaction.atomic
def engagement_update(
    *,
    engagement: Engagement,
    actor: User,
    services: Sequence[Service] | None = None,
    applications: Sequence[Application] | None = None,
    **fields: Any,
) -> Engagement:
    """Change an engagement's description, dates, budget, typology or people.

    Status moves through ``engagement_transition``; the client and the request never
    change. Closed and cancelled engagements are history (ConflictError). The planned
    dates must keep holding the staffing needs and the team.
    """
    check_staff(actor, "change engagements")
    check_known_fields(fields, ENGAGEMENT_FIELDS, "engagement_update")
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.status in FINAL_STATUSES:
        raise ConflictError(
            f"This engagement is {engagement.get_status_display().lower()}: it is history "
            "and no longer changes."
        )
    for field in ("planned_start", "planned_end"):
        if field in fields:
            check_date(fields[field], field, "Give a date.")
    if "budget_at_completion" in fields:
        _check_budget(fields["budget_at_completion"])
    _check_references(engagement.organization, {**fields, "applications": applications})
    assign(engagement, fields)
    check_dates_in_order(engagement.planned_start, engagement.planned_end, "planned_end")
    engagement.full_clean()
    if "planned_start" in fields or "planned_end" in fields:
        _check_window_holds_team(engagement)
    # The row is locked (select_for_update above): no other writer can raise it meanwhile.
    engagement.version += 1
    engagement.save()
    if services is not None:
        engagement.services.set(services)
    if applications is not None:
        engagement.applications.set(applications)
    return engagement


def engagement_allowed_targets(*, engagement: Engagement) -> list[str]:
    """The statuses the workflow lets ``engagement`` move to now (for buttons and forms).

    Moving to active also needs a team; ``engagement_transition`` says so when it is empty.
    """
    return [str(status) for status in ENGAGEMENT_TRANSITIONS[engagement.status]]


@transaction.atomic
def engagement_transition(
    *, engagement: Engagement, actor: User, to_status: str, note: str = ""
) -> Engagement:
    """Move ``engagement`` along its workflow and store the move (actor, note).

    Allowed moves are ``choices.ENGAGEMENT_TRANSITIONS``; closed and cancelled are final.
    Starting (active) needs at least one assignment; cancelling needs a reason, and cancels
    the open staffing needs (nobody will fill them). The outcome is recorded separately,
    while closing or once closed (``outcome_record``).
    """
    check_staff(actor, "move engagements along their workflow")
    if to_status not in EngagementStatus.values:
        raise ValidationError({"to_status": f"“{to_status}” is not an engagement status."})
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    allowed = ENGAGEMENT_TRANSITIONS[engagement.status]
    target = EngagementStatus(to_status)
    if target not in allowed:
        options = " or ".join(EngagementStatus(s).label.lower() for s in allowed)
        raise ConflictError(
            f"A {engagement.get_status_display().lower()} engagement cannot become "
            f"{target.label.lower()}"
            + (f"; it can move to {options}." if options else "; its status is final.")
        )
    note = (note or "").strip()
    if target == EngagementStatus.CANCELLED and not note:
        raise ValidationError({"note": "Say why the engagement is cancelled."})
    if target == EngagementStatus.ACTIVE and not engagement.assignments.exists():
        raise ConflictError(
            "An engagement cannot start without a team: assign at least one consultant first."
        )
    from_status = engagement.status
    engagement.status = target
    engagement.version += 1  # under the row lock taken above
    engagement.save(update_fields=["status", "updated_at", "version"])
    if target == EngagementStatus.CANCELLED:
        # One save per need (not update()) so each change reaches the need's history.
        for need in engagement.staffing_needs.filter(status=NeedStatus.OPEN):
            need.status = NeedStatus.CANCELLED
            need.save(update_fields=["status"])
    _record_transition(engagement, from_status, actor, note)
    return engagement
