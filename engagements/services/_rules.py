"""Rules shared by the engagements services: who may write, and input checks that raise
field-keyed ``ValidationError`` s (400 in the API) before anything reaches the database."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from stakeholders.models import Organization, User
from stakeholders.tenancy import user_sees_everything

from ..choices import EngagementStatus

# Engagements that still take needs, team members and proposals; closing ones wind down.
STAFFABLE_STATUSES = (
    EngagementStatus.PROPOSED, EngagementStatus.STAFFING, EngagementStatus.ACTIVE,
)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def check_staff(actor: User, action: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` is active PMO staff; ``action`` completes
    the message ("Only PMO staff <action>.")."""
    if not user_sees_everything(actor):
        raise PermissionDenied(f"Only PMO staff {action}.")


def check_known_fields(fields: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    """Refuse field names a service does not set (a programming error, not user input):
    status, authorship and timestamps change only through their own services."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"{what} cannot set: {', '.join(unknown)}.")


def assign(instance: models.Model, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)


def check_client_organization(organization: Organization, field: str = "organization") -> None:
    """Engagements and culture belong to clients: never to the provider itself."""
    if organization.is_provider:
        raise ValidationError({field: "Choose a client organization, not the provider."})


def check_date(value: Any, field: str, message: str) -> date:
    """``value`` is a calendar date (a datetime is not: it would not compare with dates)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError({field: message})
    return value


def check_dates_in_order(start: date, end: date, end_field: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError({end_field: "The end cannot come before the start."})


def check_within(
    start: date, end: date, window_start: date, window_end: date, fields: tuple[str, str]
) -> None:
    """[start, end] lies inside the engagement's planned window."""
    errors = {}
    if start < window_start:
        errors[fields[0]] = f"Cannot start before the engagement does ({window_start})."
    if end > window_end:
        errors[fields[1]] = f"Cannot end after the engagement does ({window_end})."
    if errors:
        raise ValidationError(errors)


def check_integer(value: Any, low: int, high: int, field: str, label: str) -> int:
    """``value`` is a whole number in [low, high] (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError({field: f"{label} must be a whole number from {low} to {high}."})
    return value


def check_levels(
    levels: Mapping[Any, Any], field: str, label: str, low: int = 1, high: int = 5
) -> dict[Any, int]:
    """A mapping of taxonomy rows (skills) to levels in [low, high]."""
    if not isinstance(levels, Mapping):
        raise ValidationError({field: "Give a mapping of skill to level."})
    checked = {}
    for key, level in levels.items():
        if isinstance(level, bool) or not isinstance(level, int) or not low <= level <= high:
            raise ValidationError(
                {field: f"{label} of {key} must be a whole number from {low} to {high}."}
            )
        checked[key] = level
    return checked


def check_choices(values: Iterable[str], choices: Sequence[str], field: str) -> list[str]:
    """Each value is one of ``choices``; duplicates are dropped, order kept."""
    if isinstance(values, str):
        raise ValidationError({field: "Give a list of codes, not a single text."})
    checked: list[str] = []
    for value in values:
        if value not in choices:
            raise ValidationError({field: f"“{value}” is not a valid choice."})
        if value not in checked:
            checked.append(value)
    return checked


def profile_points(values: Any, field: str) -> tuple[Decimal, ...]:
    """A culture profile given by a person: four numbers (ints or decimals, at most two
    decimals) that are not negative and share exactly 100 points."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence):
        raise ValidationError({field: "Give four numbers: clan, adhocracy, market, hierarchy."})
    if len(values) != 4:
        raise ValidationError({field: "Give exactly four numbers: clan, adhocracy, market, "
                                      "hierarchy."})
    points = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ValidationError({field: f"“{value}” is not a number."})
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValidationError({field: f"“{value}” is not a number."}) from exc
        if not number.is_finite() or number < 0:
            raise ValidationError({field: "Points cannot be negative."})
        if number > HUNDRED:
            raise ValidationError({field: "No type can have more than 100 points."})
        if number != number.quantize(CENT):
            raise ValidationError({field: "Points have at most two decimals."})
        points.append(number.quantize(CENT))
    if sum(points) != HUNDRED:
        raise ValidationError(
            {field: f"The four culture types must share exactly 100 points, not {sum(points)}."}
        )
    return tuple(points)


def validation_reason(error: ValidationError) -> str:
    """One line summarising a ValidationError (for proposal lines that could not apply)."""
    if hasattr(error, "error_dict"):
        return " ".join(
            message for messages in error.message_dict.values() for message in messages
        )
    return " ".join(error.messages)
