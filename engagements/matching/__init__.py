"""The matching engine: every consultant ranked for a staffing need, factor by factor.

The formulas, their edges and the default weights are published in docs/matching.md. Each
factor lies in [0, 1]; the score is ``100 * sum(w_f * f) / sum(w_f)`` to one decimal.

Performance is part of the contract: everything the factors need is read with a fixed
number of bulk ``values_list`` queries (never one per consultant) into numpy arrays, and
each factor is computed for the whole bench at once. :func:`load_matching_data` and
:func:`score_need` are shared with the global proposal (``proposals.py``), which loads once
and scores hundreds of needs against the same arrays.

The package, in the order the data flows:

* ``constants``: the published parameters of the formulas (factors, tables, prior);
* ``weights``: the weights in force and the validation of given ones;
* ``data``: ``MatchingData`` (the bench as arrays), ``NeedSpec`` and day numbers;
* ``loading``: the bulk loads from the database (``load_matching_data``);
* ``factors``: the vectorised factor formulas and ``score_need``;
* ``ranking``: ``rank_for_need`` and its ``Candidate``, ``Exclusion`` and ``Ranking``.

Everything callers use is re-exported here: import from ``engagements.matching``.
"""

from .constants import (
    FACTORS,
    NEUTRAL,
    PRIOR,
    PUBLIC_SECTOR_CREDIT,
    PUBLIC_SECTORS,
    SECTOR_FULL_YEARS,
    SENIORITY_FIT,
    SHARPNESS,
    SIGNAL_WEIGHTS,
)
from .data import MatchingData, NeedSpec, day_number, working_days
from .factors import (
    CANDIDATE,
    FULLY_BOOKED,
    INACTIVE,
    LANGUAGE,
    NeedScores,
    capacity_in_window,
    cost_factor,
    culture_factor,
    score_need,
    sector_factor,
    skills_factor,
)
from .loading import collection_paused, load_matching_data
from .ranking import Candidate, Exclusion, Ranking, rank_for_need, ranked_rows
from .weights import resolve_weights, validate_weights, weights_in_force

__all__ = [
    "CANDIDATE",
    "FACTORS",
    "FULLY_BOOKED",
    "INACTIVE",
    "LANGUAGE",
    "NEUTRAL",
    "PRIOR",
    "PUBLIC_SECTORS",
    "PUBLIC_SECTOR_CREDIT",
    "SECTOR_FULL_YEARS",
    "SENIORITY_FIT",
    "SHARPNESS",
    "SIGNAL_WEIGHTS",
    "Candidate",
    "Exclusion",
    "MatchingData",
    "NeedScores",
    "NeedSpec",
    "Ranking",
    "capacity_in_window",
    "collection_paused",
    "cost_factor",
    "culture_factor",
    "day_number",
    "load_matching_data",
    "rank_for_need",
    "ranked_rows",
    "resolve_weights",
    "score_need",
    "sector_factor",
    "skills_factor",
    "validate_weights",
    "weights_in_force",
    "working_days",
]
