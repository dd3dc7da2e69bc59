"""Admin of process maps: the map with its steps inline, the read-only analysis panel, and
the list actions that start a redesign and suggest actions for the bottlenecks.

The map is written by ``process_map_create``/``process_map_update`` and its steps, all at
once and in the order shown, by ``process_map_replace_steps``: the step rows are rehearsed
when the page is validated, so a refusal (a version already redesigned, a step an action
names) shows on the page instead of failing the save. A version that a newer one replaces is
the "before" of a comparison: its steps are read-only.

The list shows each map's lead time, PCE and constraint from the steps prefetched with the
page (one query for all rows), analysed in Python by ``improvement.analysis``.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, ProtectedError
from django.template.loader import render_to_string
from django.utils.html import format_html

from engagements.metrics.formulas import Figure
from pmo_service.admin_helpers import (
    SERVICE_ERRORS,
    ServiceAdminMixin,
    add_service_error,
    admin_link,
    apply_each,
    error_text,
)
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import services
from ..analysis import ProcessAnalysis, analyse_process, compare_versions
from ..models import ProcessMap, ProcessStep

STEP_FORM_FIELDS = list(services.STEP_FIELDS)


def map_analysis(process_map: ProcessMap) -> ProcessAnalysis:
    """The analysis of a map from its steps, computed once per instance: on the list the
    steps come prefetched, so no row costs a query."""
    cached = getattr(process_map, "_analysis", None)
    if cached is None:
        cached = analyse_process(list(process_map.steps.all()))
        process_map._analysis = cached
    return cached


def figure_html(figure: Figure, suffix: str = "") -> str:
    """A figure's value, or a dash whose tooltip says why it is undefined."""
    if figure.value is None:
        return format_html('<span title="{}">—</span>', figure.reason)
    return f"{figure.value}{suffix}"


def percent(figure: Figure) -> Figure:
    """A ratio figure (PCE, RTY) as a percentage with one decimal."""
    if figure.value is None:
        return figure
    return Figure((figure.value * 100).quantize(Decimal("0.1")), figure.reason)


def is_redesigned(process_map: ProcessMap | None) -> bool:
    """Whether a newer version replaces this one (its steps are then kept as they were)."""
    return process_map is not None and process_map.pk is not None and (
        ProcessMap.objects.filter(replaces=process_map).exists()
    )


