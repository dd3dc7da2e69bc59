"""Reading an engagement's inputs, computing its metrics with the formulas, and storing them.

One pipeline serves one engagement and all of them: inputs are read for a *batch* of
engagement ids with a constant number of aggregate queries (grouped by engagement or by
client organization, with conditional aggregation), the pure formulas run per engagement in
Python, and the results are written with two bulk upserts. ``recompute_engagement`` is simply a
batch of one, so a single recompute and the nightly full run cannot drift apart.

Planned value needs each deliverable's budget spread linearly over its planned days; the
deliverables already finished by the status date count in full (summed in SQL) and those not
started count nothing, so only the deliverables *in progress on the status date* are read as
rows and handed to ``formulas.planned_value``.

Stored shape: ``EngagementMetrics.figures`` (and each snapshot's) holds every figure by name,
``{"cpi": {"value": "0.8929", "reason": ""}, ...}`` (value a decimal string, or null with the
reason), plus two more keys: ``kpis`` (the latest value of each indicator with its status) and
``reasons`` (why the overall health is what it is).

Staleness: every input change calls :func:`mark_inputs_changed`, which bumps
``inputs_changed_at`` and enqueues one recompute after commit. ``as_of`` is the moment the
recompute *started reading*, so a change that lands while it runs leaves the metrics stale and
is picked up again (by its own task or by :func:`sweep_stale`).
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, DecimalField, F, IntegerField, Q, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from pmo_service.celery import BROKER_ERRORS, enqueue_on_commit
from stakeholders import classification
from stakeholders.choices import ACTIVE_RISK_STATUSES, Quadrant, RiskKind
from stakeholders.models import CommunicationPlan, Risk, Stakeholder

from ..choices import (
    OPEN_ENGAGEMENT_STATUSES,
    DeliverableKind,
    DeliverableStatus,
    IterationStatus,
)
from ..models import (
    Deliverable,
    Engagement,
    EngagementMetrics,
    Expense,
    Iteration,
    KpiMeasurement,
    MetricsSnapshot,
    TimeEntry,
)
from . import formulas
from .formulas import DeliverableInput, Figure

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
# A burst of input changes to one engagement within this many seconds enqueues one recompute.
COALESCE_SECONDS = 60
# The main figures that are also columns (dashboards filter and sort on them in SQL).
MAIN_COLUMNS = ("pv", "ev", "ac", "cpi", "spi")
LAUNCH_DONE_STATUSES = (DeliverableStatus.DONE, DeliverableStatus.ACCEPTED)


def pending_key(engagement_id: int) -> str:
    """The cache key that marks a recompute of this engagement as already enqueued."""
    return f"metrics:pending:{engagement_id}"


@dataclass
class _Inputs:
    """Everything the formulas need about one engagement at the status date."""

    bac: Decimal = ZERO
    organization_id: int | None = None
    pv_finished: Decimal = ZERO
    in_progress: list[DeliverableInput] = field(default_factory=list)
    ev_cents: Decimal = ZERO  # sum of budget x percent complete (divide by 100 for EV)
    ac: Decimal = ZERO
    iterations_planned: int = 0
    iterations_completed: int = 0
    points_planned: int = 0
    points_accepted: int = 0
    accepted_last: list[int] = field(default_factory=list)
    committed_last: list[int] = field(default_factory=list)
    deliverables_total: int = 0
    deliverables_accepted: int = 0
    launches_planned: int = 0
    launches_done: int = 0
    kpis: list[dict[str, Any]] = field(default_factory=list)
    key_stakeholders: int = 0
    key_at_or_above_desired: int = 0
    communications_overdue: int = 0
    open_scores: list[int] = field(default_factory=list)


def _money_sum(expression, **extra) -> Coalesce:
    money = DecimalField(max_digits=20, decimal_places=2)
    return Coalesce(Sum(expression, output_field=money, **extra), Value(ZERO), output_field=money)


def _int_sum(expression, **extra) -> Coalesce:
    return Coalesce(Sum(expression, **extra), Value(0), output_field=IntegerField())


def _gather(engagement_ids: Sequence[int], status_date: date) -> dict[int, _Inputs]:
    """Read the inputs of these engagements: a fixed number of queries whatever their count."""
    inputs: dict[int, _Inputs] = {}
    for pk, bac, organization_id in Engagement.objects.filter(pk__in=engagement_ids).values_list(
        "pk", "budget_at_completion", "organization_id"
    ):
        inputs[pk] = _Inputs(bac=bac, organization_id=organization_id)
    ids = list(inputs)
    if not ids:
        return inputs

    accepted = Q(status=DeliverableStatus.ACCEPTED)
    launch = Q(kind=DeliverableKind.SERVICE_LAUNCH)
    rows = (
        Deliverable.objects.filter(engagement_id__in=ids)
        .values("engagement_id")
        .annotate(
            total=Count("pk"),
            accepted=Count("pk", filter=accepted),
            launches=Count("pk", filter=launch),
            launches_done=Count("pk", filter=launch & Q(status__in=LAUNCH_DONE_STATUSES)),
            points=_int_sum("story_points"),
            points_accepted=_int_sum("story_points", filter=accepted),
            ev_cents=_money_sum(F("budget") * F("percent_complete")),
            pv_finished=_money_sum("budget", filter=Q(planned_finish__lte=status_date)),
        )
        .order_by()
    )
    for row in rows:
        item = inputs[row["engagement_id"]]
        item.deliverables_total = row["total"]
        item.deliverables_accepted = row["accepted"]
        item.launches_planned = row["launches"]
        item.launches_done = row["launches_done"]
        item.points_planned = row["points"]
        item.points_accepted = row["points_accepted"]
        item.ev_cents = row["ev_cents"]
        # Deliverables planned to finish by the status date count in full as planned value.
        item.pv_finished = row["pv_finished"]
    for values in Deliverable.objects.filter(
        engagement_id__in=ids, planned_start__lte=status_date, planned_finish__gt=status_date
    ).order_by().values_list(
        "engagement_id", "budget", "planned_start", "planned_finish", "percent_complete",
        "story_points", "status", "kind", "iteration_id",
    ):
        inputs[values[0]].in_progress.append(DeliverableInput(*values[1:]))

    for model, date_field, amount_field in (
        (TimeEntry, "worked_on", "cost"), (Expense, "spent_on", "amount"),
    ):
        for engagement_id, amount in (
            model.objects.filter(engagement_id__in=ids, **{f"{date_field}__lte": status_date})
            .values("engagement_id")
            .annotate(amount=_money_sum(amount_field))
            .order_by()
            .values_list("engagement_id", "amount")
        ):
            inputs[engagement_id].ac += amount

    for engagement_id, planned, finished in (
        Iteration.objects.filter(engagement_id__in=ids)
        .values("engagement_id")
        .annotate(
            planned=Count("pk"), finished=Count("pk", filter=Q(status=IterationStatus.FINISHED))
        )
        .order_by()
        .values_list("engagement_id", "planned", "finished")
    ):
        inputs[engagement_id].iterations_planned = planned
        inputs[engagement_id].iterations_completed = finished

    last_finished = (
        Iteration.objects.filter(engagement_id__in=ids, status=IterationStatus.FINISHED)
        .annotate(
            committed=_int_sum("deliverables__story_points"),
            accepted=_int_sum(
                "deliverables__story_points",
                filter=Q(deliverables__status=DeliverableStatus.ACCEPTED),
            ),
            recency=Window(
                RowNumber(), partition_by=[F("engagement_id")], order_by=F("number").desc()
            ),
        )
        .filter(recency__lte=formulas.VELOCITY_WINDOW)
        .order_by("engagement_id", "number")
        .values_list("engagement_id", "committed", "accepted")
    )
    for engagement_id, committed, accepted_points in last_finished:
        inputs[engagement_id].committed_last.append(committed)
        inputs[engagement_id].accepted_last.append(accepted_points)

    latest_kpis = (
        KpiMeasurement.objects.filter(engagement_id__in=ids, period_start__lte=status_date)
        .annotate(
            recency=Window(
                RowNumber(), partition_by=[F("engagement_id"), F("indicator_id")],
                order_by=[F("period_end").desc(), F("period_start").desc(), F("pk").desc()],
            )
        )
        .filter(recency=1)
        .order_by("engagement_id", "indicator__service_id", "indicator__position",
                  "indicator__name", "indicator_id")
        .values(
            "engagement_id", "indicator_id", "indicator__name", "indicator__unit",
            "indicator__direction", "indicator__target", "indicator__green_threshold",
            "indicator__red_threshold", "value", "period_start", "period_end",
        )
    )
    for row in latest_kpis:
        inputs[row["engagement_id"]].kpis.append(row)

    by_organization: dict[int, list[_Inputs]] = defaultdict(list)
    for item in inputs.values():
        by_organization[item.organization_id].append(item)
    organizations = list(by_organization)
    for organization_id, key, at_or_above in (
        Stakeholder.objects.active()
        .filter(organization_id__in=organizations)
        .filter(classification.quadrant_filter(Quadrant.MANAGE_CLOSELY))
        .annotate(gap=classification.engagement_gap_expression())
        .values("organization_id")
        .annotate(key=Count("pk"), at_or_above=Count("pk", filter=Q(gap__lte=0)))
        .order_by()
        .values_list("organization_id", "key", "at_or_above")
    ):
        for item in by_organization[organization_id]:
            item.key_stakeholders, item.key_at_or_above_desired = key, at_or_above
    for organization_id, overdue in (
        CommunicationPlan.objects.overdue(status_date)
        .filter(organization_id__in=organizations)
        .values("organization_id")
        .annotate(overdue=Count("pk"))
        .order_by()
        .values_list("organization_id", "overdue")
    ):
        for item in by_organization[organization_id]:
            item.communications_overdue = overdue
    # Exposure is to threats: an opportunity's high score is good news, not a red risk.
    for organization_id, score, count in (
        Risk.objects.filter(organization_id__in=organizations, status__in=ACTIVE_RISK_STATUSES,
                            kind=RiskKind.THREAT)
        .annotate(score=classification.risk_score_expression())
        .values("organization_id", "score")
        .annotate(count=Count("pk"))
        .order_by("organization_id", "-score")
        .values_list("organization_id", "score", "count")
    ):
        for item in by_organization[organization_id]:
            item.open_scores.extend([score] * count)
    return inputs


def _figure_json(figure: Figure) -> dict[str, str | None]:
    return {"value": None if figure.value is None else str(figure.value), "reason": figure.reason}


def _is_red_risk(score: int) -> bool:
    """Red on the traffic light: rated high or critical under the configured thresholds."""
    return score >= classification.threshold("RISK_HIGH_FROM")


def _figures(item: _Inputs, status_date: date) -> dict[str, Any]:
    """Run the formulas over one engagement's inputs; a JSON-ready result."""
    pv = item.pv_finished + formulas.planned_value(item.in_progress, status_date)
    ev = item.ev_cents / 100
    figures: dict[str, Figure] = {}
    figures.update(formulas.evm_figures(bac=item.bac, pv=pv, ev=ev, ac=item.ac))
    figures.update(formulas.agile_evm_figures(
        bac=item.bac, iterations_planned=item.iterations_planned,
        iterations_completed=item.iterations_completed, points_planned=item.points_planned,
        points_accepted=item.points_accepted, ac=item.ac,
    ))
    figures.update(formulas.delivery_figures(
        accepted_points_last_iterations=item.accepted_last,
        committed_points_last_iterations=item.committed_last,
        deliverables_total=item.deliverables_total,
        deliverables_accepted=item.deliverables_accepted,
        launches_planned=item.launches_planned, launches_done=item.launches_done,
    ))
    figures.update(formulas.stakeholder_health_figures(
        key_stakeholders=item.key_stakeholders,
        key_at_or_above_desired=item.key_at_or_above_desired,
        communications_overdue=item.communications_overdue,
    ))
    figures.update(formulas.risk_exposure_figures(
        open_scores=item.open_scores,
        red_count=sum(1 for score in item.open_scores if _is_red_risk(score)),
    ))
    kpis = []
    for row in item.kpis:
        status = formulas.kpi_status(
            value=row["value"], target=row["indicator__target"],
            green_threshold=row["indicator__green_threshold"],
            red_threshold=row["indicator__red_threshold"],
            direction=row["indicator__direction"],
        )
        kpis.append({
            "indicator": row["indicator_id"], "name": row["indicator__name"],
            "unit": row["indicator__unit"], "value": str(row["value"]),
            "target": str(row["indicator__target"]),
            "period_start": row["period_start"].isoformat(),
            "period_end": row["period_end"].isoformat(), "status": status,
        })
    health, reasons = formulas.overall_health(figures, [kpi["status"] for kpi in kpis])
    return {
        "status_date": status_date.isoformat(),
        "figures": {name: _figure_json(figure) for name, figure in figures.items()},
        "health": health,
        "reasons": list(reasons),
        "kpis": kpis,
    }


