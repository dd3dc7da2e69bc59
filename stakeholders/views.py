"""Client portal pages of the stakeholders app: the organization home, the power/interest
grid and register, the engagement assessment matrix, communications due and overdue, and the
risk heat map and list (with the stakeholder and risk pages)."""

from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, ListView

from pmo_service.api.scoping import ScopedQuerysetMixin, scope_queryset
from pmo_service.portal import ForgivingPaginationMixin

from . import reports, selectors
from .choices import EngagementLevel
from .forms import (
    CommunicationFilterForm,
    EngagementFilterForm,
    OrganizationFilterForm,
    RiskFilterForm,
    StakeholderFilterForm,
)
from .models import CommunicationPlan, Membership, Organization, Risk, Stakeholder
from .tenancy import user_membership


class HomeView(LoginRequiredMixin, ScopedQuerysetMixin, ListView):
    """A client's organization and its members; for PMO staff, every organization.

    Clients see their organization's profile and the people who can sign in for it. Staff
    get a searchable list of client organizations as their starting point. Anonymous
    visitors are sent to the public service catalog.
    """

    template_name = "stakeholders/home.html"
    paginate_by = 25

    def dispatch(self, request, *args, **kwargs):
        # Visitors start at the public catalog; the route is named, not imported, because
        # stakeholders sits below catalog in the app dependency order.
        if not request.user.is_authenticated:
            return redirect(reverse("catalog:home"))
        return super().dispatch(request, *args, **kwargs)

    def _search(self) -> str:
        return self.request.GET.get("q", "").strip()

    def base_queryset(self) -> QuerySet:
        if self.request.user.is_staff:
            return selectors.organization_list(search=self._search())
        membership = user_membership(self.request.user)
        if membership is None:
            return Membership.objects.none()
        return selectors.organization_members(organization=membership.organization)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["staff_view"] = self.request.user.is_staff
        context["search"] = self._search()
        context["organization_total"] = (
            Organization.objects.count() if self.request.user.is_staff else None
        )
        return context


# --- Stakeholder management pages -----------------------------------------------------------
#
# Read-only pages over the register, the communication plan and the risk register. Writes
# happen in the admin and the API. Every queryset goes through ``scope_queryset`` (a client
# sees their organization; PMO staff see all and may narrow to one with the organization
# filter, applied with the queryset's own ``for_organization``).


# The latest communications a stakeholder took part in, shown on their page.
RECENT_STAKEHOLDER_COMMUNICATIONS = 10



class RegisterPageMixin(LoginRequiredMixin):
    """Signed-in users only; the page's filter form and the organization staff narrowed to."""

    filter_form_class: type[OrganizationFilterForm] = OrganizationFilterForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.filter_form = self.filter_form_class(request.GET or None, user=request.user)
        self.organization = self.filter_form.organization
        return super().dispatch(request, *args, **kwargs)

    def in_chosen_organization(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` (already scoped) narrowed to the organization staff chose, if any."""
        if self.organization is None:
            return queryset
        return queryset.for_organization(self.organization.pk)

    def scoped(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` as the viewer may see it, narrowed to the chosen organization."""
        return self.in_chosen_organization(scope_queryset(queryset, self.request.user))

    def get_context_data(self, **kwargs):
        staff_view = self.filter_form.staff_view
        return super().get_context_data(
            filter_form=self.filter_form,
            staff_view=staff_view,
            chosen_organization=self.organization,
            # Rows of several organizations say which one they belong to.
            show_organization=staff_view and self.organization is None,
            organization_query=(
                "?" + urlencode({"organization": self.organization.pk})
                if self.organization else ""
            ),
            no_organization=not staff_view and user_membership(self.request.user) is None,
            **kwargs,
        )


class RegisterListView(
    RegisterPageMixin, ForgivingPaginationMixin, ScopedQuerysetMixin, ListView
):
    """A paginated list page: ``base_queryset()`` scoped, then narrowed to the organization."""

    paginate_by = 25

    def get_queryset(self) -> QuerySet:
        return self.in_chosen_organization(super().get_queryset())


class StakeholderGridView(RegisterListView):
    """Mendelow's power/interest grid and, below it, the stakeholder register.

    The grid shows the active stakeholders matching the relationship and search filters in
    all four quadrants; the quadrant filter narrows the register only (the grid highlights
    the chosen quadrant instead of emptying the others).
    """

    template_name = "stakeholders/stakeholder_grid.html"
    context_object_name = "stakeholders"
    filter_form_class = StakeholderFilterForm

    def base_queryset(self) -> QuerySet[Stakeholder]:
        return reports.filter_stakeholders(
            selectors.stakeholder_list(), **self.filter_form.filters()
        )

    def get_context_data(self, **kwargs):
        filters = self.filter_form.filters()
        grid = reports.power_interest_grid(
            reports.filter_stakeholders(
                self.scoped(Stakeholder.objects.select_related("organization")),
                relationship=filters["relationship"], search=filters["search"],
            )
        )
        return super().get_context_data(
            grid=grid,
            grid_total=sum(quadrant.count for quadrant in grid),
            grid_filtered=bool(filters["relationship"] or filters["search"]),
            chosen_quadrant=filters["quadrant"],
            thresholds=reports.grid_thresholds(),
            filtered=self.filter_form.filtered,
            **kwargs,
        )


class RegisterDetailView(RegisterPageMixin, ScopedQuerysetMixin, DetailView):
    """A page about one row; another organization's row is a 404 (the queryset is scoped)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["staff_view"]:
            # Links back to the lists open them on this row's organization.
            context["organization_query"] = "?" + urlencode(
                {"organization": self.object.organization_id}
            )
        return context


class StakeholderDetailView(RegisterDetailView):
    """One stakeholder: profile, quadrant, engagement history and trend, plans and risks."""

    template_name = "stakeholders/stakeholder_detail.html"
    context_object_name = "stakeholder"

    def base_queryset(self) -> QuerySet[Stakeholder]:
        return selectors.stakeholder_list()

    def get_context_data(self, **kwargs):
        stakeholder = self.object
        user = self.request.user
        assessments = list(scope_queryset(
            selectors.engagement_assessment_list().filter(stakeholder=stakeholder), user
        ))
        plans = scope_queryset(
            selectors.communication_plan_list_with_last_held().active()
            .filter(stakeholders=stakeholder),
            user,
        )
        trend = reports.engagement_trend(assessments)
        return super().get_context_data(
            history=reports.assessment_history(assessments),
            trend=trend,
            trend_arrow=reports.TREND_ARROWS[trend],
            gap_text=reports.engagement_gap_text(stakeholder.engagement_gap_value),
            quadrant_guidance=reports.QUADRANT_GUIDANCE[stakeholder.quadrant],
            plans=reports.scheduled_plans(plans, today=timezone.localdate()),
            owned_risks=scope_queryset(selectors.risk_list().filter(owner=stakeholder), user),
            linked_risks=scope_queryset(
                selectors.risk_list().filter(stakeholders=stakeholder), user
            ),
            communications=scope_queryset(
                selectors.communication_list().filter(participants=stakeholder), user
            )[:RECENT_STAKEHOLDER_COMMUNICATIONS],
            **kwargs,
        )


class EngagementMatrixView(RegisterListView):
    """The PMBOK stakeholder engagement assessment matrix of the active stakeholders."""

    template_name = "stakeholders/engagement_matrix.html"
    context_object_name = "stakeholders"
    filter_form_class = EngagementFilterForm

    def base_queryset(self) -> QuerySet[Stakeholder]:
        stakeholders = reports.with_latest_assessments(selectors.stakeholder_list().active())
        if self.filter_form.only_with_gap:
            stakeholders = stakeholders.exclude(engagement_gap_value=0)
        return stakeholders

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=reports.engagement_matrix_rows(context["object_list"]),
            levels=EngagementLevel,
            filtered=self.filter_form.only_with_gap,
        )
        return context


