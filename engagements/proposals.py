"""The global staffing proposal: many open needs filled at once for the highest total score.

An exact integer program (``scipy.optimize.milp``, the HiGHS solver): one binary variable
per (need, candidate) pair, where the candidates of a need are its assignable consultants
(the need fits their free capacity on every day of its window) pruned to the
``TOP_CANDIDATES`` best; maximise the sum of the chosen pairs' scores subject to

* each need filled at most once;
* for each consultant and each elementary time segment (the calendar cut at the start and
  the day after the end of every need they are a candidate for), the allocations of the
  chosen needs covering the segment add up to at most their free capacity there (capacity
  minus existing assignments, at the segment's busiest day).

Within a segment the same needs cover every day, so these constraints are exactly "never
over-allocated on any day". Beside it, the greedy baseline: needs in order of start date
(then id), each taking its best candidate that still fits. Method and figures:
docs/matching.md and docs/benchmarks.md.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .choices import NeedStatus
from .matching import (
    FACTORS,
    MatchingData,
    NeedSpec,
    collection_paused,
    load_matching_data,
    ranked_rows,
    resolve_weights,
    score_need,
)
from .models import StaffingNeed

TOP_CANDIDATES = 30  # candidates kept per need (K)
TIME_LIMIT_SECONDS = 20.0  # the solver stops here with its best feasible answer


@dataclass(frozen=True)
class ProposedLine:
    """One need filled by one consultant, with the score and its breakdown."""

    need_id: int
    consultant_id: int
    score: float
    breakdown: dict[str, float]


@dataclass(frozen=True)
class ProposalResult:
    """The optimal fill beside the greedy one; ``solve_ms`` is the time ``propose`` took
    (loading, scoring and solving)."""

    lines: list[ProposedLine]
    total_score: float
    greedy_lines: list[ProposedLine]
    greedy_total_score: float
    needs_considered: int
    solve_ms: int


@dataclass
class _Pairs:
    """The candidate (need, consultant) pairs, grouped by need in ranking order."""

    need: np.ndarray  # index into the ordered needs
    row: np.ndarray  # consultant row of the matching data
    score: np.ndarray
    breakdown: list[list[float]]


class _Schedules:
    """Each consultant's existing assignments (within the needs' overall window)."""

    def __init__(self, data: MatchingData) -> None:
        order = np.argsort(data.assignment_row, kind="stable")
        self.row = data.assignment_row[order]
        self.start = data.assignment_start[order]
        self.end = data.assignment_end[order]
        self.allocation = data.assignment_allocation[order]
        self.capacity = data.capacity

    def of(self, row: int) -> list[tuple[int, int, int]]:
        low, high = np.searchsorted(self.row, [row, row + 1])
        return list(zip(self.start[low:high].tolist(), self.end[low:high].tolist(),
                        self.allocation[low:high].tolist(), strict=True))


def peak_load(intervals: Sequence[tuple[int, int, int]], start: int, end: int) -> int:
    """The highest sum of allocations on any day from ``start`` to ``end``.

    Load only rises where an interval starts, so the peak is on ``start`` or on a start
    inside the window.
    """
    days = [start, *(first for first, _, _ in intervals if start < first <= end)]
    return max(
        sum(share for first, last, share in intervals if first <= day <= last) for day in days
    )


def _candidate_pairs(data, specs, weights) -> _Pairs:
    needs, rows, scores, breakdowns = [], [], [], []
    for index, spec in enumerate(specs):
        scored = score_need(data, spec, weights)
        fitting = np.flatnonzero(scored.assignable)
        if fitting.size > TOP_CANDIDATES:  # keep the K best scores (and ties) before sorting
            cut = fitting.size - TOP_CANDIDATES
            kth = np.partition(scored.score[fitting], cut)[cut]
            fitting = fitting[scored.score[fitting] >= kth]
        best = ranked_rows(data, scored, fitting)[:TOP_CANDIDATES]
        needs.append(np.full(best.size, index))
        rows.append(best)
        scores.append(scored.score[best])
        breakdowns.extend(np.round(scored.factors[best], 4).tolist())
    return _Pairs(np.concatenate(needs), np.concatenate(rows), np.concatenate(scores),
                  breakdowns)


def _capacity_rows(pairs: _Pairs, specs: Sequence[NeedSpec], schedules: _Schedules):
    """Constraint rows (pair indices, right-hand side) that keep every consultant within
    capacity, one per elementary segment of their candidate needs' calendar.

    Rows that cannot bind are left out: a segment one candidate need alone covers (each
    pair fits on its own), a segment whose needs all fit together, and a segment whose
    needs are a subset of a neighbouring segment's with no more free capacity there (the
    neighbour's row implies it); identical rows are kept once, with the lowest capacity.
    """
    start = np.array([spec.start for spec in specs])
    end = np.array([spec.end for spec in specs])
    allocation = np.array([spec.allocation for spec in specs])
    order = np.argsort(pairs.row, kind="stable")
    bounds = np.flatnonzero(np.diff(pairs.row[order])) + 1
    for group in np.split(order, bounds):
        if group.size < 2:
            continue
        row = int(pairs.row[group[0]])
        first, last = start[pairs.need[group]], end[pairs.need[group]]
        cuts = np.unique(np.concatenate((first, last + 1)))
        low, high = cuts[:-1], cuts[1:] - 1
        cover = (first[None, :] <= low[:, None]) & (last[None, :] >= high[:, None])
        demand = cover @ allocation[pairs.need[group]]
        existing = schedules.of(row)
        capacity = schedules.capacity[row]
        free = np.array([capacity - peak_load(existing, a, b) for a, b in
                         zip(low.tolist(), high.tolist(), strict=True)] if existing
                        else np.full(low.size, capacity))
        binding = (cover.sum(axis=1) >= 2) & (demand > free)
        # Implied by the previous segment (ties go to it) or by the next one (only when it
        # covers strictly more or has strictly less room, so equal twins keep one row).
        within_previous = ~(cover[1:] & ~cover[:-1]).any(axis=1)
        within_next = ~(cover[:-1] & ~cover[1:]).any(axis=1)
        binding[1:] &= ~(within_previous & (free[:-1] <= free[1:]))
        binding[:-1] &= ~(within_next & (free[1:] <= free[:-1])
                          & ((free[1:] < free[:-1]) | ~within_previous))
        seen: dict[bytes, tuple[int, int]] = {}
        for segment in np.flatnonzero(binding).tolist():
            key = np.packbits(cover[segment]).tobytes()
            if key not in seen or free[segment] < seen[key][1]:
                seen[key] = (segment, int(free[segment]))
        for segment, rhs in seen.values():
            yield group[cover[segment]], rhs


def _solve(
    pairs: _Pairs, specs: Sequence[NeedSpec], schedules: _Schedules, fallback: np.ndarray
) -> np.ndarray:
    """Chosen pair indices of the highest-total assignment that never over-allocates
    (``fallback``, the greedy fill, if the solver stops without any solution)."""
    count = pairs.score.size
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    row_index, columns, coefficients, upper = [], [], [], []

    def add(indices: np.ndarray, values: np.ndarray, rhs: float) -> None:
        row_index.append(np.full(indices.size, len(upper)))
        columns.append(indices)
        coefficients.append(values)
        upper.append(rhs)

    for need in np.unique(pairs.need):
        indices = np.flatnonzero(pairs.need == need)
        if indices.size > 1:
            add(indices, np.ones(indices.size), 1)
    allocation = np.array([spec.allocation for spec in specs], dtype=float)
    for indices, rhs in _capacity_rows(pairs, specs, schedules):
        add(indices, allocation[pairs.need[indices]], rhs)
    if not upper:  # nothing competes: every pair is its own need's only candidate
        return np.arange(count)
    matrix = sparse.csr_array(
        (np.concatenate(coefficients), (np.concatenate(row_index), np.concatenate(columns))),
        shape=(len(upper), count),
    )
    result = milp(
        -pairs.score, constraints=LinearConstraint(matrix, -np.inf, np.array(upper)),
        integrality=np.ones(count), bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0, "time_limit": TIME_LIMIT_SECONDS},
    )
    if result.x is None:
        return fallback
    return np.flatnonzero(result.x > 0.5)


def _greedy(pairs: _Pairs, specs: Sequence[NeedSpec], schedules: _Schedules) -> np.ndarray:
    """Needs in order (they come sorted by start, id), each its best candidate still fitting."""
    taken: dict[int, list[tuple[int, int, int]]] = {}
    chosen = []
    for index, spec in enumerate(specs):
        for pair in np.flatnonzero(pairs.need == index).tolist():
            row = int(pairs.row[pair])
            if row not in taken:
                taken[row] = schedules.of(row)
            peak = peak_load(taken[row], spec.start, spec.end) if taken[row] else 0
            if peak + spec.allocation <= schedules.capacity[row]:
                taken[row].append((spec.start, spec.end, spec.allocation))
                chosen.append(pair)
                break
    return np.array(chosen, dtype=np.int64)


def _lines(pairs: _Pairs, chosen: np.ndarray, specs, data) -> tuple[list[ProposedLine], float]:
    chosen = chosen[np.argsort(pairs.need[chosen], kind="stable")]
    lines = [
        ProposedLine(
            need_id=specs[int(pairs.need[pair])].need_id,
            consultant_id=int(data.ids[pairs.row[pair]]),
            score=float(pairs.score[pair]),
            breakdown=dict(zip(FACTORS, pairs.breakdown[pair], strict=True)),
        )
        for pair in chosen.tolist()
    ]
    return lines, round(sum(line.score for line in lines), 1)


def propose(
    needs: Sequence[StaffingNeed], *, weights: Mapping[str, int] | None = None
) -> ProposalResult:
    """The assignment of the given open needs that maximises the total score without
    over-allocating anyone (existing assignments count), and the greedy fill beside it.

    Needs that are not open are ignored; lines come in the needs' order (start, id).
    """
    started = time.perf_counter()
    in_force = resolve_weights(weights)
    unique = {need.pk: need for need in needs if need.status == NeedStatus.OPEN}
    ordered = sorted(unique.values(), key=lambda need: (need.start_on, need.pk))
    if not ordered:
        return ProposalResult([], 0.0, [], 0.0, 0, _elapsed_ms(started))
    with collection_paused():
        data, specs = load_matching_data(ordered)
        pairs = _candidate_pairs(data, specs, in_force)
    schedules = _Schedules(data)
    greedy = _greedy(pairs, specs, schedules)
    lines, total = _lines(pairs, _solve(pairs, specs, schedules, greedy), specs, data)
    greedy_lines, greedy_total = _lines(pairs, greedy, specs, data)
    return ProposalResult(
        lines=lines, total_score=total, greedy_lines=greedy_lines,
        greedy_total_score=greedy_total, needs_considered=len(ordered),
        solve_ms=_elapsed_ms(started),
    )


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
