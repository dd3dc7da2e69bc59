"""Admin of an engagement's agile delivery and its metrics.

Iterations, deliverables, time entries, expenses and KPI measurements are written through the
delivery services (``engagements.services``), so the admin keeps the API's rules: a time
entry's cost is computed by the time-entry services from the day rate in force (read-only here),
a deliverable is accepted by the engagement's Product Owner with the "Accept" action, and a
refusal comes back on the page. Closed and cancelled engagements take no delivery changes.
Nothing is deleted: these rows are the history the metrics are computed from.

The metrics themselves (``EngagementMetrics`` and the daily ``MetricsSnapshot``) are computed
by ``engagements.metrics.compute``: read-only here, recomputed from the engagements list.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from catalog.models import Indicator
from pmo_service.admin_helpers import ServiceAdminMixin, ServiceModelForm, apply_each
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import services
from ..models import (
    Deliverable,
    Engagement,
    EngagementMetrics,
    Expense,
    Iteration,
    KpiMeasurement,
    MetricsSnapshot,
    TimeEntry,
)
from .engagements import FINAL_STATUSES, engagement_is_editable

ENGAGEMENT_FILTER = ("engagement", admin.RelatedOnlyFieldListFilter)


class DeliveryAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """A delivery row of an engagement: changed while the engagement is open, never deleted;
    its engagement is chosen when the row is added and fixed afterwards."""

    autocomplete_fields = ["engagement"]
    list_select_related = ["engagement"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["engagement"]

    def has_change_permission(self, request, obj=None) -> bool:
        editable = obj is None or engagement_is_editable(obj.engagement)
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @staticmethod
    def _without_engagement(data: dict) -> dict:
        return {name: value for name, value in data.items() if name != "engagement"}


@admin.register(Iteration)
class IterationAdmin(DeliveryAdmin):
    list_display = ["engagement", "number", "start_on", "end_on", "status", "goal"]
    list_filter = [ENGAGEMENT_FILTER, "status"]
    search_fields = ["engagement__title", "goal", "review_notes"]
    fields = ["engagement", "number", "start_on", "end_on", "goal", "status", "review_notes"]

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.iteration_create(actor=actor, **data)
        return services.iteration_update(
            iteration=instance, actor=actor, **self._without_engagement(data)
        )


@admin.register(Deliverable)
class DeliverableAdmin(DeliveryAdmin):
    """Backlog items; acceptance is the "Accept" action (by the engagement's Product Owner)."""

    list_display = [
        "title", "engagement", "iteration_number", "kind", "story_points", "budget",
        "percent_complete", "status", "accepted_by",
    ]
    list_filter = ["status", "kind", ENGAGEMENT_FILTER]
    list_select_related = ["engagement", "iteration", "accepted_by"]
    search_fields = ["title", "engagement__title", "service__name"]
    autocomplete_fields = ["engagement", "iteration", "service"]
    fields = [
        "engagement", "iteration", "title", "kind", "service", "story_points", "budget",
        "planned_start", "planned_finish", "percent_complete", "status", "accepted_by",
        "accepted_at",
    ]
    actions = ["accept"]

    @admin.display(description="Iteration", ordering="iteration__number")
    def iteration_number(self, deliverable: Deliverable):
        return deliverable.iteration.number if deliverable.iteration_id else "—"

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "accepted_by", "accepted_at"]

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.deliverable_create(actor=actor, **data)
        return services.deliverable_update(
            deliverable=instance, actor=actor, **self._without_engagement(data)
        )

    @admin.action(description="Accept selected deliverables (by the Product Owner)",
                  permissions=["change"])
    def accept(self, request, queryset) -> None:
        def accept_one(deliverable: Deliverable) -> None:
            product_owner = deliverable.engagement.product_owner
            if product_owner is None:
                raise ValidationError(
                    "the engagement names no Product Owner to accept it; name one first."
                )
            services.deliverable_accept(
                deliverable=deliverable, actor=request.user, accepted_by=product_owner
            )

        apply_each(
            self, request,
            queryset.select_related("engagement__product_owner").order_by("pk"),
            accept_one, label=lambda deliverable: f"“{deliverable}”",
            done="{count} deliverable(s) accepted.",
        )


