"""Agile delivery of an engagement: iterations, deliverables and their acceptance, time
entries (one or a pushed batch), expenses and KPI measurements.

These are the inputs of the engagement metrics: every write here tells the metrics service
(``mark_inputs_changed``), which recomputes after commit. Closed and cancelled engagements
are history and take no delivery changes (ConflictError).

Lock order, everywhere: engagements (by primary key), then consultants (by primary key),
then the delivery row being changed. The engagement lock serialises numbering and external
ids per engagement; the consultant lock serialises the "at most 24 hours a day" rule.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.models import Indicator, Service
from pmo_service.exceptions import ConflictError
from stakeholders.models import Stakeholder, User

from ..choices import DeliverableKind, DeliverableStatus, ExpenseCategory, IterationStatus
from ..metrics import compute as metrics_compute
from ..models import (
    Assignment,
    Consultant,
    DayRate,
    Deliverable,
    Engagement,
    Expense,
    Iteration,
    KpiMeasurement,
    TimeEntry,
)
from ._rules import (
    CENT,
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
TIME_ENTRY_KEYS = (
    "engagement", "consultant", "worked_on", "hours", "deliverable", "description",
    "external_id",
)
MAX_BULK_ENTRIES = 1000
MAX_HOURS_A_DAY = Decimal(24)
HOURS_A_DAY_RATE_COVERS = Decimal(8)  # the hourly rate is the day rate / 8
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


# --- Time entries --------------------------------------------------------------------------------


@dataclass
class BulkResult:
    """What a pushed batch of time entries did: the entries created, and how many were
    skipped because the same entry (engagement and external id, same content) was already
    recorded."""

    created: list[TimeEntry] = field(default_factory=list)
    duplicates: int = 0


class TimeEntryRowsError(ValidationError):
    """The rows of a batch that failed, as one ``ValidationError``.

    ``row_errors`` is ``{index: {field: [messages]}}`` (index into the batch, from 0); the
    Django ``message_dict`` is the same keyed by index with "field: message" lines, so any
    interface that only knows ``ValidationError`` still shows every problem.
    """

    def __init__(self, row_errors: dict[int, dict[str, list[str]]]):
        self.row_errors = row_errors
        super().__init__({
            index: [f"{name}: {message}" for name, messages in fields.items()
                    for message in messages]
            for index, fields in row_errors.items()
        })


@dataclass
class _Row:
    """One entry of a batch once its shape is checked (ids, not yet looked up)."""

    engagement_id: int
    consultant_id: int
    deliverable_id: int | None
    worked_on: date
    hours: Decimal
    description: str
    external_id: str

    def same_content(self, entry: Mapping[str, Any]) -> bool:
        return (entry["consultant_id"], entry["deliverable_id"], entry["worked_on"],
                entry["hours"], entry["description"]) == (
            self.consultant_id, self.deliverable_id, self.worked_on, self.hours,
            self.description)


def _id_of(value: Any, model) -> int:
    if isinstance(value, model):
        return value.pk
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ValueError


def _parse_row(entry: Any) -> tuple[_Row | None, dict[str, list[str]]]:
    """Check one entry's shape and types; returns the row or its errors by field."""
    if not isinstance(entry, Mapping):
        return None, {"__all__": ["Each entry is a mapping of field to value."]}
    errors: dict[str, list[str]] = {}
    for unknown in sorted(set(entry) - set(TIME_ENTRY_KEYS)):
        errors[str(unknown)] = ["Unknown field."]
    values: dict[str, Any] = {}
    for name, model, required in (("engagement", Engagement, True),
                                  ("consultant", Consultant, True),
                                  ("deliverable", Deliverable, False)):
        value = entry.get(name)
        if value is None:
            if required:
                errors[name] = ["This field is required."]
            values[name] = None
            continue
        try:
            values[name] = _id_of(value, model)
        except ValueError:
            errors[name] = [f"Give a {name} or its id."]
    worked_on = entry.get("worked_on")
    try:
        values["worked_on"] = check_date(worked_on, "worked_on", "Give the day worked.")
    except ValidationError as error:
        errors["worked_on"] = error.messages
    try:
        if entry.get("hours") is None:
            raise ValidationError({"hours": "Give the hours worked."})
        hours = _decimal(entry["hours"], "hours", "Hours", 4, 2)
        if not Decimal(0) < hours <= MAX_HOURS_A_DAY:
            raise ValidationError({"hours": "Hours must be more than 0 and at most 24."})
        values["hours"] = hours
    except ValidationError as error:
        errors["hours"] = error.messages
    for name, limit in (("description", 300), ("external_id", 100)):
        text = entry.get(name) or ""
        if not isinstance(text, str):
            errors[name] = ["Give a text."]
        elif len(text.strip()) > limit:
            errors[name] = [f"At most {limit} characters."]
        values[name] = text.strip() if isinstance(text, str) else ""
    if errors:
        return None, errors
    return _Row(
        engagement_id=values["engagement"], consultant_id=values["consultant"],
        deliverable_id=values["deliverable"], worked_on=values["worked_on"],
        hours=values["hours"], description=values["description"],
        external_id=values["external_id"],
    ), {}


