"""The stakeholder and risk formulas at their boundaries, in Python and in SQL.

Expected values are written out as tables (not recomputed with the formula under test), so a
wrong threshold comparison or an off-by-one fails here.
"""

from contextlib import contextmanager
from datetime import date

import pytest
from django.conf import settings
from django.test import override_settings

from stakeholders import classification
from stakeholders.choices import CommunicationFrequency, EngagementLevel, Quadrant, RiskRating
from stakeholders.models import CommunicationPlan, Risk, Stakeholder, add_interval
from tests.factories import OrganizationFactory, RiskFactory, StakeholderFactory

M, S, I, N = "manage_closely", "keep_satisfied", "keep_informed", "monitor"  # noqa: E741

# Rows are power 5 (top) to 1, columns interest 1 to 5: the grid as it is drawn.
DEFAULT_GRID = """
S S M M M
S S M M M
S S M M M
N N I I I
N N I I I
"""
# POWER_HIGH_FROM=4, INTEREST_HIGH_FROM=2.
SHIFTED_GRID = """
S M M M M
S M M M M
N I I I I
N I I I I
N I I I I
"""
CODES = {"M": M, "S": S, "I": I, "N": N}


def grid_cells(grid: str) -> list[tuple[int, int, str]]:
    """(power, interest, expected quadrant) for every cell of a written grid."""
    rows = grid.strip().splitlines()
    return [
        (5 - row_index, column_index + 1, CODES[code])
        for row_index, row in enumerate(rows)
        for column_index, code in enumerate(row.split())
    ]


@contextmanager
def thresholds(**changes):
    """PMO_THRESHOLDS with some values changed (the rest as configured)."""
    with override_settings(PMO_THRESHOLDS={**settings.PMO_THRESHOLDS, **changes}):
        yield


SHIFTED = {"POWER_HIGH_FROM": 4, "INTEREST_HIGH_FROM": 2}
RATINGS_LOWERED = {"RISK_MEDIUM_FROM": 4, "RISK_HIGH_FROM": 8, "RISK_CRITICAL_FROM": 20}


# --- Power/interest quadrant -----------------------------------------------------------------


def test_grids_cover_all_twenty_five_cells():
    for grid in (DEFAULT_GRID, SHIFTED_GRID):
        cells = grid_cells(grid)
        assert len(cells) == 25
        assert {(power, interest) for power, interest, _ in cells} == {
            (power, interest) for power in range(1, 6) for interest in range(1, 6)
        }


@pytest.mark.parametrize(("power", "interest", "expected"), grid_cells(DEFAULT_GRID))
def test_quadrant_with_default_thresholds(power, interest, expected):
    assert classification.power_interest_quadrant(power, interest) == expected


@pytest.mark.parametrize(("power", "interest", "expected"), grid_cells(SHIFTED_GRID))
def test_quadrant_with_overridden_thresholds(power, interest, expected):
    with thresholds(**SHIFTED):
        assert classification.power_interest_quadrant(power, interest) == expected


@pytest.mark.parametrize(
    ("power", "interest", "expected"),
    [
        (3, 3, Quadrant.MANAGE_CLOSELY),  # both exactly at the threshold: high
        (2, 3, Quadrant.KEEP_INFORMED),  # power one below
        (3, 2, Quadrant.KEEP_SATISFIED),  # interest one below
        (2, 2, Quadrant.MONITOR),
    ],
)
def test_quadrant_threshold_is_inclusive(power, interest, expected):
    assert classification.power_interest_quadrant(power, interest) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "grid"), [({}, DEFAULT_GRID), (SHIFTED, SHIFTED_GRID)], ids=["default", "shifted"]
)
def test_sql_quadrant_agrees_with_python_on_every_cell(changes, grid):
    organization = OrganizationFactory()
    for power in range(1, 6):
        for interest in range(1, 6):
            StakeholderFactory(organization=organization, power=power, interest=interest)
    expected = {(power, interest): quadrant for power, interest, quadrant in grid_cells(grid)}
    with thresholds(**changes):
        rows = Stakeholder.objects.with_classification().values_list(
            "power", "interest", "quadrant_value"
        )
        assert len(rows) == 25
        for power, interest, quadrant in rows:
            assert quadrant == expected[(power, interest)], (power, interest)
            assert quadrant == classification.power_interest_quadrant(power, interest)
        for quadrant in Quadrant.values:
            in_quadrant = set(
                Stakeholder.objects.in_quadrant(quadrant).values_list("power", "interest")
            )
            assert in_quadrant == {cell for cell, value in expected.items() if value == quadrant}


# --- Engagement gap --------------------------------------------------------------------------

