"""Read operations of the improvement app: scoped lists and benefits realized."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from .choices import ActionStatus
from .models import ImprovementAction, ProcessMap


def process_map_list(*, user: Any) -> QuerySet[ProcessMap]:
    """The process maps ``user`` may see, with what a list shows, latest version first."""
    return (
        ProcessMap.objects.for_user(user)
        .select_related("organization", "owner", "engagement", "service")
        .annotate(step_count=Count("steps"))
        .order_by("organization__name", "name", "-version", "id")
    )


def improvement_action_list(*, user: Any) -> QuerySet[ImprovementAction]:
    """The improvement actions ``user`` may see, highest WSJF first (ordered in SQL)."""
    return (
        ImprovementAction.objects.for_user(user)
        .select_related("organization", "engagement", "owner", "process_step", "expected_kpi")
        .with_wsjf()
        .order_by("-wsjf_value", "-cost_of_delay_value", "target_date", "id")
    )


def benefits_realized(
    *, organization_id: int, start: date, end: date
) -> list[dict[str, Any]]:
    """Hours saved per month by the organization's verified actions, by month of
    verification, for verifications from ``start`` to ``end`` (both days included).

    Each row: ``{"month": date (first day), "hours_saved_per_month": Decimal,
    "actions": int}``; months without a verified action are absent. One query.
    """
    rows = (
        ImprovementAction.objects.filter(
            organization_id=organization_id, status=ActionStatus.VERIFIED,
            verified_at__date__gte=start, verified_at__date__lte=end,
        )
        .annotate(month=TruncMonth("verified_at"))
        .values("month")
        .annotate(hours=Sum("measured_hours_saved_per_month"), actions=Count("id"))
        .order_by("month")
    )
    return [
        {
            "month": row["month"].date() if hasattr(row["month"], "date") else row["month"],
            "hours_saved_per_month": Decimal(row["hours"] or 0).quantize(Decimal("0.01")),
            "actions": row["actions"],
        }
        for row in rows
    ]
