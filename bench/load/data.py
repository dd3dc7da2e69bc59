"""The load test's data: ``seed_demo`` plus a top-up to the volumes a busy provider has.

Run as ``python -m bench.load.data <fixture.json>`` by the orchestrator, on the already
migrated ``pmo_load`` database, with Django's local settings, ``DEBUG`` off and no broker
(so the seed's tasks run in-process). Everything is built with ``bulk_create`` through the
product's models (no ``bench.cases`` import: those builders serve other measurements).

The fixture written at the end is what the load generator needs and cannot look up without
distorting the measurement: API tokens of client and staff users, the published services'
slugs, each engagement's team (who may log time on which days) and the open staffing needs.
"""

from __future__ import annotations

import io
import json
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

SEED = 20261201
SERVICES = 300
DRAFT_SERVICES = 20
CLIENT_ORGANIZATIONS = 50
USERS_PER_ORGANIZATION = 2
STAFF_USERS = 8
APPLICATIONS_PER_ORGANIZATION = 20
CONSULTANTS = 2_000
ENGAGEMENTS_PER_ORGANIZATION = 4
CLOSED_ENGAGEMENTS = 300
TEAM_SIZE = 10
ITERATION_DAYS = 14
DELIVERABLES_PER_ENGAGEMENT = 12
PAST_ENTRIES_PER_ASSIGNMENT = 20
# At most a working day per consultant and day before the test: the pushes add to it.
PAST_HOURS_PER_DAY = Decimal(8)
OPEN_NEEDS = 150
STORY_POINTS = (1, 2, 3, 5, 8, 13)
WORDS = ["portfolio", "reporting", "risk", "benefits", "governance", "agile", "demand",
         "capacity", "assurance", "planning", "gestión", "métricas", "roadmap", "quality",
         "change", "health check", "stage-gate", "évaluation", "procurement", "training"]


def _profile(rng: random.Random) -> list[int]:
    """Four culture points adding up to 100, one type usually dominant."""
    weights = [rng.random() for _ in range(4)]
    weights[rng.randrange(4)] += 1.5
    points = [int(100 * weight / sum(weights)) for weight in weights]
    points[points.index(max(points))] += 100 - sum(points)
    return points


def _step(label: str, started: float) -> None:
    print(f"  data: {label} ({time.perf_counter() - started:.1f} s)", flush=True)


def past_entries(assignments, today: date, rng: random.Random):
    """(assignment, day, hours) of the time logged before the test: 20 entries per assignment
    of 2-8 h on distinct past days, at most ``PAST_HOURS_PER_DAY`` per consultant and day.

    A consultant sampled into several teams must not start the test near the product's
    24-hour daily cap, or the scenario's pushes (valid rows of 1 h at most) would be refused.
    """
    logged: dict[tuple[int, date], Decimal] = {}
    for assignment in assignments:
        worked_days = (today - assignment.start_on).days
        taken = 0
        for offset in rng.sample(range(worked_days), worked_days):
            if taken == PAST_ENTRIES_PER_ASSIGNMENT:
                break
            day = assignment.start_on + timedelta(days=offset)
            hours = Decimal(rng.choice([2, 4, 6, 8]))
            key = (assignment.consultant_id, day)
            if logged.get(key, 0) + hours > PAST_HOURS_PER_DAY:
                continue
            logged[key] = logged.get(key, 0) + hours
            taken += 1
            yield assignment, day, hours
        if taken < PAST_ENTRIES_PER_ASSIGNMENT:
            raise ValueError(f"no room for {PAST_ENTRIES_PER_ASSIGNMENT} entries of assignment "
                             f"{assignment} under {PAST_HOURS_PER_DAY} h a day")


