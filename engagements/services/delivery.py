"""Agile delivery of an engagement: iterations, deliverables and their acceptance, expenses
and KPI measurements (time entries, the other delivery input, are in ``time_entries``).

These are the inputs of the engagement metrics: every write here tells the metrics service
(``mark_inputs_changed``), which recomputes after commit. Closed and cancelled engagements
are history and take no delivery changes (ConflictError).

Lock order, everywhere: engagements (by primary key), then consultants (by primary key),
then the delivery row being changed. The engagement lock serialises numbering and external
ids per engagement; the consultant lock serialises the "at most 24 hours a day" rule.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.models import Indicator, Service
from pmo_service.exceptions import ConflictError
from stakeholders.models import Stakeholder, User

from ..choices import DeliverableKind, DeliverableStatus, ExpenseCategory, IterationStatus
from ..metrics import compute as metrics_compute
from ..models import Deliverable, Engagement, Expense, Iteration, KpiMeasurement
from ._rules import (
    assign,
    check_date,
    check_dates_in_order,
    check_integer,
    check_known_fields,
    check_staff,
    check_within,
)
from .engagement import FINAL_STATUSES

ITERATION_FIELDS = ("number", "start_on", "end_on", "goal", "status", "review_notes")
DELIVERABLE_FIELDS = (
    "iteration", "title", "kind", "service", "story_points", "budget", "planned_start",
    "planned_finish", "percent_complete", "status",
)
EXPENSE_FIELDS = ("spent_on", "amount", "category", "description")
MAX_SMALL_INTEGER = 32767


def _notify(engagement_ids) -> None:
    """Tell the metrics service its inputs changed (it recomputes after commit)."""
    metrics_compute.mark_inputs_changed(sorted(set(engagement_ids)))


def _check_open(engagement: Engagement) -> None:
    if engagement.status in FINAL_STATUSES:
        raise ConflictError(
            f"“{engagement}” is {engagement.get_status_display().lower()}: it takes no "
            "more delivery changes."
        )


def _locked_open_engagement(engagement: Engagement | int) -> Engagement:
    pk = engagement.pk if isinstance(engagement, Engagement) else engagement
    locked = Engagement.objects.select_for_update().get(pk=pk)
    _check_open(locked)
    return locked


def _decimal(value: Any, field: str, label: str, max_digits: int, places: int) -> Decimal:
    """``value`` (a Decimal, int or numeric text; not a float or a boolean) as a Decimal
    with at most ``places`` decimals that fits ``max_digits``."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValidationError({field: f"{label} must be a number."})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationError({field: f"{label} must be a number."}) from exc
    if not number.is_finite():
        raise ValidationError({field: f"{label} must be a number."})
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step):
        raise ValidationError({field: f"{label} has at most {places} decimals."})
    if abs(number) >= Decimal(10) ** (max_digits - places):
        raise ValidationError({field: f"{label} is too large."})
    return number.quantize(step)


def _check_choice(value: Any, choices, field: str, label: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: f"“{value}” is not a valid {label}."})


# --- Iterations ----------------------------------------------------------------------------------


def _check_iteration(engagement: Engagement, iteration: Iteration, fields: Mapping) -> None:
    if "number" in fields:
        check_integer(fields["number"], 1, MAX_SMALL_INTEGER, "number", "The number")
    for name in ("start_on", "end_on"):
        if name in fields:
            check_date(fields[name], name, "Give a date.")
    if "status" in fields:
        _check_choice(fields["status"], IterationStatus, "status", "iteration status")
    check_dates_in_order(iteration.start_on, iteration.end_on, "end_on")
    check_within(iteration.start_on, iteration.end_on, engagement.planned_start,
                 engagement.planned_end, ("start_on", "end_on"))
    taken = Iteration.objects.filter(engagement=engagement, number=iteration.number)
    if iteration.pk is not None:
        taken = taken.exclude(pk=iteration.pk)
    if taken.exists():
        raise ValidationError(
            {"number": f"This engagement already has an iteration {iteration.number}."}
        )