def compute_figures(engagement_id: int, status_date: date | None = None) -> dict[str, Any]:
    """Every metric of one engagement at ``status_date`` (default today), ready for JSON.

    ``{"status_date", "figures": {name: {"value": str | None, "reason"}}, "health",
    "reasons", "kpis"}``. Raises ``Engagement.DoesNotExist`` for an unknown id.
    """
    status_date = status_date or timezone.localdate()
    inputs = _gather([engagement_id], status_date)
    if engagement_id not in inputs:
        raise Engagement.DoesNotExist(f"No engagement {engagement_id}")
    return _figures(inputs[engagement_id], status_date)


def _column(result: dict[str, Any], name: str) -> Decimal | None:
    value = result["figures"].get(name, {}).get("value")
    return None if value is None else Decimal(value)


def _stored_figures(result: dict[str, Any]) -> dict[str, Any]:
    return {**result["figures"], "kpis": result["kpis"], "reasons": result["reasons"]}


def _recompute(engagement_ids: Sequence[int], status_date: date) -> int:
    """Compute and upsert the metrics and the status date's snapshot of these engagements."""
    started = timezone.now()
    inputs = _gather(engagement_ids, status_date)
    if not inputs:
        return 0
    current, snapshots = [], []
    for engagement_id, item in inputs.items():
        result = _figures(item, status_date)
        columns = {name: _column(result, name) for name in MAIN_COLUMNS}
        figures = _stored_figures(result)
        current.append(EngagementMetrics(
            engagement_id=engagement_id, status_date=status_date, as_of=started,
            bac=_column(result, "bac"), health=result["health"], figures=figures, **columns,
        ))
        snapshots.append(MetricsSnapshot(
            engagement_id=engagement_id, day=status_date, as_of=started,
            health=result["health"], figures=figures, **columns,
        ))
    # The current row and its snapshot commit together, or neither does.
    with transaction.atomic():
        # inputs_changed_at is deliberately left out: a change made meanwhile must stay visible.
        EngagementMetrics.objects.bulk_create(
            current, update_conflicts=True, unique_fields=["engagement"],
            update_fields=["status_date", "as_of", "bac", *MAIN_COLUMNS, "health", "figures"],
        )
        MetricsSnapshot.objects.bulk_create(
            snapshots, update_conflicts=True, unique_fields=["engagement", "day"],
            update_fields=["as_of", *MAIN_COLUMNS, "health", "figures"],
        )
    return len(inputs)


