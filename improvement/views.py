"""Portal pages of continuous improvement: process maps (drawn, analysed, compared with the
version they replace), the demand flow, the improvement board, an action, the benefits.

These are interfaces. Reads start from ``selectors`` (scoped to the user with ``for_user``);
a staff user's organization choice narrows that scope with ``for_organization``. Writes go
through ``services``; ``reports`` shapes what was read for the templates.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from pmo_service.exceptions import ConflictError
from pmo_service.portal import ForgivingPaginationMixin
from portfolio.choices import DemandStatus
from stakeholders.models import Organization
from stakeholders.permissions import check_tenant_writer, tenant_write_refusal
from stakeholders.tenancy import user_membership, user_sees_everything

from . import reports, selectors, services
from .analysis import analyse_process, compare_versions
from .choices import OPEN_ACTION_STATUSES, SHORT_TERM_DAYS, ActionSource, ActionStatus
from .flow import demand_flow
from .forms import (
    ActionFilterForm,
    ActionTransitionForm,
    BenefitsPeriodForm,
    PeriodForm,
    ProcessMapFilterForm,
)
from .models import ImprovementAction, ImprovementActionTransition, ProcessMap, ProcessStep


def _no_organization(user) -> bool:
    """A signed-in client whose account belongs to no organization: nothing to show."""
    return not user_sees_everything(user) and user_membership(user) is None


def _chosen_organization(form, user) -> Organization | None:
    """The organization a one-organization page shows: the one staff chose, a client's own."""
    if form.staff_view:
        return form.organization
    membership = user_membership(user)
    return membership.organization if membership else None


def _refusal_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# --- Process maps ---------------------------------------------------------------------------


class ProcessMapListView(LoginRequiredMixin, ForgivingPaginationMixin, ListView):
    """The organization's process maps (staff: every client's), latest versions first."""

    template_name = "improvement/process_map_list.html"
    context_object_name = "process_maps"
    paginate_by = 25

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.filter_form = ProcessMapFilterForm(request.GET or None, user=request.user)

    def get_queryset(self) -> QuerySet[ProcessMap]:
        return self.filter_form.apply(
            selectors.process_map_list(user=self.request.user)
            .annotate(newer_versions=Exists(ProcessMap.objects.filter(replaces=OuterRef("pk"))))
        )

    def get_context_data(self, **kwargs):
        form = self.filter_form
        return super().get_context_data(
            filter_form=form,
            filtered=form.filtered,
            show_organization=form.staff_view and form.organization is None,
            no_organization=_no_organization(self.request.user),
            **kwargs,
        )


