"""Admin of services with their tiers, criteria, indicators and delivery roles."""


from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..choices import ServiceStatus, TierLevel
from ..models import (
    Criterion,
    Indicator,
    Service,
    ServiceRole,
    ServiceRoleSkill,
    ServiceTier,
)
from .common import NoRevertHistoryAdmin, apply_each


class ServiceTierInline(admin.StackedInline):
    model = ServiceTier
    fields = [("level", "price"), "headline", "includes", "commitments"]
    extra = 0
    max_num = len(TierLevel)


class CriterionInline(admin.TabularInline):
    model = Criterion  # listed entry, acceptance, exit, then by position (the model's order)
    fields = ["kind", "position", "text"]
    extra = 0


class IndicatorInline(admin.StackedInline):
    model = Indicator
    fields = [
        ("name", "position"), "measures", "formula", ("unit", "direction", "frequency"),
        ("target", "green_threshold", "red_threshold"),
    ]
    extra = 0


class ServiceRoleInline(admin.TabularInline):
    model = ServiceRole
    fields = [
        "role", "seniority", "typical_allocation_percent", "responsibilities", "certifications",
        "required_skills",
    ]
    readonly_fields = ["required_skills"]
    autocomplete_fields = ["role", "certifications"]
    show_change_link = True  # required skills are edited on the service role's own page
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("skill_requirements__skill")

    @admin.display(description="Required skills")
    def required_skills(self, service_role) -> str:
        if not service_role.pk:
            return "—"
        requirements = service_role.skill_requirements.all()
        return ", ".join(str(requirement) for requirement in requirements) or "—"


@admin.register(Service)
class ServiceAdmin(NoRevertHistoryAdmin):
    list_display = [
        "name", "typology", "category", "status", "typical_duration", "updated_at",
        "catalog_link",
    ]
    list_filter = ["status", "typology", "category", "value_processes", "pricing_basis"]
    list_select_related = ["category"]
    search_fields = ["name", "slug", "summary", "description"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["category", "value_processes"]
    readonly_fields = [
        "status", "published_at", "retired_at", "catalog_link", "created_at", "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "description"]}),
        ("Classification", {"fields": ["typology", "category", "value_processes"]}),
        ("Delivery and pricing", {
            "fields": ["typical_duration_weeks", "pricing_basis", "pricing_notes"],
        }),
        ("Lifecycle", {
            "description": "Use the Publish and Retire actions of the service list.",
            "fields": [
                "status", "published_at", "retired_at", "catalog_link", "created_at",
                "updated_at",
            ],
        }),
    ]
    inlines = [ServiceTierInline, CriterionInline, IndicatorInline, ServiceRoleInline]
    actions = ["publish_services", "retire_services"]

    @admin.display(description="Typical duration", ordering="typical_duration_weeks")
    def typical_duration(self, service: Service) -> str:
        weeks = service.typical_duration_weeks
        if weeks is None:
            return "Ongoing"
        return f"{weeks} week{'s' if weeks != 1 else ''}"

    @admin.display(description="In the catalog")
    def catalog_link(self, service: Service) -> str:
        # Reversed only when a published service is shown, so the portal route is needed then.
        if service.status != ServiceStatus.PUBLISHED:
            return "—"
        url = reverse("catalog:service-detail", kwargs={"slug": service.slug})
        return format_html('<a href="{}">View in catalog</a>', url)

    @admin.action(description="Publish selected services", permissions=["change"])
    def publish_services(self, request, queryset) -> None:
        apply_each(
            self, request, queryset,
            lambda service: services.service_publish(service=service),
            done="{count} service(s) published.",
        )

    @admin.action(description="Retire selected services", permissions=["change"])
    def retire_services(self, request, queryset) -> None:
        apply_each(
            self, request, queryset,
            lambda service: services.service_retire(service=service),
            done="{count} service(s) retired.",
        )


class ServiceRoleSkillInline(admin.TabularInline):
    model = ServiceRoleSkill
    fields = ["skill", "minimum_level"]
    autocomplete_fields = ["skill"]
    extra = 0


@admin.register(ServiceRole)
class ServiceRoleAdmin(SimpleHistoryAdmin):
    list_display = ["role", "service", "seniority", "typical_allocation_percent"]
    list_filter = ["role", "seniority"]
    list_select_related = ["role", "service"]
    search_fields = ["role__name", "service__name", "responsibilities"]
    autocomplete_fields = ["service", "role", "certifications"]
    inlines = [ServiceRoleSkillInline]


# --- Service requests --------------------------------------------------------------------------
