"""The ranking engine: each factor at its edges, exclusions, ordering, weights, query count."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.choices import Seniority
from engagements import classification
from engagements.choices import Language
from engagements.matching import FACTORS, rank_for_need, weights_in_force
from engagements.models import MatchingWeights
from engagements.models.matching import DEFAULT_WEIGHTS
from stakeholders.choices import Sector
from tests.factories import (
    AssignmentFactory,
    ConsultantFactory,
    ConsultantFitRatingFactory,
    ConsultantLanguageFactory,
    ConsultantSectorFactory,
    ConsultantSkillFactory,
    CultureAssessmentFactory,
    DayRateFactory,
    EngagementFactory,
    OrganizationFactory,
    SkillFactory,
    StaffingNeedFactory,
    StaffingNeedSkillFactory,
)

pytestmark = pytest.mark.django_db

# A Monday to the Friday of the next week: 12 calendar days, 10 working days.
START, END = date(2030, 3, 4), date(2030, 3, 15)
ONLY = dict.fromkeys(FACTORS, 0)


def make_need(*, organization=None, budget=Decimal(0), skills=None, **fields):
    """An open need (50 %, START-END, senior) of a health-sector private client."""
    organization = organization or OrganizationFactory(
        sector=Sector.HEALTH, is_public_administration=False
    )
    engagement = EngagementFactory(
        organization=organization, budget_at_completion=budget,
        planned_start=fields.get("start_on", START), planned_end=fields.get("end_on", END),
    )
    fields = {"seniority": Seniority.SENIOR, "allocation_percent": 50, "start_on": START,
              "end_on": END, **fields}
    need = StaffingNeedFactory(engagement=engagement, **fields)
    for skill, level in (skills or {}).items():
        StaffingNeedSkillFactory(need=need, skill=skill, minimum_level=level)
    return need


def candidate_of(ranking, consultant):
    matches = [c for c in ranking.candidates if c.consultant_id == consultant.pk]
    assert len(matches) == 1, f"{consultant} is not a candidate: {ranking.excluded}"
    return matches[0]


def factor(need, consultant, name, **kwargs) -> float:
    ranking = rank_for_need(need, consultant_ids=[consultant.pk], **kwargs)
    return candidate_of(ranking, consultant).breakdown[name]


def busy(consultant, allocation, start, end):
    return AssignmentFactory(consultant=consultant, allocation_percent=allocation,
                             start_on=start, end_on=end)


# --- Skills -------------------------------------------------------------------------------------


def test_skills_is_one_when_the_need_requires_none():
    assert factor(make_need(), ConsultantFactory(), "skills") == 1.0


def test_skills_gives_partial_credit_below_the_level_and_none_when_missing():
    planning, risk, agile = SkillFactory(), SkillFactory(), SkillFactory()
    need = make_need(skills={planning: 4, risk: 2, agile: 3})
    consultant = ConsultantFactory()
    ConsultantSkillFactory(consultant=consultant, skill=planning, proficiency=2)  # 2/4
    ConsultantSkillFactory(consultant=consultant, skill=risk, proficiency=5)  # capped at 1
    # agile missing: 0
    assert factor(need, consultant, "skills") == pytest.approx((0.5 + 1 + 0) / 3, abs=1e-4)
    expert = ConsultantFactory()
    for skill in (planning, risk, agile):
        ConsultantSkillFactory(consultant=expert, skill=skill, proficiency=5)
    assert factor(need, expert, "skills") == 1.0
    novice = ConsultantFactory()
    ConsultantSkillFactory(consultant=novice, skill=SkillFactory(), proficiency=5)  # unrelated
    assert factor(need, novice, "skills") == 0.0


# --- Seniority ----------------------------------------------------------------------------------

RANKS = [Seniority.JUNIOR, Seniority.MID, Seniority.SENIOR, Seniority.PRINCIPAL]
SENIORITY_BY_DIFFERENCE = {-3: 0.0, -2: 0.0, -1: 0.4, 0: 1.0, 1: 0.8, 2: 0.6, 3: 0.4}


@pytest.mark.parametrize("required", RANKS)
def test_seniority_fit_by_rank_difference(required):
    need = make_need(seniority=required)
    consultants = {level: ConsultantFactory(seniority=level) for level in RANKS}
    ranking = rank_for_need(need)
    for level, consultant in consultants.items():
        difference = RANKS.index(level) - RANKS.index(required)
        assert candidate_of(ranking, consultant).breakdown["seniority"] == (
            SENIORITY_BY_DIFFERENCE[difference]
        ), (level, required)


# --- Sector -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("years", "expected"), [(None, 0.0), (1, 0.2), (4, 0.8), (5, 1.0),
                                                 (12, 1.0)])
def test_sector_counts_years_in_the_clients_sector_up_to_five(years, expected):
    need = make_need()  # a health client, not public
    consultant = ConsultantFactory()
    if years:
        ConsultantSectorFactory(consultant=consultant, sector=Sector.HEALTH, years=years)
    ConsultantSectorFactory(consultant=consultant, sector=Sector.FINANCE, years=20)
    assert factor(need, consultant, "sector") == pytest.approx(expected)


def test_public_sector_years_count_at_sixty_percent_for_any_public_client():
    public_health = OrganizationFactory(sector=Sector.HEALTH, is_public_administration=True)
    need = make_need(organization=public_health)
    civil_servant = ConsultantFactory()
    ConsultantSectorFactory(consultant=civil_servant, sector=Sector.LOCAL, years=2)
    ConsultantSectorFactory(consultant=civil_servant, sector=Sector.REGIONAL, years=2)
    assert factor(need, civil_servant, "sector") == pytest.approx(0.6 * 4 / 5)
    ConsultantSectorFactory(consultant=civil_servant, sector=Sector.GOVERNMENT, years=9)
    assert factor(need, civil_servant, "sector") == pytest.approx(0.6)
    # The larger of the two credits: one health year (0.2) loses to 0.6, four (0.8) win.
    ConsultantSectorFactory(consultant=civil_servant, sector=Sector.HEALTH, years=4)
    assert factor(need, civil_servant, "sector") == pytest.approx(0.8)
    # A private client gives public years no credit.
    assert factor(make_need(), civil_servant, "sector") == pytest.approx(0.8)
    private = ConsultantFactory()
    ConsultantSectorFactory(consultant=private, sector=Sector.LOCAL, years=10)
    assert factor(make_need(), private, "sector") == 0.0


# --- Culture ------------------------------------------------------------------------------------


def test_culture_is_the_fit_with_the_clients_newest_assessment():
    organization = OrganizationFactory()
    CultureAssessmentFactory(organization=organization, assessed_on=date(2024, 5, 1),
                             current_clan=70, current_adhocracy=10, current_market=10,
                             current_hierarchy=10)
    CultureAssessmentFactory(organization=organization, assessed_on=date(2022, 1, 1))
    consultant = ConsultantFactory(style_clan=40, style_adhocracy=40, style_market=10,
                                   style_hierarchy=10)
    need = make_need(organization=organization)
    expected = classification.culture_fit((40, 40, 10, 10), (70, 10, 10, 10))
    assert expected == pytest.approx(0.7)
    assert factor(need, consultant, "culture") == pytest.approx(expected)


def test_culture_is_neutral_when_the_client_has_no_assessment():
    consultant = ConsultantFactory(style_clan=100, style_adhocracy=0, style_market=0,
                                   style_hierarchy=0)
    assert factor(make_need(), consultant, "culture") == 0.5


# --- Availability -------------------------------------------------------------------------------


def test_availability_is_the_share_of_days_with_enough_free_capacity():
    consultant = ConsultantFactory()
    busy(consultant, 60, date(2030, 3, 1), date(2030, 3, 9))  # 6 of the 12 days at 40 % free
    busy(consultant, 100, date(2030, 2, 1), date(2030, 3, 3))  # before the window
    ranking = rank_for_need(make_need(allocation_percent=50), consultant_ids=[consultant.pk])
    match = candidate_of(ranking, consultant)
    assert match.breakdown["availability"] == 0.5
    assert (match.assignable, match.free_percent) == (False, 40)
    ranking = rank_for_need(make_need(allocation_percent=40), consultant_ids=[consultant.pk])
    match = candidate_of(ranking, consultant)
    assert (match.breakdown["availability"], match.assignable, match.free_percent) == (
        1.0, True, 40
    )


def test_overlapping_assignments_add_up_day_by_day():
    consultant = ConsultantFactory()
    busy(consultant, 30, date(2030, 3, 4), date(2030, 3, 12))
    busy(consultant, 30, date(2030, 3, 12), date(2030, 3, 15))  # 60 % on the 12th only
    match = candidate_of(rank_for_need(make_need(allocation_percent=50)), consultant)
    assert match.breakdown["availability"] == pytest.approx(11 / 12, abs=1e-4)
    assert (match.assignable, match.free_percent) == (False, 40)


def test_a_part_time_consultant_below_the_allocation_stays_a_candidate():
    consultant = ConsultantFactory(capacity_percent=30)
    match = candidate_of(rank_for_need(make_need(allocation_percent=50)), consultant)
    assert (match.breakdown["availability"], match.assignable, match.free_percent) == (
        0.0, False, 30
    )


def test_consultants_without_free_capacity_on_any_day_are_excluded():
    full, partly = ConsultantFactory(full_name="Full"), ConsultantFactory(full_name="Partly")
    busy(full, 100, date(2030, 3, 1), date(2030, 3, 20))
    busy(partly, 100, date(2030, 3, 1), date(2030, 3, 14))  # free on the last day
    ranking = rank_for_need(make_need())
    assert [(e.full_name, e.reason) for e in ranking.excluded] == [
        ("Full", "No free capacity on any day from 2030-03-04 to 2030-03-15")
    ]
    match = candidate_of(ranking, partly)
    assert match.breakdown["availability"] == pytest.approx(1 / 12, abs=1e-4)
    assert match.free_percent == 0


# --- Hard filters -------------------------------------------------------------------------------


def test_language_and_activity_are_hard_filters_with_reasons():
    speaker = ConsultantFactory(full_name="Ana")
    ConsultantLanguageFactory(consultant=speaker, language=Language.SPANISH)
    english = ConsultantFactory(full_name="Bob")
    ConsultantLanguageFactory(consultant=english, language=Language.ENGLISH)
    silent = ConsultantFactory(full_name="Cy")
    retired = ConsultantFactory(full_name="Abe", is_active=False)  # no Spanish either
    ranking = rank_for_need(make_need(language=Language.SPANISH))
    assert [c.full_name for c in ranking.candidates] == ["Ana"]
    assert [(e.consultant_id, e.reason) for e in ranking.excluded] == [
        (retired.pk, "Inactive"),
        (english.pk, "Does not work in Spanish"),
        (silent.pk, "Does not work in Spanish"),
    ]
    anyone = rank_for_need(make_need(language=""))
    assert {c.full_name for c in anyone.candidates} == {"Ana", "Bob", "Cy"}
    assert [e.reason for e in anyone.excluded] == ["Inactive"]


def test_every_consultant_is_either_ranked_or_excluded_and_the_filter_narrows():
    consultants = ConsultantFactory.create_batch(5)
    consultants[0].is_active = False
    consultants[0].save()
    ranking = rank_for_need(make_need())
    assert len(ranking.candidates) + len(ranking.excluded) == 5
    chosen = [consultants[0].pk, consultants[3].pk]
    narrowed = rank_for_need(make_need(), consultant_ids=chosen)
    assert [c.consultant_id for c in narrowed.candidates] == [consultants[3].pk]
    assert [e.consultant_id for e in narrowed.excluded] == [consultants[0].pk]
    assert rank_for_need(make_need(), consultant_ids=[]).candidates == []


# --- Cost ---------------------------------------------------------------------------------------


def priced(amount, valid_from=date(2030, 1, 1), **fields):
    consultant = ConsultantFactory(**fields)
    DayRateFactory(consultant=consultant, amount=Decimal(amount), valid_from=valid_from)
    return consultant


def test_cost_compares_the_fair_share_of_the_budget_with_the_consultants_cost():
    # 50 % over 10 working days: 5 person-days; the whole 10,000 budget is the need's share.
    need = make_need(budget=Decimal(10000))
    assert factor(need, priced(2000), "cost") == 1.0  # costs exactly 10,000
    assert factor(need, priced(1000), "cost") == 1.0  # cheaper: still 1
    assert factor(need, priced(4000), "cost") == 0.5  # 20,000
    assert factor(need, ConsultantFactory(), "cost") == 0.5  # no rate on record: unknown


def test_cost_uses_the_rate_in_force_on_the_needs_start():
    need = make_need(budget=Decimal(10000))
    consultant = priced(4000, valid_from=date(2029, 1, 1))
    DayRateFactory(consultant=consultant, amount=Decimal(2000), valid_from=START)
    DayRateFactory(consultant=consultant, amount=Decimal(9000), valid_from=date(2030, 3, 5))
    assert factor(need, consultant, "cost") == 1.0
    late = priced(2000, valid_from=date(2030, 3, 5))  # no rate yet on the start day
    assert factor(need, late, "cost") == 0.5


def test_without_budget_cost_is_neutral_for_everyone():
    need = make_need(budget=Decimal(0))
    assert factor(need, priced(100000), "cost") == 1.0


def test_the_fair_share_splits_what_is_left_over_the_open_needs():
    need = make_need(budget=Decimal(20000))
    # Another open need of the same engagement: 100 % over the same 10 working days.
    StaffingNeedFactory(engagement=need.engagement, allocation_percent=100, start_on=START,
                        end_on=END)
    StaffingNeedFactory(engagement=need.engagement, allocation_percent=100, start_on=START,
                        end_on=END, status="filled")  # not open: no share
    # Committed: 1,000/day x 50 % x 5 working days (Mon 4 - Fri 8) = 2,500.
    member = priced(1000)
    AssignmentFactory(engagement=need.engagement, consultant=member, allocation_percent=50,
                      start_on=START, end_on=date(2030, 3, 8))
    # (20,000 - 2,500) x 5 / (5 + 10) = 5,833.33 for 5 person-days: 1,166.67/day is fair.
    assert factor(need, priced(1400), "cost") == pytest.approx(5833.333 / 7000, abs=1e-4)
    assert factor(need, priced(1100), "cost") == 1.0


def test_an_overspent_engagement_scores_zero_on_cost():
    need = make_need(budget=Decimal(1000))
    member = priced(1000)
    AssignmentFactory(engagement=need.engagement, consultant=member, allocation_percent=100,
                      start_on=START, end_on=END)  # 10,000 committed
    assert factor(need, priced(10), "cost") == 0.0


# --- Score, ordering, weights -------------------------------------------------------------------


def test_score_is_the_weighted_mean_of_the_factors_on_0_to_100():
    skill = SkillFactory()
    need = make_need(skills={skill: 4}, seniority=Seniority.JUNIOR)
    consultant = ConsultantFactory(seniority=Seniority.PRINCIPAL)  # three above: 0.4
    ConsultantSkillFactory(consultant=consultant, skill=skill, proficiency=3)  # skills 0.75
    ranking = rank_for_need(need, weights={**ONLY, "skills": 1})
    assert candidate_of(ranking, consultant).score == 75.0
    ranking = rank_for_need(need, weights={**ONLY, "skills": 2, "seniority": 1})
    assert candidate_of(ranking, consultant).score == round(100 * (2 * 0.75 + 0.4) / 3, 1)
    match = candidate_of(rank_for_need(need), consultant)
    weighted = sum(DEFAULT_WEIGHTS[f] * match.breakdown[f] for f in FACTORS)
    assert match.score == pytest.approx(100 * weighted / sum(DEFAULT_WEIGHTS.values()), abs=0.06)
    assert set(match.breakdown) == set(FACTORS)
    assert all(0 <= value <= 1 for value in match.breakdown.values())


def test_candidates_come_best_first_then_by_name_then_id():
    skill = SkillFactory()
    need = make_need(skills={skill: 5})
    strong = ConsultantFactory(full_name="Zoe")
    ConsultantSkillFactory(consultant=strong, skill=skill, proficiency=5)
    twin_b = ConsultantFactory(full_name="Same")
    twin_a = ConsultantFactory(full_name="Same")
    first = ConsultantFactory(full_name="Adam")
    order = [c.consultant_id for c in rank_for_need(need).candidates]
    assert order == [strong.pk, first.pk, *sorted([twin_a.pk, twin_b.pk])]


def test_weights_in_force_default_without_writing_then_follow_the_row():
    assert weights_in_force() == DEFAULT_WEIGHTS
    assert not MatchingWeights.objects.exists()
    MatchingWeights.objects.create(pk=1, **{**DEFAULT_WEIGHTS, "culture": 60, "cost": 0})
    assert weights_in_force() == {**DEFAULT_WEIGHTS, "culture": 60, "cost": 0}
    assert rank_for_need(make_need()).weights["culture"] == 60


def test_given_weights_are_completed_from_those_in_force():
    ranking = rank_for_need(make_need(), weights={"skills": 100})
    assert ranking.weights == {**DEFAULT_WEIGHTS, "skills": 100}
    assert list(ranking.weights) == list(FACTORS)


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"charisma": 10}, "charisma"),
        ({"skills": 101}, "skills"),
        ({"skills": -1}, "skills"),
        ({"culture": 2.5}, "culture"),
        ({"culture": True}, "culture"),
        ({"cost": "10"}, "cost"),
        ({"cost": None}, "cost"),
    ],
)
def test_bad_weights_are_refused_by_name(weights, field):
    with pytest.raises(ValidationError) as caught:
        rank_for_need(make_need(), weights=weights)
    assert field in caught.value.message_dict


def test_all_weights_at_zero_are_refused():
    with pytest.raises(ValidationError, match="above zero"):
        rank_for_need(make_need(), weights=ONLY)


# --- Queries ------------------------------------------------------------------------------------


def _add_bench(count, skill, need):
    organization = OrganizationFactory()
    CultureAssessmentFactory(organization=organization)
    for _ in range(count):
        consultant = ConsultantFactory()
        ConsultantSkillFactory(consultant=consultant, skill=skill, proficiency=4)
        ConsultantLanguageFactory(consultant=consultant, language=Language.SPANISH)
        ConsultantSectorFactory(consultant=consultant, sector=Sector.HEALTH, years=2)
        DayRateFactory(consultant=consultant)
        busy(consultant, 20, START, END)
        ConsultantFitRatingFactory(consultant=consultant,
                                   outcome__engagement__organization=organization)
    AssignmentFactory(engagement=need.engagement, consultant=ConsultantFactory())


def test_ranking_reads_with_a_fixed_number_of_queries():
    skill = SkillFactory()
    organization = OrganizationFactory()
    CultureAssessmentFactory(organization=organization)
    need = make_need(organization=organization, budget=Decimal(50000), skills={skill: 3},
                     language=Language.SPANISH)
    _add_bench(3, skill, need)
    with CaptureQueriesContext(connection) as small:
        few = rank_for_need(need)
    _add_bench(27, skill, need)
    with CaptureQueriesContext(connection) as large:
        many = rank_for_need(need)
    assert (len(few.candidates), len(many.candidates)) == (3, 30)
    assert (len(few.excluded), len(many.excluded)) == (1, 2)  # the members speak no Spanish
    assert len(small.captured_queries) == len(large.captured_queries) <= 13
