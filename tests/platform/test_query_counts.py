"""Query-count guard: every list endpoint and list page costs the same for 2 rows as for 30.

A list route the registry below does not know fails the test, so each new list is guarded.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagements.choices import DeliverableStatus, EngagementStatus, ExpenseCategory
from engagements.metrics.compute import recompute_engagement
from engagements.models import (
    CultureAnswer,
    Deliverable,
    Expense,
    Iteration,
    KpiMeasurement,
    ProposalLine,
    StaffingProposal,
    TimeEntry,
)
from engagements.models.matching import DEFAULT_WEIGHTS
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
    ConsultantFitRatingFactory,
    ConsultantLanguageFactory,
    ConsultantSectorFactory,
    ConsultantSkillFactory,
    CriterionFactory,
    CultureAssessmentFactory,
    DayRateFactory,
    DemandFactory,
    EngagementAssessmentFactory,
    EngagementFactory,
    EngagementOutcomeFactory,
    IndicatorFactory,
    ObjectiveFactory,
    OrganizationFactory,
    PublishedServiceFactory,
    RiskFactory,
    RoleFactory,
    ServiceRequestFactory,
    ServiceRoleSkillFactory,
    SkillFactory,
    StaffingNeedFactory,
    StaffingNeedSkillFactory,
    StaffUserFactory,
    StakeholderFactory,
    TechnologyFactory,
    ValueProcessFactory,
)
from tests.routes import iter_routes

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ListCase:
    route: str
    as_staff: bool
    build: Callable[[int, object], None]  # (rows, the requesting user's organization)
    api: bool = True
    anonymous: bool = False  # public routes: measured without signing in


def _organizations(rows, _organization):
    OrganizationFactory.create_batch(rows)


def _users(rows, _organization):
    for _ in range(rows):
        ClientUserFactory(membership__organization=OrganizationFactory())


def _members(rows, organization):
    ClientUserFactory.create_batch(rows, membership__organization=organization)


def _services(rows, _organization):
    """Published services with everything a listing or the admin might touch per row."""
    processes = ValueProcessFactory.create_batch(2)
    for _ in range(rows):
        service = PublishedServiceFactory()
        service.value_processes.set(processes)
        CriterionFactory(service=service)
        IndicatorFactory(service=service)
        ServiceRoleSkillFactory(service_role__service=service)


def _requests(rows, organization):
    for _ in range(rows):
        request = ServiceRequestFactory(organization=organization)
        # A second history entry, so prefetching transitions is exercised.
        request.transitions.create(from_status="submitted", to_status="in_review",
                                   actor=request.requested_by)


def _stakeholders(rows, organization):
    """Stakeholders with an owner, assessments, plans, log entries and risks touching them."""
    for _ in range(rows):
        stakeholder = StakeholderFactory(organization=organization)
        EngagementAssessmentFactory(stakeholder=stakeholder, current="resistant")
        EngagementAssessmentFactory(stakeholder=stakeholder)
        plan = CommunicationPlanFactory(organization=organization)
        plan.stakeholders.add(stakeholder)
        CommunicationFactory(organization=organization, plan=plan).participants.add(stakeholder)
        risk = RiskFactory(organization=organization, owner=stakeholder)
        risk.stakeholders.add(stakeholder)


def _portfolio(rows, organization):
    """Applications with owners, technologies, dependencies, objectives and demands."""
    owner = StakeholderFactory(organization=organization)
    hub = ApplicationFactory(organization=organization)
    for index in range(rows):
        application = ApplicationFactory(
            organization=organization, business_owner=owner, technical_owner=owner,
            functional_fit=1 + index % 4, technical_fit=1 + (index // 4) % 4,
        )
        application.technologies.add(TechnologyFactory(name=f"Tech {index % 3}"))
        ApplicationDependencyFactory(source=application, target=hub)
        objective = ObjectiveFactory(organization=organization, owner=owner)
        objective.applications.add(application)
        demand = DemandFactory(organization=organization, applications=[application, hub],
                               requester=owner)
        demand.objectives.add(objective)


def _engagements(rows, organization):
    """Engagements of the organization, each with a fully profiled consultant on the team
    (skills, language, sector, certification, two rates), a staffing need with a skill, a
    culture assessment with answers, an outcome with a rating and a proposal line."""
    staff = StaffUserFactory()
    for index in range(rows):
        engagement = EngagementFactory(organization=organization, status=EngagementStatus.CLOSED,
                                       sponsor=StakeholderFactory(organization=organization))
        engagement.services.add(PublishedServiceFactory())
        engagement.applications.add(ApplicationFactory(organization=organization))
        engagement.transitions.create(from_status="", to_status="proposed", actor=staff)
        consultant = ConsultantFactory()
        engagement.scrum_master = consultant
        engagement.save()
        ConsultantSkillFactory(consultant=consultant)
        ConsultantLanguageFactory(consultant=consultant)
        ConsultantSectorFactory(consultant=consultant)
        consultant.certifications.create(certification=CertificationFactory())
        DayRateFactory(consultant=consultant)
        DayRateFactory(consultant=consultant, valid_from="2024-01-01")
        need = StaffingNeedFactory(engagement=engagement)
        StaffingNeedSkillFactory(need=need)
        AssignmentFactory(engagement=engagement, consultant=consultant, staffing_need=need)
        assessment = CultureAssessmentFactory(organization=organization, source="questionnaire")
        CultureAnswer.objects.create(assessment=assessment, question=1, points_clan=25,
                                     points_adhocracy=25, points_market=25,
                                     points_hierarchy=25)
        outcome = EngagementOutcomeFactory(engagement=engagement)
        ConsultantFitRatingFactory(outcome=outcome, consultant=consultant)
        proposal = StaffingProposal.objects.create(
            total_score=80, greedy_total_score=70, needs_considered=1, needs_filled=1,
            greedy_needs_filled=1, weights=DEFAULT_WEIGHTS, solve_ms=index, created_by=staff,
        )
        ProposalLine.objects.create(proposal=proposal, need=need, consultant=consultant,
                                    score=80, breakdown={}, greedy_consultant=consultant)


def _delivery(rows, organization):
    """Engagements of the organization with an iteration, a deliverable accepted by a
    stakeholder, a time entry, an expense, a KPI measurement and their metrics each."""
    staff = StaffUserFactory()
    for index in range(rows):
        engagement = EngagementFactory(organization=organization, status=EngagementStatus.ACTIVE)
        start = engagement.planned_start
        iteration = Iteration.objects.create(engagement=engagement, number=1, start_on=start,
                                             end_on=start)
        deliverable = Deliverable.objects.create(
            engagement=engagement, iteration=iteration, title=f"Item {index}",
            planned_start=start, planned_finish=start, percent_complete=100,
            status=DeliverableStatus.ACCEPTED, accepted_at=timezone.now(),
            accepted_by=StakeholderFactory(organization=organization),
        )
        TimeEntry.objects.create(engagement=engagement, consultant=ConsultantFactory(),
                                 deliverable=deliverable, worked_on=start, hours=8, cost=600)
        Expense.objects.create(engagement=engagement, spent_on=start, amount=40,
                               category=ExpenseCategory.TRAVEL)
        indicator = IndicatorFactory()
        engagement.services.add(indicator.service)
        KpiMeasurement.objects.create(engagement=engagement, indicator=indicator,
                                      period_start=start, period_end=start, value=1,
                                      recorded_by=staff)
        recompute_engagement(engagement.pk)  # current metrics and a snapshot


def _batch(factory):
    return lambda rows, _organization: factory.create_batch(rows)


CASES = [
    ListCase("organization-list", as_staff=True, build=_organizations),
    ListCase("user-list", as_staff=True, build=_users),
    ListCase("portal:home", as_staff=True, build=_organizations, api=False),
    ListCase("portal:home", as_staff=False, build=_members, api=False),
    ListCase("admin:stakeholders_organization_changelist", True, _users, api=False),
    ListCase("admin:stakeholders_user_changelist", True, _users, api=False),
    ListCase("admin:stakeholders_membership_changelist", True, _users, api=False),
    ListCase("service-list", as_staff=False, build=_services, anonymous=True),
    ListCase("service-list", as_staff=True, build=_services),
    ListCase("value-process-list", as_staff=False, build=_batch(ValueProcessFactory)),
    ListCase("skill-list", as_staff=False, build=_batch(SkillFactory)),
    ListCase("role-list", as_staff=False, build=_batch(RoleFactory)),
    ListCase("category-list", as_staff=False, build=_batch(CategoryFactory)),
    ListCase("certification-list", as_staff=False, build=_batch(CertificationFactory)),
    ListCase("service-request-list", as_staff=False, build=_requests),
    ListCase("service-request-list", as_staff=True, build=_requests),
    ListCase("catalog:home", as_staff=False, build=_services, api=False, anonymous=True),
    ListCase("catalog:home", as_staff=False, build=_services, api=False),
    ListCase("catalog:request-list", as_staff=False, build=_requests, api=False),
    ListCase("admin:catalog_service_changelist", True, _services, api=False),
    ListCase("admin:catalog_servicerole_changelist", True, _services, api=False),
    ListCase("admin:catalog_servicerequest_changelist", True, _requests, api=False),
    ListCase("admin:catalog_valueprocess_changelist", True, _services, api=False),
    ListCase("admin:catalog_category_changelist", True, _services, api=False),
    ListCase("admin:catalog_skill_changelist", True, _services, api=False),
    ListCase("admin:catalog_role_changelist", True, _services, api=False),
    ListCase("admin:catalog_certification_changelist", True, _batch(CertificationFactory),
             api=False),
    *[
        case
        for route in ("stakeholder-list", "engagement-assessment-list",
                      "communication-plan-list", "communication-list", "risk-list")
        for case in (ListCase(route, False, _stakeholders), ListCase(route, True, _stakeholders))
    ],
    *[
        case
        for route in ("application-list", "application-dependency-list", "objective-list",
                      "demand-list")
        for case in (ListCase(route, False, _portfolio), ListCase(route, True, _portfolio))
    ],
    *[
        case
        for route in ("consultant-list", "engagement-list", "assignment-list",
                      "culture-assessment-list", "engagement-outcome-list")
        for case in (ListCase(route, False, _engagements), ListCase(route, True, _engagements))
    ],
    *[
        case
        for route in ("iteration-list", "deliverable-list", "time-entry-list", "expense-list",
                      "kpi-measurement-list")
        for case in (ListCase(route, False, _delivery), ListCase(route, True, _delivery))
    ],
    *[
        ListCase(f"admin:engagements_{model}_changelist", True, _delivery, api=False)
        for model in ("iteration", "deliverable", "timeentry", "expense", "kpimeasurement",
                      "engagementmetrics", "metricssnapshot")
    ],
    # The portfolio dashboard: open engagements, each with its metrics row.
    ListCase("admin:engagements_engagementhealth_changelist", True, _delivery, api=False),
    ListCase("staffing-need-list", as_staff=True, build=_engagements),
    ListCase("staffing-proposal-list", as_staff=True, build=_engagements),
    *[
        ListCase("engagements:engagement-list", as_staff, _engagements, api=False)
        for as_staff in (False, True)
    ],
    *[
        ListCase(f"admin:engagements_{model}_changelist", True, _engagements, api=False)
        for model in ("consultant", "engagement", "staffingneed", "staffingproposal",
                      "cultureassessment", "engagementoutcome")
    ],
    *[
        ListCase(route, as_staff, _stakeholders, api=False)
        for route in ("portal:stakeholder-grid", "portal:engagement-matrix",
                      "portal:communications", "portal:risk-list")
        for as_staff in (False, True)
    ],
    *[
        ListCase(route, as_staff, _portfolio, api=False)
        for route in ("portfolio:application-list", "portfolio:demand-board",
                      "portfolio:objective-list", "portfolio:demand-create")
        for as_staff in (False, True)
    ],
    *[
        ListCase(f"admin:stakeholders_{model}_changelist", True, _stakeholders, api=False)
        for model in ("stakeholder", "engagementassessment", "communicationplan",
                      "communication", "risk")
    ],
    *[
        ListCase(f"admin:portfolio_{model}_changelist", True, _portfolio, api=False)
        for model in ("application", "applicationdependency", "technology", "objective",
                      "demand")
    ],
]


def _improvement(rows, organization):
    """Process maps with steps, and improvement actions with an owner, a step, a KPI, an
    engagement and a transition each, plus one open suggestion per map."""
    from improvement.choices import ActionSource, ActionStatus
    from improvement.models import ImprovementActionTransition
    from tests.factories.improvement import (
        ImprovementActionFactory,
        ProcessMapFactory,
        ProcessStepFactory,
    )

    staff = StaffUserFactory()
    engagement = EngagementFactory(organization=organization)
    for _ in range(rows):
        process_map = ProcessMapFactory(organization=organization, engagement=engagement,
                                        owner=StakeholderFactory(organization=organization))
        step = ProcessStepFactory(process_map=process_map, position=1)
        ProcessStepFactory(process_map=process_map, position=2)
        action = ImprovementActionFactory(
            organization=organization, engagement=engagement, owner=staff,
            source=ActionSource.PROCESS_STEP, process_step=step,
            expected_kpi=IndicatorFactory(), expected_kpi_delta=1,
        )
        ImprovementActionTransition.objects.create(
            action=action, from_status=ActionStatus.PROPOSED, to_status=ActionStatus.APPROVED,
            actor=staff,
        )
        ImprovementActionFactory(organization=organization, suggested=True,
                                 source=ActionSource.PROCESS_STEP, process_step=step)


CASES += [
    case
    for route in ("process-map-list", "improvement-action-list", "improvement-suggestion-list")
    for case in (ListCase(route, False, _improvement), ListCase(route, True, _improvement))
]


def _improvement_pages(rows, organization):
    """For the improvement pages: process maps with steps (every other one redesigned), and
    actions in every status with an owner, an engagement and a step each."""
    from improvement.choices import ActionSource, ActionStatus
    from tests.factories.improvement import (
        ImprovementActionFactory,
        ProcessMapFactory,
        ProcessStepFactory,
    )

    staff = StaffUserFactory()
    engagement = EngagementFactory(organization=organization)
    statuses = list(ActionStatus)
    for index in range(rows):
        process_map = ProcessMapFactory(organization=organization, engagement=engagement,
                                        owner=StakeholderFactory(organization=organization))
        step = ProcessStepFactory(process_map=process_map, position=1)
        if index % 2:
            ProcessMapFactory(organization=organization, name=process_map.name, version=2,
                              replaces=process_map)
        status = statuses[index % len(statuses)]
        ImprovementActionFactory(
            organization=organization, engagement=engagement, owner=staff,
            source=ActionSource.PROCESS_STEP, process_step=step, status=status,
            business_value=1 + index % 20,
            verified_at=timezone.now() if status == ActionStatus.VERIFIED else None,
            measured_hours_saved_per_month=4 if status == ActionStatus.VERIFIED else None,
            discard_reason="No longer needed." if status == ActionStatus.DISCARDED else "",
        )


CASES += [
    ListCase(route, as_staff, _improvement_pages, api=False)
    for route in ("improvement:process-map-list", "improvement:action-list")
    for as_staff in (False, True)
]


def _improvement_admin(rows, organization):
    """For the improvement admin: process maps with steps (each redesigned by a version 2
    that the list analyses too), and actions with an owner, an engagement, a step, a target
    past the short term and a transition each."""
    from datetime import timedelta

    from improvement.choices import ActionSource, ActionStatus
    from improvement.models import ImprovementActionTransition
    from tests.factories.improvement import (
        ImprovementActionFactory,
        ProcessMapFactory,
        ProcessStepFactory,
    )

    staff = StaffUserFactory()
    engagement = EngagementFactory(organization=organization)
    for _ in range(rows):
        before = ProcessMapFactory(organization=organization, engagement=engagement)
        after = ProcessMapFactory(organization=organization, name=before.name, version=2,
                                  replaces=before)
        step = ProcessStepFactory(process_map=before, position=1)
        ProcessStepFactory(process_map=after, position=1)
        action = ImprovementActionFactory(
            organization=organization, engagement=engagement, owner=staff,
            source=ActionSource.PROCESS_STEP, process_step=step,
            target_date=timezone.localdate() + timedelta(days=120),
        )
        ImprovementActionTransition.objects.create(
            action=action, from_status=ActionStatus.PROPOSED, to_status=ActionStatus.APPROVED,
            actor=staff,
        )


CASES += [
    ListCase(f"admin:improvement_{model}_changelist", True, _improvement_admin, api=False)
    for model in ("processmap", "improvementaction")
]

def _sign_in_records(rows, _organization):
    """Sign-in lockout records (django-axes), as staff review them in the admin."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = timezone.now()
    start = AccessAttempt.objects.count()  # built twice per test: names stay unique
    for number in range(start, start + rows):
        address = f"203.0.113.{number % 250}"
        AccessAttempt.objects.create(
            username=f"guess{number}", ip_address=address, user_agent="bot", attempt_time=now,
            get_data="", post_data="", http_accept="*/*", path_info="/accounts/login/",
            failures_since_start=number % 7,
        )
        AccessLog.objects.create(
            username=f"guess{number}", ip_address=address, user_agent="bot",
            attempt_time=now, http_accept="*/*", path_info="/accounts/login/",
        )
        AccessFailureLog.objects.create(
            username=f"guess{number}", ip_address=address, user_agent="bot",
            attempt_time=now, http_accept="*/*", path_info="/accounts/login/",
            locked_out=False,
        )


