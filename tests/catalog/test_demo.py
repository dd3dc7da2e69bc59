"""The demo catalog seeded by ``seed_demo``: idempotent, complete and consistent."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from catalog.choices import CriterionKind, Direction, RequestStatus, ServiceStatus, Typology
from catalog.models import (
    Category,
    Certification,
    Criterion,
    Indicator,
    Role,
    Service,
    ServiceRequest,
    ServiceRequestTransition,
    ServiceRole,
    ServiceRoleSkill,
    ServiceTier,
    Skill,
    ValueProcess,
)
from stakeholders.models import User

pytestmark = pytest.mark.django_db

# The catalog's demo needs only the organizations and logins, not the other apps' data.

CATALOG_MODELS = [
    Category, Certification, Criterion, Indicator, Role, Service, ServiceRequest,
    ServiceRequestTransition, ServiceRole, ServiceRoleSkill, ServiceTier, Skill, ValueProcess,
]


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", only=["catalog"])


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CATALOG_MODELS}


def test_seeding_twice_adds_nothing(seeded, capsys):
    first = _counts()
    users = User.objects.count()
    call_command("seed_demo", only=["catalog"])
    assert _counts() == first
    assert User.objects.count() == users
    assert "published services" in capsys.readouterr().out


def test_published_services_cover_every_typology_and_are_complete():
    call_command("seed_demo", only=["catalog"])
    published = Service.objects.published().annotate(
        tiers_count=Count("tiers", distinct=True),
        indicators_count=Count("indicators", distinct=True),
    )
    assert published.count() >= 12
    per_typology = Service.objects.published().values("typology").annotate(n=Count("id"))
    assert {row["typology"]: row["n"] for row in per_typology}.keys() == set(Typology.values)
    assert all(row["n"] >= 3 for row in per_typology)
    for service in published:
        assert service.tiers_count == 3, service
        assert service.indicators_count >= 2, service
        assert set(service.criteria.values_list("kind", flat=True)) == set(
            CriterionKind.values
        ), service
        assert ServiceRoleSkill.objects.filter(service_role__service=service).exists(), service
        assert service.value_processes.exists(), service
    statuses = set(Service.objects.values_list("status", flat=True))
    assert statuses == set(ServiceStatus.values)  # a draft and a retired one show the lifecycle


def test_indicator_thresholds_are_consistent():
    call_command("seed_demo", only=["catalog"])
    assert Indicator.objects.exists()
    for indicator in Indicator.objects.all():
        if indicator.direction == Direction.HIGHER_IS_BETTER:
            assert indicator.green_threshold >= indicator.red_threshold, indicator
        else:
            assert indicator.green_threshold <= indicator.red_threshold, indicator


def test_requests_went_through_the_workflow(seeded):
    statuses = set(ServiceRequest.objects.values_list("status", flat=True))
    assert len(statuses) >= 3
    staff = User.objects.get(username="pmo.staff")
    for service_request in ServiceRequest.objects.prefetch_related("transitions"):
        transitions = list(service_request.transitions.all())
        assert transitions[0].actor == service_request.requested_by
        assert transitions[-1].to_status == service_request.status
        assert all(transition.actor == staff for transition in transitions[1:])
        assert all(transition.notified_at for transition in transitions)
        if service_request.status == RequestStatus.DECLINED:
            assert service_request.decision_reason
    requesters = set(ServiceRequest.objects.values_list("requested_by__username", flat=True))
    assert requesters == {"riverton.sponsor", "eastmoor.member"}


def test_an_organization_with_requests_gets_no_demo_requests(seeded):
    riverton = ServiceRequest.objects.filter(organization__name="City Council of Riverton")
    kept = riverton.first()
    ServiceRequestTransition.objects.filter(request__in=riverton.exclude(pk=kept.pk)).delete()
    riverton.exclude(pk=kept.pk).delete()
    call_command("seed_demo", only=["catalog"])
    assert list(riverton.all()) == [kept]
