"""The demo continuous improvement seeded by ``seed_demo``: a process map per client with its
bottleneck where intended and a redesign that improves it, a demand queue the flow names as
its bottleneck, actions in every status with dated history and benefits over months; all
created once."""

import datetime
import hashlib
import io
import re
from decimal import Decimal
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from improvement import demo_data
from improvement.analysis import analyse_process, compare_versions
from improvement.choices import ActionSource, ActionStatus
from improvement.flow import demand_flow
from improvement.models import (
    ImprovementAction,
    ImprovementActionTransition,
    ProcessMap,
    ProcessStep,
)
from improvement.selectors import benefits_realized
from portfolio.choices import DemandStatus
from portfolio.models import Demand, DemandTransition
from stakeholders.models import Organization

pytestmark = pytest.mark.django_db

CLIENTS = list(demo_data.CLIENTS)
SEEDED_MODELS = [
    ProcessMap, ProcessStep, ImprovementAction, ImprovementActionTransition, Demand,
    DemandTransition, ImprovementAction.history.model, ProcessMap.history.model,
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """``seed_demo`` once for the module (it is slow), in a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("seed_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def _organization(name: str) -> Organization:
    return Organization.objects.get(name=name)


def _versions(client_name: str) -> tuple[ProcessMap, ProcessMap]:
    spec = demo_data.CLIENTS[client_name]["map"]
    maps = ProcessMap.objects.filter(organization__name=client_name, name=spec["name"])
    return maps.get(version=1), maps.get(version=2)


def _analysis(process_map: ProcessMap):
    return analyse_process(list(process_map.steps.all()))


@pytest.mark.parametrize("client_name", CLIENTS)
def test_version_one_has_its_bottleneck_where_intended(seeded, client_name):
    before, _ = _versions(client_name)
    result = _analysis(before)
    constraint = result.constraint
    assert constraint.name == demo_data.CLIENTS[client_name]["map"]["bottleneck"]
    assert result.tied_positions == (constraint.position,)  # no tie: the bottleneck is clear
    assert constraint.utilization.value >= Decimal("1.3")  # overloaded: demand beyond capacity
    others = [s.utilization.value for s in result.steps if s.position != constraint.position]
    assert max(others) < 1


@pytest.mark.parametrize("client_name", CLIENTS)
def test_the_redesign_replaces_it_and_improves_lead_time_and_pce(seeded, client_name):
    before, after = _versions(client_name)
    assert after.replaces == before
    assert after.steps.count() == before.steps.count()
    comparison = compare_versions(_analysis(before), _analysis(after))
    assert comparison.lead_time_change_percent.value <= -40
    assert comparison.pce_after.value >= 2 * comparison.pce_before.value
    # The constraint was elevated: no step of the redesign is overloaded.
    assert all(step.utilization.value < 1 for step in _analysis(after).steps)
    assert before.engagement.organization_id == before.organization_id
    assert before.owner.organization_id == before.organization_id
    assert before.service is not None


@pytest.mark.parametrize("client_name", CLIENTS)
def test_demand_flow_waits_longest_in_assessed(seeded, client_name):
    today = timezone.localdate()
    flow = demand_flow(organization_id=_organization(client_name).pk,
                       start=today - datetime.timedelta(days=89), end=today)
    assert flow.bottleneck.status == demo_data.FLOW_BOTTLENECK == DemandStatus.ASSESSED
    means = sorted(
        (row.completed_mean_days for row in flow.time_in_status
         if row.completed_mean_days is not None),
        reverse=True,
    )
    assert means[0] == flow.bottleneck.mean_days
    assert means[0] >= 2 * means[1]  # clearly the longest, not by a hair
    assert flow.lead_times.count >= 6
    assert flow.wip_at_horizon_by_status[DemandStatus.ASSESSED] >= 1  # the queue is there now


@pytest.mark.parametrize("client_name", CLIENTS)
def test_actions_in_every_status_with_dated_history(seeded, client_name):
    actions = list(ImprovementAction.objects.filter(organization__name=client_name)
                   .prefetch_related("transitions"))
    assert {action.status for action in actions} == set(ActionStatus.values)
    now = timezone.now()
    for action in actions:
        moves = list(action.transitions.all())
        assert [move.to_status for move in moves][-1:] == (
            [action.status] if moves else []
        ), action
        assert all(earlier.at < later.at for earlier, later in pairwise(moves)), action
        assert all(move.from_status == earlier.to_status
                   for earlier, move in pairwise(moves)), action
        assert all(action.created_at < move.at < now for move in moves), action
    verified = [action for action in actions if action.status == ActionStatus.VERIFIED]
    assert all(action.measured_hours_saved_per_month > 0 for action in verified)
    assert all(action.verified_at == list(action.transitions.all())[-1].at
               for action in verified)
    discarded = [action for action in actions if action.status == ActionStatus.DISCARDED]
    assert all(action.discard_reason for action in discarded)
    assert any(action.target_date_warning() for action in actions)  # one plan is too long


@pytest.mark.parametrize("client_name", CLIENTS)
def test_suggestions_come_from_both_bottlenecks(seeded, client_name):
    before, after = _versions(client_name)
    suggested = ImprovementAction.objects.filter(organization__name=client_name,
                                                 suggested=True)
    carried = suggested.get(process_step__process_map=before)
    assert carried.status == ActionStatus.VERIFIED
    assert carried.process_step.name == demo_data.CLIENTS[client_name]["map"]["bottleneck"]
    fresh = suggested.get(process_step__process_map=after)
    assert fresh.status == ActionStatus.PROPOSED
    assert fresh.evidence["version"] == 2
    flow = suggested.get(source=ActionSource.DEMAND_FLOW)
    assert flow.status == ActionStatus.PROPOSED
    assert flow.demand_status == DemandStatus.ASSESSED
    assert flow.evidence["status"] == DemandStatus.ASSESSED
    assert "Assessed" in flow.problem


@pytest.mark.parametrize("client_name", CLIENTS)
def test_benefits_realized_spread_over_three_months_or_more(seeded, client_name):
    today = timezone.localdate()
    rows = benefits_realized(organization_id=_organization(client_name).pk,
                             start=today - datetime.timedelta(days=365), end=today)
    assert len(rows) >= 3
    assert all(row["hours_saved_per_month"] > 0 for row in rows)


def _snapshot() -> list[tuple[str, int, str]]:
    return [
        (model.__name__, model.objects.count(),
         hashlib.sha256(repr(list(model.objects.order_by("pk").values())).encode()).hexdigest())
        for model in SEEDED_MODELS
    ]


def test_summary_line_and_a_second_seed_changes_nothing(seeded):
    match = re.search(
        r"Improvement: (\d+) process maps \((\d+) redesigned versions\), (\d+) actions in "
        r"(\d+) statuses \((\d+) suggested\), (\d+) verified \((\d+) maps and (\d+) actions "
        r"created now\)\.", seeded,
    )
    assert match, seeded
    maps, redesigns, actions, statuses, suggested, verified = map(int, match.groups()[:6])
    assert (maps, redesigns) == (ProcessMap.objects.count(), 3)
    assert actions == ImprovementAction.objects.count()
    assert statuses == len(ActionStatus.values)
    assert suggested == 9  # per client: version 1, version 2 and the demand flow
    assert verified == ImprovementAction.objects.filter(status=ActionStatus.VERIFIED).count()
    assert (int(match.group(7)), int(match.group(8))) == (maps, actions)

    before = _snapshot()
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert _snapshot() == before
    assert "(0 maps and 0 actions created now)" in output.getvalue()
