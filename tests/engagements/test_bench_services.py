"""Bench and culture services: consultants with their profile, day rates with history, and
client culture assessments (direct or from the OCAI questionnaire), with their refusals."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements import selectors, services
from engagements.choices import CultureSource
from engagements.models import (
    Consultant,
    ConsultantCertification,
    ConsultantLanguage,
    CultureAnswer,
    CultureAssessment,
    DayRate,
)
from pmo_service.exceptions import ConflictError
from stakeholders.choices import MembershipRole
from tests.factories import (
    AssignmentFactory,
    CertificationFactory,
    ClientUserFactory,
    ConsultantFactory,
    ConsultantSkillFactory,
    CultureAssessmentFactory,
    DayRateFactory,
    EngagementFactory,
    ProviderFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


# --- Consultants --------------------------------------------------------------------------------


def test_staff_create_a_consultant_with_profile_and_rate(staff_user):
    pmp, scrum = SkillFactory(name="Portfolio management"), SkillFactory(name="Scrum")
    psm = CertificationFactory(code="PSM")
    consultant = services.consultant_create(
        actor=staff_user, full_name="Ana Ruiz", seniority="principal",
        skills={pmp: 5, scrum: 3}, languages=["es", "en", "es"], sectors={"health": 6},
        certifications=[psm, psm], day_rate=Decimal("850.00"),
        style_clan=40, style_adhocracy=30, style_market=10, style_hierarchy=20,
        capacity_percent=80, headline="Agile PMO lead",
    )
    consultant.refresh_from_db()
    assert consultant.style_profile == (40, 30, 10, 20)
    assert consultant.capacity_percent == 80
    assert {(s.skill.name, s.proficiency) for s in consultant.skills.all()} == {
        ("Portfolio management", 5), ("Scrum", 3)
    }
    assert sorted(consultant.languages.values_list("language", flat=True)) == ["en", "es"]
    assert list(consultant.sectors.values_list("sector", "years")) == [("health", 6)]
    assert list(consultant.certifications.values_list("certification__code", flat=True)) == [
        "PSM"
    ]
    assert selectors.day_rate_on(consultant_id=consultant.pk, day=TODAY()) == Decimal("850.00")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"style_clan": 50}, "style"),  # 50 + 25 + 25 + 25
        ({"style_clan": -5, "style_hierarchy": 55}, "style_clan"),
        ({"style_market": "25"}, "style_market"),
        ({"skills": "lots"}, "skills"),
        ({"languages": ["es", "klingon"]}, "languages"),
        ({"languages": "es"}, "languages"),
        ({"sectors": {"space": 3}}, "sectors"),
        ({"sectors": {"health": 0}}, "sectors"),
        ({"sectors": {"health": 51}}, "sectors"),
        ({"seniority": "guru"}, "seniority"),
        ({"capacity_percent": 0}, "capacity_percent"),
        ({"capacity_percent": 120}, "capacity_percent"),
        ({"day_rate": Decimal("0")}, "amount"),
        ({"day_rate": "abc"}, "amount"),
        ({"day_rate": Decimal("100.001")}, "amount"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_consultant_input_is_checked_field_by_field(staff_user, fields, field):
    values = {"full_name": "Bad Input", "seniority": "senior", **fields}
    with pytest.raises(ValidationError) as error:
        services.consultant_create(actor=staff_user, **values)
    assert field in error.value.message_dict
    assert not Consultant.objects.exists()


@pytest.mark.parametrize("level", [0, 6, 2.5, True, "3"])
def test_skill_proficiency_is_a_whole_number_from_1_to_5(staff_user, level):
    with pytest.raises(ValidationError) as error:
        services.consultant_create(actor=staff_user, full_name="X", seniority="mid",
                                   skills={SkillFactory(): level})
    assert "from 1 to 5" in _messages(error.value, "skills")


def test_only_staff_manage_the_bench(user_a):
    with pytest.raises(PermissionDenied, match="Only PMO staff"):
        services.consultant_create(actor=user_a, full_name="X", seniority="mid")
    consultant = ConsultantFactory()
    with pytest.raises(PermissionDenied):
        services.consultant_update(consultant=consultant, actor=user_a, headline="Hacked")
    with pytest.raises(PermissionDenied):
        services.day_rate_set(consultant=consultant, actor=user_a, amount=Decimal("1"),
                              valid_from=TODAY())
    assert not DayRate.objects.exists()


def test_update_replaces_the_profile_parts_given_and_keeps_the_others(staff_user):
    consultant = ConsultantFactory()
    kept, dropped, added = SkillFactory(), SkillFactory(), SkillFactory()
    ConsultantSkillFactory(consultant=consultant, skill=kept, proficiency=2)
    ConsultantSkillFactory(consultant=consultant, skill=dropped)
    old_cert, new_cert = CertificationFactory(), CertificationFactory()
    ConsultantCertification.objects.create(consultant=consultant, certification=old_cert,
                                           obtained_on=datetime.date(2020, 1, 1))
    services.consultant_update(
        consultant=consultant, actor=staff_user, skills={kept: 4, added: 1},
        certifications=[old_cert, new_cert], headline="Hierarchy whisperer",
    )
    consultant.refresh_from_db()
    assert consultant.headline == "Hierarchy whisperer"
    assert dict(consultant.skills.values_list("skill_id", "proficiency")) == {
        kept.pk: 4, added.pk: 1
    }
    # The certification that stays keeps its date.
    assert consultant.certifications.get(certification=old_cert).obtained_on == (
        datetime.date(2020, 1, 1)
    )
    assert consultant.certifications.count() == 2


def test_update_refuses_fields_it_does_not_own(staff_user):
    with pytest.raises(TypeError, match="created_at"):
        services.consultant_update(consultant=ConsultantFactory(), actor=staff_user,
                                   created_at=timezone.now())


def test_capacity_cannot_drop_below_current_commitments(staff_user):
    consultant = ConsultantFactory()
    AssignmentFactory(consultant=consultant, allocation_percent=60,
                      start_on=TODAY(), end_on=TODAY() + datetime.timedelta(days=30))
    with pytest.raises(ConflictError, match="committed at 60%"):
        services.consultant_update(consultant=consultant, actor=staff_user, capacity_percent=50)
    services.consultant_update(consultant=consultant, actor=staff_user, capacity_percent=60)
    consultant.refresh_from_db()
    assert consultant.capacity_percent == 60


def test_past_commitments_do_not_limit_a_new_capacity(staff_user):
    consultant = ConsultantFactory()
    AssignmentFactory(consultant=consultant, allocation_percent=100,
                      start_on=TODAY() - datetime.timedelta(days=60),
                      end_on=TODAY() - datetime.timedelta(days=1))
    services.consultant_update(consultant=consultant, actor=staff_user, capacity_percent=40)
    consultant.refresh_from_db()
    assert consultant.capacity_percent == 40


# --- Day rates ---------------------------------------------------------------------------------


def test_the_rate_in_force_is_the_latest_started(staff_user):
    consultant = ConsultantFactory()
    for amount, start in (("500", "2024-01-01"), ("650", "2025-01-01")):
        services.day_rate_set(consultant=consultant, actor=staff_user, amount=Decimal(amount),
                              valid_from=datetime.date.fromisoformat(start))
    rate_on = lambda day: selectors.day_rate_on(  # noqa: E731
        consultant_id=consultant.pk, day=datetime.date.fromisoformat(day)
    )
    assert rate_on("2023-12-31") is None
    assert rate_on("2024-01-01") == Decimal("500")
    assert rate_on("2024-12-31") == Decimal("500")
    assert rate_on("2025-01-01") == Decimal("650")


def test_one_rate_per_start_date_and_more_than_zero(staff_user):
    consultant = ConsultantFactory()
    DayRateFactory(consultant=consultant, valid_from=datetime.date(2025, 3, 1))
    with pytest.raises(ValidationError) as error:
        services.day_rate_set(consultant=consultant, actor=staff_user, amount=Decimal("700"),
                              valid_from=datetime.date(2025, 3, 1))
    assert "already has a rate" in _messages(error.value, "valid_from")
    for amount in (Decimal("0"), Decimal("-10"), "NaN", None):
        with pytest.raises(ValidationError) as error:
            services.day_rate_set(consultant=consultant, actor=staff_user, amount=amount,
                                  valid_from=datetime.date(2025, 4, 1))
        assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.day_rate_set(consultant=consultant, actor=staff_user, amount=Decimal("1"),
                              valid_from=timezone.now())
    assert "valid_from" in error.value.message_dict
    assert consultant.rates.count() == 1


# --- Culture -----------------------------------------------------------------------------------


def _answers(current=(10, 20, 30, 40), preferred=(40, 30, 20, 10)):
    return [
        {"question": question, "preferred": preferred_flag, "points": points}
        for preferred_flag, points in ((False, current), (True, preferred))
        for question in range(1, 7)
    ]


def test_staff_record_a_direct_profile_with_decimals(staff_user, org_a):
    assessment = services.culture_assessment_record(
        organization=org_a, actor=staff_user, assessed_on=TODAY(),
        current=[Decimal("33.33"), Decimal("33.33"), Decimal("33.34"), 0],
        preferred=(25, 25, 25, 25), respondents=7, note="Workshop",
    )
    assessment.refresh_from_db()
    assert assessment.source == CultureSource.DIRECT
    assert assessment.current_profile == (
        Decimal("33.33"), Decimal("33.33"), Decimal("33.34"), Decimal("0")
    )
    assert assessment.respondents == 7
    assert not assessment.answers.exists()


def test_questionnaire_answers_become_the_mean_profile_and_are_kept(staff_user, org_a):
    answers = _answers()
    # Uneven means: 100/6 per type in thirds, so largest remainder must fix the cents.
    for answer, points in zip(answers[:6], [(100, 0, 0, 0), (0, 100, 0, 0), (0, 0, 100, 0),
                                            (0, 0, 0, 100), (50, 50, 0, 0), (0, 0, 50, 50)],
                              strict=True):
        answer["points"] = points
    assessment = services.culture_assessment_record(
        organization=org_a, actor=staff_user, assessed_on=TODAY(), answers=answers,
    )
    assessment.refresh_from_db()
    assert assessment.source == CultureSource.QUESTIONNAIRE
    assert sum(assessment.current_profile) == Decimal("100.00")
    assert assessment.current_profile == (
        Decimal("25.00"), Decimal("25.00"), Decimal("25.00"), Decimal("25.00")
    )
    assert assessment.preferred_profile == (
        Decimal("40.00"), Decimal("30.00"), Decimal("20.00"), Decimal("10.00")
    )
    assert CultureAnswer.objects.filter(assessment=assessment).count() == 12
    first = assessment.answers.get(question=1, preferred=False)
    assert (first.points_clan, first.points_hierarchy) == (100, 0)


def test_questionnaire_profile_with_repeating_means_still_sums_to_100(staff_user, org_a):
    answers = _answers()
    for answer, points in zip(answers[:6], [(1, 2, 3, 94), (0, 0, 0, 100), (0, 0, 0, 100),
                                            (0, 0, 0, 100), (0, 0, 0, 100), (0, 0, 0, 100)],
                              strict=True):
        answer["points"] = points
    assessment = services.culture_assessment_record(
        organization=org_a, actor=staff_user, assessed_on=TODAY(), answers=answers,
    )
    assessment.refresh_from_db()
    assert assessment.current_profile == (
        Decimal("0.17"), Decimal("0.33"), Decimal("0.50"), Decimal("99.00")
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"current": (25, 25, 25, 24), "preferred": (25, 25, 25, 25)}, "current"),
        ({"current": (25, 25, 25, 25), "preferred": (50, 50, 10, -10)}, "preferred"),
        ({"current": (25, 25, 50), "preferred": (25, 25, 25, 25)}, "current"),
        ({"current": "25,25,25,25", "preferred": (25, 25, 25, 25)}, "current"),
        ({"current": (25, 25, 25, "x"), "preferred": (25, 25, 25, 25)}, "current"),
        ({"current": (Decimal("25.001"), 25, 25, Decimal("24.999")),
          "preferred": (25, 25, 25, 25)}, "current"),
        ({"current": (1e30, 0, 0, 0), "preferred": (25, 25, 25, 25)}, "current"),
        ({"current": (25, 25, 25, 25)}, "preferred"),
        ({}, "current"),
        ({"answers": _answers()[:11]}, "answers"),
        ({"answers": _answers()[:11] + _answers()[:1]}, "answers"),  # Q1 current twice
        ({"answers": [{**a, "points": (50, 50, 0, 1)} for a in _answers()]}, "answers"),
        ({"answers": [{**a, "points": (50, 50, 10, -10)} for a in _answers()]}, "answers"),
        ({"answers": [{**a, "question": 7} for a in _answers()]}, "answers"),
        ({"answers": [{**a, "preferred": "yes"} for a in _answers()]}, "answers"),
        ({"answers": ["not an answer"] * 12}, "answers"),
        ({"answers": _answers(), "current": (25, 25, 25, 25)}, "answers"),
        ({"current": (25, 25, 25, 25), "preferred": (25, 25, 25, 25),
          "respondents": 0}, "respondents"),
        ({"current": (25, 25, 25, 25), "preferred": (25, 25, 25, 25),
          "assessed_on": TODAY() + datetime.timedelta(days=1)}, "assessed_on"),
        ({"current": (25, 25, 25, 25), "preferred": (25, 25, 25, 25),
          "assessed_on": "2025-01-01"}, "assessed_on"),
    ],
)
def test_culture_input_is_refused_on_its_field(staff_user, org_a, kwargs, field):
    values = {"assessed_on": TODAY(), **kwargs}
    with pytest.raises(ValidationError) as error:
        services.culture_assessment_record(organization=org_a, actor=staff_user, **values)
    assert field in error.value.message_dict
    assert not CultureAssessment.objects.exists()


def test_client_writers_assess_their_own_organization_only(user_a, org_a, org_b):
    assessment = services.culture_assessment_record(
        organization=org_a, actor=user_a, assessed_on=TODAY(), answers=_answers(),
    )
    assert assessment.assessed_by == user_a
    with pytest.raises(PermissionDenied, match="your own organization"):
        services.culture_assessment_record(
            organization=org_b, actor=user_a, assessed_on=TODAY(), answers=_answers(),
        )
    reader = ClientUserFactory(membership__organization=org_a,
                               membership__role=MembershipRole.READ_ONLY)
    with pytest.raises(PermissionDenied, match="read-only"):
        services.culture_assessment_record(
            organization=org_a, actor=reader, assessed_on=TODAY(), answers=_answers(),
        )
    assert CultureAssessment.objects.count() == 1


def test_the_provider_has_no_client_culture(staff_user):
    with pytest.raises(ValidationError) as error:
        services.culture_assessment_record(
            organization=ProviderFactory(), actor=staff_user, assessed_on=TODAY(),
            current=(25, 25, 25, 25), preferred=(25, 25, 25, 25),
        )
    assert "client organization" in _messages(error.value, "organization")


def test_the_culture_in_force_is_the_newest_assessment(staff_user, org_a, org_b):
    def record(organization, day, current):
        return services.culture_assessment_record(
            organization=organization, actor=staff_user, assessed_on=day, current=current,
            preferred=(25, 25, 25, 25),
        )

    assert selectors.culture_in_force(organization_id=org_a.pk) is None
    newest = record(org_a, TODAY() - datetime.timedelta(days=10), (70, 10, 10, 10))
    record(org_a, TODAY() - datetime.timedelta(days=400), (10, 10, 10, 70))  # entered later
    record(org_b, TODAY(), (10, 70, 10, 10))
    assert selectors.culture_in_force(organization_id=org_a.pk) == newest
    same_day = record(org_a, TODAY() - datetime.timedelta(days=10), (40, 20, 20, 20))
    assert selectors.culture_in_force(organization_id=org_a.pk) == same_day
    assert CultureAssessment.objects.filter(organization=org_a).count() == 3  # history kept


# --- Lists -------------------------------------------------------------------------------------


def _bench(size: int) -> None:
    for _ in range(size):
        consultant = ConsultantFactory()
        ConsultantSkillFactory(consultant=consultant)
        DayRateFactory(consultant=consultant)
        ConsultantLanguage.objects.create(consultant=consultant, language="es")
        ConsultantCertification.objects.create(consultant=consultant,
                                               certification=CertificationFactory())


def _queries(selector) -> int:
    with CaptureQueriesContext(connection) as queries:
        rows = list(selector())
        for row in rows:
            for relation in ("skills", "certifications", "languages", "sectors"):
                for item in getattr(row, relation).all():
                    str(item)
    return len(queries)


def test_consultant_list_costs_the_same_for_2_or_8_consultants():
    _bench(2)
    few = _queries(selectors.consultant_list)
    _bench(6)
    assert _queries(selectors.consultant_list) == few
    row = selectors.consultant_list().first()
    assert row.day_rate_today == Decimal("600.00")


def test_clients_see_only_their_teams_consultants_and_their_own_culture(
    user_a, org_a, org_b, staff_user
):
    on_team, scrum_master, elsewhere = (ConsultantFactory() for _ in range(3))
    AssignmentFactory(consultant=on_team, engagement__organization=org_a)
    EngagementFactory(organization=org_a, scrum_master=scrum_master)
    AssignmentFactory(consultant=elsewhere, engagement__organization=org_b)
    assert set(Consultant.objects.for_user(user_a)) == {on_team, scrum_master}
    assert Consultant.objects.for_user(staff_user).count() == 3
    mine = CultureAssessmentFactory(organization=org_a)
    CultureAssessmentFactory(organization=org_b)
    assert list(CultureAssessment.objects.for_user(user_a)) == [mine]
