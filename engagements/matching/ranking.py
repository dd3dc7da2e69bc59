"""Every consultant ranked for one staffing need: candidates best first with their factors,
then the excluded with the reason."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from ..choices import Language
from ..models import StaffingNeed
from .constants import FACTORS
from .data import MatchingData, NeedSpec
from .factors import CANDIDATE, INACTIVE, LANGUAGE, NeedScores, score_need
from .loading import collection_paused, load_matching_data
from .weights import resolve_weights


@dataclass(frozen=True)
class Candidate:
    """A consultant ranked for a need: the score (0-100), its factors (each in [0, 1]),
    whether the need fits their free capacity on every day, and their lowest free capacity
    in the window."""

    consultant_id: int
    full_name: str
    seniority: str
    score: float
    breakdown: dict[str, float]
    assignable: bool
    free_percent: int


@dataclass(frozen=True)
class Exclusion:
    """A consultant a hard constraint keeps out of the ranking, and why."""

    consultant_id: int
    full_name: str
    reason: str


@dataclass(frozen=True)
class Ranking:
    """Every consultant for one need: the candidates best first, then the excluded."""

    need_id: int
    weights: dict[str, int]
    candidates: list[Candidate]
    excluded: list[Exclusion]



def _reason(code: int, spec: NeedSpec, need: StaffingNeed) -> str:
    if code == INACTIVE:
        return "Inactive"
    if code == LANGUAGE:
        return f"Does not work in {dict(Language.choices).get(spec.language, spec.language)}"
    return f"No free capacity on any day from {need.start_on} to {need.end_on}"


def ranked_rows(data: MatchingData, scores: NeedScores, rows: np.ndarray) -> np.ndarray:
    """``rows`` in ranking order: score descending, then full name, then id."""
    return rows[np.lexsort((data.name_rank[rows], -scores.score[rows]))]


def rank_for_need(
    need: StaffingNeed,
    *,
    weights: Mapping[str, int] | None = None,
    consultant_ids: Collection[int] | None = None,
) -> Ranking:
    """Rank every consultant (or those of ``consultant_ids``) for ``need``.

    Candidates come best first with each factor of their score; inactive consultants, those
    who do not speak the need's language and those with no free capacity on any day of the
    window are listed as excluded, with the reason. Weights default to those in force;
    given weights are validated (``ValidationError``).
    """
    in_force = resolve_weights(weights)
    with collection_paused():
        return _ranking(need, in_force, consultant_ids)


def _ranking(need, in_force, consultant_ids) -> Ranking:
    data, (spec,) = load_matching_data([need], consultant_ids=consultant_ids)
    scores = score_need(data, spec, in_force)
    rows = ranked_rows(data, scores, np.nonzero(scores.status == CANDIDATE)[0])
    breakdowns = np.round(scores.factors[rows], 4).tolist()
    ids, score = data.ids[rows].tolist(), scores.score[rows].tolist()
    assignable, free = scores.assignable[rows].tolist(), scores.free_percent[rows].tolist()
    candidates = [
        Candidate(
            consultant_id=ids[k], full_name=data.names[row], seniority=data.seniorities[row],
            score=score[k], breakdown=dict(zip(FACTORS, breakdowns[k], strict=True)),
            assignable=assignable[k], free_percent=free[k],
        )
        for k, row in enumerate(rows.tolist())
    ]
    out = np.nonzero(scores.status != CANDIDATE)[0]
    out = out[np.argsort(data.name_rank[out])]
    codes = scores.status[out].tolist()
    reasons = {code: _reason(code, spec, need) for code in set(codes)}
    excluded = [
        Exclusion(consultant_id, data.names[row], reasons[code])
        for consultant_id, row, code in zip(data.ids[out].tolist(), out.tolist(), codes,
                                            strict=True)
    ]
    return Ranking(need_id=need.pk, weights=in_force, candidates=candidates, excluded=excluded)
