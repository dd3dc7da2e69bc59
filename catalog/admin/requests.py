"""Admin of service requests: the workflow actions, the decline page, recording on behalf."""


from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization, User

from .. import services
from ..choices import REQUEST_TRANSITIONS, RequestStatus, ServiceStatus
from ..models import (
    Service,
    ServiceRequest,
    ServiceRequestTransition,
    ServiceTier,
)
from .common import NoRevertHistoryAdmin, apply_each

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
        apply_each(
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
        apply_each(
            self, request, self._workflow_queryset(queryset),
            lambda obj: services.service_request_review(request=obj, actor=request.user),
            label=self._label, done="{count} request(s) now in review.",
        )

    @admin.action(description="Accept selected requests", permissions=["change"])
    def accept_requests(self, request, queryset) -> None:
        apply_each(
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
            apply_each(
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
