"""Culture formulas (docs/matching.md): distance, fit, the OCAI profile and the dominant type."""

import random
from decimal import Decimal

import pytest

from engagements.choices import CULTURE_TYPES
from engagements.classification import culture_distance, culture_fit, dominant_type, ocai_profile

EVEN = (25, 25, 25, 25)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        (EVEN, EVEN, 0.0),
        ((100, 0, 0, 0), (0, 100, 0, 0), 1.0),  # all points on different types
        ((0, 0, 0, 100), (100, 0, 0, 0), 1.0),
        ((100, 0, 0, 0), EVEN, 0.75),  # 75 + 25 + 25 + 25 = 150 of 200
        ((40, 40, 10, 10), (70, 10, 10, 10), 0.3),
        ((10, 55, 15, 20), (15, 10, 20, 55), 0.45),
    ],
)
def test_distance_is_l1_over_200_and_fit_its_complement(a, b, distance):
    assert culture_distance(a, b) == pytest.approx(distance)
    assert culture_distance(b, a) == pytest.approx(distance)
    assert culture_fit(a, b) == pytest.approx(1 - distance)


def test_decimals_and_floats_mix():
    current = (Decimal("33.34"), Decimal("33.33"), Decimal("33.33"), Decimal("0.00"))
    assert culture_fit(current, (33.34, 33.33, 33.33, 0.0)) == pytest.approx(1.0)
    assert culture_distance(current, (0, 0, 0, 100)) == pytest.approx(1.0)


def test_profiles_of_other_lengths_are_refused():
    with pytest.raises(ValueError, match=r"shorter|longer"):
        culture_distance((50, 50, 0), EVEN)


def test_one_answer_is_its_own_profile_to_the_cent():
    assert ocai_profile([(10, 20, 30, 40)]) == tuple(
        Decimal(v).quantize(Decimal("0.01")) for v in (10, 20, 30, 40)
    )


def test_thirds_round_by_largest_remainder_ties_to_the_earlier_type():
    profile = ocai_profile([(100, 0, 0, 0), (0, 100, 0, 0), (0, 0, 100, 0)])
    # 33.333... three times: 99.99 after flooring; the missing cent goes to clan.
    assert profile == (Decimal("33.34"), Decimal("33.33"), Decimal("33.33"), Decimal("0.00"))
    assert sum(profile) == Decimal("100.00")


def test_the_largest_remainder_wins_the_cents():
    # Means: 16.666..., 16.666..., 33.333..., 33.333... (floors 16.66 16.66 33.33 33.33 =
    # 99.98): the two .0066 remainders beat the two .0033 ones.
    answers = [(50, 0, 50, 0), (0, 50, 0, 50), (0, 0, 50, 50), (0, 0, 0, 100), (50, 50, 0, 0),
               (0, 0, 100, 0)]
    profile = ocai_profile(answers)
    assert profile == (Decimal("16.67"), Decimal("16.67"), Decimal("33.33"), Decimal("33.33"))


@pytest.mark.parametrize("seed", range(25))
def test_profiles_always_add_up_to_exactly_100_within_a_cent_of_the_means(seed):
    rng = random.Random(seed)
    answers = []
    for _ in range(rng.randint(1, 12)):
        cuts = sorted(rng.randint(0, 100) for _ in range(3))
        answers.append((cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 100 - cuts[2]))
    profile = ocai_profile(answers)
    assert sum(profile) == Decimal("100.00")
    for i, value in enumerate(profile):
        mean = Decimal(sum(answer[i] for answer in answers)) / len(answers)
        assert abs(value - mean) < Decimal("0.01")
        assert value == value.quantize(Decimal("0.01"))
        assert value >= 0


@pytest.mark.parametrize(
    "answers",
    [
        [],
        [(50, 50, 0)],  # three types
        [(50, 50, 0, 0, 0)],
        [(50, 50, 10, 0)],  # 110 points
        [(50, 40, 0, 0)],  # 90 points
        [(120, -20, 0, 0)],  # negative
        [(25, 25, 25, 25), (30, 30, 30, 30)],  # one bad answer among good ones
    ],
)
def test_bad_answers_are_refused(answers):
    with pytest.raises(ValueError, match="answer"):
        ocai_profile(answers)


@pytest.mark.parametrize(
    ("profile", "dominant"),
    [
        ((10, 55, 15, 20), "adhocracy"),
        ((15, 10, 20, 55), "hierarchy"),
        ((Decimal("40.5"), Decimal("40.5"), 10, 9), "clan"),  # tie: the earlier type
        ((0, 0, 50, 50), "market"),
        (EVEN, "clan"),
    ],
)
def test_dominant_type(profile, dominant):
    assert dominant_type(profile) == dominant
    assert dominant in CULTURE_TYPES
