"""Culture formulas shared by the bench, culture assessments and matching.

Published in docs/matching.md; the matching factors themselves live in the ``matching`` package.
Profiles are sequences of four numbers in the order of ``choices.CULTURE_TYPES``
(clan, adhocracy, market, hierarchy) that add up to 100.
"""

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

CENT = Decimal("0.01")


def culture_distance(a: Sequence[float | Decimal], b: Sequence[float | Decimal]) -> float:
    """L1 distance between two profiles divided by its maximum (200): 0 same, 1 opposite.

    Two profiles of 100 points each differ by at most 200 points (all of one profile's
    points on types where the other has none), so the ratio lies in [0, 1].
    """
    return sum(abs(float(x) - float(y)) for x, y in zip(a, b, strict=True)) / 200.0


def culture_fit(a: Sequence[float | Decimal], b: Sequence[float | Decimal]) -> float:
    """Similarity of two profiles in [0, 1]: ``1 - L1 / 200``."""
    return 1.0 - culture_distance(a, b)


def ocai_profile(answers: Sequence[Sequence[int]]) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The OCAI profile of a set of answers: the mean points per type, to two decimals.

    Each answer splits 100 points over the four types. Means rounded independently can add
    up to 99.99 or 100.01; the largest-remainder method (floor every mean to the cent, then
    give the missing cents to the largest remainders, ties to the earlier type) keeps the
    profile at exactly 100.00.
    """
    if not answers:
        raise ValueError("An OCAI profile needs at least one answer.")
    for answer in answers:
        if len(answer) != 4 or sum(answer) != 100 or min(answer) < 0:
            raise ValueError("Each answer must split exactly 100 points over four types.")
    count = Decimal(len(answers))
    means = [Decimal(sum(answer[i] for answer in answers)) / count for i in range(4)]
    floors = [mean.quantize(CENT, rounding=ROUND_FLOOR) for mean in means]
    missing_cents = int((Decimal(100) - sum(floors)) / CENT)
    order = sorted(range(4), key=lambda i: (-(means[i] - floors[i]), i))
    for i in order[:missing_cents]:
        floors[i] += CENT
    return tuple(floors)  # type: ignore[return-value]


def dominant_type(profile: Sequence[float | Decimal]) -> str:
    """The culture type with the most points (the first one on a tie)."""
    from .choices import CULTURE_TYPES

    values = [float(v) for v in profile]
    return CULTURE_TYPES[values.index(max(values))]
