"""Track record learns per kind of client: outcomes count by how much the past client's
culture resembles this one's (docs/matching.md)."""

from datetime import date
from decimal import Decimal

import pytest

from engagements import classification
from engagements.matching import FACTORS, PRIOR, SHARPNESS, rank_for_need
from tests.engagements.test_matching import candidate_of, make_need
from tests.factories import (
    ConsultantFactory,
    ConsultantFitRatingFactory,
    ConsultantSkillFactory,
    CultureAssessmentFactory,
    EngagementOutcomeFactory,
    OrganizationFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db

ADHOCRACY = (10, 55, 15, 20)
HIERARCHY = (15, 10, 20, 55)
CLAN = (55, 15, 10, 20)


def client_with(culture, *, assessed_on=date(2025, 1, 1)):
    organization = OrganizationFactory()
    CultureAssessmentFactory(
        organization=organization, assessed_on=assessed_on,
        **dict(zip(["current_clan", "current_adhocracy", "current_market",
                    "current_hierarchy"], map(Decimal, culture), strict=True)),
    )
    return organization


def outcome(consultant, *, culture=None, organization=None, fit=(4, 4, 4), satisfaction=3,
            on_time=True):
    """A rated past engagement; ``culture`` is the snapshot taken at closing, if any."""
    snapshot = {}
    if culture is not None:
        snapshot = dict(zip(["culture_clan", "culture_adhocracy", "culture_market",
                             "culture_hierarchy"], map(Decimal, culture), strict=True))
    engagement_fields = {"engagement__organization": organization} if organization else {}
    past = EngagementOutcomeFactory(client_satisfaction=satisfaction, on_time=on_time,
                                    **snapshot, **engagement_fields)
    ConsultantFitRatingFactory(outcome=past, consultant=consultant, values_match=fit[0],
                               values_fit=fit[1], culture_fit=fit[2])
    return past


def signal(fit, satisfaction, on_time) -> float:
    perceived = sum(fit) / 3
    return 0.6 * (perceived - 1) / 6 + 0.25 * (satisfaction - 1) / 4 + 0.15 * on_time


def track_record(need, consultant) -> float:
    return candidate_of(rank_for_need(need), consultant).breakdown["track_record"]


def test_without_history_the_track_record_is_neutral():
    need = make_need(organization=client_with(HIERARCHY))
    assert track_record(need, ConsultantFactory()) == 0.5


@pytest.mark.parametrize(
    ("fit", "satisfaction", "on_time"),
    [((7, 7, 7), 5, True), ((1, 1, 1), 1, False), ((5, 6, 4), 4, False), ((2, 3, 3), 2, True)],
)
def test_one_outcome_at_an_identical_culture_shrinks_toward_neutral(fit, satisfaction, on_time):
    need = make_need(organization=client_with(HIERARCHY))
    consultant = ConsultantFactory()
    outcome(consultant, culture=HIERARCHY, fit=fit, satisfaction=satisfaction, on_time=on_time)
    expected = (signal(fit, satisfaction, on_time) + PRIOR * 0.5) / (1 + PRIOR)
    assert track_record(need, consultant) == pytest.approx(expected, abs=1e-4)


def test_signal_bounds_are_zero_and_one():
    assert signal((1, 1, 1), 1, False) == 0
    assert signal((7, 7, 7), 5, True) == pytest.approx(1)


def test_outcomes_count_by_culture_similarity_to_the_power_of_the_sharpness():
    need = make_need(organization=client_with(HIERARCHY))
    consultant = ConsultantFactory()
    outcome(consultant, culture=CLAN, fit=(7, 7, 7), satisfaction=5)  # s = 1
    outcome(consultant, culture=HIERARCHY, fit=(1, 1, 1), satisfaction=1, on_time=False)  # 0
    weight = classification.culture_fit(CLAN, HIERARCHY) ** SHARPNESS
    expected = (weight * 1 + 1 * 0 + PRIOR * 0.5) / (weight + 1 + PRIOR)
    assert track_record(need, consultant) == pytest.approx(expected, abs=1e-4)


def test_every_outcome_counts_fully_when_the_clients_culture_is_unknown():
    need = make_need()  # no assessment
    consultant = ConsultantFactory()
    outcome(consultant, culture=CLAN, fit=(7, 7, 7), satisfaction=5)
    outcome(consultant, culture=HIERARCHY, fit=(1, 1, 1), satisfaction=1, on_time=False)
    assert track_record(need, consultant) == pytest.approx((1 + 0 + 0.25) / (2 + PRIOR))


def test_the_snapshot_at_closing_wins_over_the_clients_culture_today():
    consultant = ConsultantFactory()
    # Hierarchy-type when the engagement closed; the client has since become adhocracy-type.
    changed = client_with(ADHOCRACY, assessed_on=date(2029, 1, 1))
    outcome(consultant, culture=HIERARCHY, organization=changed, fit=(7, 7, 7), satisfaction=5)
    for_hierarchy = track_record(make_need(organization=client_with(HIERARCHY)), consultant)
    assert for_hierarchy == pytest.approx((1 + 0.25) / 1.5, abs=1e-4)


def test_without_a_snapshot_the_past_clients_culture_in_force_is_used():
    consultant = ConsultantFactory()
    past_client = client_with(ADHOCRACY)
    outcome(consultant, organization=past_client, fit=(1, 1, 1), satisfaction=1, on_time=False)
    assert track_record(make_need(organization=client_with(ADHOCRACY)), consultant) == (
        pytest.approx(0.25 / 1.5, abs=1e-4)
    )
    # Nothing known about the past client: it counts as a half-similar one, 0.5 ** 8.
    unknown = ConsultantFactory()
    outcome(unknown, fit=(7, 7, 7), satisfaction=5)
    weight = 0.5 ** SHARPNESS
    assert track_record(make_need(organization=client_with(ADHOCRACY)), unknown) == (
        pytest.approx((weight * 1 + PRIOR * 0.5) / (weight + PRIOR), abs=1e-4)
    )


def test_more_evidence_moves_further_from_neutral():
    need = make_need(organization=client_with(HIERARCHY))
    once, thrice = ConsultantFactory(), ConsultantFactory()
    outcome(once, culture=HIERARCHY, fit=(7, 7, 7), satisfaction=5)
    for _ in range(3):
        outcome(thrice, culture=HIERARCHY, fit=(7, 7, 7), satisfaction=5)
    assert 0.5 < track_record(need, once) < track_record(need, thrice) < 1


def test_the_issues_story_a_pm_who_struggled_at_adhocracy_clients():
    """Two otherwise identical PMs; one delivered well at a hierarchy-type client and badly
    at an adhocracy-type one. They rank lower for the next adhocracy-type client and keep
    the hierarchy credit for the next hierarchy-type client."""
    skill = SkillFactory()
    adhocracy_need = make_need(organization=client_with(ADHOCRACY), skills={skill: 4})
    hierarchy_need = make_need(organization=client_with(HIERARCHY), skills={skill: 4})
    pm_with_history = ConsultantFactory(full_name="Alicia Strong")
    pm_fresh = ConsultantFactory(full_name="Berta Same")  # sorts after: no tie helps Alicia
    only_hierarchy = ConsultantFactory(full_name="Carla Hierarchy")
    for pm in (pm_with_history, pm_fresh, only_hierarchy):
        ConsultantSkillFactory(consultant=pm, skill=skill, proficiency=5)
    outcome(pm_with_history, culture=HIERARCHY, fit=(7, 6, 7), satisfaction=5, on_time=True)
    outcome(pm_with_history, culture=ADHOCRACY, fit=(2, 1, 2), satisfaction=1, on_time=False)
    outcome(only_hierarchy, culture=HIERARCHY, fit=(7, 6, 7), satisfaction=5, on_time=True)

    adhocracy = rank_for_need(adhocracy_need)
    strong, fresh = candidate_of(adhocracy, pm_with_history), candidate_of(adhocracy, pm_fresh)
    assert strong.breakdown["track_record"] < 0.3 < fresh.breakdown["track_record"] == 0.5
    assert strong.score < fresh.score
    order = [c.consultant_id for c in adhocracy.candidates]
    assert order.index(pm_fresh.pk) < order.index(pm_with_history.pk)
    # Every other factor is the same: only the track record tells them apart.
    assert {f: strong.breakdown[f] for f in FACTORS if f != "track_record"} == {
        f: fresh.breakdown[f] for f in FACTORS if f != "track_record"
    }

    hierarchy = rank_for_need(hierarchy_need)
    strong = candidate_of(hierarchy, pm_with_history)
    fresh = candidate_of(hierarchy, pm_fresh)
    reference = candidate_of(hierarchy, only_hierarchy)
    assert strong.score > fresh.score
    assert hierarchy.candidates[0].consultant_id in (pm_with_history.pk, only_hierarchy.pk)
    # The adhocracy failure barely touches the hierarchy credit (its weight is 0.55 ** 8).
    assert strong.breakdown["track_record"] > 0.75
    assert strong.breakdown["track_record"] == pytest.approx(
        reference.breakdown["track_record"], abs=0.01
    )
