"""Admin of applications, their dependencies and the shared technology vocabulary.

Applications and dependencies are saved and deleted through ``portfolio.services`` (a TIME
override records who set it and when; technologies are matched to the vocabulary by name);
both are imported and exported in bulk (CSV, XLSX) with ``portfolio.resources``.
"""

from django.contrib import admin
from django.db.models import Count, Q

from pmo_service.admin_helpers import (
    SameOrganizationInlineFormSet,
    ServiceAdminMixin,
    StaffImportExportMixin,
)
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import services
from ..choices import TimeClass
from ..classification import time_class_filter
from ..models import Application, ApplicationDependency, Technology
from ..resources import ApplicationDependencyResource, ApplicationResource

NOT_ASSESSED = "not_assessed"


class TimeClassFilter(admin.SimpleListFilter):
    """The final TIME class: the staff override when there is one, else the computed one."""

    title = "TIME class"
    parameter_name = "time"

    def lookups(self, request, model_admin):
        return [*TimeClass.choices, (NOT_ASSESSED, "Not assessed")]

    def queryset(self, request, queryset):
        if self.value() in TimeClass.values:
            return queryset.in_time_class(self.value())
        if self.value() == NOT_ASSESSED:
            unassessed = Q(functional_fit__isnull=True) | Q(technical_fit__isnull=True)
            return queryset.filter(unassessed, time_override="")
        return queryset


class ComputedTimeClassFilter(admin.SimpleListFilter):
    """The TIME class the fits give, whatever the override says."""

    title = "computed TIME class"
    parameter_name = "time_computed"

    def lookups(self, request, model_admin):
        return TimeClass.choices

    def queryset(self, request, queryset):
        if self.value() in TimeClass.values:
            return queryset.filter(time_class_filter(self.value()))
        return queryset


class OverrideFilter(admin.SimpleListFilter):
    title = "TIME override"
    parameter_name = "overridden"

    def lookups(self, request, model_admin):
        return [("yes", "Overridden by staff"), ("no", "Computed class applies")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(time_override="")
        if self.value() == "no":
            return queryset.filter(time_override="")
        return queryset


class DependencyFormSet(SameOrganizationInlineFormSet):
    related_field = "target"


class DependentFormSet(SameOrganizationInlineFormSet):
    related_field = "source"


class DependencyInline(admin.TabularInline):
    """What this application depends on (it is the source)."""

    model = ApplicationDependency
    fk_name = "source"
    formset = DependencyFormSet
    fields = ["target", "kind", "description"]
    autocomplete_fields = ["target"]
    extra = 0
    verbose_name = "dependency (this application depends on)"
    verbose_name_plural = "depends on"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target")


class DependentInline(admin.TabularInline):
    """What depends on this application (it is the target): its blast radius, one step."""

    model = ApplicationDependency
    fk_name = "target"
    formset = DependentFormSet
    fields = ["source", "kind", "description"]
    autocomplete_fields = ["source"]
    extra = 0
    verbose_name = "dependent (depends on this application)"
    verbose_name_plural = "depended on by"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


def _time_label(value: str | None) -> str:
    return TimeClass(value).label if value else "—"


@admin.register(Application)
class ApplicationAdmin(ServiceAdminMixin, StaffImportExportMixin, NoRevertHistoryAdmin):
    """Applications in use (dependencies, demand, objectives) are protected from deletion:
    Django's page lists what holds them; retire them through the lifecycle instead."""

    list_display = [
        "code", "name", "organization", "lifecycle", "criticality", "functional_fit",
        "technical_fit", "time_computed", "time_class", "fan_in", "business_owner",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        TimeClassFilter,
        ComputedTimeClassFilter,
        OverrideFilter,
        ("organization", admin.RelatedOnlyFieldListFilter),
        "lifecycle",
        "criticality",
        "hosting",
        ("technologies", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["organization", "business_owner"]
    search_fields = ["code", "name", "description", "vendor", "organization__name"]
    autocomplete_fields = ["organization", "business_owner", "technical_owner", "technologies"]
    inlines = [DependencyInline, DependentInline]
    resource_classes = [ApplicationResource]
    fieldsets = [
        (None, {"fields": ["organization", "code", "name", "description"]}),
        ("Ownership and contract", {
            "fields": ["business_owner", "technical_owner", "vendor", "contract_end"],
        }),
        ("Operation", {
            "fields": ["lifecycle", "criticality", "hosting", "technologies", "user_count",
                       "annual_run_cost"],
        }),
        ("TIME assessment", {
            "description": "The computed class follows from the fits. An override replaces "
            "it and needs a rationale; who set it and when are recorded.",
            "fields": [
                "functional_fit", "technical_fit", "time_computed", "time_override",
                "time_override_rationale", "time_class", "time_overridden_by",
                "time_overridden_at",
            ],
        }),
        ("Dependencies", {"fields": ["fan_in"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_classification()

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("technologies")

    def get_readonly_fields(self, request, obj=None):
        computed = [
            "time_computed", "time_class", "fan_in", "time_overridden_by", "time_overridden_at",
            "created_at", "updated_at",
        ]
        return computed if obj is None else ["organization", *computed]

    @admin.display(description="Computed TIME", ordering="time_computed_value")
    def time_computed(self, application: Application) -> str:
        if hasattr(application, "time_computed_value"):
            return _time_label(application.time_computed_value)
        return _time_label(application.time_computed)

    @admin.display(description="TIME class", ordering="time_class_value")
    def time_class(self, application: Application) -> str:
        value = (
            application.time_class_value if hasattr(application, "time_class_value")
            else application.time_class
        )
        label = _time_label(value)
        return f"{label} (override)" if application.time_override else label

    @admin.display(description="Fan-in", ordering="fan_in_value")
    def fan_in(self, application: Application) -> int:
        if hasattr(application, "fan_in_value"):
            return application.fan_in_value
        return application.dependents.count() if application.pk else 0

    def save_through_service(self, *, actor, instance, data):
        names = [technology.name for technology in data.pop("technologies", [])]
        if instance is None:
            return services.application_create(actor=actor, technologies=names, **data)
        return services.application_update(
            application=instance, actor=actor, technologies=names, **data
        )

    def delete_model(self, request, obj) -> None:
        services.application_delete(application=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for application in queryset:
            services.application_delete(application=application, actor=request.user)


@admin.register(ApplicationDependency)
class ApplicationDependencyAdmin(
    ServiceAdminMixin, StaffImportExportMixin, NoRevertHistoryAdmin
):
    list_display = ["source", "target", "kind", "organization", "description", "created_at"]
    list_filter = ["kind", ("source__organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["source__organization", "target"]
    search_fields = [
        "source__code", "source__name", "target__code", "target__name", "description",
        "source__organization__name",
    ]
    autocomplete_fields = ["source", "target"]
    fields = ["source", "target", "kind", "description"]
    resource_classes = [ApplicationDependencyResource]

    @admin.display(description="Organization", ordering="source__organization__name")
    def organization(self, dependency: ApplicationDependency):
        return dependency.source.organization

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.dependency_create(actor=actor, **data)
        return services.dependency_update(dependency=instance, actor=actor, **data)

    def delete_model(self, request, obj) -> None:
        services.dependency_delete(dependency=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for dependency in queryset.select_related("source"):
            services.dependency_delete(dependency=dependency, actor=request.user)


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    """The shared vocabulary of technologies, with how many applications use each (names
    are unique without regard to case)."""

    list_display = ["name", "application_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            application_count=Count("applications", distinct=True)
        )

    @admin.display(description="Applications", ordering="application_count")
    def application_count(self, technology: Technology) -> int:
        return technology.application_count
