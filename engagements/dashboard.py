"""The engagement dashboard's read side: everything the page shows, from the stored metrics,
their daily snapshots and the plan. No HTTP objects here; the view renders a ``Dashboard``.

The page's query count does not grow with the engagement's size: the metrics row, the
deliverables (one query, for the PV baseline and the scope), the snapshots (one query) and
the iterations with their accepted points (one aggregate query).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from .choices import DeliverableStatus, Health
from .metrics import formulas
from .metrics.compute import recompute_engagement
from .models import Deliverable, Engagement, EngagementMetrics, Iteration, MetricsSnapshot

# History older than this is left off the charts; denser history is thinned to weekly.
HISTORY_DAYS = 730
HISTORY_MAX_POINTS = 120
WEEK = timedelta(days=7)

# How each shown figure is named and formatted: money, ratio, percent, count or points.
FIGURE_LABELS: dict[str, tuple[str, str]] = {
    "bac": ("Budget at completion (BAC)", "money"),
    "pv": ("Planned value (PV)", "money"),
    "ev": ("Earned value (EV)", "money"),
    "ac": ("Actual cost (AC)", "money"),
    "cv": ("Cost variance (CV)", "money"),
    "sv": ("Schedule variance (SV)", "money"),
    "cpi": ("Cost performance index (CPI)", "ratio"),
    "spi": ("Schedule performance index (SPI)", "ratio"),
    "eac": ("Estimate at completion (EAC)", "money"),
    "etc": ("Estimate to complete (ETC)", "money"),
    "vac": ("Variance at completion (VAC)", "money"),
    "tcpi": ("To-complete performance index (TCPI)", "ratio"),
    "velocity": ("Velocity (points per iteration)", "points"),
    "say_do_ratio": ("Say/do ratio", "ratio"),
    "deliverables_accepted_percent": ("Deliverables accepted", "percent"),
    "launches_done": ("Service launches done", "count"),
    "launches_planned": ("Service launches planned", "count"),
    "key_stakeholders": ("Key stakeholders", "count"),
    "key_stakeholders_at_desired_percent": ("Key stakeholders at desired engagement", "percent"),
    "communications_overdue": ("Communications overdue", "count"),
    "risk_exposure": ("Threat exposure (sum of open threat scores)", "count"),
    "risks_open": ("Open threats", "count"),
    "risks_red": ("Red threats (high or critical)", "count"),
}
EVM_FIGURES = ("bac", "pv", "ev", "ac", "cv", "sv", "cpi", "spi", "eac", "etc", "vac", "tcpi")
DELIVERY_FIGURES = ("velocity", "say_do_ratio", "deliverables_accepted_percent",
                    "launches_done", "launches_planned")
STAKEHOLDER_FIGURES = ("key_stakeholders", "key_stakeholders_at_desired_percent",
                       "communications_overdue")
RISK_FIGURES = ("risk_exposure", "risks_open", "risks_red")

KPI_STATUS_LABELS = {
    "green": "On target", "amber": "Watch", "red": "Off target", "unknown": "Not rated",
}


@dataclass(frozen=True)
class FigureTile:
    """One figure as shown: its value formatted, or "—" with the reason it is undefined."""

    name: str
    label: str
    value: Decimal | None
    display: str
    reason: str


@dataclass(frozen=True)
class KpiTile:
    """A service KPI's latest measurement with its traffic light and a text label for it."""

    name: str
    unit: str
    value: str
    target: str
    period_start: str
    period_end: str
    status: str
    status_label: str


@dataclass(frozen=True)
class PlannedPoint:
    """The baseline: PV planned by the end of ``day``."""

    day: date
    pv: Decimal


@dataclass(frozen=True)
class HistoryPoint:
    """The figures recorded on one day (a snapshot); a ratio is None when it was undefined."""

    day: date
    pv: Decimal | None
    ev: Decimal | None
    ac: Decimal | None
    cpi: Decimal | None
    spi: Decimal | None


@dataclass(frozen=True)
class BurnupPoint:
    """Story points accepted in iterations 1 to ``number``, against the whole scope."""

    number: int
    accepted: int
    cumulative: int
    scope: int


@dataclass
class Dashboard:
    """What the engagement dashboard shows."""

    engagement: Engagement
    metrics: EngagementMetrics
    health: str
    health_label: str
    reasons: list[str]
    evm: list[FigureTile]
    delivery: list[FigureTile]
    stakeholders: list[FigureTile]
    risks: list[FigureTile]
    kpis: list[KpiTile]
    bac: Decimal | None
    baseline: list[PlannedPoint] = field(default_factory=list)
    history: list[HistoryPoint] = field(default_factory=list)
    burnup: list[BurnupPoint] = field(default_factory=list)
    scope_points: int = 0

    @property
    def as_of(self) -> datetime | None:
        return self.metrics.as_of

    @property
    def is_stale(self) -> bool:
        return self.metrics.is_stale

    @property
    def has_ratio_history(self) -> bool:
        return any(point.cpi is not None or point.spi is not None for point in self.history)

    def chart_data(self) -> dict[str, Any]:
        """The series for the charts, JSON-ready: days as ISO dates, amounts as numbers."""
        return {
            "bac": _number(self.bac),
            "baseline": [{"day": p.day.isoformat(), "pv": _number(p.pv)} for p in self.baseline],
            "history": [
                {"day": p.day.isoformat(), "pv": _number(p.pv), "ev": _number(p.ev),
                 "ac": _number(p.ac), "cpi": _number(p.cpi), "spi": _number(p.spi)}
                for p in self.history
            ],
            "burnup": [
                {"iteration": p.number, "cumulative": p.cumulative, "scope": p.scope}
                for p in self.burnup
            ],
        }


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _display(value: Decimal, kind: str) -> str:
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "percent":
        return f"{value:,.2f} %"
    if kind == "ratio":
        return f"{value:.4f}"
    if kind == "points":
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _tiles(figures: dict[str, Any], names: tuple[str, ...]) -> list[FigureTile]:
    """The named figures as tiles; a figure missing from the stored row reads as undefined."""
    tiles = []
    for name in names:
        label, kind = FIGURE_LABELS[name]
        stored = figures.get(name) or {}
        raw = stored.get("value")
        value = None if raw is None else Decimal(raw)
        tiles.append(FigureTile(
            name=name, label=label, value=value,
            display="—" if value is None else _display(value, kind),
            reason=stored.get("reason") or ("" if value is not None else "Not computed yet."),
        ))
    return tiles


