"""The tenant-isolation matrix: what every route is, and how to prove it leaks nothing.

Every route the project serves must appear here (or fall under a namespace rule). A route the
matrix does not know fails tests/platform/test_tenant_isolation.py, so a new feature cannot
ship an endpoint or page without saying how it is isolated.

Kinds:
- ``public``: anonymous access is intended and the response carries no tenant data.
- ``account``: the signed-in user's own account pages (no organization data).
- ``self``: the signed-in user's own record (must not show another organization).
- ``staff``: PMO staff only; a client gets 403 (API) or the login page (admin).
- ``shared_api``: reference data everyone may read (anonymous included) and only staff change
  (the catalog); ``make`` builds one readable row; ``actions`` are staff-only detail POSTs.
- ``tenant_api``: a resource scoped per organization (list + detail routes; ``make`` builds one
  row owned by a given organization; extra ``actions`` are detail routes taking POST).
- ``tenant_page``: a portal page that renders organization data (``marker`` text of the other
  organization must never appear).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from engagements.models import Deliverable, Expense, Iteration, KpiMeasurement, TimeEntry
from tests.factories import (
    ApplicationDependencyFactory,
    ApplicationFactory,
    AssignmentFactory,
    CategoryFactory,
    CertificationFactory,
    ClientUserFactory,
    CommunicationFactory,
    CommunicationPlanFactory,
    ConsultantFactory,
    CultureAssessmentFactory,
    DemandFactory,
    EngagementAssessmentFactory,
    EngagementFactory,
    EngagementOutcomeFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PublishedServiceFactory,
    RiskFactory,
    RoleFactory,
    ServiceRequestFactory,
    SkillFactory,
    StakeholderFactory,
    ValueProcessFactory,
)


@dataclass(frozen=True)
class TenantResource:
    """A per-organization API resource: how to build a row of an organization, and its text."""

    list_route: str
    detail_route: str
    make: Callable[[Any], Any]
    marker: Callable[[Any], str]
    actions: tuple[str, ...] = ()
    # A minimal valid payload for a write as the row's owner; None if clients cannot write.
    write_payload: Callable[[Any], dict] | None = None
    # Payload fields that reference tenant rows, with a maker of such a row for an
    # organization: the isolation test swaps in another organization's row and expects 400.
    references: dict[str, Callable[[Any], Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class SharedResource:
    """Reference data: readable by everyone, writable by staff only."""

    list_route: str
    detail_route: str
    make: Callable[[], Any]
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class TenantPage:
    route: str
    make: Callable[[Any], Any]
    marker: Callable[[Any], str]
    kwargs: Callable[[Any], dict] = field(default=lambda obj: {})


def _member_of(organization):
    return ClientUserFactory(
        first_name="Marker", last_name=f"Member {organization.name}",
        membership__organization=organization,
    )


def _request_of(organization):
    return ServiceRequestFactory(
        organization=organization,
        service=PublishedServiceFactory(name=f"Marker service for {organization.name}"),
        context=f"Marker context of {organization.name}",
    )


def _new_request_payload(_request) -> dict:
    service = PublishedServiceFactory()
    return {
        "service": service.pk,
        "tier": service.tiers.get().pk,
        "desired_start": (date.today() + timedelta(days=30)).isoformat(),
        "context": "Reporting is manual.",
        "expected_outcomes": "One monthly report.",
    }


def _stakeholder_of(organization):
    return StakeholderFactory(
        organization=organization, full_name=f"Marker person of {organization.name}"
    )


def _application_of(organization):
    return ApplicationFactory(
        organization=organization, name=f"Marker application of {organization.name}"
    )


def _today() -> str:
    return date.today().isoformat()


def _register_payload(stakeholder) -> dict:
    return {"full_name": "Ana Torres", "power": 4, "interest": 2, "relationship": "sponsor"}


def _assessment_payload(assessment) -> dict:
    return {
        "stakeholder": assessment.stakeholder.pk, "current": "resistant",
        "desired": "supportive", "assessed_on": _today(),
    }


def _plan_payload(plan) -> dict:
    stakeholder = StakeholderFactory(organization=plan.organization)
    return {
        "purpose": "Fortnightly progress call", "channel": "video_call",
        "frequency": "fortnightly", "stakeholders": [stakeholder.pk],
    }


def _communication_payload(communication) -> dict:
    plan = CommunicationPlanFactory(organization=communication.organization)
    stakeholder = StakeholderFactory(organization=communication.organization)
    return {
        "plan": plan.pk, "held_on": _today(), "channel": "meeting",
        "summary": "Agreed the rollout dates.", "participants": [stakeholder.pk],
    }


def _risk_payload(risk) -> dict:
    stakeholder = StakeholderFactory(organization=risk.organization)
    return {
        "title": "Budget freeze", "category": "financial", "kind": "threat",
        "probability": 2, "impact": 5, "owner": stakeholder.pk,
        "stakeholders": [stakeholder.pk],
    }


def _application_payload(application) -> dict:
    owner = StakeholderFactory(organization=application.organization)
    return {
        "name": "Citizen folder", "code": "CIT-FOLDER", "business_owner": owner.pk,
        "technical_owner": owner.pk,
    }


def _dependency_payload(dependency) -> dict:
    organization = dependency.source.organization
    return {
        "source": ApplicationFactory(organization=organization).pk,
        "target": ApplicationFactory(organization=organization).pk, "kind": "data_flow",
    }


def _objective_payload(objective) -> dict:
    return {
        "title": "Paperless permits", "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "applications": [ApplicationFactory(organization=objective.organization).pk],
        "owner": StakeholderFactory(organization=objective.organization).pk,
    }


def _demand_payload(demand) -> dict:
    organization = demand.organization
    return {
        "title": "Electronic signature of permits", "description": "Sign without paper.",
        "demand_type": "evolution",
        "applications": [ApplicationFactory(organization=organization).pk],
        "objectives": [ObjectiveFactory(organization=organization).pk],
        "requester": StakeholderFactory(organization=organization).pk,
    }


def _stakeholder_pk(organization):
    return StakeholderFactory(organization=organization)


def _engagement_of(organization, **fields):
    return EngagementFactory(
        organization=organization, title=f"Marker engagement of {organization.name}", **fields
    )


def _consultant_of(organization):
    """A consultant the organization can see: on the team of one of its engagements."""
    consultant = ConsultantFactory(full_name=f"Marker consultant of {organization.name}")
    AssignmentFactory(engagement=EngagementFactory(organization=organization),
                      consultant=consultant)
    return consultant


def _delivery_engagement(organization):
    engagement = _engagement_of(organization, status="active")
    return engagement


def _iteration_of(organization):
    engagement = _delivery_engagement(organization)
    return Iteration.objects.create(
        engagement=engagement, number=1, start_on=engagement.planned_start,
        end_on=engagement.planned_start, goal=f"Marker goal of {organization.name}",
    )


def _deliverable_of(organization):
    engagement = _delivery_engagement(organization)
    return Deliverable.objects.create(
        engagement=engagement, title=f"Marker deliverable of {organization.name}",
        planned_start=engagement.planned_start, planned_finish=engagement.planned_start,
    )


def _time_entry_of(organization):
    return TimeEntry.objects.create(
        engagement=_delivery_engagement(organization),
        consultant=ConsultantFactory(full_name=f"Marker worker of {organization.name}"),
        worked_on=date.today(), hours=8, cost=600,
    )


def _expense_of(organization):
    return Expense.objects.create(
        engagement=_delivery_engagement(organization), spent_on=date.today(), amount=40,
        category="travel", description=f"Marker expense of {organization.name}",
    )


def _kpi_measurement_of(organization):
    engagement = _delivery_engagement(organization)
    indicator = IndicatorFactory()
    engagement.services.add(indicator.service)
    return KpiMeasurement.objects.create(
        engagement=engagement, indicator=indicator, period_start=date.today(),
        period_end=date.today(), value=1, note=f"Marker KPI of {organization.name}",
        recorded_by=ClientUserFactory(membership__organization=organization),
    )


def _culture_payload(_assessment) -> dict:
    return {
        "current": {"clan": 40, "adhocracy": 10, "market": 20, "hierarchy": 30},
        "preferred": {"clan": 30, "adhocracy": 30, "market": 20, "hierarchy": 20},
    }


TENANT_RESOURCES = [
    TenantResource(
        list_route="organization-list",
        detail_route="organization-detail",
        make=lambda organization: organization,
        marker=lambda organization: organization.name,
    ),
    TenantResource(
        list_route="service-request-list",
        detail_route="service-request-detail",
        make=_request_of,
        marker=lambda request: request.context,
        actions=("service-request-review", "service-request-accept", "service-request-decline"),
        write_payload=_new_request_payload,
    ),
    TenantResource(
        list_route="stakeholder-list",
        detail_route="stakeholder-detail",
        make=_stakeholder_of,
        marker=lambda stakeholder: stakeholder.full_name,
        write_payload=_register_payload,
    ),
    TenantResource(
        list_route="engagement-assessment-list",
        detail_route="engagement-assessment-detail",
        make=lambda organization: EngagementAssessmentFactory(
            stakeholder=_stakeholder_of(organization),
            note=f"Marker assessment of {organization.name}",
        ),
        marker=lambda assessment: assessment.note,
        write_payload=_assessment_payload,
        references={"stakeholder": _stakeholder_pk},
    ),
    TenantResource(
        list_route="communication-plan-list",
        detail_route="communication-plan-detail",
        make=lambda organization: CommunicationPlanFactory(
            organization=organization, purpose=f"Marker plan of {organization.name}"
        ),
        marker=lambda plan: plan.purpose,
        write_payload=_plan_payload,
        references={"stakeholders": _stakeholder_pk},
    ),
    TenantResource(
        list_route="communication-list",
        detail_route="communication-detail",
        make=lambda organization: CommunicationFactory(
            organization=organization, summary=f"Marker meeting of {organization.name}"
        ),
        marker=lambda communication: communication.summary,
        write_payload=_communication_payload,
        references={
            "plan": lambda organization: CommunicationPlanFactory(organization=organization),
            "participants": _stakeholder_pk,
        },
    ),
    TenantResource(
        list_route="risk-list",
        detail_route="risk-detail",
        make=lambda organization: RiskFactory(
            organization=organization, title=f"Marker risk of {organization.name}"
        ),
        marker=lambda risk: risk.title,
        write_payload=_risk_payload,
        references={"owner": _stakeholder_pk, "stakeholders": _stakeholder_pk},
    ),
    TenantResource(
        list_route="application-list",
        detail_route="application-detail",
        make=_application_of,
        marker=lambda application: application.name,
        write_payload=_application_payload,
        references={"business_owner": _stakeholder_pk, "technical_owner": _stakeholder_pk},
    ),
    TenantResource(
        list_route="application-dependency-list",
        detail_route="application-dependency-detail",
        make=lambda organization: ApplicationDependencyFactory(
            source=_application_of(organization),
            description=f"Marker flow of {organization.name}",
        ),
        marker=lambda dependency: dependency.description,
        write_payload=_dependency_payload,
        references={"source": _application_of, "target": _application_of},
    ),
    TenantResource(
        list_route="objective-list",
        detail_route="objective-detail",
        make=lambda organization: ObjectiveFactory(
            organization=organization, title=f"Marker objective of {organization.name}"
        ),
        marker=lambda objective: objective.title,
        write_payload=_objective_payload,
        references={"applications": _application_of, "owner": _stakeholder_pk},
    ),
    TenantResource(
        list_route="demand-list",
        detail_route="demand-detail",
        make=lambda organization: DemandFactory(
            organization=organization, title=f"Marker demand of {organization.name}"
        ),
        marker=lambda demand: demand.title,
        actions=("demand-transition",),
        write_payload=_demand_payload,
        references={
            "applications": _application_of,
            "objectives": lambda organization: ObjectiveFactory(organization=organization),
            "requester": _stakeholder_pk,
        },
    ),
    # Engagements: staff write everything but culture assessments (clients: 403).
    TenantResource(
        list_route="consultant-list",
        detail_route="consultant-detail",
        make=_consultant_of,
        marker=lambda consultant: consultant.full_name,
        actions=("consultant-rates",),
    ),
    TenantResource(
        list_route="engagement-list",
        detail_route="engagement-detail",
        make=_engagement_of,
        marker=lambda engagement: engagement.title,
        actions=("engagement-transition", "engagement-metrics", "engagement-metrics-history",
                 "engagement-recompute"),
    ),
    TenantResource(
        list_route="assignment-list",
        detail_route="assignment-detail",
        make=lambda organization: AssignmentFactory(
            engagement=EngagementFactory(organization=organization),
            consultant=ConsultantFactory(full_name=f"Marker member of {organization.name}"),
        ),
        marker=lambda assignment: assignment.consultant.full_name,
    ),
    TenantResource(
        list_route="culture-assessment-list",
        detail_route="culture-assessment-detail",
        make=lambda organization: CultureAssessmentFactory(
            organization=organization, note=f"Marker culture of {organization.name}"
        ),
        marker=lambda assessment: assessment.note,
        write_payload=_culture_payload,
        references={"organization": lambda organization: organization},
    ),
    TenantResource(
        list_route="engagement-outcome-list",
        detail_route="engagement-outcome-detail",
        make=lambda organization: EngagementOutcomeFactory(
            engagement=_engagement_of(organization, status="closed")
        ),
        marker=lambda outcome: outcome.engagement.title,
    ),
    # Agile delivery: staff write through the services; clients read (403 on writes).
    TenantResource(
        list_route="iteration-list",
        detail_route="iteration-detail",
        make=_iteration_of,
        marker=lambda iteration: iteration.goal,
    ),
    TenantResource(
        list_route="deliverable-list",
        detail_route="deliverable-detail",
        make=_deliverable_of,
        marker=lambda deliverable: deliverable.title,
        actions=("deliverable-accept",),
    ),
    TenantResource(
        list_route="time-entry-list",
        detail_route="time-entry-detail",
        make=_time_entry_of,
        marker=lambda entry: entry.consultant.full_name,
    ),
    TenantResource(
        list_route="expense-list",
        detail_route="expense-detail",
        make=_expense_of,
        marker=lambda expense: expense.description,
    ),
    TenantResource(
        list_route="kpi-measurement-list",
        detail_route="kpi-measurement-detail",
        make=_kpi_measurement_of,
        marker=lambda measurement: measurement.note,
    ),
]

def _process_map_of(organization):
    from tests.factories.improvement import ProcessMapFactory

    return ProcessMapFactory(
        organization=organization, name=f"Marker process of {organization.name}"
    )


def _process_step_of(organization):
    from tests.factories.improvement import ProcessStepFactory

    return ProcessStepFactory(process_map=_process_map_of(organization), position=1)


def _action_of(organization, **fields):
    from tests.factories.improvement import ImprovementActionFactory

    return ImprovementActionFactory(
        organization=organization, title=f"Marker action of {organization.name}", **fields
    )


# Continuous improvement (issue 7): staff and client writers write through the services.
TENANT_RESOURCES += [
    TenantResource(
        list_route="process-map-list",
        detail_route="process-map-detail",
        make=_process_map_of,
        marker=lambda process_map: process_map.name,
        actions=("process-map-analysis", "process-map-new-version", "process-map-suggest"),
        write_payload=lambda process_map: {
            "name": "Invoice approval",
            "owner": StakeholderFactory(organization=process_map.organization).pk,
            "steps": [{"name": "Receive"}, {"name": "Approve"}],
        },
        references={
            "owner": _stakeholder_pk,
            "engagement": lambda organization: EngagementFactory(organization=organization),
        },
    ),
    TenantResource(
        list_route="improvement-action-list",
        detail_route="improvement-action-detail",
        make=_action_of,
        marker=lambda action: action.title,
        actions=("improvement-action-transition",),
        write_payload=lambda action: {
            "source": "retrospective", "title": "Shorter approvals", "problem": "Waits.",
        },
        references={
            "engagement": lambda organization: EngagementFactory(organization=organization),
            "process_step": _process_step_of,
            "owner": lambda organization: ClientUserFactory(
                membership__organization=organization
            ),
        },
    ),
    TenantResource(
        list_route="improvement-suggestion-list",
        detail_route="improvement-suggestion-detail",
        make=lambda organization: _action_of(organization, suggested=True),
        marker=lambda action: action.title,
    ),
    # The demand flow is routed under the organization it belongs to.
    TenantResource(
        list_route="organization-list",
        detail_route="organization-detail",
        make=lambda organization: organization,
        marker=lambda organization: organization.name,
        actions=("organization-demand-flow", "organization-demand-flow-suggest"),
    ),
]


def _detail(obj) -> dict:
    return {"pk": obj.pk}


TENANT_PAGES = [
    TenantPage(route="portal:home", make=_member_of, marker=lambda user: user.last_name),
    TenantPage(
        route="catalog:request-list", make=_request_of, marker=lambda r: r.service.name
    ),
    TenantPage(
        route="catalog:request-detail",
        make=_request_of,
        marker=lambda request: request.context,
        kwargs=lambda request: {"pk": request.pk},
    ),
    TenantPage(route="portal:stakeholder-grid", make=_stakeholder_of,
               marker=lambda stakeholder: stakeholder.full_name),
    TenantPage(route="portal:stakeholder-detail", make=_stakeholder_of,
               marker=lambda stakeholder: stakeholder.full_name, kwargs=_detail),
    TenantPage(route="portal:engagement-matrix", make=_stakeholder_of,
               marker=lambda stakeholder: stakeholder.full_name),
    TenantPage(
        route="portal:communications",
        make=lambda organization: CommunicationPlanFactory(
            organization=organization, purpose=f"Marker plan of {organization.name}"
        ),
        marker=lambda plan: plan.purpose,
    ),
    TenantPage(
        route="portal:risk-list",
        make=lambda organization: RiskFactory(
            organization=organization, title=f"Marker risk of {organization.name}"
        ),
        marker=lambda risk: risk.title,
    ),
    TenantPage(
        route="portal:risk-detail",
        make=lambda organization: RiskFactory(
            organization=organization, title=f"Marker risk of {organization.name}"
        ),
        marker=lambda risk: risk.title,
        kwargs=_detail,
    ),
    TenantPage(route="portfolio:application-list", make=_application_of,
               marker=lambda application: application.name),
    TenantPage(route="portfolio:application-detail", make=_application_of,
               marker=lambda application: application.name, kwargs=_detail),
    # The form lists the organization's applications to choose from.
    TenantPage(route="portfolio:demand-create", make=_application_of,
               marker=lambda application: application.name),
    TenantPage(
        route="portfolio:demand-board",
        make=lambda organization: DemandFactory(
            organization=organization, title=f"Marker demand of {organization.name}"
        ),
        marker=lambda demand: demand.title,
    ),
    TenantPage(
        route="portfolio:demand-detail",
        make=lambda organization: DemandFactory(
            organization=organization, title=f"Marker demand of {organization.name}"
        ),
        marker=lambda demand: demand.title,
        kwargs=_detail,
    ),
    TenantPage(
        route="portfolio:objective-list",
        make=lambda organization: ObjectiveFactory(
            organization=organization, title=f"Marker objective of {organization.name}"
        ),
        marker=lambda objective: objective.title,
    ),
    TenantPage(
        route="portfolio:objective-detail",
        make=lambda organization: ObjectiveFactory(
            organization=organization, title=f"Marker objective of {organization.name}"
        ),
        marker=lambda objective: objective.title,
        kwargs=_detail,
    ),
]

TENANT_PAGES += [
    TenantPage(route="engagements:engagement-list", make=_engagement_of,
               marker=lambda engagement: engagement.title),
    TenantPage(route="engagements:engagement-detail", make=_engagement_of,
               marker=lambda engagement: engagement.title, kwargs=_detail),
    TenantPage(route="engagements:engagement-dashboard", make=_engagement_of,
               marker=lambda engagement: engagement.title, kwargs=_detail),
    TenantPage(
        route="engagements:culture",
        make=lambda organization: CultureAssessmentFactory(
            organization=organization, note=f"Marker culture of {organization.name}"
        ),
        marker=lambda assessment: assessment.note,
    ),
]


def _improvement_page_map_of(organization):
    from tests.factories.improvement import ProcessMapFactory, ProcessStepFactory

    process_map = ProcessMapFactory(
        organization=organization, name=f"Marker map of {organization.name}"
    )
    ProcessStepFactory(process_map=process_map, position=1)
    return process_map


def _improvement_page_action_of(organization, **fields):
    from tests.factories.improvement import ImprovementActionFactory

    return ImprovementActionFactory(
        organization=organization, title=f"Marker improvement of {organization.name}",
        **fields,
    )


def _improvement_page_verified_of(organization):
    from django.utils import timezone

    return _improvement_page_action_of(
        organization, status="verified", verified_at=timezone.now(),
        measured_hours_saved_per_month=5,
    )


# Continuous improvement pages (issue 7): the demand flow lists the open actions suggested
# from it, the benefits page the verified actions, each of one organization.
TENANT_PAGES += [
    TenantPage(route="improvement:process-map-list", make=_improvement_page_map_of,
               marker=lambda process_map: process_map.name),
    TenantPage(route="improvement:process-map-detail", make=_improvement_page_map_of,
               marker=lambda process_map: process_map.name, kwargs=_detail),
    TenantPage(route="improvement:action-list", make=_improvement_page_action_of,
               marker=lambda action: action.title),
    TenantPage(route="improvement:action-detail", make=_improvement_page_action_of,
               marker=lambda action: action.title, kwargs=_detail),
    TenantPage(
        route="improvement:demand-flow",
        make=lambda organization: _improvement_page_action_of(
            organization, source="demand_flow", demand_status="assessed", suggested=True
        ),
        marker=lambda action: action.title,
    ),
    TenantPage(route="improvement:benefits", make=_improvement_page_verified_of,
               marker=lambda action: action.title),
]

SHARED_RESOURCES = [
    SharedResource(
        "service-list", "service-detail", PublishedServiceFactory,
        actions=("service-publish", "service-retire"),
    ),
    SharedResource("value-process-list", "value-process-detail", ValueProcessFactory),
    SharedResource("skill-list", "skill-detail", SkillFactory),
    SharedResource("role-list", "role-detail", RoleFactory),
    SharedResource("category-list", "category-detail", CategoryFactory),
    SharedResource("certification-list", "certification-detail", CertificationFactory),
]

PUBLIC = {
    "login", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "healthz", "readyz", "auth-token", "schema", "api-docs",
    "favicon",
    # The public catalog: published services only, no tenant data.
    "catalog:home", "catalog:service-detail",
}
# The request form shows the signed-in user's own choices, never another organization's.
ACCOUNT = {"logout", "password_change", "password_change_done", "catalog:service-request"}
SELF = {"me"}
STAFF = {
    "user-list", "user-detail", "user-invite",
    # Staffing is the provider's business: needs, matches, proposals and weights.
    "engagement-from-request", "staffing-need-list", "staffing-need-detail",
    "staffing-need-cancel", "staffing-need-matches", "staffing-need-assign",
    "staffing-proposal-list", "staffing-proposal-detail", "staffing-proposal-accept",
    "matching-weights",
    # Pushing a batch of time entries is the provider's integration.
    "time-entry-bulk",
}
STAFF_NAMESPACES = {"admin"}


def known_route(name: str) -> bool:
    """Whether the matrix says how ``name`` is isolated."""
    if name.split(":", 1)[0] in STAFF_NAMESPACES:
        return True
    tenant = {r.list_route for r in TENANT_RESOURCES} | {r.detail_route for r in TENANT_RESOURCES}
    tenant |= {action for r in TENANT_RESOURCES for action in r.actions}
    tenant |= {page.route for page in TENANT_PAGES}
    return name in PUBLIC | ACCOUNT | SELF | STAFF | tenant | _shared_names()


def _shared_names() -> set[str]:
    return {
        name
        for resource in SHARED_RESOURCES
        for name in (resource.list_route, resource.detail_route, *resource.actions)
    }


def all_matrix_names() -> set[str]:
    names = set(PUBLIC | ACCOUNT | SELF | STAFF)
    for resource in TENANT_RESOURCES:
        names |= {resource.list_route, resource.detail_route, *resource.actions}
    names |= {page.route for page in TENANT_PAGES}
    return names | _shared_names()
