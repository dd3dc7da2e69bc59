"""The staff portfolio dashboard: every engagement with its health and main figures, as the
changelist of the ``EngagementHealth`` proxy.

Figures are the stored metrics (``EngagementMetrics``, one row per engagement), joined in the
list's one query: the main ones are columns, the others are read from the ``figures`` JSON
and cast to numbers in SQL so every numeric column sorts in the database. Blanks (a figure
that is undefined, or metrics never computed) sort last in both directions, and health sorts
by severity (red, amber, green), not alphabetically.

The page is read-only: rows link to the engagement's own admin page and to its portal
dashboard; the one action recomputes the selected engagements' metrics now.
"""

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, NullIf
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from ..choices import OPEN_ENGAGEMENT_STATUSES, EngagementStatus, Health
from ..metrics import compute as metrics_compute
from ..models import EngagementHealth, EngagementMetrics

# Health by severity: the rank the list sorts on (no health has no rank, so it sorts last).
HEALTH_RANK = {Health.RED: 0, Health.AMBER: 1, Health.GREEN: 2}
# Figures kept only in the JSON that the list shows and sorts on: annotation -> figure name.
JSON_FIGURES = {
    "cv_value": "cv",
    "sv_value": "sv",
    "eac_value": "eac",
    "accepted_percent_value": "deliverables_accepted_percent",
    "risk_exposure_value": "risk_exposure",
    "risks_red_value": "risks_red",
}
NUMBER = DecimalField(max_digits=20, decimal_places=4)
NOT_COMPUTED = "none"


class BlanksLast(F):
    """A sort key whose blanks come last whichever way the list is sorted.

    The admin reverses an ``OrderBy`` as a whole (blanks last becomes blanks first), but for
    a plain expression it asks for ``asc()`` or ``desc()``, so those keep blanks last.
    """

    def asc(self, **kwargs):
        return super().asc(nulls_last=True)

    def desc(self, **kwargs):
        return super().desc(nulls_last=True)


def json_figure(name: str) -> Cast:
    """A figure's value from the metrics' ``figures`` JSON as a number (null when undefined)."""
    text = KeyTextTransform("value", f"metrics__figures__{name}")
    # SQLite reads a JSON null as the text "null" (PostgreSQL as NULL); it must stay blank.
    return Cast(NullIf(text, Value("null")), NUMBER)


def stale_condition() -> Q:
    """Engagements whose metrics are missing, never computed, or older than their inputs."""
    return (
        Q(metrics__isnull=True) | Q(metrics__as_of__isnull=True)
        | Q(metrics__inputs_changed_at__gt=F("metrics__as_of"))
    )


def not_computed_condition() -> Q:
    return Q(metrics__isnull=True) | Q(metrics__health="")


# --- Filters ---


class HealthFilter(admin.SimpleListFilter):
    title = "health"
    parameter_name = "health"

    def lookups(self, request, model_admin):
        by_severity = sorted(Health, key=HEALTH_RANK.__getitem__)
        return [*((health.value, health.label) for health in by_severity),
                (NOT_COMPUTED, "Not computed yet")]

    def queryset(self, request, queryset):
        if self.value() == NOT_COMPUTED:
            return queryset.filter(not_computed_condition())
        if self.value() in Health.values:
            return queryset.filter(metrics__health=self.value())
        return queryset


class OpenStatusFilter(admin.SimpleListFilter):
    """Open engagements (not closed or cancelled) unless another status, or all, is chosen."""

    title = "status"
    parameter_name = "status"
    OPEN, ALL = "open", "all"

    def lookups(self, request, model_admin):
        return [(self.OPEN, "Open"), *EngagementStatus.choices, (self.ALL, "All")]

    def chosen(self) -> str:
        value = self.value()
        return value if value in dict(self.lookup_choices) else self.OPEN

    def queryset(self, request, queryset):
        chosen = self.chosen()
        if chosen == self.ALL:
            return queryset
        if chosen == self.OPEN:
            return queryset.filter(status__in=OPEN_ENGAGEMENT_STATUSES)
        return queryset.filter(status=chosen)

    def choices(self, changelist):
        # No "All" on top: the default is "Open", and "All" is one of the lookups.
        chosen = self.chosen()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": chosen == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class StaleFilter(admin.SimpleListFilter):
    title = "stale metrics"
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", "Yes (or never computed)"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(stale_condition())
        if self.value() == "no":
            return queryset.exclude(stale_condition())
        return queryset


