"""Admin of the communication plan and its log.

Saves go through ``stakeholders.services``: they check the audience and the references belong
to the plan's organization and refresh the stored ``next_due_on`` of the plans concerned
whenever a plan or a logged communication changes.
"""

from datetime import timedelta

from django.contrib import admin
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from pmo_service.admin_helpers import ServiceAdminMixin
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import services
from ..models import Communication, CommunicationPlan
from ..signals import announce_inputs_changed

DUE_SOON_DAYS = 7


class DueFilter(admin.SimpleListFilter):
    """Where the plan stands against its next due date (active plans; today in local time)."""

    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("soon", f"Due within {DUE_SOON_DAYS} days"),
            ("later", "Due later"),
            ("none", "No due date (ad hoc or inactive)"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        soon = today + timedelta(days=DUE_SOON_DAYS)
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "soon":
            return queryset.due_by(soon).filter(next_due_on__gte=today)
        if self.value() == "later":
            return queryset.active().filter(next_due_on__gt=soon)
        if self.value() == "none":
            return queryset.filter(Q(next_due_on__isnull=True) | Q(is_active=False))
        return queryset


class CommunicationInline(admin.TabularInline):
    """The plan's log, newest first: record communications on their own page."""

    model = Communication
    fields = ["held_on", "channel", "summary", "recorded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by").order_by(
            "-held_on", "-id"
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CommunicationPlan)
class CommunicationPlanAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """Plans are deleted only while nothing was logged against them (the log protects them);
    deactivate the others."""

    list_display = [
        "purpose", "organization", "audience", "channel", "frequency", "owner", "next_due_on",
        "overdue", "is_active",
    ]
    list_filter = [
        DueFilter,
        ("organization", admin.RelatedOnlyFieldListFilter),
        "channel",
        "frequency",
        "is_active",
    ]
    list_select_related = ["organization", "owner"]
    search_fields = ["purpose", "audience", "organization__name"]
    autocomplete_fields = ["organization", "stakeholders", "owner"]
    fieldsets = [
        (None, {"fields": ["organization", "purpose", "audience", "stakeholders"]}),
        ("How and how often", {"fields": ["channel", "frequency", "owner", "is_active"]}),
        ("Due dates", {
            "description": "The next due date follows from the last logged communication and "
            "the frequency (the start date until one is logged).",
            "fields": ["starts_on", "next_due_on"],
        }),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        computed = ["next_due_on", "created_at", "updated_at"]
        return computed if obj is None else ["organization", *computed]

    def get_inlines(self, request, obj):
        return [CommunicationInline] if obj is not None else []

    @admin.display(description="Overdue", boolean=True)
    def overdue(self, plan: CommunicationPlan) -> bool:
        return plan.is_overdue(timezone.localdate())

    def delete_model(self, request, obj) -> None:
        services.communication_plan_delete(plan=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        # The bulk "delete selected" action: one delete and one announcement for all the
        # organizations concerned (the log's PROTECT already kept logged plans out).
        with transaction.atomic():
            organization_ids = set(queryset.values_list("organization_id", flat=True))
            super().delete_queryset(request, queryset)
            announce_inputs_changed(sender=CommunicationPlan, organization_ids=organization_ids)

    def save_through_service(self, *, actor, instance, data):
        stakeholders = list(data.pop("stakeholders", []))
        if instance is None:
            return services.communication_plan_create(
                actor=actor, stakeholders=stakeholders, **data
            )
        return services.communication_plan_update(
            plan=instance, actor=actor, stakeholders=stakeholders, **data
        )


@admin.register(Communication)
class CommunicationAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """The communication log. Entries are history: corrected, never deleted."""

    list_display = ["held_on", "organization", "plan", "channel", "summary_excerpt",
                    "recorded_by"]
    list_filter = [
        ("organization", admin.RelatedOnlyFieldListFilter),
        "channel",
        ("plan", admin.RelatedOnlyFieldListFilter),
        "held_on",
    ]
    list_select_related = ["organization", "plan", "recorded_by"]
    search_fields = [
        "summary", "agreed_actions", "other_participants", "organization__name",
        "plan__purpose",
    ]
    autocomplete_fields = ["organization", "plan", "participants"]
    date_hierarchy = "held_on"
    fieldsets = [
        (None, {"fields": ["organization", "plan", "held_on", "channel"]}),
        ("Who took part", {"fields": ["participants", "other_participants"]}),
        ("What was said", {"fields": ["summary", "agreed_actions"]}),
        ("Record", {"fields": ["recorded_by", "created_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        recorded = ["recorded_by", "created_at"]
        return recorded if obj is None else ["organization", *recorded]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        return {"held_on": timezone.localdate(), **initial}

    @admin.display(description="Summary")
    def summary_excerpt(self, communication: Communication) -> str:
        return Truncator(communication.summary).chars(80)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.communication_record(actor=actor, **data)
        return services.communication_update(communication=instance, actor=actor, **data)
