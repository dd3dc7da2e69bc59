"""The bulk loads of the matching engine: the bench and the needs' context read with a fixed
number of ``values_list`` queries (never one per consultant) into ``MatchingData`` arrays
and ``NeedSpec``s."""

from __future__ import annotations

import gc
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db.models import FloatField
from django.db.models.functions import Cast

from ..choices import CULTURE_TYPES, SENIORITY_RANK, NeedStatus
from ..models import (
    Assignment,
    Consultant,
    ConsultantFitRating,
    ConsultantLanguage,
    ConsultantSector,
    ConsultantSkill,
    CultureAssessment,
    DayRate,
    Engagement,
    StaffingNeed,
    StaffingNeedSkill,
)
from .constants import PUBLIC_SECTORS, SIGNAL_WEIGHTS
from .data import _EMPTY, _EPOCH, MatchingData, NeedSpec, _day_numbers, day_number, working_days


@contextmanager
def collection_paused():
    """Hold off Python's cyclic garbage collector while bulk rows are read and results built.

    Reading 10^5 rows allocates that many tuples, then thousands of candidates; each 700
    net allocations start a collection, and the older generations' passes walk the whole
    heap (the Django process's objects included) to find nothing to free: a third of a
    10,000-consultant ranking's time. None of these objects form cycles; reference counting
    frees them, and the collector resumes (if it was running) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()



def _columns(rows: list[tuple], count: int) -> list[tuple]:
    return list(zip(*rows, strict=True)) if rows else [()] * count


def _in_force(rows: list[tuple]) -> dict[int, np.ndarray]:
    """First profile per organization of rows ordered newest first within each."""
    profiles: dict[int, np.ndarray] = {}
    for organization_id, *profile in rows:
        if organization_id not in profiles:
            profiles[organization_id] = np.array([float(v) for v in profile])
    return profiles


def load_matching_data(
    needs: Sequence[StaffingNeed], *, consultant_ids: Collection[int] | None = None
) -> tuple[MatchingData, list[NeedSpec]]:
    """Read the bench and the needs' context with a fixed number of queries (at most 12,
    however many consultants and needs)."""
    context = _NeedsContext.load(needs)
    restrict = None if consultant_ids is None else {int(pk) for pk in consultant_ids}

    def scoped(queryset, name="consultant_id"):
        return queryset if restrict is None else queryset.filter(**{f"{name}__in": restrict})

    data = _load_consultants(scoped(Consultant.objects.all(), "pk"))
    _load_skills(data, scoped(ConsultantSkill.objects.all()), context.skill_ids)
    _load_languages(data, scoped(ConsultantLanguage.objects.all()),
                    sorted({need.language for need in needs if need.language}))
    _load_sectors(data, scoped(ConsultantSector.objects.all()), context.sectors)
    latest_day = max([day_number(need.start_on) for need in needs]
                     + [day_number(row[3]) for row in context.team], default=0)
    team_ids = {row[1] for row in context.team}
    rates = (DayRate.objects.all() if restrict is None
             else DayRate.objects.filter(consultant_id__in=restrict | team_ids))
    rate_rows = _load_rates(data, rates.filter(valid_from__lte=_EPOCH + timedelta(
        days=latest_day)))
    if needs:
        first, last = min(need.start_on for need in needs), max(need.end_on for need in needs)
        _load_assignments(data, scoped(Assignment.objects.overlapping(first, last)))
    _load_outcomes_and_cultures(data, scoped(ConsultantFitRating.objects.all()),
                                context.organizations)
    return data, context.specs(needs, rate_rows)


@dataclass
class _NeedsContext:
    """The needs' engagements (organization, sector, budget), required skills, the
    engagements' open needs and current assignments: four queries."""

    engagements: dict[int, tuple]
    required: dict[int, list[tuple[int, int]]]
    open_needs: list[tuple]
    team: list[tuple]

    @classmethod
    def load(cls, needs: Sequence[StaffingNeed]) -> _NeedsContext:
        engagement_ids = {need.engagement_id for need in needs}
        engagements = {
            row[0]: row for row in Engagement.objects.filter(pk__in=engagement_ids).values_list(
                "pk", "organization_id", "organization__sector",
                "organization__is_public_administration", "budget_at_completion",
            ).order_by()
        }
        required: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for need_id, skill_id, level in StaffingNeedSkill.objects.filter(
            need_id__in=[need.pk for need in needs]
        ).values_list("need_id", "skill_id", "minimum_level").order_by("need_id", "skill_id"):
            required[need_id].append((skill_id, level))
        open_needs = list(
            StaffingNeed.objects.filter(engagement_id__in=engagement_ids, status=NeedStatus.OPEN)
            .values_list("engagement_id", "pk", "allocation_percent", "start_on", "end_on")
            .order_by()
        )
        team = list(
            Assignment.objects.filter(engagement_id__in=engagement_ids)
            .values_list("engagement_id", "consultant_id", "allocation_percent", "start_on",
                         "end_on").order_by()
        )
        return cls(engagements, required, open_needs, team)

    @property
    def skill_ids(self) -> list[int]:
        return sorted({skill for pairs in self.required.values() for skill, _ in pairs})

    @property
    def sectors(self) -> list[str]:
        return sorted({row[2] for row in self.engagements.values()} | set(PUBLIC_SECTORS))

    @property
    def organizations(self) -> set[int]:
        return {row[1] for row in self.engagements.values()}

    def specs(self, needs: Sequence[StaffingNeed], rate_rows: list[tuple]) -> list[NeedSpec]:
        committed = _committed_costs(self.team, rate_rows)
        open_person_days = _open_person_days(self.open_needs)
        specs = []
        for need in needs:
            engagement_id, organization_id, sector, is_public, budget = self.engagements[
                need.engagement_id
            ]
            others = open_person_days[engagement_id]
            specs.append(NeedSpec(
                need_id=need.pk, organization_id=organization_id,
                seniority_rank=SENIORITY_RANK[need.seniority], language=need.language,
                allocation=need.allocation_percent, start=day_number(need.start_on),
                end=day_number(need.end_on), skills=tuple(self.required.get(need.pk, ())),
                sector=sector, is_public_administration=is_public, budget=float(budget),
                committed_cost=committed.get(engagement_id, 0.0),
                other_open_person_days=sum(others.values()) - others.get(need.pk, 0.0),
            ))
        return specs


