"""Demand flow analytics: a hand-computed example, edge cases, and the selector on the DB.

The worked example (times at 12:00 local, January 2026, period Mon 5 to Sun 25 = ISO weeks
W02, W03, W04; observed after the period, so the horizon is 26 January 00:00):

- A: submitted 5, assessed 7, approved 8, scheduled 9, in progress 10, delivered 14.
- B: submitted 6, assessed 10, approved 11, scheduled 12, in progress 13, delivered 16.
- C: submitted 3 (before the period), assessed 6, rejected 12.
- D: submitted 20, still submitted (censored, 5.5 days old at the horizon).
- E: submitted 5, assessed 6, approved 7, scheduled 8, in progress 9, delivered 23.
- F: delivered in December 2025: ended before the period, so not in its flow.

Completed stays (days): submitted A 2, B 4, C 1.5 (clipped to 5 Jan 00:00), E 1 -> mean
2.125 -> 2.13, p85 rank ceil(3.4) = 4 -> 4. Assessed 1, 1, 6, 1 -> mean 2.25, p85 6.
Approved and scheduled 1, 1, 1. In progress A 4, B 3, E 14 -> mean 7, p85 rank 3 -> 14:
the bottleneck, holding 21 of the 37 lead-time days of A, B, E (0.5676).
Lead times 9, 10, 18: mean 12.33, median (rank 2) 10, p85 (rank 3) 18, max 18; weekly bins
[0, 7): 0, [7, 14): 2, [14, 21): 1. Throughput W02 0, W03 2, W04 1. WIP at 12 Jan 00:00:
A and E in progress, B approved, C assessed; at 19 Jan: E in progress; at 26 Jan: D
submitted. Little: demand-days in flow A 9 + B 10 + C 7.5 + D 5.5 + E 18 = 50 over 21 days
-> 2.38; throughput 3/21 = 0.1429 per day; predicted WIP 3/21 x 37/3 = 1.76.
"""

import json
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from improvement.flow import (
    FlowTransition,
    compute_flow,
    demand_flow,
    nearest_rank,
    to_days,
)
from portfolio.choices import DemandStatus as S
from portfolio.models import DemandTransition
from tests.factories import OrganizationFactory
from tests.factories.portfolio import DemandFactory

ZONE = ZoneInfo(settings.TIME_ZONE)
START, END = date(2026, 1, 5), date(2026, 1, 25)
AFTER = datetime(2026, 2, 1, 12, tzinfo=ZONE)
WORKFLOW = (S.SUBMITTED, S.ASSESSED, S.APPROVED, S.SCHEDULED, S.IN_PROGRESS, S.DELIVERED)


def at(day: int, month: int = 1, year: int = 2026, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZONE)


def moves(*steps: tuple[str, datetime]) -> list[FlowTransition]:
    return [FlowTransition(status, moment, index) for index, (status, moment) in
            enumerate(steps)]


def straight(*days: int) -> list[tuple[str, datetime]]:
    return [(status, at(day)) for status, day in zip(WORKFLOW, days, strict=False)]


EXAMPLE = {
    "A": straight(5, 7, 8, 9, 10, 14),
    "B": straight(6, 10, 11, 12, 13, 16),
    "C": [(S.SUBMITTED, at(3)), (S.ASSESSED, at(6)), (S.REJECTED, at(12))],
    "D": [(S.SUBMITTED, at(20))],
    "E": straight(5, 6, 7, 8, 9, 23),
    "F": [(status, at(day, 12, 2025)) for status, day in zip(WORKFLOW, (1, 2, 3, 4, 5, 20),
                                                             strict=True)],
}


def example_flow(now: datetime = AFTER, start: date = START, end: date = END):
    return compute_flow([moves(*steps) for steps in EXAMPLE.values()],
                        start=start, end=end, now=now, zone=ZONE)


def by_status(flow):
    return {row.status: row for row in flow.time_in_status}


def days(text: str) -> Decimal:
    return Decimal(text)


# ---- the worked example -------------------------------------------------------------------

