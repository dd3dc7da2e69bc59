"""Staff interface for the catalog: services and their parts, taxonomies, service requests.

Every state change (publishing, retiring, the request workflow, recording a request on a
client's behalf) goes through ``catalog.services``, so the admin follows the same rules as the
API and the portal. Workflow refusals come back as messages on the page, never as errors.
"""

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from pmo_service.exceptions import ConflictError
from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization, User

from . import services
from .choices import REQUEST_TRANSITIONS, RequestStatus, ServiceStatus, TierLevel
from .models import (
    Category,
    Certification,
    Criterion,
    Indicator,
    Role,
    Service,
    ServiceRequest,
    ServiceRequestTransition,
    ServiceRole,
    ServiceRoleSkill,
    ServiceTier,
    Skill,
    ValueProcess,
)

# --- Shared helpers ----------------------------------------------------------------------------


def _error_text(error: ConflictError | ValidationError) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _apply_each(
    model_admin: admin.ModelAdmin,
    request,
    objects: Iterable,
    apply: Callable,
    *,
    done: str,
    label: Callable[[object], str] | None = None,
) -> None:
    """Run a service on each object; report the successes together and each refusal apart.

    Each service call is its own transaction, so one refusal does not undo the others.
    ``label`` names the object in a refusal whose message does not name it already.
    """
    succeeded = 0
    for obj in objects:
        try:
            apply(obj)
        except (ConflictError, ValidationError) as error:
            text = _error_text(error)
            model_admin.message_user(
                request, f"{label(obj)}: {text}" if label else text, messages.ERROR
            )
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, done.format(count=succeeded), messages.SUCCESS)


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History to read, not to revert: a revert would restore an old status and bypass the rules
    of publishing and of the request workflow, so the revert form is view-only."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Old versions can be viewed, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


def _usage_column(description: str):
    """A list column showing the ``usage_count`` annotation of the admin's queryset."""

    @admin.display(description=description, ordering="usage_count")
    def usage_count(self, obj) -> int:
        return obj.usage_count

    return usage_count


# --- Taxonomies --------------------------------------------------------------------------------


class TaxonomyAdmin(admin.ModelAdmin):
    """A named, slugged list with a count of the services using each entry (one query)."""

    usage_path = ""  # the relation path from the entry to the services using it
    list_display = ["name", "slug", "usage_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ("name",)}
    usage_count = _usage_column("Services")

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
    usage_count = _usage_column("Services")

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .annotate(usage_count=Count("service_roles__service", distinct=True))
        )


