"""The matching inputs as arrays: the bench (``MatchingData``, one row per consultant), what
the factors need to know about a need (``NeedSpec``), and dates as day numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .constants import NEUTRAL, PRIOR, SHARPNESS

_EPOCH = date(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_EMPTY = np.zeros(0, dtype=np.int64)


def day_number(day: date) -> int:
    """Days since 1970-01-01: numpy's ``datetime64[D]`` as an integer."""
    return (day - _EPOCH).days


def _day_numbers(days: Sequence[date]) -> np.ndarray:
    # toordinal() is several times faster than numpy's parsing of date objects.
    return np.fromiter((day.toordinal() for day in days), dtype=np.int64,
                       count=len(days)) - _EPOCH_ORDINAL


def working_days(start: np.ndarray | int, end: np.ndarray | int) -> np.ndarray:
    """Monday-to-Friday days from ``start`` to ``end`` inclusive (day numbers)."""
    first = np.asarray(start, dtype=np.int64).astype("datetime64[D]")
    after = (np.asarray(end, dtype=np.int64) + 1).astype("datetime64[D]")
    return np.busday_count(first, after)



@dataclass(frozen=True)
class NeedSpec:
    """What the factors need to know about one staffing need and its engagement."""

    need_id: int
    organization_id: int
    seniority_rank: int
    language: str
    allocation: int
    start: int  # day number
    end: int
    skills: tuple[tuple[int, int], ...]  # (skill id, minimum level)
    sector: str
    is_public_administration: bool
    budget: float  # BAC
    committed_cost: float  # of the engagement's assignments, at their rates
    other_open_person_days: float  # of the engagement's other open needs

    @property
    def person_days(self) -> float:
        return self.allocation / 100 * int(working_days(self.start, self.end))


@dataclass
class MatchingData:
    """The bench as arrays, one row per consultant (sorted by id), plus what the needs'
    factors look up: skills, languages, sectors, rates, assignments, rated outcomes and
    the cultures in force."""

    ids: np.ndarray
    names: list[str]
    seniorities: list[str]
    seniority_rank: np.ndarray
    capacity: np.ndarray
    style: np.ndarray  # n x 4, clan adhocracy market hierarchy
    active: np.ndarray
    name_rank: np.ndarray  # position in (full_name, id) order: the ranking's tie-break
    skill_column: dict[int, int] = field(default_factory=dict)
    proficiency: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # n x skills
    speaks: dict[str, np.ndarray] = field(default_factory=dict)
    sector_years: dict[str, np.ndarray] = field(default_factory=dict)
    rate_row: np.ndarray = field(default_factory=lambda: _EMPTY)  # by (row, valid_from)
    rate_from: np.ndarray = field(default_factory=lambda: _EMPTY)
    rate_amount: np.ndarray = field(default_factory=lambda: _EMPTY)
    assignment_row: np.ndarray = field(default_factory=lambda: _EMPTY)
    assignment_allocation: np.ndarray = field(default_factory=lambda: _EMPTY)
    assignment_start: np.ndarray = field(default_factory=lambda: _EMPTY)
    assignment_end: np.ndarray = field(default_factory=lambda: _EMPTY)
    outcome_row: np.ndarray = field(default_factory=lambda: _EMPTY)
    outcome_signal: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # m x 4, NaN where the past client's culture is unknown
    outcome_culture: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    cultures: dict[int, np.ndarray] = field(default_factory=dict)  # organization -> current
    _rates_on: dict[int, np.ndarray] = field(default_factory=dict)
    _track_records: dict[int | None, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def rows_of(self, consultant_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row of each consultant id, and which ids are on the loaded bench."""
        rows = np.searchsorted(self.ids, consultant_ids)
        clipped = np.minimum(rows, max(self.size - 1, 0))
        known = (rows < self.size) & (self.ids[clipped] == consultant_ids) if self.size else (
            np.zeros(len(consultant_ids), dtype=bool)
        )
        return clipped, known

    def rate_on(self, day: int) -> np.ndarray:
        """Each consultant's day rate in force on ``day`` (NaN: no rate on record yet)."""
        if day not in self._rates_on:
            rates = np.full(self.size, np.nan)
            chosen = np.nonzero(self.rate_from <= day)[0]
            rows = self.rate_row[chosen]
            # Sorted by (row, valid_from): the last of each row's run is the one in force.
            last = np.append(rows[1:] != rows[:-1], True) if rows.size else rows.astype(bool)
            rates[rows[last]] = self.rate_amount[chosen[last]]
            self._rates_on[day] = rates
        return self._rates_on[day]

    def track_record(self, organization_id: int) -> np.ndarray:
        """Each consultant's track record for a client with this organization's culture."""
        target = self.cultures.get(organization_id)
        key = organization_id if target is not None else None
        if key not in self._track_records:
            if target is None:
                weight = np.ones(self.outcome_row.size)
            else:
                fit = 1.0 - np.abs(self.outcome_culture - target).sum(axis=1) / 200.0
                weight = np.where(np.isnan(fit), NEUTRAL, fit) ** SHARPNESS
            evidence = np.bincount(
                self.outcome_row, weights=weight * self.outcome_signal, minlength=self.size
            )
            total = np.bincount(self.outcome_row, weights=weight, minlength=self.size)
            self._track_records[key] = (evidence + PRIOR * NEUTRAL) / (total + PRIOR)
        return self._track_records[key]

