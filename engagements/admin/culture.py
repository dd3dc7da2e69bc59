"""Admin of client culture assessments (OCAI, Competing Values Framework).

Staff record an assessment entered directly (the current and preferred profiles) through
``culture_assessment_record``; questionnaire assessments come from the portal and the API
with their twelve answers, shown here read-only. Assessments are history: once recorded
they are not changed or deleted, a newer one takes over.
"""

from django.contrib import admin

from pmo_service.admin_helpers import ReadOnlyInline, ServiceAdminMixin, ServiceModelForm
from pmo_service.admin_history import NoRevertHistoryAdmin
from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization

from .. import selectors, services
from ..choices import CULTURE_TYPES, CultureSource
from ..classification import dominant_type
from ..models import CultureAnswer, CultureAssessment
from .common import ProfileFormMixin, profile_fieldset

RECORD_FIELDS = ["organization", "assessed_on", "respondents", "note"]


class CultureAssessmentForm(ProfileFormMixin, ServiceModelForm):
    """A directly entered assessment: both profiles, each sharing 100 points."""

    profile_prefixes = [("current", "Current culture"), ("preferred", "Preferred culture")]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in RECORD_FIELDS}
        for prefix in ("current", "preferred"):
            data[prefix] = tuple(self.cleaned_data[f"{prefix}_{kind}"] for kind in CULTURE_TYPES)
        return data


class CultureAnswerInline(ReadOnlyInline):
    """The questionnaire's answers: each question splits 100 points over the four types."""

    model = CultureAnswer
    fields = [
        "question", "preferred", "points_clan", "points_adhocracy", "points_market",
        "points_hierarchy",
    ]
    verbose_name_plural = "questionnaire answers"


@admin.register(CultureAssessment)
class CultureAssessmentAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    form = CultureAssessmentForm
    list_display = [
        "organization", "assessed_on", "source", "respondents", "dominant_current",
        "dominant_preferred", "assessed_by",
    ]
    list_filter = [
        "source", ("organization", admin.RelatedOnlyFieldListFilter), "assessed_on",
    ]
    list_select_related = ["organization", "assessed_by"]
    search_fields = ["organization__name", "note"]
    date_hierarchy = "assessed_on"

    def get_queryset(self, request):
        return selectors.culture_assessment_list().prefetch_related(None)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": RECORD_FIELDS}),
            profile_fieldset("current", "Current culture",
                             "The culture as it is: 100 points over the four types."),
            profile_fieldset("preferred", "Preferred culture",
                             "The culture as it should be: 100 points over the four types."),
        ]
        if obj is not None:
            fieldsets.append(("Record", {"fields": ["source", "assessed_by", "created_at"]}))
        return fieldsets

    def get_inlines(self, request, obj):
        if obj is not None and obj.source == CultureSource.QUESTIONNAIRE:
            return [CultureAnswerInline]
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = Organization.objects.filter(
                kind=OrganizationKind.CLIENT, is_active=True
            ).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Dominant (current)")
    def dominant_current(self, assessment: CultureAssessment) -> str:
        return dominant_type(assessment.current_profile).capitalize()

    @admin.display(description="Dominant (preferred)")
    def dominant_preferred(self, assessment: CultureAssessment) -> str:
        return dominant_type(assessment.preferred_profile).capitalize()

    # Recorded assessments are history: the page is read-only and nothing is deleted.

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_through_service(self, *, actor, instance, data):
        return services.culture_assessment_record(actor=actor, **data)
