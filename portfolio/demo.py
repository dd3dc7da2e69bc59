"""Demo application portfolios: applications, their dependencies, objectives and demand.

Called by ``manage.py seed_demo`` after the stakeholder registers exist: owners, objective
owners and requesters are people of those registers (found by e-mail). Written through the
portfolio's services, so the demo obeys the rules real data does. Demands are submitted by
the client's own login when it may write (the read-only agency's through PMO staff), moved
along the workflow by PMO staff (withdrawn by the client), and then dated back over the past
four months: flow metrics (time in status, lead time) are computed from those timestamps, so
a demo where everything happened a second ago would show nothing.

Idempotent: rows are found by natural keys (organization + code for applications,
organization + title for objectives and demands, source + target + kind for dependencies);
what exists is left as it is, what is missing is created. The content lives in
``portfolio.demo_data``.
"""

import datetime
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from stakeholders.demo import STAFF_USERNAME
from stakeholders.models import Organization, Stakeholder, User
from stakeholders.selectors import organization_writer

from . import demo_data, services
from .choices import DemandStatus, DemandType
from .models import Application, ApplicationDependency, Demand, DemandTransition, Objective


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    """Create the demo clients' portfolios, objectives and demand where they are missing."""
    created = {"applications": 0, "dependencies": 0, "objectives": 0, "demands": 0}
    staff = User.objects.filter(username=STAFF_USERNAME, is_staff=True).first()
    if staff is not None:  # without seed_demo's logins nobody could assess or override
        today = timezone.localdate()
        organizations = Organization.objects.filter(name__in=demo_data.PORTFOLIOS)
        for organization in organizations.order_by("name"):
            portfolio = demo_data.PORTFOLIOS[organization.name]
            people = {
                stakeholder.email.lower(): stakeholder
                for stakeholder in Stakeholder.objects.filter(organization=organization)
                .exclude(email="")
            }
            applications = _seed_applications(
                organization, portfolio["applications"], people, staff, today, created
            )
            _seed_dependencies(portfolio["dependencies"], applications, staff, created)
            objectives = _seed_objectives(
                organization, portfolio["objectives"], applications, people, staff, today,
                created,
            )
            _seed_demands(
                organization, portfolio["demands"] + _queue_demands(organization.name),
                applications, objectives, people, staff, today, created,
            )
    clients = Organization.objects.filter(applications__isnull=False).distinct().count()
    stdout.write(
        f"Portfolio: {Application.objects.count()} applications, "
        f"{ApplicationDependency.objects.count()} dependencies, "
        f"{Objective.objects.count()} objectives, {Demand.objects.count()} demands across "
        f"{clients} clients ({created['applications']}, {created['dependencies']}, "
        f"{created['objectives']} and {created['demands']} created now)."
    )


# Small changes that waited weeks for the approval committee (days ago of each move along
# submitted -> assessed -> approved -> scheduled -> in progress -> delivered; a shorter
# tuple stops in its last status). Added to every demo client so that, over the last 90
# days, the flow of demand clearly waits longest in "assessed": the demand-flow bottleneck
# the improvement demo detects (``improvement.demo``).
QUEUE_DEMANDS = [
    ("Update the citizen notice templates", (84, 82, 34, 31, 27, 20)),
    ("Add a payment reference to receipts", (80, 77, 30, 28, 22, 15)),
    ("Accessibility fixes on the request forms", (75, 73, 25, 22, 18, 10)),
    ("Export monthly figures to the open data site", (70, 67, 20, 17, 12, 6)),
    ("Single sign-on for the back-office tools", (66, 63, 16, 13, 9, 3)),
    ("Retire the fax intake channel", (62, 60, 14, 11, 7, 2)),
    ("Translate the service catalogue", (45, 42)),
]
# Per client: the application the queued changes touch and who requests them.
QUEUE_OWNERS = {
    "City Council of Riverton": ("CIT-PORTAL", "elena.prieto@riverton.example"),
    "Eastmoor Regional Health Service": ("APPT", "lucia.ferrer@eastmoor-health.example"),
    "National Agency for Digital Government": ("CL-FOLDER", "diego.rivas@digital-agency.example"),
}
QUEUE_FLOW = [
    DemandStatus.SUBMITTED, DemandStatus.ASSESSED, DemandStatus.APPROVED,
    DemandStatus.SCHEDULED, DemandStatus.IN_PROGRESS, DemandStatus.DELIVERED,
]


def _queue_demands(organization_name: str) -> list[dict]:
    """The queue sample demands of a client, in the shape of ``demo_data``'s demands."""
    if organization_name not in QUEUE_OWNERS:
        return []
    application, requester = QUEUE_OWNERS[organization_name]
    return [
        {"title": title,
         "description": "A small change to the service; it waited for the approval committee "
                        "like the others of its kind.",
         "type": DemandType.EVOLUTION, "applications": [application], "objectives": [],
         "requester": requester, "scores": (5, 3, 2, 2), "target": None,
         "steps": [(status, days, "") for status, days in zip(QUEUE_FLOW, days_ago,
                                                               strict=False)]}
        for title, days_ago in QUEUE_DEMANDS
    ]


def _days_from(today: datetime.date, days: int | None) -> datetime.date | None:
    return None if days is None else today + datetime.timedelta(days=days)


