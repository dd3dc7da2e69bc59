"""Admin of the bench: consultants with their skills, credentials, languages, sectors and
day rates, and the bench page (each active consultant's allocation over the next weeks).

A consultant is created and changed through ``engagements.services`` (the working style
shares 100 points; capacity never drops below what the consultant is already committed to).
Day rates are history: a new rate is added through ``day_rate_set`` and none is deleted.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from catalog.models import Skill
from pmo_service.admin_helpers import (
    ReadOnlyInline,
    ServiceAdminMixin,
    ServiceModelForm,
    admin_link,
)
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import selectors, services
from ..choices import Seniority
from ..models import (
    Assignment,
    Consultant,
    ConsultantCertification,
    ConsultantLanguage,
    ConsultantSector,
    ConsultantSkill,
    DayRate,
)
from .common import (
    ProfileFormMixin,
    ServiceInlineFormSet,
    ServiceInlineMixin,
    profile_fieldset,
)

BENCH_WEEKS = 12
BENCH_PAGE_SIZE = 25


class ConsultantForm(ProfileFormMixin, ServiceModelForm):
    """The consultant's fields (the admin builds it from the fieldsets), the working style
    checked to share 100 points before the service is asked."""

    profile_prefixes = [("style", "Working-style profile")]


class ConsultantSkillInline(admin.TabularInline):
    model = ConsultantSkill
    fields = ["skill", "proficiency"]
    autocomplete_fields = ["skill"]
    extra = 0


class ConsultantCertificationInline(admin.TabularInline):
    model = ConsultantCertification
    fields = ["certification", "obtained_on", "expires_on"]
    autocomplete_fields = ["certification"]
    extra = 0


class ConsultantSectorInline(admin.TabularInline):
    model = ConsultantSector
    fields = ["sector", "years"]
    extra = 0
    verbose_name_plural = "sectors of experience"


class ConsultantLanguageInline(admin.TabularInline):
    model = ConsultantLanguage
    fields = ["language"]
    extra = 0
    verbose_name_plural = "working languages"


class DayRateFormSet(ServiceInlineFormSet):
    """New rates go through ``day_rate_set``; a stored rate can be corrected (a typo), never
    deleted: the rate in force on past dates stays known."""

    def create_row(self, form) -> DayRate:
        return services.day_rate_set(
            consultant=self.instance, actor=self.actor,
            amount=form.cleaned_data["amount"], valid_from=form.cleaned_data["valid_from"],
        )

    def update_row(self, form, stored: DayRate, changes: dict) -> DayRate:
        for name, value in changes.items():
            setattr(stored, name, value)
        stored.full_clean()
        stored.save()
        return stored


class DayRateInline(ServiceInlineMixin, admin.TabularInline):
    model = DayRate
    formset = DayRateFormSet
    fields = ["valid_from", "amount", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0
    can_delete = False
    verbose_name = "day rate"
    verbose_name_plural = "day rates (history: the latest one started is in force)"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ConsultantAssignmentInline(ReadOnlyInline):
    """Where the consultant works: assignments are made on the engagement's page."""

    model = Assignment
    fields = ["engagement_link", "role", "allocation_percent", "start_on", "end_on"]
    verbose_name_plural = "assignments"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "engagement", "role"
        ).order_by("-start_on", "id")

    @admin.display(description="Engagement")
    def engagement_link(self, assignment: Assignment) -> str:
        return admin_link(assignment.engagement)


class SkillListFilter(admin.SimpleListFilter):
    """Consultants with a skill of the taxonomy (at any proficiency)."""

    title = "skill"
    parameter_name = "skill"

    def lookups(self, request, model_admin):
        return Skill.objects.order_by("name").values_list("pk", "name")

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(skills__skill_id=int(self.value())).distinct()
        return queryset


