"""The stakeholder and risk formulas, once in Python and once as database expressions.

- Mendelow's power/interest grid: power and interest 1-5; each is "high" from
  ``POWER_HIGH_FROM`` / ``INTEREST_HIGH_FROM`` on. High/high -> manage closely, high power
  only -> keep satisfied, high interest only -> keep informed, neither -> monitor.
- PMBOK engagement assessment: levels Unaware < Resistant < Neutral < Supportive < Leading;
  gap = ord(desired) - ord(current) (positive: engagement must grow).
- Risk score = probability x impact (1-25), rated low / medium / high / critical from the
  ``RISK_*_FROM`` thresholds.

The Python functions serve single rows (serializers, pages); the expressions let lists filter
and order on the same values in SQL. Tests check both agree on every input. Thresholds are read
at call time from ``settings.PMO_THRESHOLDS``, so a change applies to every row at once.
"""

from django.conf import settings
from django.core import checks
from django.db import models
from django.db.models import Case, F, Value, When

from .choices import ENGAGEMENT_ORDER, Quadrant, RiskRating

SCORE_MIN, SCORE_MAX = 1, 5


def threshold(name: str) -> int:
    return settings.PMO_THRESHOLDS[name]


# --- Power/interest ---


def power_interest_quadrant(power: int, interest: int) -> Quadrant:
    """Mendelow quadrant of a stakeholder with these power and interest scores."""
    high_power = power >= threshold("POWER_HIGH_FROM")
    high_interest = interest >= threshold("INTEREST_HIGH_FROM")
    if high_power and high_interest:
        return Quadrant.MANAGE_CLOSELY
    if high_power:
        return Quadrant.KEEP_SATISFIED
    if high_interest:
        return Quadrant.KEEP_INFORMED
    return Quadrant.MONITOR


def quadrant_expression(power: str = "power", interest: str = "interest") -> Case:
    high_power = models.Q(**{f"{power}__gte": threshold("POWER_HIGH_FROM")})
    high_interest = models.Q(**{f"{interest}__gte": threshold("INTEREST_HIGH_FROM")})
    return Case(
        When(high_power & high_interest, then=Value(Quadrant.MANAGE_CLOSELY.value)),
        When(high_power, then=Value(Quadrant.KEEP_SATISFIED.value)),
        When(high_interest, then=Value(Quadrant.KEEP_INFORMED.value)),
        default=Value(Quadrant.MONITOR.value),
        output_field=models.CharField(),
    )


def quadrant_filter(quadrant: str, power: str = "power", interest: str = "interest") -> models.Q:
    """A filter for one quadrant written on the raw scores, so it can use their indexes."""
    high_power = models.Q(**{f"{power}__gte": threshold("POWER_HIGH_FROM")})
    high_interest = models.Q(**{f"{interest}__gte": threshold("INTEREST_HIGH_FROM")})
    return {
        Quadrant.MANAGE_CLOSELY: high_power & high_interest,
        Quadrant.KEEP_SATISFIED: high_power & ~high_interest,
        Quadrant.KEEP_INFORMED: ~high_power & high_interest,
        Quadrant.MONITOR: ~high_power & ~high_interest,
    }[Quadrant(quadrant)]


# --- Engagement ---


def engagement_gap(current: str, desired: str) -> int:
    """ord(desired) - ord(current) on the PMBOK scale: how far engagement must move."""
    return ENGAGEMENT_ORDER[desired] - ENGAGEMENT_ORDER[current]


def engagement_ordinal_expression(field: str) -> Case:
    return Case(
        *[When(**{field: level}, then=Value(order)) for level, order in ENGAGEMENT_ORDER.items()],
        output_field=models.IntegerField(),
    )


def engagement_gap_expression(
    current: str = "current_engagement", desired: str = "desired_engagement"
):
    return engagement_ordinal_expression(desired) - engagement_ordinal_expression(current)


# --- Risk ---


def risk_score(probability: int, impact: int) -> int:
    """Probability x impact, each 1-5: a score from 1 to 25."""
    return probability * impact


def risk_rating(score: int) -> RiskRating:
    """The rating of a risk score under the configured thresholds."""
    if score >= threshold("RISK_CRITICAL_FROM"):
        return RiskRating.CRITICAL
    if score >= threshold("RISK_HIGH_FROM"):
        return RiskRating.HIGH
    if score >= threshold("RISK_MEDIUM_FROM"):
        return RiskRating.MEDIUM
    return RiskRating.LOW


def risk_score_expression():
    return models.ExpressionWrapper(
        F("probability") * F("impact"), output_field=models.IntegerField()
    )


def risk_rating_expression(score: str = "score") -> Case:
    return Case(
        When(**{f"{score}__gte": threshold("RISK_CRITICAL_FROM")},
             then=Value(RiskRating.CRITICAL.value)),
        When(**{f"{score}__gte": threshold("RISK_HIGH_FROM")}, then=Value(RiskRating.HIGH.value)),
        When(**{f"{score}__gte": threshold("RISK_MEDIUM_FROM")},
             then=Value(RiskRating.MEDIUM.value)),
        default=Value(RiskRating.LOW.value),
        output_field=models.CharField(),
    )


def risk_rating_score_range(rating: str) -> tuple[int, int]:
    """Inclusive score bounds of a rating, for filters that can use the raw columns."""
    bounds = [
        (RiskRating.LOW, SCORE_MIN),
        (RiskRating.MEDIUM, threshold("RISK_MEDIUM_FROM")),
        (RiskRating.HIGH, threshold("RISK_HIGH_FROM")),
        (RiskRating.CRITICAL, threshold("RISK_CRITICAL_FROM")),
    ]
    for index, (name, low) in enumerate(bounds):
        if name == rating:
            high = bounds[index + 1][1] - 1 if index + 1 < len(bounds) else SCORE_MAX**2
            return low, high
    raise ValueError(f"Unknown risk rating {rating!r}")


# --- Startup check ---


def check_thresholds(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Thresholds must lie on their scales and rise in order, or every grid would mislead."""
    errors = []
    for name in ("POWER_HIGH_FROM", "INTEREST_HIGH_FROM"):
        value = threshold(name)
        if not SCORE_MIN < value <= SCORE_MAX:
            errors.append(checks.Error(
                f"PMO_THRESHOLDS['{name}'] is {value}; it must be between 2 and 5 so both "
                "halves of the grid exist.", id="stakeholders.E001",
            ))
    ratings = [threshold(name) for name in
               ("RISK_MEDIUM_FROM", "RISK_HIGH_FROM", "RISK_CRITICAL_FROM")]
    if not SCORE_MIN < ratings[0] < ratings[1] < ratings[2] <= SCORE_MAX**2:
        errors.append(checks.Error(
            f"Risk rating thresholds {ratings} must rise strictly between 2 and 25.",
            id="stakeholders.E002",
        ))
    return errors
