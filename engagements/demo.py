"""Demo bench, client cultures and engagements: the seeds' story, ready to explore.

Called by ``manage.py seed_demo`` after the catalog (skills, roles, certifications, services
and the accepted service request) and the portfolios exist; sponsors and Product Owners are
people of the stakeholder registers (found by e-mail). Written through the engagements
services acting as the PMO staff login (a client's own culture questionnaire through its own
login), so the demo obeys the rules real data does: no one over capacity, the workflow's
moves, outcomes only once closing. Engagements are then dated back along their planned
dates: the services stamped every move "now".

The story: Elena Navarro, a principal project manager, delivered brilliantly at a
hierarchy-type client (Valdemora Provincial Treasury) and struggled at an adhocracy-type one
(Costa Norte Innovation Agency). Two twin staffing needs are open, one at the City Council
of Riverton (hierarchy-type) and one at the National Agency for Digital Government
(adhocracy-type): she ranks first for the first and lower for the second.

Idempotent: rows are found by natural keys (e-mail for consultants, name for organizations,
organization + title for engagements); an organization that already has a culture
assessment gets none added; what exists is left as it is, what is missing is created. The
content lives in ``engagements.demo_data``. The engagements in progress then get months of
delivery history and the metrics it produces (``engagements.demo_delivery``).
"""

import datetime
from collections import Counter
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from catalog.choices import RequestStatus
from catalog.models import Certification, Role, Service, ServiceRequest, Skill
from portfolio.models import Application
from stakeholders.choices import OrganizationKind
from stakeholders.demo import STAFF_USERNAME
from stakeholders.models import Organization, Stakeholder, User
from stakeholders.selectors import organization_writer

from . import demo_data, demo_delivery, services
from .choices import EngagementStatus
from .models import (
    Consultant,
    CultureAssessment,
    Engagement,
    EngagementOutcome,
    EngagementTransition,
)

S = EngagementStatus
# The moves from proposed to each final status; staffing happens once the path reaches
# staffing (or before moving at all, for proposed and cancelled engagements).
PATHS = {
    S.PROPOSED: [], S.STAFFING: [S.STAFFING], S.ACTIVE: [S.STAFFING, S.ACTIVE],
    S.CLOSING: [S.STAFFING, S.ACTIVE, S.CLOSING],
    S.CLOSED: [S.STAFFING, S.ACTIVE, S.CLOSING, S.CLOSED], S.CANCELLED: [S.CANCELLED],
}


class _Catalog:
    """The catalog rows the demo names, by slug or code (missing ones are skipped)."""

    def __init__(self) -> None:
        self.skills = {skill.slug: skill for skill in Skill.objects.all()}
        self.roles = {role.slug: role for role in Role.objects.all()}
        self.certifications = {c.code.upper(): c for c in Certification.objects.all()}
        self.services = {service.slug: service for service in Service.objects.all()}

    def skill_levels(self, levels: dict[str, int]) -> dict[Skill, int]:
        return {self.skills[slug]: level for slug, level in levels.items() if slug in self.skills}


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    """Create the demo bench, cultures and engagements where they are missing."""
    created: Counter[str] = Counter()
    staff = User.objects.filter(username=STAFF_USERNAME, is_staff=True).first()
    catalog = _Catalog()
    ready = staff is not None and bool(catalog.roles) and bool(catalog.skills)
    if ready:  # the bench speaks the catalog's taxonomy; without it there is nothing to say
        today = timezone.localdate()
        bench = _seed_bench(staff, catalog, today, created)
        organizations, created_now = _seed_past_clients(created)
        organizations.update({
            organization.name: organization for organization in Organization.objects.filter(
                kind=OrganizationKind.CLIENT, name__in=demo_data.CULTURES
            )
        })
        _seed_cultures(staff, organizations, today, created)
        for spec in demo_data.ENGAGEMENTS:
            organization = organizations.get(spec["organization"])
            if organization is not None and _seed_engagement(
                spec, organization, bench, catalog, staff, today
            ):
                created["engagements"] += 1
        # Former clients are served no more: closed only now that their history exists.
        for organization in created_now:
            organization.is_active = False
            organization.save(update_fields=["is_active", "updated_at"])
        created["delivery rows"] = demo_delivery.seed_delivery(staff=staff, today=today)
    statuses = len(set(Engagement.objects.values_list("status", flat=True)))
    stdout.write(
        f"Engagements: {Consultant.objects.count()} consultants, "
        f"{CultureAssessment.objects.count()} culture assessments, "
        f"{Engagement.objects.count()} engagements in {statuses} statuses, "
        f"{EngagementOutcome.objects.count()} outcomes ({created['consultants']}, "
        f"{created['assessments']} and {created['engagements']} created now)."
        + ("" if ready else " The catalog's demo taxonomy is missing: run seed_demo with it.")
    )
    counts = demo_delivery.delivery_counts()
    stdout.write(
        "Delivery: " + ", ".join(f"{count} {kind}" for kind, count in counts.items())
        + f" ({created['delivery rows']} rows created now)."
    )


# --- The bench -------------------------------------------------------------------------------


