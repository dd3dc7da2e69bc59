"""The demo bench, cultures and engagements seeded by ``seed_demo``: the seeds' story holds,
nobody is over capacity, every status shows, and running it again changes nothing."""

import datetime
import io
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.urls import reverse
from django.utils import timezone

from catalog.choices import RequestStatus
from engagements import demo_data, selectors
from engagements.choices import DeliverableKind, EngagementStatus, NeedStatus
from engagements.classification import dominant_type
from engagements.matching import rank_for_need
from engagements.metrics import formulas
from engagements.metrics.formulas import Figure
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
    Deliverable,
    Engagement,
    EngagementMetrics,
    EngagementOutcome,
    EngagementTransition,
    Expense,
    Iteration,
    KpiMeasurement,
    MetricsSnapshot,
    StaffingNeed,
    StaffingNeedSkill,
    TimeEntry,
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
    Iteration, Deliverable, TimeEntry, Expense, KpiMeasurement, EngagementMetrics,
    MetricsSnapshot,
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


# --- Delivery history and metrics (issue 6) ------------------------------------------------------

IN_PROGRESS = (EngagementStatus.ACTIVE, EngagementStatus.CLOSING)
THREE_MONTHS = datetime.timedelta(days=85)  # three calendar months, less a weekend
# Health figures that come from the client organization (its risks, stakeholders and
# communications), not from the engagement's delivery.
ORGANIZATION_FIGURES = {"risks_red", "communications_overdue",
                        "key_stakeholders_at_desired_percent"}


def _storied() -> list[Engagement]:
    return list(Engagement.objects.filter(
        title__in=demo_data.DELIVERY_STORIES, status__in=IN_PROGRESS
    ).order_by("title"))


def _delivery_health(metrics: EngagementMetrics) -> tuple[str, list[str]]:
    """The overall health rules applied to the delivery figures only."""
    figures = {
        name: Figure(None if item["value"] is None else Decimal(item["value"]), item["reason"])
        for name, item in metrics.figures.items()
        if name not in ("kpis", "reasons") and name not in ORGANIZATION_FIGURES
    }
    return formulas.overall_health(figures, [kpi["status"] for kpi in metrics.figures["kpis"]])


def test_every_active_engagement_has_months_of_delivery(seeded):
    storied = _storied()
    active = Engagement.objects.filter(status=EngagementStatus.ACTIVE)
    assert active.exists()
    assert set(active) <= set(storied)
    for engagement in storied:
        iterations = list(engagement.iterations.order_by("number"))
        assert [i.number for i in iterations] == list(range(1, len(iterations) + 1))
        assert iterations[-1].end_on - iterations[0].start_on >= THREE_MONTHS
        kinds = Counter(engagement.deliverables.values_list("kind", flat=True))
        assert kinds[DeliverableKind.DOCUMENT] >= 6
        launched = set(engagement.deliverables.filter(
            kind=DeliverableKind.SERVICE_LAUNCH).values_list("service", flat=True))
        assert launched == set(engagement.services.values_list("pk", flat=True))
        budgets = engagement.deliverables.aggregate(total=Sum("budget"))["total"]
        assert budgets == engagement.budget_at_completion
        for rows, first, last in ((engagement.time_entries, "worked_on", "worked_on"),
                                  (engagement.expenses, "spent_on", "spent_on")):
            span = rows.aggregate(first=Min(first), last=Max(last))
            assert span["first"] is not None, (engagement.title, rows.model.__name__)
            assert span["last"] - span["first"] >= THREE_MONTHS, rows.model.__name__
        # KPIs are monthly: every calendar month completed since the start (at least two),
        # however far into the current month today is.
        months = sorted(set(engagement.kpi_measurements.values_list("period_start",
                                                                    "period_end")))
        this_month = timezone.localdate().replace(day=1)
        assert len(months) >= 2, engagement.title
        assert months[0][0] == engagement.planned_start, engagement.title
        assert months[-1][1] == this_month - datetime.timedelta(days=1), engagement.title
        for (_, end), (start, _) in pairwise(months):
            assert start == end + datetime.timedelta(days=1), engagement.title
        team = set(engagement.assignments.values_list("consultant", flat=True))
        assert set(engagement.time_entries.values_list("consultant", flat=True)) == team
        indicators = set(engagement.kpi_measurements.values_list("indicator__service", flat=True))
        assert indicators <= set(engagement.services.values_list("pk", flat=True))