def _load_consultants(queryset) -> MatchingData:
    rows = list(queryset.values_list(
        "pk", "full_name", "seniority", "capacity_percent", "style_clan", "style_adhocracy",
        "style_market", "style_hierarchy", "is_active",
    ).order_by("pk"))
    ids, names, seniorities, capacity, *style, active = _columns(rows, 9)
    ids = np.array(ids, dtype=np.int64)
    # Code-point order of the names (Python's and numpy's alike), then id.
    order = np.lexsort((ids, np.array(names, dtype=str))) if rows else _EMPTY
    name_rank = np.empty(ids.size, dtype=np.int64)
    name_rank[order] = np.arange(ids.size)
    return MatchingData(
        ids=ids, names=list(names), seniorities=list(seniorities),
        seniority_rank=np.array([SENIORITY_RANK[s] for s in seniorities], dtype=np.int64),
        capacity=np.array(capacity, dtype=np.int64),
        style=np.array(style, dtype=float).T.reshape(ids.size, 4),
        active=np.array(active, dtype=bool), name_rank=name_rank,
        proficiency=np.zeros((ids.size, 0)),
    )


def _load_skills(data: MatchingData, queryset, skill_ids: list[int]) -> None:
    """Proficiency (0 when missing) in each skill the needs require."""
    if not skill_ids:
        return
    data.skill_column = {skill: column for column, skill in enumerate(skill_ids)}
    data.proficiency = np.zeros((data.size, len(skill_ids)))
    rows = list(queryset.filter(skill_id__in=skill_ids).values_list(
        "consultant_id", "skill_id", "proficiency").order_by())
    owner, skill, level = (np.array(c, dtype=np.int64) for c in _columns(rows, 3))
    at, known = data.rows_of(owner)
    columns = np.array([data.skill_column[s] for s in skill[known].tolist()], dtype=np.int64)
    data.proficiency[at[known], columns] = level[known]


def _load_languages(data: MatchingData, queryset, languages: list[str]) -> None:
    """Who speaks each language a need asks for."""
    if not languages:
        return
    rows = list(queryset.filter(language__in=languages).values_list(
        "consultant_id", "language").order_by())
    owner, language = (np.array(c) for c in _columns(rows, 2))
    for name in languages:
        at, known = data.rows_of(owner[language == name].astype(np.int64))
        data.speaks[name] = np.zeros(data.size, dtype=bool)
        data.speaks[name][at[known]] = True


def _load_sectors(data: MatchingData, queryset, sectors: list[str]) -> None:
    """Years of experience in each sector the factors look at (0 when none)."""
    rows = list(queryset.filter(sector__in=sectors).values_list(
        "consultant_id", "sector", "years").order_by())
    owner, sector, years = (np.array(c) for c in _columns(rows, 3))
    for name in sectors:
        chosen = sector == name
        at, known = data.rows_of(owner[chosen].astype(np.int64))
        data.sector_years[name] = np.zeros(data.size)
        data.sector_years[name][at[known]] = years[chosen][known]


