"""Demo continuous improvement: process maps and their redesigns, a demand queue, actions.

Called by ``manage.py seed_demo`` after the portfolio and engagements demo data exist. For
each demo client (``improvement.demo_data``):

- a process map whose version 1 has a clear bottleneck and a version 2 that replaces it
  (shorter waits, the constraint's capacity raised), written through the services;
- (the portfolio demo's demand history, ``portfolio.demo.QUEUE_DEMANDS``, makes demand
  wait longest in "assessed" over the last 90 days: the flow's bottleneck, detected here);
- improvement actions in every status, dated over the past months: the one suggested for
  version 1's constraint was carried through to verified, the constraint of version 2 and
  the demand flow's bottleneck have fresh suggestions to approve.

Services stamp everything "now"; like the portfolio demo, the moves are then dated back with
plain updates (transitions, creation and verification times, audit history), because the
benefit charts are made of those timestamps.

Idempotent: maps are found by organization, name and version, actions by organization and
title, suggestions by what they point at; what exists is left as it is.
"""

import datetime
from collections import Counter
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from catalog.models import Service
from engagements.models import Engagement
from stakeholders.demo import STAFF_USERNAME
from stakeholders.models import Organization, Stakeholder, User
from stakeholders.selectors import organization_writer

from . import demo_data, services
from .choices import ActionStatus
from .flow import demand_flow
from .models import ImprovementAction, ImprovementActionTransition, ProcessMap


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    """Create the demo clients' process maps, demand queue and improvement actions where they
    are missing, and print a summary line."""
    created: Counter[str] = Counter()
    staff = User.objects.filter(username=STAFF_USERNAME, is_staff=True).first()
    if staff is not None:
        today = timezone.localdate()
        organizations = Organization.objects.filter(name__in=demo_data.CLIENTS)
        for organization in organizations.order_by("name"):
            spec = demo_data.CLIENTS[organization.name]
            author = organization_writer(organization=organization) or staff
            before, after = _seed_maps(organization, spec["map"], author, today, created)
            _seed_actions(organization, spec["actions"], before, author, staff, today, created)
            _seed_suggestions(organization, after, created)
    maps = ProcessMap.objects.count()
    redesigns = ProcessMap.objects.filter(replaces__isnull=False).count()
    statuses = ImprovementAction.objects.values("status").distinct().count()
    stdout.write(
        f"Improvement: {maps} process maps ({redesigns} redesigned versions), "
        f"{ImprovementAction.objects.count()} actions in {statuses} statuses "
        f"({ImprovementAction.objects.filter(suggested=True).count()} suggested), "
        f"{ImprovementAction.objects.filter(status=ActionStatus.VERIFIED).count()} verified "
        f"({created['maps']} maps and {created['actions']} actions created now)."
    )


def _moment(today: datetime.date, days_ago: int, step: int = 0) -> datetime.datetime:
    """A time during office hours ``days_ago`` days back; later steps of a day come later."""
    day = today - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + step % 8, 15)))


# --- Process maps ---


def _seed_maps(
    organization: Organization, spec: dict[str, Any], author: User, today: datetime.date,
    created: Counter[str],
) -> tuple[ProcessMap, ProcessMap]:
    """Version 1 (the bottleneck) and version 2 (the redesign that replaces it)."""
    versions = {
        process_map.version: process_map
        for process_map in ProcessMap.objects.filter(organization=organization,
                                                     name__iexact=spec["name"])
    }
    before = versions.get(1)
    if before is None:
        links = {
            "owner": Stakeholder.objects.filter(organization=organization,
                                                email__iexact=spec["owner"]).first(),
            "engagement": Engagement.objects.filter(organization=organization,
                                                    title=spec["engagement"]).first(),
            "service": Service.objects.filter(slug=spec["service"]).first(),
        }
        before = services.process_map_create(
            actor=author, organization=organization, name=spec["name"],
            description=spec["description"], steps=spec["steps"], **links,
        )
        _date_map(before, _moment(today, 180))
        created["maps"] += 1
    after = versions.get(2)
    if after is None:
        after = services.process_map_new_version(process_map=before, actor=author)
        services.process_map_replace_steps(process_map=after, actor=author,
                                           steps=spec["redesign"])
        _date_map(after, _moment(today, 110))
        created["maps"] += 1
    return before, after


