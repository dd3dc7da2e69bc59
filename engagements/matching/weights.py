"""The weights of the matching factors: those in force (the singleton row or the documented
defaults) and the validation of weights a caller gives."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError

from ..models import MatchingWeights
from ..models.matching import DEFAULT_WEIGHTS
from .constants import FACTORS


def weights_in_force() -> dict[str, int]:
    """The weights staff set (the singleton row), or the documented defaults; never writes."""
    row = MatchingWeights.objects.filter(pk=1).first()
    return row.as_dict() if row is not None else dict(DEFAULT_WEIGHTS)


def validate_weights(weights: Mapping[str, int]) -> dict[str, int]:
    """Check weights given by a caller and complete the missing factors from those in force.

    Raises ``ValidationError``: unknown factor names, values that are not whole numbers from
    0 to 100, or every weight at zero (the score would be undefined).
    """
    errors: dict[str, str] = {}
    for name in sorted(set(weights) - set(FACTORS), key=str):
        errors[str(name)] = f"Unknown factor; the factors are {', '.join(FACTORS)}."
    for name in FACTORS:
        if name not in weights:
            continue
        value = weights[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            errors[name] = "A weight is a whole number from 0 to 100."
    if errors:
        raise ValidationError(errors)
    complete = {**weights_in_force(), **weights} if set(weights) != set(FACTORS) else dict(weights)
    complete = {name: complete[name] for name in FACTORS}
    if not any(complete.values()):
        raise ValidationError("At least one weight must be above zero.")
    return complete


def resolve_weights(weights: Mapping[str, int] | None) -> dict[str, int]:
    return weights_in_force() if weights is None else validate_weights(weights)
