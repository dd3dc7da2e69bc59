"""Admin of the risk register: score and rating columns, rating filter, status actions."""

from django.contrib import admin

from pmo_service.admin_helpers import ServiceAdminMixin, apply_each
from pmo_service.admin_history import NoRevertHistoryAdmin
from pmo_service.exceptions import ConflictError

from .. import services
from ..choices import RiskRating, RiskStatus
from ..classification import risk_rating_score_range
from ..models import Risk

# What the list's status actions accept: target status -> the statuses it may come from.
# Monitoring is for open risks; closing ends any risk that is not closed yet.
STATUS_ACTION_SOURCES = {
    RiskStatus.MONITORING: (RiskStatus.OPEN,),
    RiskStatus.CLOSED: (RiskStatus.OPEN, RiskStatus.MONITORING, RiskStatus.OCCURRED),
}


class RatingFilter(admin.SimpleListFilter):
    """Rating under the configured thresholds (a score range on the ``score_value``
    annotation, so it agrees with the column)."""

    title = "rating"
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return RiskRating.choices

    def queryset(self, request, queryset):
        if self.value() not in RiskRating.values:
            return queryset
        low, high = risk_rating_score_range(self.value())
        return queryset.filter(score_value__gte=low, score_value__lte=high)


@admin.register(Risk)
class RiskAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """Risks are history: they are closed (or marked occurred), never deleted."""

    list_display = [
        "title", "organization", "kind", "category", "probability", "impact", "score",
        "rating", "status", "owner", "proximity",
    ]
    list_filter = [
        RatingFilter,
        "status",
        "kind",
        "category",
        ("organization", admin.RelatedOnlyFieldListFilter),
        "response_strategy",
        "proximity",
    ]
    list_select_related = ["organization", "owner"]
    search_fields = [
        "title", "description", "cause", "effect", "response_actions", "organization__name",
        "owner__full_name",
    ]
    autocomplete_fields = ["organization", "owner", "stakeholders"]
    actions = ["mark_monitoring", "close_risks"]
    fieldsets = [
        (None, {"fields": ["organization", "title", "description", "category", "kind"]}),
        ("Cause and effect", {"fields": ["cause", "effect"]}),
        ("Assessment", {
            "fields": ["probability", "impact", "score", "rating", "proximity", "identified_on"],
        }),
        ("Response", {
            "fields": ["response_strategy", "response_actions", "owner", "stakeholders",
                       "status"],
        }),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_rating()

    def get_readonly_fields(self, request, obj=None):
        computed = ["score", "rating", "created_at", "updated_at"]
        return computed if obj is None else ["organization", *computed]

    @admin.display(description="Score", ordering="score_value")
    def score(self, risk: Risk) -> int | str:
        value = getattr(risk, "score_value", None)
        if value is not None:
            return value
        return risk.score if risk.probability and risk.impact else "—"

    @admin.display(description="Rating", ordering="score_value")
    def rating(self, risk: Risk) -> str:
        value = getattr(risk, "rating_value", None)
        if value is not None:
            return RiskRating(value).label
        return risk.rating.label if risk.probability and risk.impact else "—"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_through_service(self, *, actor, instance, data):
        stakeholders = list(data.pop("stakeholders", []))
        if instance is None:
            return services.risk_create(actor=actor, stakeholders=stakeholders, **data)
        return services.risk_update(
            risk=instance, actor=actor, stakeholders=stakeholders, **data
        )

    # --- Status actions ---

    def _move(self, request, queryset, status: RiskStatus, done: str) -> None:
        sources = STATUS_ACTION_SOURCES[status]

        def move(risk: Risk) -> None:
            if risk.status not in sources:
                raise ConflictError(
                    f"it is {risk.get_status_display().lower()}; only "
                    f"{' or '.join(RiskStatus(source).label.lower() for source in sources)} "
                    f"risks can become {status.label.lower()}."
                )
            services.risk_update(risk=risk, actor=request.user, status=status)

        apply_each(
            self, request, queryset.select_related("organization").order_by("pk"), move,
            label=lambda risk: f"“{risk}” ({risk.organization})", done=done,
        )

    @admin.action(description="Mark selected risks as monitoring", permissions=["change"])
    def mark_monitoring(self, request, queryset) -> None:
        self._move(request, queryset, RiskStatus.MONITORING, "{count} risk(s) now monitored.")

    @admin.action(description="Close selected risks", permissions=["change"])
    def close_risks(self, request, queryset) -> None:
        self._move(request, queryset, RiskStatus.CLOSED, "{count} risk(s) closed.")
