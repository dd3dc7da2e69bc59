"""Admin of engagements: the record, its staffing needs and team, the workflow actions (with a
reason page for cancelling) and the page that turns an accepted service request into one.

Every write is a service call (``engagements.services``): the engagement itself
(``engagement_create``/``engagement_update``), each need row (``staffing_need_create``/
``_update``) and each team row (``assignment_create``/``_update``/``_delete``), so capacity
and the engagement's window hold here as in the API: an over-allocated row comes back with
its error on the page. Closed and cancelled engagements are history and read-only.

The change page also shows the iterations (written by ``iteration_create``/``_update``), the
deliverables (read-only rows linking to their own page) and a read-only "Metrics" panel; the
list's "Recompute metrics" action recomputes the selected engagements' metrics now.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from catalog.choices import RequestStatus
from catalog.models import ServiceRequest
from pmo_service.admin_helpers import (
    SERVICE_ERRORS,
    ReadOnlyInline,
    ServiceAdminMixin,
    VersionCheckedAdminMixin,
    add_service_error,
    apply_each,
)
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import services
from ..choices import EngagementStatus, NeedStatus
from ..metrics import compute as metrics_compute
from ..models import (
    Assignment,
    Deliverable,
    Engagement,
    EngagementMetrics,
    EngagementTransition,
    Iteration,
    StaffingNeed,
)
from .common import ServiceInlineFormSet, ServiceInlineMixin

FINAL_STATUSES = (EngagementStatus.CLOSED, EngagementStatus.CANCELLED)
OUTCOME_STATUSES = (EngagementStatus.CLOSING, EngagementStatus.CLOSED)


def engagement_is_editable(engagement: Engagement | None) -> bool:
    """Closed and cancelled engagements are history (``engagement_update``'s rule)."""
    return engagement is None or engagement.status not in FINAL_STATUSES


def matches_link(need: StaffingNeed) -> str:
    url = reverse("admin:engagements_staffingneed_matches", args=[need.pk])
    return format_html('<a href="{}">Matching candidates</a>', url)


# --- Inlines ---


class EditableWhileOpen:
    """Inline rows change while the engagement is not closed or cancelled."""

    def has_add_permission(self, request, obj=None) -> bool:
        return engagement_is_editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return engagement_is_editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return engagement_is_editable(obj) and super().has_delete_permission(request, obj)


class StaffingNeedFormSet(ServiceInlineFormSet):
    def create_row(self, form) -> StaffingNeed:
        data = form.cleaned_data
        return services.staffing_need_create(
            engagement=self.instance, actor=self.actor, role=data["role"],
            seniority=data["seniority"], allocation_percent=data["allocation_percent"],
            start_on=data["start_on"], end_on=data["end_on"], language=data.get("language", ""),
        )

    def update_row(self, form, stored: StaffingNeed, changes: dict) -> StaffingNeed:
        return services.staffing_need_update(need=stored, actor=self.actor, **changes)


class StaffingNeedInline(EditableWhileOpen, ServiceInlineMixin, admin.TabularInline):
    """Open roles; required skills are set on each need's page ("Change")."""

    model = StaffingNeed
    formset = StaffingNeedFormSet
    fields = [
        "role", "seniority", "language", "allocation_percent", "start_on", "end_on", "status",
        "candidates",
    ]
    readonly_fields = ["status", "candidates"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "staffing needs (open roles)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("role")

    @admin.display(description="Candidates")
    def candidates(self, need: StaffingNeed) -> str:
        if need.pk is None or need.status != NeedStatus.OPEN:
            return "—"
        return matches_link(need)


class AssignmentFormSet(ServiceInlineFormSet):
    """The team. A new row is checked against the consultant's capacity by
    ``assignment_create``; a stored row changes its role, allocation or dates only (to
    replace a person, delete the row before it starts and add another)."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "staffing_need" in form.fields:
            form.fields["staffing_need"].queryset = (
                StaffingNeed.objects.filter(engagement=self.instance).select_related("role")
                if self.instance.pk else StaffingNeed.objects.none()
            )
        if form.instance.pk is not None:
            for name in ("consultant", "staffing_need"):
                if name in form.fields:
                    form.fields[name].disabled = True

    def create_row(self, form) -> Assignment:
        data = form.cleaned_data
        return services.assignment_create(
            actor=self.actor, engagement=self.instance, consultant=data["consultant"],
            role=data["role"], allocation_percent=data["allocation_percent"],
            start_on=data["start_on"], end_on=data["end_on"],
            staffing_need=data.get("staffing_need"),
        )

    def update_row(self, form, stored: Assignment, changes: dict) -> Assignment:
        return services.assignment_update(assignment=stored, actor=self.actor, **changes)

    def delete_row(self, form, stored: Assignment) -> None:
        services.assignment_delete(assignment=stored, actor=self.actor)


class AssignmentInline(EditableWhileOpen, ServiceInlineMixin, admin.TabularInline):
    model = Assignment
    formset = AssignmentFormSet
    fields = ["consultant", "role", "allocation_percent", "start_on", "end_on", "staffing_need"]
    autocomplete_fields = ["consultant"]
    extra = 0
    verbose_name = "team member"
    verbose_name_plural = "team (assignments)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "consultant", "role", "staffing_need__role"
        )


class EngagementTransitionInline(ReadOnlyInline):
    """The engagement's status changes, with who made them and why."""

    model = EngagementTransition
    fields = ["from_status", "to_status", "actor", "at", "note"]
    verbose_name_plural = "status history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor").order_by("at", "id")


class IterationFormSet(ServiceInlineFormSet):
    """The engagement's iterations, numbered and dated by ``iteration_create``/``_update``."""

    def create_row(self, form) -> Iteration:
        data = {name: form.cleaned_data[name] for name in ITERATION_INLINE_FIELDS
                if name in form.cleaned_data}
        return services.iteration_create(engagement=self.instance, actor=self.actor, **data)

    def update_row(self, form, stored: Iteration, changes: dict) -> Iteration:
        return services.iteration_update(iteration=stored, actor=self.actor, **changes)


ITERATION_INLINE_FIELDS = ["number", "start_on", "end_on", "goal", "status"]


class IterationInline(EditableWhileOpen, ServiceInlineMixin, admin.TabularInline):
    """Iterations (few per engagement); review notes are on each iteration's page."""

    model = Iteration
    formset = IterationFormSet
    fields = ITERATION_INLINE_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("engagement")  # the rows' names


class DeliverableInline(ReadOnlyInline):
    """The backlog at a glance; each deliverable is changed (and accepted) on its own page."""

    model = Deliverable
    fields = ["title", "iteration_number", "kind", "story_points", "budget",
              "percent_complete", "status"]
    show_change_link = True
    verbose_name_plural = "deliverables (change them on their own page)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("iteration")

    @admin.display(description="Iteration")
    def iteration_number(self, deliverable: Deliverable):
        return deliverable.iteration.number if deliverable.iteration_id else "—"


def metrics_panel(engagement: Engagement) -> str:
    """The engagement's stored metrics: health with its reasons, the main figures and when
    they were computed (``templates/admin/engagements/engagement/metrics_panel.html``)."""
    metrics = EngagementMetrics.objects.filter(engagement=engagement).first()
    figures = metrics.figures if metrics is not None else {}
    main = [
        (label, figures.get(name) or {})
        for name, label in METRICS_PANEL_FIGURES
    ]
    return render_to_string("admin/engagements/engagement/metrics_panel.html", {
        "engagement": engagement,
        "metrics": metrics,
        "figures": [
            {"label": label, "value": figure.get("value"), "reason": figure.get("reason", "")}
            for label, figure in main
        ],
        "reasons": figures.get("reasons") or [],
        "links": [
            (label, reverse(f"admin:engagements_{model}_changelist")
             + f"?engagement__id__exact={engagement.pk}")
            for model, label in (
                ("iteration", "Iterations"), ("deliverable", "Deliverables"),
                ("timeentry", "Time entries"), ("expense", "Expenses"),
                ("kpimeasurement", "KPI measurements"),
                ("metricssnapshot", "Daily snapshots"),
            )
        ],
    })


METRICS_PANEL_FIGURES = (
    ("bac", "BAC"), ("pv", "PV"), ("ev", "EV"), ("ac", "AC"), ("cpi", "CPI"), ("spi", "SPI"),
    ("eac", "EAC"), ("vac", "VAC"), ("velocity", "Velocity"),
)


# --- Forms of the extra pages ---


class CancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Stored with the status change; the client sees the engagement cancelled.",
    )


