"""Write operations of the improvement app: process maps and their versions, improvement
actions and their workflow, and the actions suggested by bottleneck detection.

Interfaces (API, pages, admin, tasks) call these. Workflow violations raise
``ConflictError`` (409); bad input raises Django's ``ValidationError`` with field names (400);
refusals raise ``PermissionDenied`` (403). Every write is atomic.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from pmo_service.exceptions import ConflictError
from portfolio.choices import DemandStatus
from stakeholders.models import Organization, User
from stakeholders.permissions import check_tenant_writer
from stakeholders.services import check_owned_by
from stakeholders.tenancy import user_organization_id, user_sees_everything

from .analysis import analyse_process
from .choices import (
    ACTION_TRANSITIONS,
    OPEN_ACTION_STATUSES,
    ActionSource,
    ActionStatus,
)
from .models import ImprovementAction, ImprovementActionTransition, ProcessMap, ProcessStep

PROCESS_MAP_FIELDS = ("name", "description", "owner", "engagement", "service")
STEP_FIELDS = (
    "name", "performer", "process_time_hours", "wait_time_hours", "percent_complete_accurate",
    "capacity_per_week", "demand_per_week", "people", "handoffs", "value_added",
)
ACTION_FIELDS = (
    "engagement", "source", "process_step", "demand_status", "evidence", "title", "problem",
    "proposal", "owner", "business_value", "time_criticality", "risk_reduction", "job_size",
    "pdca_phase", "target_date", "expected_hours_saved_per_month", "expected_kpi",
    "expected_kpi_delta",
)


def _check_writer_for(actor: User, organization_id: int) -> None:
    """``actor`` may change records of this organization: staff anywhere, client writers at
    home."""
    check_tenant_writer(actor)
    if not user_sees_everything(actor) and user_organization_id(actor) != organization_id:
        raise PermissionDenied("You can only change your own organization's records.")


def _check_known_fields(fields: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    """Refuse field names a service does not set (a programming error, not user input)."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"{what} cannot set: {', '.join(unknown)}.")


def _save_valid(instance: Any, **full_clean_options: Any) -> None:
    """Validate (field ranges, DB constraints as messages) and save."""
    instance.full_clean(**full_clean_options)
    instance.save()


# --- Process maps ---


def _check_map_links(process_map: ProcessMap) -> None:
    organization = process_map.organization
    check_owned_by(organization, "owner", [process_map.owner])
    check_owned_by(organization, "engagement", [process_map.engagement])


@transaction.atomic
def process_map_create(
    *, actor: User, organization: Organization, steps: Iterable[Mapping[str, Any]] = (),
    **fields: Any,
) -> ProcessMap:
    """Create version 1 of a process map, with ``steps`` in order (positions 1, 2, ...)."""
    _check_known_fields(fields, PROCESS_MAP_FIELDS, "A process map")
    _check_writer_for(actor, organization.pk)
    process_map = ProcessMap(organization=organization, version=1, **fields)
    _check_map_links(process_map)
    _save_valid(process_map)
    for position, step in enumerate(steps, start=1):
        _check_known_fields(step, STEP_FIELDS, "A process step")
        _save_valid(ProcessStep(process_map=process_map, position=position, **step))
    return process_map


@transaction.atomic
def process_map_update(*, process_map: ProcessMap, actor: User, **fields: Any) -> ProcessMap:
    """Change a map's description, owner or links; its name and version identify it."""
    _check_known_fields(fields, set(PROCESS_MAP_FIELDS) - {"name"}, "A process map update")
    _check_writer_for(actor, process_map.organization_id)
    for name, value in fields.items():
        setattr(process_map, name, value)
    _check_map_links(process_map)
    _save_valid(process_map)
    return process_map


