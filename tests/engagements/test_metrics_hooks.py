"""Writes to a client organization's stakeholders, assessments, communication plans and log,
and risks mark the metrics of that organization's open engagements stale and enqueue their
recompute after commit, whatever the interface: services, API, admin, imports.

``stakeholders`` cannot import ``engagements``: it sends ``organization_inputs_changed`` and
``engagements.metrics.hooks`` listens (the one-way layering is checked by
tests/platform/test_seed_and_layout.py::test_dependencies_run_one_way, and again below).
"""

import ast
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
import tablib
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from engagements.choices import EngagementStatus
from engagements.models import EngagementMetrics
from engagements.tasks import recompute_engagement_metrics
from stakeholders import services
from stakeholders.choices import RiskStatus
from stakeholders.models import CommunicationPlan, Risk
from stakeholders.resources import StakeholderResource
from stakeholders.signals import organization_inputs_changed
from tests.factories import (
    CommunicationPlanFactory,
    EngagementFactory,
    RiskFactory,
    StakeholderFactory,
)
from tests.stakeholders.test_register_admin import form_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def clear_pending_marks():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(org_a, org_b):
    """Org A: two open engagements and a closed one; org B: one open engagement."""
    return {
        "active": EngagementFactory(organization=org_a, status=EngagementStatus.ACTIVE),
        "staffing": EngagementFactory(organization=org_a, status=EngagementStatus.STAFFING),
        "closed": EngagementFactory(organization=org_a, status=EngagementStatus.CLOSED),
        "other": EngagementFactory(organization=org_b, status=EngagementStatus.ACTIVE),
    }


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


class Sent(list):
    """The engagement ids whose recompute was handed to the broker, in order."""


