"""Admin of engagement outcomes with the client's perceived-fit rating of each team member.

An outcome is recorded once, while the engagement is closing or after it closed, through
``outcome_record`` together with its ratings (only for consultants who were on the team);
it is then history: read-only, never deleted. Open the add page from the engagement ("Record
outcome") to get one rating row per team member.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from pmo_service.admin_helpers import SERVICE_ERRORS
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import selectors, services
from ..choices import EngagementStatus
from ..models import Consultant, ConsultantFitRating, Engagement, EngagementOutcome

OUTCOME_FIELDS = ["client_satisfaction", "on_time", "final_cpi", "final_spi", "note"]
RATING_FIELDS = ["consultant", "values_match", "values_fit", "culture_fit", "comment"]
# Set on the new outcome once the outcome's own form is valid: only then can the ratings
# formset rehearse the whole record with the service.
FORM_VALID = "_outcome_form_valid"


def team_of(engagement_id) -> list[Consultant]:
    """The consultants who were on the engagement's team (the only ones a client rates)."""
    if not str(engagement_id).isdigit():
        return []
    return list(
        Consultant.objects.filter(assignments__engagement_id=int(engagement_id))
        .distinct().order_by("full_name", "pk")
    )


class FitRatingFormSet(forms.BaseInlineFormSet):
    """The ratings, recorded with the outcome by ``outcome_record`` in one call."""

    actor = None  # set per request by FitRatingInline.get_formset
    team: list[Consultant] = []

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "consultant" in form.fields and form.instance.pk is None:
            form.fields["consultant"].queryset = Consultant.objects.filter(
                pk__in=[consultant.pk for consultant in self.team]
            ).order_by("full_name")

    def ratings(self) -> list[dict]:
        return [
            {name: form.cleaned_data[name] for name in RATING_FIELDS}
            for form in self.forms
            if form.has_changed() and not form.cleaned_data.get("DELETE")
        ]

    def record(self) -> EngagementOutcome:
        """Record the outcome (the parent, as its form left it) with these ratings."""
        outcome = self.instance
        return services.outcome_record(
            engagement=outcome.engagement, actor=self.actor, ratings=self.ratings(),
            **{name: getattr(outcome, name) for name in OUTCOME_FIELDS},
        )

    def clean(self):
        super().clean()
        if any(self.errors) or not getattr(self.instance, FORM_VALID, False):
            return
        try:
            with transaction.atomic():
                self.record()
                transaction.set_rollback(True)
        except SERVICE_ERRORS as error:
            raise ValidationError(_messages(error)) from error

    def save(self, commit: bool = True) -> list:
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        return []  # the ratings were saved with the outcome


def _messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return [
            message if field in ("ratings", NON_FIELD_ERRORS)
            else f"{field.replace('_', ' ').capitalize()}: {message}"
            for field, messages in error.message_dict.items() for message in messages
        ]
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]


class FitRatingInline(admin.TabularInline):
    """Perceived fit (Cable & DeRue, 1-7): values match, values fit, culture fit."""

    model = ConsultantFitRating
    formset = FitRatingFormSet
    fields = RATING_FIELDS
    extra = 1
    can_delete = False
    verbose_name = "perceived-fit rating"
    verbose_name_plural = "perceived fit of each team member (1 disagree - 7 agree)"

    def get_formset(self, request, obj=None, **kwargs):
        engagement_id = request.POST.get("engagement") or request.GET.get("engagement")
        team = team_of(engagement_id) if obj is None or obj.pk is None else []
        if team:
            kwargs["extra"] = len(team)
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user
        formset.team = team
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("consultant")

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EngagementOutcome)
class EngagementOutcomeAdmin(NoRevertHistoryAdmin):
    list_display = [
        "engagement", "organization", "client_satisfaction", "on_time", "final_cpi",
        "final_spi", "recorded_at",
    ]
    list_filter = [
        "client_satisfaction", "on_time",
        ("engagement__organization", admin.RelatedOnlyFieldListFilter), "recorded_at",
    ]
    list_select_related = ["engagement__organization"]
    search_fields = ["engagement__title", "engagement__organization__name", "note"]
    inlines = [FitRatingInline]

    def get_queryset(self, request):
        return selectors.outcome_list().prefetch_related(None)

    @admin.display(description="Client", ordering="engagement__organization__name")
    def organization(self, outcome: EngagementOutcome):
        return outcome.engagement.organization

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": ["engagement", *OUTCOME_FIELDS]})]
        if obj is not None:
            fieldsets.append(("Client culture at closing", {
                "description": "Copied from the culture in force when the outcome was "
                "recorded: track record compares like with like.",
                "fields": [("culture_clan", "culture_adhocracy", "culture_market",
                            "culture_hierarchy")],
            }))
            fieldsets.append(("Record", {"fields": ["recorded_by", "recorded_at"]}))
        return fieldsets

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        return {key: value for key, value in initial.items() if key == "engagement"}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "engagement":
            kwargs["queryset"] = Engagement.objects.filter(
                status__in=(EngagementStatus.CLOSING, EngagementStatus.CLOSED),
                outcome__isnull=True,
            ).select_related("organization").order_by("title")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Recorded outcomes are history: read-only, never deleted.

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_form(self, request, form, change):
        outcome = super().save_form(request, form, change)
        setattr(outcome, FORM_VALID, True)
        return outcome

    def save_model(self, request, obj, form, change) -> None:
        # Recorded in save_related, with the ratings, in one service call.
        return None

    def save_related(self, request, form, formsets, change) -> None:
        (ratings,) = formsets
        outcome = ratings.record()
        ratings.save()
        form.instance.pk = outcome.pk
        form.instance.refresh_from_db()
        form.instance._state.adding = False