@transaction.atomic
def process_map_new_version(*, process_map: ProcessMap, actor: User) -> ProcessMap:
    """Start a redesign: a copy of the map and its steps, one version up, replacing it.

    Only the latest version can be redesigned, so versions form a single line that the
    before/after comparison can follow.
    """
    _check_writer_for(actor, process_map.organization_id)
    current = ProcessMap.objects.select_for_update().get(pk=process_map.pk)
    latest = (
        ProcessMap.objects.filter(organization_id=current.organization_id,
                                  name__iexact=current.name)
        .aggregate(latest=Max("version"))["latest"]
    )
    if latest != current.version:
        raise ConflictError(
            f"{current} is not the latest version (v{latest} is): redesign that one."
        )
    steps = list(current.steps.order_by("position"))
    successor = ProcessMap(
        organization_id=current.organization_id, name=current.name,
        description=current.description, owner_id=current.owner_id,
        engagement_id=current.engagement_id, service_id=current.service_id,
        version=current.version + 1, replaces=current,
    )
    _save_valid(successor)
    ProcessStep.objects.bulk_create(
        ProcessStep(process_map=successor, **{
            "position": step.position,
            **{name: getattr(step, name) for name in STEP_FIELDS},
        })
        for step in steps
    )
    return successor


@transaction.atomic
def process_step_add(*, process_map: ProcessMap, actor: User, **fields: Any) -> ProcessStep:
    """Append a step after the last one of the map."""
    _check_known_fields(fields, STEP_FIELDS, "A process step")
    _check_writer_for(actor, process_map.organization_id)
    ProcessMap.objects.select_for_update().get(pk=process_map.pk)
    last = process_map.steps.aggregate(last=Max("position"))["last"] or 0
    step = ProcessStep(process_map=process_map, position=last + 1, **fields)
    _save_valid(step)
    return step


@transaction.atomic
def process_step_update(*, step: ProcessStep, actor: User, **fields: Any) -> ProcessStep:
    """Change what is recorded of a step (its position stays)."""
    _check_known_fields(fields, STEP_FIELDS, "A process step")
    _check_writer_for(actor, step.process_map.organization_id)
    for name, value in fields.items():
        setattr(step, name, value)
    _save_valid(step)
    return step


# --- Improvement actions ---


def _check_action_links(action: ImprovementAction) -> None:
    organization = action.organization
    check_owned_by(organization, "engagement", [action.engagement])
    step = action.process_step
    if step is not None and step.process_map.organization_id != organization.pk:
        raise ValidationError({"process_step": f"Not of {organization.name}: {step}."})
    owner = action.owner
    if owner is not None and not user_sees_everything(owner) and (
        user_organization_id(owner) != organization.pk
    ):
        raise ValidationError({"owner": f"{owner} is not PMO staff or of {organization.name}."})


@transaction.atomic
def improvement_action_create(
    *, actor: User, organization: Organization, **fields: Any
) -> ImprovementAction:
    """Propose an improvement action (status proposed, PDCA plan unless given)."""
    _check_known_fields(fields, ACTION_FIELDS, "An improvement action")
    _check_writer_for(actor, organization.pk)
    action = ImprovementAction(organization=organization, **fields)
    _check_action_links(action)
    _save_valid(action)
    return action


def _transition_checks(
    action: ImprovementAction, to_status: str, note: str,
    measured_hours_saved_per_month: Decimal | None, measured_kpi_delta: Decimal | None,
) -> None:
    if to_status not in ACTION_TRANSITIONS[action.status]:
        allowed = ", ".join(ACTION_TRANSITIONS[action.status]) or "none: it is closed"
        raise ConflictError(
            f"A {action.get_status_display().lower()} action cannot become "
            f"{ActionStatus(to_status).label.lower()} (allowed: {allowed})."
        )
    if to_status == ActionStatus.DISCARDED and not note:
        raise ValidationError({"note": "Say why the action is discarded."})
    if to_status == ActionStatus.VERIFIED and (
        measured_hours_saved_per_month is None and measured_kpi_delta is None
    ):
        raise ValidationError({"measured_hours_saved_per_month": (
            "Verifying an action needs its measured benefit: hours saved per month or the "
            "KPI delta."
        )})
    if to_status != ActionStatus.VERIFIED and (
        measured_hours_saved_per_month is not None or measured_kpi_delta is not None
    ):
        raise ValidationError({"measured_hours_saved_per_month": (
            "The measured benefit is recorded when the action is verified."
        )})