def _seed_applications(
    organization: Organization,
    specs: list[dict],
    people: dict[str, Stakeholder],
    staff: User,
    today: datetime.date,
    created: dict[str, int],
) -> dict[str, Application]:
    """Add the missing applications (with staff's TIME overrides); return all by code."""
    applications = {
        application.code.upper(): application
        for application in Application.objects.filter(organization=organization)
    }
    for spec in specs:
        if spec["code"].upper() in applications:
            continue
        functional_fit, technical_fit = spec["fit"] or (None, None)
        cost = spec["annual_run_cost"]
        application = services.application_create(
            actor=staff, organization=organization, technologies=spec["technologies"],
            code=spec["code"], name=spec["name"], description=spec["description"],
            business_owner=people.get(spec["business_owner"]),
            technical_owner=people.get(spec["technical_owner"]),
            lifecycle=spec["lifecycle"], criticality=spec["criticality"],
            functional_fit=functional_fit, technical_fit=technical_fit,
            annual_run_cost=Decimal(cost) if cost is not None else None,
            user_count=spec["user_count"], hosting=spec["hosting"], vendor=spec["vendor"],
            contract_end=_days_from(today, spec["contract_end"]),
        )
        if "override" in spec:
            time_class, rationale = spec["override"]
            application = services.application_set_time_override(
                application=application, actor=staff, time_class=time_class,
                rationale=rationale,
            )
        applications[spec["code"].upper()] = application
        created["applications"] += 1
    return applications


def _seed_dependencies(
    specs: list[tuple],
    applications: dict[str, Application],
    staff: User,
    created: dict[str, int],
) -> None:
    """Add the missing dependencies between the organization's applications."""
    recorded = set(
        ApplicationDependency.objects.filter(
            source__in=applications.values()
        ).values_list("source_id", "target_id", "kind")
    )
    for source_code, target_code, kind, description in specs:
        source = applications.get(source_code)
        target = applications.get(target_code)
        if source is None or target is None or (source.pk, target.pk, kind) in recorded:
            continue
        services.dependency_create(
            actor=staff, source=source, target=target, kind=kind, description=description
        )
        created["dependencies"] += 1


def _seed_objectives(
    organization: Organization,
    specs: list[dict],
    applications: dict[str, Application],
    people: dict[str, Stakeholder],
    staff: User,
    today: datetime.date,
    created: dict[str, int],
) -> dict[str, Objective]:
    """Add the missing objectives with the applications serving them; return all by title."""
    objectives = {
        objective.title: objective
        for objective in Objective.objects.filter(organization=organization)
    }
    for spec in specs:
        if spec["title"] in objectives:
            continue
        first_year, last_year = spec["years"]
        objectives[spec["title"]] = services.objective_create(
            actor=staff, organization=organization,
            applications=[applications[code] for code in spec["applications"]
                          if code in applications],
            title=spec["title"], description=spec["description"],
            period_start=datetime.date(today.year + first_year, 1, 1),
            period_end=datetime.date(today.year + last_year, 12, 31),
            owner=people.get(spec["owner"]), status=spec["status"],
        )
        created["objectives"] += 1
    return objectives


def _seed_demands(
    organization: Organization,
    specs: list[dict],
    applications: dict[str, Application],
    objectives: dict[str, Objective],
    people: dict[str, Stakeholder],
    staff: User,
    today: datetime.date,
    created: dict[str, int],
) -> None:
    """Submit the missing demands, walk each through its workflow, then date it back."""
    existing = set(
        Demand.objects.filter(organization=organization).values_list("title", flat=True)
    )
    client = organization_writer(organization=organization) or staff
    for spec in specs:
        targeted = [applications[code] for code in spec["applications"] if code in applications]
        if spec["title"] in existing or not targeted:
            continue
        business_value, urgency, risk_reduction, effort = spec["scores"]
        demand = services.demand_submit(
            actor=client, organization=organization, title=spec["title"],
            description=spec["description"], demand_type=spec["type"], applications=targeted,
            objectives=[objectives[title] for title in spec["objectives"] if title in objectives],
            requester=people.get(spec["requester"]), business_value=business_value,
            urgency=urgency, risk_reduction=risk_reduction, effort=effort,
            target_date=_days_from(today, spec["target"]),
        )
        for status, _, note in spec["steps"][1:]:
            # Clients may only withdraw their demands; PMO staff make every other move.
            actor = client if status == DemandStatus.WITHDRAWN else staff
            demand = services.demand_transition(
                demand=demand, actor=actor, to_status=status, note=note
            )
        _date_back(demand, spec["steps"], today)
        created["demands"] += 1


def _moment(today: datetime.date, days_ago: int, step: int) -> datetime.datetime:
    """A time during office hours ``days_ago`` days back; the hour varies with the step."""
    day = today - datetime.timedelta(days=days_ago)
    hour = 9 + (step * 3) % 8
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))


def _date_back(demand: Demand, steps: list[tuple], today: datetime.date) -> None:
    """Move the demand's transitions, timestamps and audit history to the planned dates.

    The services stamped everything "now"; the steps' days (strictly decreasing) give each
    transition its own day, so times in status and lead times come out as planned.
    """
    moments = [_moment(today, days_ago, step) for step, (_, days_ago, _) in enumerate(steps)]
    transitions = demand.transitions.order_by("at", "pk").values_list("pk", flat=True)
    for transition_id, moment in zip(transitions, moments, strict=True):
        DemandTransition.objects.filter(pk=transition_id).update(at=moment)
    Demand.objects.filter(pk=demand.pk).update(created_at=moments[0], updated_at=moments[-1])
    for (status, _, _), moment in zip(steps, moments, strict=True):
        demand.history.filter(status=status).update(history_date=moment)
