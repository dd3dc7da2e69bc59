"""Demo delivery: months of iterations, deliverables, time, expenses and KPIs, and the metrics
history they produce, for the engagements in progress named in ``demo_data.DELIVERY_STORIES``.

Each story says how the engagement has gone (pace against the plan, cost performance, the
colour its KPIs end on), so the dashboards show one engagement green, one amber and one red,
with real curves. Time entries go through the delivery service's pushed batches, so their
cost is the consultant's day rate in force, the real way; the plan, expenses and KPI values,
built to the services' rules, are inserted in bulk with one "inputs changed" per engagement
(a service call per row would enqueue a recompute per row). The history is
then *replayed*: week by week from the start to today, each deliverable's progress and each
iteration's status are set to what the plan says they were that day and the real metrics
computation runs for that status date, writing the day's snapshot; today comes last, so the
current metrics are today's. Actual cost needs no replay: the computation only sums the time
and expenses dated up to the status date.

Deterministic (one seeded ``random.Random`` per engagement) and idempotent: rows are found by
natural keys (iteration number, deliverable title, time entry external id, expense date and
description, KPI indicator and period start); only an engagement that gained rows is
replayed, so seeding again creates and changes nothing.
"""

import datetime
import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from catalog.choices import Direction
from catalog.models import Indicator
from stakeholders.models import User

from . import demo_data
from .choices import DeliverableKind, DeliverableStatus, EngagementStatus, IterationStatus
from .metrics import compute
from .models import (
    Assignment,
    DayRate,
    Deliverable,
    Engagement,
    Expense,
    Iteration,
    KpiMeasurement,
    TimeEntry,
)
from .services import time_entries

CENT = Decimal("0.01")
QUARTER_HOUR = Decimal("0.25")
IN_PROGRESS = (EngagementStatus.ACTIVE, EngagementStatus.CLOSING)
BATCH = 1000  # the most time entries one pushed batch takes
MAX_HOURS = Decimal(10)  # nobody logs more than a long day on one engagement
LAUNCH_POINTS = 13


@dataclass
class _Story:
    """One engagement's delivery story and what it needs to be told."""

    engagement: Engagement
    pace: float
    cpi: float
    expense_share: float
    kpis: dict[str, str]
    documents: list[str]
    rng: random.Random


def seed_delivery(*, staff: User, today: datetime.date) -> int:
    """Give each story's engagement its delivery history; return how many rows were created."""
    created = 0
    for title, spec in demo_data.DELIVERY_STORIES.items():
        engagement = (
            Engagement.objects.filter(title=title, status__in=IN_PROGRESS)
            .select_related("product_owner").first()
        )
        if engagement is None or engagement.planned_start >= today:
            continue
        story = _Story(
            engagement=engagement, pace=spec["pace"], cpi=spec["cpi"],
            expense_share=spec["expense_share"], kpis=spec["kpis"],
            documents=spec["documents"],
            rng=random.Random(f"{demo_data.DELIVERY_SEED}:{title}"),  # noqa: S311 - demo
        )
        added = _seed_story(story, staff, today)
        if added:
            _replay(story, today)
        created += added
    return created


def _seed_story(story: _Story, staff: User, today: datetime.date) -> int:
    """Create the story's missing rows. The plan, expenses and KPIs are built to the
    services' rules and inserted in bulk, with one "inputs changed" for the lot (each service
    call would enqueue its own recompute); time entries go through the pushed-batch service,
    which prices them."""
    iterations, added = _iterations(story)
    deliverables, count = _deliverables(story, iterations)
    added += count
    labour, expenses = _cost_targets(story, deliverables, today)
    added += _time_entries(story, deliverables, labour, staff, today)
    added += _expenses(story, expenses, today)
    added += _kpis(story, staff, today)
    if added:
        compute.mark_inputs_changed([story.engagement.pk])
    return added


# --- The plan --------------------------------------------------------------------------------