@transaction.atomic
def iteration_create(
    *,
    actor: User,
    engagement: Engagement,
    number: int,
    start_on: date,
    end_on: date,
    goal: str = "",
    status: str = IterationStatus.PLANNED,
    review_notes: str = "",
) -> Iteration:
    """Plan an iteration (sprint) of an engagement: its number is unique in the engagement
    and its dates lie inside the engagement's planned dates."""
    check_staff(actor, "plan iterations")
    engagement = _locked_open_engagement(engagement)
    fields = {"number": number, "start_on": start_on, "end_on": end_on, "goal": goal,
              "status": status, "review_notes": review_notes}
    iteration = Iteration(engagement=engagement, **fields)
    _check_iteration(engagement, iteration, fields)
    iteration.full_clean()
    iteration.save()
    _notify([engagement.pk])
    return iteration


@transaction.atomic
def iteration_update(*, iteration: Iteration, actor: User, **fields: Any) -> Iteration:
    """Change an iteration's number, dates, goal, status or review notes, with the same
    checks as planning it."""
    check_staff(actor, "plan iterations")
    check_known_fields(fields, ITERATION_FIELDS, "iteration_update")
    engagement = _locked_open_engagement(iteration.engagement_id)
    iteration = Iteration.objects.select_for_update().get(pk=iteration.pk)
    assign(iteration, fields)
    _check_iteration(engagement, iteration, fields)
    iteration.full_clean()
    iteration.save()
    _notify([engagement.pk])
    return iteration


# --- Deliverables --------------------------------------------------------------------------------


def _check_deliverable(engagement: Engagement, deliverable: Deliverable, fields: Mapping) -> None:
    """The rules of a deliverable: dates in order, its iteration and service belong to the
    engagement, a done deliverable is complete; acceptance has its own service."""
    for name in ("planned_start", "planned_finish"):
        if name in fields:
            check_date(fields[name], name, "Give a date.")
    check_dates_in_order(deliverable.planned_start, deliverable.planned_finish,
                         "planned_finish")
    if "title" in fields and not (isinstance(fields["title"], str) and fields["title"].strip()):
        raise ValidationError({"title": "Give the deliverable a title."})
    if "kind" in fields:
        _check_choice(fields["kind"], DeliverableKind, "kind", "deliverable kind")
    if "status" in fields:
        _check_choice(fields["status"], DeliverableStatus, "status", "deliverable status")
        if fields["status"] == DeliverableStatus.ACCEPTED:
            raise ValidationError(
                {"status": "Only the client Product Owner accepts a deliverable: use the "
                           "acceptance."}
            )
    if "story_points" in fields:
        check_integer(fields["story_points"], 0, MAX_SMALL_INTEGER, "story_points",
                      "Story points")
    if "budget" in fields:
        deliverable.budget = _decimal(fields["budget"], "budget", "The budget", 12, 2)
        if deliverable.budget < 0:
            raise ValidationError({"budget": "The budget cannot be negative."})
    if "percent_complete" in fields:
        check_integer(fields["percent_complete"], 0, 100, "percent_complete",
                      "Percent complete")
    if deliverable.status == DeliverableStatus.DONE and deliverable.percent_complete != 100:
        field_name = "percent_complete" if "percent_complete" in fields else "status"
        raise ValidationError({field_name: "A done deliverable is 100% complete."})
    iteration = deliverable.iteration
    if iteration is not None and iteration.engagement_id != engagement.pk:
        raise ValidationError({"iteration": "This iteration belongs to another engagement."})
    if deliverable.kind == DeliverableKind.SERVICE_LAUNCH:
        service = deliverable.service
        if service is None:
            raise ValidationError({"service": "A service launch names the catalog service."})
        if not engagement.services.filter(pk=service.pk).exists():
            raise ValidationError(
                {"service": f"“{service}” is not one of the services this engagement "
                            "delivers."}
            )
    elif deliverable.service_id is not None:
        raise ValidationError({"service": "Only a service launch names a catalog service."})