def _date_map(process_map: ProcessMap, moment: datetime.datetime) -> None:
    ProcessMap.objects.filter(pk=process_map.pk).update(created_at=moment, updated_at=moment)
    process_map.history.update(history_date=moment)


# --- Improvement actions ---


def _seed_actions(
    organization: Organization, specs: list[dict[str, Any]], before: ProcessMap,
    author: User, staff: User, today: datetime.date, created: Counter[str],
) -> None:
    existing = set(
        ImprovementAction.objects.filter(organization=organization)
        .values_list("title", flat=True)
    )
    for spec in specs:
        if spec["title"] in existing:
            continue
        fields = {
            "title": spec["title"], "problem": spec["problem"], "proposal": spec["proposal"],
            "owner": staff, "business_value": spec["business_value"],
            "time_criticality": spec["time_criticality"],
            "risk_reduction": spec["risk_reduction"], "job_size": spec["job_size"],
            "pdca_phase": spec["pdca_phase"],
            "target_date": today - datetime.timedelta(days=spec["created"] - spec["target"]),
            "expected_hours_saved_per_month": spec["expected_hours"],
        }
        if spec["from"] == "process":
            # Detection proposed it from version 1's constraint; a person then planned it.
            suggestion = services.suggest_actions_for_process_map(process_map=before)[0]
            action = services.improvement_action_update(
                action=suggestion, actor=staff, problem=f"{suggestion.problem}\n\n"
                f"{spec['problem']}", **{k: v for k, v in fields.items() if k != "problem"},
            )
        else:
            action = services.improvement_action_create(
                actor=author, organization=organization, source=spec["source"], **fields
            )
        _walk(action, spec, staff, today)
        created["actions"] += 1


def _walk(action: ImprovementAction, spec: dict[str, Any], staff: User,
          today: datetime.date) -> None:
    """Move the action along its path, then date the moves back to the planned days."""
    moments = [_moment(today, spec["created"])]
    for step, (status, days_ago, note, *measured) in enumerate(spec["path"], start=1):
        hours = demo_data.D(measured[0]) if measured else None
        action = services.improvement_action_transition(
            action=action, to_status=status, actor=staff, note=note,
            measured_hours_saved_per_month=hours,
        )
        moments.append(_moment(today, days_ago, step))
    transitions = action.transitions.order_by("at", "pk").values_list("pk", flat=True)
    for transition_id, moment in zip(transitions, moments[1:], strict=True):
        ImprovementActionTransition.objects.filter(pk=transition_id).update(at=moment)
    dates = {"created_at": moments[0], "updated_at": moments[-1]}
    if action.status == ActionStatus.VERIFIED:
        dates["verified_at"] = moments[-1]
    ImprovementAction.objects.filter(pk=action.pk).update(**dates)
    statuses = [ActionStatus.PROPOSED, *(status for status, *_ in spec["path"])]
    for status, moment in zip(statuses, moments, strict=True):
        action.history.filter(status=status).update(history_date=moment)


def _seed_suggestions(
    organization: Organization, after: ProcessMap, created: Counter[str]
) -> None:
    """Fresh suggestions for the redesign's constraint and the demand flow's bottleneck,
    made once: if they were approved since, a new run does not suggest them again."""
    suggested = ImprovementAction.objects.filter(organization=organization, suggested=True)
    if not suggested.filter(process_step__process_map=after).exists():
        created["actions"] += len(services.suggest_actions_for_process_map(process_map=after))
    today = timezone.localdate()
    flow = demand_flow(
        organization_id=organization.pk,
        start=today - datetime.timedelta(days=demo_data.FLOW_PERIOD_DAYS - 1), end=today,
    )
    if flow.bottleneck is None:
        return
    if not suggested.filter(demand_status=flow.bottleneck.status).exists():
        bottleneck = flow.as_dict()["bottleneck"]
        services.suggest_action_for_demand_status(
            organization=organization, status=flow.bottleneck.status,
            evidence={**bottleneck, "period_start": flow.start.isoformat(),
                      "period_end": flow.end.isoformat()},
        )
        created["actions"] += 1