def test_time_in_status_of_the_worked_example():
    rows = by_status(example_flow())
    summary = {
        status: (row.completed_count, row.completed_mean_days, row.completed_p85_days)
        for status, row in rows.items()
    }
    assert summary == {
        S.SUBMITTED: (4, days("2.13"), days("4.00")),
        S.ASSESSED: (4, days("2.25"), days("6.00")),
        S.APPROVED: (3, days("1.00"), days("1.00")),
        S.SCHEDULED: (3, days("1.00"), days("1.00")),
        S.IN_PROGRESS: (3, days("7.00"), days("14.00")),
    }
    assert S.DELIVERED not in rows
    assert S.REJECTED not in rows


def test_censored_stays_are_reported_apart_from_the_completed_mean():
    submitted = by_status(example_flow())[S.SUBMITTED]
    assert (submitted.still_in_count, submitted.still_in_mean_age_days,
            submitted.still_in_max_age_days) == (1, days("5.50"), days("5.50"))
    assert submitted.completed_mean_days == days("2.13")  # D's 5.5 days are not mixed in
    assert by_status(example_flow())[S.ASSESSED].still_in_count == 0


def test_lead_times_and_histogram_of_the_worked_example():
    lead = example_flow().lead_times
    assert (lead.count, lead.mean_days, lead.median_days, lead.p85_days, lead.max_days) == (
        3, days("12.33"), days("10.00"), days("18.00"), days("18.00"))
    assert [(b.lower_days, b.upper_days, b.count) for b in lead.histogram] == [
        (0, 7, 0), (7, 14, 2), (14, 21, 1)]


def test_weekly_throughput_includes_the_zero_week_and_wip_at_each_week_end():
    weeks = example_flow().weeks
    assert [(w.week, w.week_start, w.delivered) for w in weeks] == [
        ("2026-W02", date(2026, 1, 5), 0),
        ("2026-W03", date(2026, 1, 12), 2),
        ("2026-W04", date(2026, 1, 19), 1),
    ]
    assert [w.wip_at for w in weeks] == [at(12, hour=0), at(19, hour=0), at(26, hour=0)]
    nonzero = [{s: n for s, n in w.wip_by_status.items() if n} for w in weeks]
    assert nonzero == [
        {S.ASSESSED: 1, S.APPROVED: 1, S.IN_PROGRESS: 2},
        {S.IN_PROGRESS: 1},
        {S.SUBMITTED: 1},
    ]
    assert [w.wip for w in weeks] == [4, 1, 1]


def test_wip_at_the_horizon_and_demand_count():
    flow = example_flow()
    assert flow.horizon == at(26, hour=0)
    assert flow.wip_at_horizon == 1
    assert flow.wip_at_horizon_by_status[S.SUBMITTED] == 1
    assert flow.demand_count == 5  # F ended before the period


def test_bottleneck_is_the_status_with_the_longest_mean_stay():
    bottleneck = example_flow().bottleneck
    assert (bottleneck.status, bottleneck.mean_days, bottleneck.p85_days, bottleneck.count,
            bottleneck.share_of_lead_time) == (S.IN_PROGRESS, days("7.00"), days("14.00"), 3,
                                               days("0.5676"))
    assert "In progress" in bottleneck.explanation
    assert "56.8%" in bottleneck.explanation
    assert example_flow().bottleneck_reason == ""


def test_littles_law_reports_both_sides():
    law = example_flow().littles_law
    assert (law.average_wip, law.throughput_per_day, law.mean_lead_time_days,
            law.predicted_wip) == (days("2.38"), days("0.1429"), days("12.33"), days("1.76"))


def test_as_dict_is_json_serializable():
    data = example_flow().as_dict()
    assert json.loads(json.dumps(data))["bottleneck"]["mean_days"] == "7.00"
    assert data["weeks"][0]["week_start"] == "2026-01-05"
    assert data["start"] == "2026-01-05"


# ---- formulas and edge cases --------------------------------------------------------------

