"""Background work of the catalog. Tasks take primary keys and are idempotent."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pmo_service.celery import resend_unstamped
from stakeholders.models import User

from .models import ServiceRequestTransition

logger = logging.getLogger(__name__)


def _staff_recipients() -> list[str]:
    return list(
        User.objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notify_service_request_transition(self, transition_id: int) -> str:
    """E-mail the news of a request's status change and stamp the transition as notified.

    A submission goes to PMO staff (a request is waiting); a decision or a review goes to the
    client user who made the request. The transition row is locked and stamped in the same
    transaction, so a redelivered task sends nothing twice. Mail-server failures are retried.
    """
    with transaction.atomic():
        transition = (
            ServiceRequestTransition.objects.select_for_update()
            .select_related(
                "request__organization", "request__service", "request__tier",
                "request__requested_by", "actor",
            )
            .filter(pk=transition_id)
            .first()
        )
        if transition is None:
            return "missing"
        if transition.notified_at is not None:
            return "skipped"
        request = transition.request
        base_url = settings.PORTAL_BASE_URL.rstrip("/")
        if not transition.from_status:
            recipients = _staff_recipients()
            link = base_url + reverse("admin:catalog_servicerequest_change", args=[request.pk])
            template = "catalog/email/request_submitted.txt"
            subject = f"New service request: {request.service.name} for {request.organization}"
        else:
            requester = request.requested_by
            recipients = [requester.email] if requester.is_active and requester.email else []
            link = base_url + reverse("catalog:request-detail", args=[request.pk])
            template = "catalog/email/request_status.txt"
            subject = (
                f"Your request for {request.service.name} is now "
                f"{request.get_status_display().lower()}"
            )
        if recipients:
            context = {"request": request, "transition": transition, "link": link}
            send_mail(
                subject=subject,
                message=render_to_string(template, context),
                from_email=None,
                recipient_list=recipients,
            )
        else:
            logger.info("Request transition %s has nobody to notify", transition_id)
        transition.notified_at = timezone.now()
        transition.save(update_fields=["notified_at"])
    return "sent" if recipients else "no-recipients"


# A transition not notified this long after is taken as lost (the broker was down when it was
# made) and notified again; after the window the news is stale and is left alone.
UNSENT_GRACE = timedelta(minutes=10)
UNSENT_WINDOW = timedelta(days=2)


@shared_task
def resend_unsent_notifications() -> int:
    """Notify the request transitions never notified (periodic; see the beat schedule).

    Every transition sends its e-mail task after commit and the task stamps ``notified_at``;
    when the broker is down the send is only logged, and the unstamped rows are found here
    once it is back. The e-mail task locks and stamps its row, so one also on its way is
    sent once.
    """
    now = timezone.now()
    pending = ServiceRequestTransition.objects.filter(
        notified_at__isnull=True,
        created_at__lte=now - UNSENT_GRACE,
        created_at__gte=now - UNSENT_WINDOW,
    ).order_by("created_at", "pk").values_list("pk", flat=True)
    return resend_unstamped(notify_service_request_transition, pending, "request notifications")
