"""What the improvement pages draw, shaped from what was read: the process map as a flow of
boxes, the improvement board's columns, and the data of the demand-flow and benefits charts.

No HTTP objects and no queries here: views read through ``selectors`` (scoped to the user)
and pass the rows in; these functions only arrange them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engagements.metrics.formulas import Figure

from .analysis import ProcessAnalysis, VersionComparison
from .choices import ACTION_TRANSITIONS, ActionStatus
from .flow import FLOW_STATUSES, DemandFlow
from .models import ImprovementAction, ProcessStep

# Process cycle efficiency bands (docs and analysis.py): above 25% is lean, under 10% common.
PCE_LEAN = Decimal("0.25")
PCE_COMMON = Decimal("0.10")
# Closed columns of the board show this many cards; the rest are counted.
BOARD_COLUMN_LIMIT = 25
# Workflow order of the board: the open statuses, then the two ends.
BOARD_ORDER = tuple(ActionStatus.values)


@dataclass(frozen=True)
class StepBox:
    """One step drawn on the process map, with its load and whether it is the constraint."""

    step: ProcessStep
    utilization: Figure
    utilization_percent: Decimal | None
    is_constraint: bool
    is_tied: bool

    @property
    def overloaded(self) -> bool:
        """More demand than capacity (utilization above 100%), or demand with no capacity."""
        if self.utilization.value is None:
            return self.step.capacity_per_week == 0 and self.step.demand_per_week > 0
        return self.utilization.value > 1


def pce_band(pce: Figure) -> tuple[str, str]:
    """The band of a process cycle efficiency: (key, sentence), ("", reason) if undefined."""
    if pce.value is None:
        return "", pce.reason
    if pce.value >= PCE_LEAN:
        return "lean", "Lean: at least 25% of the lead time adds value."
    if pce.value < PCE_COMMON:
        return "common", ("Common: under 10% of the lead time adds value, as in most "
                          "processes that were never redesigned; the rest is waiting.")
    return "between", "Between common (under 10%) and lean (25% and more)."


def percent(ratio: Decimal | None) -> Decimal | None:
    """A ratio (0.1234) as a percentage with one decimal (12.3)."""
    if ratio is None:
        return None
    return (ratio * 100).quantize(Decimal("0.1"))


def step_boxes(steps: Sequence[ProcessStep], result: ProcessAnalysis) -> list[StepBox]:
    """The steps in order, each with its utilization from ``result`` and constraint flags."""
    loads = {load.position: load.utilization for load in result.steps}
    return [
        StepBox(
            step=step,
            utilization=loads[step.position],
            utilization_percent=percent(loads[step.position].value),
            is_constraint=step.position == result.constraint_position,
            is_tied=step.position in result.tied_positions
            and step.position != result.constraint_position,
        )
        for step in sorted(steps, key=lambda s: s.position)
    ]


def comparison_rows(comparison: VersionComparison) -> list[dict[str, Any]]:
    """Before/after rows for the template: figure, before, after, delta, change, and whether
    the change is an improvement (shorter lead time, higher PCE)."""
    def better(delta: Figure, lower_is_better: bool) -> str:
        if delta.value is None or delta.value == 0:
            return "same" if delta.value == 0 else ""
        improved = delta.value < 0 if lower_is_better else delta.value > 0
        return "better" if improved else "worse"

    return [
        {
            "label": "Lead time (hours)", "before": comparison.lead_time_before,
            "after": comparison.lead_time_after, "delta": comparison.lead_time_delta,
            "change": comparison.lead_time_change_percent,
            "verdict": better(comparison.lead_time_delta, lower_is_better=True),
        },
        {
            "label": "Process cycle efficiency", "before": comparison.pce_before,
            "after": comparison.pce_after, "delta": comparison.pce_delta,
            "change": comparison.pce_change_percent,
            "verdict": better(comparison.pce_delta, lower_is_better=False),
        },
    ]


# --- The improvement board ---


@dataclass(frozen=True)
class BoardColumn:
    """One status of the board: its cards (highest WSJF first) and how many there are."""

    status: ActionStatus
    cards: list[ImprovementAction]
    total: int

    @property
    def closed(self) -> bool:
        return not ACTION_TRANSITIONS[self.status]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.cards)


def action_board(
    actions: Iterable[ImprovementAction], totals: dict[str, int]
) -> list[BoardColumn]:
    """Columns in workflow order from ``actions`` already ordered by WSJF; ``totals`` counts
    each status in full (a column may show fewer cards than it holds)."""
    by_status: dict[str, list[ImprovementAction]] = {status: [] for status in BOARD_ORDER}
    for action in actions:
        by_status[action.status].append(action)
    return [
        BoardColumn(ActionStatus(status), cards, totals.get(status, len(cards)))
        for status, cards in by_status.items()
    ]


def wsjf_breakdown(action: ImprovementAction) -> dict[str, Any]:
    """The WSJF formula of an action with its own numbers, for the detail page."""
    return {
        "business_value": action.business_value,
        "time_criticality": action.time_criticality,
        "risk_reduction": action.risk_reduction,
        "cost_of_delay": action.cost_of_delay,
        "job_size": action.job_size,
        "wsjf": action.wsjf,
    }


EVIDENCE_LABELS = {
    "process_map": "Process map", "version": "Version", "position": "Step position",
    "utilization": "Utilization", "utilization_reason": "Why utilization is undefined",
    "capacity_per_week": "Capacity per week", "demand_per_week": "Demand per week",
    "tied_positions": "Tied steps", "throughput_per_week": "Throughput per week",
    "explanation": "Explanation", "status": "Status", "mean_days": "Mean days in status",
    "p85_days": "85th percentile (days)", "count": "Completed stays",
    "share_of_lead_time": "Share of lead time", "start": "Period start", "end": "Period end",
}


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """The figures behind a suggestion as (label, text) rows; empty values left out."""
    rows = []
    for key, value in evidence.items():
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        rows.append((EVIDENCE_LABELS.get(key, key.replace("_", " ").capitalize()), str(value)))
    return rows


# --- Demand flow ---


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def flow_chart(flow: DemandFlow) -> dict[str, Any]:
    """The data of the four demand-flow charts, JSON-ready (for ``json_script``)."""
    bottleneck = flow.bottleneck.status if flow.bottleneck else ""
    return {
        "timeInStatus": {
            "labels": [row.label for row in flow.time_in_status],
            "mean": [_number(row.completed_mean_days) for row in flow.time_in_status],
            "p85": [_number(row.completed_p85_days) for row in flow.time_in_status],
            "bottleneck": [row.status == bottleneck for row in flow.time_in_status],
        },
        "leadTime": {
            "labels": [f"{b.lower_days} to {b.upper_days} days" for b in
                       flow.lead_times.histogram],
            "counts": [b.count for b in flow.lead_times.histogram],
        },
        "throughput": {
            "labels": [week.week for week in flow.weeks],
            "delivered": [week.delivered for week in flow.weeks],
        },
        "wip": {
            "labels": [week.week for week in flow.weeks],
            "series": [
                {"status": status, "label": _status_label(flow, status),
                 "values": [week.wip_by_status.get(status, 0) for week in flow.weeks]}
                for status in FLOW_STATUSES
            ],
        },
    }


def _status_label(flow: DemandFlow, status: str) -> str:
    return next((row.label for row in flow.time_in_status if row.status == status), status)


def bottleneck_evidence(flow: DemandFlow) -> dict[str, Any]:
    """The figures of the flow's bottleneck, JSON-ready, stored on the suggested action."""
    bottleneck = flow.bottleneck
    if bottleneck is None:
        return {}
    return {
        "status": bottleneck.status,
        "mean_days": str(bottleneck.mean_days),
        "p85_days": str(bottleneck.p85_days),
        "count": bottleneck.count,
        "share_of_lead_time": _number(bottleneck.share_of_lead_time),
        "start": flow.start.isoformat(),
        "end": flow.end.isoformat(),
        "explanation": bottleneck.explanation,
    }


# --- Benefits ---


def benefits_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Chart data of the benefits realized per month of verification, JSON-ready."""
    return {
        "labels": [row["month"].strftime("%b %Y") for row in rows],
        "hours": [str(row["hours_saved_per_month"]) for row in rows],
        "actions": [row["actions"] for row in rows],
    }


def benefits_totals(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Hours saved per month and verified actions, summed over the months shown."""
    return {
        "hours_saved_per_month": sum(
            (row["hours_saved_per_month"] for row in rows), Decimal("0.00")
        ),
        "actions": sum(row["actions"] for row in rows),
    }