@pytest.mark.parametrize(("count", "percent", "expected"), [
    (1, 85, 1), (4, 85, 4), (10, 85, 9), (20, 85, 17), (7, 85, 6), (4, 50, 2), (5, 50, 3),
])
def test_nearest_rank_percentile(count, percent, expected):
    values = [timedelta(days=n) for n in range(1, count + 1)]
    assert nearest_rank(values, percent) == timedelta(days=expected)


def test_nearest_rank_needs_values():
    with pytest.raises(ValueError, match="at least one"):
        nearest_rank([], 85)


def test_days_round_half_up_to_two_places():
    assert to_days(timedelta(hours=3)) == days("0.13")  # 0.125
    assert to_days(timedelta(days=2, hours=12)) == days("2.50")


def test_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="cannot start"):
        compute_flow([], start=date(2026, 2, 1), end=date(2026, 1, 31), now=AFTER)


def test_empty_period_has_zero_weeks_and_no_bottleneck():
    flow = compute_flow([], start=START, end=END, now=AFTER, zone=ZONE)
    assert flow.demand_count == 0
    assert [w.delivered for w in flow.weeks] == [0, 0, 0]
    assert [w.wip for w in flow.weeks] == [0, 0, 0]
    assert flow.lead_times.count == 0
    assert flow.lead_times.histogram == []
    assert flow.bottleneck is None
    assert "No demand" in flow.bottleneck_reason
    assert flow.littles_law.average_wip == days("0.00")
    assert flow.littles_law.mean_lead_time_days is None
    assert all(row.completed_mean_days is None for row in flow.time_in_status)


def test_single_transition_is_only_a_censored_stay():
    flow = compute_flow([moves((S.SUBMITTED, at(10)))], start=START, end=END, now=AFTER,
                        zone=ZONE)
    submitted = by_status(flow)[S.SUBMITTED]
    assert (submitted.completed_count, submitted.still_in_count,
            submitted.still_in_max_age_days) == (0, 1, days("15.50"))
    assert flow.bottleneck is None
    assert flow.wip_at_horizon == 1


def test_out_of_order_input_gives_the_same_result():
    shuffled = []
    rng = random.Random(7)
    for steps in EXAMPLE.values():
        history = moves(*steps)
        rng.shuffle(history)
        shuffled.append(history)
    rng.shuffle(shuffled)
    assert compute_flow(shuffled, start=START, end=END, now=AFTER, zone=ZONE) == \
        example_flow()


def test_simultaneous_moves_are_ordered_by_id():
    same_time = at(10)
    history = [FlowTransition(S.ASSESSED, same_time, 2), FlowTransition(S.SUBMITTED,
                                                                        same_time, 1)]
    flow = compute_flow([history], start=START, end=END, now=AFTER, zone=ZONE)
    rows = by_status(flow)
    assert rows[S.SUBMITTED].completed_mean_days == days("0.00")
    assert rows[S.ASSESSED].still_in_count == 1


def test_stays_are_clipped_to_the_period_start():
    history = moves((S.SUBMITTED, at(20, 12, 2025)), (S.ASSESSED, at(7)))
    flow = compute_flow([history], start=START, end=END, now=AFTER, zone=ZONE)
    assert by_status(flow)[S.SUBMITTED].completed_mean_days == days("2.50")  # 5 Jan 00:00 to 7


def test_stays_that_ended_before_the_period_are_left_out():
    history = moves((S.SUBMITTED, at(20, 12, 2025)), (S.ASSESSED, at(28, 12, 2025)))
    flow = compute_flow([history], start=START, end=END, now=AFTER, zone=ZONE)
    rows = by_status(flow)
    assert rows[S.SUBMITTED].completed_count == 0
    assert rows[S.ASSESSED].still_in_max_age_days == days("28.50")  # unclipped age


def test_now_inside_the_period_is_the_horizon():
    now = at(15, hour=0)
    flow = example_flow(now=now)
    assert flow.horizon == now
    assert [w.week for w in flow.weeks] == ["2026-W02", "2026-W03"]  # W04 had not begun
    assert flow.weeks[-1].wip_at == now
    assert flow.lead_times.count == 1  # only A delivered by then
    assert by_status(flow)[S.IN_PROGRESS].still_in_count == 2  # B and E


