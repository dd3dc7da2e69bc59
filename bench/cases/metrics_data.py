"""Data of the ``metrics_recompute`` case: open engagements with their delivery inputs.

The small tables (organizations, stakeholders, risks, communication plans, catalog services
and indicators, consultants, engagements) go in with ``bulk_create``; the large ones
(iterations, deliverables, time entries, expenses, KPI measurements) with PostgreSQL ``COPY``
from an in-memory buffer, with explicit ids so deliverables can point at their iteration
without reading anything back (the id sequences are moved past them afterwards).

Every row satisfies the models' constraints. Budgets are whole euros so that earned value
(budget x percent / 100) is exact to the cent and the product and the baseline cannot differ by
rounding.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from bench.copying import copy_rows
from catalog.choices import Direction, Frequency, PricingBasis, Typology
from catalog.models import Category, Indicator, Service
from engagements.choices import (
    DeliverableKind,
    DeliverableStatus,
    EngagementStatus,
    ExpenseCategory,
    IterationStatus,
    Seniority,
)
from engagements.models import (
    Consultant,
    Deliverable,
    Engagement,
    Expense,
    Iteration,
    KpiMeasurement,
    TimeEntry,
)
from stakeholders.choices import (
    Channel,
    CommunicationFrequency,
    EngagementLevel,
    OrganizationKind,
    RiskCategory,
    RiskStatus,
)
from stakeholders.models import (
    CommunicationPlan,
    EngagementAssessment,
    Organization,
    Risk,
    Stakeholder,
    User,
)

STATUS_DATE = date(2027, 3, 1)
ITERATION_DAYS = 14
STORY_POINTS = (1, 2, 3, 5, 8, 13)


@dataclass(frozen=True)
class Scale:
    """How much to build; per-engagement counts are exact, so totals are predictable."""

    engagements: int = 5_000
    organizations: int = 200
    iterations_per_engagement: int = 6
    deliverables_per_engagement: int = 20
    time_entries_per_engagement: int = 100
    expenses_per_engagement: int = 4
    kpi_indicators_per_engagement: int = 2
    kpi_periods: int = 2
    stakeholders_per_organization: int = 5
    risks_per_organization: int = 4
    plans_per_organization: int = 2
    consultants: int = 100


def _progress(label: str, count: int, started: float) -> None:
    print(f"  built {count:>9,} {label} ({time.perf_counter() - started:.1f} s)", flush=True)


def _people(rng: random.Random, scale: Scale, staff: User) -> tuple[list, dict[int, list]]:
    """Client organizations with stakeholders (and one assessment each), risks and plans."""
    organizations = Organization.objects.bulk_create([
        Organization(name=f"Client {index:04d}", kind=OrganizationKind.CLIENT)
        for index in range(scale.organizations)
    ])
    levels = EngagementLevel.values
    stakeholders = Stakeholder.objects.bulk_create([
        Stakeholder(
            organization=organization, full_name=f"Person {organization.pk}-{index}",
            power=rng.randint(1, 5), interest=rng.randint(1, 5),
            current_engagement=rng.choice(levels), desired_engagement=rng.choice(levels),
            is_active=rng.random() < 0.9,
        )
        for organization in organizations for index in range(scale.stakeholders_per_organization)
    ], batch_size=5000)
    EngagementAssessment.objects.bulk_create([
        EngagementAssessment(
            stakeholder=person, assessed_on=STATUS_DATE - timedelta(days=rng.randint(1, 200)),
            current=person.current_engagement, desired=person.desired_engagement,
            assessed_by=staff,
        )
        for person in stakeholders
    ], batch_size=5000)
    Risk.objects.bulk_create([
        Risk(
            organization=organization, title=f"Risk {index}",
            category=rng.choice(RiskCategory.values), probability=rng.randint(1, 5),
            impact=rng.randint(1, 5), status=rng.choice(RiskStatus.values),
            identified_on=STATUS_DATE - timedelta(days=rng.randint(1, 300)),
        )
        for organization in organizations for index in range(scale.risks_per_organization)
    ], batch_size=5000)
    CommunicationPlan.objects.bulk_create([
        CommunicationPlan(
            organization=organization, purpose=f"Status report {index}",
            channel=rng.choice(Channel.values), frequency=CommunicationFrequency.MONTHLY,
            starts_on=STATUS_DATE - timedelta(days=200),
            # Some plans are overdue on the status date, some not yet due.
            next_due_on=STATUS_DATE + timedelta(days=rng.randint(-20, 20)),
        )
        for organization in organizations for index in range(scale.plans_per_organization)
    ], batch_size=5000)
    by_organization: dict[int, list[int]] = {}
    for person in stakeholders:
        by_organization.setdefault(person.organization_id, []).append(person.pk)
    return organizations, by_organization


def _catalog(rng: random.Random) -> tuple[list[Service], dict[int, list[int]]]:
    """Five services with two indicators each (the KPIs measured)."""
    category = Category.objects.create(name="Bench category", slug="bench-category")
    services = Service.objects.bulk_create([
        Service(
            name=f"Bench service {index}", slug=f"bench-service-{index}", summary="Summary",
            description="Description", typology=Typology.SUPPORTIVE, category=category,
            pricing_basis=PricingBasis.values[0],
        )
        for index in range(5)
    ])
    indicators = Indicator.objects.bulk_create([
        Indicator(
            service=service, name=f"Indicator {index}", measures="Share", formula="a / b",
            unit="%", direction=Direction.HIGHER_IS_BETTER, target=Decimal("95"),
            green_threshold=Decimal("90"), red_threshold=Decimal("75"),
            frequency=Frequency.MONTHLY, position=index,
        )
        for service in services for index in range(2)
    ])
    by_service: dict[int, list[int]] = {}
    for indicator in indicators:
        by_service.setdefault(indicator.service_id, []).append(indicator.pk)
    return services, by_service


def _deliverable(
    rng: random.Random, pk: int, engagement: Engagement, iteration_ids: list[int],
    service_ids: list[int], stakeholder_ids: list[int], now: datetime,
) -> tuple:
    """One deliverable row: finished, in progress or not started on the status date."""
    start = engagement.planned_start + timedelta(days=rng.randint(0, 200))
    finish = start + timedelta(days=rng.randint(5, 60))
    roll = rng.random()
    kind = (DeliverableKind.SERVICE_LAUNCH if roll < 0.1
            else DeliverableKind.DOCUMENT if roll < 0.7 else DeliverableKind.OTHER)
    service_id = rng.choice(service_ids) if kind == DeliverableKind.SERVICE_LAUNCH else None
    accepted_by = accepted_at = None
    if finish <= STATUS_DATE:
        status = rng.choice([DeliverableStatus.ACCEPTED, DeliverableStatus.ACCEPTED,
                             DeliverableStatus.DONE, DeliverableStatus.IN_PROGRESS])
        percent = rng.randint(60, 95) if status == DeliverableStatus.IN_PROGRESS else 100
    elif start <= STATUS_DATE:
        status = rng.choice([DeliverableStatus.IN_PROGRESS, DeliverableStatus.TODO])
        percent = rng.randint(5, 90) if status == DeliverableStatus.IN_PROGRESS else 0
    else:
        status, percent = DeliverableStatus.TODO, 0
    if status == DeliverableStatus.ACCEPTED:
        accepted_by, accepted_at = rng.choice(stakeholder_ids), now
    iteration_id = rng.choice(iteration_ids) if rng.random() < 0.9 else None
    return (
        pk, engagement.pk, iteration_id, f"Deliverable {pk}", kind, service_id,
        rng.choice(STORY_POINTS), rng.randrange(1000, 20000), start, finish, percent, status,
        accepted_by, accepted_at, now, now,
    )


def build(rng: random.Random, scale: Scale = Scale()) -> dict[str, float]:
    """Build everything at ``scale``; returns the seconds each step took."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    now = timezone.now()
    staff = User.objects.create(
        username="bench-staff", email="bench-staff@pmo.example", is_staff=True,
        password=make_password(None),
    )
    organizations, stakeholders = _people(rng, scale, staff)
    services, indicators = _catalog(rng)
    consultants = Consultant.objects.bulk_create([
        Consultant(full_name=f"Consultant {index:04d}", seniority=rng.choice(Seniority.values))
        for index in range(scale.consultants)
    ])
    hourly = {consultant.pk: Decimal(rng.randrange(50, 150)) for consultant in consultants}
    engagements = Engagement.objects.bulk_create([
        Engagement(
            organization=rng.choice(organizations), title=f"Engagement {index:05d}",
            status=EngagementStatus.ACTIVE,
            planned_start=(start := STATUS_DATE - timedelta(days=rng.randint(30, 300))),
            planned_end=start + timedelta(days=rng.randint(240, 400)),
            budget_at_completion=Decimal(rng.randrange(200_000, 500_000, 1000)),
        )
        for index in range(scale.engagements)
    ], batch_size=5000)
    through = Engagement.services.through
    engagement_services = {
        engagement.pk: [service.pk for service in rng.sample(services, 2)]
        for engagement in engagements
    }
    through.objects.bulk_create([
        through(engagement_id=pk, service_id=service_id)
        for pk, service_ids in engagement_services.items() for service_id in service_ids
    ], batch_size=10000)
    timings["small tables"] = time.perf_counter() - started
    _progress("engagements (with organizations, people, catalog)", len(engagements), started)

    iteration_rows, iteration_ids = [], {}
    for engagement in engagements:
        ids = iteration_ids[engagement.pk] = []
        for number in range(1, scale.iterations_per_engagement + 1):
            start = engagement.planned_start + timedelta(days=ITERATION_DAYS * (number - 1))
            end = start + timedelta(days=ITERATION_DAYS - 1)
            status = (IterationStatus.FINISHED if end < STATUS_DATE
                      else IterationStatus.ACTIVE if start <= STATUS_DATE
                      else IterationStatus.PLANNED)
            pk = len(iteration_rows) + 1
            ids.append(pk)
            iteration_rows.append((pk, engagement.pk, number, start, end, "", status, ""))
    count = copy_rows(Iteration, ["id", "engagement_id", "number", "start_on", "end_on", "goal",
                                  "status", "review_notes"], iteration_rows)
    _progress("iterations", count, started)

    def deliverables() -> Iterable[tuple]:
        pk = 0
        for engagement in engagements:
            for _ in range(scale.deliverables_per_engagement):
                pk += 1
                yield _deliverable(
                    rng, pk, engagement, iteration_ids[engagement.pk],
                    engagement_services[engagement.pk],
                    stakeholders[engagement.organization_id], now,
                )

    count = copy_rows(Deliverable, [
        "id", "engagement_id", "iteration_id", "title", "kind", "service_id", "story_points",
        "budget", "planned_start", "planned_finish", "percent_complete", "status",
        "accepted_by_id", "accepted_at", "created_at", "updated_at",
    ], deliverables())
    _progress("deliverables", count, started)

    consultant_ids = list(hourly)

    def time_entries() -> Iterable[tuple]:
        pk = 0
        for engagement in engagements:
            # Up to a month past the status date: those entries must not count in AC.
            span = (STATUS_DATE - engagement.planned_start).days + 30
            for _ in range(scale.time_entries_per_engagement):
                pk += 1
                consultant_id = rng.choice(consultant_ids)
                hours = Decimal(rng.randint(4, 32)) / 4
                yield (pk, engagement.pk, consultant_id, None,
                       engagement.planned_start + timedelta(days=rng.randint(0, span)), hours,
                       hours * hourly[consultant_id], "", "", now)

    count = copy_rows(TimeEntry, [
        "id", "engagement_id", "consultant_id", "deliverable_id", "worked_on", "hours", "cost",
        "description", "external_id", "created_at",
    ], time_entries())
    _progress("time entries", count, started)

    def expenses() -> Iterable[tuple]:
        pk = 0
        for engagement in engagements:
            span = (STATUS_DATE - engagement.planned_start).days + 30
            for _ in range(scale.expenses_per_engagement):
                pk += 1
                yield (pk, engagement.pk,
                       engagement.planned_start + timedelta(days=rng.randint(0, span)),
                       Decimal(rng.randrange(2000, 200000)) / 100,
                       rng.choice(ExpenseCategory.values), "", now)

    count = copy_rows(Expense, ["id", "engagement_id", "spent_on", "amount", "category",
                                "description", "created_at"], expenses())
    _progress("expenses", count, started)

    def measurements() -> Iterable[tuple]:
        pk = 0
        for engagement in engagements:
            choices = [pk_ for service_id in engagement_services[engagement.pk]
                       for pk_ in indicators[service_id]]
            for indicator_id in rng.sample(choices, scale.kpi_indicators_per_engagement):
                for period in range(scale.kpi_periods):
                    # Monthly periods ending before the status date; the latest one wins.
                    period_start = STATUS_DATE - timedelta(days=30 * (period + 2))
                    pk += 1
                    yield (pk, engagement.pk, indicator_id, period_start,
                           period_start + timedelta(days=29),
                           Decimal(rng.randrange(6000, 10000)) / 100, "", staff.pk, now)

    count = copy_rows(KpiMeasurement, [
        "id", "engagement_id", "indicator_id", "period_start", "period_end", "value", "note",
        "recorded_by_id", "created_at",
    ], measurements())
    _progress("KPI measurements", count, started)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["total"] = time.perf_counter() - started
    return timings