def _seed_bench(
    staff: User, catalog: _Catalog, today: datetime.date, created: Counter
) -> dict[str, Consultant]:
    """Add the missing consultants with their rate history; return all of them by key."""
    emails = {
        f"{spec['key']}@{demo_data.PROVIDER_DOMAIN}": spec for spec in demo_data.bench()
    }
    existing = {
        consultant.email.lower(): consultant
        for consultant in Consultant.objects.filter(
            email__iendswith=f"@{demo_data.PROVIDER_DOMAIN}"
        )
    }
    bench = {}
    for email, spec in emails.items():
        consultant = existing.get(email)
        if consultant is None:
            consultant = services.consultant_create(
                actor=staff, full_name=spec["full_name"], seniority=spec["seniority"],
                skills=catalog.skill_levels(spec["skills"]), languages=spec["languages"],
                sectors=spec["sectors"],
                certifications=[catalog.certifications[code.upper()]
                                for code in spec["certifications"]
                                if code.upper() in catalog.certifications],
                email=email, headline=spec["headline"], location=spec["location"],
                remote_mode=spec["remote_mode"], capacity_percent=spec["capacity_percent"],
                notes=spec.get("notes", ""),
                **{f"style_{kind}": points
                   for kind, points in zip(("clan", "adhocracy", "market", "hierarchy"),
                                           spec["style"], strict=True)},
            )
            for years_back, month, amount in spec["rates"]:
                services.day_rate_set(
                    consultant=consultant, actor=staff, amount=Decimal(amount),
                    valid_from=datetime.date(today.year - years_back, month, 1),
                )
            created["consultants"] += 1
        bench[spec["key"]] = consultant
    return bench


# --- Organizations and their culture --------------------------------------------------------


def _seed_past_clients(created: Counter) -> tuple[dict[str, Organization], list[Organization]]:
    """The former clients (by name, any case); those created now that are no longer served
    are returned apart, to be closed once their engagements exist."""
    organizations, closing = {}, []
    for spec in demo_data.PAST_CLIENTS:
        fields = dict(spec)
        is_active = fields.pop("is_active")
        organization = Organization.objects.filter(name__iexact=fields["name"]).first()
        if organization is None:
            organization = Organization.objects.create(
                **fields, kind=OrganizationKind.CLIENT, country="ES", is_active=True
            )
            created["organizations"] += 1
            if not is_active:
                closing.append(organization)
        organizations[spec["name"]] = organization
    return organizations, closing


def _seed_cultures(
    staff: User, organizations: dict[str, Organization], today: datetime.date, created: Counter
) -> None:
    """Each organization's assessments, oldest first, unless it has been assessed already."""
    assessed = set(
        CultureAssessment.objects.filter(organization__in=organizations.values())
        .values_list("organization_id", flat=True)
    )
    for name, assessments in demo_data.CULTURES.items():
        organization = organizations.get(name)
        if organization is None or organization.pk in assessed:
            continue
        for spec in assessments:
            by_client = spec["by"] == "client"
            actor = (organization_writer(organization=organization) if by_client else None)
            actor = actor or staff
            answers = spec.get("answers")
            services.culture_assessment_record(
                organization=organization, actor=actor,
                assessed_on=today - datetime.timedelta(days=spec["days"]),
                current=None if answers else spec["current"],
                preferred=None if answers else spec["preferred"],
                answers=None if answers is None else [
                    {"question": question, "preferred": preferred, "points": points}
                    for (question, preferred), points in answers.items()
                ],
                respondents=spec["respondents"], note=spec["note"],
            )
            created["assessments"] += 1


# --- Engagements -----------------------------------------------------------------------------


def _seed_engagement(
    spec: dict,
    organization: Organization,
    bench: dict[str, Consultant],
    catalog: _Catalog,
    staff: User,
    today: datetime.date,
) -> bool:
    """Create one engagement with its team, needs, workflow and outcome, unless it exists
    (or its client is no longer served). Return whether it was created."""
    if not organization.is_active or Engagement.objects.filter(
        organization=organization, title=spec["title"]
    ).exists():
        return False
    engagement = _create(spec, organization, bench, catalog, staff, today)
    path = PATHS[spec["status"]]
    if path[:1] == [S.STAFFING]:
        engagement = services.engagement_transition(
            engagement=engagement, actor=staff, to_status=S.STAFFING
        )
    _staff(engagement, spec, bench, catalog, staff)
    for status in path:
        if status == S.STAFFING:
            continue
        if status == S.CLOSED and "outcome" in spec:
            _record_outcome(engagement, spec["outcome"], bench, staff)
        engagement = services.engagement_transition(
            engagement=engagement, actor=staff, to_status=status,
            note=spec.get("cancel_reason", "") if status == S.CANCELLED else "",
        )
    _date_back(engagement, today)
    return True