def recompute_engagement(engagement_id: int, status_date: date | None = None) -> EngagementMetrics:
    """Recompute and store one engagement's metrics and its snapshot of the day (idempotent).

    The snapshot's day is the status date (today by default): recomputing again the same day
    replaces it, so there is one per engagement and day.
    """
    status_date = status_date or timezone.localdate()
    if not _recompute([engagement_id], status_date):
        raise Engagement.DoesNotExist(f"No engagement {engagement_id}")
    return EngagementMetrics.objects.get(engagement_id=engagement_id)


def _in_batches(ids: Sequence[int], batch_size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), batch_size):
        yield ids[start:start + batch_size]


def recompute_all(*, batch_size: int = 500, status_date: date | None = None) -> int:
    """Recompute every engagement not closed or cancelled; set-based, batch by batch.

    Each batch costs the same fixed number of queries (aggregates grouped by engagement) plus
    two bulk upserts, whatever its size. Returns how many engagements were recomputed.
    """
    ids = Engagement.objects.filter(status__in=OPEN_ENGAGEMENT_STATUSES).values_list(
        "pk", flat=True
    )
    return recompute_engagements(ids, batch_size=batch_size, status_date=status_date)


def recompute_engagements(
    engagement_ids: Iterable[int], *, batch_size: int = 500, status_date: date | None = None,
) -> int:
    """Recompute these engagements now (staff actions), set-based, batch by batch; returns
    how many exist and were recomputed."""
    status_date = status_date or timezone.localdate()
    ids = sorted(set(engagement_ids))
    return sum(_recompute(batch, status_date) for batch in _in_batches(ids, batch_size))


