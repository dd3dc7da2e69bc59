"""Write operations of the portfolio: demand workflow, applications, dependencies, objectives.

Interfaces (API, portal, admin, import) call these; they hold the rules so the doors agree.
Workflow violations raise ``ConflictError`` (409); bad input raises Django's
``ValidationError`` with field names (400); refusals raise ``PermissionDenied`` (403).
"""

from collections.abc import Iterable, Sequence
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from pmo_service.exceptions import ConflictError
from stakeholders.models import Organization, Stakeholder, User
from stakeholders.permissions import check_tenant_writer
from stakeholders.services import check_owned_by
from stakeholders.tenancy import user_organization_id, user_sees_everything

from .choices import (
    CLIENT_DEMAND_TARGETS,
    DEMAND_TRANSITIONS,
    DemandStatus,
    TimeClass,
)
from .models import (
    Application,
    ApplicationDependency,
    Demand,
    DemandTransition,
    Objective,
    Technology,
)

# --- Shared rules ---


def _check_writer_for(actor: User, organization_id: int) -> None:
    """``actor`` may change records of this organization: staff anywhere, client writers at
    home. Interfaces already scope what clients reach; this keeps every door honest."""
    check_tenant_writer(actor)
    if not user_sees_everything(actor) and user_organization_id(actor) != organization_id:
        raise PermissionDenied("You can only change your own organization's records.")