def _kpi_tiles(rows: list[dict[str, Any]]) -> list[KpiTile]:
    tiles = []
    for row in rows:
        status = row.get("status") or "unknown"
        if status not in KPI_STATUS_LABELS:
            status = "unknown"
        tiles.append(KpiTile(
            name=row.get("name", ""), unit=row.get("unit", ""), value=row.get("value", ""),
            target=row.get("target", ""), period_start=row.get("period_start", ""),
            period_end=row.get("period_end", ""), status=status,
            status_label=KPI_STATUS_LABELS[status],
        ))
    return tiles


def planned_value_baseline(deliverables: list[formulas.DeliverableInput]) -> list[PlannedPoint]:
    """PV over the whole plan, weekly: from the day before the earliest planned start (PV 0)
    to the latest planned finish (all of the deliverables' budgets), both included."""
    if not deliverables:
        return []
    first = min(item.planned_start for item in deliverables) - timedelta(days=1)
    last = max(item.planned_finish for item in deliverables)
    days = []
    day = first
    while day < last:
        days.append(day)
        day += WEEK
    days.append(last)
    return [PlannedPoint(day, formulas.planned_value(deliverables, day)) for day in days]


def thin_history(points: list[HistoryPoint], *, max_points: int = HISTORY_MAX_POINTS,
                 ) -> list[HistoryPoint]:
    """Daily history when short; otherwise one point a week counted back from the latest,
    which is always kept (the chart's right end is the figure the tiles show)."""
    if len(points) <= max_points:
        return points
    kept = [points[-1]]
    for point in reversed(points[:-1]):
        if kept[-1].day - point.day >= WEEK:
            kept.append(point)
    kept.reverse()
    return kept


def _deliverable_inputs(engagement: Engagement) -> list[formulas.DeliverableInput]:
    rows = Deliverable.objects.filter(engagement=engagement).values_list(
        "budget", "planned_start", "planned_finish", "percent_complete", "story_points",
        "status", "kind", "iteration_id",
    )
    return [formulas.DeliverableInput(*row) for row in rows]


def _history(engagement: Engagement, today: date) -> list[HistoryPoint]:
    rows = (
        MetricsSnapshot.objects.filter(
            engagement=engagement, day__gte=today - timedelta(days=HISTORY_DAYS),
        )
        .order_by("day").values_list("day", "pv", "ev", "ac", "cpi", "spi")
    )
    return thin_history([HistoryPoint(*row) for row in rows])


def _burnup(engagement: Engagement, scope: int) -> list[BurnupPoint]:
    """Accepted points per iteration, in number order, accumulated."""
    iterations = (
        Iteration.objects.filter(engagement=engagement).order_by("number")
        .annotate(accepted=Sum(
            "deliverables__story_points",
            filter=Q(deliverables__status=DeliverableStatus.ACCEPTED), default=0,
        ))
        .values_list("number", "accepted")
    )
    points, total = [], 0
    for number, accepted in iterations:
        total += accepted
        points.append(BurnupPoint(number=number, accepted=accepted, cumulative=total,
                                  scope=scope))
    return points


def _current_metrics(engagement: Engagement) -> EngagementMetrics:
    """The stored metrics; computed once now when there are none yet, so the page always
    has figures (the same thing the API's metrics action does)."""
    metrics = EngagementMetrics.objects.filter(engagement=engagement).first()
    if metrics is None or metrics.as_of is None:
        metrics = recompute_engagement(engagement.pk)
    return metrics


def engagement_dashboard(*, engagement: Engagement, today: date) -> Dashboard:
    """Everything the dashboard of ``engagement`` shows, with history up to ``today``."""
    metrics = _current_metrics(engagement)
    figures = metrics.figures or {}
    deliverables = _deliverable_inputs(engagement)
    scope = sum(item.story_points for item in deliverables)
    health = metrics.health
    return Dashboard(
        engagement=engagement,
        metrics=metrics,
        health=health,
        health_label=Health(health).label if health else "Not rated",
        reasons=list(figures.get("reasons") or []),
        evm=_tiles(figures, EVM_FIGURES),
        delivery=_tiles(figures, DELIVERY_FIGURES),
        stakeholders=_tiles(figures, STAKEHOLDER_FIGURES),
        risks=_tiles(figures, RISK_FIGURES),
        kpis=_kpi_tiles(list(figures.get("kpis") or [])),
        bac=metrics.bac,
        baseline=planned_value_baseline(deliverables),
        history=_history(engagement, today),
        burnup=_burnup(engagement, scope),
        scope_points=scope,
    )