def _create(
    spec: dict,
    organization: Organization,
    bench: dict[str, Consultant],
    catalog: _Catalog,
    staff: User,
    today: datetime.date,
) -> Engagement:
    """The engagement in status proposed: from the catalog demo's accepted request when it
    is there and unused, directly otherwise."""
    people = {
        stakeholder.email.lower(): stakeholder
        for stakeholder in Stakeholder.objects.filter(organization=organization).exclude(email="")
    }
    details = {
        "description": spec["description"],
        "applications": list(Application.objects.filter(
            organization=organization, code__in=spec.get("applications", [])
        )),
        "sponsor": people.get(spec.get("sponsor")),
        "product_owner": people.get(spec.get("product_owner")),
        "scrum_master": bench.get(spec.get("scrum_master")),
    }
    request = ServiceRequest.objects.filter(
        organization=organization, service__slug=spec.get("from_request", ""),
        status=RequestStatus.ACCEPTED, engagement__isnull=True,
    ).order_by("pk").first()
    if request is not None:
        engagement = services.engagement_create_from_request(
            service_request=request, actor=staff, title=spec["title"],
            planned_end=request.desired_start + datetime.timedelta(
                days=spec["end"] - spec["start"]
            ),
            budget_at_completion=Decimal(spec["budget"]),
        )
        return services.engagement_update(engagement=engagement, actor=staff, **details)
    return services.engagement_create(
        actor=staff, organization=organization, title=spec["title"],
        planned_start=today + datetime.timedelta(days=spec["start"]),
        planned_end=today + datetime.timedelta(days=spec["end"]),
        services=[catalog.services[slug] for slug in spec["services"]
                  if slug in catalog.services],
        budget_at_completion=Decimal(spec["budget"]), typology=spec["typology"], **details,
    )


def _staff(
    engagement: Engagement,
    spec: dict,
    bench: dict[str, Consultant],
    catalog: _Catalog,
    staff: User,
) -> None:
    """The team over the whole planned window, then the needs: filled from the matching
    screen's one-click action, cancelled, or left open."""
    window = {"start_on": engagement.planned_start, "end_on": engagement.planned_end}
    for key, role, allocation in spec.get("team", []):
        if key in bench and role in catalog.roles:
            services.assignment_create(
                actor=staff, engagement=engagement, consultant=bench[key],
                role=catalog.roles[role], allocation_percent=allocation, **window,
            )
    for need_spec in spec.get("needs", []):
        if need_spec["role"] not in catalog.roles:
            continue
        need = services.staffing_need_create(
            engagement=engagement, actor=staff, role=catalog.roles[need_spec["role"]],
            seniority=need_spec["seniority"], allocation_percent=need_spec["allocation"],
            language=need_spec["language"], skills=catalog.skill_levels(need_spec["skills"]),
            note=need_spec["note"], **window,
        )
        if need_spec["filled_by"] in bench:
            services.assign_from_match(
                need=need, consultant=bench[need_spec["filled_by"]], actor=staff
            )
        elif need_spec.get("cancelled"):
            services.staffing_need_cancel(need=need, actor=staff)


def _record_outcome(
    engagement: Engagement, spec: dict, bench: dict[str, Consultant], staff: User
) -> None:
    services.outcome_record(
        engagement=engagement, actor=staff, client_satisfaction=spec["satisfaction"],
        on_time=spec["on_time"], final_cpi=Decimal(spec["cpi"]),
        final_spi=Decimal(spec["spi"]), note=spec["note"],
        ratings=[
            {"consultant": bench[key], "values_match": match, "values_fit": fit,
             "culture_fit": culture, "comment": comment}
            for key, (match, fit, culture, comment) in spec["ratings"].items() if key in bench
        ],
    )


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 15)))


def _date_back(engagement: Engagement, today: datetime.date) -> None:
    """Move the workflow's timestamps to the planned dates.

    Proposed two months before the start, staffing one month before, active at the start,
    closing two weeks before the end and closed two weeks after it (cancelled: when it was
    due to be staffed); nothing in the future, and never out of order.
    """
    start, end = engagement.planned_start, engagement.planned_end
    planned = {
        S.PROPOSED: start - datetime.timedelta(days=60),
        S.STAFFING: start - datetime.timedelta(days=30), S.ACTIVE: start,
        S.CLOSING: end - datetime.timedelta(days=14), S.CLOSED: end + datetime.timedelta(days=14),
        S.CANCELLED: start - datetime.timedelta(days=30),
    }
    transitions = list(engagement.transitions.order_by("at", "pk"))
    days, latest = [], None
    for position, transition in enumerate(transitions):
        steps_left = len(transitions) - 1 - position
        day = min(planned[transition.to_status], today - datetime.timedelta(days=7 * steps_left))
        latest = day if latest is None else max(day, latest)
        days.append(latest)
    for position, (transition, day) in enumerate(zip(transitions, days, strict=True)):
        EngagementTransition.objects.filter(pk=transition.pk).update(at=_moment(day, 9 + position))
        engagement.history.filter(status=transition.to_status).update(
            history_date=_moment(day, 9 + position)
        )
    Engagement.objects.filter(pk=engagement.pk).update(
        created_at=_moment(days[0], 9), updated_at=_moment(days[-1], 9 + len(days) - 1)
    )
    if transitions[-1].to_status == S.CLOSED:
        EngagementOutcome.objects.filter(engagement=engagement).update(
            recorded_at=_moment(days[-1], 8)
        )

