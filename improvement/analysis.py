"""Value-stream analysis of a process map and WSJF of improvement actions: pure functions.

No database here: the functions take anything shaped like a process step (a
``ProcessStep`` row or a ``StepInput``) and return dataclasses of ``Figure`` values (a
``Decimal``, or ``None`` with the reason it is undefined), as the engagement metrics do.
Times are in HOURS; capacity and demand are items per WEEK.

- Lead time = sum of process times + sum of waits before each step.
- Process cycle efficiency (PCE) = value-added time / lead time, where value-added time is
  the process time of the steps marked value-adding. Above 0.25 is lean, under 0.10 common.
- Rolled throughput yield (RTY) = product of each step's % complete and accurate / 100.
- Utilization of a step = demand / capacity. Capacity 0 with demand > 0 cannot be served:
  its utilization is undefined ("no capacity") and it ranks above every finite one.
  Capacity 0 with demand 0 is an idle step (no data): undefined and never the constraint.
- The constraint is the step with the highest utilization (Theory of Constraints). When no
  step has demand, it is the step with the lowest capacity. Ties name every tied step; the
  first by position is called the constraint.
- System throughput per week = the lowest of the capacities of steps with data and the
  demand arriving at the first step: the process cannot finish more than it receives.
- WSJF (SAFe): cost of delay = business value + time criticality + risk reduction /
  opportunity enablement; WSJF = cost of delay / job size.

Arithmetic is at full ``Decimal`` precision, rounded once at the end, half up: hours and
throughput to 2 decimals, ratios (PCE, RTY, utilization) to 4, percentages and WSJF to 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Protocol

from engagements.metrics.formulas import Figure

__all__ = [
    "ProcessAnalysis",
    "StepInput",
    "StepUtilization",
    "VersionComparison",
    "analyse_process",
    "compare_versions",
    "cost_of_delay",
    "wsjf",
]

HOURS = Decimal("0.01")
RATIO = Decimal("0.0001")
PERCENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)

NO_STEPS = "The process map has no steps."
NO_CAPACITY = "No capacity: the step has demand but nothing to serve it (infinite utilization)."
IDLE = "Idle: the step has neither capacity nor demand recorded."


class StepLike(Protocol):
    position: int
    name: str
    process_time_hours: Decimal
    wait_time_hours: Decimal
    percent_complete_accurate: Decimal
    capacity_per_week: Decimal
    demand_per_week: Decimal
    value_added: bool


@dataclass(frozen=True)
class StepInput:
    """What the analysis needs of one process step (the fields of ``ProcessStep``)."""

    position: int
    name: str
    process_time_hours: Decimal = ZERO
    wait_time_hours: Decimal = ZERO
    percent_complete_accurate: Decimal = HUNDRED
    capacity_per_week: Decimal = ZERO
    demand_per_week: Decimal = ZERO
    value_added: bool = True


@dataclass(frozen=True)
class StepUtilization:
    """Load of one step: demand / capacity, undefined (with the reason) for no capacity."""

    position: int
    name: str
    capacity_per_week: Decimal
    demand_per_week: Decimal
    utilization: Figure

    @property
    def has_no_capacity(self) -> bool:
        return self.capacity_per_week == ZERO and self.demand_per_week > ZERO


@dataclass(frozen=True)
class ProcessAnalysis:
    """The figures of one process map version, with the text that explains the constraint."""

    step_count: int
    lead_time: Figure
    total_process_time: Figure
    total_wait_time: Figure
    value_added_time: Figure
    pce: Figure
    rty: Figure
    throughput_per_week: Figure
    throughput_explanation: str
    steps: tuple[StepUtilization, ...] = ()
    constraint_position: int | None = None
    tied_positions: tuple[int, ...] = ()
    constraint_explanation: str = ""

    @property
    def constraint(self) -> StepUtilization | None:
        for step in self.steps:
            if step.position == self.constraint_position:
                return step
        return None


@dataclass(frozen=True)
class VersionComparison:
    """Lead time and PCE of a redesigned process against the version it replaced.

    Deltas are after - before, computed on the rounded figures shown (a negative lead-time
    delta is an improvement); percent changes are relative to before and undefined when
    before is 0 or undefined.
    """

    lead_time_before: Figure
    lead_time_after: Figure
    lead_time_delta: Figure
    lead_time_change_percent: Figure
    pce_before: Figure
    pce_after: Figure
    pce_delta: Figure
    pce_change_percent: Figure
    reasons: list[str] = field(default_factory=list)


def _round(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, ROUND_HALF_UP)


def _utilization(step: StepLike) -> Figure:
    capacity, demand = Decimal(step.capacity_per_week), Decimal(step.demand_per_week)
    if capacity == ZERO:
        return Figure(None, NO_CAPACITY if demand > ZERO else IDLE)
    return Figure(_round(demand / capacity, RATIO))


def _load(step: StepLike) -> Fraction:
    """Exact utilization of a step with capacity, for ranking: rounding must not make ties."""
    return Fraction(step.demand_per_week) / Fraction(step.capacity_per_week)


def _empty() -> ProcessAnalysis:
    undefined = Figure(None, NO_STEPS)
    return ProcessAnalysis(
        step_count=0, lead_time=undefined, total_process_time=undefined,
        total_wait_time=undefined, value_added_time=undefined, pce=undefined, rty=undefined,
        throughput_per_week=undefined, throughput_explanation=NO_STEPS,
        constraint_explanation=NO_STEPS,
    )


def _constraint(steps: Sequence[StepLike]) -> tuple[tuple[int, ...], str]:
    """Positions of the constraint step(s), first is the constraint, and why."""
    starved = [s for s in steps if s.capacity_per_week == ZERO and s.demand_per_week > ZERO]
    if starved:
        tied = tuple(s.position for s in starved)
        why = f"Step {starved[0].position} ({starved[0].name}) has demand but no capacity."
        if len(starved) > 1:
            why = (f"Steps {_positions(tied)} have demand but no capacity; step "
                   f"{starved[0].position} ({starved[0].name}), the first, is the constraint.")
        return tied, why
    measured = [s for s in steps if s.capacity_per_week > ZERO]
    if not measured:
        return (), "No step has a capacity recorded, so there is no constraint to name."
    if any(s.demand_per_week > ZERO for s in measured):
        top = max(_load(s) for s in measured)
        tied_steps = [s for s in measured if _load(s) == top]
        shown = _round(Decimal(top.numerator) / Decimal(top.denominator), RATIO)
        measure = f"the highest utilization ({shown})"
    else:
        low = min(s.capacity_per_week for s in measured)
        tied_steps = [s for s in measured if s.capacity_per_week == low]
        measure = f"no demand is recorded, so the lowest capacity ({low} per week)"
    first = tied_steps[0]
    tied = tuple(s.position for s in tied_steps)
    if len(tied_steps) == 1:
        return tied, f"Step {first.position} ({first.name}) has {measure}."
    return tied, (f"Steps {_positions(tied)} tie on {measure}; step {first.position} "
                  f"({first.name}), the first, is named the constraint.")


def _positions(positions: Sequence[int]) -> str:
    return ", ".join(str(p) for p in positions)


def _throughput(steps: Sequence[StepLike]) -> tuple[Figure, str]:
    """Items per week the whole process can deliver, and what limits it."""
    limits: list[tuple[Decimal, str]] = [
        (Decimal(s.capacity_per_week), f"the capacity of step {s.position} ({s.name})")
        for s in steps
        if s.capacity_per_week > ZERO or s.demand_per_week > ZERO
    ]
    first = steps[0]
    if first.demand_per_week > ZERO:
        limits.append((Decimal(first.demand_per_week), "the demand arriving at the first step"))
    if not limits:
        reason = "No step has capacity or demand recorded."
        return Figure(None, reason), reason
    value, what = min(limits, key=lambda limit: limit[0])
    value = _round(value, HOURS)
    return Figure(value), f"Throughput is {value} per week, set by {what}."


def analyse_process(steps: Sequence[StepLike]) -> ProcessAnalysis:
    """The value-stream figures of a process given its steps (any order; sorted by position)."""
    steps = sorted(steps, key=lambda s: s.position)
    if not steps:
        return _empty()
    process = sum((Decimal(s.process_time_hours) for s in steps), ZERO)
    wait = sum((Decimal(s.wait_time_hours) for s in steps), ZERO)
    value_added = sum((Decimal(s.process_time_hours) for s in steps if s.value_added), ZERO)
    lead = process + wait
    pce = (Figure(_round(value_added / lead, RATIO)) if lead > ZERO
           else Figure(None, "Lead time is zero: no time is recorded on any step."))
    rty = Decimal(1)
    for step in steps:
        rty *= Decimal(step.percent_complete_accurate) / HUNDRED
    throughput, throughput_why = _throughput(steps)
    tied, constraint_why = _constraint(steps)
    return ProcessAnalysis(
        step_count=len(steps),
        lead_time=Figure(_round(lead, HOURS)),
        total_process_time=Figure(_round(process, HOURS)),
        total_wait_time=Figure(_round(wait, HOURS)),
        value_added_time=Figure(_round(value_added, HOURS)),
        pce=pce,
        rty=Figure(_round(rty, RATIO)),
        throughput_per_week=throughput,
        throughput_explanation=throughput_why,
        steps=tuple(
            StepUtilization(
                position=s.position, name=s.name,
                capacity_per_week=Decimal(s.capacity_per_week),
                demand_per_week=Decimal(s.demand_per_week), utilization=_utilization(s),
            )
            for s in steps
        ),
        constraint_position=tied[0] if tied else None,
        tied_positions=tied,
        constraint_explanation=constraint_why,
    )


def _change(before: Figure, after: Figure, places: Decimal, what: str) -> tuple[Figure, Figure]:
    """Delta (after - before) and percent change relative to before."""
    if before.value is None or after.value is None:
        reason = f"The {what} of one version is undefined."
        return Figure(None, reason), Figure(None, reason)
    delta = Figure(_round(after.value - before.value, places))
    if before.value == ZERO:
        return delta, Figure(None, f"The previous {what} is zero: no percent change.")
    return delta, Figure(_round((after.value - before.value) / before.value * HUNDRED, PERCENT))


def compare_versions(before: ProcessAnalysis, after: ProcessAnalysis) -> VersionComparison:
    """How a redesigned process (``after``) compares with the version it replaced."""
    lead_delta, lead_percent = _change(before.lead_time, after.lead_time, HOURS, "lead time")
    pce_delta, pce_percent = _change(before.pce, after.pce, RATIO, "PCE")
    reasons = sorted({f.reason for f in (lead_delta, lead_percent, pce_delta, pce_percent)
                      if f.reason})
    return VersionComparison(
        lead_time_before=before.lead_time, lead_time_after=after.lead_time,
        lead_time_delta=lead_delta, lead_time_change_percent=lead_percent,
        pce_before=before.pce, pce_after=after.pce,
        pce_delta=pce_delta, pce_change_percent=pce_percent, reasons=reasons,
    )


def cost_of_delay(business_value: int, time_criticality: int, risk_reduction: int) -> int:
    """SAFe cost of delay: the sum of the three relative scores."""
    return business_value + time_criticality + risk_reduction


def wsjf(business_value: int, time_criticality: int, risk_reduction: int, job_size: int) -> Decimal:
    """Weighted shortest job first: cost of delay / job size, 2 decimals, half up (as SQL's
    ROUND on numerics, so the value shown is the one lists order on)."""
    delay = Decimal(cost_of_delay(business_value, time_criticality, risk_reduction))
    return _round(delay / Decimal(job_size), PERCENT)