class ProcessMapDetailView(LoginRequiredMixin, DetailView):
    """One process map version drawn as a flow of steps, its value-stream figures and
    constraint, the comparison with the version it replaces, and the suggested action for
    its bottleneck (writers may ask for one: POST to this address)."""

    template_name = "improvement/process_map_detail.html"
    context_object_name = "process_map"

    def get_queryset(self) -> QuerySet[ProcessMap]:
        return (
            selectors.process_map_list(user=self.request.user)
            .select_related("replaces")
            .prefetch_related(
                Prefetch("steps", ProcessStep.objects.order_by("position")),
                Prefetch("replaces__steps", ProcessStep.objects.order_by("position")),
                Prefetch("replaced_by", ProcessMap.objects.order_by("version", "id")),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        process_map = self.object
        user = self.request.user
        steps = list(process_map.steps.all())
        result = analyse_process(steps)
        previous = process_map.replaces
        comparison = None
        if previous is not None:
            comparison = compare_versions(analyse_process(list(previous.steps.all())), result)
        constraint_step = next(
            (s for s in steps if s.position == result.constraint_position), None
        )
        band, band_text = reports.pce_band(result.pce)
        context.update(
            analysis=result,
            boxes=reports.step_boxes(steps, result),
            constraint_step=constraint_step,
            tied_steps=[s for s in steps if s.position in result.tied_positions[1:]],
            pce_percent=reports.percent(result.pce.value),
            rty_percent=reports.percent(result.rty.value),
            pce_band=band,
            pce_band_text=band_text,
            previous=previous,
            newer=list(process_map.replaced_by.all()),
            comparison=comparison,
            comparison_rows=reports.comparison_rows(comparison) if comparison else [],
            suggestion=self._suggestion(constraint_step),
            can_suggest=constraint_step is not None and tenant_write_refusal(user) is None,
            staff_view=user_sees_everything(user),
        )
        return context

    def _suggestion(self, step: ProcessStep | None) -> ImprovementAction | None:
        """The latest suggested action for the constraint step (open ones first)."""
        if step is None:
            return None
        actions = ImprovementAction.objects.for_user(self.request.user).filter(
            process_step=step, suggested=True
        )
        return (
            actions.filter(status__in=OPEN_ACTION_STATUSES).order_by("-created_at").first()
            or actions.order_by("-created_at").first()
        )

    def post(self, request, *args, **kwargs):
        """Suggest an action for the bottleneck: the open suggestion if one exists."""
        process_map = self.get_object()
        try:
            check_tenant_writer(request.user)
            suggestions = services.suggest_actions_for_process_map(process_map=process_map)
        except (PermissionDenied, ValidationError, ConflictError) as refusal:
            messages.error(request, f"No action was suggested: {_refusal_text(refusal)}")
            return redirect("improvement:process-map-detail", pk=process_map.pk)
        if not suggestions:
            messages.info(request, "This map has no constraint step, so there is nothing to "
                                   "suggest yet.")
            return redirect("improvement:process-map-detail", pk=process_map.pk)
        messages.success(request, "Here is the suggested action for the bottleneck. It is a "
                                  "proposal: the PMO team approves it before work starts.")
        return redirect("improvement:action-detail", pk=suggestions[0].pk)


# --- Demand flow ----------------------------------------------------------------------------


class DemandFlowView(LoginRequiredMixin, TemplateView):
    """How demand flows through its statuses over a period: time in each status, lead times,
    weekly throughput and WIP, and the status where work waits longest (with a button to
    suggest an action for it). Staff choose the organization; bad input is a form error."""

    template_name = "improvement/demand_flow.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = PeriodForm(self.request.GET or None, user=user, today=timezone.localdate())
        organization = _chosen_organization(form, user)
        period = form.period()
        context.update(
            form=form, staff_view=form.staff_view, organization=organization,
            no_organization=_no_organization(user), period=period,
        )
        if organization is None or period is None:
            return context
        flow = demand_flow(organization_id=organization.pk, start=period[0], end=period[1])
        suggestions = list(
            ImprovementAction.objects.for_user(user)
            .for_organization(organization.pk)
            .filter(source=ActionSource.DEMAND_FLOW, status__in=OPEN_ACTION_STATUSES)
            .order_by("-created_at", "-id")
        )
        bottleneck_status = flow.bottleneck.status if flow.bottleneck else ""
        context.update(
            flow=flow,
            chart=reports.flow_chart(flow),
            bottleneck_share=reports.percent(
                flow.bottleneck.share_of_lead_time if flow.bottleneck else None
            ),
            suggestions=suggestions,
            bottleneck_suggestion=next(
                (a for a in suggestions if a.demand_status == bottleneck_status), None
            ),
            can_suggest=bool(bottleneck_status) and tenant_write_refusal(user) is None,
        )
        return context

    def post(self, request, *args, **kwargs):
        """Suggest an action for the flow's bottleneck over the period posted."""
        user = request.user
        form = PeriodForm(request.POST, user=user, today=timezone.localdate())
        organization = _chosen_organization(form, user)
        period = form.period()
        if organization is None or period is None:
            messages.error(request, "No action was suggested: choose an organization and a "
                                    "valid period.")
            return redirect("improvement:demand-flow")
        flow = demand_flow(organization_id=organization.pk, start=period[0], end=period[1])
        if flow.bottleneck is None:
            messages.info(request, f"No action was suggested: {flow.bottleneck_reason}")
            return redirect("improvement:demand-flow")
        try:
            check_tenant_writer(user)
            action = services.suggest_action_for_demand_status(
                organization=organization, status=flow.bottleneck.status,
                evidence=reports.bottleneck_evidence(flow),
            )
        except (PermissionDenied, ValidationError, ConflictError) as refusal:
            messages.error(request, f"No action was suggested: {_refusal_text(refusal)}")
            return redirect("improvement:demand-flow")
        messages.success(request, "Here is the suggested action for the flow's bottleneck. "
                                  "It is a proposal: the PMO team approves it.")
        return redirect("improvement:action-detail", pk=action.pk)


# --- Improvement actions --------------------------------------------------------------------


class ActionBoardView(LoginRequiredMixin, TemplateView):
    """The improvement board: a column per status in workflow order, highest WSJF first.

    Each column shows its first ``BOARD_COLUMN_LIMIT`` cards (ranked in SQL), with the total;
    the number of queries does not depend on the number of actions.
    """

    template_name = "improvement/action_board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = ActionFilterForm(self.request.GET or None, user=user)
        actions = form.apply(selectors.improvement_action_list(user=user))
        totals = dict(
            actions.order_by().values_list("status").annotate(total=Count("pk"))
        )
        ranked = actions.annotate(rank=Window(
            RowNumber(), partition_by=[F("status")],
            order_by=[F("wsjf_value").desc(), F("cost_of_delay_value").desc(),
                      F("target_date").asc(nulls_last=True), F("id").asc()],
        )).filter(rank__lte=reports.BOARD_COLUMN_LIMIT)
        columns = reports.action_board(ranked, totals)
        today = timezone.localdate()
        context.update(
            filter_form=form,
            filtered=form.filtered,
            show_organization=form.staff_view and form.organization is None,
            no_organization=_no_organization(user),
            columns=columns,
            action_total=sum(totals.values()),
            column_limit=reports.BOARD_COLUMN_LIMIT,
            short_term_days=SHORT_TERM_DAYS,
            today=today,
        )
        return context


class ActionDetailView(LoginRequiredMixin, DetailView):
    """One improvement action: problem, proposal, the evidence of its suggestion, WSJF, the
    expected and measured benefit, its history; staff move it (POST to this address)."""

    template_name = "improvement/action_detail.html"
    context_object_name = "action"

    def get_queryset(self) -> QuerySet[ImprovementAction]:
        return selectors.improvement_action_list(user=self.request.user).select_related(
            "process_step__process_map"
        ).prefetch_related(Prefetch(
            "transitions",
            ImprovementActionTransition.objects.select_related("actor").order_by("at", "id"),
        ))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.object
        user = self.request.user
        targets = services.improvement_action_allowed_targets(action=action, user=user)
        context.update(
            wsjf=reports.wsjf_breakdown(action),
            evidence=reports.evidence_rows(action.evidence or {}),
            target_warning=action.target_date_warning(),
            demand_status_label=(
                DemandStatus(action.demand_status).label
                if action.demand_status in DemandStatus.values else action.demand_status
            ),
            transitions=list(action.transitions.all()),
            targets=[ActionStatus(target) for target in targets],
            staff_view=user_sees_everything(user),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Move the action; the service decides, refusals come back as messages."""
        self.object = action = self.get_object()
        form = ActionTransitionForm(request.POST)
        allowed = services.improvement_action_allowed_targets(action=action, user=request.user)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else None
                label = label or field.replace("_", " ").strip().capitalize()
                messages.error(request, f"The action was not moved: {label}: "
                                        f"{' '.join(errors)}")
            return redirect("improvement:action-detail", pk=action.pk)
        to_status = form.cleaned_data["to_status"]
        if to_status not in allowed:
            reason = (
                "only the PMO team moves improvement actions through their workflow."
                if not user_sees_everything(request.user)
                else f"a {action.get_status_display().lower()} action cannot become "
                     f"{ActionStatus(to_status).label.lower()}."
            )
            messages.error(request, f"The action was not moved: {reason}")
            return redirect("improvement:action-detail", pk=action.pk)
        try:
            services.improvement_action_transition(
                action=action, to_status=to_status, actor=request.user,
                note=form.cleaned_data["note"],
                measured_hours_saved_per_month=form.cleaned_data[
                    "measured_hours_saved_per_month"],
                measured_kpi_delta=form.cleaned_data["measured_kpi_delta"],
            )
        except (ConflictError, PermissionDenied, ValidationError) as refusal:
            messages.error(request, f"The action was not moved: {_refusal_text(refusal)}")
        else:
            messages.success(
                request, f"The action is now {ActionStatus(to_status).label.lower()}."
            )
        return redirect("improvement:action-detail", pk=action.pk)


# --- Benefits -------------------------------------------------------------------------------


class BenefitsView(LoginRequiredMixin, TemplateView):
    """Hours saved per month by verified actions, by month of verification, with totals and
    the actions behind them. Staff choose the organization."""

    template_name = "improvement/benefits.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = BenefitsPeriodForm(
            self.request.GET or None, user=user, today=timezone.localdate()
        )
        organization = _chosen_organization(form, user)
        period = form.period()
        context.update(
            form=form, staff_view=form.staff_view, organization=organization,
            no_organization=_no_organization(user), period=period,
        )
        if organization is None or period is None:
            return context
        start, end = period
        rows = selectors.benefits_realized(organization_id=organization.pk, start=start,
                                           end=end)
        verified = (
            ImprovementAction.objects.for_user(user).for_organization(organization.pk)
            .filter(status=ActionStatus.VERIFIED, verified_at__date__gte=start,
                    verified_at__date__lte=end)
            .only("pk", "title", "verified_at", "measured_hours_saved_per_month",
                  "measured_kpi_delta", "organization_id")
            .order_by("-verified_at", "-id")
        )
        context.update(
            rows=rows,
            chart=reports.benefits_chart(rows),
            totals=reports.benefits_totals(rows),
            verified=list(verified),
        )
        return context
