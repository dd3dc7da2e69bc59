"""Admin of objectives and demand: the demand workflow actions and the rejection page.

A demand added here is submitted through ``portfolio.services.demand_submit`` (its first
transition is stored like every later one); its status is read-only and moves only through
the list's actions, which call ``demand_transition`` for each selected demand and report each
refusal. Scope and scores can be changed while the demand is submitted or assessed, as the
service allows; after that the demand is a commitment and its page is read-only.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.html import format_html_join

from pmo_service.admin_helpers import (
    SameOrganizationInlineFormSet,
    ServiceAdminMixin,
    ServiceModelForm,
    VersionCheckedAdminMixin,
    apply_each,
)
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import services
from ..choices import DemandStatus
from ..models import (
    Application,
    Demand,
    DemandApplication,
    DemandObjective,
    DemandTransition,
    Objective,
    ObjectiveApplication,
)

# --- Objectives ---


class ObjectiveApplicationFormSet(SameOrganizationInlineFormSet):
    related_field = "application"


class ObjectiveApplicationInline(admin.TabularInline):
    """The applications through which the objective is met."""

    model = ObjectiveApplication
    formset = ObjectiveApplicationFormSet
    fields = ["application"]
    autocomplete_fields = ["application"]
    extra = 0
    verbose_name = "application serving this objective"
    verbose_name_plural = "applications serving this objective"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application")


@admin.register(Objective)
class ObjectiveAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """Objectives that demand serves are protected from deletion: drop them instead."""

    list_display = [
        "title", "organization", "period_start", "period_end", "status", "owner",
        "application_count",
    ]
    list_filter = ["status", ("organization", admin.RelatedOnlyFieldListFilter), "period_start"]
    list_select_related = ["organization", "owner"]
    search_fields = ["title", "description", "organization__name"]
    autocomplete_fields = ["organization", "owner"]
    inlines = [ObjectiveApplicationInline]
    fieldsets = [
        (None, {"fields": ["organization", "title", "description", "owner", "status"]}),
        ("Period", {"fields": ["period_start", "period_end"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            application_count=Count("applications", distinct=True)
        )

    def get_readonly_fields(self, request, obj=None):
        record = ["created_at", "updated_at"]
        return record if obj is None else ["organization", *record]

    @admin.display(description="Applications", ordering="application_count")
    def application_count(self, objective: Objective) -> int:
        return objective.application_count

    def save_through_service(self, *, actor, instance, data):
        # The linked applications are the inline's (checked against the organization there).
        if instance is None:
            return services.objective_create(actor=actor, **data)
        return services.objective_update(objective=instance, actor=actor, **data)

    def delete_model(self, request, obj) -> None:
        services.objective_delete(objective=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for objective in queryset:
            services.objective_delete(objective=objective, actor=request.user)


# --- Demand ---

SUBMIT_FIELDS = [
    "organization", "title", "description", "demand_type", "requester", "applications",
    "objectives", "business_value", "urgency", "risk_reduction", "effort", "target_date",
]
EDIT_FIELDS = [
    "title", "description", "demand_type", "requester", "business_value", "urgency",
    "risk_reduction", "effort", "target_date",
]
RECORD_FIELDS = [
    "organization", "status", "priority", "warnings", "submitted_by", "created_at",
    "updated_at",
]


def demand_is_editable(demand: Demand | None) -> bool:
    """Scope and scores change only before approval (``demand_update``'s rule)."""
    return demand is None or demand.status in services.EDITABLE_DEMAND_STATUSES


class DemandSubmitForm(ServiceModelForm):
    """A demand recorded by staff on a client's behalf, with the applications it is
    articulated on (at least one) and the objectives it serves, as ``demand_submit`` takes."""

    class Meta:
        model = Demand
        fields = SUBMIT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        admin_site = self.service_admin.admin_site

        def autocomplete(name: str, queryset, **options) -> forms.ModelMultipleChoiceField:
            widget = AutocompleteSelectMultiple(Demand._meta.get_field(name), admin_site)
            return forms.ModelMultipleChoiceField(queryset=queryset, widget=widget, **options)

        self.fields["applications"] = autocomplete(
            "applications", Application.objects.order_by("name"),
            help_text="The applications the demand is articulated on (at least one).",
        )
        self.fields["objectives"] = autocomplete(
            "objectives", Objective.objects.order_by("title"), required=False,
            help_text="The organization's objectives the demand serves.",
        )


class DemandLinkFormSet(SameOrganizationInlineFormSet):
    """Links of a demand to records of its own organization."""


class DemandApplicationFormSet(DemandLinkFormSet):
    related_field = "application"


class DemandObjectiveFormSet(DemandLinkFormSet):
    related_field = "objective"


class DemandLinkInline(admin.TabularInline):
    """Links can change while the demand is editable; afterwards they are read-only."""

    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return demand_is_editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return demand_is_editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return demand_is_editable(obj) and super().has_delete_permission(request, obj)


class DemandApplicationInline(DemandLinkInline):
    model = DemandApplication
    formset = DemandApplicationFormSet
    fields = ["application"]
    autocomplete_fields = ["application"]
    min_num = 1  # a demand is articulated on at least one application
    verbose_name = "application"
    verbose_name_plural = "applications the demand is articulated on"

    def get_formset(self, request, obj=None, **kwargs):
        # The admin passes min_num but not validate_min: without it, deleting every row
        # would pass.
        return super().get_formset(request, obj, validate_min=True, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application")


class DemandObjectiveInline(DemandLinkInline):
    model = DemandObjective
    formset = DemandObjectiveFormSet
    fields = ["objective"]
    autocomplete_fields = ["objective"]
    verbose_name = "objective"
    verbose_name_plural = "objectives the demand serves"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("objective")


class DemandTransitionInline(admin.TabularInline):
    """The demand's status changes with time and author: recorded by the workflow."""

    model = DemandTransition
    fields = ["from_status", "to_status", "actor", "at", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "status history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor").order_by("at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Stored with the transition; the requester sees it with the demand.",
    )


@admin.register(Demand)
class DemandAdmin(VersionCheckedAdminMixin, ServiceAdminMixin, NoRevertHistoryAdmin):
    """Demands are history for flow metrics: withdrawn or rejected, never deleted. A save
    based on a version someone else changed since the page was opened is refused."""

    list_display = [
        "title", "organization", "demand_type", "status", "priority", "requester",
        "target_date", "created_at",
    ]
    list_filter = [
        "status",
        "demand_type",
        ("organization", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["organization", "requester"]
    search_fields = [
        "title", "description", "organization__name", "requester__full_name",
        "applications__code", "applications__name",
    ]
    autocomplete_fields = ["organization", "requester"]
    date_hierarchy = "created_at"
    actions = [
        "mark_assessed", "approve", "schedule", "start", "mark_delivered", "reject",
        "withdraw",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_priority()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = DemandSubmitForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["organization", "title", "description", "demand_type",
                                   "requester"]}),
                ("Scope", {"fields": ["applications", "objectives", "target_date"]}),
                ("Priority (WSJF)", {"fields": ["business_value", "urgency",
                                                "risk_reduction", "effort"]}),
            ]
        return [
            (None, {"fields": ["organization", "title", "description", "demand_type",
                               "requester", "target_date"]}),
            ("Priority (WSJF)", {
                "description": "Priority = (business value + urgency + risk reduction) / "
                "effort.",
                "fields": ["business_value", "urgency", "risk_reduction", "effort", "priority"],
            }),
            ("Workflow", {
                "description": "The status moves with the actions of the demand list.",
                "fields": ["status", "warnings", "submitted_by", "created_at", "updated_at"],
            }),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return RECORD_FIELDS if demand_is_editable(obj) else [*RECORD_FIELDS, *EDIT_FIELDS]

    def get_inlines(self, request, obj):
        if obj is None:
            return []  # the add form names the applications and objectives
        return [DemandApplicationInline, DemandObjectiveInline, DemandTransitionInline]

    def has_change_permission(self, request, obj=None) -> bool:
        # An approved, scheduled or closed demand is read-only (the actions still move it).
        return demand_is_editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Priority", ordering="priority_value")
    def priority(self, demand: Demand) -> float:
        return getattr(demand, "priority_value", None) or demand.priority

    @admin.display(description="Warnings")
    def warnings(self, demand: Demand) -> str:
        warnings = demand.application_warnings()
        if not warnings:
            return "—"
        return format_html_join("", "<p>{}</p>", ((warning,) for warning in warnings))

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.demand_submit(actor=actor, **data)
        return services.demand_update(demand=instance, actor=actor, **data)

    # --- Workflow actions ---

    @staticmethod
    def _label(demand: Demand) -> str:
        return f"“{demand.title}” ({demand.organization})"

    def _move(self, request, queryset, to_status: DemandStatus, done: str, note: str = ""):
        apply_each(
            self, request, queryset.select_related("organization").order_by("pk"),
            lambda demand: services.demand_transition(
                demand=demand, actor=request.user, to_status=to_status, note=note
            ),
            label=self._label, done=done,
        )

    @admin.action(description="Mark selected demands assessed", permissions=["change"])
    def mark_assessed(self, request, queryset) -> None:
        self._move(request, queryset, DemandStatus.ASSESSED, "{count} demand(s) assessed.")

    @admin.action(description="Approve selected demands", permissions=["change"])
    def approve(self, request, queryset) -> None:
        self._move(request, queryset, DemandStatus.APPROVED, "{count} demand(s) approved.")

    @admin.action(description="Schedule selected demands", permissions=["change"])
    def schedule(self, request, queryset) -> None:
        self._move(request, queryset, DemandStatus.SCHEDULED, "{count} demand(s) scheduled.")

    @admin.action(description="Start selected demands", permissions=["change"])
    def start(self, request, queryset) -> None:
        self._move(request, queryset, DemandStatus.IN_PROGRESS, "{count} demand(s) started.")

    @admin.action(description="Mark selected demands delivered", permissions=["change"])
    def mark_delivered(self, request, queryset) -> None:
        self._move(request, queryset, DemandStatus.DELIVERED, "{count} demand(s) delivered.")

    @admin.action(description="Withdraw selected demands", permissions=["change"])
    def withdraw(self, request, queryset) -> None:
        self._move(request, queryset, DemandStatus.WITHDRAWN, "{count} demand(s) withdrawn.")

    @admin.action(description="Reject selected demands…", permissions=["change"])
    def reject(self, request, queryset):
        """Ask for the reason stored with the rejection, then reject each selected demand."""
        selected = queryset.select_related("organization").order_by("pk")
        form = RejectForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            self._move(request, queryset, DemandStatus.REJECTED, "{count} demand(s) rejected.",
                       note=form.cleaned_data["reason"])
            return None  # back to the list, where the messages show
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject demands",
            "opts": self.model._meta,
            "demands": selected,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/portfolio/demand/reject_confirmation.html",
                                context)
