"""Engagement metrics computed from the database: by hand, stored, stale, coalesced, set-based."""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock

import kombu.exceptions
import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.choices import Direction
from engagements.choices import (
    DeliverableKind,
    DeliverableStatus,
    EngagementStatus,
    ExpenseCategory,
    IterationStatus,
)
from engagements.metrics import compute
from engagements.models import (
    Deliverable,
    EngagementMetrics,
    Expense,
    Iteration,
    KpiMeasurement,
    MetricsSnapshot,
    TimeEntry,
)
from engagements.tasks import recompute_engagement_metrics
from stakeholders.choices import EngagementLevel, ResponseStrategy, RiskKind, RiskStatus
from tests.factories import (
    CommunicationPlanFactory,
    ConsultantFactory,
    EngagementFactory,
    IndicatorFactory,
    RiskFactory,
    ServiceFactory,
    StaffUserFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

D = date(2026, 3, 10)  # the status date of every hand-computed example


@pytest.fixture(autouse=True)
def clear_pending_marks():
    cache.clear()
    yield
    cache.clear()


def deliverable(engagement, *, budget="1000", start=D, finish=D, percent=0, points=0,
                status=DeliverableStatus.TODO, iteration=None, launch_of=None, accepted_by=None):
    return Deliverable.objects.create(
        engagement=engagement, title=f"Item {budget} {start}", budget=Decimal(budget),
        planned_start=start, planned_finish=finish, percent_complete=percent,
        story_points=points, status=status, iteration=iteration,
        kind=DeliverableKind.SERVICE_LAUNCH if launch_of else DeliverableKind.DOCUMENT,
        service=launch_of, accepted_by=accepted_by,
        accepted_at=timezone.now() if accepted_by else None,
    )


def time_entry(engagement, worked_on, cost, consultant=None):
    return TimeEntry.objects.create(
        engagement=engagement, consultant=consultant or ConsultantFactory(), worked_on=worked_on,
        hours=Decimal("8"), cost=Decimal(cost),
    )


def expense(engagement, spent_on, amount):
    return Expense.objects.create(
        engagement=engagement, spent_on=spent_on, amount=Decimal(amount),
        category=ExpenseCategory.TRAVEL,
    )


def iteration(engagement, number, status):
    start = D + timedelta(days=14 * (number - 3))
    return Iteration.objects.create(
        engagement=engagement, number=number, start_on=start,
        end_on=start + timedelta(days=13), status=status,
    )


def measure(engagement, indicator, period_start, value, recorded_by):
    return KpiMeasurement.objects.create(
        engagement=engagement, indicator=indicator, period_start=period_start,
        period_end=period_start + timedelta(days=27), value=Decimal(value),
        recorded_by=recorded_by,
    )


@pytest.fixture
def fence():
    """The DOMAIN.md fence, with iterations, a launch, KPIs, stakeholders and risks around it."""
    engagement = EngagementFactory(
        status=EngagementStatus.ACTIVE, budget_at_completion=Decimal("4000"),
        planned_start=D - timedelta(days=30), planned_end=D + timedelta(days=60),
    )
    organization = engagement.organization
    owner = StakeholderFactory(organization=organization, power=4, interest=4,
                               current_engagement=EngagementLevel.SUPPORTIVE,
                               desired_engagement=EngagementLevel.SUPPORTIVE)
    StakeholderFactory(organization=organization, power=5, interest=3,
                       current_engagement=EngagementLevel.NEUTRAL,
                       desired_engagement=EngagementLevel.SUPPORTIVE)
    StakeholderFactory(organization=organization, power=5, interest=5, is_active=False)
    StakeholderFactory(organization=organization, power=1, interest=5)
    first = iteration(engagement, 1, IterationStatus.FINISHED)
    second = iteration(engagement, 2, IterationStatus.ACTIVE)
    iteration(engagement, 3, IterationStatus.PLANNED)
    service = ServiceFactory()
    engagement.services.add(service)
    # Sides 1-3 of the fence, a day each, plus a launch spread over four days (D-1 .. D+2).
    deliverable(engagement, start=D - timedelta(days=2), finish=D - timedelta(days=2),
                percent=100, points=5, status=DeliverableStatus.ACCEPTED, iteration=first,
                accepted_by=owner)
    deliverable(engagement, start=D - timedelta(days=1), finish=D - timedelta(days=1),
                percent=100, points=3, status=DeliverableStatus.DONE, iteration=first)
    deliverable(engagement, start=D, finish=D, percent=50, points=8,
                status=DeliverableStatus.IN_PROGRESS, iteration=second)
    deliverable(engagement, start=D - timedelta(days=1), finish=D + timedelta(days=2),
                points=5, launch_of=service)
    consultant = ConsultantFactory()
    time_entry(engagement, D - timedelta(days=2), "1000", consultant)
    time_entry(engagement, D - timedelta(days=1), "1200", consultant)
    time_entry(engagement, D + timedelta(days=1), "999", consultant)  # after the status date
    expense(engagement, D, "600")
    expense(engagement, D + timedelta(days=1), "50")  # after the status date
    staff = StaffUserFactory()
    indicator = IndicatorFactory(service=service, name="On-time reports",
                                 direction=Direction.HIGHER_IS_BETTER, target=Decimal("95"),
                                 green_threshold=Decimal("90"), red_threshold=Decimal("75"))
    measure(engagement, indicator, D - timedelta(days=60), "95", staff)
    measure(engagement, indicator, D - timedelta(days=30), "70", staff)
    measure(engagement, indicator, D + timedelta(days=1), "99", staff)  # after the status date
    later = IndicatorFactory(service=service, name="Later")
    measure(engagement, later, D + timedelta(days=5), "10", staff)
    CommunicationPlanFactory(organization=organization, next_due_on=D - timedelta(days=5))
    CommunicationPlanFactory(organization=organization, next_due_on=D - timedelta(days=5),
                             is_active=False)
    CommunicationPlanFactory(organization=organization, next_due_on=D + timedelta(days=3))
    RiskFactory(organization=organization, probability=4, impact=4)
    RiskFactory(organization=organization, probability=2, impact=3, status=RiskStatus.MONITORING)
    RiskFactory(organization=organization, probability=5, impact=5, status=RiskStatus.CLOSED)
    RiskFactory(probability=5, impact=5)  # another organization's
    # An open opportunity: a high score is good news, outside the threat exposure.
    RiskFactory(organization=organization, probability=5, impact=5, kind=RiskKind.OPPORTUNITY,
                response_strategy=ResponseStrategy.EXPLOIT)
    return engagement


def values(result):
    return {name: figure["value"] for name, figure in result["figures"].items()}


def test_figures_of_a_small_engagement_computed_by_hand(fence):
    result = compute.compute_figures(fence.pk, D)
    figures = values(result)
    assert result["status_date"] == "2026-03-10"
    # EVM: PV = 3 x 1000 + 1000 x 2/4 days; EV = 1000 + 1000 + 500; AC = 1000 + 1200 + 600.
    assert figures["bac"] == "4000.00"
    assert figures["pv"] == "3500.00"
    assert figures["ev"] == "2500.00"
    assert figures["ac"] == "2800.00"
    assert figures["cv"] == "-300.00"
    assert figures["sv"] == "-1000.00"
    assert figures["cpi"] == "0.8929"
    assert figures["spi"] == "0.7143"
    assert figures["eac_atypical"] == "4300.00"
    # AgileEVM: 1 of 3 iterations finished, 5 of 21 points accepted.
    assert figures["planned_percent_complete"] == "33.33"
    assert figures["actual_percent_complete"] == "23.81"
    # Delivery: iteration 1 committed 8 points and 5 were accepted.
    assert figures["velocity"] == "5.00"
    assert figures["say_do_ratio"] == "0.6250"
    assert figures["deliverables_total"] == "4"
    assert figures["deliverables_accepted"] == "1"
    assert figures["launches_planned"] == "1"
    assert figures["launches_done"] == "0"
    # Stakeholders: two active manage-closely people, one at the desired level; one overdue.
    assert figures["key_stakeholders"] == "2"
    assert figures["key_stakeholders_at_desired"] == "1"
    assert figures["communications_overdue"] == "1"
    # Risks: open 16 (red) and monitored 6; the closed one and the other client's excluded.
    assert figures["risk_exposure"] == "22"
    assert figures["risks_open"] == "2"
    assert figures["risks_red"] == "1"
    # KPIs: the latest value by the status date (70, red); the later indicator not yet.
    assert [(kpi["name"], kpi["value"], kpi["status"]) for kpi in result["kpis"]] == [
        ("On-time reports", "70.0000", "red")
    ]
    assert result["health"] == "red"
    assert any("SPI" in reason for reason in result["reasons"])


def test_an_engagement_with_nothing_yet_has_null_ratios_with_reasons():
    engagement = EngagementFactory(budget_at_completion=Decimal("0"))
    result = compute.compute_figures(engagement.pk, D)
    cpi = result["figures"]["cpi"]
    assert cpi["value"] is None
    assert cpi["reason"]
    assert result["figures"]["ac"]["value"] == "0.00"
    assert result["figures"]["velocity"]["value"] is None
    assert result["kpis"] == []
    assert result["health"] == "green"


def test_unknown_engagement_is_an_error_not_a_crash():
    from engagements.models import Engagement

    with pytest.raises(Engagement.DoesNotExist):
        compute.compute_figures(999_999, D)


def test_recompute_stores_current_metrics_and_one_snapshot_per_day(fence):
    first = compute.recompute_engagement(fence.pk, D)
    second = compute.recompute_engagement(fence.pk, D)
    assert EngagementMetrics.objects.filter(engagement=fence).count() == 1
    snapshots = MetricsSnapshot.objects.filter(engagement=fence)
    assert [snapshot.day for snapshot in snapshots] == [D]
    assert second.figures == first.figures
    assert second.as_of >= first.as_of
    assert (second.pv, second.ev, second.ac) == (Decimal("3500"), Decimal("2500"),
                                                 Decimal("2800"))
    assert second.cpi == Decimal("0.8929")
    assert second.health == "red"
    assert second.figures["cpi"] == {"value": "0.8929", "reason": ""}
    assert second.figures["kpis"][0]["status"] == "red"
    assert second.figures["reasons"]
    assert snapshots.get().figures == second.figures
    # Another day adds a snapshot; the current row follows the latest recompute.
    compute.recompute_engagement(fence.pk, D + timedelta(days=1))
    assert MetricsSnapshot.objects.filter(engagement=fence).count() == 2
    assert EngagementMetrics.objects.get(engagement=fence).status_date == D + timedelta(days=1)


def test_staleness_is_detected_and_swept():
    engagement = EngagementFactory(status=EngagementStatus.ACTIVE)
    closed = EngagementFactory(status=EngagementStatus.CLOSED)
    # Never computed: an open engagement is missing, a closed one is left alone.
    assert compute.stale_engagement_ids() == [engagement.pk]
    metrics = compute.recompute_engagement(engagement.pk)
    assert not metrics.is_stale
    assert compute.stale_engagement_ids() == []
    compute.mark_inputs_changed([engagement.pk, closed.pk])  # on_commit never runs here
    metrics.refresh_from_db()
    assert metrics.is_stale
    closed_metrics = EngagementMetrics.objects.get(engagement=closed)
    assert closed_metrics.as_of is None
    assert closed_metrics.is_stale
    assert compute.stale_engagement_ids() == sorted([engagement.pk, closed.pk])
    assert compute.sweep_stale() == 2
    assert compute.stale_engagement_ids() == []
    metrics.refresh_from_db()
    assert not metrics.is_stale


def test_a_change_made_while_recomputing_leaves_the_metrics_stale():
    engagement = EngagementFactory(status=EngagementStatus.ACTIVE)
    real_gather = compute._gather

    def gather_then_change(ids, status_date):
        inputs = real_gather(ids, status_date)
        compute.mark_inputs_changed(ids)
        return inputs

    with mock.patch.object(compute, "_gather", gather_then_change):
        metrics = compute.recompute_engagement(engagement.pk)
    assert metrics.is_stale


def test_a_burst_of_changes_enqueues_one_recompute(django_capture_on_commit_callbacks):
    engagement = EngagementFactory()
    other = EngagementFactory()
    with mock.patch.object(recompute_engagement_metrics, "apply_async") as send:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for _ in range(3):
                compute.mark_inputs_changed([engagement.pk])
            compute.mark_inputs_changed([other.pk, engagement.pk])
        assert sorted(call.kwargs["args"] for call in send.call_args_list) == sorted(
            [(engagement.pk,), (other.pk,)]
        )
        # A further change inside the window, before the task ran: still nothing more sent.
        with django_capture_on_commit_callbacks(execute=True):
            compute.mark_inputs_changed([engagement.pk])
        assert send.call_count == 2
        # Once the task starts (and clears its mark) the next change is sent again.
        recompute_engagement_metrics.run(engagement.pk)
        with django_capture_on_commit_callbacks(execute=True):
            compute.mark_inputs_changed([engagement.pk])
        assert send.call_count == 3


def test_a_rolled_back_change_enqueues_nothing(django_capture_on_commit_callbacks):
    engagement = EngagementFactory()
    def change_then_fail():
        with transaction.atomic():
            compute.mark_inputs_changed([engagement.pk])
            raise RuntimeError("rolled back")

    with (
        mock.patch.object(recompute_engagement_metrics, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        change_then_fail()
    send.assert_not_called()
    assert cache.get(compute.pending_key(engagement.pk)) is None


def test_after_commit_the_eager_task_brings_metrics_up_to_date(
    django_capture_on_commit_callbacks,
):
    engagement = EngagementFactory(status=EngagementStatus.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        expense(engagement, timezone.localdate(), "75")
        compute.mark_inputs_changed([engagement.pk])
    metrics = EngagementMetrics.objects.get(engagement=engagement)
    assert not metrics.is_stale
    assert metrics.ac == Decimal("75")
    assert cache.get(compute.pending_key(engagement.pk)) is None


def test_broker_down_the_write_succeeds_and_the_sweep_reconciles(
    django_capture_on_commit_callbacks, caplog,
):
    engagement = EngagementFactory(status=EngagementStatus.ACTIVE)
    compute.recompute_engagement(engagement.pk)
    broken = kombu.exceptions.OperationalError("Error 111 connecting to redis:6379.")
    with (
        mock.patch.object(recompute_engagement_metrics, "apply_async", side_effect=broken),
        caplog.at_level(logging.WARNING, logger="engagements.metrics.compute"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        time_entry(engagement, timezone.localdate(), "480")
        compute.mark_inputs_changed([engagement.pk])
    assert TimeEntry.objects.filter(engagement=engagement).exists()
    assert "sweep will reconcile" in caplog.text
    assert cache.get(compute.pending_key(engagement.pk)) is None  # the next change retries
    metrics = EngagementMetrics.objects.get(engagement=engagement)
    assert metrics.is_stale
    assert metrics.ac == Decimal("0")
    assert compute.sweep_stale() == 1
    metrics.refresh_from_db()
    assert not metrics.is_stale
    assert metrics.ac == Decimal("480")


def varied_engagements(count):
    """Engagements that differ: empty, spending only, delivering, over budget, closed..."""
    engagements = []
    staff = StaffUserFactory()
    for index in range(count):
        engagement = EngagementFactory(
            status=EngagementStatus.ACTIVE if index % 5 else EngagementStatus.STAFFING,
            budget_at_completion=Decimal(1000 * (index + 1)),
        )
        engagements.append(engagement)
        if index % 4 == 0:
            continue  # nothing yet
        finished = iteration(engagement, 1, IterationStatus.FINISHED)
        iteration(engagement, 2, IterationStatus.ACTIVE)
        owner = StakeholderFactory(organization=engagement.organization, power=5, interest=5)
        deliverable(engagement, budget=str(300 + index), start=D - timedelta(days=10),
                    finish=D + timedelta(days=index), percent=40, points=index,
                    iteration=finished)
        deliverable(engagement, budget="200", start=D - timedelta(days=3),
                    finish=D - timedelta(days=1), percent=100, points=2,
                    status=DeliverableStatus.ACCEPTED, iteration=finished, accepted_by=owner)
        time_entry(engagement, D - timedelta(days=index), str(150 * index))
        if index % 3 == 0:
            expense(engagement, D, "99.99")
            RiskFactory(organization=engagement.organization, probability=index % 5 + 1,
                        impact=5)
            indicator = IndicatorFactory(direction=Direction.LOWER_IS_BETTER,
                                         green_threshold=Decimal("5"),
                                         red_threshold=Decimal("10"))
            measure(engagement, indicator, D - timedelta(days=40), str(index), staff)
        if index % 2 == 0:
            CommunicationPlanFactory(organization=engagement.organization,
                                     next_due_on=D - timedelta(days=1))
    return engagements


def stored(engagement_ids):
    rows = EngagementMetrics.objects.filter(engagement_id__in=engagement_ids)
    return {
        row.engagement_id: (row.status_date, row.bac, row.pv, row.ev, row.ac, row.cpi, row.spi,
                            row.health, row.figures)
        for row in rows
    }


def test_recompute_all_equals_recomputing_each_engagement():
    engagements = varied_engagements(9)
    closed = EngagementFactory(status=EngagementStatus.CLOSED)
    ids = [engagement.pk for engagement in engagements]
    assert compute.recompute_all(status_date=D, batch_size=4) == len(ids)
    assert not EngagementMetrics.objects.filter(engagement=closed).exists()
    all_at_once = stored(ids)
    assert len({row[7] for row in all_at_once.values()}) >= 2  # the engagements really differ
    assert len({row[2] for row in all_at_once.values()}) >= 5
    EngagementMetrics.objects.all().delete()
    MetricsSnapshot.objects.all().delete()
    for pk in ids:
        compute.recompute_engagement(pk, D)
    assert stored(ids) == all_at_once
    for pk in ids:
        result = compute.compute_figures(pk, D)
        assert all_at_once[pk][8] == {**result["figures"], "kpis": result["kpis"],
                                      "reasons": result["reasons"]}
    assert MetricsSnapshot.objects.filter(engagement_id__in=ids, day=D).count() == len(ids)


def count_queries(func):
    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries)


def test_recompute_all_costs_the_same_queries_for_2_and_12_engagements():
    varied_engagements(2)
    few = count_queries(lambda: compute.recompute_all(status_date=D))
    EngagementMetrics.objects.all().delete()
    varied_engagements(10)
    many = count_queries(lambda: compute.recompute_all(status_date=D))
    assert EngagementMetrics.objects.count() == 12
    # ids, engagements, 10 aggregate reads (deliverables x2, AC x2, iterations x2, KPIs,
    # stakeholders, communications, risks) and the two bulk upserts inside one savepoint
    # (SAVEPOINT and RELEASE: the test runs in a transaction; the current rows and their
    # snapshots commit together).
    assert few == many == 16


def test_recompute_all_batches_cost_a_constant_number_of_queries_each():
    varied_engagements(6)
    one_batch = count_queries(lambda: compute.recompute_all(status_date=D, batch_size=6))
    three_batches = count_queries(lambda: compute.recompute_all(status_date=D, batch_size=2))
    per_batch = (three_batches - one_batch) // 2
    assert three_batches == one_batch + 2 * per_batch
    assert per_batch <= 15


def test_snapshot_as_of_is_timezone_aware(fence):
    metrics = compute.recompute_engagement(fence.pk, D)
    assert isinstance(metrics.as_of, datetime)
    assert timezone.is_aware(metrics.as_of)


DEAD_REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2},
    }
}


@pytest.mark.parametrize("broker_up", [True, False], ids=["broker-up", "broker-down"])
def test_redis_cache_down_the_write_still_commits_and_the_task_is_still_tried(
    settings, django_capture_on_commit_callbacks, caplog, broker_up,
):
    """The coalescing mark lives in the shared cache, on Redis like the broker. With Redis
    gone a committed change must not turn into an error after the fact: the task is sent
    uncoalesced (or, with the broker gone too, left to the sweep)."""
    engagement = EngagementFactory(status=EngagementStatus.ACTIVE)
    settings.CACHES = {**settings.CACHES, **DEAD_REDIS_CACHE}
    failure = None if broker_up else kombu.exceptions.OperationalError("Error 111 connecting.")
    with (
        mock.patch.object(recompute_engagement_metrics, "apply_async", side_effect=failure) as send,
        caplog.at_level(logging.WARNING, logger="engagements.metrics.compute"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        expense(engagement, timezone.localdate(), "75")
        compute.mark_inputs_changed([engagement.pk])
    send.assert_called_once_with(args=(engagement.pk,))
    assert "coalescing cache unavailable" in caplog.text
    assert ("sweep will reconcile" in caplog.text) is not broker_up
    assert EngagementMetrics.objects.get(engagement=engagement).is_stale