# --- Services ----------------------------------------------------------------------------------


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
        _apply_each(
            self, request, queryset,
            lambda service: services.service_publish(service=service),
            done="{count} service(s) published.",
        )

    @admin.action(description="Retire selected services", permissions=["change"])
    def retire_services(self, request, queryset) -> None:
        _apply_each(
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

RECORD_FIELDS = [
    "organization", "service", "tier", "requested_by", "desired_start", "context",
    "expected_outcomes",
]


class ServiceRequestRecordForm(forms.ModelForm):
    """PMO staff record a request a client made by phone or e-mail."""

    recorded_by: User  # set per request by ServiceRequestAdmin.get_form

    class Meta:
        model = ServiceRequest
        fields = RECORD_FIELDS
        widgets = {"desired_start": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        # The service holds every rule of a new request; calling it here puts its field errors
        # on the form. Nothing can fail after clean() on this page (it has no inlines), and the
        # admin's transaction keeps the row and the page's outcome together.
        self.instance = services.service_request_record(
            recorded_by=self.recorded_by, **{name: cleaned_data[name] for name in RECORD_FIELDS}
        )
        return cleaned_data


class DeclineForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="The client sees this reason in the portal and in the e-mail.",
    )


class ServiceRequestTransitionInline(admin.TabularInline):
    """The request's history of status changes: recorded by the workflow, never edited."""

    model = ServiceRequestTransition
    fields = ["from_status", "to_status", "actor", "note", "created_at", "notified_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The change form's workflow buttons: submit name -> (target status, label, service).
# Declining needs a reason, so its button leads to the decline action's confirmation page.
TRANSITION_BUTTONS = {
    "_start_review": (RequestStatus.IN_REVIEW, "Start review", services.service_request_review),
    "_accept": (RequestStatus.ACCEPTED, "Accept", services.service_request_accept),
}


@admin.register(ServiceRequest)
class ServiceRequestAdmin(NoRevertHistoryAdmin):
    list_display = [
        "service", "organization", "tier_level", "requested_by", "created_at", "desired_start",
        "status",
    ]
    list_filter = [
        "status",
        ("service", admin.RelatedOnlyFieldListFilter),
        ("organization", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["service", "organization", "tier", "requested_by"]
    search_fields = [
        "service__name", "organization__name", "requested_by__username",
        "requested_by__email", "context",
    ]
    date_hierarchy = "created_at"
    actions = ["start_review", "accept_requests", "decline_requests"]
    change_form_template = "admin/catalog/servicerequest/change_form.html"

    @admin.display(description="Tier", ordering="tier__level")
    def tier_level(self, service_request: ServiceRequest) -> str:
        return service_request.tier.get_level_display()

    # Requests are history: nothing is deleted, and after recording only the workflow moves them.

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": RECORD_FIELDS})]
        return [
            (None, {"fields": [
                "organization", "requested_by", "service", "tier", "desired_start",
            ]}),
            ("In the client's words", {"fields": ["context", "expected_outcomes"]}),
            ("Decision", {"fields": ["status", "decision_reason", "created_at", "updated_at"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            *RECORD_FIELDS, "status", "decision_reason", "created_at", "updated_at",
        ]

    def get_inlines(self, request, obj):
        return [ServiceRequestTransitionInline] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ServiceRequestRecordForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.recorded_by = request.user  # a class built for this request only
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = {
            "organization": Organization.objects.filter(
                kind=OrganizationKind.CLIENT, is_active=True
            ),
            "service": Service.objects.published(),
            "tier": ServiceTier.objects.filter(
                service__status=ServiceStatus.PUBLISHED
            ).select_related("service"),
            "requested_by": User.objects.filter(
                is_active=True, is_staff=False, membership__isnull=False
            ).order_by("username"),
        }
        if db_field.name in choices:
            kwargs["queryset"] = choices[db_field.name]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        # A new request was recorded by the service in the form's clean(); an existing one has
        # no editable field. Saving here would only add an empty version to its history.
        return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        button = next((name for name in TRANSITION_BUTTONS if name in request.POST), None)
        if request.method == "POST" and button:
            return self._transition_from_change_form(request, object_id, button)
        service_request = self.get_object(request, object_id)
        allowed = (
            REQUEST_TRANSITIONS.get(RequestStatus(service_request.status), ())
            if service_request and self.has_change_permission(request, service_request)
            else ()
        )
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "transition_buttons": [
                (name, label) for name, (status, label, _) in TRANSITION_BUTTONS.items()
                if status in allowed
            ],
            "can_decline": RequestStatus.DECLINED in allowed,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _transition_from_change_form(self, request, object_id, button: str):
        service_request = self.get_object(request, object_id)
        if service_request is None or not self.has_change_permission(request, service_request):
            raise PermissionDenied
        status, _label, transition = TRANSITION_BUTTONS[button]
        _apply_each(
            self, request, [service_request],
            lambda obj: transition(request=obj, actor=request.user),
            label=self._label, done=f"The request is now {status.label.lower()}.",
        )
        return HttpResponseRedirect(request.path)

    @staticmethod
    def _label(service_request: ServiceRequest) -> str:
        return (
            f"Request #{service_request.pk} ({service_request.service} for "
            f"{service_request.organization})"
        )

    def _workflow_queryset(self, queryset):
        return queryset.select_related("service", "organization").order_by("pk")

    @admin.action(description="Start review of selected requests", permissions=["change"])
    def start_review(self, request, queryset) -> None:
        _apply_each(
            self, request, self._workflow_queryset(queryset),
            lambda obj: services.service_request_review(request=obj, actor=request.user),
            label=self._label, done="{count} request(s) now in review.",
        )

    @admin.action(description="Accept selected requests", permissions=["change"])
    def accept_requests(self, request, queryset) -> None:
        _apply_each(
            self, request, self._workflow_queryset(queryset),
            lambda obj: services.service_request_accept(request=obj, actor=request.user),
            label=self._label, done="{count} request(s) accepted.",
        )

    @admin.action(description="Decline selected requests…", permissions=["change"])
    def decline_requests(self, request, queryset):
        """Ask for the reason the client will read, then decline each selected request."""
        selected = self._workflow_queryset(queryset)
        form = DeclineForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            _apply_each(
                self, request, selected,
                lambda obj: services.service_request_decline(
                    request=obj, actor=request.user, reason=reason
                ),
                label=self._label, done="{count} request(s) declined.",
            )
            return None  # back to the list, where the messages show
        context = {
            **self.admin_site.each_context(request),
            "title": "Decline service requests",
            "opts": self.model._meta,
            "requests": selected,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/catalog/servicerequest/decline_confirmation.html", context
        )
