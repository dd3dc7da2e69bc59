"""Admin of improvement actions: ranked by WSJF, moved through their workflow by list actions.

An action added here is proposed through ``improvement_action_create`` and changed through
``improvement_action_update`` while it is open; verified and discarded actions are closed and
read-only. The status moves only through the list's actions, each a call of
``improvement_action_transition`` per selected action with every refusal reported on its
own. Verifying needs the measured benefit and discarding a reason: those two actions ask for
them on an intermediate page first, as the demand list's "Reject" does.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html

from pmo_service.admin_helpers import ReadOnlyInline, ServiceAdminMixin, apply_each
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import services
from ..choices import OPEN_ACTION_STATUSES, SHORT_TERM_DAYS, ActionStatus
from ..models import ImprovementAction, ImprovementActionTransition

ADD_FIELDS = [
    "organization", "engagement", "source", "process_step", "demand_status", "title",
    "problem", "proposal", "owner", "business_value", "time_criticality", "risk_reduction",
    "job_size", "pdca_phase", "target_date", "expected_hours_saved_per_month", "expected_kpi",
    "expected_kpi_delta",
]
DETECTION_FIELDS = ["organization", "source", "process_step", "demand_status", "evidence"]
RECORD_FIELDS = [
    "status", "suggested", "wsjf", "cost_of_delay", "target_date_warning",
    "measured_hours_saved_per_month", "measured_kpi_delta", "verified_at", "discard_reason",
    "created_at", "updated_at",
]


def action_is_open(action: ImprovementAction | None) -> bool:
    """Verified and discarded actions are closed (``improvement_action_update``'s rule)."""
    return action is None or action.status in OPEN_ACTION_STATUSES


class ImprovementActionTransitionInline(ReadOnlyInline):
    """The action's status changes with time, author and note: recorded by the workflow."""

    model = ImprovementActionTransition
    fields = ["from_status", "to_status", "actor", "at", "note"]
    verbose_name_plural = "status history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor").order_by("at", "id")


class VerifyForm(forms.Form):
    """The benefit measured after the change: hours saved per month, or the KPI delta."""

    measured_hours_saved_per_month = forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=8, decimal_places=2,
        label="Measured hours saved per month",
    )
    measured_kpi_delta = forms.DecimalField(
        required=False, max_digits=12, decimal_places=4, label="Measured KPI delta",
        help_text="Only for actions that name the KPI they should move.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def clean(self):
        cleaned_data = super().clean()
        if (cleaned_data.get("measured_hours_saved_per_month") is None
                and cleaned_data.get("measured_kpi_delta") is None and not self.errors):
            raise forms.ValidationError(
                "Give the measured benefit: hours saved per month or the KPI delta."
            )
        return cleaned_data


class DiscardForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Stored with the transition and on the action.",
    )


