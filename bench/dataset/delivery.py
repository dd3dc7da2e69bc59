"""Builder steps of the scale dataset: the consultants' bench, engagements with their teams
and outcomes, and delivery (iterations, deliverables, time entries, expenses, KPIs)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bench.cases.metrics_data import ITERATION_DAYS, STATUS_DATE, _deliverable
from bench.copying import ModelRows, copy_rows
from bench.dataset.common import (
    FIRST_NAMES,
    LANGUAGE_SHARES,
    LAST_NAMES,
    STAFFED,
    STATUS_MIX,
    culture_profile,
    split,
)
from catalog.choices import Seniority, Typology
from engagements.choices import (
    EngagementStatus,
    ExpenseCategory,
    IterationStatus,
)
from engagements.models import (
    Assignment,
    Consultant,
    ConsultantFitRating,
    ConsultantLanguage,
    ConsultantSector,
    ConsultantSkill,
    DayRate,
    Deliverable,
    Engagement,
    EngagementOutcome,
    Expense,
    Iteration,
    KpiMeasurement,
    TimeEntry,
)
from stakeholders.choices import Sector


@dataclass(frozen=True)
class _Planned:
    """The two attributes of an engagement ``metrics_data._deliverable`` reads."""

    pk: int
    planned_start: date



class DeliverySteps:
    """Steps that build the provider side; they read what ``PeopleSteps`` built."""

    def consultants(self) -> None:
        rng, scale = self.rng, self.scale
        since = time.perf_counter()
        self.consultant_ids = list(range(1, scale.consultants + 1))
        self.hourly: dict[int, Decimal] = {}
        day_rates: list[tuple] = []

        def rows() -> Iterator[dict[str, Any]]:
            for pk in self.consultant_ids:
                style = culture_profile(rng)
                amount = Decimal(rng.randrange(400, 1400, 8))
                self.hourly[pk] = amount / 8
                day_rates.append((pk, amount, STATUS_DATE - timedelta(days=900)))
                if rng.random() < 0.4:
                    day_rates.append((pk, amount + 40,
                                      STATUS_DATE + timedelta(days=rng.randint(-200, 200))))
                yield {
                    "id": pk, "full_name": f"{rng.choice(FIRST_NAMES)} "
                    f"{rng.choice(LAST_NAMES)} {pk:05d}",
                    "seniority": rng.choice(Seniority.values),
                    "capacity_percent": rng.choice([100, 100, 100, 80, 50]),
                    "style_clan": style[0], "style_adhocracy": style[1],
                    "style_market": style[2], "style_hierarchy": style[3],
                    "is_active": rng.random() < 0.95,
                }

        ModelRows(Consultant, self.now).copy(rows(), progress=self.progress,
                                             label="consultants", total=scale.consultants)
        skill_ids = [skill.pk for skill in self.skills]

        def skills() -> Iterator[tuple]:
            pk = 0
            for consultant_id in self.consultant_ids:
                for skill_id in rng.sample(skill_ids, rng.randint(3, 8)):
                    pk += 1
                    yield pk, consultant_id, skill_id, rng.randint(1, 5)

        def languages() -> Iterator[tuple]:
            pk = 0
            for consultant_id in self.consultant_ids:
                for language, share in LANGUAGE_SHARES.items():
                    if rng.random() < share:
                        pk += 1
                        yield pk, consultant_id, language

        def sectors() -> Iterator[tuple]:
            pk = 0
            for consultant_id in self.consultant_ids:
                for sector in rng.sample(Sector.values, rng.randint(1, 3)):
                    pk += 1
                    yield pk, consultant_id, sector, rng.randint(1, 12)

        copy_rows(ConsultantSkill, ["id", "consultant_id", "skill_id", "proficiency"], skills(),
                  progress=self.progress, label="consultant skills")
        copy_rows(ConsultantLanguage, ["id", "consultant_id", "language"], languages(),
                  progress=self.progress, label="consultant languages")
        copy_rows(ConsultantSector, ["id", "consultant_id", "sector", "years"], sectors(),
                  progress=self.progress, label="consultant sectors")
        copy_rows(DayRate, ["id", "consultant_id", "amount", "valid_from", "created_at"],
                  ((pk, *row, self.now) for pk, row in enumerate(day_rates, start=1)),
                  progress=self.progress, label="day rates")
        self.seconds["consultants"] = round(time.perf_counter() - since, 2)

    # --- Engagements and delivery -----------------------------------------------------------

    def engagements(self) -> None:
        rng, scale = self.rng, self.scale
        since = time.perf_counter()
        statuses = list(STATUS_MIX)
        counts = split(scale.engagements, [STATUS_MIX[s][0] for s in statuses])
        plan = [status for status, count in zip(statuses, counts, strict=True)
                for _ in range(count)]
        rng.shuffle(plan)
        # Bigger clients run more engagements.
        owners = rng.choices(self.orgs, weights=self.weights, k=scale.engagements)
        self.engagement_rows: list[tuple[int, int, str, date]] = []

        def rows() -> Iterator[dict[str, Any]]:
            for pk, (status, organization) in enumerate(zip(plan, owners, strict=True), 1):
                if status in (EngagementStatus.CLOSED, EngagementStatus.CANCELLED):
                    start = STATUS_DATE - timedelta(days=rng.randint(400, 1200))
                elif status in (EngagementStatus.PROPOSED, EngagementStatus.STAFFING):
                    start = STATUS_DATE + timedelta(days=rng.randint(-10, 120))
                else:
                    start = STATUS_DATE - timedelta(days=rng.randint(30, 300))
                people = self.people[organization.pk]
                self.engagement_rows.append((pk, organization.pk, status, start))
                yield {
                    "id": pk, "organization_id": organization.pk,
                    "title": f"{rng.choice(['Rollout', 'PMO', 'Portfolio review', 'Agile'])} "
                    f"{pk:05d}", "status": status, "planned_start": start,
                    "planned_end": start + timedelta(days=rng.randint(240, 400)),
                    # Whole euros: earned value stays exact to the cent (see metrics_data).
                    "budget_at_completion": Decimal(rng.randrange(200_000, 500_000, 1000)),
                    "typology": rng.choice(Typology.values),
                    "sponsor_id": rng.choice(people),
                    "product_owner_id": rng.choice(people) if rng.random() < 0.7 else None,
                    "scrum_master_id": rng.choice(self.consultant_ids)
                    if status in STAFFED else None,
                }

        ModelRows(Engagement, self.now).copy(rows(), progress=self.progress,
                                             label="engagements", total=scale.engagements)
        through = Engagement.services.through
        self.engagement_services: dict[int, list[int]] = {}

        def services() -> Iterator[tuple]:
            pk = 0
            for engagement_id, *_ in self.engagement_rows:
                chosen = self.engagement_services[engagement_id] = rng.sample(
                    self.published, rng.randint(1, 3))
                for service_id in chosen:
                    pk += 1
                    yield pk, engagement_id, service_id

        copy_rows(through, ["id", "engagement_id", "service_id"], services(),
                  progress=self.progress, label="engagement services")
        self.team: dict[int, list[int]] = {}
        role_ids = [role.pk for role in self.roles]

        def assignments() -> Iterator[tuple]:
            pk = 0
            for engagement_id, _, status, start in self.engagement_rows:
                if status not in STAFFED:
                    continue
                team = self.team[engagement_id] = rng.sample(self.consultant_ids,
                                                             rng.randint(2, 6))
                for consultant_id in team:
                    pk += 1
                    begin = start + timedelta(days=rng.randint(0, 30))
                    yield (pk, engagement_id, consultant_id, rng.choice(role_ids),
                           rng.choice([20, 50, 50, 100]), begin,
                           begin + timedelta(days=rng.randint(60, 300)), None, self.staff.pk,
                           self.now)

        copy_rows(Assignment, ["id", "engagement_id", "consultant_id", "role_id",
                               "allocation_percent", "start_on", "end_on", "staffing_need_id",
                               "created_by_id", "created_at"], assignments(),
                  progress=self.progress, label="assignments")
        closed = [row for row in self.engagement_rows if row[2] == EngagementStatus.CLOSED]

        def outcomes() -> Iterator[tuple]:
            for pk, (engagement_id, *_) in enumerate(closed, start=1):
                snapshot = culture_profile(rng) if rng.random() < 0.7 else [None] * 4
                yield (pk, engagement_id, rng.randint(1, 5), rng.random() < 0.6, None, None,
                       *snapshot, "", self.staff.pk, self.now)

        copy_rows(EngagementOutcome, [
            "id", "engagement_id", "client_satisfaction", "on_time", "final_cpi", "final_spi",
            "culture_clan", "culture_adhocracy", "culture_market", "culture_hierarchy", "note",
            "recorded_by_id", "recorded_at"], outcomes(),
            progress=self.progress, label="outcomes")

        def ratings() -> Iterator[tuple]:
            pk = 0
            for outcome_id, (engagement_id, *_) in enumerate(closed, start=1):
                for consultant_id in self.team[engagement_id]:
                    pk += 1
                    yield (pk, outcome_id, consultant_id, rng.randint(1, 7), rng.randint(1, 7),
                           rng.randint(1, 7), "")

        copy_rows(ConsultantFitRating, ["id", "outcome_id", "consultant_id", "values_match",
                                        "values_fit", "culture_fit", "comment"], ratings(),
                  progress=self.progress, label="fit ratings")
        self.seconds["engagements"] = round(time.perf_counter() - since, 2)

    def delivery(self) -> None:
        rng, scale = self.rng, self.scale
        since = time.perf_counter()
        rows = self.engagement_rows
        deliverables = split(scale.deliverables, [STATUS_MIX[r[2]][1] for r in rows])
        entries = split(scale.time_entries, [STATUS_MIX[r[2]][2] for r in rows])
        iteration_ids: dict[int, list[int]] = {}

        def iterations() -> Iterator[tuple]:
            pk = 0
            for engagement_id, _, status, start in rows:
                ids = iteration_ids[engagement_id] = []
                if status == EngagementStatus.PROPOSED:
                    continue
                for number in range(1, scale.iterations_per_engagement + 1):
                    begin = start + timedelta(days=ITERATION_DAYS * (number - 1))
                    end = begin + timedelta(days=ITERATION_DAYS - 1)
                    state = (IterationStatus.FINISHED if end < STATUS_DATE
                             else IterationStatus.ACTIVE if begin <= STATUS_DATE
                             else IterationStatus.PLANNED)
                    pk += 1
                    ids.append(pk)
                    yield pk, engagement_id, number, begin, end, "", state, ""

        copy_rows(Iteration, ["id", "engagement_id", "number", "start_on", "end_on", "goal",
                              "status", "review_notes"], iterations(),
                  progress=self.progress, label="iterations")

        def deliverable_rows() -> Iterator[tuple]:
            pk = 0
            for (engagement_id, organization_id, _, start), count in zip(
                    rows, deliverables, strict=True):
                engagement = _Planned(engagement_id, start)
                for _ in range(count):
                    pk += 1
                    row = _deliverable(
                        rng, pk, engagement, iteration_ids[engagement_id] or [None],
                        self.engagement_services[engagement_id],
                        self.people[organization_id], self.now,
                    )
                    yield row

        copy_rows(Deliverable, [
            "id", "engagement_id", "iteration_id", "title", "kind", "service_id",
            "story_points", "budget", "planned_start", "planned_finish", "percent_complete",
            "status", "accepted_by_id", "accepted_at", "created_at", "updated_at",
        ], deliverable_rows(), progress=self.progress, label="deliverables",
            total=scale.deliverables)

        def time_entries() -> Iterator[tuple]:
            pk = 0
            for (engagement_id, _, _, start), count in zip(rows, entries, strict=True):
                team = self.team.get(engagement_id) or self.consultant_ids[:3]
                # Up to a month past the status date: those must not count in AC.
                span = max((STATUS_DATE - start).days + 30, 1)
                for _ in range(count):
                    pk += 1
                    consultant_id = rng.choice(team)
                    hours = Decimal(rng.randint(4, 32)) / 4
                    yield (pk, engagement_id, consultant_id, None,
                           start + timedelta(days=rng.randint(0, span)), hours,
                           hours * self.hourly[consultant_id], "", "", self.now)

        copy_rows(TimeEntry, [
            "id", "engagement_id", "consultant_id", "deliverable_id", "worked_on", "hours",
            "cost", "description", "external_id", "created_at",
        ], time_entries(), progress=self.progress, label="time entries",
            total=scale.time_entries)

        def expenses() -> Iterator[tuple]:
            pk = 0
            for engagement_id, _, status, start in rows:
                if status == EngagementStatus.PROPOSED:
                    continue
                span = max((STATUS_DATE - start).days + 30, 1)
                for _ in range(scale.expenses_per_engagement):
                    pk += 1
                    yield (pk, engagement_id, start + timedelta(days=rng.randint(0, span)),
                           Decimal(rng.randrange(2000, 200000)) / 100,
                           rng.choice(ExpenseCategory.values), "", self.now)

        copy_rows(Expense, ["id", "engagement_id", "spent_on", "amount", "category",
                            "description", "created_at"], expenses(),
                  progress=self.progress, label="expenses")

        def measurements() -> Iterator[tuple]:
            pk = 0
            for engagement_id, _, status, _ in rows:
                if status not in STAFFED:
                    continue
                choices = [indicator for service_id in self.engagement_services[engagement_id]
                           for indicator in self.indicators[service_id]]
                for indicator_id in rng.sample(choices, 2):
                    for period in range(2):
                        period_start = STATUS_DATE - timedelta(days=30 * (period + 2))
                        pk += 1
                        yield (pk, engagement_id, indicator_id, period_start,
                               period_start + timedelta(days=29),
                               Decimal(rng.randrange(6000, 10000)) / 100, "", self.staff.pk,
                               self.now)

        copy_rows(KpiMeasurement, [
            "id", "engagement_id", "indicator_id", "period_start", "period_end", "value",
            "note", "recorded_by_id", "created_at"], measurements(),
            progress=self.progress, label="KPI measurements")
        self.seconds["delivery"] = round(time.perf_counter() - since, 2)