SCALE = ["unaware", "resistant", "neutral", "supportive", "leading"]
PAIRS = [(current, desired) for current in SCALE for desired in SCALE]


@pytest.mark.parametrize(
    ("current", "desired", "gap"),
    [
        ("unaware", "leading", 4),
        ("leading", "unaware", -4),
        ("leading", "resistant", -3),
        ("resistant", "supportive", 2),
        ("neutral", "supportive", 1),
        ("supportive", "supportive", 0),
    ],
)
def test_engagement_gap_examples(current, desired, gap):
    assert classification.engagement_gap(current, desired) == gap


@pytest.mark.parametrize(("current", "desired"), PAIRS)
def test_engagement_gap_for_every_pair_of_levels(current, desired):
    assert classification.engagement_gap(current, desired) == (
        SCALE.index(desired) - SCALE.index(current)
    )


def test_engagement_scale_is_in_pmbok_order():
    assert EngagementLevel.values == SCALE


@pytest.mark.django_db
def test_sql_engagement_gap_agrees_with_python_for_every_pair():
    organization = OrganizationFactory()
    for current, desired in PAIRS:
        StakeholderFactory(
            organization=organization, current_engagement=current, desired_engagement=desired
        )
    rows = Stakeholder.objects.with_classification().values_list(
        "current_engagement", "desired_engagement", "engagement_gap_value"
    )
    assert len(rows) == len(PAIRS) == 25
    for current, desired, gap in rows:
        assert gap == SCALE.index(desired) - SCALE.index(current), (current, desired)
        assert gap == classification.engagement_gap(current, desired)


# --- Risk score and rating -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (1, RiskRating.LOW), (4, RiskRating.LOW), (5, RiskRating.MEDIUM),
        (9, RiskRating.MEDIUM), (10, RiskRating.HIGH), (14, RiskRating.HIGH),
        (15, RiskRating.CRITICAL), (25, RiskRating.CRITICAL),
    ],
)
def test_risk_rating_at_default_boundaries(score, rating):
    assert classification.risk_rating(score) == rating


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (3, RiskRating.LOW), (4, RiskRating.MEDIUM), (7, RiskRating.MEDIUM),
        (8, RiskRating.HIGH), (19, RiskRating.HIGH), (20, RiskRating.CRITICAL),
    ],
)
def test_risk_rating_with_overridden_thresholds(score, rating):
    with thresholds(**RATINGS_LOWERED):
        assert classification.risk_rating(score) == rating


@pytest.mark.parametrize(
    ("probability", "impact", "score", "rating"),
    [
        (2, 2, 4, RiskRating.LOW), (1, 5, 5, RiskRating.MEDIUM), (3, 3, 9, RiskRating.MEDIUM),
        (2, 5, 10, RiskRating.HIGH), (3, 4, 12, RiskRating.HIGH),
        (3, 5, 15, RiskRating.CRITICAL), (5, 5, 25, RiskRating.CRITICAL),
        (1, 1, 1, RiskRating.LOW),
    ],
)
def test_risk_properties(probability, impact, score, rating):
    risk = Risk(probability=probability, impact=impact)
    assert classification.risk_score(probability, impact) == score
    assert risk.score == score
    assert risk.rating == rating


@pytest.mark.django_db
@pytest.mark.parametrize("changes", [{}, RATINGS_LOWERED], ids=["default", "lowered"])
def test_sql_risk_score_and_rating_agree_with_python_for_every_cell(changes):
    organization = OrganizationFactory()
    for probability in range(1, 6):
        for impact in range(1, 6):
            RiskFactory(organization=organization, probability=probability, impact=impact)
    with thresholds(**changes):
        rows = Risk.objects.with_rating().values_list(
            "probability", "impact", "score_value", "rating_value"
        )
        assert len(rows) == 25
        for probability, impact, score, rating in rows:
            assert score == probability * impact
            assert rating == classification.risk_rating(probability * impact)


def test_risk_rating_score_ranges_with_default_thresholds():
    assert classification.risk_rating_score_range(RiskRating.LOW) == (1, 4)
    assert classification.risk_rating_score_range(RiskRating.MEDIUM) == (5, 9)
    assert classification.risk_rating_score_range(RiskRating.HIGH) == (10, 14)
    assert classification.risk_rating_score_range(RiskRating.CRITICAL) == (15, 25)


def test_risk_rating_score_ranges_with_overridden_thresholds():
    with thresholds(**RATINGS_LOWERED):
        assert classification.risk_rating_score_range("low") == (1, 3)
        assert classification.risk_rating_score_range("medium") == (4, 7)
        assert classification.risk_rating_score_range("high") == (8, 19)
        assert classification.risk_rating_score_range("critical") == (20, 25)