@contextmanager
def watching(django_capture_on_commit_callbacks):
    """Run the block as a committed transaction; record the recomputes sent after commit."""
    sent = Sent()
    with (
        mock.patch.object(
            recompute_engagement_metrics, "apply_async",
            side_effect=lambda args=(), **kwargs: sent.append(args[0]),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        yield sent


def marked() -> set[int]:
    """Engagements whose inputs are recorded as changed (and not yet recomputed)."""
    return set(
        EngagementMetrics.objects.filter(inputs_changed_at__isnull=False)
        .values_list("engagement_id", flat=True)
    )


def assert_org_a_marked(world, sent) -> None:
    expected = {world["active"].pk, world["staffing"].pk}
    assert marked() == expected
    assert sorted(sent) == sorted(expected)
    for name in ("active", "staffing"):
        metrics = EngagementMetrics.objects.get(engagement=world[name])
        assert metrics.is_stale


# --- Services ---------------------------------------------------------------------------------


SERVICE_WRITES = {
    "stakeholder_create": lambda w, user: services.stakeholder_create(
        actor=user, organization=w["active"].organization, full_name="Ana", power=5,
        interest=5, email="ana@client.example",
    ),
    "stakeholder_update": lambda w, user: services.stakeholder_update(
        stakeholder=w["person"], actor=user, power=1,
    ),
    "stakeholder_archive": lambda w, user: services.stakeholder_update(
        stakeholder=w["person"], actor=user, is_active=False,
    ),
    "engagement_assess": lambda w, user: services.engagement_assess(
        stakeholder=w["person"], actor=user, current="leading", desired="leading",
    ),
    "communication_plan_create": lambda w, user: services.communication_plan_create(
        actor=user, organization=w["active"].organization, audience="Board",
        purpose="Quarterly review", channel="meeting", frequency="monthly",
        starts_on=TODAY(),
    ),
    "communication_plan_update": lambda w, user: services.communication_plan_update(
        plan=w["plan"], actor=user, is_active=False,
    ),
    "communication_plan_delete": lambda w, user: services.communication_plan_delete(
        plan=w["plan"], actor=user,
    ),
    "communication_record": lambda w, user: services.communication_record(
        actor=user, organization=w["active"].organization, held_on=TODAY(),
        summary="Reviewed", plan=w["plan"],
    ),
    "risk_create": lambda w, user: services.risk_create(
        actor=user, organization=w["active"].organization, title="Late supplier",
        category="schedule", kind="threat", probability=5, impact=5,
        response_strategy="mitigate",
    ),
    "risk_update": lambda w, user: services.risk_update(
        risk=w["risk"], actor=user, probability=1,
    ),
    "risk_close": lambda w, user: services.risk_update(
        risk=w["risk"], actor=user, status=RiskStatus.CLOSED,
    ),
}


@pytest.mark.parametrize("write", SERVICE_WRITES)
def test_every_service_write_marks_the_organizations_open_engagements(
    world, staff_user, write, django_capture_on_commit_callbacks,
):
    organization = world["active"].organization
    world["person"] = StakeholderFactory(organization=organization)
    world["plan"] = CommunicationPlanFactory(organization=organization)
    world["risk"] = RiskFactory(organization=organization)
    assert marked() == set()
    with watching(django_capture_on_commit_callbacks) as sent, transaction.atomic():
        SERVICE_WRITES[write](world, staff_user)
        assert sent == [], "enqueued before commit"
    assert_org_a_marked(world, sent)


def test_communication_update_marks_too(world, staff_user, django_capture_on_commit_callbacks):
    organization = world["active"].organization
    plan = CommunicationPlanFactory(organization=organization)
    communication = services.communication_record(
        actor=staff_user, organization=organization, held_on=TODAY(), summary="x", plan=plan,
    )
    EngagementMetrics.objects.all().delete()
    with watching(django_capture_on_commit_callbacks) as sent:
        services.communication_update(communication=communication, actor=staff_user,
                                      summary="Corrected")
    assert_org_a_marked(world, sent)


def test_a_rolled_back_write_marks_nothing(world, staff_user, django_capture_on_commit_callbacks):
    organization = world["active"].organization

    def create_then_fail() -> None:
        with transaction.atomic():
            services.risk_create(
                actor=staff_user, organization=organization, title="Ghost", category="schedule",
                kind="threat", probability=5, impact=5, response_strategy="mitigate",
            )
            raise RuntimeError("rolled back")

    with watching(django_capture_on_commit_callbacks) as sent, pytest.raises(RuntimeError):
        create_then_fail()
    assert sent == []
    assert not EngagementMetrics.objects.exists()
    assert not Risk.objects.exists()


def test_a_refused_write_marks_nothing(world, user_b, django_capture_on_commit_callbacks):
    # A client of organization B may not write organization A's register.
    with (
        watching(django_capture_on_commit_callbacks) as sent,
        pytest.raises(PermissionDenied),
        transaction.atomic(),
    ):
        services.risk_create(
            actor=user_b, organization=world["active"].organization, title="Nope",
            category="schedule", kind="threat", probability=1, impact=1,
            response_strategy="mitigate",
        )
    assert sent == []
    assert marked() == set()


def test_an_organization_without_open_engagements_marks_nothing(
    org_b, staff_user, django_capture_on_commit_callbacks,
):
    EngagementFactory(organization=org_b, status=EngagementStatus.CANCELLED)
    with watching(django_capture_on_commit_callbacks) as sent:
        services.risk_create(
            actor=staff_user, organization=org_b, title="Alone", category="schedule",
            kind="threat", probability=2, impact=2, response_strategy="mitigate",
        )
    assert sent == []
    assert not EngagementMetrics.objects.exists()


def test_the_receiver_costs_one_query_plus_the_upsert(
    world, django_assert_num_queries, django_capture_on_commit_callbacks,
):
    with watching(django_capture_on_commit_callbacks), django_assert_num_queries(2):
        organization_inputs_changed.send(
            sender=Risk, organization_ids=[world["active"].organization_id,
                                           world["other"].organization_id],
        )
    assert marked() == {world["active"].pk, world["staffing"].pk, world["other"].pk}


def test_with_the_eager_task_the_metrics_follow_a_new_red_risk(
    world, staff_user, django_capture_on_commit_callbacks,
):
    """End to end in process: the recompute after commit reads the new risk."""
    organization = world["active"].organization
    with django_capture_on_commit_callbacks(execute=True):
        services.risk_create(
            actor=staff_user, organization=organization, title="Data loss", category="technical",
            kind="threat", probability=5, impact=5, response_strategy="mitigate",
        )
    metrics = EngagementMetrics.objects.get(engagement=world["active"])
    assert not metrics.is_stale
    assert metrics.figures["risks_open"]["value"] == "1"
    assert metrics.figures["risks_red"]["value"] == "1"


# --- API ----------------------------------------------------------------------------------------


def test_api_writes_mark_the_organization(world, client_api, django_capture_on_commit_callbacks):
    with watching(django_capture_on_commit_callbacks) as sent:
        response = client_api.post("/api/v1/risks/", {
            "title": "Budget cut", "category": "schedule", "kind": "threat", "probability": 4,
            "impact": 4, "response_strategy": "mitigate",
        }, format="json")
    assert response.status_code == 201, response.content
    assert_org_a_marked(world, sent)

    EngagementMetrics.objects.all().delete()
    cache.clear()
    with watching(django_capture_on_commit_callbacks) as sent:
        response = client_api.patch(
            f"/api/v1/risks/{response.json()['id']}/", {"status": "closed"}, format="json"
        )
    assert response.status_code == 200, response.content
    assert_org_a_marked(world, sent)


def test_api_plan_delete_marks_the_organization(
    world, client_api, django_capture_on_commit_callbacks,
):
    plan = CommunicationPlanFactory(organization=world["active"].organization)
    with watching(django_capture_on_commit_callbacks) as sent:
        response = client_api.delete(f"/api/v1/communication-plans/{plan.pk}/")
    assert response.status_code == 204, response.content
    assert_org_a_marked(world, sent)


def test_a_refused_api_write_marks_nothing(world, client_api, django_capture_on_commit_callbacks):
    with watching(django_capture_on_commit_callbacks) as sent:
        response = client_api.post("/api/v1/risks/", {"title": "Bad"}, format="json")
    assert response.status_code == 400
    assert sent == []
    assert marked() == set()


# --- Admin ----------------------------------------------------------------------------------------


def test_admin_risk_save_and_status_action_mark_the_organization(
    world, staff_client, django_capture_on_commit_callbacks,
):
    organization = world["active"].organization
    url = reverse("admin:stakeholders_risk_add")
    data = form_data(
        staff_client.get(url), organization=organization.pk, title="Vendor lock-in",
        category="technical", kind="threat", probability=4, impact=3,
        response_strategy="mitigate", status="open", identified_on=TODAY().isoformat(),
    )
    with watching(django_capture_on_commit_callbacks) as sent:
        response = staff_client.post(url, data)
    assert response.status_code == 302
    assert_org_a_marked(world, sent)

    EngagementMetrics.objects.all().delete()
    cache.clear()
    with watching(django_capture_on_commit_callbacks) as sent:
        response = staff_client.post(reverse("admin:stakeholders_risk_changelist"), {
            "action": "close_risks", "_selected_action": [organization.risks.get().pk],
        })
    assert response.status_code == 302
    assert_org_a_marked(world, sent)


def test_admin_plan_delete_and_bulk_delete_mark_once(
    world, staff_client, django_capture_on_commit_callbacks,
):
    organization = world["active"].organization
    plan = CommunicationPlanFactory(organization=organization)
    url = reverse("admin:stakeholders_communicationplan_delete", args=[plan.pk])
    with watching(django_capture_on_commit_callbacks) as sent:
        response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not CommunicationPlan.objects.exists()
    assert_org_a_marked(world, sent)

    EngagementMetrics.objects.all().delete()
    cache.clear()
    plans = CommunicationPlanFactory.create_batch(3, organization=organization)
    other = CommunicationPlanFactory(organization=world["other"].organization)
    with (
        watching(django_capture_on_commit_callbacks) as sent,
        mock.patch.object(organization_inputs_changed, "send",
                          wraps=organization_inputs_changed.send) as send,
    ):
        response = staff_client.post(reverse("admin:stakeholders_communicationplan_changelist"), {
            "action": "delete_selected", "post": "yes",
            "_selected_action": [p.pk for p in [*plans, other]],
        })
    assert response.status_code == 302
    assert not CommunicationPlan.objects.exists()
    assert send.call_count == 1
    assert marked() == {world["active"].pk, world["staffing"].pk, world["other"].pk}
    assert sorted(sent) == sorted(marked())


# --- Imports ---------------------------------------------------------------------------------


IMPORT_HEADERS = [
    "organization", "full_name", "email", "relationship", "power", "interest",
    "current_engagement", "desired_engagement",
]


def import_rows(world) -> tablib.Dataset:
    name_a = world["active"].organization.name
    name_b = world["other"].organization.name
    rows = [
        (name_a, "Ana Key", "ana@a.example", "sponsor", 5, 5, "neutral", "leading"),
        (name_a, "Bea Key", "bea@a.example", "sponsor", 4, 5, "supportive", "leading"),
        (name_b, "Cid Key", "cid@b.example", "key_user", 5, 4, "neutral", "supportive"),
    ]
    return tablib.Dataset(*rows, headers=IMPORT_HEADERS)


def test_an_import_marks_every_organization_of_the_file_once(
    world, staff_user, django_capture_on_commit_callbacks,
):
    with (
        watching(django_capture_on_commit_callbacks) as sent,
        mock.patch.object(organization_inputs_changed, "send",
                          wraps=organization_inputs_changed.send) as send,
    ):
        result = StakeholderResource().import_data(import_rows(world), user=staff_user)
    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert send.call_count == 1
    assert send.call_args.kwargs["organization_ids"] == sorted(
        {world["active"].organization_id, world["other"].organization_id}
    )
    assert marked() == {world["active"].pk, world["staffing"].pk, world["other"].pk}
    assert sorted(sent) == sorted(marked())

    # Re-importing the file changed nothing in the engagement levels: still announced once.
    EngagementMetrics.objects.all().delete()
    cache.clear()
    with watching(django_capture_on_commit_callbacks) as sent:
        StakeholderResource().import_data(import_rows(world), user=staff_user)
    assert sorted(sent) == sorted({world["active"].pk, world["staffing"].pk, world["other"].pk})


def test_a_dry_run_or_a_failed_import_marks_nothing(
    world, staff_user, django_capture_on_commit_callbacks,
):
    with watching(django_capture_on_commit_callbacks) as sent:
        StakeholderResource().import_data(import_rows(world), user=staff_user, dry_run=True)
    assert sent == []
    assert marked() == set()

    bad = import_rows(world)
    bad.append(("No such organization", "X", "x@x.example", "sponsor", 1, 1, "", ""))
    with watching(django_capture_on_commit_callbacks) as sent:
        result = StakeholderResource().import_data(bad, user=staff_user)
    assert result.has_validation_errors()
    assert sent == []
    assert marked() == set()
    # The deferral ended with the import: a later service write is announced at once.
    with watching(django_capture_on_commit_callbacks) as sent:
        services.risk_update(risk=RiskFactory(organization=world["active"].organization),
                             actor=staff_user, probability=2)
    assert_org_a_marked(world, sent)


def test_an_admin_import_marks_the_organizations(
    world, staff_client, django_capture_on_commit_callbacks,
):
    from tests.portfolio.test_import_export import admin_confirm, admin_import, csv_file

    rows = [list(row) for row in import_rows(world)]
    preview = admin_import(staff_client, "stakeholder", csv_file(IMPORT_HEADERS, rows), "0",
                           "people.csv")
    assert preview.status_code == 200
    assert marked() == set()  # the preview is a dry run
    with watching(django_capture_on_commit_callbacks) as sent:
        response = admin_confirm(staff_client, "stakeholder", preview)
    assert response.status_code == 302
    assert marked() == {world["active"].pk, world["staffing"].pk, world["other"].pk}
    assert sorted(sent) == sorted(marked())


# --- Layering -------------------------------------------------------------------------------------


def test_stakeholders_never_imports_engagements():
    offenders = []
    for path in (ROOT / "stakeholders").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names
                          if name.split(".")[0] == "engagements"]
    assert offenders == []
    # The check sees imports: the hooks module (engagements) imports stakeholders' signal.
    assert "stakeholders.signals" in (ROOT / "engagements" / "apps.py").read_text()