@transaction.atomic
def deliverable_create(
    *,
    actor: User,
    engagement: Engagement,
    title: str,
    planned_start: date,
    planned_finish: date,
    kind: str = DeliverableKind.DOCUMENT,
    service: Service | None = None,
    iteration: Iteration | None = None,
    story_points: int = 0,
    budget: Decimal = Decimal("0"),
    percent_complete: int | None = None,
    status: str = DeliverableStatus.TODO,
) -> Deliverable:
    """Add a backlog item to an engagement.

    ``budget`` is its planned value (EUR), spread between its planned start and finish. A
    service launch names one of the engagement's services; other kinds name none. Percent
    complete defaults to 100 for a done item and 0 otherwise. Acceptance is
    ``deliverable_accept``.
    """
    check_staff(actor, "manage deliverables")
    engagement = _locked_open_engagement(engagement)
    if percent_complete is None:
        percent_complete = 100 if status == DeliverableStatus.DONE else 0
    fields = {
        "title": title, "planned_start": planned_start, "planned_finish": planned_finish,
        "kind": kind, "service": service, "iteration": iteration, "story_points": story_points,
        "budget": budget, "percent_complete": percent_complete, "status": status,
    }
    deliverable = Deliverable(engagement=engagement)
    assign(deliverable, {k: v for k, v in fields.items() if k != "budget"})
    _check_deliverable(engagement, deliverable, fields)
    deliverable.full_clean()
    deliverable.save()
    _notify([engagement.pk])
    return deliverable


@transaction.atomic
def deliverable_update(*, deliverable: Deliverable, actor: User, **fields: Any) -> Deliverable:
    """Change a deliverable (progress, status, plan). Marking it done without giving the
    percent completes it; accepted deliverables are final (ConflictError)."""
    check_staff(actor, "manage deliverables")
    check_known_fields(fields, DELIVERABLE_FIELDS, "deliverable_update")
    engagement = _locked_open_engagement(deliverable.engagement_id)
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    if deliverable.status == DeliverableStatus.ACCEPTED:
        raise ConflictError(f"“{deliverable}” is accepted: it no longer changes.")
    if fields.get("status") == DeliverableStatus.DONE and "percent_complete" not in fields:
        fields = {**fields, "percent_complete": 100}
    assign(deliverable, {k: v for k, v in fields.items() if k != "budget"})
    _check_deliverable(engagement, deliverable, fields)
    deliverable.full_clean()
    deliverable.save()
    _notify([engagement.pk])
    return deliverable


@transaction.atomic
def deliverable_accept(
    *, deliverable: Deliverable, actor: User, accepted_by: Stakeholder
) -> Deliverable:
    """Record the client's acceptance of a done deliverable: who accepted it and when.

    The acceptor is the engagement's client Product Owner; when the engagement names none,
    an active stakeholder of the client organization may accept. Anyone else is refused.
    """
    check_staff(actor, "record acceptances")
    engagement = _locked_open_engagement(deliverable.engagement_id)
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    if deliverable.status == DeliverableStatus.ACCEPTED:
        raise ConflictError(f"“{deliverable}” is already accepted.")
    if deliverable.status != DeliverableStatus.DONE:
        raise ConflictError(
            f"“{deliverable}” is {deliverable.get_status_display().lower()}: only a done "
            "deliverable can be accepted."
        )
    if not isinstance(accepted_by, Stakeholder):
        raise ValidationError({"accepted_by": "Name the stakeholder who accepts it."})
    if engagement.product_owner_id is not None:
        if accepted_by.pk != engagement.product_owner_id:
            raise ValidationError({"accepted_by": (
                f"Only the engagement's Product Owner, {engagement.product_owner.full_name}, "
                "accepts its deliverables."
            )})
    elif accepted_by.organization_id != engagement.organization_id or not accepted_by.is_active:
        raise ValidationError({"accepted_by": (
            "The acceptor must be an active stakeholder of the client organization (the "
            "engagement names no Product Owner)."
        )})
    deliverable.status = DeliverableStatus.ACCEPTED
    deliverable.percent_complete = 100
    deliverable.accepted_by = accepted_by
    deliverable.accepted_at = timezone.now()
    deliverable.save(update_fields=[
        "status", "percent_complete", "accepted_by", "accepted_at", "updated_at",
    ])
    _notify([engagement.pk])
    return deliverable


