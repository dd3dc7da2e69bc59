"""Background work of the stakeholders app. Tasks take primary keys and are idempotent."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from pmo_service.celery import resend_unstamped

from .models import Membership

logger = logging.getLogger(__name__)

# An invitation asked for but not sent this long after is taken as lost (the broker was
# down when it was asked for) and sent again; older than the set-password link's lifetime
# (PASSWORD_RESET_TIMEOUT) it is left for staff to ask again.
UNSENT_GRACE = timedelta(minutes=10)


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_membership_invitation(self, membership_id: int) -> str:
    """E-mail the set-password link to an invited user and stamp the membership.

    Idempotent: the row is locked, and a membership already stamped (or whose user already
    chose a password) is skipped, so redelivery after a worker crash sends at most once more.
    Mail-server failures (OSError) are retried with exponential backoff.
    """
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("user", "organization")
            .filter(pk=membership_id)
            .first()
        )
        if membership is None:
            return "missing"
        user = membership.user
        if membership.invitation_sent_at is not None:
            return "skipped"
        if user.has_usable_password() or not user.email:
            # Nothing to send until staff invite again: the sweep stops asking.
            membership.invitation_requested_at = None
            membership.save(update_fields=["invitation_requested_at"])
            if user.has_usable_password():
                return "skipped"
            logger.warning("Membership %s has no e-mail to invite", membership_id)
            return "no-email"
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context = {
            "user": user,
            "organization": membership.organization,
            "link": settings.PORTAL_BASE_URL.rstrip("/") + path,
        }
        send_mail(
            subject=f"Your PMO Service access for {membership.organization.name}",
            message=render_to_string("registration/invitation_email.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
        membership.invitation_sent_at = timezone.now()
        membership.save(update_fields=["invitation_sent_at"])
    return "sent"


@shared_task
def resend_unsent_invitations() -> int:
    """Send again the invitations asked for but never sent (periodic; see the beat schedule).

    ``membership_invite`` stamps ``invitation_requested_at`` in the same transaction as the
    change and sends the task after commit; when the broker is down that send is only logged.
    Such memberships stay findable (asked, not sent) and are sent here once the broker is
    back. The invitation task is idempotent, so one also on its way is sent once.
    """
    now = timezone.now()
    pending = Membership.objects.filter(
        invitation_sent_at__isnull=True,
        invitation_requested_at__lte=now - UNSENT_GRACE,
        invitation_requested_at__gte=now - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    ).order_by("invitation_requested_at", "pk").values_list("pk", flat=True)
    return resend_unstamped(send_membership_invitation, pending, "invitations")


@shared_task
def purge_expired_sessions() -> int:
    """Delete expired sessions (periodic; see the beat schedule in pmo_service/celery.py)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