# Not ours to guard (axes' own admin), but staff use them: guarded all the same.
CASES += [
    ListCase(f"admin:axes_{model}_changelist", True, _sign_in_records, api=False)
    for model in ("accessattempt", "accesslog", "accessfailurelog")
]

OUR_APPS = ("stakeholders", "catalog", "portfolio", "engagements", "improvement")
# Changelists of singletons redirect to their one row: there is no list to grow.
SINGLETONS = {"admin:engagements_matchingweights_changelist"}


def test_every_list_route_is_guarded():
    guarded = {case.route for case in CASES}
    lists = {
        route.name for route in iter_routes()
        if route.name.endswith("-list") or route.name.endswith("_changelist")
    }
    # Admin changelists of history tables and Django's own models are not ours to guard.
    lists = {
        name for name in lists
        if not name.startswith("admin:") or name.split(":")[1].split("_")[0] in OUR_APPS
    }
    missing = sorted(lists - guarded - SINGLETONS)
    assert not missing, f"List routes without a query-count case: {missing}"


def _count(client, url: str, api: bool) -> int:
    params = {"page_size": 50} if api else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.mark.parametrize(
    "case", CASES, ids=lambda case: f"{case.route}-"
    + ("anonymous" if case.anonymous else "staff" if case.as_staff else "client")
)
def test_query_count_does_not_grow_with_rows(case, client, staff_user, user_a, org_a):
    if not case.anonymous:
        client.force_login(staff_user if case.as_staff else user_a)
    url = reverse(case.route)
    case.build(2, org_a)
    small = _count(client, url, case.api)
    case.build(28, org_a)
    large = _count(client, url, case.api)
    assert small == large, f"{case.route}: {small} queries for few rows, {large} for 30"