def _iterations(story: _Story) -> tuple[list[Iteration], int]:
    """Two-week iterations over the planned window, numbered from 1."""
    engagement = story.engagement
    existing = {iteration.number: iteration for iteration in engagement.iterations.all()}
    iterations, added = [], 0
    start, number = engagement.planned_start, 1
    while start <= engagement.planned_end:
        end = min(start + datetime.timedelta(days=demo_data.ITERATION_DAYS - 1),
                  engagement.planned_end)
        iteration = existing.get(number)
        if iteration is None:
            iteration = Iteration(engagement=engagement, number=number, start_on=start,
                                  end_on=end, goal=f"Iteration {number} of {engagement.title}")
            added += 1
        iterations.append(iteration)
        start, number = end + datetime.timedelta(days=1), number + 1
    Iteration.objects.bulk_create([iteration for iteration in iterations if iteration.pk is None])
    return iterations, added


def _planned_items(story: _Story, iterations: list[Iteration]) -> Iterator[dict]:
    """One documentary deliverable per iteration, and each service launched part-way."""
    documents = story.documents
    for index, iteration in enumerate(iterations):
        name = documents[index % len(documents)]
        round_ = index // len(documents)
        yield {"title": name if round_ == 0 else f"{name}: revision {round_ + 1}",
               "kind": DeliverableKind.DOCUMENT, "service": None, "iteration": iteration,
               "story_points": story.rng.choice((3, 5, 5, 8, 8, 13))}
    services = list(story.engagement.services.order_by("slug"))
    for position, service in enumerate(services, start=1):
        iteration = iterations[len(iterations) * position // (len(services) + 1)]
        yield {"title": f"Launch: {service.name}", "kind": DeliverableKind.SERVICE_LAUNCH,
               "service": service, "iteration": iteration, "story_points": LAUNCH_POINTS}


def _deliverables(
    story: _Story, iterations: list[Iteration]
) -> tuple[list[Deliverable], int]:
    """The backlog, its budgets (story-point shares of the budget) summing to the budget."""
    engagement = story.engagement
    items = list(_planned_items(story, iterations))
    total_points = sum(item["story_points"] for item in items)
    bac = engagement.budget_at_completion
    existing = {deliverable.title: deliverable for deliverable in engagement.deliverables.all()}
    deliverables, added, allotted = [], 0, Decimal(0)
    for position, item in enumerate(items):
        budget = (bac - allotted if position == len(items) - 1 else
                  (bac * item["story_points"] / total_points).quantize(CENT, ROUND_HALF_UP))
        allotted += budget
        deliverable = existing.get(item["title"])
        if deliverable is None:
            iteration = item["iteration"]
            deliverable = Deliverable(
                engagement=engagement, budget=budget, planned_start=iteration.start_on,
                planned_finish=iteration.end_on, **item,
            )
            added += 1
        deliverables.append(deliverable)
    Deliverable.objects.bulk_create([item for item in deliverables if item.pk is None])
    return deliverables, added


def _plan_day(story: _Story, day: datetime.date) -> datetime.date:
    """How far along the plan the team had got by ``day``: at a pace below 1 the whole
    schedule slips, a little more every day."""
    start = story.engagement.planned_start
    return start + datetime.timedelta(days=math.floor(story.pace * (day - start).days))


def _completed_on(story: _Story, finish: datetime.date) -> datetime.date:
    """The first day whose plan day reaches ``finish``."""
    start = story.engagement.planned_start
    days = math.ceil((finish - start).days / story.pace)
    while days > 0 and _plan_day(story, start + datetime.timedelta(days=days - 1)) >= finish:
        days -= 1
    while _plan_day(story, start + datetime.timedelta(days=days)) < finish:
        days += 1
    return start + datetime.timedelta(days=days)


def _progress(
    story: _Story, deliverable: Deliverable, day: datetime.date
) -> tuple[int, datetime.date | None]:
    """Percent complete on ``day``, and the day it was completed (if it was by then)."""
    reached = _plan_day(story, day)
    duration = (deliverable.planned_finish - deliverable.planned_start).days + 1
    elapsed = (reached - deliverable.planned_start).days + 1
    if elapsed <= 0:
        return 0, None
    if reached < deliverable.planned_finish:
        return min(99, math.floor(100 * elapsed / duration)), None
    return 100, _completed_on(story, deliverable.planned_finish)


# --- Cost ------------------------------------------------------------------------------------


def _working_days(start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def _cost_targets(
    story: _Story, deliverables: list[Deliverable], today: datetime.date
) -> tuple[Decimal, Decimal]:
    """The labour cost and expenses to date that give the story's CPI today."""
    earned = sum((d.budget * _progress(story, d, today)[0] / 100 for d in deliverables),
                 Decimal(0))
    actual = earned / Decimal(str(story.cpi))
    expenses = (actual * Decimal(str(story.expense_share))).quantize(CENT, ROUND_HALF_UP)
    return actual - expenses, expenses


def _latest_rate(consultant_id: int, today: datetime.date) -> Decimal:
    rate = (DayRate.objects.filter(consultant_id=consultant_id, valid_from__lte=today)
            .order_by("-valid_from").values_list("amount", flat=True).first())
    return rate or Decimal(0)


def _time_entries(
    story: _Story, deliverables: list[Deliverable], labour: Decimal, staff: User,
    today: datetime.date,
) -> int:
    """Each team member's working days to date, through pushed batches (the service prices
    each entry at the day rate in force). Hours are the allocation's share of a day scaled so
    the labour cost lands near the target; the scale is estimated with today's rates, the
    stored cost is the real one."""
    engagement = story.engagement
    team = list(Assignment.objects.filter(engagement=engagement).select_related("consultant")
                .order_by("consultant__email", "start_on"))
    days = list(_working_days(engagement.planned_start, today))
    daily = sum((_latest_rate(a.consultant_id, today) * a.allocation_percent / 100
                 for a in team), Decimal(0))
    scale = labour / (daily * len(days)) if daily and days else Decimal(0)
    recorded = set(engagement.time_entries.values_list("external_id", flat=True))
    entries = []
    for assignment in team:
        consultant = assignment.consultant
        key = consultant.email.split("@")[0]
        base = 8 * Decimal(assignment.allocation_percent) / 100 * scale
        for day in days:
            factor = Decimal(str(round(story.rng.uniform(0.8, 1.2), 2)))
            external_id = f"demo:{key}:{day.isoformat()}"
            if external_id in recorded or not assignment.start_on <= day <= assignment.end_on:
                continue
            hours = min(MAX_HOURS, (base * factor / QUARTER_HOUR).quantize(
                Decimal(1), ROUND_HALF_UP) * QUARTER_HOUR)
            if hours <= 0:
                continue
            working_on = next((d for d in deliverables
                               if d.planned_start <= day <= d.planned_finish), None)
            entries.append({
                "engagement": engagement, "consultant": consultant, "worked_on": day,
                "hours": hours, "deliverable": working_on, "external_id": external_id,
                "description": f"Delivery work: {working_on.title}" if working_on else "",
            })
    for start in range(0, len(entries), BATCH):
        time_entries.time_entries_bulk(actor=staff, entries=entries[start:start + BATCH])
    return len(entries)


def _months(start: datetime.date, end: datetime.date) -> Iterator[tuple[datetime.date,
                                                                         datetime.date]]:
    """The calendar months from ``start``'s to ``end``'s, each as (first day, last day)."""
    first = start.replace(day=1)
    while first <= end:
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        yield first, following - datetime.timedelta(days=1)
        first = following


def _expenses(story: _Story, total: Decimal, today: datetime.date) -> int:
    """The expenses to date, spread evenly every 30 days from the start, by category."""
    engagement = story.engagement
    days = [engagement.planned_start + datetime.timedelta(days=30 * month)
            for month in range((today - engagement.planned_start).days // 30 + 1)]
    recorded = set(engagement.expenses.values_list("spent_on", "description"))
    expenses = []
    for day in days:
        for category, description, share in demo_data.EXPENSES:
            amount = (total / len(days) * share / 100).quantize(CENT, ROUND_HALF_UP)
            if (day, description) in recorded or amount <= 0:
                continue
            expenses.append(Expense(engagement=engagement, spent_on=day, amount=amount,
                                    category=category, description=description))
    return len(Expense.objects.bulk_create(expenses))


# --- KPIs ------------------------------------------------------------------------------------


def _kpi_value(indicator: Indicator, colour: str, rng: random.Random) -> Decimal:
    """A value the indicator's own thresholds rate ``colour``."""
    green, red = indicator.green_threshold, indicator.red_threshold
    gap = abs(green - red)
    sign = 1 if indicator.direction == Direction.HIGHER_IS_BETTER else -1
    spread = Decimal(str(round(rng.uniform(0.1, 0.4), 2)))
    value = {
        "green": green + sign * gap * spread,
        "amber": red + sign * gap * (Decimal("0.3") + spread),
        "red": red - sign * gap * (Decimal("0.2") + spread),
    }[colour]
    return max(value, Decimal(0)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _kpis(story: _Story, staff: User, today: datetime.date) -> int:
    """Monthly values of the engagement's catalog indicators, the last one in the story's
    colour; the first half of the months in the colour it drifted from."""
    engagement = story.engagement
    drift_from = {"green": "amber", "amber": "green", "red": "amber"}
    months = [(first, last) for first, last in _months(engagement.planned_start, today)
              if last < today]
    recorded = set(engagement.kpi_measurements.values_list("indicator_id", "period_start"))
    measurements = []
    indicators = Indicator.objects.filter(service__in=engagement.services.all()).order_by(
        "service__slug", "position", "pk")
    for indicator in indicators:
        final = story.kpis.get(indicator.name, "green")
        for position, (first, last) in enumerate(months):
            period_start = max(first, engagement.planned_start)
            colour = final if position >= len(months) // 2 else drift_from[final]
            value = _kpi_value(indicator, colour, story.rng)
            if (indicator.pk, period_start) in recorded:
                continue
            measurements.append(KpiMeasurement(
                engagement=engagement, indicator=indicator, period_start=period_start,
                period_end=last, value=value, recorded_by=staff,
            ))
    return len(KpiMeasurement.objects.bulk_create(measurements))


# --- Replaying the history ----------------------------------------------------------------


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(16, 0)))


def _deliverable_state(deliverable: Deliverable) -> tuple:
    return (deliverable.percent_complete, deliverable.status, deliverable.accepted_by_id,
            deliverable.accepted_at)


def _set_state(story: _Story, deliverables: list[Deliverable], iterations: list[Iteration],
               day: datetime.date) -> None:
    """Progress and statuses as the plan says they were on ``day``: a completed deliverable
    is accepted by the Product Owner the day it is completed (done, when there is none).
    Only the rows that changed since the last state are written."""
    owner = story.engagement.product_owner
    changed_deliverables, changed_iterations = [], []
    for deliverable in deliverables:
        before = _deliverable_state(deliverable)
        percent, completed_on = _progress(story, deliverable, day)
        deliverable.percent_complete = percent
        deliverable.accepted_by, deliverable.accepted_at = None, None
        if completed_on is None:
            deliverable.status = (DeliverableStatus.IN_PROGRESS if percent
                                  else DeliverableStatus.TODO)
        elif owner is None:
            deliverable.status = DeliverableStatus.DONE
        else:
            deliverable.status = DeliverableStatus.ACCEPTED
            deliverable.accepted_by, deliverable.accepted_at = owner, _moment(completed_on)
        if _deliverable_state(deliverable) != before:
            changed_deliverables.append(deliverable)
    for iteration in iterations:
        status = (
            IterationStatus.FINISHED if iteration.end_on < day
            else IterationStatus.ACTIVE if iteration.start_on <= day
            else IterationStatus.PLANNED
        )
        if status != iteration.status:
            iteration.status = status
            changed_iterations.append(iteration)
    # Plain bulk updates: this rewinds the plan's own clock, which the services (stamping
    # "now" and accepting only once) cannot do; the database constraints still hold.
    Deliverable.objects.bulk_update(
        changed_deliverables, ["percent_complete", "status", "accepted_by", "accepted_at"]
    )
    Iteration.objects.bulk_update(changed_iterations, ["status"])


def _replay(story: _Story, today: datetime.date) -> None:
    """Weekly snapshots from the first day to today, computed as of each day."""
    engagement = story.engagement
    deliverables = list(engagement.deliverables.order_by("pk"))
    iterations = list(engagement.iterations.order_by("number"))
    day = engagement.planned_start
    while day < today:
        _set_state(story, deliverables, iterations, day)
        compute.recompute_engagement(engagement.pk, status_date=day)
        day += datetime.timedelta(days=7)
    _set_state(story, deliverables, iterations, today)
    compute.recompute_engagement(engagement.pk, status_date=today)


def delivery_counts() -> dict[str, int]:
    """How many delivery rows the database holds, by kind (for the seed's summary)."""
    return Counter({
        "iterations": Iteration.objects.count(), "deliverables": Deliverable.objects.count(),
        "time entries": TimeEntry.objects.count(), "expenses": Expense.objects.count(),
        "KPI measurements": KpiMeasurement.objects.count(),
    })