class BelowOneFilter(admin.SimpleListFilter):
    """Yes: the index is below 1; no: at or above 1 (an undefined index is neither)."""

    index = ""

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(**{f"metrics__{self.index}__lt": 1})
        if self.value() == "no":
            return queryset.filter(**{f"metrics__{self.index}__gte": 1})
        return queryset


class OverBudgetFilter(BelowOneFilter):
    title = "over budget (CPI < 1)"
    parameter_name = "over_budget"
    index = "cpi"


class BehindScheduleFilter(BelowOneFilter):
    title = "behind schedule (SPI < 1)"
    parameter_name = "behind_schedule"
    index = "spi"


# --- The dashboard ---


def portfolio_summary(queryset) -> dict:
    """How many of these engagements are red, amber, green or not computed, and their total
    BAC, EV and AC (from the stored metrics): one aggregate query."""
    money = DecimalField(max_digits=20, decimal_places=2)
    return queryset.order_by().aggregate(
        total=Count("pk"),
        **{health: Count("pk", filter=Q(metrics__health=health)) for health in Health.values},
        not_computed=Count("pk", filter=not_computed_condition()),
        bac=Sum("metrics__bac", output_field=money),
        ev=Sum("metrics__ev", output_field=money),
        ac=Sum("metrics__ac", output_field=money),
    )


def metrics_of(engagement) -> EngagementMetrics | None:
    """The engagement's metrics row (already joined), or None when it has none yet."""
    try:
        return engagement.metrics
    except ObjectDoesNotExist:
        return None


