"""Builder steps of the scale dataset: organizations and their people, the catalog,
stakeholders and the application portfolios."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password

from bench.cases.metrics_data import STATUS_DATE
from bench.copying import ModelRows, Progress, copy_rows
from bench.dataset.common import (
    CULTURE_TYPES,
    FIRST_NAMES,
    LAST_NAMES,
    PLACES,
    PREFIXES,
    PUBLIC_SECTORS,
    STAFF_USERNAME,
    SYSTEMS,
    VENDORS,
    Scale,
    culture_profile,
    split,
)
from catalog.choices import (
    Direction,
    Frequency,
    PricingBasis,
    ServiceStatus,
    SkillCategory,
    Typology,
)
from catalog.models import Category, Indicator, Role, Service, Skill, ValueProcess
from engagements.choices import CultureSource
from engagements.models import CultureAssessment
from portfolio.choices import Criticality, DependencyKind, Hosting, Lifecycle
from portfolio.models import Application, ApplicationDependency, Technology
from stakeholders.choices import (
    Channel,
    CommunicationFrequency,
    EngagementLevel,
    MembershipRole,
    OrganizationKind,
    Relationship,
    RiskCategory,
    RiskStatus,
    Sector,
)
from stakeholders.models import (
    CommunicationPlan,
    Membership,
    Organization,
    Risk,
    Stakeholder,
    User,
)


class PeopleSteps:
    """Steps that build the client side; ``_Builder`` mixes them with the delivery steps."""

    rng: random.Random
    scale: Scale
    progress: Progress
    now: Any
    started: float
    seconds: dict[str, float]

    def small(self, label: str, count: int, since: float) -> None:
        self.progress.finish(label, count, count, since)

    def organizations(self) -> None:
        rng, scale = self.rng, self.scale
        since = time.perf_counter()
        organizations = []
        for index in range(scale.organizations):
            sector = rng.choice(Sector.values)
            organizations.append(Organization(
                name=f"{rng.choice(PREFIXES)} {rng.choice(PLACES)} {index:03d}",
                kind=OrganizationKind.CLIENT, sector=sector,
                is_public_administration=sector in PUBLIC_SECTORS or rng.random() < 0.1,
                country=rng.choice(["ES", "ES", "ES", "PT", "FR"]),
                contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                is_active=rng.random() < 0.95,
            ))
        self.orgs = Organization.objects.bulk_create(organizations)
        # Pareto sizes, capped so the largest is a big public body, not the whole market.
        self.weights = [min(rng.paretovariate(1.2), 40.0) for _ in self.orgs]
        largest = max(range(len(self.orgs)), key=self.weights.__getitem__)
        self.largest = self.orgs[largest]
        self.small("organizations", len(self.orgs), since)

        since = time.perf_counter()
        unusable = make_password(None)
        users = [User(username=STAFF_USERNAME, email="bench-staff@pmo.example", is_staff=True,
                      password=unusable)]
        for organization in self.orgs:
            for index in range(scale.users_per_organization):
                users.append(User(
                    username=f"client-{organization.pk}-{index}",
                    email=f"client{index}@org{organization.pk}.example",
                    first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES),
                    password=unusable,
                ))
        users = User.objects.bulk_create(users, batch_size=2000)
        self.staff = users[0]
        clients = users[1:]
        Membership.objects.bulk_create([
            Membership(user=user, organization=self.orgs[i // scale.users_per_organization],
                       role=MembershipRole.SPONSOR if i % scale.users_per_organization == 0
                       else MembershipRole.MEMBER)
            for i, user in enumerate(clients)
        ], batch_size=2000)
        self.client_user = clients[largest * scale.users_per_organization]
        self.small("users with memberships", len(users), since)

        since = time.perf_counter()
        Risk.objects.bulk_create([
            Risk(organization=organization, title=f"Risk {index}",
                 category=rng.choice(RiskCategory.values), probability=rng.randint(1, 5),
                 impact=rng.randint(1, 5), status=rng.choice(RiskStatus.values),
                 identified_on=STATUS_DATE - timedelta(days=rng.randint(1, 300)))
            for organization in self.orgs for index in range(scale.risks_per_organization)
        ], batch_size=5000)
        CommunicationPlan.objects.bulk_create([
            CommunicationPlan(
                organization=organization, purpose=f"Status report {index}",
                channel=rng.choice(Channel.values), frequency=CommunicationFrequency.MONTHLY,
                starts_on=STATUS_DATE - timedelta(days=200),
                next_due_on=STATUS_DATE + timedelta(days=rng.randint(-20, 20)),
            )
            for organization in self.orgs for index in range(scale.plans_per_organization)
        ], batch_size=5000)
        assessments = []
        for organization in self.orgs:
            for years_ago in range(rng.choice([0, 1, 1, 2])):
                current, preferred = culture_profile(rng), culture_profile(rng)
                assessments.append(CultureAssessment(
                    organization=organization, source=CultureSource.DIRECT,
                    assessed_on=STATUS_DATE - timedelta(days=365 * years_ago + 30),
                    assessed_by=self.staff,
                    **{f"current_{t}": Decimal(v) for t, v in zip(CULTURE_TYPES, current,
                                                                  strict=True)},
                    **{f"preferred_{t}": Decimal(v) for t, v in zip(CULTURE_TYPES, preferred,
                                                                    strict=True)},
                ))
        CultureAssessment.objects.bulk_create(assessments)
        self.small("risks, plans, cultures", len(self.orgs) * (scale.risks_per_organization
                   + scale.plans_per_organization) + len(assessments), since)
        self.seconds["organizations"] = round(time.perf_counter() - self.started, 2)

    def catalog(self) -> None:
        rng, scale = self.rng, self.scale
        since = time.perf_counter()
        categories = Category.objects.bulk_create([
            Category(name=name, slug=f"category-{i}", position=i) for i, name in enumerate(
                ["Governance and assurance", "Portfolio management", "Delivery support",
                 "Methods and standards", "Reporting and analytics", "Capability building"])
        ])
        processes = ValueProcess.objects.bulk_create([
            ValueProcess(name=name, slug=f"process-{i}") for i, name in enumerate(
                ["Demand management", "Portfolio prioritization", "Planning", "Risk management",
                 "Change control", "Reporting", "Benefits realization", "Quality management"])
        ])
        statuses = ([ServiceStatus.PUBLISHED] * (scale.services - scale.services // 10)
                    + [ServiceStatus.DRAFT] * (scale.services // 15)
                    + [ServiceStatus.RETIRED] * (scale.services // 10 - scale.services // 15))
        rng.shuffle(statuses)
        words = ["portfolio", "reporting", "risk", "benefits", "governance", "agile", "demand",
                 "capacity", "assurance", "planning", "métricas", "gestión", "roadmap"]
        services = Service.objects.bulk_create([
            Service(
                name=f"{rng.choice(words).capitalize()} {rng.choice(words)} service {i:03d}",
                slug=f"service-{i:03d}", summary=f"Helps with {rng.choice(words)} & more.",
                description=" ".join(rng.choices(words, k=40)),
                typology=rng.choice(Typology.values), category=rng.choice(categories),
                status=status, typical_duration_weeks=rng.choice([None, 4, 8, 12, 26]),
                pricing_basis=rng.choice(PricingBasis.values),
                published_at=self.now if status != ServiceStatus.DRAFT else None,
                retired_at=self.now if status == ServiceStatus.RETIRED else None,
            )
            for i, status in enumerate(statuses)
        ])
        through = Service.value_processes.through
        through.objects.bulk_create([
            through(service_id=service.pk, valueprocess_id=process.pk)
            for service in services for process in rng.sample(processes, rng.randint(0, 3))
        ])
        indicators = Indicator.objects.bulk_create([
            Indicator(
                service=service, name=f"Indicator {index}", measures="Share",
                formula="a / b", unit="%", direction=Direction.HIGHER_IS_BETTER,
                target=Decimal("95"), green_threshold=Decimal("90"),
                red_threshold=Decimal("75"), frequency=Frequency.MONTHLY, position=index,
            )
            for service in services for index in range(2)
        ])
        self.indicators: dict[int, list[int]] = {}
        for indicator in indicators:
            self.indicators.setdefault(indicator.service_id, []).append(indicator.pk)
        self.published = [s.pk for s in services if s.status == ServiceStatus.PUBLISHED]
        self.skills = Skill.objects.bulk_create([
            Skill(name=f"Skill {i:02d}", slug=f"skill-{i:02d}",
                  category=rng.choice(SkillCategory.values))
            for i in range(scale.skills)
        ])
        self.roles = Role.objects.bulk_create([
            Role(name=name, slug=f"role-{i}") for i, name in enumerate(
                ["PMO lead", "Scrum Master", "Portfolio analyst", "Business analyst",
                 "Change manager", "Data analyst"])
        ])
        self.technologies = Technology.objects.bulk_create([
            Technology(name=f"Technology {i:02d}") for i in range(scale.technologies)
        ])
        self.small("services, skills, roles", len(services), since)
        self.seconds["catalog"] = round(time.perf_counter() - since, 2)

    def stakeholders(self) -> None:
        rng, scale = self.rng, self.scale
        since = time.perf_counter()
        per_organization = split(scale.stakeholders, self.weights, minimum=2)
        levels = EngagementLevel.values
        relationships = Relationship.values
        self.people: dict[int, list[int]] = {}

        def rows() -> Iterator[dict[str, Any]]:
            pk = 0
            for organization, count in zip(self.orgs, per_organization, strict=True):
                ids = self.people[organization.pk] = []
                for index in range(count):
                    pk += 1
                    ids.append(pk)
                    yield {
                        "id": pk, "organization_id": organization.pk,
                        "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} "
                        f"{index}", "relationship": rng.choice(relationships),
                        "power": rng.randint(1, 5), "interest": rng.randint(1, 5),
                        "current_engagement": rng.choice(levels),
                        "desired_engagement": rng.choice(levels),
                        "is_active": rng.random() < 0.9,
                    }

        ModelRows(Stakeholder, self.now).copy(rows(), progress=self.progress,
                                              label="stakeholders", total=scale.stakeholders)
        self.seconds["stakeholders"] = round(time.perf_counter() - since, 2)

    def applications(self) -> None:
        rng, scale = self.rng, self.scale
        since = time.perf_counter()
        per_organization = split(scale.applications, self.weights, minimum=1)
        fits = [None, 1, 2, 2, 3, 3, 3, 4]
        self.apps: dict[int, list[int]] = {}
        technology_ids = [t.pk for t in self.technologies]

        def rows() -> Iterator[dict[str, Any]]:
            pk = 0
            for organization, count in zip(self.orgs, per_organization, strict=True):
                people = self.people[organization.pk]
                ids = self.apps[organization.pk] = []
                for index in range(count):
                    pk += 1
                    ids.append(pk)
                    override = rng.random() < 0.03
                    yield {
                        "id": pk, "organization_id": organization.pk,
                        "name": f"{rng.choice(SYSTEMS)} {index}", "code": f"APP-{index:05d}",
                        "description": "Line-of-business system.",
                        "business_owner_id": rng.choice(people) if rng.random() < 0.8 else None,
                        "technical_owner_id": rng.choice(people) if rng.random() < 0.6
                        else None,
                        "lifecycle": rng.choice(Lifecycle.values),
                        "criticality": rng.choice(Criticality.values),
                        "functional_fit": rng.choice(fits), "technical_fit": rng.choice(fits),
                        "time_override": "tolerate" if override else "",
                        "time_override_rationale": "Contract locks it in." if override else "",
                        "time_overridden_by_id": self.staff.pk if override else None,
                        "time_overridden_at": self.now if override else None,
                        "annual_run_cost": Decimal(rng.randrange(5_000, 900_000, 100))
                        if rng.random() < 0.8 else None,
                        "user_count": rng.randrange(5, 20_000) if rng.random() < 0.7 else None,
                        "hosting": rng.choice(Hosting.values),
                        "vendor": rng.choice(VENDORS),
                        "contract_end": STATUS_DATE + timedelta(days=rng.randint(-200, 1500))
                        if rng.random() < 0.5 else None,
                    }

        ModelRows(Application, self.now).copy(rows(), progress=self.progress,
                                              label="applications", total=scale.applications)
        through = Application.technologies.through

        def technologies() -> Iterator[tuple]:
            pk = 0
            for ids in self.apps.values():
                for application_id in ids:
                    for technology_id in rng.sample(technology_ids, rng.randint(0, 4)):
                        pk += 1
                        yield pk, application_id, technology_id

        copy_rows(through, ["id", "application_id", "technology_id"], technologies(),
                  progress=self.progress, label="application technologies")

        def dependencies() -> Iterator[tuple]:
            pk = 0
            kinds = DependencyKind.values
            for ids in self.apps.values():
                if len(ids) < 2:
                    continue
                # Within a portfolio, a few hubs are depended on by many (fan-in).
                hubs = ids[: max(1, len(ids) // 20)]
                seen: set[tuple[int, int, str]] = set()
                for source in ids:
                    for _ in range(rng.choice([0, 0, 1, 1, 2])):
                        target = rng.choice(hubs) if rng.random() < 0.6 else rng.choice(ids)
                        key = (source, target, rng.choice(kinds))
                        if source != target and key not in seen:
                            seen.add(key)
                            pk += 1
                            yield pk, source, target, key[2], "", self.now

        copy_rows(ApplicationDependency, ["id", "source_id", "target_id", "kind",
                                          "description", "created_at"], dependencies(),
                  progress=self.progress, label="application dependencies")
        self.seconds["applications"] = round(time.perf_counter() - since, 2)