@pytest.mark.parametrize("changes", [{}, RATINGS_LOWERED], ids=["default", "lowered"])
def test_risk_rating_ranges_partition_the_scores_like_the_rating(changes):
    with thresholds(**changes):
        for score in range(1, 26):
            containing = [
                rating for rating in RiskRating.values
                if classification.risk_rating_score_range(rating)[0]
                <= score
                <= classification.risk_rating_score_range(rating)[1]
            ]
            assert containing == [classification.risk_rating(score)], score


def test_risk_rating_score_range_refuses_unknown_ratings():
    with pytest.raises(ValueError, match="extreme"):
        classification.risk_rating_score_range("extreme")


# --- Communication intervals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "frequency", "expected"),
    [
        (date(2024, 1, 1), "weekly", date(2024, 1, 8)),
        (date(2024, 12, 28), "weekly", date(2025, 1, 4)),
        (date(2024, 2, 22), "fortnightly", date(2024, 3, 7)),
        (date(2024, 3, 15), "monthly", date(2024, 4, 15)),
        (date(2023, 1, 31), "monthly", date(2023, 2, 28)),  # clamped, common year
        (date(2024, 1, 31), "monthly", date(2024, 2, 29)),  # clamped, leap year
        (date(2024, 3, 31), "monthly", date(2024, 4, 30)),
        (date(2024, 12, 15), "monthly", date(2025, 1, 15)),  # across the year end
        (date(2024, 11, 30), "quarterly", date(2025, 2, 28)),  # across the year end, clamped
        (date(2024, 12, 31), "quarterly", date(2025, 3, 31)),
        (date(2024, 10, 1), "quarterly", date(2025, 1, 1)),
        (date(2024, 8, 31), "semiannual", date(2025, 2, 28)),
        (date(2024, 5, 10), "ad_hoc", None),
    ],
)
def test_add_interval(start, frequency, expected):
    assert add_interval(start, frequency) == expected


def test_next_due_follows_the_last_communication_or_the_start():
    plan = CommunicationPlan(
        frequency=CommunicationFrequency.MONTHLY, starts_on=date(2024, 1, 10)
    )
    assert plan.compute_next_due(None) == date(2024, 1, 10)
    assert plan.compute_next_due(date(2024, 1, 31)) == date(2024, 2, 29)
    plan.frequency = CommunicationFrequency.AD_HOC
    assert plan.compute_next_due(None) is None
    assert plan.compute_next_due(date(2024, 1, 31)) is None


def test_overdue_means_active_and_due_before_today():
    plan = CommunicationPlan(next_due_on=date(2024, 5, 1), is_active=True)
    assert plan.is_overdue(date(2024, 5, 2))
    assert not plan.is_overdue(date(2024, 5, 1))  # due today is not late yet
    plan.is_active = False
    assert not plan.is_overdue(date(2024, 5, 2))
    assert not CommunicationPlan(next_due_on=None).is_overdue(date(2024, 5, 2))


# --- Threshold checks ------------------------------------------------------------------------


def _check_ids(**changes) -> list[str]:
    with thresholds(**changes):
        return [message.id for message in classification.check_thresholds()]


def test_configured_thresholds_pass_the_check():
    assert _check_ids() == []
    assert _check_ids(**SHIFTED, **RATINGS_LOWERED) == []


@pytest.mark.parametrize(
    "changes",
    [{"POWER_HIGH_FROM": 1}, {"POWER_HIGH_FROM": 6}, {"INTEREST_HIGH_FROM": 1},
     {"INTEREST_HIGH_FROM": 0}],
)
def test_grid_thresholds_off_the_scale_are_reported(changes):
    assert _check_ids(**changes) == ["stakeholders.E001"]


@pytest.mark.parametrize(
    "changes",
    [
        {"RISK_MEDIUM_FROM": 10},  # equal to high: not rising
        {"RISK_HIGH_FROM": 16},  # above critical
        {"RISK_CRITICAL_FROM": 26},  # beyond the largest score
        {"RISK_MEDIUM_FROM": 1},  # "low" would be empty
    ],
)
def test_risk_thresholds_out_of_order_are_reported(changes):
    assert _check_ids(**changes) == ["stakeholders.E002"]


def test_both_problems_are_reported_together():
    assert sorted(_check_ids(POWER_HIGH_FROM=9, RISK_CRITICAL_FROM=5)) == [
        "stakeholders.E001", "stakeholders.E002",
    ]


def test_threshold_check_is_registered_with_django():
    from django.core import checks

    with thresholds(INTEREST_HIGH_FROM=7):
        ids = {message.id for message in checks.run_checks()}
    assert "stakeholders.E001" in ids