def build(rng: random.Random, today: date) -> dict[str, Any]:
    """Top up the seeded database; returns the load generator's fixture."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from catalog.choices import (
        PricingBasis,
        Seniority,
        ServiceStatus,
        SkillCategory,
        TierLevel,
        Typology,
    )
    from catalog.models import Category, Role, Service, ServiceTier, Skill, ValueProcess
    from engagements.choices import (
        CultureSource,
        DeliverableKind,
        DeliverableStatus,
        EngagementStatus,
        IterationStatus,
        Language,
        NeedStatus,
    )
    from engagements.metrics import compute
    from engagements.models import (
        Assignment,
        Consultant,
        ConsultantFitRating,
        ConsultantLanguage,
        ConsultantSector,
        ConsultantSkill,
        CultureAssessment,
        DayRate,
        Deliverable,
        Engagement,
        EngagementOutcome,
        Iteration,
        StaffingNeed,
        StaffingNeedSkill,
        TimeEntry,
    )
    from portfolio.choices import Criticality, Lifecycle
    from portfolio.models import Application
    from stakeholders.choices import MembershipRole, OrganizationKind, Sector
    from stakeholders.models import Membership, Organization, User

    started = time.perf_counter()
    now = timezone.now()
    no_password = make_password(None)
    with transaction.atomic():
        # --- Catalog: 300 published services (plus drafts the public never sees) ---
        categories = list(Category.objects.all()) or Category.objects.bulk_create(
            [Category(name=f"Category {index}", slug=f"load-category-{index}", position=index)
             for index in range(6)])
        processes = list(ValueProcess.objects.all())
        statuses = [ServiceStatus.PUBLISHED] * SERVICES + [ServiceStatus.DRAFT] * DRAFT_SERVICES
        rng.shuffle(statuses)
        services = Service.objects.bulk_create([
            Service(
                name=f"{' '.join(rng.sample(WORDS, 2)).capitalize()} service {index:03d}",
                slug=f"load-service-{index:03d}",
                summary=f"Helps with {', '.join(rng.sample(WORDS, 3))}.",
                description=" ".join(rng.choices(WORDS, k=80)),
                typology=rng.choice(Typology.values), category=rng.choice(categories),
                status=status, typical_duration_weeks=rng.choice([None, 4, 8, 12, 26]),
                pricing_basis=rng.choice(PricingBasis.values),
                published_at=now if status == ServiceStatus.PUBLISHED else None,
            )
            for index, status in enumerate(statuses)
        ])
        through = Service.value_processes.through
        through.objects.bulk_create([
            through(service_id=service.pk, valueprocess_id=process.pk)
            for service in services
            for process in rng.sample(processes, min(len(processes), rng.randint(0, 3)))
        ])
        ServiceTier.objects.bulk_create([
            ServiceTier(service=service, level=level, includes="Kick-off\nMonthly report",
                        commitments="Response in two working days")
            for service in services for level in TierLevel.values
        ])
        _step(f"{len(services)} services", started)

        # --- Clients: organizations, users with tokens, applications, cultures ---
        organizations = Organization.objects.bulk_create([
            Organization(name=f"Load client {index:03d}", kind=OrganizationKind.CLIENT,
                         sector=rng.choice(Sector.values), country="ES",
                         is_public_administration=rng.random() < 0.7)
            for index in range(CLIENT_ORGANIZATIONS)
        ])
        client_users = User.objects.bulk_create([
            User(username=f"load.client{organization.pk}.{index}", password=no_password,
                 email=f"load.client{organization.pk}.{index}@load.example")
            for organization in organizations for index in range(USERS_PER_ORGANIZATION)
        ])
        organization_by_pk = {organization.pk: organization for organization in organizations}
        memberships = []
        for user in client_users:
            organization_pk = int(user.username.split(".")[1].removeprefix("client"))
            memberships.append(Membership(
                user=user, organization=organization_by_pk[organization_pk],
                role=rng.choice([MembershipRole.SPONSOR, MembershipRole.MEMBER]),
            ))
        Membership.objects.bulk_create(memberships)
        provider = Organization.objects.get(kind=OrganizationKind.PROVIDER)
        staff_users = User.objects.bulk_create([
            User(username=f"load.staff{index}", password=no_password, is_staff=True,
                 email=f"load.staff{index}@load.example")
            for index in range(STAFF_USERS)
        ])
        Membership.objects.bulk_create([
            Membership(user=user, organization=provider, role=MembershipRole.MEMBER)
            for user in staff_users
        ])
        tokens = Token.objects.bulk_create([
            Token(user=user, key=Token.generate_key()) for user in client_users + staff_users
        ])
        token_of = {token.user_id: token.key for token in tokens}
        Application.objects.bulk_create([
            Application(
                organization=organization, name=f"Application {index:02d}",
                code=f"APP-{organization.pk}-{index:02d}",
                lifecycle=rng.choice(Lifecycle.values), criticality=rng.choice(Criticality.values),
                functional_fit=rng.randint(1, 4), technical_fit=rng.randint(1, 4),
                annual_run_cost=Decimal(rng.randrange(5_000, 400_000, 500)),
                user_count=rng.randint(10, 5_000),
            )
            for organization in organizations for index in range(APPLICATIONS_PER_ORGANIZATION)
        ], batch_size=2000)
        staff = staff_users[0]
        assessments = []
        for organization in organizations:
            current, preferred = _profile(rng), _profile(rng)
            assessments.append(CultureAssessment(
                organization=organization, assessed_on=today - timedelta(days=rng.randint(30, 600)),
                source=CultureSource.DIRECT, assessed_by=staff,
                **{f"current_{kind}": Decimal(value) for kind, value in zip(
                    ["clan", "adhocracy", "market", "hierarchy"], current, strict=True)},
                **{f"preferred_{kind}": Decimal(value) for kind, value in zip(
                    ["clan", "adhocracy", "market", "hierarchy"], preferred, strict=True)},
            ))
        CultureAssessment.objects.bulk_create(assessments)
        _step(f"{len(organizations)} client organizations, {len(tokens)} tokens", started)

        # --- The bench: 2,000 consultants with skills, languages, sectors and day rates ---
        skills = list(Skill.objects.all())
        if len(skills) < 40:
            skills += Skill.objects.bulk_create([
                Skill(name=f"Load skill {index:02d}", slug=f"load-skill-{index:02d}",
                      category=rng.choice(SkillCategory.values))
                for index in range(40 - len(skills))
            ])
        roles = list(Role.objects.all())
        consultants = []
        for index in range(CONSULTANTS):
            style = _profile(rng)
            consultants.append(Consultant(
                full_name=f"Consultant {index:04d}", seniority=rng.choice(Seniority.values),
                capacity_percent=rng.choice([100, 100, 100, 80, 50]),
                style_clan=style[0], style_adhocracy=style[1], style_market=style[2],
                style_hierarchy=style[3], is_active=rng.random() < 0.95,
            ))
        consultants = Consultant.objects.bulk_create(consultants, batch_size=2000)
        rows_skills, rows_languages, rows_sectors, rates = [], [], [], {}
        for consultant in consultants:
            for skill in rng.sample(skills, rng.randint(3, 8)):
                rows_skills.append(ConsultantSkill(consultant=consultant, skill=skill,
                                                   proficiency=rng.randint(1, 5)))
            for language, share in ((Language.SPANISH, 0.85), (Language.ENGLISH, 0.6),
                                    (Language.CATALAN, 0.2), (Language.FRENCH, 0.1)):
                if rng.random() < share:
                    rows_languages.append(ConsultantLanguage(consultant=consultant,
                                                             language=language))
            for sector in rng.sample(Sector.values, rng.randint(1, 3)):
                rows_sectors.append(ConsultantSector(consultant=consultant, sector=sector,
                                                     years=rng.randint(1, 12)))
            rates[consultant.pk] = Decimal(rng.randrange(400, 1400, 10))
        ConsultantSkill.objects.bulk_create(rows_skills, batch_size=5000)
        ConsultantLanguage.objects.bulk_create(rows_languages, batch_size=5000)
        ConsultantSector.objects.bulk_create(rows_sectors, batch_size=5000)
        # One rate in force since long before any engagement of the load test.
        DayRate.objects.bulk_create([
            DayRate(consultant_id=pk, amount=amount, valid_from=today - timedelta(days=3 * 365))
            for pk, amount in rates.items()
        ], batch_size=5000)
        _step(f"{len(consultants)} consultants", started)

        # --- Closed engagements with rated outcomes: the history matching learns from ---
        closed = Engagement.objects.bulk_create([
            Engagement(
                organization=rng.choice(organizations), title=f"Past engagement {index:03d}",
                status=EngagementStatus.CLOSED,
                planned_start=(start := today - timedelta(days=rng.randint(400, 1400))),
                planned_end=start + timedelta(days=150),
                budget_at_completion=Decimal(rng.randrange(50_000, 600_000, 1000)),
            )
            for index in range(CLOSED_ENGAGEMENTS)
        ])
        outcomes = EngagementOutcome.objects.bulk_create([
            EngagementOutcome(
                engagement=past, client_satisfaction=rng.randint(1, 5),
                on_time=rng.random() < 0.6, recorded_by=staff,
                **{f"culture_{kind}": Decimal(value) for kind, value in zip(
                    ["clan", "adhocracy", "market", "hierarchy"], _profile(rng), strict=True)},
            )
            for past in closed
        ])
        ConsultantFitRating.objects.bulk_create([
            ConsultantFitRating(
                outcome=outcome, consultant=consultant, values_match=rng.randint(1, 7),
                values_fit=rng.randint(1, 7), culture_fit=rng.randint(1, 7),
            )
            for outcome in outcomes for consultant in rng.sample(consultants, rng.randint(1, 3))
        ], batch_size=5000)

        # --- Active engagements: iterations, deliverables, teams and their past time ---
        engagements = Engagement.objects.bulk_create([
            Engagement(
                organization=organization,
                title=f"{rng.choice(WORDS).capitalize()} programme {organization.pk}-{index}",
                status=EngagementStatus.ACTIVE,
                planned_start=(start := today - timedelta(days=rng.randint(90, 240))),
                planned_end=start + timedelta(days=rng.randint(300, 480)),
                budget_at_completion=Decimal(rng.randrange(150_000, 900_000, 1000)),
            )
            for organization in organizations for index in range(ENGAGEMENTS_PER_ORGANIZATION)
        ])
        through = Engagement.services.through
        published = [service for service in services if service.status == ServiceStatus.PUBLISHED]
        through.objects.bulk_create([
            through(engagement_id=engagement.pk, service_id=service.pk)
            for engagement in engagements for service in rng.sample(published, 2)
        ])
        iterations = []
        for engagement in engagements:
            for number in range(1, 11):
                start = engagement.planned_start + timedelta(days=(number - 1) * ITERATION_DAYS)
                end = start + timedelta(days=ITERATION_DAYS - 1)
                status = (IterationStatus.FINISHED if end < today
                          else IterationStatus.ACTIVE if start <= today
                          else IterationStatus.PLANNED)
                iterations.append(Iteration(engagement=engagement, number=number, start_on=start,
                                            end_on=end, status=status,
                                            goal=f"Increment {number}"))
        iterations = Iteration.objects.bulk_create(iterations, batch_size=5000)
        iterations_of: dict[int, list[int]] = {}
        for iteration in iterations:
            iterations_of.setdefault(iteration.engagement_id, []).append(iteration.pk)
        deliverables = []
        for engagement in engagements:
            for index in range(DELIVERABLES_PER_ENGAGEMENT):
                start = engagement.planned_start + timedelta(days=rng.randint(0, 200))
                finish = start + timedelta(days=rng.randint(5, 60))
                if finish <= today:
                    status = rng.choice([DeliverableStatus.DONE, DeliverableStatus.DONE,
                                         DeliverableStatus.IN_PROGRESS])
                    percent = 100 if status == DeliverableStatus.DONE else rng.randint(60, 95)
                elif start <= today:
                    status, percent = DeliverableStatus.IN_PROGRESS, rng.randint(5, 90)
                else:
                    status, percent = DeliverableStatus.TODO, 0
                deliverables.append(Deliverable(
                    engagement=engagement, iteration_id=rng.choice(iterations_of[engagement.pk]),
                    title=f"Deliverable {index:02d}", kind=DeliverableKind.DOCUMENT,
                    story_points=rng.choice(STORY_POINTS),
                    budget=Decimal(rng.randrange(2_000, 40_000, 100)), planned_start=start,
                    planned_finish=finish, percent_complete=percent, status=status,
                ))
        Deliverable.objects.bulk_create(deliverables, batch_size=5000)
        assignments = []
        pool = [consultant for consultant in consultants if consultant.is_active]
        for engagement in engagements:
            for consultant in rng.sample(pool, TEAM_SIZE):
                assignments.append(Assignment(
                    engagement=engagement, consultant=consultant, role=rng.choice(roles),
                    allocation_percent=rng.choice([20, 25, 50]),
                    start_on=engagement.planned_start, end_on=engagement.planned_end,
                    created_by=staff,
                ))
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        entries = [
            TimeEntry(
                engagement_id=assignment.engagement_id, consultant_id=assignment.consultant_id,
                worked_on=day, hours=hours,
                cost=(hours * rates[assignment.consultant_id] / 8).quantize(Decimal("0.01")),
                description="Logged before the load test",
            )
            for assignment, day, hours in past_entries(assignments, today, rng)
        ]
        TimeEntry.objects.bulk_create(entries, batch_size=5000)
        _step(f"{len(engagements)} active engagements, {len(assignments)} assignments, "
              f"{len(entries)} time entries", started)

        # --- Open staffing needs to rank the bench for ---
        needs = []
        for _ in range(OPEN_NEEDS):
            engagement = rng.choice(engagements)
            start = today + timedelta(days=rng.randint(7, 120))
            needs.append(StaffingNeed(
                engagement=engagement, role=rng.choice(roles),
                seniority=rng.choice(Seniority.values),
                language=rng.choice(["", "", Language.SPANISH, Language.ENGLISH]),
                allocation_percent=rng.choice([25, 50, 50, 100]), start_on=start,
                end_on=start + timedelta(days=rng.randint(30, 120)), status=NeedStatus.OPEN,
            ))
        needs = StaffingNeed.objects.bulk_create(needs)
        StaffingNeedSkill.objects.bulk_create([
            StaffingNeedSkill(need=need, skill=skill, minimum_level=rng.randint(2, 5))
            for need in needs for skill in rng.sample(skills, rng.randint(1, 3))
        ])
    # Metrics stored for every open engagement, as the nightly task and the worker keep them.
    recomputed = compute.recompute_all()
    _step(f"{len(needs)} open needs; metrics of {recomputed} engagements", started)

    team_of: dict[int, list[dict[str, Any]]] = {}
    for assignment in assignments:
        team_of.setdefault(assignment.engagement_id, []).append({
            "consultant": assignment.consultant_id, "start": assignment.start_on.isoformat(),
        })
    engagements_of: dict[int, list[int]] = {}
    for engagement in engagements:
        engagements_of.setdefault(engagement.organization_id, []).append(engagement.pk)
    return {
        "today": today.isoformat(),
        "services": [service.slug for service in published],
        "clients": [
            {"token": token_of[membership.user.pk],
             "engagements": engagements_of[membership.organization.pk]}
            for membership in memberships
        ],
        "staff": [token_of[user.pk] for user in staff_users],
        "engagements": [
            {"id": engagement.pk, "team": team_of[engagement.pk]} for engagement in engagements
        ],
        "needs": [need.pk for need in needs],
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m bench.load.data <fixture.json>", file=sys.stderr)
        return 2
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    django.setup()
    if settings.DATABASES["default"]["NAME"] != "pmo_load":
        print("bench.load.data: refusing to write outside the pmo_load database",
              file=sys.stderr)
        return 2
    started = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())  # its login table is not for this run
    _step("seed_demo", started)
    fixture = build(random.Random(SEED), timezone.localdate())
    Path(argv[0]).write_text(json.dumps(fixture))
    return 0


if __name__ == "__main__":
    sys.exit(main())

