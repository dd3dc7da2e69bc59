"""The ``metrics_recompute`` benchmark at a tiny scale: its data satisfies the models, and its
raw-SQL baseline computes the same figures as the product, which is what makes the ratio
between them honest."""

import argparse
import random
from datetime import timedelta
from decimal import Decimal

import pytest

from bench.__main__ import DEFAULT_ROUNDS, QUICK_WARMUP, rounds_for
from bench.cases.metrics import MetricsRecomputeCase, RawRecompute, compare, open_raw_connection
from bench.cases.metrics_data import STATUS_DATE, Scale, build
from engagements.choices import DeliverableStatus
from engagements.metrics import compute
from engagements.models import (
    Deliverable,
    EngagementMetrics,
    Iteration,
    KpiMeasurement,
    MetricsSnapshot,
    TimeEntry,
)

TINY = Scale(engagements=5, organizations=2, time_entries_per_engagement=10, consultants=3)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def built():
    build(random.Random(7), TINY)
    raw = open_raw_connection()
    yield RawRecompute(raw)
    raw.close()


def test_builder_makes_the_scaled_rows_with_a_mix_of_deliverable_states(built):
    assert Iteration.objects.count() == 5 * TINY.iterations_per_engagement
    assert Deliverable.objects.count() == 5 * TINY.deliverables_per_engagement
    assert TimeEntry.objects.count() == 5 * TINY.time_entries_per_engagement
    assert KpiMeasurement.objects.count() == 5 * 2 * 2
    finished = Deliverable.objects.filter(planned_finish__lte=STATUS_DATE).count()
    in_progress = Deliverable.objects.filter(
        planned_start__lte=STATUS_DATE, planned_finish__gt=STATUS_DATE
    ).count()
    assert finished
    assert in_progress
    assert finished + in_progress < Deliverable.objects.count()
    assert Deliverable.objects.filter(status=DeliverableStatus.ACCEPTED).exists()
    # Some time is booked after the status date, so the date filter on AC is exercised.
    assert TimeEntry.objects.filter(worked_on__gt=STATUS_DATE).exists()


def test_baseline_computes_the_same_figures_as_the_product(built):
    assert compute.recompute_all(status_date=STATUS_DATE) == 5
    assert compare(built) == []
    stored = {row.engagement_id: (row.pv, row.ev, row.ac)
              for row in EngagementMetrics.objects.all()}
    assert all(ac > 0 and ev > 0 and pv > 0 for pv, ev, ac in stored.values())

    # The baseline writes the same rows (upserts: no new ones) with the same main figures.
    assert built() == 5
    assert EngagementMetrics.objects.count() == 5
    assert MetricsSnapshot.objects.filter(day=STATUS_DATE).count() == 5
    after = {row.engagement_id: (row.pv, row.ev, row.ac)
             for row in EngagementMetrics.objects.all()}
    assert after == stored


def test_the_comparison_catches_a_baseline_that_reads_different_rows(built):
    compute.recompute_all(status_date=STATUS_DATE)
    entry = TimeEntry.objects.filter(worked_on__lte=STATUS_DATE).first()
    TimeEntry.objects.filter(pk=entry.pk).update(cost=entry.cost + Decimal("1.00"))

    problems = compare(built)

    assert len(problems) == 1
    assert f"engagement {entry.engagement_id}:" in problems[0]


def test_the_baseline_excludes_costs_after_the_status_date(built):
    late = RawRecompute(built.raw, STATUS_DATE + timedelta(days=60))
    ac = {pk: late.evm(item)["ac"] for pk, item in built.gather().items()}
    later_ac = {pk: late.evm(item)["ac"] for pk, item in late.gather().items()}
    assert sum(later_ac.values()) > sum(ac.values())


def test_the_case_runs_few_rounds_unless_told_otherwise():
    case = MetricsRecomputeCase()
    plain = argparse.Namespace(rounds=None, warmup=None, quick=False)
    assert rounds_for(plain, case) == (5, 1)
    quick = argparse.Namespace(rounds=None, warmup=None, quick=True)
    assert rounds_for(quick, case) == (5, 1)
    told = argparse.Namespace(rounds=3, warmup=0, quick=False)
    assert rounds_for(told, case) == (3, 0)

    class Fast(MetricsRecomputeCase):
        default_rounds = default_warmup = None

    assert rounds_for(plain, Fast()) == (DEFAULT_ROUNDS, 20)
    assert rounds_for(quick, Fast())[1] == QUICK_WARMUP
