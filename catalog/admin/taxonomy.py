"""Admin of the shared taxonomies: value processes, categories, skills, roles, certifications."""


from django.contrib import admin
from django.db.models import Count

from ..models import (
    Category,
    Certification,
    Role,
    Skill,
    ValueProcess,
)
from .common import usage_column


class TaxonomyAdmin(admin.ModelAdmin):
    """A named, slugged list with a count of the services using each entry (one query)."""

    usage_path = ""  # the relation path from the entry to the services using it
    list_display = ["name", "slug", "usage_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ("name",)}
    usage_count = usage_column("Services")

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .annotate(usage_count=Count(self.usage_path, distinct=True))
        )


@admin.register(ValueProcess)
class ValueProcessAdmin(TaxonomyAdmin):
    usage_path = "services"


@admin.register(Category)
class CategoryAdmin(TaxonomyAdmin):
    usage_path = "services"
    list_display = ["name", "slug", "position", "usage_count"]
    list_editable = ["position"]


@admin.register(Skill)
class SkillAdmin(TaxonomyAdmin):
    usage_path = "requirements__service_role__service"
    list_display = ["name", "category", "slug", "usage_count"]
    list_filter = ["category"]


@admin.register(Role)
class RoleAdmin(TaxonomyAdmin):
    usage_path = "service_roles__service"


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "issuer", "usage_count"]
    list_filter = ["issuer"]
    search_fields = ["code", "name", "issuer"]
    usage_count = usage_column("Services")

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .annotate(usage_count=Count("service_roles__service", distinct=True))
        )


# --- Services ----------------------------------------------------------------------------------