class _BatchContext:
    """Everything the rows of a batch need from the database, read in a constant number of
    queries whatever the batch size: the engagements and consultants (locked, pk order),
    deliverables, assignments, day rates, hours already logged on the days concerned and
    the entries already recorded under the batch's external ids."""

    def __init__(self, rows: Sequence[_Row]):
        engagement_ids = sorted({row.engagement_id for row in rows})
        consultant_ids = sorted({row.consultant_id for row in rows})
        days = sorted({row.worked_on for row in rows})
        first_day, last_day = days[0], days[-1]
        self.engagements = {
            e.pk: e for e in Engagement.objects.select_for_update().filter(
                pk__in=engagement_ids).order_by("pk")
        }
        self.consultants = {
            c.pk: c for c in Consultant.objects.select_for_update().filter(
                pk__in=consultant_ids).order_by("pk")
        }
        self.deliverable_engagement = dict(
            Deliverable.objects.filter(
                pk__in={row.deliverable_id for row in rows if row.deliverable_id}
            ).values_list("pk", "engagement_id")
        )
        self.assignments = defaultdict(list)
        for engagement_id, consultant_id, start, end in Assignment.objects.filter(
            engagement_id__in=engagement_ids, consultant_id__in=consultant_ids,
        ).overlapping(first_day, last_day).values_list(
            "engagement_id", "consultant_id", "start_on", "end_on"
        ):
            self.assignments[engagement_id, consultant_id].append((start, end))
        self.rates = defaultdict(list)  # consultant -> [(valid_from, amount)], ascending
        for consultant_id, valid_from, amount in DayRate.objects.filter(
            consultant_id__in=consultant_ids, valid_from__lte=last_day
        ).order_by("consultant_id", "valid_from").values_list(
            "consultant_id", "valid_from", "amount"
        ):
            self.rates[consultant_id].append((valid_from, amount))
        self.hours_logged: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
        for item in TimeEntry.objects.filter(
            consultant_id__in=consultant_ids, worked_on__in=days
        ).values("consultant_id", "worked_on").annotate(total=Sum("hours")):
            self.hours_logged[item["consultant_id"], item["worked_on"]] = item["total"]
        self.recorded = {
            (item["engagement_id"], item["external_id"]): item
            for item in TimeEntry.objects.filter(
                engagement_id__in=engagement_ids,
                external_id__in={row.external_id for row in rows if row.external_id},
            ).values("id", "engagement_id", "external_id", "consultant_id", "deliverable_id",
                     "worked_on", "hours", "description")
        }

    def rate_on(self, consultant_id: int, day: date) -> Decimal | None:
        in_force = None
        for valid_from, amount in self.rates[consultant_id]:
            if valid_from > day:
                break
            in_force = amount
        return in_force

    def on_team(self, row: _Row) -> bool:
        return any(start <= row.worked_on <= end
                   for start, end in self.assignments[row.engagement_id, row.consultant_id])


def _check_rows(rows: Sequence[_Row], context: _BatchContext, errors: dict) -> tuple[
    list[TimeEntry], list[int]
]:
    """Apply the rules to every parsed row; returns the entries to create and the ids of
    entries already recorded (duplicates), filling ``errors`` by row index."""
    to_create: list[TimeEntry] = []
    duplicate_ids: list[int] = []
    seen_in_batch: dict[tuple[int, str], _Row] = {}
    for index, row in rows:
        row_errors: dict[str, list[str]] = {}
        engagement = context.engagements.get(row.engagement_id)
        consultant = context.consultants.get(row.consultant_id)
        if engagement is None:
            row_errors["engagement"] = ["No such engagement."]
        else:
            _check_open(engagement)
        if consultant is None:
            row_errors["consultant"] = ["No such consultant."]
        key = (row.engagement_id, row.external_id)
        if row.external_id:
            recorded = context.recorded.get(key)
            earlier = seen_in_batch.get(key)
            if recorded is not None or earlier is not None:
                same = (row.same_content(recorded) if recorded is not None
                        else earlier.same_content(vars(row)))
                if same:
                    # Repeated inside the batch: nothing recorded yet to point at (0).
                    duplicate_ids.append(recorded["id"] if recorded is not None else 0)
                    continue
                row_errors["external_id"] = [
                    "An entry with this external id is already recorded with different "
                    "content."
                ]
        if row.deliverable_id is not None:
            owner = context.deliverable_engagement.get(row.deliverable_id)
            if owner is None:
                row_errors["deliverable"] = ["No such deliverable."]
            elif owner != row.engagement_id:
                row_errors["deliverable"] = ["This deliverable belongs to another engagement."]
        if engagement is not None and consultant is not None:
            rate = context.rate_on(row.consultant_id, row.worked_on)
            if not context.on_team(row):
                row_errors.setdefault("consultant", []).append(
                    f"{consultant.full_name} was not on this engagement's team on "
                    f"{row.worked_on}."
                )
            elif rate is None:
                row_errors.setdefault("consultant", []).append(
                    f"{consultant.full_name} has no day rate in force on {row.worked_on}."
                )
        day_key = (row.consultant_id, row.worked_on)
        if not row_errors:
            total = context.hours_logged[day_key] + row.hours
            if total > MAX_HOURS_A_DAY:
                row_errors["hours"] = [
                    f"That makes {total} hours on {row.worked_on} for this consultant; a day "
                    "has at most 24."
                ]
        if row_errors:
            errors[index] = row_errors
            continue
        context.hours_logged[day_key] += row.hours
        if row.external_id:
            seen_in_batch[key] = row
        cost = (row.hours * rate / HOURS_A_DAY_RATE_COVERS).quantize(CENT, ROUND_HALF_UP)
        to_create.append(TimeEntry(
            engagement_id=row.engagement_id, consultant_id=row.consultant_id,
            deliverable_id=row.deliverable_id, worked_on=row.worked_on, hours=row.hours,
            cost=cost, description=row.description, external_id=row.external_id,
        ))
    return to_create, duplicate_ids


