"""Signing a user out everywhere: when their account is deactivated, by any door.

Django already refuses a deactivated user on their next request (``ModelBackend.get_user``
and ``TokenAuthentication`` check ``is_active``); this removes what they held as well (the
browser sessions and the API token), so nothing is left to work again should a later
change re-activate the account or swap the authentication backend.

Deactivation happens in the API (``services.user_update``), the admin's user form and
imports; each saves the user, so one ``pre_save``/``post_save`` pair covers them all. A
queryset ``update(is_active=False)`` sends no signal and would skip the clean-up (the
``is_active`` checks above still apply): change users through ``save()``.
"""

from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import User

SESSION_USER_KEY = "_auth_user_id"


def user_sessions_end(*, user_id: int) -> int:
    """Delete the live database sessions of this user; returns how many.

    Sessions are stored encoded, with no column naming their user, so each unexpired one
    is decoded: work in proportion to the sessions alive, done once per deactivation (a
    rare staff action), not per request.
    """
    signed_in_as = str(user_id)
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        .only("session_key", "session_data")
        .iterator(chunk_size=2000)
        if str(session.get_decoded().get(SESSION_USER_KEY)) == signed_in_as
    ]
    deleted, _ = Session.objects.filter(session_key__in=doomed).delete()
    return deleted


def user_sign_out_everywhere(*, user: User) -> None:
    """End every session of the user and revoke their API token."""
    user_sessions_end(user_id=user.pk)
    Token.objects.filter(user=user).delete()


def _note_deactivation(sender, instance: User, raw: bool = False, **kwargs) -> None:
    # Only an active -> inactive change counts: one indexed lookup, and only when the saved
    # user is inactive, so ordinary saves (last_login on every sign-in) cost nothing.
    instance._deactivating = bool(
        not raw
        and instance.pk is not None
        and not instance.is_active
        and User.objects.filter(pk=instance.pk, is_active=True).exists()
    )


def _sign_out_deactivated(sender, instance: User, raw: bool = False, **kwargs) -> None:
    if getattr(instance, "_deactivating", False):
        instance._deactivating = False
        user_sign_out_everywhere(user=instance)


def connect() -> None:
    """Wire the deactivation hook (called once from ``StakeholdersConfig.ready``)."""
    pre_save.connect(_note_deactivation, sender=User, dispatch_uid="user-note-deactivation")
    post_save.connect(_sign_out_deactivated, sender=User, dispatch_uid="user-sign-out")
