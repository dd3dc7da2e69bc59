"""Pieces shared by the engagements models: bounded scores and culture profiles."""

from django.db import models
from django.db.models.lookups import Exact

from ..choices import CULTURE_TYPES


def range_check(field: str, low: int, high: int, prefix: str) -> models.CheckConstraint:
    """A database check that ``field`` lies in [low, high] (null passes when allowed)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | models.Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"{prefix}_{field}_{low}_to_{high}",
        violation_error_message=(
            f"{field.replace('_', ' ').capitalize()} must be from {low} to {high}."
        ),
    )


def profile_fields(prefix: str) -> list[str]:
    """Names of the four culture-type fields of a profile, e.g. ``style_clan``."""
    return [f"{prefix}_{kind}" for kind in CULTURE_TYPES]


def profile_sums_to_100(prefix: str, name: str) -> models.CheckConstraint:
    """The four culture-type points of a profile are not negative and add up to 100."""
    fields = profile_fields(prefix)
    total = models.F(fields[0])
    for field in fields[1:]:
        total = total + models.F(field)
    not_negative = models.Q(**{f"{field}__gte": 0 for field in fields})
    return models.CheckConstraint(
        condition=not_negative & models.Q(Exact(total, 100)),
        name=name,
        violation_error_message="The four culture types must share exactly 100 points.",
    )
