"""Read operations of the engagements app: querysets with their joins chosen, the culture and
rate in force, and a consultant's load over dates (what capacity checks and the bench use).

List selectors return unscoped querysets; interfaces apply ``for_user`` (the one scoping
mechanism) on top. Each is built so that listing N rows costs a constant number of queries.
"""

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    Assignment,
    Consultant,
    ConsultantCertification,
    ConsultantFitRating,
    ConsultantSkill,
    CultureAssessment,
    DayRate,
    Engagement,
    EngagementOutcome,
    ProposalLine,
    StaffingNeed,
    StaffingNeedSkill,
    StaffingProposal,
)

# A week counts as under-used when its peak load stays below this share of capacity.
UNDER_USE_SHARE = Decimal("0.5")


# --- Lists ---------------------------------------------------------------------------------------


def consultant_list() -> QuerySet[Consultant]:
    """Consultants with skills, certifications, languages and sectors prefetched, and
    ``day_rate_today``: the rate in force today (a subquery; staff-only information)."""
    rate_today = (
        DayRate.objects.filter(consultant=OuterRef("pk"), valid_from__lte=timezone.localdate())
        .order_by("-valid_from").values("amount")[:1]
    )
    return (
        Consultant.objects.select_related("user")
        .prefetch_related(
            Prefetch("skills", ConsultantSkill.objects.select_related("skill")
                     .order_by("-proficiency", "skill__name")),
            Prefetch("certifications", ConsultantCertification.objects
                     .select_related("certification").order_by("certification__code")),
            "languages",
            "sectors",
        )
        .annotate(day_rate_today=Subquery(
            rate_today, output_field=DecimalField(max_digits=9, decimal_places=2)
        ))
        .order_by("full_name", "id")
    )


def assignment_list() -> QuerySet[Assignment]:
    """Assignments with engagement (and client), consultant, role and need joined."""
    return Assignment.objects.select_related(
        "engagement__organization", "consultant", "role", "staffing_need", "created_by"
    ).order_by("start_on", "id")


def engagement_list() -> QuerySet[Engagement]:
    """Engagements with client, sponsor, Product Owner and Scrum Master joined; services,
    applications and the team (each assignment with its consultant and role) prefetched."""
    return (
        Engagement.objects.select_related(
            "organization", "sponsor", "product_owner", "scrum_master", "service_request"
        )
        .prefetch_related(
            "services",
            "applications",
            Prefetch("assignments", Assignment.objects.select_related("consultant", "role")
                     .order_by("start_on", "consultant__full_name", "id")),
        )
        .order_by("-planned_start", "title", "id")
    )


# The columns ``EngagementRowSerializer`` writes, in the API list's order.
ENGAGEMENT_ROW_COLUMNS = (
    "id", "organization_id", "organization__name", "title", "status", "metrics__health",
    "typology", "planned_start", "planned_end", "budget_at_completion", "service_request_id",
    "scrum_master_id", "scrum_master__full_name", "scrum_master__headline",
    "scrum_master__seniority", "created_at", "updated_at", "version",
)


def engagement_api_rows() -> QuerySet:
    """The API list as plain rows (``values()``): the client's name, the Scrum Master's
    public face and the stored health joined, the team size counted in the same statement, no
    model instances and no prefetch. ``EngagementRowSerializer`` writes them as
    ``EngagementSerializer`` writes the shared ``engagement_list()`` with its metrics row;
    scoping, filters, search and ordering apply unchanged."""
    return _engagement_rows_base().all()


@functools.cache
def _engagement_rows_base() -> QuerySet:
    """Built once per process: resolving the columns, the joins and the count subquery cost
    about as much per request as running the page query (docs/benchmarks.md). A queryset
    that is never evaluated is a safe template; every request works on a clone."""
    team = (
        Assignment.objects.filter(engagement=OuterRef("pk"))
        .order_by().values("engagement").annotate(total=Count("pk")).values("total")
    )
    return (
        Engagement.objects.values(*ENGAGEMENT_ROW_COLUMNS)
        .annotate(team_size=Coalesce(Subquery(team, output_field=IntegerField()), 0))
        .order_by("-planned_start", "title", "id")
    )


def staffing_need_list() -> QuerySet[StaffingNeed]:
    """Staffing needs with engagement (and client) and role joined, skill requirements
    (with their skill) prefetched."""
    return (
        StaffingNeed.objects.select_related("engagement__organization", "role")
        .prefetch_related(
            Prefetch("skill_requirements",
                     StaffingNeedSkill.objects.select_related("skill").order_by("skill__name"))
        )
        .order_by("start_on", "id")
    )


def culture_assessment_list() -> QuerySet[CultureAssessment]:
    """Assessments, newest first per organization, with their questionnaire answers."""
    return (
        CultureAssessment.objects.select_related("organization", "assessed_by")
        .prefetch_related("answers")
        .order_by("organization__name", "-assessed_on", "-id")
    )


def outcome_list() -> QuerySet[EngagementOutcome]:
    """Outcomes with engagement (and client) joined and the fit ratings prefetched."""
    return (
        EngagementOutcome.objects.select_related("engagement__organization", "recorded_by")
        .prefetch_related(
            Prefetch("fit_ratings", ConsultantFitRating.objects.select_related("consultant")
                     .order_by("consultant__full_name", "id"))
        )
        .order_by("-recorded_at", "-id")
    )