def stale_engagement_ids() -> list[int]:
    """Engagements whose metrics are stale (inputs changed after ``as_of``, or never computed)
    and open engagements that have no metrics yet."""
    stale = EngagementMetrics.objects.filter(
        Q(as_of__isnull=True) | Q(inputs_changed_at__gt=F("as_of"))
    ).values_list("engagement_id", flat=True)
    missing = Engagement.objects.filter(
        status__in=OPEN_ENGAGEMENT_STATUSES, metrics__isnull=True
    ).values_list("pk", flat=True)
    return sorted(set(stale) | set(missing))


def sweep_stale(*, batch_size: int = 500) -> int:
    """Recompute every stale or missing engagement's metrics; returns how many."""
    return recompute_engagements(stale_engagement_ids(), batch_size=batch_size)


# --- Marking inputs changed and enqueueing, coalesced ---------------------------------------


def _send_recompute(engagement_id: int) -> None:
    """At commit: enqueue the recompute unless one is already pending for this engagement.

    The pending mark is taken here, after commit, so a rolled-back change leaves none behind
    and N changes committed together (N callbacks) send one task. If the broker cannot be
    reached the mark is dropped and the metrics simply stay stale until the sweep.
    """
    from ..tasks import recompute_engagement_metrics

    key = pending_key(engagement_id)
    try:
        if not cache.add(key, 1, timeout=COALESCE_SECONDS):
            return
    except BROKER_ERRORS as error:
        # The shared cache lives on Redis too. Without it there is no coalescing, but the
        # change is committed and must not fail: try the broker anyway.
        logger.warning("Metrics coalescing cache unavailable (%s); sending uncoalesced.", error)
    try:
        recompute_engagement_metrics.apply_async(args=(engagement_id,))
    except BROKER_ERRORS as error:
        with contextlib.suppress(*BROKER_ERRORS):
            cache.delete(key)
        logger.warning(
            "Could not enqueue the metrics recompute of engagement %s (%s); the sweep will "
            "reconcile it.", engagement_id, error,
        )


class _CoalescedRecompute:
    """What ``enqueue_on_commit`` sends: a recompute, coalesced and tolerant of broker loss."""

    @staticmethod
    def apply_async(args: Sequence[int] = (), kwargs: dict | None = None) -> None:
        _send_recompute(*args)


def mark_inputs_changed(engagement_ids: Iterable[int]) -> None:
    """Record that these engagements' inputs changed and recompute them after commit.

    ``inputs_changed_at`` is bumped in one upsert (creating the metrics row, with today's
    status date and no ``as_of``, when missing), so the metrics are stale until recomputed
    even if the task is never sent. Call it inside the transaction that makes the change.
    """
    ids = sorted(set(engagement_ids))
    if not ids:
        return
    now: datetime = timezone.now()
    today = timezone.localdate()
    EngagementMetrics.objects.bulk_create(
        [EngagementMetrics(engagement_id=pk, status_date=today, inputs_changed_at=now)
         for pk in ids],
        update_conflicts=True, unique_fields=["engagement"], update_fields=["inputs_changed_at"],
    )
    for pk in ids:
        enqueue_on_commit(_CoalescedRecompute, pk)