@transaction.atomic
def improvement_action_transition(
    *, action: ImprovementAction, to_status: str, actor: User, note: str = "",
    measured_hours_saved_per_month: Decimal | None = None,
    measured_kpi_delta: Decimal | None = None,
) -> ImprovementAction:
    """Move ``action`` to ``to_status`` and store the transition with its time and author.

    Discarding needs a reason (the note); verifying needs the measured benefit, stored on
    the action with the verification time. The workflow is the PMO's, as the demand
    workflow is: only staff move actions (clients propose and follow).
    """
    _check_writer_for(actor, action.organization_id)
    if not user_sees_everything(actor):
        raise PermissionDenied(
            "Only PMO staff approve, start, finish, verify and discard improvement actions."
        )
    if to_status not in ActionStatus.values:
        raise ValidationError({"to_status": f"“{to_status}” is not an action status."})
    action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    note = note.strip()
    _transition_checks(action, to_status, note, measured_hours_saved_per_month,
                       measured_kpi_delta)
    if measured_kpi_delta is not None and action.expected_kpi_id is None:
        raise ValidationError({"measured_kpi_delta": "The action names no KPI to measure."})
    if measured_hours_saved_per_month is not None and measured_hours_saved_per_month < 0:
        raise ValidationError({"measured_hours_saved_per_month": "Hours saved cannot be "
                               "negative."})
    ImprovementActionTransition.objects.create(
        action=action, from_status=action.status, to_status=to_status, actor=actor, note=note
    )
    action.status = to_status
    if to_status == ActionStatus.DISCARDED:
        action.discard_reason = note
    if to_status == ActionStatus.VERIFIED:
        action.verified_at = timezone.now()
        action.measured_hours_saved_per_month = measured_hours_saved_per_month
        action.measured_kpi_delta = measured_kpi_delta
    action.save()
    return action


# --- Suggestions from bottleneck detection ---


def _open_suggestion(organization_id: int, **bottleneck: Any) -> ImprovementAction | None:
    return ImprovementAction.objects.filter(
        organization_id=organization_id, suggested=True, status__in=OPEN_ACTION_STATUSES,
        **bottleneck,
    ).first()


def _create_suggestion(**fields: Any) -> ImprovementAction:
    """Insert a suggestion; if a concurrent run inserted the same one first, return that."""
    bottleneck = ({"process_step": fields["process_step"]} if fields.get("process_step")
                  else {"demand_status": fields["demand_status"]})
    try:
        with transaction.atomic():
            return ImprovementAction.objects.create(suggested=True, **fields)
    except IntegrityError:
        existing = _open_suggestion(fields["organization"].pk, **bottleneck)
        if existing is None:
            raise
        return existing


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def suggest_actions_for_process_map(*, process_map: ProcessMap) -> list[ImprovementAction]:
    """The suggested action for the map's constraint step: the open one if it exists, else a
    new proposal pre-filled with the evidence. Empty when the map has no constraint.
    Running it again changes nothing; nothing it creates is approved."""
    steps = list(process_map.steps.order_by("position"))
    result = analyse_process(steps)
    if result.constraint_position is None:
        return []
    step = next(s for s in steps if s.position == result.constraint_position)
    existing = _open_suggestion(process_map.organization_id, process_step=step)
    if existing is not None:
        return [existing]
    load = result.constraint
    evidence = {
        "process_map": process_map.pk,
        "version": process_map.version,
        "position": step.position,
        "utilization": _text(load.utilization.value),
        "utilization_reason": load.utilization.reason,
        "capacity_per_week": str(step.capacity_per_week),
        "demand_per_week": str(step.demand_per_week),
        "tied_positions": list(result.tied_positions),
        "throughput_per_week": _text(result.throughput_per_week.value),
        "explanation": result.constraint_explanation,
    }
    load_text = (f"utilization {load.utilization.value}" if load.utilization.value is not None
                 else load.utilization.reason.lower().rstrip("."))
    problem = (
        f"Step {step.position} ({step.name}) of {process_map} is the constraint: "
        f"{load_text}, demand {step.demand_per_week} per week against a capacity of "
        f"{step.capacity_per_week}. {result.constraint_explanation} "
        f"{result.throughput_explanation}"
    )
    return [_create_suggestion(
        organization=process_map.organization, engagement=process_map.engagement,
        source=ActionSource.PROCESS_STEP, process_step=step, evidence=evidence,
        title=f"Relieve the bottleneck at “{step.name}” ({process_map})"[:200],
        problem=problem,
    )]


