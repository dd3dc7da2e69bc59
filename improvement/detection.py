"""Bottleneck detection: every bottleneck found yields a suggested improvement action.

Run nightly by ``improvement.tasks.detect_bottlenecks`` (and on demand from the pages, the
API and the admin, which call the same ``services.suggest_*`` functions for one map or one
flow). What counts as *detected*:

- a process map's constraint step, on the **latest version** of each map (an older version
  is history), when its utilization is at or above ``BOTTLENECK_UTILIZATION`` or it has
  demand and no capacity. Every map has a most-loaded step; below this load it is not yet a
  bottleneck worth an action (queues grow sharply as utilization nears 100%, Kingman's
  formula; 85% is the usual warning line);
- the status where each client organization's demand waits longest over the last
  ``FLOW_WINDOW_DAYS`` days (``improvement.flow.demand_flow``).

Suggestions are proposals, never approved; the services keep at most one open suggestion per
step and per demand status, so running detection again creates nothing new.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization

from . import services
from .analysis import analyse_process
from .flow import demand_flow
from .models import ImprovementAction, ProcessMap, ProcessStep

BOTTLENECK_UTILIZATION = Decimal("0.85")
FLOW_WINDOW_DAYS = 90


@dataclass(frozen=True)
class DetectionResult:
    """How many bottlenecks were found and how many of them got a new suggestion now."""

    process_bottlenecks: int
    flow_bottlenecks: int
    suggestions_created: int


def is_bottleneck(process_map_steps: list[ProcessStep]) -> bool:
    """Whether the constraint of these steps is loaded enough to call for an action."""
    constraint = analyse_process(process_map_steps).constraint
    if constraint is None:
        return False
    if constraint.has_no_capacity:
        return True
    utilization = constraint.utilization.value
    return utilization is not None and utilization >= BOTTLENECK_UTILIZATION


def _latest_maps():
    """Latest versions (none replaces them), with their steps in order: two queries."""
    newer = ProcessMap.objects.filter(replaces=OuterRef("pk"))
    return (
        ProcessMap.objects.filter(~Exists(newer))
        .select_related("organization", "engagement")
        .prefetch_related(Prefetch("steps", ProcessStep.objects.order_by("position")))
        .order_by("pk")
    )


def detect_bottlenecks(*, today: datetime.date | None = None) -> DetectionResult:
    """Suggest an action for every detected bottleneck that has no open suggestion yet."""
    today = today or timezone.localdate()
    suggested = ImprovementAction.objects.filter(suggested=True)
    before = suggested.count()
    process_found = 0
    for process_map in _latest_maps():
        if not is_bottleneck(list(process_map.steps.all())):
            continue
        process_found += 1
        services.suggest_actions_for_process_map(process_map=process_map)

    flow_found = 0
    start = today - datetime.timedelta(days=FLOW_WINDOW_DAYS - 1)
    clients = Organization.objects.filter(
        kind=OrganizationKind.CLIENT, is_active=True
    ).order_by("pk")
    for organization in clients:
        flow = demand_flow(organization_id=organization.pk, start=start, end=today)
        if flow.bottleneck is None:
            continue
        flow_found += 1
        bottleneck = flow.as_dict()["bottleneck"]
        services.suggest_action_for_demand_status(
            organization=organization, status=bottleneck["status"],
            evidence={"period_start": start.isoformat(), "period_end": today.isoformat(),
                      **bottleneck},
        )
    return DetectionResult(process_found, flow_found, suggested.count() - before)