def proposal_list() -> QuerySet[StaffingProposal]:
    """Proposals with their lines (need, engagement, role, consultants, assignment)."""
    lines = ProposalLine.objects.select_related(
        "need__engagement__organization", "need__role", "consultant", "greedy_consultant",
        "assignment",
    ).order_by("need__start_on", "need_id")
    return (
        StaffingProposal.objects.select_related("created_by")
        .prefetch_related(Prefetch("lines", lines))
        .order_by("-created_at", "-id")
    )


# --- Values in force -----------------------------------------------------------------------------


def culture_in_force(*, organization_id: int) -> CultureAssessment | None:
    """The organization's culture: its newest assessment (by date, then by recording)."""
    return (
        CultureAssessment.objects.filter(organization_id=organization_id)
        .order_by("-assessed_on", "-id").first()
    )


def day_rate_on(*, consultant_id: int, day: date) -> Decimal | None:
    """The consultant's day rate in force on ``day``: the latest one starting on or before
    it; None when no rate had started yet."""
    return (
        DayRate.objects.filter(consultant_id=consultant_id, valid_from__lte=day)
        .order_by("-valid_from").values_list("amount", flat=True).first()
    )


# --- Load and the bench --------------------------------------------------------------------------


def _daily_loads(periods, start: date, end: date) -> list[int]:
    """Per day of [start, end], the sum of the allocations of ``periods`` covering it.

    ``periods`` are (start_on, end_on, allocation_percent); a difference array keeps this
    linear in days plus periods, whatever their overlap.
    """
    days = (end - start).days + 1
    steps = [0] * (days + 1)
    for period_start, period_end, allocation in periods:
        first = max((period_start - start).days, 0)
        last = min((period_end - start).days, days - 1)
        if first <= last:
            steps[first] += allocation
            steps[last + 1] -= allocation
    loads, running = [], 0
    for step in steps[:days]:
        running += step
        loads.append(running)
    return loads


def consultant_daily_load(
    *, consultant_id: int, start: date, end: date, exclude_assignment_id: int | None = None
) -> list[int]:
    """The consultant's load on each day of [start, end] (one int per day, in %): the sum
    of the allocations of their assignments covering that day, on any engagement.

    ``exclude_assignment_id`` leaves one assignment out (the one being changed). One query.
    """
    if end < start:
        return []
    assignments = Assignment.objects.filter(consultant_id=consultant_id).overlapping(start, end)
    if exclude_assignment_id is not None:
        assignments = assignments.exclude(pk=exclude_assignment_id)
    periods = assignments.order_by().values_list("start_on", "end_on", "allocation_percent")
    return _daily_loads(periods, start, end)


@dataclass(frozen=True)
class BenchWeek:
    """One week of a consultant's bench row: the peak daily load (%) and how it reads."""

    starts_on: date
    allocation_percent: int
    over: bool  # above capacity: the services forbid it, so this flags bad imported data
    under: bool  # below half of capacity: someone to staff


@dataclass(frozen=True)
class BenchRow:
    consultant: Consultant
    weeks: list[BenchWeek]

    @property
    def peak_percent(self) -> int:
        return max((week.allocation_percent for week in self.weeks), default=0)


def bench_consultants() -> QuerySet[Consultant]:
    """The consultants the bench shows, in its order: the active ones, by name."""
    return Consultant.objects.active().order_by("full_name", "id")


def bench_allocation(*, start: date, weeks: int = 12,
                     consultants: list[Consultant] | None = None) -> list[BenchRow]:
    """Each consultant's allocation over ``weeks`` weeks from ``start``: of ``consultants``
    (a page of the bench, in order) when given, else of every one ``bench_consultants()``
    lists.

    A week's allocation is the highest daily load in it (a consultant at 100% on Monday and
    free the rest of the week cannot take a full-time role that week). ``over`` flags a week
    above capacity, ``under`` one below half of it. Two queries, whatever the bench size
    (one when the consultants are given); a page costs what its own rows cost.
    """
    if weeks < 1:
        raise ValueError("The bench shows at least one week.")
    end = start + timedelta(days=7 * weeks - 1)
    if consultants is None:
        consultants = list(bench_consultants())
        assignments = Assignment.objects.filter(consultant__is_active=True)
    else:
        assignments = Assignment.objects.filter(consultant_id__in=[c.pk for c in consultants])
    periods: dict[int, list[tuple[date, date, int]]] = {c.pk: [] for c in consultants}
    rows = (
        assignments.overlapping(start, end)
        .order_by().values_list("consultant_id", "start_on", "end_on", "allocation_percent")
    )
    for consultant_id, period_start, period_end, allocation in rows:
        periods.setdefault(consultant_id, []).append((period_start, period_end, allocation))
    bench = []
    for consultant in consultants:
        loads = _daily_loads(periods[consultant.pk], start, end)
        capacity = consultant.capacity_percent
        row_weeks = []
        for week in range(weeks):
            peak = max(loads[week * 7:(week + 1) * 7])
            row_weeks.append(BenchWeek(
                starts_on=start + timedelta(days=7 * week),
                allocation_percent=peak,
                over=peak > capacity,
                under=peak < capacity * UNDER_USE_SHARE,
            ))
        bench.append(BenchRow(consultant=consultant, weeks=row_weeks))
    return bench