@admin.register(Consultant)
class ConsultantAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """Consultants are history for matching and outcomes: deactivate them, never delete."""

    form = ConsultantForm
    list_display = [
        "full_name", "seniority", "capacity_percent", "day_rate_today", "skill_count",
        "remote_mode", "is_active",
    ]
    list_filter = [
        "seniority", "is_active", SkillListFilter, "languages__language", "sectors__sector",
        "remote_mode",
    ]
    search_fields = [
        "full_name", "email", "headline", "location", "skills__skill__name",
        "certifications__certification__code",
    ]
    autocomplete_fields = ["user"]
    inlines = [
        ConsultantSkillInline, ConsultantCertificationInline, ConsultantSectorInline,
        ConsultantLanguageInline, DayRateInline, ConsultantAssignmentInline,
    ]
    change_list_template = "admin/engagements/consultant/change_list.html"
    fieldsets = [
        (None, {"fields": [
            "full_name", "headline", "seniority", "user", "email", "location", "remote_mode",
            "capacity_percent", "is_active",
        ]}),
        profile_fieldset(
            "style", "Working-style profile",
            "How the consultant works, on the four Competing Values types: 100 points to "
            "share. Matching compares it with each client's culture.",
        ),
        ("Internal", {"fields": ["notes"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        # The list needs the rate in force, not the prefetched profile.
        return selectors.consultant_list().prefetch_related(None).annotate(
            skill_count=Count("skills", distinct=True),
        )

    def get_inlines(self, request, obj):
        # Assignments list only where there is a consultant to have them.
        return self.inlines if obj is not None else self.inlines[:-1]

    @admin.display(description="Day rate today (EUR)", ordering="day_rate_today")
    def day_rate_today(self, consultant: Consultant):
        return consultant.day_rate_today if consultant.day_rate_today is not None else "—"

    @admin.display(description="Skills", ordering="skill_count")
    def skill_count(self, consultant: Consultant) -> int:
        return consultant.skill_count

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.consultant_create(actor=actor, **data)
        return services.consultant_update(consultant=instance, actor=actor, **data)

    # --- The bench page ---

    def get_urls(self):
        bench = path(
            "bench/", self.admin_site.admin_view(self.bench_view),
            name="engagements_consultant_bench",
        )
        return [bench, *super().get_urls()]

    def bench_view(self, request):
        """Each active consultant's peak load per week over the next twelve weeks, from this
        week's Monday, over- and under-used weeks marked; filtered by seniority and skill."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        filters = BenchFilterForm(request.GET or None)
        today = timezone.localdate()
        start = today - timedelta(days=today.weekday())
        consultants = selectors.bench_consultants()
        if filters.is_valid():
            consultants = filters.narrow(consultants)
        # Page first, then compute the loads of that page's consultants only.
        page = Paginator(consultants, BENCH_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.bench_allocation(start=start, weeks=BENCH_WEEKS,
                                          consultants=list(page.object_list))
        context = {
            **self.admin_site.each_context(request),
            "title": "Bench: allocation over the next 12 weeks",
            "opts": self.model._meta,
            "filters": filters,
            "weeks": [start + timedelta(days=7 * week) for week in range(BENCH_WEEKS)],
            "page": page,
            "rows": rows,
            "total": page.paginator.count,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/engagements/consultant/bench.html", context)


class BenchFilterForm(forms.Form):
    """Narrow the bench by seniority and skill (GET); bad values show beside their control."""

    seniority = forms.ChoiceField(
        required=False, choices=[("", "Any seniority"), *Seniority.choices],
    )
    skill = forms.ModelChoiceField(
        required=False, queryset=Skill.objects.order_by("name"), empty_label="Any skill",
    )

    def narrow(self, consultants):
        """``consultants`` kept by the chosen filters (all of them when none is chosen)."""
        seniority, skill = self.cleaned_data["seniority"], self.cleaned_data["skill"]
        if seniority:
            consultants = consultants.filter(seniority=seniority)
        if skill is not None:
            # A skill is held once per consultant (a constraint), so the join adds no rows.
            consultants = consultants.filter(skills__skill=skill)
        return consultants