def _record_time_entries(entries: Sequence[Any]) -> tuple[list[TimeEntry], list[int]]:
    """Check and create a batch (all or nothing); the caller holds the transaction. Raises
    ``TimeEntryRowsError`` listing every failing row."""
    errors: dict[int, dict[str, list[str]]] = {}
    rows: list[tuple[int, _Row]] = []
    for index, entry in enumerate(entries):
        row, row_errors = _parse_row(entry)
        if row_errors:
            errors[index] = row_errors
        else:
            rows.append((index, row))
    if not rows:
        if errors:
            raise TimeEntryRowsError(errors)
        return [], []
    context = _BatchContext([row for _, row in rows])
    to_create, duplicate_ids = _check_rows(rows, context, errors)
    if errors:
        raise TimeEntryRowsError(dict(sorted(errors.items())))
    created = TimeEntry.objects.bulk_create(to_create)
    if created:
        _notify(entry.engagement_id for entry in created)
    return created, duplicate_ids


@transaction.atomic
def time_entry_create(
    *,
    actor: User,
    engagement: Engagement,
    consultant: Consultant,
    worked_on: date,
    hours: Decimal,
    deliverable: Deliverable | None = None,
    description: str = "",
    external_id: str = "",
) -> TimeEntry:
    """Log hours a consultant worked on an engagement on a day.

    The consultant was on the team that day (an assignment covers it) and had a day rate in
    force; the cost stored is hours x day rate / 8, to the cent, so later rate changes never
    rewrite it. Hours are more than 0 and at most 24, and a consultant's hours on a day, over
    all engagements, never exceed 24. Sending an entry again with the same ``external_id``
    and content returns the one recorded (idempotent); different content is refused.
    """
    check_staff(actor, "log time")
    entry = {
        "engagement": engagement, "consultant": consultant, "worked_on": worked_on,
        "hours": hours, "deliverable": deliverable, "description": description,
        "external_id": external_id,
    }
    try:
        created, duplicate_ids = _record_time_entries([entry])
    except TimeEntryRowsError as error:
        raise ValidationError(error.row_errors[0]) from None
    if duplicate_ids:
        return TimeEntry.objects.get(pk=duplicate_ids[0])
    return created[0]


@transaction.atomic
def time_entries_bulk(*, actor: User, entries: Sequence[Mapping[str, Any]]) -> BulkResult:
    """Record a pushed batch of up to 1,000 time entries, all or nothing.

    Each entry is a mapping with ``engagement`` and ``consultant`` (instances or ids),
    ``worked_on``, ``hours`` and optional ``deliverable``, ``description`` and
    ``external_id``; the rules are ``time_entry_create``'s. Any bad row fails the whole
    batch with one ``TimeEntryRowsError`` (a ``ValidationError``) whose ``row_errors`` are
    ``{index: {field: [messages]}}``. An entry already recorded under the same engagement and
    external id with the same content is skipped and counted as a duplicate, so an
    integrator can push the same batch twice. Lookups take a constant number of queries
    whatever the batch size, and the rows are inserted with one ``bulk_create``.
    """
    check_staff(actor, "log time")
    if isinstance(entries, str | bytes | Mapping) or not isinstance(entries, Sequence):
        raise ValidationError({"entries": "Give a list of time entries."})
    if len(entries) > MAX_BULK_ENTRIES:
        raise ValidationError({"entries": (
            f"At most {MAX_BULK_ENTRIES:,} entries per batch; this one has {len(entries):,}."
        )})
    created, duplicate_ids = _record_time_entries(entries)
    return BulkResult(created=created, duplicates=len(duplicate_ids))
