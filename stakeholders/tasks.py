"""Background work of the stakeholders app. Tasks take primary keys and are idempotent."""

import logging

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

from .models import Membership

logger = logging.getLogger(__name__)


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
        if membership.invitation_sent_at is not None or user.has_usable_password():
            return "skipped"
        if not user.email:
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
def purge_expired_sessions() -> int:
    """Delete expired sessions (periodic; see the beat schedule in pmo_service/celery.py)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
