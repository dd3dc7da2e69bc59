"""The demo bench, cultures and engagements seeded by ``seed_demo``: the seeds' story holds,
nobody is over capacity, every status shows, and running it again changes nothing."""

import datetime
import io
import re
from collections import Counter
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.choices import RequestStatus
from engagements import selectors
from engagements.choices import EngagementStatus, NeedStatus
from engagements.classification import dominant_type
from engagements.matching import rank_for_need
from engagements.models import (
    Assignment,
    Consultant,
    ConsultantCertification,
    ConsultantFitRating,
    ConsultantLanguage,
    ConsultantSector,
    ConsultantSkill,
    CultureAnswer,
    CultureAssessment,
    DayRate,
    Engagement,
    EngagementOutcome,
    EngagementTransition,
    StaffingNeed,
    StaffingNeedSkill,
)
from stakeholders.models import Membership, Organization, User

pytestmark = pytest.mark.django_db

RIVERTON = "City Council of Riverton"
AGENCY = "National Agency for Digital Government"
EASTMOOR = "Eastmoor Regional Health Service"
PAST_CLIENTS = {  # name: (culture type, still served)
    "Valdemora Provincial Treasury": ("hierarchy", False),
    "Costa Norte Innovation Agency": ("adhocracy", True),
    "Harbourline Mutual Insurance": ("market", False),
}
MODELS = [
    Assignment, Consultant, ConsultantCertification, ConsultantFitRating, ConsultantLanguage,
    ConsultantSector, ConsultantSkill, CultureAnswer, CultureAssessment, DayRate, Engagement,
    EngagementOutcome, EngagementTransition, StaffingNeed, StaffingNeedSkill, Organization,
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """``seed_demo`` once for the whole module, inside a transaction rolled back at the end:
    each test runs in a savepoint of it, and nothing leaks into other modules."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("seed_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def _snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def _elena() -> Consultant:
    return Consultant.objects.get(full_name="Elena Navarro")


def _principal_pm_need(organization_name: str) -> StaffingNeed:
    return StaffingNeed.objects.get(
        engagement__organization__name=organization_name, status=NeedStatus.OPEN,
        role__slug="project-manager", seniority="principal",
    )


def test_seeding_again_creates_and_changes_nothing(seeded):
    before = _snapshot()
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert _snapshot() == before
    assert "(0, 0 and 0 created now)" in output.getvalue()


def test_summary_line_reports_what_was_created(seeded):
    match = re.search(
        r"Engagements: (\d+) consultants, (\d+) culture assessments, (\d+) engagements in "
        r"(\d+) statuses, (\d+) outcomes \((\d+), (\d+) and (\d+) created now\)", seeded,
    )
    assert match, seeded
    consultants, assessments, engagements, statuses, outcomes, *created = map(
        int, match.groups()
    )
    assert consultants == Consultant.objects.count() == created[0]
    assert assessments == CultureAssessment.objects.count() == created[1]
    assert engagements == Engagement.objects.count() == created[2]
    assert statuses == len(EngagementStatus.values)
    assert outcomes == EngagementOutcome.objects.count()


def test_the_bench_is_large_and_varied(seeded):
    consultants = list(Consultant.objects.prefetch_related(
        "skills", "certifications", "sectors", "languages", "rates"
    ))
    assert len(consultants) >= 40
    assert len({c.full_name for c in consultants}) == len(consultants)
    seniorities = Counter(c.seniority for c in consultants)
    assert set(seniorities) == {"junior", "mid", "senior", "principal"}
    assert min(seniorities.values()) >= 3
    styles = Counter(dominant_type(c.style_profile) for c in consultants)
    assert set(styles) == {"clan", "adhocracy", "market", "hierarchy"}
    assert min(styles.values()) >= 5
    assert all(sum(c.style_profile) == 100 for c in consultants)
    assert sum(c.capacity_percent < 100 for c in consultants) >= 5  # part-timers
    assert len({c.location for c in consultants}) >= 10
    assert len({c.remote_mode for c in consultants}) == 3
    languages = Counter(row.language for c in consultants for row in c.languages.all())
    assert languages["es"] >= 40
    assert languages["en"] >= 30
    assert {"ca", "eu", "pt", "fr"} <= set(languages)
    last_year = timezone.localdate().year - 1
    raised = 0
    for consultant in consultants:
        skills = list(consultant.skills.all())
        assert len(skills) >= 3, consultant
        assert all(1 <= skill.proficiency <= 5 for skill in skills), consultant
        assert consultant.sectors.all(), consultant
        assert consultant.languages.all(), consultant
        assert consultant.headline, consultant
        assert consultant.email.endswith("@northwind-pmo.example"), consultant
        rates = sorted(consultant.rates.all(), key=lambda rate: rate.valid_from)
        assert rates[0].valid_from < timezone.localdate(), consultant
        if len(rates) > 1 and rates[-1].valid_from.year == last_year:
            assert rates[-1].amount > rates[-2].amount, consultant
            raised += 1
    assert raised >= 10
    assert sum(bool(c.certifications.all()) for c in consultants) >= 30
    assert len({p for c in consultants for p in c.skills.values_list("proficiency", flat=True)
                }) == 5


def test_nobody_is_over_capacity_and_some_are_fully_booked(seeded):
    today = timezone.localdate()
    fully_booked_now = 0
    for consultant in Consultant.objects.filter(assignments__isnull=False).distinct():
        assignments = consultant.assignments.all()
        first = min(a.start_on for a in assignments)
        last = max(a.end_on for a in assignments)
        loads = selectors.consultant_daily_load(
            consultant_id=consultant.pk, start=first, end=last
        )
        assert max(loads) <= consultant.capacity_percent, consultant
        window = selectors.consultant_daily_load(
            consultant_id=consultant.pk, start=today, end=today + datetime.timedelta(days=60)
        )
        fully_booked_now += max(window) == consultant.capacity_percent
    assert fully_booked_now >= 6
    free_now = Consultant.objects.exclude(
        assignments__in=Assignment.objects.overlapping(today, today)
    ).count()
    assert free_now >= 25


def test_engagements_cover_every_status_with_a_dated_workflow(seeded):
    engagements = list(Engagement.objects.prefetch_related("transitions").select_related(
        "organization", "sponsor", "product_owner"
    ))
    assert {e.status for e in engagements} == set(EngagementStatus.values)
    for name in (RIVERTON, AGENCY, EASTMOOR):
        assert len({e.status for e in engagements if e.organization.name == name}) >= 3, name
    now = timezone.now()
    for engagement in engagements:
        transitions = list(engagement.transitions.all())
        assert (transitions[0].from_status, transitions[0].to_status) == ("", "proposed")
        for previous, transition in pairwise(transitions):
            assert transition.from_status == previous.to_status, engagement
            assert transition.at > previous.at, engagement
        assert transitions[-1].to_status == engagement.status, engagement
        assert transitions[-1].at <= now, engagement
        assert engagement.created_at == transitions[0].at, engagement
        for person in (engagement.sponsor, engagement.product_owner):
            assert person is None or person.organization_id == engagement.organization_id
        if engagement.status == EngagementStatus.CANCELLED:
            assert transitions[-1].note, engagement
        if engagement.status in ("staffing", "active", "closing", "closed"):
            assert engagement.assignments.exists(), engagement
    # The demo clients' engagements name their people from the register and the bench.
    for engagement in engagements:
        if engagement.organization.name in (RIVERTON, AGENCY, EASTMOOR):
            assert engagement.sponsor is not None, engagement
            assert engagement.product_owner is not None, engagement
            assert engagement.applications.exists(), engagement
            if engagement.status not in ("proposed", "cancelled"):
                assert engagement.scrum_master is not None, engagement


def test_one_engagement_comes_from_the_accepted_request(seeded):
    engagement = Engagement.objects.select_related("service_request").get(
        service_request__isnull=False
    )
    assert engagement.service_request.status == RequestStatus.ACCEPTED
    assert engagement.organization.name == RIVERTON
    assert engagement.planned_start == engagement.service_request.desired_start
    assert list(engagement.services.all()) == [engagement.service_request.service]
    assert engagement.product_owner.organization_id == engagement.organization_id
    assert engagement.scrum_master is not None
    assert engagement.assignments.filter(staffing_need__isnull=False).exists()


def test_staffing_needs_are_open_filled_and_cancelled(seeded):
    needs = StaffingNeed.objects.prefetch_related("skill_requirements", "assignments")
    assert {need.status for need in needs} == set(NeedStatus.values)
    for need in needs:
        assert need.skill_requirements.all(), need
        filled = need.status == NeedStatus.FILLED
        assert bool(need.assignments.all()) == filled, need
    assert needs.filter(status=NeedStatus.OPEN).count() >= 5


def test_closed_engagements_have_outcomes_with_fit_ratings(seeded):
    for engagement in Engagement.objects.filter(status=EngagementStatus.CLOSED):
        outcome = engagement.outcome
        team = set(engagement.assignments.values_list("consultant_id", flat=True))
        rated = set(outcome.fit_ratings.values_list("consultant_id", flat=True))
        assert rated == team, engagement
        assert outcome.culture_profile is not None, engagement
        assert None not in (outcome.final_cpi, outcome.final_spi), engagement
        assert outcome.recorded_at <= timezone.now(), engagement
    assert not EngagementOutcome.objects.exclude(engagement__status="closed").exists()
    assert EngagementOutcome.objects.filter(on_time=False).count() >= 2


def test_client_cultures_have_the_expected_types_and_a_trend(seeded):
    expected = {RIVERTON: "hierarchy", AGENCY: "adhocracy", EASTMOOR: "clan"}
    expected |= {name: kind for name, (kind, _) in PAST_CLIENTS.items()}
    for name, kind in expected.items():
        organization = Organization.objects.get(name=name)
        culture = selectors.culture_in_force(organization_id=organization.pk)
        assert dominant_type(culture.current_profile) == kind, name
    for assessment in CultureAssessment.objects.all():
        assert sum(assessment.current_profile) == 100, assessment
        assert sum(assessment.preferred_profile) == 100, assessment
    riverton = CultureAssessment.objects.filter(organization__name=RIVERTON).order_by(
        "assessed_on"
    )
    older, newer = list(riverton)
    assert (older.source, newer.source) == ("direct", "questionnaire")
    assert newer.answers.count() == 12
    assert newer.assessed_by.username == "riverton.sponsor"  # the client's own questionnaire
    assert newer.current_hierarchy < older.current_hierarchy  # slowly opening up


def test_past_clients_are_clients_with_history(seeded):
    for name, (_, served) in PAST_CLIENTS.items():
        organization = Organization.objects.get(name=name)
        assert (organization.kind, organization.is_active) == ("client", served), name
        assert not Membership.objects.filter(organization=organization).exists(), name
        assert Engagement.objects.filter(
            organization=organization, status=EngagementStatus.CLOSED
        ).exists(), name


def test_the_story_she_ranks_lower_at_the_adhocracy_type_client(seeded):
    elena = _elena()
    outcomes = {
        rating.outcome.engagement.organization.name: rating
        for rating in ConsultantFitRating.objects.filter(consultant=elena)
        .select_related("outcome__engagement__organization")
    }
    assert outcomes["Valdemora Provincial Treasury"].perceived_fit >= 6
    assert outcomes["Valdemora Provincial Treasury"].outcome.client_satisfaction == 5
    assert outcomes["Costa Norte Innovation Agency"].perceived_fit <= 3
    assert not outcomes["Costa Norte Innovation Agency"].outcome.on_time

    rankings = {name: rank_for_need(_principal_pm_need(name)) for name in (RIVERTON, AGENCY)}
    found = {}
    for name, ranking in rankings.items():
        position, candidate = next(
            (i, c) for i, c in enumerate(ranking.candidates) if c.consultant_id == elena.pk
        )
        assert candidate.assignable, name
        found[name] = (position, candidate)
    riverton_position, at_riverton = found[RIVERTON]
    agency_position, at_agency = found[AGENCY]
    assert riverton_position == 0  # the best match for the hierarchy-type council
    assert agency_position > riverton_position
    assert at_agency.breakdown["track_record"] < 0.5 < at_riverton.breakdown["track_record"]
    assert at_agency.breakdown["culture"] < at_riverton.breakdown["culture"]
    assert at_agency.breakdown["skills"] == at_riverton.breakdown["skills"] == 1.0
    top_at_agency = rankings[AGENCY].candidates[0]
    assert top_at_agency.full_name == "Marc Puig"  # good record at adhocracy-type clients
    assert top_at_agency.breakdown["track_record"] > at_agency.breakdown["track_record"]


def test_the_demo_client_sees_its_engagements_and_team(seeded, client):
    sponsor = User.objects.get(username="riverton.sponsor")
    visible = Engagement.objects.for_user(sponsor)
    assert set(visible.values_list("organization__name", flat=True)) == {RIVERTON}
    staffed = visible.filter(status=EngagementStatus.ACTIVE, assignments__isnull=False).first()
    assert staffed is not None
    client.force_login(sponsor)
    page = client.get(reverse("engagements:engagement-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert staffed.title in html
    assert "EU digital identity wallet pilot PMO" not in html
    detail = client.get(reverse("engagements:engagement-detail", args=[staffed.pk]))
    assert detail.status_code == 200
    for assignment in staffed.assignments.select_related("consultant"):
        assert assignment.consultant.full_name in detail.content.decode()
