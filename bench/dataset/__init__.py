"""The shared scale dataset: the issue's volumes, built once per bench run by ``COPY``.

200 organizations of very different sizes (a Pareto spread: a few large public bodies, a
long tail of small clients), 20,000 applications with TIME fits, 50,000 stakeholders with
power and interest, 10,000 consultants with skills, languages, sectors, day rates and a
culture style, 5,000 engagements across every status (teams, outcomes and fit ratings on
closed ones), 100,000 deliverables, 500,000 time entries and 300 catalog services. The
metrics of every open engagement are computed at the end by the product itself
(``recompute_all``), so lists with health and the metrics endpoint read stored figures.

Tables of a few hundred rows go in with ``bulk_create`` (model defaults, no ids to plan);
everything from thousands of rows up with ``COPY`` and explicit ids (:mod:`bench.copying`).
One seed gives the same rows every time. Every row satisfies the models' constraints.
The steps live in :mod:`bench.dataset.people` (the client side: organizations, users,
catalog, stakeholders, applications) and :mod:`bench.dataset.delivery` (the provider side:
consultants, engagements, teams, delivery); :mod:`bench.dataset.common` holds the volumes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from bench.cases.metrics_data import STATUS_DATE
from bench.copying import Progress
from bench.dataset.common import ISSUE_SCALE, SEED, STAFF_USERNAME, Scale, split
from bench.dataset.delivery import DeliverySteps
from bench.dataset.people import PeopleSteps
from catalog.models import Service
from engagements.choices import OPEN_ENGAGEMENT_STATUSES
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
    Expense,
    Iteration,
    KpiMeasurement,
    TimeEntry,
)
from portfolio.models import Application, ApplicationDependency
from stakeholders.choices import MembershipRole
from stakeholders.models import Membership, Organization, Risk, Stakeholder, User


@dataclass
class Built:
    """What later steps and the cases need to find again without searching."""

    staff: User
    largest_organization: Organization
    client_user: User
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

class _Builder(PeopleSteps, DeliverySteps):
    """One build: the random source, the clock and the ids handed out so far."""

    def __init__(self, rng: random.Random, scale: Scale, progress: Progress) -> None:
        self.rng = rng
        self.scale = scale
        self.progress = progress
        self.now = timezone.now()
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}


def build(
    scale: Scale = ISSUE_SCALE, *, seed: int = SEED, progress: Progress | None = None,
    metrics: bool = True,
) -> Built:
    """Build the dataset into the (empty, migrated) default database.

    ``metrics``: also compute every open engagement's metrics with the product, as the
    nightly task would have; the lists with health and the metrics endpoint read them.
    """
    progress = progress or Progress()
    builder = _Builder(random.Random(seed), scale, progress)
    builder.organizations()
    builder.catalog()
    builder.stakeholders()
    builder.applications()
    builder.consultants()
    builder.engagements()
    builder.delivery()
    since = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    builder.seconds["analyze"] = round(time.perf_counter() - since, 2)
    if metrics:
        since = time.perf_counter()
        computed = compute.recompute_all(status_date=STATUS_DATE)
        progress.finish("metrics (recompute_all)", computed, computed, since)
        builder.seconds["metrics"] = round(time.perf_counter() - since, 2)
    builder.seconds["total"] = round(time.perf_counter() - builder.started, 2)
    return Built(
        staff=builder.staff, largest_organization=builder.largest,
        client_user=builder.client_user, seconds=builder.seconds, rows=row_counts(),
    )


def row_counts() -> dict[str, int]:
    """Rows per table of the dataset, counted in the database."""
    models_counted: Iterable = (
        Organization, User, Membership, Stakeholder, Application, ApplicationDependency,
        Consultant, ConsultantSkill, ConsultantLanguage, ConsultantSector, DayRate, Service,
        Engagement, Assignment, EngagementOutcome, ConsultantFitRating, Iteration, Deliverable,
        TimeEntry, Expense, KpiMeasurement, Risk, CultureAssessment,
    )
    return {model._meta.db_table: model.objects.count() for model in models_counted}


def open_engagements() -> int:
    return Engagement.objects.filter(status__in=OPEN_ENGAGEMENT_STATUSES).count()


def find() -> Built | None:
    """The dataset already in the database (``--reuse``), or None when there is none."""
    staff = User.objects.filter(username=STAFF_USERNAME).first()
    if staff is None or not Application.objects.exists() or not TimeEntry.objects.exists():
        return None
    largest_id = (Application.objects.order_by().values("organization")
                  .annotate(total=Count("id")).order_by("-total", "organization")
                  .values_list("organization", flat=True).first())
    largest = Organization.objects.get(pk=largest_id)
    client = (User.objects.filter(membership__organization=largest,
                                  membership__role=MembershipRole.SPONSOR).order_by("pk").first())
    return Built(staff=staff, largest_organization=largest, client_user=client,
                 rows=row_counts())


__all__ = ["ISSUE_SCALE", "SEED", "Built", "Scale", "build", "find", "open_engagements",
           "row_counts", "split"]