def test_time_is_costed_at_the_day_rate_in_force(seeded):
    entries = TimeEntry.objects.filter(external_id__startswith="demo:").order_by("pk")
    assert entries.count() > 500
    for entry in entries[::97]:
        rate = DayRate.objects.filter(
            consultant=entry.consultant, valid_from__lte=entry.worked_on
        ).order_by("-valid_from").values_list("amount", flat=True).first()
        expected = (entry.hours * rate / 8).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert entry.cost == expected


def test_snapshots_replay_months_of_rising_curves(seeded):
    today = timezone.localdate()
    for engagement in _storied():
        snapshots = list(engagement.metrics_snapshots.order_by("day"))
        assert snapshots[-1].day == today
        assert snapshots[-1].day - snapshots[0].day >= THREE_MONTHS
        for name in ("pv", "ev", "ac"):
            curve = [getattr(snapshot, name) for snapshot in snapshots]
            assert all(a <= b for a, b in pairwise(curve)), (engagement.title, name)
            assert curve[-1] > curve[0] * 5, (engagement.title, name)
        current = engagement.metrics
        assert (current.status_date, current.pv, current.ev, current.ac) == (
            today, snapshots[-1].pv, snapshots[-1].ev, snapshots[-1].ac)
        # The replay is honest: an earlier day's figures are what the computation gives for
        # that day's actual cost (time and expenses dated up to it).
        middle = snapshots[len(snapshots) // 2]
        spent = (
            (engagement.time_entries.filter(worked_on__lte=middle.day)
             .aggregate(total=Sum("cost"))["total"] or 0)
            + (engagement.expenses.filter(spent_on__lte=middle.day)
               .aggregate(total=Sum("amount"))["total"] or 0)
        )
        assert middle.ac == spent


def test_the_three_delivery_stories_hold(seeded):
    health = {}
    for engagement in _storied():
        colour, reasons = _delivery_health(engagement.metrics)
        health[engagement.title] = (colour, reasons)
        assert engagement.metrics.health in {"green", "amber", "red"}
        assert set(reasons) <= set(engagement.metrics.figures["reasons"])
    assert health["Open data APIs delivery office"] == ("green", [])
    colour, reasons = health["Tax management platform rollout PMO"]
    assert colour == "red"
    assert any(reason.startswith("CPI") for reason in reasons)
    assert any(reason.startswith("SPI") for reason in reasons)
    colour, reasons = health["Electronic prescription rollout support"]
    assert colour == "amber"
    assert reasons
    statuses = {kpi["status"] for engagement in _storied()
                for kpi in engagement.metrics.figures["kpis"]}
    assert statuses == {"green", "amber", "red"}
    # Overall, the client side counts too: every demo client has overdue communications, so
    # the healthy delivery reads amber for those reasons alone, and the troubled one is red.
    overall = {engagement.title: engagement.metrics.health for engagement in _storied()}
    assert overall == {
        "Open data APIs delivery office": "amber",
        "Tax management platform rollout PMO": "red",
        "Electronic prescription rollout support": "amber",
    }


def test_summary_line_reports_delivery(seeded):
    match = re.search(
        r"Delivery: (\d+) iterations, (\d+) deliverables, (\d+) time entries, (\d+) expenses, "
        r"(\d+) KPI measurements \((\d+) rows created now\)", seeded,
    )
    assert match, seeded
    counts = list(map(int, match.groups()))
    models = [Iteration, Deliverable, TimeEntry, Expense, KpiMeasurement]
    assert counts[:5] == [model.objects.count() for model in models]
    assert counts[5] == sum(counts[:5]) > 0


def test_the_demo_client_sees_its_dashboard_data(seeded, client):
    sponsor = User.objects.get(username="riverton.sponsor")
    own = Engagement.objects.get(title="Tax management platform rollout PMO")
    other = Engagement.objects.get(title="Open data APIs delivery office")
    client.force_login(sponsor)
    metrics = client.get(f"/api/v1/engagements/{own.pk}/metrics/")
    assert metrics.status_code == 200
    body = metrics.json()
    assert body["health"] == "red"
    assert body["figures"]["cpi"]["value"] == str(own.metrics.cpi)
    history = client.get(f"/api/v1/engagements/{own.pk}/metrics/history/")
    assert history.status_code == 200
    days = [row["day"] for row in history.json()["results"]]
    assert len(days) == own.metrics_snapshots.count() >= 13
    assert days == sorted(days)
    for path in ("metrics/", "metrics/history/"):
        assert client.get(f"/api/v1/engagements/{other.pk}/{path}").status_code == 404
