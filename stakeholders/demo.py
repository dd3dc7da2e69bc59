"""Demo stakeholder registers: people with their engagement history, communication plans with
their log, and risk registers, one set per demo client.

Called first by ``manage.py seed_demo``, right after it has created the demo organizations
and logins, so the other apps' demo data (the portfolio's owners and requesters) can name
these people. Written through the register's services, acting as the PMO staff login, so the
demo obeys the rules real data does: the register's current and desired engagement follow the
latest assessment, and a plan's next due date follows its log.

Idempotent: rows are found by natural keys (organization + e-mail for people, organization +
purpose for plans, organization + title for risks); what exists is left as it is (staff may
have edited it), what is missing is created with its history. The content lives in
``stakeholders.demo_data``; its dates count back from the day of seeding.
"""

import datetime
from collections.abc import Iterable
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from . import demo_data, services
from .models import CommunicationPlan, Organization, Risk, Stakeholder, User

STAFF_USERNAME = "pmo.staff"  # the PMO staff login seed_demo creates; it owns the relationships


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    """Create the demo clients' registers, plans and risks where they are missing."""
    created = {"people": 0, "plans": 0, "risks": 0}
    staff = User.objects.filter(username=STAFF_USERNAME, is_staff=True).first()
    if staff is not None:  # without seed_demo's logins there is nobody to own the records
        today = timezone.localdate()
        organizations = Organization.objects.filter(name__in=demo_data.REGISTERS)
        for organization in organizations.order_by("name"):
            register = demo_data.REGISTERS[organization.name]
            people, created_people = _seed_people(
                organization, register["people"], staff=staff, today=today
            )
            created["people"] += created_people
            created["plans"] += _seed_plans(
                organization, register["plans"], people, staff=staff, today=today
            )
            created["risks"] += _seed_risks(
                organization, register["risks"], people, staff=staff, today=today
            )
    clients = Organization.objects.filter(stakeholders__isnull=False).distinct().count()
    stdout.write(
        f"Stakeholders: {Stakeholder.objects.count()} people, "
        f"{CommunicationPlan.objects.count()} communication plans, {Risk.objects.count()} "
        f"risks across {clients} clients ({created['people']}, {created['plans']} and "
        f"{created['risks']} created now)."
    )


def _days_ago(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days)


def _named(people: dict[str, Stakeholder], emails: Iterable[str]) -> list[Stakeholder]:
    """The register's people with these e-mails; anyone removed from the register is skipped."""
    return [people[email] for email in emails if email in people]


def _seed_people(
    organization: Organization, specs: list[tuple], *, staff: User, today: datetime.date
) -> tuple[dict[str, Stakeholder], int]:
    """Add the missing people with their dated assessments; return everyone by e-mail."""
    people = {
        stakeholder.email.lower(): stakeholder
        for stakeholder in Stakeholder.objects.filter(organization=organization).exclude(email="")
    }
    created = 0
    for spec in specs:
        email, full_name, title, unit, phone, relationship, power, interest, notes, history = spec
        if email in people:
            continue
        # Not stakeholder_create: it records an assessment dated today, while the demo's trend
        # starts months ago. The assessments below set the current and desired levels.
        _, first_current, first_desired, _ = history[0]
        stakeholder = Stakeholder(
            organization=organization, email=email, full_name=full_name, title=title,
            unit=unit, phone=phone, relationship=relationship, power=power, interest=interest,
            current_engagement=first_current, desired_engagement=first_desired,
            relationship_owner=staff, notes=notes,
        )
        stakeholder.full_clean()
        stakeholder.save()
        for days, current, desired, note in history:
            services.engagement_assess(
                stakeholder=stakeholder, actor=staff, current=current, desired=desired,
                assessed_on=_days_ago(today, days), note=note,
            )
        stakeholder.refresh_from_db()
        people[email] = stakeholder
        created += 1
    return people, created


def _seed_plans(
    organization: Organization,
    specs: list[dict],
    people: dict[str, Stakeholder],
    *,
    staff: User,
    today: datetime.date,
) -> int:
    """Add the missing plans and their logs; logging moves each plan's next due date."""
    existing = set(
        CommunicationPlan.objects.filter(organization=organization)
        .values_list("purpose", flat=True)
    )
    created = 0
    for spec in specs:
        if spec["purpose"] in existing:
            continue
        plan = services.communication_plan_create(
            actor=staff, organization=organization, stakeholders=_named(people, spec["people"]),
            audience=spec["audience"], purpose=spec["purpose"], channel=spec["channel"],
            frequency=spec["frequency"], owner=staff,
            starts_on=_days_ago(today, spec["starts"]),
        )
        for days, participants, others, summary, actions in spec["log"]:
            services.communication_record(
                actor=staff, organization=organization, plan=plan,
                held_on=_days_ago(today, days), summary=summary,
                participants=_named(people, participants), other_participants=others,
                agreed_actions=actions,
            )
        created += 1
    return created


def _seed_risks(
    organization: Organization,
    specs: list[dict],
    people: dict[str, Stakeholder],
    *,
    staff: User,
    today: datetime.date,
) -> int:
    """Add the missing risks with their owners and the stakeholders concerned."""
    existing = set(Risk.objects.filter(organization=organization).values_list("title", flat=True))
    created = 0
    for spec in specs:
        if spec["title"] in existing:
            continue
        services.risk_create(
            actor=staff, organization=organization,
            stakeholders=_named(people, spec["concerned"]),
            title=spec["title"], description=spec["description"], cause=spec["cause"],
            effect=spec["effect"], category=spec["category"], kind=spec["kind"],
            probability=spec["probability"], impact=spec["impact"],
            response_strategy=spec["response_strategy"],
            response_actions=spec["response_actions"], owner=people.get(spec["owner"]),
            proximity=today + datetime.timedelta(days=spec["proximity"]),
            status=spec["status"], identified_on=_days_ago(today, spec["identified"]),
        )
        created += 1
    return created