def _load_rates(data: MatchingData, queryset) -> list[tuple]:
    """Day rates sorted by consultant and start; the rows, for the committed costs."""
    rows = list(queryset.values_list("consultant_id", "valid_from",
                                     Cast("amount", FloatField()))
                .order_by("consultant_id", "valid_from"))
    owner, valid_from, amount = _columns(rows, 3)
    at, known = data.rows_of(np.array(owner, dtype=np.int64))
    data.rate_row = at[known]
    data.rate_from = _day_numbers(valid_from)[known]
    data.rate_amount = np.array(amount, dtype=float)[known]
    return rows


def _load_assignments(data: MatchingData, queryset) -> None:
    rows = list(queryset.values_list(
        "consultant_id", "allocation_percent", "start_on", "end_on").order_by())
    owner, allocation, start_on, end_on = _columns(rows, 4)
    at, known = data.rows_of(np.array(owner, dtype=np.int64))
    data.assignment_row = at[known]
    data.assignment_allocation = np.array(allocation, dtype=np.int64)[known]
    data.assignment_start = _day_numbers(start_on)[known]
    data.assignment_end = _day_numbers(end_on)[known]


def _load_outcomes_and_cultures(data: MatchingData, ratings, organizations: set[int]) -> None:
    """Each rated outcome's signal and past culture, and the cultures in force of the
    needs' clients and of past clients without a snapshot (two queries)."""
    rows = list(ratings.values_list(
        "consultant_id", "values_match", "values_fit", "culture_fit",
        "outcome__client_satisfaction", "outcome__on_time",
        *(Cast(f"outcome__culture_{kind}", FloatField()) for kind in CULTURE_TYPES),
        "outcome__engagement__organization_id",
    ).order_by())
    organizations = organizations | {row[10] for row in rows if row[6] is None}
    data.cultures = _in_force(list(
        CultureAssessment.objects.filter(organization_id__in=organizations).values_list(
            "organization_id", "current_clan", "current_adhocracy", "current_market",
            "current_hierarchy").order_by("organization_id", "-assessed_on", "-id")
    ))
    if not rows:
        return
    owner, match, fit, culture, satisfaction, on_time, *snapshot, organization = _columns(
        rows, 11
    )
    at, known = data.rows_of(np.array(owner, dtype=np.int64))
    perceived = (np.array(match) + np.array(fit) + np.array(culture)) / 3.0
    signal = (
        SIGNAL_WEIGHTS["perceived_fit"] * (perceived - 1) / 6
        + SIGNAL_WEIGHTS["satisfaction"] * (np.array(satisfaction) - 1) / 4
        + SIGNAL_WEIGHTS["on_time"] * np.array(on_time, dtype=float)
    )
    cultures = np.array(snapshot, dtype=float).T  # None (no snapshot) becomes NaN
    for index in np.flatnonzero(np.isnan(cultures[:, 0])).tolist():
        cultures[index] = data.cultures.get(organization[index], np.nan)
    data.outcome_row = at[known]
    data.outcome_signal = signal[known]
    data.outcome_culture = cultures[known]


def _open_person_days(open_needs: list[tuple]) -> dict[int, dict[int, float]]:
    """Person-days of each open need (allocation x working days), by engagement."""
    engagement, need, allocation, start, end = _columns(open_needs, 5)
    days = working_days(_day_numbers(start), _day_numbers(end)) if open_needs else []
    grouped: dict[int, dict[int, float]] = defaultdict(dict)
    for engagement_id, need_id, share, count in zip(
        engagement, need, allocation, np.asarray(days).tolist(), strict=True
    ):
        grouped[engagement_id][need_id] = share / 100 * count
    return grouped


def _committed_costs(team: list[tuple], rate_rows: list[tuple]) -> dict[int, float]:
    """Cost of each engagement's assignments at the rate in force on their start dates.

    An assignment without a rate on its start date adds nothing it could be priced at.
    """
    members = {row[1] for row in team}
    rates: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for consultant_id, valid_from, amount in rate_rows:  # sorted by consultant, valid_from
        if consultant_id in members:
            rates[consultant_id].append((valid_from, float(amount)))
    committed: dict[int, float] = defaultdict(float)
    for engagement_id, consultant_id, allocation, start, end in team:
        history = rates.get(consultant_id, ())
        position = bisect_right(history, (start, float("inf")))
        if position:
            days = int(working_days(day_number(start), day_number(end)))
            committed[engagement_id] += history[position - 1][1] * allocation / 100 * days
    return committed