class CommunicationsView(RegisterListView):
    """Planned communications, overdue first, then due soon, then later; and the recent log."""

    template_name = "stakeholders/communications.html"
    context_object_name = "plans"
    filter_form_class = CommunicationFilterForm

    def base_queryset(self) -> QuerySet[CommunicationPlan]:
        # Soonest due first and ad-hoc last, so overdue plans lead every page.
        return selectors.communication_plan_list_with_last_held().active()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        due_counts = reports.communication_due_counts(
            self.scoped(CommunicationPlan.objects.active()), today=today
        )
        context.update(
            due_soon_days=reports.DUE_SOON_DAYS,
            recent_limit=reports.RECENT_COMMUNICATIONS,
            due_counts=due_counts,
            # Sections of this page, each with its size over every page.
            schedule=[
                (section, due_counts[section.status])
                for section in reports.communication_schedule(
                    context["object_list"], today=today
                )
            ],
            recent_communications=self.scoped(
                selectors.communication_list()
            )[:reports.RECENT_COMMUNICATIONS],
        )
        return context


class RiskListView(RegisterListView):
    """The 5x5 risk heat map and the risk list, filtered alike.

    The heat map counts the risks of every filter except probability and impact: choosing a
    cell adds those two, and the list then holds exactly the cell's count.
    """

    template_name = "stakeholders/risk_list.html"
    context_object_name = "risks"
    filter_form_class = RiskFilterForm

    def base_queryset(self) -> QuerySet[Risk]:
        return reports.filter_risks(selectors.risk_list(), **self.filter_form.filters())

    def get_context_data(self, **kwargs):
        heat_map = reports.risk_heat_map(
            reports.filter_risks(
                self.scoped(Risk.objects.all()), **self.filter_form.filters(with_cell=False)
            )
        )
        return super().get_context_data(
            heat_map=heat_map,
            heat_map_total=sum(cell.count for row in heat_map for cell in row.cells),
            impact_columns=reports.impact_columns(),
            rating_legend=reports.risk_rating_legend(),
            chosen_cell=self.filter_form.cell,
            chosen_probability=(self.filter_form.cell or (None, None))[0],
            chosen_impact=(self.filter_form.cell or (None, None))[1],
            filtered=self.filter_form.filtered,
            **kwargs,
        )


class RiskDetailView(RegisterDetailView):
    """One risk with everything recorded about it."""

    template_name = "stakeholders/risk_detail.html"
    context_object_name = "risk"

    def base_queryset(self) -> QuerySet[Risk]:
        return selectors.risk_list()

    def get_context_data(self, **kwargs):
        risk = self.object
        return super().get_context_data(
            probability_label=reports.PROBABILITY_LABELS[risk.probability],
            impact_label=reports.IMPACT_LABELS[risk.impact],
            **kwargs,
        )
