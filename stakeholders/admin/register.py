"""Admin of the stakeholder register and its engagement assessments.

Saves go through ``stakeholders.services`` (see pmo_service.admin_helpers.ServiceAdminMixin):
a new stakeholder gets its initial assessment, a change of current or desired engagement
records a new one, and an assessment added here moves the register's values when it is the
latest. Bulk import and export (CSV, XLSX) use ``stakeholders.resources``.
"""

from django.contrib import admin
from django.utils import timezone

from pmo_service.admin_helpers import ServiceAdminMixin, StaffImportExportMixin
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import services
from ..choices import Quadrant
from ..models import EngagementAssessment, Stakeholder
from ..resources import StakeholderResource


class QuadrantFilter(admin.SimpleListFilter):
    """Mendelow's quadrant under the configured thresholds."""

    title = "power/interest quadrant"
    parameter_name = "quadrant"

    def lookups(self, request, model_admin):
        return Quadrant.choices

    def queryset(self, request, queryset):
        if self.value() in Quadrant.values:
            # On the raw scores (classification.quadrant_filter), so their index serves.
            return queryset.in_quadrant(self.value())
        return queryset


class EngagementGapFilter(admin.SimpleListFilter):
    """Whether engagement must still grow (reads the ``engagement_gap_value`` annotation)."""

    title = "engagement gap"
    parameter_name = "gap"

    def lookups(self, request, model_admin):
        return [
            ("grow", "Must grow (desired above current)"),
            ("none", "On target"),
            ("above", "Above target"),
        ]

    def queryset(self, request, queryset):
        lookup = {"grow": "gt", "none": "exact", "above": "lt"}.get(self.value())
        if lookup is None:
            return queryset
        return queryset.filter(**{f"engagement_gap_value__{lookup}": 0})


class EngagementAssessmentInline(admin.TabularInline):
    """The stakeholder's assessments, newest first: history, added on its own page."""

    model = EngagementAssessment
    fields = ["assessed_on", "current", "desired", "gap", "assessed_by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assessed_by").order_by(
            "-assessed_on", "-id"
        )

    @admin.display(description="Gap")
    def gap(self, assessment: EngagementAssessment) -> int:
        return assessment.gap

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


STAKEHOLDER_FIELDSETS = [
    (None, {"fields": ["organization", "full_name", "title", "unit", "relationship"]}),
    ("Contact", {"fields": ["email", "phone"]}),
    ("Power and interest", {"fields": ["power", "interest", "quadrant"]}),
    ("Engagement", {
        "description": "A change of current or desired engagement is recorded as a new "
        "assessment, dated today, by you.",
        "fields": ["current_engagement", "desired_engagement", "engagement_gap"],
    }),
    ("Relationship", {"fields": ["relationship_owner", "notes", "is_active"]}),
    ("Record", {"fields": ["created_at", "updated_at"]}),
]


@admin.register(Stakeholder)
class StakeholderAdmin(ServiceAdminMixin, StaffImportExportMixin, NoRevertHistoryAdmin):
    list_display = [
        "full_name", "organization", "relationship", "power", "interest", "quadrant",
        "current_engagement", "desired_engagement", "engagement_gap", "relationship_owner",
        "is_active",
    ]
    list_filter = [
        QuadrantFilter,
        EngagementGapFilter,
        ("organization", admin.RelatedOnlyFieldListFilter),
        "relationship",
        "current_engagement",
        "desired_engagement",
        "is_active",
        ("relationship_owner", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["organization", "relationship_owner"]
    search_fields = ["full_name", "email", "title", "unit", "organization__name"]
    autocomplete_fields = ["organization", "relationship_owner"]
    inlines = [EngagementAssessmentInline]
    resource_classes = [StakeholderResource]

    def get_queryset(self, request):
        return super().get_queryset(request).with_classification()

    def get_fieldsets(self, request, obj=None):
        return STAKEHOLDER_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        computed = ["quadrant", "engagement_gap", "created_at", "updated_at"]
        # A stakeholder stays with their organization (the service refuses a move).
        return computed if obj is None else ["organization", *computed]

    def get_inlines(self, request, obj):
        return [EngagementAssessmentInline] if obj is not None else []

    @admin.display(description="Quadrant", ordering="quadrant_value")
    def quadrant(self, stakeholder: Stakeholder) -> str:
        # The annotation on lists; the property on the add page's empty record.
        value = getattr(stakeholder, "quadrant_value", None)
        if value is not None:
            return Quadrant(value).label
        if stakeholder.power is None or stakeholder.interest is None:
            return "—"
        return stakeholder.quadrant.label

    @admin.display(description="Gap", ordering="engagement_gap_value")
    def engagement_gap(self, stakeholder: Stakeholder) -> int | str:
        value = getattr(stakeholder, "engagement_gap_value", None)
        if value is None:
            return stakeholder.engagement_gap if stakeholder.current_engagement else "—"
        return value

    def has_delete_permission(self, request, obj=None) -> bool:
        # Assessments, risks and applications refer to stakeholders: archive them instead.
        return False

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.stakeholder_create(actor=actor, **data)
        return services.stakeholder_update(stakeholder=instance, actor=actor, **data)


@admin.register(EngagementAssessment)
class EngagementAssessmentAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """Assessments are added (through the service, which keeps the register in step) and then
    kept as they are: the trend is only true if its points never change."""

    list_display = [
        "stakeholder", "organization", "assessed_on", "current", "desired", "gap",
        "assessed_by",
    ]
    list_filter = [
        ("stakeholder__organization", admin.RelatedOnlyFieldListFilter),
        "current",
        "desired",
        "assessed_on",
    ]
    list_select_related = ["stakeholder__organization", "assessed_by"]
    search_fields = [
        "stakeholder__full_name", "stakeholder__email", "stakeholder__organization__name",
        "note",
    ]
    autocomplete_fields = ["stakeholder"]
    date_hierarchy = "assessed_on"
    fields = ["stakeholder", "assessed_on", "current", "desired", "note"]

    @admin.display(description="Organization", ordering="stakeholder__organization__name")
    def organization(self, assessment: EngagementAssessment):
        return assessment.stakeholder.organization

    @admin.display(description="Gap")
    def gap(self, assessment: EngagementAssessment) -> int:
        return assessment.gap

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.fields, "assessed_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        return {"assessed_on": timezone.localdate(), **initial}

    def has_change_permission(self, request, obj=None) -> bool:
        # The list's actions need the model permission; a saved assessment is view-only.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_through_service(self, *, actor, instance, data):
        return services.engagement_assess(actor=actor, **data)
