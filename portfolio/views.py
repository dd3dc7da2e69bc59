"""Portal pages of the applications portfolio: the portfolio with its TIME chart, an
application, the demand board, a demand (with withdrawal), the submission form, objectives.

These are interfaces. Reads start from ``selectors`` and are scoped with ``for_user``
(pmo_service.api.scoping); a staff user's "organization" filter narrows that scope with the
mechanism's own ``for_organization``. Writes go through ``services``; ``reports`` shapes
what was read for the templates. Nothing here decides visibility or workflow rules.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, QuerySet, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView, TemplateView

from pmo_service.api.scoping import ScopedQuerysetMixin, scope_queryset
from pmo_service.exceptions import ConflictError
from pmo_service.portal import ForgivingPaginationMixin
from stakeholders.models import Organization, Stakeholder
from stakeholders.permissions import tenant_write_refusal
from stakeholders.tenancy import user_membership, user_sees_everything

from . import reports, selectors, services
from .choices import DemandStatus, ObjectiveStatus
from .forms import (
    ApplicationFilterForm,
    DemandFilterForm,
    DemandForm,
    ObjectiveFilterForm,
)
from .models import Application, Demand, Objective

# A contract ending within this many days is flagged on the application page.
CONTRACT_WARNING_DAYS = 180
# Identifiers in the address bar longer than this cannot be primary keys (and would overflow).
MAX_ID_DIGITS = 18



def _staff_organizations(user) -> QuerySet[Organization] | None:
    """Client organizations for the staff-only "organization" filter; None for clients."""
    if not user_sees_everything(user):
        return None
    return scope_queryset(Organization.objects.clients(), user).order_by("name")


def _id_from(value: str | None) -> int | None:
    """A primary key typed into the address bar, or None when it cannot be one."""
    if not value or not value.isdigit() or len(value) > MAX_ID_DIGITS:
        return None
    return int(value)


def _contract_status(contract_end: datetime.date | None, today: datetime.date) -> str:
    """"ended", "ending" (within CONTRACT_WARNING_DAYS) or "" for the application page."""
    if contract_end is None:
        return ""
    if contract_end < today:
        return "ended"
    if (contract_end - today).days <= CONTRACT_WARNING_DAYS:
        return "ending"
    return ""


# --- Applications ----------------------------------------------------------------------------


class ApplicationListView(
    LoginRequiredMixin, ForgivingPaginationMixin, ScopedQuerysetMixin, ListView
):
    """The portfolio: filters, the TIME chart of the filtered applications, and the table."""

    template_name = "portfolio/application_list.html"
    context_object_name = "applications"
    paginate_by = 25

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.organizations = _staff_organizations(request.user)
        self.filter_form = ApplicationFilterForm(
            request.GET or None, organizations=self.organizations
        )

    def base_queryset(self) -> QuerySet[Application]:
        return self.filter_form.apply(selectors.application_list())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = self.filter_form
        # The chart shows every class of the other filters' result, so it can be used to
        # choose one; it reads only what it draws.
        chart_rows = scope_queryset(
            form.apply(
                Application.objects.only(
                    "pk", "code", "name", "functional_fit", "technical_fit", "time_override"
                ),
                include_time=False,
            ),
            user,
        )
        filtered = form.has_filters()
        context.update(
            filter_form=form,
            filtered=filtered,
            time_filter=form.chosen_time_class(),
            chart=reports.time_chart(chart_rows),
            show_organization=self.organizations is not None
            and form.chosen_organization() is None,
            portfolio_total=(
                scope_queryset(Application.objects.all(), user).count()
                if filtered else context["paginator"].count
            ),
            can_submit_demand=tenant_write_refusal(user) is None,
        )
        return context


class ApplicationDetailView(LoginRequiredMixin, ScopedQuerysetMixin, DetailView):
    """One application: what it is, who owns it, its TIME assessment and cost, its place in
    the dependency graph, the demand on it and the objectives it serves."""

    template_name = "portfolio/application_detail.html"
    context_object_name = "application"

    def base_queryset(self) -> QuerySet[Application]:
        return selectors.application_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.object
        user = self.request.user
        context.update(
            neighbourhood=selectors.application_neighbourhood(application=application),
            # Prefetched with the application (same organization); highest priority first.
            demands=sorted(
                application.demands.all(),
                key=lambda demand: (-demand.priority, -demand.created_at.timestamp()),
            ),
            objectives=application.objectives.all(),
            contract_status=_contract_status(application.contract_end, timezone.localdate()),
            time_meaning=reports.TIME_MEANINGS.get(application.time_class, ""),
            can_submit_demand=tenant_write_refusal(user) is None,
            demand_url=(
                f"{reverse('portfolio:demand-create')}?application={application.pk}"
            ),
        )
        return context


# --- Demand ------------------------------------------------------------------------------


def _board_demands() -> QuerySet[Demand]:
    """Demands with priority and what a card shows. The selector's prefetches (objectives,
    history) are dropped: cards show neither; their applications are fetched by
    ``_with_applications`` for every card at once."""
    return selectors.demand_list().prefetch_related(None)


def _with_applications(demands: list[Demand]) -> list[Demand]:
    """Fetch the applications of all ``demands`` in one query (the cards and their warnings
    read them), whichever columns the demands come from."""
    prefetch_related_objects(
        demands, Prefetch("applications", Application.objects.order_by("code", "id"))
    )
    return demands


OPEN_ORDER = ("-priority_value", "-created_at", "-id")
CLOSED_ORDER = ("-updated_at", "-id")


class DemandBoardView(LoginRequiredMixin, TemplateView):
    """The demand board: one column per status in workflow order, highest priority first.

    Closed columns (delivered, rejected, withdrawn) show their latest cards; ``?status=``
    lists one status in full, paginated. The number of queries does not depend on the
    number of demands.
    """

    template_name = "portfolio/demand_board.html"
    page_size = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        organizations = _staff_organizations(user)
        applications = scope_queryset(
            Application.objects.select_related("organization").order_by("code", "id"), user
        )
        form = DemandFilterForm(
            self.request.GET or None, applications=applications, organizations=organizations
        )
        demands = scope_queryset(form.apply(_board_demands()), user)
        status = form.chosen_status()
        context.update(
            filter_form=form,
            filtered=form.has_filters(),
            show_organization=organizations is not None and form.chosen_organization() is None,
            can_submit_demand=tenant_write_refusal(user) is None,
        )
        if status:
            context.update(self._status_list(demands, DemandStatus(status)))
        else:
            context.update(self._board(demands))
        return context

    def _board(self, demands: QuerySet[Demand]) -> dict:
        totals = dict(
            demands.order_by().values_list("status").annotate(total=Count("pk", distinct=True))
        )
        open_demands = demands.filter(status__in=reports.OPEN_COLUMNS).order_by(*OPEN_ORDER)
        # The latest few of each closed status, in one query: rank within the status.
        latest_closed = (
            demands.filter(status__in=reports.CLOSED_COLUMNS)
            .annotate(recency=Window(
                RowNumber(), partition_by=[F("status")],
                order_by=[F("updated_at").desc(), F("id").desc()],
            ))
            .filter(recency__lte=reports.CLOSED_PREVIEW)
            .order_by(*CLOSED_ORDER)
        )
        columns = reports.demand_board(
            demands=_with_applications([*open_demands, *latest_closed]), totals=totals
        )
        open_columns = [column for column in columns if not column.closed]
        return {
            "open_columns": open_columns,
            "closed_columns": [column for column in columns if column.closed],
            "demand_total": sum(totals.values()),
            # Closed demand is folded away unless there is nothing open to look at.
            "open_total": sum(column.total for column in open_columns),
        }

    def _status_list(self, demands: QuerySet[Demand], status: DemandStatus) -> dict:
        order = CLOSED_ORDER if status in reports.CLOSED_COLUMNS else OPEN_ORDER
        paginator = Paginator(demands.filter(status=status).order_by(*order), self.page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return {
            "status": status,
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": page.has_other_pages(),
            "cards": [reports.DemandCard(demand, demand.application_warnings())
                      for demand in _with_applications(list(page.object_list))],
        }


class DemandCreateView(LoginRequiredMixin, FormView):
    """Submit a demand on applications of the user's organization (staff: of a client they
    choose first). ``?application=<id>`` preselects an application, as the application
    page's link does.

    Who may submit is ``stakeholders.permissions.tenant_write_refusal``'s decision; anyone
    else gets a 403 page saying why, instead of a form they cannot send.
    """

    template_name = "portfolio/demand_form.html"
    form_class = DemandForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        refusal = tenant_write_refusal(request.user)
        if refusal:
            return self.refuse(refusal)
        self.preselected = self._preselected_application()
        self.organization = self._organization()
        if self.organization is None:
            return self.choose_organization()
        return super().dispatch(request, *args, **kwargs)

    def _preselected_application(self) -> Application | None:
        pk = _id_from(self.request.GET.get("application"))
        if pk is None:
            return None
        return scope_queryset(
            Application.objects.select_related("organization"), self.request.user
        ).filter(pk=pk).first()

    def _organization(self) -> Organization | None:
        """The organization the demand is for: the client's own; for staff, the one chosen
        (``?organization=``) or the preselected application's."""
        user = self.request.user
        if not user_sees_everything(user):
            return user_membership(user).organization
        pk = _id_from(self.request.GET.get("organization"))
        if pk is not None:
            return _staff_organizations(user).filter(pk=pk).first()
        return self.preselected.organization if self.preselected else None

    def refuse(self, reason: str) -> HttpResponse:
        return render(
            self.request, "portfolio/demand_not_allowed.html", {"reason": reason}, status=403
        )

    def choose_organization(self) -> HttpResponse:
        """Staff first say which client the demand is for; the form then lists its data."""
        return render(self.request, "portfolio/demand_choose_organization.html", {
            "organizations": _staff_organizations(self.request.user),
            "invalid": "organization" in self.request.GET,
        })

    def get_form_kwargs(self):
        user, organization = self.request.user, self.organization
        return {
            **super().get_form_kwargs(),
            "applications": scope_queryset(
                Application.objects.order_by("code", "id"), user
            ).for_organization(organization.pk),
            "objectives": scope_queryset(
                Objective.objects.filter(status=ObjectiveStatus.ACTIVE)
                .order_by("-period_start", "title"), user,
            ).for_organization(organization.pk),
            "requesters": scope_queryset(
                Stakeholder.objects.active().order_by("full_name", "id"), user
            ).for_organization(organization.pk),
        }

    def get_initial(self):
        if self.preselected and self.preselected.organization_id == self.organization.pk:
            return {"applications": [self.preselected.pk]}
        return {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization,
            preselected=self.preselected,
            staff_view=user_sees_everything(self.request.user),
            back_url=(
                reverse("portfolio:application-detail", kwargs={"pk": self.preselected.pk})
                if self.preselected else reverse("portfolio:demand-board")
            ),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            demand = services.demand_submit(
                actor=self.request.user, organization=self.organization, **form.cleaned_data
            )
        except ValidationError as error:
            form.apply_service_errors(error)
            return self.form_invalid(form)
        except PermissionDenied as refusal:
            return self.refuse(str(refusal))
        messages.success(
            self.request,
            f"Your demand “{demand.title}” was submitted. The PMO team will assess it; its "
            "status and history are on this page.",
        )
        for warning in demand.application_warnings():
            messages.warning(
                self.request,
                f"Warning: {warning} Work on it may be wasted; the PMO team will weigh this "
                "when assessing the demand.",
            )
        return redirect("portfolio:demand-detail", pk=demand.pk)


class DemandDetailView(LoginRequiredMixin, ScopedQuerysetMixin, DetailView):
    """One demand: its content, WSJF priority with the formula, warnings, history, and the
    withdraw form for those the workflow lets withdraw it (posted to this same address)."""

    template_name = "portfolio/demand_detail.html"
    context_object_name = "demand"

    def base_queryset(self) -> QuerySet[Demand]:
        return selectors.demand_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        demand = self.object
        user = self.request.user
        context.update(
            priority_formula=reports.priority_formula(demand),
            warnings=demand.application_warnings(),
            can_withdraw=(
                DemandStatus.WITHDRAWN in services.demand_allowed_targets(demand=demand, user=user)
                and tenant_write_refusal(user) is None
            ),
            staff_view=user_sees_everything(user),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Withdraw the demand; the service decides, refusals come back as a message."""
        demand = self.get_object()
        note = request.POST.get("reason", "")[:2000]
        try:
            services.demand_transition(
                demand=demand, actor=request.user, to_status=DemandStatus.WITHDRAWN, note=note
            )
        except (ConflictError, PermissionDenied) as refusal:
            messages.error(request, f"The demand was not withdrawn: {refusal}")
        except ValidationError as error:
            messages.error(request, "The demand was not withdrawn: " + " ".join(error.messages))
        else:
            messages.success(request, "The demand was withdrawn. Its history is kept below.")
        return redirect("portfolio:demand-detail", pk=demand.pk)


# --- Objectives --------------------------------------------------------------------------------


class ObjectiveListView(
    LoginRequiredMixin, ForgivingPaginationMixin, ScopedQuerysetMixin, ListView
):
    """The organization's strategic objectives with how many applications and demands serve
    each, filterable by status and period."""

    template_name = "portfolio/objective_list.html"
    context_object_name = "objectives"
    paginate_by = 25

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.organizations = _staff_organizations(request.user)
        self.filter_form = ObjectiveFilterForm(
            request.GET or None, organizations=self.organizations
        )

    def base_queryset(self) -> QuerySet[Objective]:
        return self.filter_form.apply(selectors.objective_list(), today=timezone.localdate())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            filtered=self.filter_form.has_filters(),
            show_organization=self.organizations is not None
            and self.filter_form.chosen_organization() is None,
            today=timezone.localdate(),
            **kwargs,
        )


class ObjectiveDetailView(LoginRequiredMixin, ScopedQuerysetMixin, DetailView):
    """One objective: what it is, for when, who owns it, and the applications and demands
    that serve it."""

    template_name = "portfolio/objective_detail.html"
    context_object_name = "objective"

    def base_queryset(self) -> QuerySet[Objective]:
        return selectors.objective_list().prefetch_related(None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        objective = self.object
        user = self.request.user
        context.update(
            applications=scope_queryset(
                selectors.application_list().filter(objectives=objective), user
            ),
            demands=scope_queryset(
                Demand.objects.with_priority().filter(objectives=objective), user
            ).order_by("-priority_value", "-created_at", "-id"),
            today=timezone.localdate(),
        )
        return context
