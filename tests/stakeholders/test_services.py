"""Services and tasks of the stakeholders app: user creation, invitations, periodic cleanup."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from stakeholders import services
from stakeholders.models import Membership, User
from stakeholders.tasks import (
    purge_expired_sessions,
    resend_unsent_invitations,
    send_membership_invitation,
)
from tests.factories import OrganizationFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_user_create_is_atomic_when_membership_is_refused():
    inactive = OrganizationFactory(is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(username="x", email="x@x.test", organization=inactive)
    assert "organization" in excinfo.value.message_dict
    assert not User.objects.filter(username="x").exists()


def test_staff_may_join_the_provider_but_clients_may_not():
    provider = ProviderFactory()
    staff = services.user_create(
        username="pm", email="pm@p.test", organization=provider, is_staff=True,
        password="a-long-unique-passphrase",
    )
    assert staff.membership.organization == provider
    with pytest.raises(ValidationError):
        services.user_create(username="c", email="c@p.test", organization=provider)


def test_invitation_is_sent_after_commit_once(org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user = services.user_create(username="ivy", email="ivy@a.test", organization=org_a)
    assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ivy@a.test"]
    # Redelivery of the same task (worker crash, retry) does not send a second e-mail.
    assert send_membership_invitation.apply(args=[user.membership.pk]).get() == "skipped"
    assert len(mail.outbox) == 1


def test_invitation_link_lets_the_user_choose_a_password(
    client, org_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.user_create(username="jo", email="jo@a.test", organization=org_a)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("127.0.0.1:8000", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "fresh-secret-phrase-77", "new_password2": "fresh-secret-phrase-77"},
    )
    assert response.status_code == 302
    assert client.login(username="jo", password="fresh-secret-phrase-77")


def test_invitation_task_skips_missing_and_passworded(user_a):
    assert send_membership_invitation.apply(args=[999999]).get() == "missing"
    assert send_membership_invitation.apply(args=[user_a.membership.pk]).get() == "skipped"
    assert mail.outbox == []


def test_update_moves_membership_and_validates_password(user_a, org_b):
    services.user_update(user=user_a, organization=org_b, role="sponsor", first_name="Al")
    membership = Membership.objects.get(user=user_a)
    assert (membership.organization, membership.role) == (org_b, "sponsor")
    with pytest.raises(ValidationError):
        services.user_update(user=user_a, password="123")


def test_purge_expired_sessions_keeps_live_ones():
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="new", session_data="", expire_date=now + timedelta(1))
    assert purge_expired_sessions() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]


def test_update_gives_a_membership_only_with_an_allowed_organization(org_a):
    loner = User.objects.create_user("loner", email="l@x.test")
    with pytest.raises(ValidationError) as excinfo:
        services.user_update(user=loner, role="sponsor")
    assert "organization" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.user_update(user=loner, organization=ProviderFactory())
    assert not Membership.objects.filter(user=loner).exists()
    services.user_update(user=loner, organization=org_a, role="sponsor")
    assert (loner.membership.organization, loner.membership.role) == (org_a, "sponsor")


# --- Invitations lost with the broker ---------------------------------------------------------


def _asked(membership: Membership, ago: timedelta) -> None:
    Membership.objects.filter(pk=membership.pk).update(
        invitation_requested_at=timezone.now() - ago
    )


def test_an_invitation_never_sent_is_sent_by_the_sweep_once(
    org_a, django_capture_on_commit_callbacks
):
    # The after-commit send is dropped, as when the broker is down (it is only logged then).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user = services.user_create(username="ivy", email="ivy@a.test", organization=org_a)
    assert len(callbacks) == 1
    membership = Membership.objects.get(user=user)
    assert membership.invitation_requested_at is not None
    assert membership.invitation_sent_at is None

    assert resend_unsent_invitations.run() == 0  # within the grace: it may be on its way
    _asked(membership, timedelta(minutes=11))
    assert resend_unsent_invitations.run() == 1
    assert [message.to for message in mail.outbox] == [["ivy@a.test"]]
    membership.refresh_from_db()
    assert membership.invitation_sent_at is not None
    assert resend_unsent_invitations.run() == 0  # stamped: never twice
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_old_asks_and_stops_asking_for_passworded_users(org_a, user_a):
    old = services.user_create(username="olga", email="olga@a.test", organization=org_a)
    _asked(old.membership, timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60))
    _asked(user_a.membership, timedelta(minutes=30))  # user_a already has a password
    mail.outbox.clear()

    assert resend_unsent_invitations.run() == 1  # user_a's; olga's ask is past the link's life
    assert mail.outbox == []
    user_a.membership.refresh_from_db()
    assert user_a.membership.invitation_requested_at is None
    assert resend_unsent_invitations.run() == 0
