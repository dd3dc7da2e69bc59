"""Service requests: a client asks for a catalog service; PMO staff review and decide."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from stakeholders.tenancy import TenantQuerySet

from ..choices import OPEN_REQUEST_STATUSES, RequestStatus
from .service import Service, ServiceTier


class ServiceRequestQuerySet(TenantQuerySet):
    def open(self) -> "ServiceRequestQuerySet":
        return self.filter(status__in=OPEN_REQUEST_STATUSES)


class ServiceRequest(models.Model):
    """A client organization's request for a service at a tier; accepted ones become engagements.

    Requests are history: they cannot be deleted, and every status change is kept as a
    :class:`ServiceRequestTransition`.
    """

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="service_requests"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests")
    tier = models.ForeignKey(ServiceTier, on_delete=models.PROTECT, related_name="requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_requests"
    )
    desired_start = models.DateField()
    context = models.TextField(help_text="The situation that makes the service needed.")
    expected_outcomes = models.TextField(help_text="What success looks like for the client.")
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED,
        editable=False,
    )
    decision_reason = models.TextField(
        blank=True, editable=False, help_text="Why the request was declined (or accepted)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RequestStatus.values),
                name="service_request_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RequestStatus.DECLINED) | ~models.Q(decision_reason=""),
                name="service_request_declined_has_reason",
                violation_error_message="A declined request needs a reason.",
            ),
            models.UniqueConstraint(
                fields=["organization", "service"],
                condition=models.Q(status__in=OPEN_REQUEST_STATUSES),
                name="service_request_one_open_per_service",
                violation_error_message=(
                    "Your organization already has an open request for this service."
                ),
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.service} for {self.organization} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES


class ServiceRequestTransition(models.Model):
    """One status change of a request: from, to, who, when and why. Never edited or deleted."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(
        max_length=20, choices=RequestStatus.choices, blank=True,
        help_text="Empty for the submission itself.",
    )
    to_status = models.CharField(max_length=20, choices=RequestStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the e-mail about this change left."
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_status__in=RequestStatus.values),
                name="service_request_transition_to_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_status=models.F("to_status")),
                name="service_request_transition_changes_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"
