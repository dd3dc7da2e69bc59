"""Admin of staffing needs and the matching screen of a need.

A need is opened and changed through ``staffing_need_create``/``staffing_need_update`` (its
required skills too, as one set) and withdrawn with the "cancel" action. The matching
screen ranks every consultant for the need with the engine (``matching.rank_for_need``):
score, per-factor bars, free capacity, the excluded with their reason, the weights in force
and a form to try others for this view only; "Assign" calls ``assign_from_match``.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from pmo_service.admin_helpers import SERVICE_ERRORS, ServiceAdminMixin, admin_link, apply_each
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import matching, selectors, services
from ..choices import MatchFactor, NeedStatus
from ..models import Consultant, StaffingNeed, StaffingNeedSkill
from .engagements import matches_link

CANDIDATES_PER_PAGE = 50


class NeedSkillFormSet(forms.BaseInlineFormSet):
    """The need's required skills, saved as one set by ``staffing_need_update`` (which also
    refuses changes to needs that are filled or cancelled)."""

    actor = None  # set per request by NeedSkillInline.get_formset

    def levels(self) -> dict:
        """The skills the page asks for, with their minimum level (deleted rows left out)."""
        kept = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data.get("skill") is not None and not data.get("DELETE"):
                kept[data["skill"]] = data["minimum_level"]
        return kept

    def _changed(self) -> bool:
        return any(form.has_changed() for form in self.forms) or bool(self.deleted_forms)

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None or not self._changed():
            return
        try:
            with transaction.atomic():
                services.staffing_need_update(
                    need=self.instance, actor=self.actor, skills=self.levels()
                )
                transaction.set_rollback(True)
        except SERVICE_ERRORS as error:
            problems = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise ValidationError(problems) from error

    def save(self, commit: bool = True) -> list:
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        if self._changed():
            services.staffing_need_update(
                need=self.instance, actor=self.actor, skills=self.levels()
            )
        return []


class NeedSkillInline(admin.TabularInline):
    model = StaffingNeedSkill
    formset = NeedSkillFormSet
    fields = ["skill", "minimum_level"]
    autocomplete_fields = ["skill"]
    extra = 0
    verbose_name = "required skill"
    verbose_name_plural = "required skills (minimum level 1-5)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill")


class WeightsForm(forms.Form):
    """Weights to try on the matching screen (GET): blank keeps the weight in force."""

    def __init__(self, *args, in_force: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for factor in MatchFactor:
            self.fields[factor.value] = forms.IntegerField(
                label=factor.label, required=False, min_value=0, max_value=100,
                widget=forms.NumberInput(attrs={"placeholder": in_force[factor.value]}),
            )

    def overrides(self) -> dict[str, int]:
        return {name: value for name, value in self.cleaned_data.items() if value is not None}


@admin.register(StaffingNeed)
class StaffingNeedAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """Needs are history once filled or cancelled: never deleted."""

    list_display = [
        "role", "engagement", "organization", "seniority", "allocation_percent", "start_on",
        "end_on", "status", "candidates",
    ]
    list_filter = [
        "status", "seniority", "language",
        ("engagement__organization", admin.RelatedOnlyFieldListFilter),
        ("role", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["engagement__organization", "role"]
    search_fields = ["engagement__title", "engagement__organization__name", "role__name", "note"]
    autocomplete_fields = ["engagement", "role"]
    inlines = [NeedSkillInline]
    actions = ["cancel_needs"]
    change_form_template = "admin/engagements/staffingneed/change_form.html"

    @admin.display(description="Client", ordering="engagement__organization__name")
    def organization(self, need: StaffingNeed):
        return need.engagement.organization

    @admin.display(description="Candidates")
    def candidates(self, need: StaffingNeed) -> str:
        return matches_link(need)

    def get_fieldsets(self, request, obj=None):
        head = ["engagement", "role", "seniority", "language"]
        if obj is not None:
            head.append("status")
        return [
            (None, {"fields": head}),
            ("Window", {"fields": ["allocation_percent", "start_on", "end_on"]}),
            ("Notes", {"fields": ["note"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["engagement", "status"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Filled and cancelled needs are history (``staffing_need_update`` refuses them).
        editable = obj is None or obj.status == NeedStatus.OPEN
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.staffing_need_create(actor=actor, **data)
        return services.staffing_need_update(need=instance, actor=actor, **data)

    @admin.action(description="Cancel selected staffing needs", permissions=["change"])
    def cancel_needs(self, request, queryset) -> None:
        apply_each(
            self, request, queryset.select_related("engagement", "role").order_by("pk"),
            lambda need: services.staffing_need_cancel(need=need, actor=request.user),
            label=str, done="{count} staffing need(s) cancelled.",
        )

    # --- The matching screen ---

    def get_urls(self):
        matches = path(
            "<path:object_id>/matches/", self.admin_site.admin_view(self.matches_view),
            name="engagements_staffingneed_matches",
        )
        return [matches, *super().get_urls()]

    def matches_view(self, request, object_id):
        """Rank every consultant for the need; POST assigns one (``assign_from_match``)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        need = get_object_or_404(
            selectors.staffing_need_list(), pk=object_id if str(object_id).isdigit() else None
        )
        url = reverse("admin:engagements_staffingneed_matches", args=[need.pk])
        can_assign = need.status == NeedStatus.OPEN and request.user.has_perm(
            "engagements.add_assignment"
        )
        if request.method == "POST":
            if not can_assign:
                raise PermissionDenied
            self._assign(request, need)
            return HttpResponseRedirect(url)

        in_force = matching.weights_in_force()
        form = WeightsForm(request.GET if any(f in request.GET for f in MatchFactor.values)
                           else None, in_force=in_force)
        overrides = form.overrides() if form.is_valid() else {}
        try:
            ranking = matching.rank_for_need(need, weights=overrides or None)
        except ValidationError as error:
            form.add_error(None, error.messages)
            ranking = matching.rank_for_need(need)
        page = Paginator(ranking.candidates, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
        excluded = Paginator(ranking.excluded, CANDIDATES_PER_PAGE).get_page(
            request.GET.get("excluded_page")
        )
        start = page.start_index()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Candidates for {need.role} on {need.engagement}",
            "opts": self.model._meta,
            "original": need,
            "need": need,
            "engagement_link": admin_link(need.engagement),
            "culture": selectors.culture_in_force(organization_id=need.engagement.organization_id),
            "need_assignments": need.assignments.select_related("consultant").order_by("pk"),
            "form": form,
            "weights": [
                {"label": factor.label, "used": ranking.weights[factor.value],
                 "in_force": in_force[factor.value], "field": form[factor.value]}
                for factor in MatchFactor
            ],
            "weights_overridden": ranking.weights != in_force,
            "page": page,
            "candidates": [
                self._candidate_row(candidate, rank)
                for rank, candidate in enumerate(page.object_list, start=start)
            ],
            "candidate_count": len(ranking.candidates),
            "assignable_count": sum(1 for c in ranking.candidates if c.assignable),
            "excluded": excluded,
            "can_assign": can_assign,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/engagements/staffingneed/matches.html", context)

    @staticmethod
    def _candidate_row(candidate: matching.Candidate, rank: int) -> dict:
        return {
            "rank": rank,
            "candidate": candidate,
            "url": reverse("admin:engagements_consultant_change", args=[candidate.consultant_id]),
            "factors": [
                (factor.value, factor.label, round(candidate.breakdown.get(factor.value, 0) * 100))
                for factor in MatchFactor
            ],
        }

    def _assign(self, request, need: StaffingNeed) -> None:
        consultant_id = request.POST.get("consultant", "")
        consultant = (
            Consultant.objects.filter(pk=int(consultant_id)).first()
            if consultant_id.isdigit() else None
        )
        if consultant is None:
            self.message_user(request, "Choose a consultant to assign.", messages.ERROR)
            return
        try:
            with transaction.atomic():
                assignment = services.assign_from_match(
                    need=need, consultant=consultant, actor=request.user
                )
        except SERVICE_ERRORS as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, f"{consultant.full_name} was not assigned: {text}",
                              messages.ERROR)
            return
        self.message_user(
            request,
            f"{consultant.full_name} is assigned to {need.engagement} as {need.role} at "
            f"{assignment.allocation_percent}% from {assignment.start_on} to "
            f"{assignment.end_on}; the need is filled.",
            messages.SUCCESS,
        )
