"""The demo portfolios seeded by ``seed_demo``: applications over the four TIME classes,
a dependency graph with hubs and one cycle, objectives, and demand in every status with a
back-dated workflow; all created once."""

import datetime
import io
import re
from collections import Counter
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from portfolio.choices import (
    DEMAND_TRANSITIONS,
    DISCOURAGED_TIME_CLASSES,
    ENDING_LIFECYCLES,
    DemandStatus,
    Lifecycle,
    TimeClass,
)
from portfolio.graph import dependency_cycles
from portfolio.models import (
    Application,
    ApplicationDependency,
    Demand,
    DemandTransition,
    Objective,
    Technology,
)
from stakeholders.models import Organization, User

pytestmark = pytest.mark.django_db

# Each demo client and the login its demand is submitted with: the client's own login when it
# may write, PMO staff for the read-only agency.
CLIENTS = {
    "City Council of Riverton": "riverton.sponsor",
    "Eastmoor Regional Health Service": "eastmoor.member",
    "National Agency for Digital Government": "pmo.staff",
}
PORTFOLIO_MODELS = [
    Application, Application.technologies.through, ApplicationDependency, Objective,
    Objective.applications.through, Demand, Demand.applications.through,
    Demand.objectives.through, DemandTransition, Technology,
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """``seed_demo`` once for the whole module (it is slow), inside a transaction rolled back
    at the end: each test runs in a savepoint of it, and nothing leaks into other modules."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("seed_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def staff(seeded):
    return User.objects.get(username="pmo.staff")


def _organization(name: str) -> Organization:
    return Organization.objects.get(name=name)


@pytest.mark.parametrize("client_name", CLIENTS)
def test_applications_cover_every_time_class_and_lifecycle(seeded, staff, client_name):
    organization = _organization(client_name)
    applications = list(
        Application.objects.filter(organization=organization).with_classification()
        .select_related("business_owner", "technical_owner")
        .annotate(technology_count=Count("technologies"))
    )
    assert len(applications) >= 15
    final = Counter(application.time_class_value for application in applications)
    assert all(final[time] >= 2 for time in TimeClass.values), final
    assert all(application.time_class_value == application.time_class
               for application in applications)
    unassessed = [application for application in applications
                  if application.functional_fit is None and application.technical_fit is None]
    assert 1 <= len(unassessed) <= 2
    assert final[None] == len(unassessed)
    lifecycles = {application.lifecycle for application in applications}
    assert {Lifecycle.SUNSETTING, Lifecycle.RETIRED} <= lifecycles
    assert len({application.criticality for application in applications}) >= 3
    assert len({application.hosting for application in applications}) >= 3
    for application in applications:
        assert application.business_owner.organization_id == organization.pk, application
        assert application.technical_owner.organization_id == organization.pk, application
        assert application.technology_count >= 1, application
        assert application.vendor, application
        assert application.description, application
    assert sum(application.annual_run_cost is not None for application in applications) >= 14
    assert any(application.contract_end for application in applications)


@pytest.mark.parametrize("client_name", CLIENTS)
def test_one_application_carries_a_staff_override_with_its_rationale(seeded, staff, client_name):
    overridden = list(
        Application.objects.filter(organization__name=client_name).exclude(time_override="")
        .with_classification()
    )
    assert len(overridden) == 1
    application = overridden[0]
    assert application.time_override != application.time_computed_value  # it changes the class
    assert application.time_class_value == application.time_override
    assert len(application.time_override_rationale) > 100
    assert application.time_overridden_by == staff
    assert application.time_overridden_at is not None


def test_technologies_are_one_shared_vocabulary(seeded):
    shared = (
        Technology.objects.annotate(
            organizations=Count("applications__organization", distinct=True)
        ).filter(organizations__gte=2)
    )
    assert shared.exists()  # e.g. Java or SQL Server, named once for every client
    names = [name.casefold() for name in Technology.objects.values_list("name", flat=True)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("client_name", CLIENTS)
def test_dependencies_have_hubs_and_exactly_one_cycle(seeded, client_name):
    organization = _organization(client_name)
    dependencies = ApplicationDependency.objects.filter(source__organization=organization)
    assert dependencies.count() >= 20
    assert not dependencies.exclude(target__organization=organization).exists()
    assert dependencies.values("kind").distinct().count() >= 5
    fan_in = sorted(
        Application.objects.filter(organization=organization).with_classification()
        .values_list("fan_in_value", flat=True),
        reverse=True,
    )
    assert fan_in[1] >= 5  # at least two hubs: identity, the ERP, the integration engine...
    cycles = dependency_cycles(dependencies.values_list("source_id", "target_id"))
    assert len(cycles) == 1
    assert 2 <= len(cycles[0]) <= 3


@pytest.mark.parametrize("client_name", CLIENTS)
def test_objectives_have_periods_owners_and_applications(seeded, client_name):
    organization = _organization(client_name)
    objectives = Objective.objects.filter(organization=organization).annotate(
        application_count=Count("applications")
    ).select_related("owner")
    assert 3 <= objectives.count() <= 5
    for objective in objectives:
        assert objective.period_start < objective.period_end, objective
        assert objective.owner.organization_id == organization.pk, objective
        assert objective.application_count >= 1, objective
        assert objective.description, objective
    assert objectives.filter(period_end__gte=timezone.localdate()).count() >= 3


@pytest.mark.parametrize(("client_name", "submitter"), CLIENTS.items())
def test_demands_reach_every_status_with_a_dated_workflow(seeded, staff, client_name, submitter):
    organization = _organization(client_name)
    demands = list(
        Demand.objects.filter(organization=organization).with_priority()
        .select_related("requester", "submitted_by")
        .prefetch_related("applications", "objectives", "transitions__actor")
    )
    assert len(demands) >= 12
    assert {demand.status for demand in demands} == set(DemandStatus.values)
    assert len({demand.priority_value for demand in demands}) >= 8  # WSJF varies
    assert sum(bool(demand.objectives.all()) for demand in demands) >= 5
    assert any(len(demand.applications.all()) > 1 for demand in demands)
    warned = [demand for demand in demands if demand.application_warnings()]
    assert any(
        application.time_class in DISCOURAGED_TIME_CLASSES
        or application.lifecycle in ENDING_LIFECYCLES
        for demand in warned for application in demand.applications.all()
    )
    now = timezone.now()
    four_months_ago = now - datetime.timedelta(days=125)
    delivery_days = []
    for demand in demands:
        assert demand.requester.organization_id == organization.pk, demand
        assert demand.submitted_by.username == submitter, demand
        transitions = list(demand.transitions.all())
        assert transitions[0].from_status == "", demand
        assert transitions[0].to_status == DemandStatus.SUBMITTED, demand
        for previous, transition in pairwise(transitions):
            assert transition.from_status == previous.to_status, demand
            assert transition.to_status in DEMAND_TRANSITIONS[previous.to_status], demand
            assert transition.at > previous.at, demand  # strictly increasing, for flow metrics
            # Clients only withdraw; PMO staff make every other move.
            withdrawn = transition.to_status == DemandStatus.WITHDRAWN
            assert transition.actor == (demand.submitted_by if withdrawn else staff), demand
        assert transitions[-1].to_status == demand.status, demand
        assert four_months_ago < transitions[0].at, demand
        assert transitions[-1].at < now, demand
        assert demand.created_at == transitions[0].at, demand
        assert demand.updated_at == transitions[-1].at, demand
        if demand.status == DemandStatus.REJECTED:
            assert transitions[-1].note, demand
        if demand.status == DemandStatus.DELIVERED:
            delivery_days.append((transitions[-1].at - transitions[0].at).days)
    assert delivery_days
    assert all(days >= 20 for days in delivery_days)  # delivery took weeks, not a second


def test_audit_history_follows_the_back_dated_workflow(seeded):
    demand = Demand.objects.filter(status=DemandStatus.DELIVERED).first()
    moments = {
        transition.to_status: transition.at for transition in demand.transitions.all()
    }
    history = list(demand.history.all())
    assert {record.status for record in history} == set(moments)
    assert all(record.history_date == moments[record.status] for record in history)


def test_summary_line_reports_the_portfolios(seeded):
    match = re.search(
        r"Portfolio: (\d+) applications, (\d+) dependencies, (\d+) objectives, (\d+) demands "
        r"across (\d+) clients", seeded,
    )
    assert match, seeded
    assert [int(value) for value in match.groups()] == [
        Application.objects.count(), ApplicationDependency.objects.count(),
        Objective.objects.count(), Demand.objects.count(), 3,
    ]


def _snapshot() -> dict[str, list]:
    """Every row of the portfolio's tables with all its values."""
    return {
        model.__name__: list(model.objects.order_by("pk").values_list())
        for model in PORTFOLIO_MODELS
    }


def test_seeding_again_creates_and_changes_nothing(seeded):
    before = _snapshot()
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert _snapshot() == before
    assert "across 3 clients (0, 0, 0 and 0 created now)" in output.getvalue()


def test_a_renamed_application_is_left_as_staff_edited_it(seeded):
    application = Application.objects.get(
        organization__name="City Council of Riverton", code="GIS-CORE"
    )
    Application.objects.filter(pk=application.pk).update(name="Urban GIS")
    call_command("seed_demo", stdout=io.StringIO())
    application.refresh_from_db()
    assert application.name == "Urban GIS"