@transaction.atomic
def suggest_action_for_demand_status(
    *, organization: Organization, status: str, evidence: Mapping[str, Any],
) -> ImprovementAction:
    """The suggested action for the demand status where the flow waits longest: the open one
    if it exists, else a new proposal with ``evidence`` (JSON-ready figures from the flow
    analysis). Idempotent; never approved."""
    if not status:
        raise ValidationError({"demand_status": "Name the bottleneck status."})
    existing = _open_suggestion(organization.pk, demand_status=status)
    if existing is not None:
        return existing
    label = DemandStatus(status).label if status in DemandStatus.values else status
    summary = evidence.get("explanation") or ", ".join(
        f"{key} {value}" for key, value in evidence.items()
    )
    return _create_suggestion(
        organization=organization, source=ActionSource.DEMAND_FLOW, demand_status=status,
        evidence=dict(evidence),
        title=f"Relieve the demand flow bottleneck at “{label}”",
        problem=f"Demand waits longest in the “{label}” status. {summary}".strip(),
    )


# --- Interfaces' writes: step lists, updates and deletes (API) ---

ACTION_UPDATE_FIELDS = tuple(
    name for name in ACTION_FIELDS
    if name not in ("source", "process_step", "demand_status", "evidence")
)


@transaction.atomic
def process_map_replace_steps(
    *, process_map: ProcessMap, actor: User, steps: Iterable[Mapping[str, Any]]
) -> ProcessMap:
    """Make ``steps`` (in order, positions 1, 2, ...) the map's steps, all or nothing.

    The step at a position that exists already is updated in place, so improvement actions
    naming it keep pointing at it; steps past the new end are deleted (409 if an action
    names one). A version that a newer one replaces is the "before" of a comparison and is
    not redrawn (409).
    """
    _check_writer_for(actor, process_map.organization_id)
    current = ProcessMap.objects.select_for_update().get(pk=process_map.pk)
    if ProcessMap.objects.filter(replaces=current).exists():
        raise ConflictError(
            f"{current} has been redesigned by a newer version: its steps are kept as they "
            "were so the versions can be compared."
        )
    steps = list(steps)
    existing = {step.position: step for step in current.steps.order_by("position")}
    # Deleted first: the extra positions must be free of actions (PROTECT -> 409).
    ProcessStep.objects.filter(process_map=current, position__gt=len(steps)).delete()
    for position, fields in enumerate(steps, start=1):
        _check_known_fields(fields, STEP_FIELDS, "A process step")
        step = existing.get(position) or ProcessStep(process_map=current, position=position)
        for name in STEP_FIELDS:
            default = ProcessStep._meta.get_field(name).get_default()
            setattr(step, name, fields.get(name, default))
        _save_valid(step)
    return current


@transaction.atomic
def process_map_delete(*, process_map: ProcessMap, actor: User) -> None:
    """Delete a map version with its steps. A version a newer one replaces, or whose steps
    an improvement action names, is history: the PROTECT references make that a 409."""
    _check_writer_for(actor, process_map.organization_id)
    process_map.delete()


@transaction.atomic
def improvement_action_update(
    *, action: ImprovementAction, actor: User, **fields: Any
) -> ImprovementAction:
    """Change what an open action says (title, proposal, scores, dates, expected benefit...).

    Where it came from (source, step, status, evidence) stays as detected; its status moves
    only through :func:`improvement_action_transition`; a verified or discarded action is
    closed (409).
    """
    _check_known_fields(fields, ACTION_UPDATE_FIELDS, "An improvement action update")
    _check_writer_for(actor, action.organization_id)
    action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    if action.status not in OPEN_ACTION_STATUSES:
        raise ConflictError(
            f"A {action.get_status_display().lower()} action is closed and cannot change."
        )
    for name, value in fields.items():
        setattr(action, name, value)
    _check_action_links(action)
    _save_valid(action)
    return action


@transaction.atomic
def improvement_action_delete(*, action: ImprovementAction, actor: User) -> None:
    """Delete an action nobody has moved yet; one with status history is kept (409)."""
    _check_writer_for(actor, action.organization_id)
    if action.transitions.exists():
        raise ConflictError("This action has a status history: discard it instead.")
    action.delete()


# --- The portal's workflow buttons ---


def improvement_action_allowed_targets(*, action: ImprovementAction, user: User) -> list[str]:
    """The statuses ``user`` may move ``action`` to now (for the portal's buttons).

    The action workflow is the PMO's, as the demand workflow is: staff approve, start,
    finish, verify and discard; clients propose and follow, so they get none.
    """
    if not user_sees_everything(user):
        return []
    return list(ACTION_TRANSITIONS[action.status])
