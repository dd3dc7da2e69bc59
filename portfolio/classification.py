"""Portfolio formulas, in Python and as database expressions that agree with them.

- Gartner TIME (LeanIX convention), fits on 1-4, each "high" from ``FUNCTIONAL_FIT_HIGH_FROM``
  / ``TECHNICAL_FIT_HIGH_FROM`` on (default 3): functional high & technical high -> Invest,
  functional low & technical high -> Tolerate, functional high & technical low -> Migrate,
  both low -> Eliminate. Unassessed applications (either fit missing) have no class. A staff
  override, with its rationale, gives the final class; the computed one is kept beside it.
- Demand priority, WSJF (SAFe): cost of delay = business value + urgency (time criticality)
  + risk reduction; priority = cost of delay / estimated effort (job size), all on the
  modified Fibonacci scale; rounded to two decimals. Highest goes first.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import checks
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf, Round

from .choices import TimeClass

FIT_MIN, FIT_MAX = 1, 4


def threshold(name: str) -> int:
    return settings.PMO_THRESHOLDS[name]


def time_class(functional_fit: int | None, technical_fit: int | None) -> TimeClass | None:
    """The TIME class the fits give, or None while either fit is unassessed."""
    if functional_fit is None or technical_fit is None:
        return None
    functional_high = functional_fit >= threshold("FUNCTIONAL_FIT_HIGH_FROM")
    technical_high = technical_fit >= threshold("TECHNICAL_FIT_HIGH_FROM")
    if functional_high and technical_high:
        return TimeClass.INVEST
    if technical_high:
        return TimeClass.TOLERATE
    if functional_high:
        return TimeClass.MIGRATE
    return TimeClass.ELIMINATE


def time_class_filter(time: str, prefix: str = "") -> models.Q:
    """Applications whose *computed* class is ``time``, on the raw fit columns."""
    functional_high = models.Q(**{f"{prefix}functional_fit__gte":
                                  threshold("FUNCTIONAL_FIT_HIGH_FROM")})
    technical_high = models.Q(**{f"{prefix}technical_fit__gte":
                                 threshold("TECHNICAL_FIT_HIGH_FROM")})
    assessed = models.Q(**{f"{prefix}functional_fit__isnull": False,
                           f"{prefix}technical_fit__isnull": False})
    return assessed & {
        TimeClass.INVEST: functional_high & technical_high,
        TimeClass.TOLERATE: ~functional_high & technical_high,
        TimeClass.MIGRATE: functional_high & ~technical_high,
        TimeClass.ELIMINATE: ~functional_high & ~technical_high,
    }[TimeClass(time)]


def time_class_expression() -> Case:
    return Case(
        *[When(time_class_filter(value), then=Value(value)) for value in TimeClass.values],
        default=Value(None),
        output_field=models.CharField(),
    )


def final_time_class_expression(computed: str = "time_computed_value"):
    """The override when staff set one, otherwise the computed class."""
    return Coalesce(NullIf(F("time_override"), Value("")), F(computed),
                    output_field=models.CharField())


def final_time_class(override: str, computed: TimeClass | None) -> TimeClass | None:
    return TimeClass(override) if override else computed


def demand_priority(
    business_value: int, urgency: int, risk_reduction: int, effort: int
) -> float:
    """WSJF: (business value + urgency + risk reduction) / effort, two decimals.

    Ties round half up (29/8 = 3.625 -> 3.63), as SQL's ROUND does, so the value a page shows
    is the one lists filter and order on; Python's round() would go to the even digit.
    """
    cost_of_delay = Decimal(business_value + urgency + risk_reduction)
    return float((cost_of_delay / Decimal(effort)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def demand_priority_expression():
    cost_of_delay = F("business_value") + F("urgency") + F("risk_reduction")
    return Round(
        Cast(cost_of_delay, models.FloatField()) / Cast(F("effort"), models.FloatField()),
        precision=2, output_field=models.FloatField(),
    )


def check_thresholds(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for name in ("FUNCTIONAL_FIT_HIGH_FROM", "TECHNICAL_FIT_HIGH_FROM"):
        value = threshold(name)
        if not FIT_MIN < value <= FIT_MAX:
            errors.append(checks.Error(
                f"PMO_THRESHOLDS['{name}'] is {value}; it must be 2, 3 or 4 so both halves "
                "of the TIME chart exist.", id="portfolio.E001",
            ))
    return errors