# --- Expenses and KPI measurements ---------------------------------------------------------------


def _check_expense(fields: Mapping[str, Any], expense: Expense) -> None:
    if "spent_on" in fields:
        check_date(fields["spent_on"], "spent_on", "Give a date.")
    if "amount" in fields:
        expense.amount = _decimal(fields["amount"], "amount", "The amount", 10, 2)
        if expense.amount <= 0:
            raise ValidationError({"amount": "An expense must be more than zero."})
    if "category" in fields:
        _check_choice(fields["category"], ExpenseCategory, "category", "expense category")


@transaction.atomic
def expense_create(
    *,
    actor: User,
    engagement: Engagement,
    spent_on: date,
    amount: Decimal,
    category: str,
    description: str = "",
) -> Expense:
    """Record a cost other than time (EUR); it counts toward the engagement's actual cost."""
    check_staff(actor, "record expenses")
    engagement = _locked_open_engagement(engagement)
    fields = {"spent_on": spent_on, "amount": amount, "category": category,
              "description": description}
    expense = Expense(engagement=engagement, spent_on=spent_on, category=category,
                      description=description)
    _check_expense(fields, expense)
    expense.full_clean()
    expense.save()
    _notify([engagement.pk])
    return expense


@transaction.atomic
def expense_update(*, expense: Expense, actor: User, **fields: Any) -> Expense:
    """Correct an expense's date, amount, category or description."""
    check_staff(actor, "record expenses")
    check_known_fields(fields, EXPENSE_FIELDS, "expense_update")
    engagement = _locked_open_engagement(expense.engagement_id)
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    assign(expense, {k: v for k, v in fields.items() if k != "amount"})
    _check_expense(fields, expense)
    expense.full_clean()
    expense.save()
    _notify([engagement.pk])
    return expense


@transaction.atomic
def kpi_measurement_record(
    *,
    actor: User,
    engagement: Engagement,
    indicator: Indicator,
    period_start: date,
    period_end: date,
    value: Decimal,
    note: str = "",
) -> KpiMeasurement:
    """Record the value of one of the engagement's service indicators for a period.

    One value per indicator and period start: recording it again replaces the value, end,
    note and recorder (so a pushed measurement can be re-sent or corrected).
    """
    check_staff(actor, "record KPI measurements")
    engagement = _locked_open_engagement(engagement)
    if not isinstance(indicator, Indicator):
        raise ValidationError({"indicator": "Choose an indicator."})
    if not engagement.services.filter(pk=indicator.service_id).exists():
        raise ValidationError({"indicator": (
            f"“{indicator}” measures a service this engagement does not deliver."
        )})
    check_date(period_start, "period_start", "Give a date.")
    check_date(period_end, "period_end", "Give a date.")
    check_dates_in_order(period_start, period_end, "period_end")
    value = _decimal(value, "value", "The value", 14, 4)
    measurement = KpiMeasurement.objects.select_for_update().filter(
        engagement=engagement, indicator=indicator, period_start=period_start
    ).first() or KpiMeasurement(
        engagement=engagement, indicator=indicator, period_start=period_start
    )
    assign(measurement, {"period_end": period_end, "value": value, "note": note,
                         "recorded_by": actor})
    measurement.full_clean()
    measurement.save()
    _notify([engagement.pk])
    return measurement