@admin.register(ImprovementAction)
class ImprovementActionAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """Actions with a status history are kept: discard them instead of deleting."""

    list_display = [
        "title", "organization", "status", "pdca_phase", "wsjf", "cost_of_delay", "source",
        "suggested", "target", "owner",
    ]
    list_filter = [
        "status", "source", "pdca_phase", ("organization", admin.RelatedOnlyFieldListFilter),
        "suggested", ("engagement", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["organization", "owner"]
    search_fields = ["title", "problem", "proposal", "organization__name"]
    autocomplete_fields = ["organization", "engagement", "owner"]
    raw_id_fields = ["process_step", "expected_kpi"]
    inlines = [ImprovementActionTransitionInline]
    actions = ["approve", "start", "mark_done", "verify", "discard"]

    def get_queryset(self, request):
        # Not super(): it orders by get_ordering() before the annotations exist.
        return ImprovementAction.objects.with_wsjf().order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        # Highest WSJF first (annotations, so not in ``ordering``, which the admin checks
        # against model fields).
        return ["-wsjf_value", "-cost_of_delay_value", "target_date", "id"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["organization", "engagement", "title", "problem",
                                   "proposal", "owner"]}),
                ("Source", {"fields": ["source", "process_step", "demand_status"]}),
                ("Priority (WSJF)", {"fields": ["business_value", "time_criticality",
                                                "risk_reduction", "job_size"]}),
                ("Plan", {"fields": ["pdca_phase", "target_date",
                                     "expected_hours_saved_per_month", "expected_kpi",
                                     "expected_kpi_delta"]}),
            ]
        return [
            (None, {"fields": ["organization", "engagement", "title", "problem", "proposal",
                               "owner"]}),
            ("Source", {"fields": ["source", "suggested", "process_step", "demand_status",
                                   "evidence"]}),
            ("Priority (WSJF)", {
                "description": "Cost of delay = business value + time criticality + risk "
                "reduction; WSJF = cost of delay / job size.",
                "fields": ["business_value", "time_criticality", "risk_reduction", "job_size",
                           "cost_of_delay", "wsjf"],
            }),
            ("Plan and benefit", {"fields": [
                "pdca_phase", "target_date", "target_date_warning",
                "expected_hours_saved_per_month", "expected_kpi", "expected_kpi_delta",
                "measured_hours_saved_per_month", "measured_kpi_delta", "verified_at",
            ]}),
            ("Workflow", {
                "description": "The status moves with the actions of the list.",
                "fields": ["status", "discard_reason", "created_at", "updated_at"],
            }),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*DETECTION_FIELDS, *RECORD_FIELDS]

    def has_change_permission(self, request, obj=None) -> bool:
        return action_is_open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.improvement_action_create(actor=actor, **data)
        return services.improvement_action_update(action=instance, actor=actor, **data)

    # --- Columns ---

    @admin.display(description="WSJF", ordering="wsjf_value")
    def wsjf(self, action: ImprovementAction) -> Decimal:
        value = getattr(action, "wsjf_value", None)
        # SQLite hands the rounded SQL value back without its places: shown with two always.
        return action.wsjf if value is None else Decimal(value).quantize(Decimal("0.01"))

    @admin.display(description="Cost of delay", ordering="cost_of_delay_value")
    def cost_of_delay(self, action: ImprovementAction) -> int:
        value = getattr(action, "cost_of_delay_value", None)
        return action.cost_of_delay if value is None else value

    @admin.display(description="Target date", ordering="target_date")
    def target(self, action: ImprovementAction) -> str:
        if action.target_date is None:
            return "—"
        warning = action.target_date_warning()
        if not warning:
            return str(action.target_date)
        return format_html('{} <strong title="{}">⚠ over {} days</strong>',
                           action.target_date, warning, SHORT_TERM_DAYS)

    @admin.display(description="Target date warning")
    def target_date_warning(self, action: ImprovementAction) -> str:
        return action.target_date_warning() or "—"

    # --- Workflow actions ---

    @staticmethod
    def _label(action: ImprovementAction) -> str:
        return f"“{action.title}” ({action.organization})"

    def _move(self, request, queryset, to_status: str, done: str, **details) -> None:
        apply_each(
            self, request, queryset.select_related("organization").order_by("pk"),
            lambda action: services.improvement_action_transition(
                action=action, actor=request.user, to_status=to_status, **details
            ),
            label=self._label, done=done,
        )

    @admin.action(description="Approve selected actions", permissions=["change"])
    def approve(self, request, queryset) -> None:
        self._move(request, queryset, ActionStatus.APPROVED, "{count} action(s) approved.")

    @admin.action(description="Start selected actions", permissions=["change"])
    def start(self, request, queryset) -> None:
        self._move(request, queryset, ActionStatus.IN_PROGRESS, "{count} action(s) started.")

    @admin.action(description="Mark selected actions done", permissions=["change"])
    def mark_done(self, request, queryset) -> None:
        self._move(request, queryset, ActionStatus.DONE, "{count} action(s) done.")

    @admin.action(description="Verify selected actions…", permissions=["change"])
    def verify(self, request, queryset):
        """Ask for the measured benefit, then verify each selected action with it."""
        form = VerifyForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            data = form.cleaned_data
            self._move(
                request, queryset, ActionStatus.VERIFIED, "{count} action(s) verified.",
                note=data["note"],
                measured_hours_saved_per_month=data["measured_hours_saved_per_month"],
                measured_kpi_delta=data["measured_kpi_delta"],
            )
            return None  # back to the list, where the messages show
        return self._confirmation(request, queryset, form, "verify", "Verify actions",
                                  "Verify")

    @admin.action(description="Discard selected actions…", permissions=["change"])
    def discard(self, request, queryset):
        """Ask for the reason stored with the discard, then discard each selected action."""
        form = DiscardForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            self._move(request, queryset, ActionStatus.DISCARDED,
                       "{count} action(s) discarded.", note=form.cleaned_data["reason"])
            return None
        return self._confirmation(request, queryset, form, "discard", "Discard actions",
                                  "Discard")

    def _confirmation(self, request, queryset, form, action: str, title: str, button: str):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "improvement_actions": queryset.select_related("organization").order_by("pk"),
            "form": form,
            "action": action,
            "button": button,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/improvement/improvementaction/transition_confirmation.html", context
        )