class FromRequestForm(forms.Form):
    """The accepted request to start from and what the request does not say."""

    service_request = forms.ModelChoiceField(
        label="Accepted request", queryset=ServiceRequest.objects.none(),
        empty_label="Choose an accepted request",
    )
    title = forms.CharField(
        required=False, max_length=200,
        help_text="Blank: “<service> for <client>”.",
    )
    planned_start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Blank: the start the client asked for.",
    )
    planned_end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Blank: the start plus the service's typical duration.",
    )
    budget_at_completion = forms.DecimalField(
        label="Budget at completion (EUR)", required=False, min_value=0, max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args, requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_request"].queryset = requests

    def service_data(self) -> dict:
        """The given values as the service's keyword arguments (blank: its default)."""
        return {name: value for name, value in self.cleaned_data.items()
                if value not in (None, "")}


def requests_without_engagement():
    """Accepted service requests that have not become an engagement yet."""
    return (
        ServiceRequest.objects.filter(status=RequestStatus.ACCEPTED, engagement__isnull=True)
        .select_related("service", "organization", "tier").order_by("desired_start", "pk")
    )


# --- The engagement admin ---


@admin.register(Engagement)
class EngagementAdmin(VersionCheckedAdminMixin, ServiceAdminMixin, NoRevertHistoryAdmin):
    """Engagements are history: cancelled or closed, never deleted. A save based on a
    version someone else changed since the page was opened is refused (no lost update)."""

    list_display = [
        "title", "organization", "status", "planned_start", "planned_end",
        "budget_at_completion", "team_size", "typology",
    ]
    list_filter = [
        "status", ("organization", admin.RelatedOnlyFieldListFilter), "typology",
        "planned_start",
    ]
    list_select_related = ["organization"]
    search_fields = [
        "title", "description", "organization__name", "assignments__consultant__full_name",
    ]
    autocomplete_fields = [
        "organization", "services", "applications", "sponsor", "product_owner", "scrum_master",
    ]
    date_hierarchy = "planned_start"
    actions = [
        "to_staffing", "to_active", "to_closing", "to_closed", "cancel", "recompute_metrics",
    ]
    change_list_template = "admin/engagements/engagement/change_list.html"
    change_form_template = "admin/engagements/engagement/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            team_size_value=Count("assignments__consultant", distinct=True)
        )

    @admin.display(description="Team", ordering="team_size_value")
    def team_size(self, engagement: Engagement) -> int:
        return engagement.team_size_value

    def get_fieldsets(self, request, obj=None):
        client = ["organization", "title", "description", "typology", "services", "applications"]
        if obj is not None:
            client += ["status", "service_request"]
        return [
            (None, {"fields": client}),
            ("Plan", {"fields": ["planned_start", "planned_end", "budget_at_completion"]}),
            ("People", {
                "description": "Sponsor and Product Owner are the client's stakeholders; the "
                "Scrum Master is a consultant of the bench.",
                "fields": ["sponsor", "product_owner", "scrum_master"],
            }),
            *([("Metrics", {"fields": ["metrics_summary"]})] if obj is not None else []),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["organization", "status", "service_request", "metrics_summary"]

    def get_inlines(self, request, obj):
        if obj is None:
            return []  # needs and the team are added once the engagement exists
        return [
            StaffingNeedInline, AssignmentInline, IterationInline, DeliverableInline,
            EngagementTransitionInline,
        ]

    def has_change_permission(self, request, obj=None) -> bool:
        return engagement_is_editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.engagement_create(actor=actor, **data)
        return services.engagement_update(engagement=instance, actor=actor, **data)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        engagement = self.get_object(request, object_id)
        can_record_outcome = (
            engagement is not None and engagement.status in OUTCOME_STATUSES
            and not hasattr(engagement, "outcome")
        )
        extra_context = {**(extra_context or {}), "can_record_outcome": can_record_outcome}
        return super().change_view(request, object_id, form_url, extra_context)

    # --- Workflow actions ---

    def _move(self, request, queryset, to_status: EngagementStatus, done: str, note: str = ""):
        apply_each(
            self, request, queryset.select_related("organization").order_by("pk"),
            lambda engagement: services.engagement_transition(
                engagement=engagement, actor=request.user, to_status=to_status, note=note
            ),
            label=lambda engagement: f"“{engagement.title}” ({engagement.organization})",
            done=done,
        )

    @admin.action(description="Move selected engagements to staffing", permissions=["change"])
    def to_staffing(self, request, queryset) -> None:
        self._move(request, queryset, EngagementStatus.STAFFING,
                   "{count} engagement(s) now staffing.")

    @admin.action(description="Start selected engagements (active)", permissions=["change"])
    def to_active(self, request, queryset) -> None:
        self._move(request, queryset, EngagementStatus.ACTIVE, "{count} engagement(s) started.")

    @admin.action(description="Start closing selected engagements", permissions=["change"])
    def to_closing(self, request, queryset) -> None:
        self._move(request, queryset, EngagementStatus.CLOSING,
                   "{count} engagement(s) now closing.")

    @admin.action(description="Close selected engagements", permissions=["change"])
    def to_closed(self, request, queryset) -> None:
        self._move(request, queryset, EngagementStatus.CLOSED, "{count} engagement(s) closed.")

    @admin.action(description="Cancel selected engagements…", permissions=["change"])
    def cancel(self, request, queryset):
        """Ask for the reason stored with the cancellation, then cancel each engagement."""
        selected = queryset.select_related("organization").order_by("pk")
        form = CancelForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            self._move(request, queryset, EngagementStatus.CANCELLED,
                       "{count} engagement(s) cancelled.", note=form.cleaned_data["reason"])
            return None  # back to the list, where the messages show
        context = {
            **self.admin_site.each_context(request),
            "title": "Cancel engagements",
            "opts": self.model._meta,
            "engagements": selected,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/engagements/engagement/cancel_confirmation.html", context
        )

    @admin.display(description="Metrics")
    def metrics_summary(self, engagement: Engagement) -> str:
        return metrics_panel(engagement)

    @admin.action(description="Recompute metrics of selected engagements",
                  permissions=["change"])
    def recompute_metrics(self, request, queryset) -> None:
        """Recompute now (the background task does the same after every input change)."""
        count = metrics_compute.recompute_engagements(queryset.values_list("pk", flat=True))
        self.message_user(request, f"Metrics recomputed for {count} engagement(s).",
                          messages.SUCCESS)

    # --- From an accepted service request ---

    def get_urls(self):
        from_request = path(
            "from-request/", self.admin_site.admin_view(self.from_request_view),
            name="engagements_engagement_from_request",
        )
        return [from_request, *super().get_urls()]

    def from_request_view(self, request):
        """List the accepted requests without an engagement and create one from the chosen
        request (``engagement_create_from_request``); ``?request=<pk>`` preselects it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        requests = requests_without_engagement()
        if request.method == "POST":
            form = FromRequestForm(request.POST, requests=requests)
            if form.is_valid():
                data = form.service_data()
                try:
                    engagement = services.engagement_create_from_request(
                        actor=request.user, **data
                    )
                except SERVICE_ERRORS as error:
                    add_service_error(form, error)
                else:
                    self.log_addition(request, engagement, [{"added": {}}])
                    self.message_user(
                        request,
                        f"The engagement “{engagement.title}” was created from the request; "
                        "add its staffing needs below.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:engagements_engagement_change", args=[engagement.pk])
                    )
        else:
            initial = {}
            chosen = request.GET.get("request", "")
            if chosen.isdigit() and requests.filter(pk=int(chosen)).exists():
                initial["service_request"] = int(chosen)
            form = FromRequestForm(initial=initial, requests=requests)
        context = {
            **self.admin_site.each_context(request),
            "title": "Create an engagement from an accepted request",
            "opts": self.model._meta,
            "form": form,
            "requests": requests,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/engagements/engagement/from_request.html",
                                context)