def test_ties_go_to_the_higher_p85_then_to_the_earlier_status():
    # Submitted stays 1 and 3 days, assessed 2 and 2: same mean 2, p85 3 beats 2.
    histories = [
        moves((S.SUBMITTED, at(5)), (S.ASSESSED, at(6)), (S.APPROVED, at(8))),
        moves((S.SUBMITTED, at(5)), (S.ASSESSED, at(8)), (S.APPROVED, at(10))),
    ]
    flow = compute_flow(histories, start=START, end=END, now=AFTER, zone=ZONE)
    assert flow.bottleneck.status == S.SUBMITTED
    # Same mean and p85 everywhere: the earlier status in the workflow wins.
    even = [moves((S.SUBMITTED, at(5)), (S.ASSESSED, at(7)), (S.APPROVED, at(9)))]
    flow = compute_flow(even, start=START, end=END, now=AFTER, zone=ZONE)
    assert flow.bottleneck.status == S.SUBMITTED
    assert flow.bottleneck.share_of_lead_time is None  # nothing delivered


def test_week_boundaries_follow_the_local_time_zone():
    # Delivered Sunday 11 January 23:30 local (22:30 UTC): week W02, not W03.
    late = datetime(2026, 1, 11, 23, 30, tzinfo=ZONE)
    history = moves(*straight(5, 6, 7, 8, 9)[:5], (S.DELIVERED, late))
    flow = compute_flow([history], start=START, end=END, now=AFTER, zone=ZONE)
    assert [w.delivered for w in flow.weeks] == [1, 0, 0]


# ---- the selector -------------------------------------------------------------------------

def _store(organization, steps: list[tuple[str, datetime]]) -> None:
    """A demand with exactly these moves (the factory's own submission is moved in time)."""
    demand = DemandFactory(organization=organization)
    first, *rest = steps
    DemandTransition.objects.filter(demand=demand).update(at=first[1])
    previous = first[0]
    for status, moment in rest:
        DemandTransition.objects.create(
            demand=demand, from_status=previous, to_status=status, actor=demand.submitted_by,
            at=moment, note="Out of scope." if status == S.REJECTED else "",
        )
        previous = status
    demand.status = previous
    demand.save(update_fields=["status"])


@pytest.mark.django_db
def test_selector_matches_the_pure_computation_and_scopes_the_organization():
    organization = OrganizationFactory()
    for steps in EXAMPLE.values():
        _store(organization, steps)
    # Another organization's demand, delivered in the period, must not count.
    _store(OrganizationFactory(), straight(5, 6, 7, 8, 9, 15))
    # A move after the period end must not change anything.
    _store(organization, [(S.SUBMITTED, at(10)), (S.ASSESSED, at(3, 2))])

    flow = demand_flow(organization_id=organization.pk, start=START, end=END, now=AFTER)

    everything = [
        moves(*steps) for steps in EXAMPLE.values()
    ] + [moves((S.SUBMITTED, at(10)), (S.ASSESSED, at(3, 2)))]
    assert flow == compute_flow(everything, start=START, end=END, now=AFTER, zone=ZONE)
    assert flow.bottleneck.status == S.IN_PROGRESS
    assert [w.delivered for w in flow.weeks] == [0, 2, 1]
    assert flow.demand_count == 6


@pytest.mark.django_db
def test_selector_refuses_a_reversed_period():
    with pytest.raises(ValueError, match="cannot start"):
        demand_flow(organization_id=1, start=END, end=START)


def _queries_for(demand_count: int) -> int:
    organization = OrganizationFactory()
    for index in range(demand_count):
        day = 5 + index % 10
        _store(organization, straight(day, day + 1, day + 2, day + 3, day + 4, day + 8))
    with CaptureQueriesContext(connection) as captured:
        flow = demand_flow(organization_id=organization.pk, start=START, end=END, now=AFTER)
    assert flow.lead_times.count == demand_count
    return len(captured)


@pytest.mark.django_db
def test_selector_query_count_does_not_grow_with_demands():
    assert _queries_for(3) == _queries_for(30) == 1
