"""Client portal pages of the engagements app: the organization's engagements, one engagement
with its delivery team, and the culture page (the client's culture beside the team's styles).

These are interfaces. Reads start from ``selectors`` (or ``reports`` for the portal's own
shapes) and are scoped with ``for_user`` (pmo_service.api.scoping); a staff user's
organization choice narrows that scope with the mechanism's own ``for_organization``.
Consultants reach the templates only as ``reports.PublicProfile``: never rates, notes, e-mail
or capacity. Nothing here decides visibility.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from catalog.choices import ServiceStatus
from catalog.models import Service
from pmo_service.api.scoping import ScopedQuerysetMixin, scope_queryset
from pmo_service.portal import ForgivingPaginationMixin
from portfolio.models import Application
from stakeholders.models import Organization
from stakeholders.permissions import tenant_write_refusal
from stakeholders.tenancy import user_membership, user_sees_everything

from . import reports, selectors
from .dashboard import engagement_dashboard
from .forms import CultureOrganizationForm, EngagementFilterForm
from .models import CultureAssessment, Engagement, EngagementTransition


def _no_organization(user) -> bool:
    """A signed-in client whose account belongs to no organization: nothing to show."""
    return not user_sees_everything(user) and user_membership(user) is None


class EngagementListView(
    LoginRequiredMixin, ForgivingPaginationMixin, ScopedQuerysetMixin, ListView
):
    """The organization's engagements (staff: every client's, with an organization filter),
    newest first, filterable by status, typology and text."""

    template_name = "engagements/engagement_list.html"
    context_object_name = "engagements"
    paginate_by = 25

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.filter_form = EngagementFilterForm(request.GET or None, user=request.user)

    def base_queryset(self) -> QuerySet[Engagement]:
        # The list shows services and the team's size, not the team: the selector's other
        # prefetches are dropped and the size is counted in the database. The metrics (health,
        # CPI, SPI, as of) come in the same query, joined.
        engagements = (
            selectors.engagement_list().select_related("metrics").prefetch_related(None)
            .prefetch_related(Prefetch("services", _services_by_name()))
        )
        return reports.with_team_size(engagements)

    def get_queryset(self) -> QuerySet[Engagement]:
        return self.filter_form.apply(super().get_queryset())

    def get_context_data(self, **kwargs):
        form = self.filter_form
        user = self.request.user
        filtered = form.filtered
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=form,
            filtered=filtered,
            staff_view=form.staff_view,
            chosen_organization=form.organization,
            show_organization=form.staff_view and form.organization is None,
            no_organization=_no_organization(user),
            engagement_total=(
                self._total() if filtered else context["paginator"].count
            ),
        )
        return context

    def _total(self) -> int:
        """Engagements before the filters (in the organization staff chose, if any)."""
        engagements = scope_queryset(Engagement.objects.all(), self.request.user)
        organization = self.filter_form.organization
        return (
            engagements.for_organization(organization.pk) if organization else engagements
        ).count()


def _services_by_name() -> QuerySet[Service]:
    return Service.objects.only("id", "name", "slug", "status").order_by("name", "id")


class EngagementDetailView(LoginRequiredMixin, ScopedQuerysetMixin, DetailView):
    """One engagement: status and its history, dates, services, applications in scope, the
    client's sponsor and Product Owner, the provider's Scrum Master and delivery team.

    Another organization's engagement is a 404: the queryset is scoped.
    """

    template_name = "engagements/engagement_detail.html"
    context_object_name = "engagement"

    def base_queryset(self) -> QuerySet[Engagement]:
        # The team is read separately, as public profiles; the selector's joins stay.
        return selectors.engagement_list().prefetch_related(None).prefetch_related(
            Prefetch("services", _services_by_name()),
            Prefetch("applications", _applications_by_code()),
            Prefetch("transitions", EngagementTransition.objects.select_related("actor")
                     .order_by("at", "id")),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.object
        user = self.request.user
        team = scope_queryset(reports.team_assignments(), user).filter(engagement=engagement)
        scrum_master = None
        if engagement.scrum_master_id:
            scrum_master = reports.public_profile(
                reports.public_consultants().get(pk=engagement.scrum_master_id)
            )
        staff_view = user_sees_everything(user)
        context.update(
            # Clients follow links to published services only; staff reach every one.
            services=[
                (service, staff_view or service.status == ServiceStatus.PUBLISHED)
                for service in engagement.services.all()
            ],
            team=reports.delivery_team(team, today=timezone.localdate()),
            scrum_master=scrum_master,
            staff_view=staff_view,
        )
        return context


class EngagementDashboardView(LoginRequiredMixin, ScopedQuerysetMixin, DetailView):
    """One engagement's dashboard: health and its reasons, EVM S-curve, CPI/SPI trend,
    burn-up, KPI, stakeholder and risk tiles, with the time the metrics are as of.

    Another organization's engagement is a 404: the queryset is scoped.
    """

    template_name = "engagements/engagement_dashboard.html"
    context_object_name = "engagement"

    def base_queryset(self) -> QuerySet[Engagement]:
        return Engagement.objects.select_related("organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = engagement_dashboard(engagement=self.object, today=timezone.localdate())
        context.update(
            dashboard=dashboard,
            chart_data=dashboard.chart_data(),
            staff_view=user_sees_everything(self.request.user),
        )
        return context


def _applications_by_code() -> QuerySet[Application]:
    return Application.objects.only("id", "code", "name", "organization").order_by("code", "id")


class CultureView(LoginRequiredMixin, TemplateView):
    """The client's culture in force (current and preferred, with the past assessments)
    beside the working styles of the consultants on its open engagements, each with their
    culture fit, as a chart and as a table.

    Clients see their own organization; staff choose one (an invalid choice is reported on
    the form and the page asks again).
    """

    template_name = "engagements/culture.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = CultureOrganizationForm(self.request.GET or None, user=user)
        organization = self._organization(form)
        context.update(
            form=form,
            staff_view=form.staff_view,
            organization=organization,
            no_organization=_no_organization(user),
            culture_meanings=[
                (reports.CULTURE_LABELS[kind], meaning)
                for kind, meaning in reports.CULTURE_MEANINGS.items()
            ],
        )
        if organization is None:
            return context
        assessment = selectors.culture_in_force(organization_id=organization.pk)
        assessments = list(scope_queryset(
            selectors.culture_assessment_list().prefetch_related(None)
            .filter(organization=organization), user,
        ))
        team = reports.team_culture_fit(
            scope_queryset(
                reports.culture_team_assignments(organization.pk, today=timezone.localdate()),
                user,
            ),
            scope_queryset(reports.culture_scrum_masters(organization.pk), user),
            assessment,
        )
        context.update(
            assessment=assessment,
            assessed_by=_assessor(assessment),
            dominant_current=(
                reports.dominant_label(assessment.current_profile) if assessment else ""
            ),
            dominant_preferred=(
                reports.dominant_label(assessment.preferred_profile) if assessment else ""
            ),
            trend=reports.assessment_trend(assessments),
            team=team,
            chart=reports.culture_chart(assessment, team) if assessment or team else None,
            can_record=tenant_write_refusal(user) is None,
        )
        return context

    def _organization(self, form: CultureOrganizationForm) -> Organization | None:
        user = self.request.user
        if form.staff_view:
            return form.organization
        membership = user_membership(user)
        return membership.organization if membership else None


def _assessor(assessment: CultureAssessment | None) -> str:
    """Who recorded the assessment, as the portal names people: staff as the PMO team."""
    if assessment is None:
        return ""
    actor = assessment.assessed_by
    name = actor.get_full_name()
    if actor.is_staff:
        return f"{name} (PMO team)" if name else "The PMO team"
    return name or actor.username