def _check_known_fields(fields: dict[str, Any], allowed: Iterable[str], what: str) -> None:
    """Refuse field names a service does not set (a programming error, not user input):
    status, authorship and timestamps change only through their own services."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"{what} cannot set: {', '.join(unknown)}.")


def _assign(instance: models.Model, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)


def _delete(instance: models.Model, in_use: str) -> None:
    try:
        instance.delete()
    except ProtectedError as exc:
        raise ConflictError(in_use) from exc


# --- Demand ---

DEMAND_FIELDS = (
    "title", "description", "demand_type", "requester", "business_value", "urgency",
    "risk_reduction", "effort", "target_date",
)
# Scope and scores are settled at approval: later changes go through a new demand.
EDITABLE_DEMAND_STATUSES = (DemandStatus.SUBMITTED, DemandStatus.ASSESSED)


@transaction.atomic
def demand_submit(
    *,
    actor: User,
    organization: Organization,
    title: str,
    description: str,
    demand_type: str,
    applications: Sequence[Application],
    objectives: Sequence[Objective] = (),
    requester: Stakeholder | None = None,
    business_value: int = 3,
    urgency: int = 3,
    risk_reduction: int = 3,
    effort: int = 3,
    target_date: date | None = None,
) -> Demand:
    """Record a new demand on one or more applications of ``organization``.

    The first transition ("" -> submitted) is stored like every later one, so flow metrics
    see when the demand arrived. Warnings about the targeted applications are read from
    ``Demand.application_warnings()``; they do not block the demand.
    """
    _check_writer_for(actor, organization.pk)
    if not applications:
        raise ValidationError({"applications": "Name at least one application."})
    check_owned_by(organization, "applications", applications)
    check_owned_by(organization, "objectives", objectives)
    check_owned_by(organization, "requester", [requester])
    demand = Demand(
        organization=organization, title=title, description=description,
        demand_type=demand_type, requester=requester, business_value=business_value,
        urgency=urgency, risk_reduction=risk_reduction, effort=effort,
        target_date=target_date, submitted_by=actor,
    )
    demand.full_clean()
    demand.save()
    demand.applications.set(applications)
    demand.objectives.set(objectives)
    DemandTransition.objects.create(
        demand=demand, from_status="", to_status=DemandStatus.SUBMITTED, actor=actor
    )
    return demand


@transaction.atomic
def demand_update(
    *,
    demand: Demand,
    actor: User,
    applications: Sequence[Application] | None = None,
    objectives: Sequence[Objective] | None = None,
    **fields: Any,
) -> Demand:
    """Change what a demand asks for, while it is still being assessed.

    Once approved (or closed) the demand is a commitment: its scope and scores stay as they
    were decided. ``applications`` and ``objectives`` replace the links when given.
    """
    _check_known_fields(fields, DEMAND_FIELDS, "demand_update")
    _check_writer_for(actor, demand.organization_id)
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.status not in EDITABLE_DEMAND_STATUSES:
        raise ConflictError(
            f"This demand is {demand.get_status_display().lower()}: a demand cannot be "
            "changed once approved, rejected or withdrawn."
        )
    organization = demand.organization
    if applications is not None:
        if not applications:
            raise ValidationError({"applications": "Name at least one application."})
        check_owned_by(organization, "applications", applications)
    if objectives is not None:
        check_owned_by(organization, "objectives", objectives)
    if "requester" in fields:
        check_owned_by(organization, "requester", [fields["requester"]])
    _assign(demand, fields)
    demand.full_clean()
    # The row is locked (select_for_update above): no other writer can raise it meanwhile.
    demand.version += 1
    demand.save()
    if applications is not None:
        demand.applications.set(applications)
    if objectives is not None:
        demand.objectives.set(objectives)
    return demand


def demand_allowed_targets(*, demand: Demand, user: User) -> list[str]:
    """The statuses ``user`` may move ``demand`` to now (for buttons and forms)."""
    targets = DEMAND_TRANSITIONS[demand.status]
    if user_sees_everything(user):
        return list(targets)
    return [target for target in targets if target in CLIENT_DEMAND_TARGETS]


@transaction.atomic
def demand_transition(
    *, demand: Demand, actor: User, to_status: str, note: str = ""
) -> Demand:
    """Move ``demand`` to ``to_status`` and store the transition with its time and author.

    PMO staff assess, approve, schedule, start, deliver and reject; client users who may
    write can only withdraw their organization's demands. Rejecting needs a reason.
    Who may ask is settled before the workflow: a client asking to approve is refused (403)
    whatever the demand's status, rather than told which statuses staff could choose.
    """
    _check_writer_for(actor, demand.organization_id)
    if to_status not in DemandStatus.values:
        raise ValidationError({"to_status": f"“{to_status}” is not a demand status."})
    if not user_sees_everything(actor) and to_status not in CLIENT_DEMAND_TARGETS:
        raise PermissionDenied("Only PMO staff assess, approve, schedule and deliver demand.")
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if to_status not in DEMAND_TRANSITIONS[demand.status]:
        allowed = ", ".join(DEMAND_TRANSITIONS[demand.status]) or "none: it is closed"
        raise ConflictError(
            f"A {demand.get_status_display().lower()} demand cannot become "
            f"{DemandStatus(to_status).label.lower()} (allowed: {allowed})."
        )
    note = note.strip()
    if to_status == DemandStatus.REJECTED and not note:
        raise ValidationError({"note": "Say why the demand is rejected."})
    DemandTransition.objects.create(
        demand=demand, from_status=demand.status, to_status=to_status, actor=actor, note=note
    )
    demand.status = to_status
    demand.version += 1  # under the row lock taken above
    demand.save(update_fields=["status", "updated_at", "version"])
    return demand


# --- Applications ---

APPLICATION_FIELDS = (
    "name", "code", "description", "business_owner", "technical_owner", "lifecycle",
    "criticality", "functional_fit", "technical_fit", "annual_run_cost", "user_count",
    "hosting", "vendor", "contract_end",
)
OVERRIDE_FIELDS = ("time_override", "time_override_rationale")
TECHNOLOGY_NAME_MAX_LENGTH = Technology._meta.get_field("name").max_length
MAX_TECHNOLOGIES = 30


def application_technology_names(names: Any) -> list[str]:
    """Clean technology names as people type them: trimmed, duplicates (any case) dropped,
    first spelling kept. Raises ``ValidationError`` on ``technologies`` for anything else
    than a short list of short names."""
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise ValidationError({"technologies": "Give the technologies as a list of names."})
    cleaned: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str):
            raise ValidationError({"technologies": "Each technology is a name (text)."})
        name = " ".join(name.split())
        if not name:
            continue
        if "\x00" in name:
            raise ValidationError({"technologies": "Technology names cannot contain NUL."})
        if len(name) > TECHNOLOGY_NAME_MAX_LENGTH:
            raise ValidationError({
                "technologies": f"“{name[:20]}…” is longer than "
                f"{TECHNOLOGY_NAME_MAX_LENGTH} characters."
            })
        cleaned.setdefault(name.casefold(), name)
    if len(cleaned) > MAX_TECHNOLOGIES:
        raise ValidationError(
            {"technologies": f"Name at most {MAX_TECHNOLOGIES} technologies."}
        )
    return list(cleaned.values())


def technologies_named(names: Sequence[str]) -> list[Technology]:
    """The Technology rows for ``names`` (already cleaned), matched case-insensitively to
    the shared vocabulary; new names join it."""
    if not names:
        return []
    known = Technology.objects.filter(
        reduce(or_, (models.Q(name__iexact=name) for name in names))
    )
    by_key = {technology.name.casefold(): technology for technology in known}
    technologies = []
    for name in names:
        technology = by_key.get(name.casefold())
        if technology is None:
            try:
                # A savepoint: someone else may add the same name at the same moment.
                with transaction.atomic():
                    technology = Technology.objects.create(name=name)
            except IntegrityError:
                technology = Technology.objects.get(name__iexact=name)
            by_key[name.casefold()] = technology
        technologies.append(technology)
    return technologies


def _check_application_owners(organization: Organization, fields: dict[str, Any]) -> None:
    for field in ("business_owner", "technical_owner"):
        if field in fields:
            check_owned_by(organization, field, [fields[field]])


def _override_changes(application: Application, fields: dict[str, Any]) -> dict[str, str]:
    """The override fields of ``fields`` that differ from what ``application`` holds."""
    return {
        name: fields[name] or "" for name in OVERRIDE_FIELDS
        if name in fields and (fields[name] or "") != getattr(application, name)
    }


def _apply_override(
    application: Application, actor: User, fields: dict[str, Any]
) -> Application:
    """Route override fields given to create/update through the staff-only services, so a
    form or an import that carries them follows the same rule. Unchanged values pass."""
    changes = _override_changes(application, fields)
    if not changes:
        return application
    _check_pmo_staff(actor, "override")
    time_class = fields.get("time_override", application.time_override) or ""
    if time_class:
        rationale = fields.get("time_override_rationale", application.time_override_rationale)
        return application_set_time_override(
            application=application, actor=actor, time_class=time_class,
            rationale=rationale or "",
        )
    if application.time_override:
        return application_clear_time_override(application=application, actor=actor)
    raise ValidationError(
        {"time_override_rationale": "A rationale goes with a TIME override; choose one."}
    )


@transaction.atomic
def application_create(
    *,
    actor: User,
    organization: Organization,
    technologies: Sequence[str] = (),
    **fields: Any,
) -> Application:
    """Add an application to ``organization``'s portfolio.

    Owners come from the organization's stakeholder register. ``technologies`` are names,
    matched case-insensitively to the shared vocabulary (new ones are added to it). A TIME
    override among ``fields`` is PMO staff's alone and needs its rationale.
    """
    _check_known_fields(fields, (*APPLICATION_FIELDS, *OVERRIDE_FIELDS), "application_create")
    _check_writer_for(actor, organization.pk)
    override = {name: fields.pop(name) for name in OVERRIDE_FIELDS if name in fields}
    application = Application(organization=organization, **fields)
    if _override_changes(application, override):
        _check_pmo_staff(actor, "override")
    _check_application_owners(organization, fields)
    names = application_technology_names(technologies or ())
    application.full_clean()
    application.save()
    application.technologies.set(technologies_named(names))
    return _apply_override(application, actor, override)


@transaction.atomic
def application_update(
    *,
    application: Application,
    actor: User,
    technologies: Sequence[str] | None = None,
    **fields: Any,
) -> Application:
    """Change an application. ``technologies`` (names) replaces the list when given.

    Fits may be re-assessed by anyone who may write; the computed TIME class follows them.
    Override fields are refused to client users unless they are unchanged.
    """
    _check_known_fields(fields, (*APPLICATION_FIELDS, *OVERRIDE_FIELDS), "application_update")
    _check_writer_for(actor, application.organization_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    override = {name: fields.pop(name) for name in OVERRIDE_FIELDS if name in fields}
    if _override_changes(application, override):
        _check_pmo_staff(actor, "override")
    _check_application_owners(application.organization, fields)
    names = application_technology_names(technologies) if technologies is not None else None
    _assign(application, fields)
    application.full_clean()
    application.save()
    if names is not None:
        application.technologies.set(technologies_named(names))
    return _apply_override(application, actor, override)


def _check_pmo_staff(actor: User, action: str) -> None:
    if not user_sees_everything(actor):
        raise PermissionDenied(f"Only PMO staff {action} the TIME class of an application.")


@transaction.atomic
def application_set_time_override(
    *, application: Application, actor: User, time_class: str, rationale: str
) -> Application:
    """PMO staff replace the computed TIME class, saying why. The computed class stays
    visible beside the final one; who overrode it and when are recorded."""
    _check_pmo_staff(actor, "override")
    if time_class not in TimeClass.values:
        raise ValidationError(
            {"time_override": f"“{time_class}” is not a TIME class."}
        )
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError(
            {"time_override_rationale": "Explain why the computed TIME class is overridden."}
        )
    application = Application.objects.select_for_update().get(pk=application.pk)
    application.time_override = time_class
    application.time_override_rationale = rationale
    application.time_overridden_by = actor
    application.time_overridden_at = timezone.now()
    application.save(update_fields=[
        "time_override", "time_override_rationale", "time_overridden_by",
        "time_overridden_at", "updated_at",
    ])
    return application


@transaction.atomic
def application_clear_time_override(*, application: Application, actor: User) -> Application:
    """PMO staff return an application to its computed TIME class."""
    _check_pmo_staff(actor, "clear the override of")
    application = Application.objects.select_for_update().get(pk=application.pk)
    application.time_override = ""
    application.time_override_rationale = ""
    application.time_overridden_by = None
    application.time_overridden_at = None
    application.save(update_fields=[
        "time_override", "time_override_rationale", "time_overridden_by",
        "time_overridden_at", "updated_at",
    ])
    return application


@transaction.atomic
def application_delete(*, application: Application, actor: User) -> None:
    """Remove an application recorded by mistake. One with dependencies, demand or
    objectives is history: it is retired (lifecycle), not deleted."""
    _check_writer_for(actor, application.organization_id)
    _delete(application, (
        f"{application.code} has dependencies, demands or objectives; set its lifecycle "
        "to retired instead of deleting it."
    ))


# --- Dependencies ---

DEPENDENCY_FIELDS = ("source", "target", "kind", "description")


def _check_dependency_ends(source: Application, target: Application) -> None:
    if target.organization_id != source.organization_id:
        raise ValidationError(
            {"target": "Both applications of a dependency belong to the same organization."}
        )


@transaction.atomic
def dependency_create(
    *,
    actor: User,
    source: Application,
    target: Application,
    kind: str,
    description: str = "",
) -> ApplicationDependency:
    """Record that ``source`` depends on ``target`` (one row per kind of dependency).

    Cycles are accepted (portfolios have them) and reported by the selectors.
    """
    _check_writer_for(actor, source.organization_id)
    _check_dependency_ends(source, target)
    dependency = ApplicationDependency(
        source=source, target=target, kind=kind, description=description
    )
    dependency.full_clean()
    dependency.save()
    return dependency


@transaction.atomic
def dependency_update(
    *, dependency: ApplicationDependency, actor: User, **fields: Any
) -> ApplicationDependency:
    """Change either end, the kind or the description of a dependency, inside its
    organization."""
    _check_known_fields(fields, DEPENDENCY_FIELDS, "dependency_update")
    dependency = (
        ApplicationDependency.objects.select_for_update().select_related("source")
        .get(pk=dependency.pk)
    )
    organization_id = dependency.source.organization_id
    _check_writer_for(actor, organization_id)
    _assign(dependency, fields)
    if dependency.source.organization_id != organization_id:
        raise ValidationError(
            {"source": "A dependency cannot move to another organization's application."}
        )
    _check_dependency_ends(dependency.source, dependency.target)
    dependency.full_clean()
    dependency.save()
    return dependency


@transaction.atomic
def dependency_delete(*, dependency: ApplicationDependency, actor: User) -> None:
    _check_writer_for(actor, dependency.source.organization_id)
    dependency.delete()


# --- Objectives ---

OBJECTIVE_FIELDS = ("title", "description", "period_start", "period_end", "owner", "status")


def _check_objective(organization: Organization, objective: Objective,
                     applications: Sequence[Application] | None, fields: dict) -> None:
    if applications is not None:
        check_owned_by(organization, "applications", applications)
    if "owner" in fields:
        check_owned_by(organization, "owner", [fields["owner"]])
    start, end = objective.period_start, objective.period_end
    if start is not None and end is not None and end < start:
        raise ValidationError({"period_end": "The period cannot end before it starts."})


@transaction.atomic
def objective_create(
    *,
    actor: User,
    organization: Organization,
    applications: Sequence[Application] = (),
    **fields: Any,
) -> Objective:
    """Record a strategic objective of ``organization`` for a period, with the
    applications through which it is met."""
    _check_known_fields(fields, OBJECTIVE_FIELDS, "objective_create")
    _check_writer_for(actor, organization.pk)
    objective = Objective(organization=organization, **fields)
    _check_objective(organization, objective, applications, fields)
    objective.full_clean()
    objective.save()
    objective.applications.set(applications)
    return objective


@transaction.atomic
def objective_update(
    *,
    objective: Objective,
    actor: User,
    applications: Sequence[Application] | None = None,
    **fields: Any,
) -> Objective:
    """Change an objective; ``applications`` replaces the linked applications when given."""
    _check_known_fields(fields, OBJECTIVE_FIELDS, "objective_update")
    _check_writer_for(actor, objective.organization_id)
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    _assign(objective, fields)
    _check_objective(objective.organization, objective, applications, fields)
    objective.full_clean()
    objective.save()
    if applications is not None:
        objective.applications.set(applications)
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective, actor: User) -> None:
    """Remove an objective recorded by mistake; one that demands serve is kept (drop it)."""
    _check_writer_for(actor, objective.organization_id)
    _delete(objective, (
        "Demands serve this objective; set its status to dropped instead of deleting it."
    ))
