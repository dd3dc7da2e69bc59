"""The factor formulas, each computed for the whole bench at once, and the score and hard
constraints of one need (``score_need``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..choices import MatchFactor
from .constants import (
    FACTORS,
    NEUTRAL,
    PUBLIC_SECTOR_CREDIT,
    PUBLIC_SECTORS,
    SECTOR_FULL_YEARS,
    SENIORITY_FIT,
)
from .data import MatchingData, NeedSpec

_SENIORITY_TABLE = np.array([SENIORITY_FIT.get(d, 0.0) for d in range(-3, 4)])
# Why a consultant is not a candidate, by code (0: they are one).
CANDIDATE, INACTIVE, LANGUAGE, FULLY_BOOKED = 0, 1, 2, 3


@dataclass(frozen=True)
class NeedScores:
    """The factors (n x 7, in ``FACTORS`` order), scores and capacity facts of the whole
    bench for one need; ``status`` holds CANDIDATE or the code of the exclusion."""

    factors: np.ndarray
    score: np.ndarray
    assignable: np.ndarray
    free_percent: np.ndarray
    status: np.ndarray


def skills_factor(data: MatchingData, spec: NeedSpec) -> np.ndarray:
    if not spec.skills:
        return np.ones(data.size)
    columns = [data.skill_column[skill] for skill, _ in spec.skills]
    minimum = np.array([level for _, level in spec.skills], dtype=float)
    return np.minimum(1.0, data.proficiency[:, columns] / minimum).mean(axis=1)


def sector_factor(data: MatchingData, spec: NeedSpec) -> np.ndarray:
    factor = np.minimum(1.0, data.sector_years[spec.sector] / SECTOR_FULL_YEARS)
    if spec.is_public_administration:
        public = sum(data.sector_years[sector] for sector in PUBLIC_SECTORS)
        factor = np.maximum(
            factor, PUBLIC_SECTOR_CREDIT * np.minimum(1.0, public / SECTOR_FULL_YEARS)
        )
    return factor


def culture_factor(data: MatchingData, spec: NeedSpec) -> np.ndarray:
    target = data.cultures.get(spec.organization_id)
    if target is None:
        return np.full(data.size, NEUTRAL)
    return 1.0 - np.abs(data.style - target).sum(axis=1) / 200.0


def capacity_in_window(data: MatchingData, spec: NeedSpec):
    """Availability (share of the window's days with free >= allocation), whether that is
    every day, the lowest free capacity, and whether any day has free capacity at all.

    A consultant's load is a step function that changes only where one of their
    assignments starts or ends. Their assignments inside the window become events
    (+allocation on the first day, -allocation the day after the last, plus empty events
    opening and closing the window); sorted by (consultant, day), a running sum gives the
    load from each event day to the next. Every consultant's events add up to zero, so one
    ``cumsum`` over the whole bench stays per consultant. The cost grows with the number of
    assignments, not with consultants x days.
    """
    window = spec.end - spec.start + 1
    capacity = data.capacity
    fitting_days = np.where(capacity >= spec.allocation, window, 0)
    lowest_free = capacity.copy()
    any_free = capacity > 0
    hit = (data.assignment_start <= spec.end) & (data.assignment_end >= spec.start)
    if not hit.any():
        return fitting_days / window, fitting_days == window, lowest_free, any_free
    rows = data.assignment_row[hit]
    allocation = data.assignment_allocation[hit]
    busy = np.flatnonzero(np.bincount(rows, minlength=data.size))
    edges = np.zeros(busy.size, dtype=np.int64)
    row = np.concatenate((rows, rows, busy, busy))
    day = np.concatenate((
        np.maximum(data.assignment_start[hit], spec.start),
        np.minimum(data.assignment_end[hit], spec.end) + 1,
        edges + spec.start, edges + spec.end + 1,
    ))
    delta = np.concatenate((allocation, -allocation, edges, edges))
    order = np.argsort(row * (window + 1) + (day - spec.start))  # by consultant, then day
    row, day, load = row[order], day[order], np.cumsum(delta[order])
    # The last event of each (consultant, day) carries the load from that day on.
    last = np.append((row[1:] != row[:-1]) | (day[1:] != day[:-1]), True)
    row, day, load = row[last], day[last], load[last]
    same = row[1:] == row[:-1]
    length = np.append(np.where(same, day[1:] - day[:-1], 0), 0)  # closing events: 0
    free = capacity[row] - load
    fitting_days[busy] = np.bincount(
        row, weights=length * (free >= spec.allocation), minlength=data.size
    )[busy]
    starts = np.flatnonzero(np.append(True, ~same))
    spans = length > 0
    lowest_free[busy] = np.minimum.reduceat(np.where(spans, free, capacity[row]), starts)
    any_free[busy] = np.maximum.reduceat(spans & (free > 0), starts)
    return fitting_days / window, fitting_days == window, np.maximum(lowest_free, 0), any_free


def cost_factor(data: MatchingData, spec: NeedSpec) -> np.ndarray:
    """How far the need's fair share of the remaining budget covers each consultant's cost."""
    person_days = spec.person_days
    if spec.budget <= 0 or person_days == 0:
        return np.ones(data.size)  # no budget to judge against, or nothing to pay
    remaining = spec.budget - spec.committed_cost
    fair_share = remaining * person_days / (spec.other_open_person_days + person_days)
    rate = data.rate_on(spec.start)
    with np.errstate(invalid="ignore"):
        factor = np.clip(fair_share / (rate * person_days), 0.0, 1.0)
    return np.where(np.isnan(rate), NEUTRAL, factor)


def score_need(data: MatchingData, spec: NeedSpec, weights: Mapping[str, int]) -> NeedScores:
    """Every factor, the score and the hard constraints of the whole bench for one need."""
    availability, assignable, free, any_free = capacity_in_window(data, spec)
    columns = {
        MatchFactor.SKILLS: skills_factor(data, spec),
        MatchFactor.SENIORITY: _SENIORITY_TABLE[
            np.clip(data.seniority_rank - spec.seniority_rank, -3, 3) + 3
        ],
        MatchFactor.SECTOR: sector_factor(data, spec),
        MatchFactor.CULTURE: culture_factor(data, spec),
        MatchFactor.AVAILABILITY: availability,
        MatchFactor.TRACK_RECORD: data.track_record(spec.organization_id),
        MatchFactor.COST: cost_factor(data, spec),
    }
    factors = np.column_stack([columns[name] for name in FACTORS]) if data.size else (
        np.zeros((0, len(FACTORS)))
    )
    weight = np.array([weights[name] for name in FACTORS], dtype=float)
    score = np.round(100.0 * (factors @ weight) / weight.sum(), 1)
    status = np.full(data.size, CANDIDATE)
    status[~any_free] = FULLY_BOOKED
    if spec.language:
        status[~data.speaks[spec.language]] = LANGUAGE
    status[~data.active] = INACTIVE
    return NeedScores(factors, score, assignable & (status == CANDIDATE), free, status)

