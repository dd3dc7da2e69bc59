"""Time entries: hours consultants worked on engagements, logged one at a time, pushed in
batches of up to 1,000, or corrected by PMO staff.

Every entry, new or corrected, passes the same rules (``_parse_row`` then ``_check_rows``):
the consultant was on the team that day with a day rate in force, the deliverable belongs to
the engagement, the engagement is open, and a consultant's day has at most 24 hours. The
cost is stored (hours x day rate in force that day / 8) so later rate changes never rewrite
it. Each write tells the metrics service, which recomputes after commit.

Lock order is the delivery services' own: engagements, then consultants (each by primary
key), then the entry being corrected.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from stakeholders.models import User

from ..models import Assignment, Consultant, DayRate, Deliverable, Engagement, TimeEntry
from ._rules import CENT, check_date, check_known_fields, check_staff
from .delivery import _check_open, _decimal, _locked_open_engagement, _notify

TIME_ENTRY_KEYS = (
    "engagement", "consultant", "worked_on", "hours", "deliverable", "description",
    "external_id",
)
# What a correction may change; the rest is the entry's identity (a new entry, not a fix).
TIME_ENTRY_CORRECTABLE_FIELDS = ("worked_on", "hours", "deliverable", "description")
TIME_ENTRY_IDENTITY_FIELDS = ("engagement", "consultant", "external_id")
MAX_BULK_ENTRIES = 1000
MAX_HOURS_A_DAY = Decimal(24)
HOURS_A_DAY_RATE_COVERS = Decimal(8)  # the hourly rate is the day rate / 8



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


@transaction.atomic
def time_entry_update(*, entry: TimeEntry, actor: User, **fields: Any) -> TimeEntry:
    """Correct a logged entry's hours, day (``worked_on``), deliverable or description.

    Who worked and on which engagement, and the integrator's external id, are the entry's
    identity: correcting them means logging a new entry, so they are refused by name. The
    corrected entry passes ``time_entry_create``'s rules, its own former hours not counting
    toward the consultant's 24-hour day, and its cost is recomputed with the day rate in
    force on the (new) day. The entry's history keeps the former values and who changed them.
    """
    check_staff(actor, "correct time entries")
    identity = [name for name in TIME_ENTRY_IDENTITY_FIELDS if name in fields]
    if identity:
        raise ValidationError({
            name: f"A time entry's {name.replace('_', ' ')} does not change: log a new entry "
                  "instead." for name in identity
        })
    check_known_fields(fields, TIME_ENTRY_CORRECTABLE_FIELDS, "time_entry_update")
    # Engagement and consultant never change, so the caller's copy names the rows to lock
    # (in the module's order) before the entry itself.
    _locked_open_engagement(entry.engagement_id)
    Consultant.objects.select_for_update().filter(pk=entry.consultant_id).first()
    locked = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    # No external id in the row: it is unchanged, and the duplicate check is for new entries.
    row, errors = _parse_row({
        "engagement": locked.engagement_id, "consultant": locked.consultant_id,
        "worked_on": locked.worked_on, "hours": locked.hours,
        "deliverable": locked.deliverable_id, "description": locked.description, **fields,
    })
    if errors:
        raise ValidationError(errors)
    context = _BatchContext([row])
    if row.worked_on == locked.worked_on:
        # The entry is being replaced: its old hours are not part of that day any more.
        context.hours_logged[locked.consultant_id, locked.worked_on] -= locked.hours
    corrected, _ = _check_rows([(0, row)], context, errors)
    if errors:
        raise ValidationError(errors[0])
    corrected = corrected[0]
    for name in ("worked_on", "hours", "deliverable_id", "description", "cost"):
        setattr(locked, name, getattr(corrected, name))
    locked._history_user = actor  # who corrected it, whichever interface called
    locked.save(update_fields=["worked_on", "hours", "deliverable", "description", "cost"])
    _notify([locked.engagement_id])
    return locked
