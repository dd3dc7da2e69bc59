"""Nightly bottleneck detection: every detected bottleneck yields one suggested action."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from improvement import services, tasks
from improvement.choices import ActionSource, ActionStatus
from improvement.detection import BOTTLENECK_UTILIZATION, detect_bottlenecks, is_bottleneck
from improvement.models import ImprovementAction
from pmo_service.celery import app as celery_app
from portfolio.choices import DemandStatus as S
from portfolio.models import DemandTransition
from tests.factories import (
    DemandFactory,
    OrganizationFactory,
    ProcessMapFactory,
    ProcessStepFactory,
)

pytestmark = pytest.mark.django_db


def _map(organization, *loads: tuple[str, str], **fields):
    """A map whose steps have these (capacity, demand) per week, in order."""
    process_map = ProcessMapFactory(organization=organization, **fields)
    for position, (capacity, demand) in enumerate(loads, start=1):
        ProcessStepFactory(process_map=process_map, position=position,
                           capacity_per_week=Decimal(capacity), demand_per_week=Decimal(demand))
    return process_map


def _suggestions(**filters):
    return ImprovementAction.objects.filter(suggested=True, **filters)


def test_the_threshold_decides_what_is_a_bottleneck():
    organization = OrganizationFactory()
    assert Decimal("0.85") == BOTTLENECK_UTILIZATION
    at_line = _map(organization, ("100", "50"), ("100", "85"))
    below = _map(organization, ("100", "50"), ("100", "84"))
    no_capacity = _map(organization, ("100", "50"), ("0", "10"))
    empty = _map(organization)
    assert is_bottleneck(list(at_line.steps.all())) is True
    assert is_bottleneck(list(below.steps.all())) is False
    assert is_bottleneck(list(no_capacity.steps.all())) is True
    assert is_bottleneck(list(empty.steps.all())) is False


def test_latest_versions_over_the_line_get_one_suggestion_each_and_reruns_add_none(staff_user):
    organization = OrganizationFactory()
    overloaded = _map(organization, ("40", "30"), ("20", "30"), ("50", "30"))
    _map(organization, ("100", "30"), ("100", "40"))  # healthy: 40% at most
    redesigned = _map(organization, ("10", "30"), name="Old intake")
    services.process_map_new_version(process_map=redesigned, actor=staff_user)

    first = detect_bottlenecks()
    # The overloaded map, and the new version of the redesigned one (its steps were copied):
    # the version it replaced is history and gets nothing.
    assert (first.process_bottlenecks, first.suggestions_created) == (2, 2)
    [suggestion] = _suggestions(process_step__process_map=overloaded)
    assert suggestion.process_step.position == 2
    assert suggestion.source == ActionSource.PROCESS_STEP
    assert suggestion.status == ActionStatus.PROPOSED  # suggested, never approved
    assert suggestion.evidence["utilization"] == "1.5000"
    assert not _suggestions(process_step__process_map=redesigned).exists()

    again = detect_bottlenecks()
    assert again.suggestions_created == 0
    assert _suggestions().count() == 2


def test_a_closed_suggestion_makes_room_for_a_new_one(staff_user):
    organization = OrganizationFactory()
    _map(organization, ("20", "30"))
    detect_bottlenecks()
    [old] = _suggestions()
    services.improvement_action_transition(
        action=old, to_status=ActionStatus.DISCARDED, actor=staff_user, note="Known already."
    )
    assert detect_bottlenecks().suggestions_created == 1
    assert _suggestions(status=ActionStatus.PROPOSED).count() == 1


def _demand(organization, *moves: tuple[str, int]):
    """A demand moved through these statuses, each ``days`` ago."""
    demand = DemandFactory(organization=organization)
    now = timezone.now()
    first, *rest = moves
    DemandTransition.objects.filter(demand=demand).update(at=now - timedelta(days=first[1]))
    previous = first[0]
    for status, days in rest:
        DemandTransition.objects.create(
            demand=demand, from_status=previous, to_status=status,
            actor=demand.submitted_by, at=now - timedelta(days=days),
        )
        previous = status
    demand.status = previous
    demand.save(update_fields=["status"])


def test_each_client_flow_bottleneck_gets_a_suggestion_with_its_evidence():
    queued, quiet = OrganizationFactory(), OrganizationFactory()
    for offset in range(3):
        # Five weeks waiting for approval, a few days everywhere else.
        _demand(queued, (S.SUBMITTED, 60 + offset), (S.ASSESSED, 58 + offset),
                (S.APPROVED, 23 + offset), (S.SCHEDULED, 21 + offset))
    inactive = OrganizationFactory(is_active=False)
    _demand(inactive, (S.SUBMITTED, 30), (S.ASSESSED, 20))

    result = detect_bottlenecks()

    assert result.flow_bottlenecks == 1
    [suggestion] = _suggestions(source=ActionSource.DEMAND_FLOW)
    assert suggestion.organization == queued
    assert suggestion.demand_status == S.ASSESSED
    assert suggestion.status == ActionStatus.PROPOSED
    assert Decimal(suggestion.evidence["mean_days"]) == Decimal("35.00")
    assert not _suggestions(organization__in=[quiet, inactive]).exists()
    assert detect_bottlenecks().suggestions_created == 0


def test_the_nightly_task_runs_detection_and_is_scheduled():
    _map(OrganizationFactory(), ("20", "30"))
    assert tasks.detect_bottlenecks.apply().get() == {
        "process_bottlenecks": 1, "flow_bottlenecks": 0, "suggestions_created": 1,
    }
    schedule = celery_app.conf.beat_schedule["detect-improvement-bottlenecks"]
    assert schedule["task"] == "improvement.tasks.detect_bottlenecks"