class LatestVersionFilter(admin.SimpleListFilter):
    """Current maps (no newer version replaces them) or the superseded ones."""

    title = "version"
    parameter_name = "latest"

    def lookups(self, request, model_admin):
        return [("yes", "Latest version"), ("no", "Replaced by a newer version")]

    def queryset(self, request, queryset):
        replaced = Exists(ProcessMap.objects.filter(replaces=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(~replaced)
        if self.value() == "no":
            return queryset.filter(replaced)
        return queryset


class ProcessStepFormSet(forms.BaseInlineFormSet):
    """The map's steps as one list, written by ``process_map_replace_steps`` in the order
    shown (kept rows by position, then the new rows). ``clean()`` rehearses the call in a
    savepoint that is rolled back, so its refusals show on the page."""

    actor = None  # set per request by ProcessStepInline.get_formset

    def step_list(self) -> list[dict]:
        kept = [
            form for form in self.forms
            if not (self.can_delete and self._should_delete_form(form))
            and (form.instance.pk is not None or form.has_changed())
        ]
        kept.sort(key=lambda form: (form.instance.pk is None, form.instance.position or 0))
        return [{name: form.cleaned_data[name] for name in STEP_FORM_FIELDS
                 if name in form.cleaned_data} for form in kept]

    def replace_steps(self) -> None:
        services.process_map_replace_steps(
            process_map=self.instance, actor=self.actor, steps=self.step_list()
        )

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None or not self.has_changed():
            return
        try:
            with transaction.atomic():
                self.replace_steps()
                transaction.set_rollback(True)
        except ProtectedError:
            raise forms.ValidationError(
                "A removed step is named by an improvement action: keep it, or discard the "
                "action first."
            ) from None
        except SERVICE_ERRORS as error:
            # Errors of one step's fields come back without the row: shown above the rows.
            holder = forms.Form()
            add_service_error(holder, error)
            raise forms.ValidationError(holder.non_field_errors()) from None

    def save(self, commit: bool = True) -> list:
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        if self.has_changed():
            self.replace_steps()
        return []


class ProcessStepInline(admin.TabularInline):
    """The ordered steps; positions follow the order of the rows (new rows go last)."""

    model = ProcessStep
    formset = ProcessStepFormSet
    fields = ["position", *STEP_FORM_FIELDS]
    readonly_fields = ["position"]
    extra = 0
    ordering = ["position"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user  # a class built for this request only
        return formset

    def has_add_permission(self, request, obj=None) -> bool:
        return not is_redesigned(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not is_redesigned(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not is_redesigned(obj) and super().has_delete_permission(request, obj)


def analysis_panel(process_map: ProcessMap) -> str:
    """The map's figures, the utilization of each step, the constraint with its explanation
    and, for a redesign, lead time and PCE against the version it replaces."""
    result = analyse_process(list(process_map.steps.order_by("position")))
    comparison = None
    previous = process_map.replaces
    if previous is not None:
        comparison = compare_versions(
            analyse_process(list(previous.steps.order_by("position"))), result
        )
    return render_to_string("admin/improvement/processmap/analysis_panel.html", {
        "analysis": result,
        "figures": [
            ("Lead time (h)", result.lead_time, ""),
            ("Process time (h)", result.total_process_time, ""),
            ("Wait time (h)", result.total_wait_time, ""),
            ("Value-added time (h)", result.value_added_time, ""),
            ("PCE", percent(result.pce), " %"),
            ("Rolled throughput yield", percent(result.rty), " %"),
            ("Throughput per week", result.throughput_per_week, ""),
        ],
        "previous": previous,
        "comparison": comparison,
    })


@admin.register(ProcessMap)
class ProcessMapAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """Versions of a process stay: a redesign is a new version (the list's action)."""

    list_display = [
        "name", "organization", "version", "replaces", "engagement", "service", "step_count",
        "lead_time", "pce", "constraint_step",
    ]
    list_filter = [
        ("organization", admin.RelatedOnlyFieldListFilter),
        ("engagement", admin.EmptyFieldListFilter),
        LatestVersionFilter,
    ]
    list_select_related = ["organization", "replaces", "engagement", "service"]
    search_fields = ["name", "description", "organization__name", "steps__name"]
    autocomplete_fields = ["organization", "owner", "engagement", "service"]
    inlines = [ProcessStepInline]
    actions = ["create_new_version", "suggest_actions"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .annotate(step_total=Count("steps", distinct=True))
            .prefetch_related(
                Prefetch("steps", queryset=ProcessStep.objects.order_by("position"))
            )
        )

    def get_fieldsets(self, request, obj=None):
        main = (None, {"fields": ["organization", "name", "description", "owner",
                                  "engagement", "service"]})
        if obj is None:
            return [main]
        return [
            main,
            ("Version", {"fields": ["version", "replaces", "created_at", "updated_at"]}),
            ("Analysis", {
                "description": "Computed from the steps as saved. Times in hours, capacity "
                "and demand per week.",
                "fields": ["analysis"],
            }),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["organization", "name", "version", "replaces", "created_at", "updated_at",
                "analysis"]

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.process_map_create(actor=actor, **data)
        return services.process_map_update(process_map=instance, actor=actor, **data)

    def delete_model(self, request, obj) -> None:
        services.process_map_delete(process_map=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Versions are the history the comparisons and suggestions point at.
        return False

    # --- List columns ---

    @admin.display(description="Steps", ordering="step_total")
    def step_count(self, process_map: ProcessMap) -> int:
        return process_map.step_total

    @admin.display(description="Lead time (h)")
    def lead_time(self, process_map: ProcessMap) -> str:
        return figure_html(map_analysis(process_map).lead_time)

    @admin.display(description="PCE")
    def pce(self, process_map: ProcessMap) -> str:
        return figure_html(percent(map_analysis(process_map).pce), " %")

    @admin.display(description="Constraint step")
    def constraint_step(self, process_map: ProcessMap) -> str:
        result = map_analysis(process_map)
        step = result.constraint
        if step is None:
            return format_html('<span title="{}">—</span>', result.constraint_explanation)
        load = step.utilization.value
        shown = f"{percent(step.utilization).value} %" if load is not None else "no capacity"
        return format_html('<span title="{}">{}. {} ({})</span>',
                           result.constraint_explanation, step.position, step.name, shown)

    @admin.display(description="Analysis")
    def analysis(self, process_map: ProcessMap) -> str:
        return analysis_panel(process_map)

    # --- Actions ---

    @admin.action(description="Create a new version (redesign) of selected maps",
                  permissions=["change"])
    def create_new_version(self, request, queryset) -> None:
        apply_each(
            self, request, queryset.select_related("organization").order_by("pk"),
            lambda process_map: services.process_map_new_version(
                process_map=process_map, actor=request.user
            ),
            done="{count} new version(s) created: redraw their steps on their pages.",
        )

    @admin.action(description="Suggest actions for the bottlenecks of selected maps",
                  permissions=["change"])
    def suggest_actions(self, request, queryset) -> None:
        """Each map's constraint step gets its suggested action (the open one if it exists);
        a map without a constraint is reported as such."""
        suggested = []
        for process_map in queryset.select_related("organization", "engagement").order_by("pk"):
            try:
                found = services.suggest_actions_for_process_map(process_map=process_map)
            except SERVICE_ERRORS as error:
                self.message_user(request, f"{process_map}: {error_text(error)}",
                                  messages.ERROR)
                continue
            if not found:
                self.message_user(request, f"{process_map}: no constraint step to relieve.",
                                  messages.WARNING)
            suggested.extend(found)
        if suggested:
            links = format_html(", ".join(["{}"] * len(suggested)),
                                *[admin_link(action) for action in suggested])
            self.message_user(
                request, format_html("{} suggested action(s), to approve or discard: {}",
                                     len(suggested), links),
                messages.SUCCESS,
            )
