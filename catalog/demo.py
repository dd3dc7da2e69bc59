"""Demo catalog: taxonomies, services across the three PMI typologies, and a few requests.

Called by ``manage.py seed_demo`` (stakeholders), which finds this module by name after it has
created the demo organizations and logins. Idempotent in the same way: what exists is left as
it is (staff may have edited it in the admin), what is missing is created. The content lives in
``catalog.demo_data``.
"""

import datetime
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from stakeholders.models import User
from stakeholders.tenancy import user_organization_id

from . import demo_data, services
from .choices import CriterionKind, RequestStatus, ServiceStatus, TierLevel
from .models import (
    Category,
    Certification,
    Criterion,
    Indicator,
    Role,
    Service,
    ServiceRequest,
    ServiceRole,
    ServiceRoleSkill,
    ServiceTier,
    Skill,
    ValueProcess,
)

STAFF_USERNAME = "pmo.staff"  # the PMO staff login seed_demo creates; it moves the requests


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    """Create the demo catalog and the demo clients' requests where they are missing."""
    _seed_taxonomies()
    created = [_seed_service(spec) for spec in demo_data.SERVICES]
    requests_created = _seed_requests()
    published = Service.objects.published().count()
    stdout.write(
        f"Catalog: {published} published services ({sum(created)} created now), "
        f"{ServiceRequest.objects.count()} service requests ({requests_created} created now)."
    )


def _seed_taxonomies() -> None:
    for position, (slug, name, description) in enumerate(demo_data.CATEGORIES):
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    for slug, name, description in demo_data.VALUE_PROCESSES:
        ValueProcess.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    for slug, name, category in demo_data.SKILLS:
        Skill.objects.get_or_create(slug=slug, defaults={"name": name, "category": category})
    for slug, name, description in demo_data.ROLES:
        Role.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for code, name, issuer in demo_data.CERTIFICATIONS:
        # Codes are unique whatever their case; look them up the same way.
        if not Certification.objects.filter(code__iexact=code).exists():
            Certification.objects.create(code=code, name=name, issuer=issuer)


def _seed_service(spec: dict) -> bool:
    """Create one service with all its parts, unless a service with its slug exists."""
    if Service.objects.filter(slug=spec["slug"]).exists():
        return False
    pricing_basis, pricing_notes = spec["pricing"]
    service = Service.objects.create(
        slug=spec["slug"],
        name=spec["name"],
        summary=spec["summary"],
        description=spec["description"],
        typology=spec["typology"],
        category=Category.objects.get(slug=spec["category"]),
        typical_duration_weeks=spec["weeks"],
        pricing_basis=pricing_basis,
        pricing_notes=pricing_notes or "",
    )
    service.value_processes.set(ValueProcess.objects.filter(slug__in=spec["processes"]))
    for level, (headline, price, includes, commitments) in zip(
        TierLevel.values, spec["tiers"], strict=True
    ):
        ServiceTier.objects.create(
            service=service, level=level, headline=headline,
            price=Decimal(price) if price is not None else None,
            includes="\n".join(includes), commitments="\n".join(commitments),
        )
    for kind in CriterionKind.values:
        for position, text in enumerate(spec["criteria"].get(kind, []), start=1):
            Criterion.objects.create(service=service, kind=kind, position=position, text=text)
    for position, indicator in enumerate(spec["indicators"], start=1):
        name, measures, formula, unit, direction, target, green, red, frequency = indicator
        Indicator.objects.create(
            service=service, position=position, name=name, measures=measures, formula=formula,
            unit=unit, direction=direction, target=Decimal(target),
            green_threshold=Decimal(green), red_threshold=Decimal(red), frequency=frequency,
        )
    for role_slug, seniority, allocation, responsibilities, skills, codes in spec["roles"]:
        service_role = ServiceRole.objects.create(
            service=service, role=Role.objects.get(slug=role_slug), seniority=seniority,
            typical_allocation_percent=allocation, responsibilities=responsibilities,
        )
        for skill_slug, level in skills.items():
            ServiceRoleSkill.objects.create(
                service_role=service_role, skill=Skill.objects.get(slug=skill_slug),
                minimum_level=level,
            )
        service_role.certifications.set(Certification.objects.filter(code__in=codes))
    status = spec.get("status", ServiceStatus.PUBLISHED)
    if status != ServiceStatus.DRAFT:
        services.service_publish(service=service)
    if status == ServiceStatus.RETIRED:
        services.service_retire(service=service)
    return True


def _seed_requests() -> int:
    """The demo clients' requests, moved along the workflow by PMO staff.

    An organization that already has requests (from an earlier run, or real use of the demo)
    gets none added. Without the demo logins (seed_demo not run) nothing is created.
    """
    staff = User.objects.filter(username=STAFF_USERNAME, is_staff=True).first()
    if staff is None:
        return 0
    created = 0
    usernames = {spec[0] for spec in demo_data.REQUESTS}
    requesters = {
        user.username: user
        for user in User.objects.filter(username__in=usernames, membership__isnull=False)
    }
    skip = {
        username for username, user in requesters.items()
        if ServiceRequest.objects.filter(organization_id=user_organization_id(user)).exists()
    }
    today = timezone.localdate()
    for username, slug, level, days_ahead, context, outcomes, outcome in demo_data.REQUESTS:
        user = requesters.get(username)
        if user is None or username in skip:
            continue
        service = Service.objects.get(slug=slug)
        request = services.service_request_submit(
            user=user,
            service=service,
            tier=service.tiers.get(level=level),
            desired_start=today + datetime.timedelta(days=days_ahead),
            context=context,
            expected_outcomes=outcomes,
        )
        _move(request, *outcome, actor=staff)
        created += 1
    return created


def _move(request: ServiceRequest, status: str, reason: str, *, actor: User) -> None:
    """Walk a submitted request to ``status`` the way staff would."""
    if status == RequestStatus.DECLINED:
        services.service_request_decline(request=request, actor=actor, reason=reason)
        return
    if status in (RequestStatus.IN_REVIEW, RequestStatus.ACCEPTED):
        request = services.service_request_review(request=request, actor=actor)
    if status == RequestStatus.ACCEPTED:
        services.service_request_accept(request=request, actor=actor, reason=reason)
