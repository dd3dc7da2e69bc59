"""The invariants the database itself enforces for every engagements model.

Each case writes one row that breaks one constraint, bypassing the services and
``full_clean``, and expects the database (SQLite and PostgreSQL alike) to refuse it with
``IntegrityError`` naming that constraint. A control case writes the valid neighbour, so a
factory that fails for another reason cannot pass for a working constraint.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from engagements.choices import CultureQuestion, EngagementStatus
from engagements.models import (
    ConsultantCertification,
    CultureAnswer,
    EngagementTransition,
    MatchingWeights,
    ProposalLine,
    StaffingProposal,
)
from engagements.models.matching import DEFAULT_WEIGHTS
from tests.factories import (
    AssignmentFactory,
    CertificationFactory,
    ConsultantFactory,
    ConsultantFitRatingFactory,
    ConsultantLanguageFactory,
    ConsultantSectorFactory,
    ConsultantSkillFactory,
    CultureAssessmentFactory,
    DayRateFactory,
    EngagementFactory,
    EngagementOutcomeFactory,
    ServiceRequestFactory,
    SkillFactory,
    StaffingNeedFactory,
    StaffingNeedSkillFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _twice(factory, **shared):
    """Create two rows that agree on ``shared`` (a uniqueness violation on the second)."""
    factory(**shared)
    factory(**shared)


def _certification_twice():
    consultant, certification = ConsultantFactory(), CertificationFactory()
    ConsultantCertification.objects.create(consultant=consultant, certification=certification)
    ConsultantCertification.objects.create(consultant=consultant, certification=certification)


def _certification(**fields):
    return ConsultantCertification.objects.create(
        consultant=ConsultantFactory(), certification=CertificationFactory(), **fields
    )


def _answer(assessment=None, **fields):
    values = {"question": CultureQuestion.LEADERSHIP, "preferred": False, "points_clan": 40,
              "points_adhocracy": 20, "points_market": 20, "points_hierarchy": 20}
    return CultureAnswer.objects.create(
        assessment=assessment or CultureAssessmentFactory(), **{**values, **fields}
    )


def _answer_twice():
    assessment = CultureAssessmentFactory()
    _answer(assessment)
    _answer(assessment)


def _transition(**fields):
    return EngagementTransition.objects.create(
        engagement=EngagementFactory(), from_status=EngagementStatus.STAFFING,
        actor=StaffUserFactory(), **fields,
    )


def _weights(**fields):
    return MatchingWeights.objects.create(**{"pk": 1, **DEFAULT_WEIGHTS, **fields})


def _proposal(**fields):
    values = {"total_score": Decimal("80"), "greedy_total_score": Decimal("70"),
              "needs_considered": 2, "needs_filled": 2, "greedy_needs_filled": 1,
              "weights": DEFAULT_WEIGHTS, "solve_ms": 3, "created_by": StaffUserFactory()}
    return StaffingProposal.objects.create(**{**values, **fields})


def _line(proposal=None, need=None, **fields):
    values = {"consultant": ConsultantFactory(), "score": Decimal("75.50"), "breakdown": {}}
    return ProposalLine.objects.create(
        proposal=proposal or _proposal(), need=need or StaffingNeedFactory(),
        **{**values, **fields},
    )


def _line_twice_for_a_need():
    proposal, need = _proposal(), StaffingNeedFactory()
    _line(proposal, need)
    _line(proposal, need)


def _lines_share_an_assignment():
    assignment = AssignmentFactory()
    _line(assignment=assignment)
    _line(assignment=assignment)


def _rating_twice():
    outcome, consultant = EngagementOutcomeFactory(), ConsultantFactory()
    ConsultantFitRatingFactory(outcome=outcome, consultant=consultant)
    ConsultantFitRatingFactory(outcome=outcome, consultant=consultant)


def _outcome_twice():
    engagement = EngagementFactory(status=EngagementStatus.CLOSED)
    EngagementOutcomeFactory(engagement=engagement)
    EngagementOutcomeFactory(engagement=engagement)


def _request_used_twice():
    request = ServiceRequestFactory()
    EngagementFactory(organization=request.organization, service_request=request)
    EngagementFactory(organization=request.organization, service_request=request)


def _consultant_user_twice():
    user = UserFactory()
    ConsultantFactory(user=user)
    ConsultantFactory(user=user)


# (case id, write that must fail, texts one of which names the constraint in the error: the
# constraint's name, or for SQLite's uniqueness errors "table.column").
VIOLATIONS = [
    ("consultant capacity 0", lambda: ConsultantFactory(capacity_percent=0),
     ["consultant_capacity_percent_1_to_100"]),
    ("consultant capacity 101", lambda: ConsultantFactory(capacity_percent=101),
     ["consultant_capacity_percent_1_to_100"]),
    ("consultant style sums to 90", lambda: ConsultantFactory(style_clan=15),
     ["consultant_style_sums_to_100"]),
    ("consultant seniority unknown", lambda: ConsultantFactory(seniority="guru"),
     ["consultant_seniority_valid"]),
    ("consultant user twice", _consultant_user_twice,
     ["engagements_consultant_user_id", "engagements_consultant.user_id"]),
    ("skill proficiency 0", lambda: ConsultantSkillFactory(proficiency=0),
     ["consultant_skill_proficiency_1_to_5"]),
    ("skill proficiency 6", lambda: ConsultantSkillFactory(proficiency=6),
     ["consultant_skill_proficiency_1_to_5"]),
    ("skill twice", lambda: _twice(ConsultantSkillFactory, consultant=ConsultantFactory(),
                                   skill=SkillFactory()),
     ["consultant_skill_once", "engagements_consultantskill.consultant_id"]),
    ("certification twice", _certification_twice,
     ["consultant_certification_once", "engagements_consultantcertification.consultant_id"]),
    ("certification expires first",
     lambda: _certification(obtained_on=date(2024, 5, 1), expires_on=date(2024, 4, 30)),
     ["consultant_certification_dates_in_order"]),
    ("sector years 0", lambda: ConsultantSectorFactory(years=0),
     ["consultant_sector_years_1_to_50"]),
    ("sector years 51", lambda: ConsultantSectorFactory(years=51),
     ["consultant_sector_years_1_to_50"]),
    ("sector unknown", lambda: ConsultantSectorFactory(sector="space"),
     ["consultant_sector_valid"]),
    ("sector twice", lambda: _twice(ConsultantSectorFactory, consultant=ConsultantFactory()),
     ["consultant_sector_once", "engagements_consultantsector.consultant_id"]),
    ("language unknown", lambda: ConsultantLanguageFactory(language="xx"),
     ["consultant_language_valid"]),
    ("language twice", lambda: _twice(ConsultantLanguageFactory, consultant=ConsultantFactory()),
     ["consultant_language_once", "engagements_consultantlanguage.consultant_id"]),
    ("day rate zero", lambda: DayRateFactory(amount=Decimal("0")), ["day_rate_positive"]),
    ("day rate twice on a date",
     lambda: _twice(DayRateFactory, consultant=ConsultantFactory(), valid_from=date(2025, 1, 1)),
     ["day_rate_one_per_start", "engagements_dayrate.consultant_id"]),
    ("culture current sums to 99.5",
     lambda: CultureAssessmentFactory(current_hierarchy=Decimal("49.5")),
     ["culture_current_sums_to_100"]),
    ("culture preferred negative",
     lambda: CultureAssessmentFactory(preferred_clan=Decimal("-5"),
                                      preferred_hierarchy=Decimal("70")),
     ["culture_preferred_sums_to_100"]),
    ("culture source unknown", lambda: CultureAssessmentFactory(source="guess"),
     ["culture_source_valid"]),
    ("answer question 7", lambda: _answer(question=7), ["culture_answer_question_1_to_6"]),
    ("answer sums to 90", lambda: _answer(points_clan=30), ["culture_answer_sums_to_100"]),
    ("answer twice", _answer_twice,
     ["culture_answer_once", "engagements_cultureanswer.assessment_id"]),
    ("engagement ends first",
     lambda: EngagementFactory(planned_start=date(2025, 6, 1), planned_end=date(2025, 5, 31)),
     ["engagement_dates_in_order"]),
    ("engagement budget negative", lambda: EngagementFactory(budget_at_completion=-1),
     ["engagement_budget_not_negative"]),
    ("engagement status unknown", lambda: EngagementFactory(status="paused"),
     ["engagement_status_valid"]),
    ("engagement typology unknown", lambda: EngagementFactory(typology="chaotic"),
     ["engagement_typology_valid"]),
    ("request used twice", _request_used_twice, ["engagements_engagement_service_request_id",
      "engagements_engagement.service_request_id"]),
    ("cancelled without reason", lambda: _transition(to_status=EngagementStatus.CANCELLED),
     ["engagement_cancellation_has_reason"]),
    ("need ends first",
     lambda: StaffingNeedFactory(start_on=date(2025, 6, 1), end_on=date(2025, 5, 31)),
     ["staffing_need_dates_in_order"]),
    ("need allocation 0", lambda: StaffingNeedFactory(allocation_percent=0),
     ["staffing_need_allocation_percent_1_to_100"]),
    ("need allocation 101", lambda: StaffingNeedFactory(allocation_percent=101),
     ["staffing_need_allocation_percent_1_to_100"]),
    ("need status unknown", lambda: StaffingNeedFactory(status="maybe"),
     ["staffing_need_status_valid"]),
    ("need skill level 6", lambda: StaffingNeedSkillFactory(minimum_level=6),
     ["staffing_need_skill_minimum_level_1_to_5"]),
    ("need skill twice",
     lambda: _twice(StaffingNeedSkillFactory, need=StaffingNeedFactory(), skill=SkillFactory()),
     ["staffing_need_skill_once", "engagements_staffingneedskill.need_id"]),
    ("assignment ends first",
     lambda: AssignmentFactory(start_on=date(2025, 6, 1), end_on=date(2025, 5, 31)),
     ["assignment_dates_in_order"]),
    ("assignment allocation 0", lambda: AssignmentFactory(allocation_percent=0),
     ["assignment_allocation_percent_1_to_100"]),
    ("assignment allocation 101", lambda: AssignmentFactory(allocation_percent=101),
     ["assignment_allocation_percent_1_to_100"]),
    ("weights second row", lambda: _weights(pk=2), ["matching_weights_singleton"]),
    ("weights all zero", lambda: _weights(**dict.fromkeys(DEFAULT_WEIGHTS, 0)),
     ["matching_weights_not_all_zero"]),
    *[(f"weight {name} 101", lambda name=name: _weights(**{name: 101}),
       [f"matching_weights_{name}_0_to_100"]) for name in DEFAULT_WEIGHTS],
    ("proposal status unknown", lambda: _proposal(status="maybe"), ["proposal_status_valid"]),
    ("proposal fills more than considered", lambda: _proposal(needs_filled=3),
     ["proposal_counts_consistent"]),
    ("greedy fills more than considered", lambda: _proposal(greedy_needs_filled=3),
     ["proposal_counts_consistent"]),
    ("line score above 100", lambda: _line(score=Decimal("100.01")),
     ["proposal_line_score_0_to_100"]),
    ("line score negative", lambda: _line(score=Decimal("-0.01")),
     ["proposal_line_score_0_to_100"]),
    ("line twice for a need", _line_twice_for_a_need,
     ["proposal_line_once_per_need", "engagements_proposalline.proposal_id"]),
    ("lines share an assignment", _lines_share_an_assignment,
     ["engagements_proposalline_assignment_id", "engagements_proposalline.assignment_id"]),
    ("outcome satisfaction 6", lambda: EngagementOutcomeFactory(client_satisfaction=6),
     ["outcome_client_satisfaction_1_to_5"]),
    ("outcome CPI negative", lambda: EngagementOutcomeFactory(final_cpi=Decimal("-0.1")),
     ["outcome_indices_not_negative"]),
    ("outcome SPI negative", lambda: EngagementOutcomeFactory(final_spi=Decimal("-0.1")),
     ["outcome_indices_not_negative"]),
    ("outcome culture partial", lambda: EngagementOutcomeFactory(culture_clan=Decimal("25")),
     ["outcome_culture_all_or_none"]),
    ("outcome twice", _outcome_twice, ["engagements_engagementoutcome_engagement_id",
                                    "engagements_engagementoutcome.engagement_id"]),
    *[(f"rating {item} {value}",
       lambda item=item, value=value: ConsultantFitRatingFactory(**{item: value}),
       [f"fit_rating_{item}_1_to_7"])
      for item in ("values_match", "values_fit", "culture_fit") for value in (0, 8)],
    ("rating twice", _rating_twice,
     ["fit_rating_once_per_consultant", "engagements_consultantfitrating.outcome_id"]),
]


@pytest.mark.parametrize(("write", "names"), [case[1:] for case in VIOLATIONS],
                         ids=[case[0] for case in VIOLATIONS])
def test_database_refuses_the_row(write, names):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write()
    message = str(error.value)
    assert any(name in message for name in names), message


def test_the_valid_neighbours_of_those_rows_are_accepted():
    """The boundaries themselves pass: without this, a factory that always failed would
    make every case above pass."""
    ConsultantFactory(capacity_percent=1, style_clan=100, style_adhocracy=0, style_market=0,
                      style_hierarchy=0)
    ConsultantFactory(capacity_percent=100, user=UserFactory())
    ConsultantSkillFactory(proficiency=1)
    ConsultantSkillFactory(proficiency=5)
    ConsultantSectorFactory(years=50)
    _certification(obtained_on=date(2024, 5, 1), expires_on=date(2024, 5, 1))
    DayRateFactory(amount=Decimal("0.01"))
    CultureAssessmentFactory(current_clan=Decimal("33.33"), current_adhocracy=Decimal("33.33"),
                             current_market=Decimal("33.34"), current_hierarchy=Decimal("0"))
    _answer(question=6, points_clan=100, points_adhocracy=0, points_market=0,
            points_hierarchy=0)
    EngagementFactory(planned_start=date(2025, 6, 1), planned_end=date(2025, 6, 1),
                      budget_at_completion=0)
    _transition(to_status=EngagementStatus.CANCELLED, note="Client withdrew its budget.")
    StaffingNeedFactory(allocation_percent=100)
    StaffingNeedSkillFactory(minimum_level=5)
    AssignmentFactory(allocation_percent=1)
    _weights(**{**dict.fromkeys(DEFAULT_WEIGHTS, 0), "cost": 100})
    line = _line(score=Decimal("100"), assignment=AssignmentFactory())
    _line(proposal=line.proposal, score=Decimal("0"))
    EngagementOutcomeFactory(final_cpi=Decimal("0"), culture_clan=Decimal("25"),
                             culture_adhocracy=Decimal("25"), culture_market=Decimal("25"),
                             culture_hierarchy=Decimal("25"))
    ConsultantFitRatingFactory(values_match=1, values_fit=7, culture_fit=7)