@admin.register(EngagementHealth)
class PortfolioDashboardAdmin(admin.ModelAdmin):
    """Every engagement with its health: sorted and filtered in SQL, never edited here."""

    list_display = [
        "engagement", "organization", "status", "health", "cpi", "spi", "cv", "sv", "eac",
        "accepted", "risks", "red_kpis", "as_of", "freshness", "dashboard",
    ]
    list_display_links = None
    list_filter = [
        HealthFilter, OpenStatusFilter, ("organization", admin.RelatedOnlyFieldListFilter),
        StaleFilter, OverBudgetFilter, BehindScheduleFilter,
    ]
    list_select_related = ["organization", "metrics"]
    search_fields = ["title", "organization__name"]
    search_help_text = "Engagement title or client organization."
    empty_value_display = "—"
    actions = ["recompute_metrics"]
    list_per_page = 50
    change_list_template = "admin/engagements/engagementhealth/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            health_rank=Case(
                *[When(metrics__health=health, then=Value(rank))
                  for health, rank in HEALTH_RANK.items()],
                default=None, output_field=IntegerField(),
            ),
            **{name: json_figure(figure) for name, figure in JSON_FIGURES.items()},
        )

    def get_ordering(self, request):
        # Worst health first; here rather than ``ordering``, whose check knows no annotations.
        return [BlanksLast("health_rank").asc(), "title", "pk"]

    # --- Read-only: looked at by whoever may see engagements ---

    def has_view_permission(self, request, obj=None) -> bool:
        user = request.user
        return (
            super().has_view_permission(request, obj)
            or user.has_perm("engagements.view_engagement")
            or user.has_perm("engagements.change_engagement")
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_recompute_permission(self, request) -> bool:
        return request.user.has_perm("engagements.change_engagement")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A row's page is the engagement's own admin page."""
        if not self.has_view_permission(request):
            return super().change_view(request, object_id, form_url, extra_context)
        return HttpResponseRedirect(
            reverse("admin:engagements_engagement_change", args=[object_id])
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Portfolio dashboard", **(extra_context or {})}
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["summary"] = portfolio_summary(changelist.queryset)
        return response

    # --- Columns ---

    @admin.display(description="Engagement", ordering="title")
    def engagement(self, engagement) -> str:
        url = reverse("admin:engagements_engagement_change", args=[engagement.pk])
        return format_html('<a href="{}">{}</a>', url, engagement.title)

    @admin.display(description="Health", ordering=BlanksLast("health_rank"))
    def health(self, engagement) -> str:
        metrics = metrics_of(engagement)
        if metrics is None or not metrics.health:
            return format_html('<span class="eng-health eng-health-none">{}</span>',
                               "Not computed")
        return format_html('<span class="eng-health eng-health-{}">{}</span>',
                           metrics.health, metrics.get_health_display())

    @admin.display(description="CPI", ordering=BlanksLast("metrics__cpi"))
    def cpi(self, engagement) -> Decimal | None:
        metrics = metrics_of(engagement)
        return None if metrics is None else metrics.cpi

    @admin.display(description="SPI", ordering=BlanksLast("metrics__spi"))
    def spi(self, engagement) -> Decimal | None:
        metrics = metrics_of(engagement)
        return None if metrics is None else metrics.spi

    @admin.display(description="CV", ordering=BlanksLast("cv_value"))
    def cv(self, engagement) -> Decimal | None:
        return self._money(engagement.cv_value)

    @admin.display(description="SV", ordering=BlanksLast("sv_value"))
    def sv(self, engagement) -> Decimal | None:
        return self._money(engagement.sv_value)

    @admin.display(description="EAC", ordering=BlanksLast("eac_value"))
    def eac(self, engagement) -> Decimal | None:
        return self._money(engagement.eac_value)

    @admin.display(description="% accepted", ordering=BlanksLast("accepted_percent_value"))
    def accepted(self, engagement) -> str | None:
        value = engagement.accepted_percent_value
        return None if value is None else f"{value.quantize(Decimal('0.1'))} %"

    @admin.display(description="Risk exposure / red risks",
                   ordering=BlanksLast("risk_exposure_value"))
    def risks(self, engagement) -> str | None:
        if engagement.risk_exposure_value is None:
            return None
        red = engagement.risks_red_value or 0
        return f"{engagement.risk_exposure_value:.0f} / {red:.0f}"

    @admin.display(description="Red KPIs")
    def red_kpis(self, engagement) -> int | None:
        metrics = metrics_of(engagement)
        if metrics is None or metrics.as_of is None:
            return None
        return sum(1 for kpi in metrics.figures.get("kpis", []) if kpi.get("status") == "red")

    @admin.display(description="As of", ordering=BlanksLast("metrics__as_of"))
    def as_of(self, engagement):
        metrics = metrics_of(engagement)
        return None if metrics is None else metrics.as_of

    @admin.display(description="Metrics")
    def freshness(self, engagement) -> str:
        metrics = metrics_of(engagement)
        if metrics is None or metrics.as_of is None:
            return "Never computed"
        return "Stale" if metrics.is_stale else "Up to date"

    @admin.display(description="Portal")
    def dashboard(self, engagement) -> str | None:
        try:
            url = reverse("engagements:engagement-dashboard", args=[engagement.pk])
        except NoReverseMatch:  # the portal page is not wired in this deployment
            return None
        return format_html('<a href="{}">Dashboard</a>', url)

    @staticmethod
    def _money(value: Decimal | None) -> Decimal | None:
        return None if value is None else value.quantize(Decimal("0.01"))

    # --- Action ---

    @admin.action(description="Recompute metrics now", permissions=["recompute"])
    def recompute_metrics(self, request, queryset) -> None:
        """Recompute the selected engagements' metrics now (the background task does the
        same after every input change)."""
        count = metrics_compute.recompute_engagements(queryset.values_list("pk", flat=True))
        self.message_user(request, f"Metrics recomputed for {count} engagement(s).",
                          messages.SUCCESS)