@admin.register(TimeEntry)
class TimeEntryAdmin(DeliveryAdmin):
    """Logged hours. The cost is the service's (hours x day rate in force / 8), never typed.
    A correction changes the day, hours, deliverable or description (``time_entry_update``
    recomputes the cost); who worked, where, and the integrator's id are fixed once logged."""

    list_display = [
        "consultant", "engagement", "worked_on", "hours", "cost", "deliverable", "external_id",
    ]
    list_filter = [
        ENGAGEMENT_FILTER, ("consultant", admin.RelatedOnlyFieldListFilter), "worked_on",
    ]
    list_select_related = ["engagement", "consultant", "deliverable"]
    search_fields = [
        "consultant__full_name", "engagement__title", "description", "external_id",
    ]
    autocomplete_fields = ["engagement", "consultant", "deliverable"]
    fields = [
        "engagement", "consultant", "deliverable", "worked_on", "hours", "cost", "description",
        "external_id",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["cost"]
        return ["engagement", "consultant", "external_id", "cost"]

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.time_entry_create(actor=actor, **data)
        return services.time_entry_update(
            entry=instance, actor=actor, **self._without_engagement(data)
        )


@admin.register(Expense)
class ExpenseAdmin(DeliveryAdmin):
    list_display = ["engagement", "spent_on", "category", "amount", "description"]
    list_filter = ["category", ENGAGEMENT_FILTER, "spent_on"]
    search_fields = ["engagement__title", "description"]
    fields = ["engagement", "spent_on", "amount", "category", "description"]

    def save_through_service(self, *, actor, instance, data):
        if instance is None:
            return services.expense_create(actor=actor, **data)
        return services.expense_update(
            expense=instance, actor=actor, **self._without_engagement(data)
        )


class IndicatorFilter(admin.RelatedOnlyFieldListFilter):
    """The measured indicators, named with their service in one query."""

    def field_choices(self, field, request, model_admin):
        measured = model_admin.get_queryset(request).values("indicator_id")
        return [
            (indicator.pk, str(indicator))
            for indicator in Indicator.objects.filter(pk__in=measured).select_related("service")
        ]


class KpiMeasurementForm(ServiceModelForm):
    """The indicator is one of the engagement's services' (the service's rule): on a page
    opened from an engagement (``?engagement=<id>``) only those are offered; otherwise the
    indicators of services some open engagement delivers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("indicator")
        if field is None:
            return
        engagement_id = self.data.get("engagement") or self.initial.get("engagement")
        engagement_id = getattr(engagement_id, "pk", engagement_id)
        open_engagements = Engagement.objects.exclude(status__in=FINAL_STATUSES)
        if str(engagement_id or "").isdigit():
            open_engagements = open_engagements.filter(pk=int(engagement_id))
        field.queryset = (
            Indicator.objects.filter(service__engagements__in=open_engagements)
            .select_related("service").distinct().order_by("service__name", "position", "name")
        )


@admin.register(KpiMeasurement)
class KpiMeasurementAdmin(DeliveryAdmin):
    """KPI values of the engagement's service indicators, one per indicator and period: a
    correction records the same period again (``kpi_measurement_record``)."""

    form = KpiMeasurementForm
    list_display = [
        "indicator", "engagement", "period_start", "period_end", "value", "recorded_by",
    ]
    list_filter = [ENGAGEMENT_FILTER, ("indicator", IndicatorFilter)]
    list_select_related = ["engagement", "indicator__service", "recorded_by"]
    search_fields = ["engagement__title", "indicator__name", "note"]
    fields = [
        "engagement", "indicator", "period_start", "period_end", "value", "note", "recorded_by",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["recorded_by"]
        return ["engagement", "indicator", "period_start", "recorded_by"]

    def save_through_service(self, *, actor, instance, data):
        if instance is not None:
            data = {**data, "engagement": instance.engagement, "indicator": instance.indicator,
                    "period_start": instance.period_start}
        return services.kpi_measurement_record(actor=actor, **data)


# --- Metrics (computed, read-only) ---


def figure_rows(figures: dict) -> str:
    """The stored figures as a table: name, value, or the reason it has none."""
    rows = [
        (name, figure.get("value") if figure.get("value") is not None else "—",
         figure.get("reason", ""))
        for name, figure in sorted(figures.items())
        if isinstance(figure, dict) and "value" in figure
    ]
    if not rows:
        return "—"
    return format_html(
        "<table><thead><tr><th>Figure</th><th>Value</th><th>Why none</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Computed rows: looked at, never added, changed or deleted here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Figures")
    def figure_table(self, metrics) -> str:
        return figure_rows(metrics.figures)

    @admin.display(description="Health reasons")
    def reasons(self, metrics) -> str:
        reasons = metrics.figures.get("reasons") or []
        if not reasons:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>",
                                                          ((reason,) for reason in reasons)))


@admin.register(EngagementMetrics)
class EngagementMetricsAdmin(ReadOnlyAdmin):
    """The current metrics of each engagement; recompute them from the engagements list."""

    list_display = [
        "engagement", "health", "cpi", "spi", "pv", "ev", "ac", "status_date", "as_of", "stale",
    ]
    list_filter = ["health"]
    list_select_related = ["engagement"]
    search_fields = ["engagement__title", "engagement__organization__name"]
    fields = [
        "engagement", "health", "reasons", "status_date", "as_of", "inputs_changed_at", "stale",
        "bac", "pv", "ev", "ac", "cpi", "spi", "figure_table",
    ]
    readonly_fields = fields

    @admin.display(description="Stale", boolean=True)
    def stale(self, metrics: EngagementMetrics) -> bool:
        return metrics.is_stale


@admin.register(MetricsSnapshot)
class MetricsSnapshotAdmin(ReadOnlyAdmin):
    """One engagement's metrics per day: the history of the figures."""

    list_display = ["engagement", "day", "health", "cpi", "spi", "pv", "ev", "ac", "as_of"]
    list_filter = ["health", "day"]
    list_select_related = ["engagement"]
    search_fields = ["engagement__title"]
    date_hierarchy = "day"
    fields = [
        "engagement", "day", "as_of", "health", "reasons", "pv", "ev", "ac", "cpi", "spi",
        "figure_table",
    ]
    readonly_fields = fields
