"""Staff admin screens: lists with filters and search, the invitation action."""

import pytest
from django.core import mail

from tests.factories import ClientUserFactory

pytestmark = pytest.mark.django_db


def test_invitation_action_sends_to_passwordless_users_only(
    client, staff_user, user_a, org_a, django_capture_on_commit_callbacks
):
    invited = ClientUserFactory(membership__organization=org_a)
    invited.set_unusable_password()
    invited.save()
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/stakeholders/user/",
            {"action": "send_invitation", "_selected_action": [invited.pk, user_a.pk]},
            follow=True,
        )
    messages = [str(message) for message in response.context["messages"]]
    assert "1 invitation(s) queued." in messages
    assert any("1 user(s) skipped" in message for message in messages)
    assert [message.to for message in mail.outbox] == [[invited.email]]


def test_organization_admin_filters_and_searches(client, staff_user, org_a, org_b):
    org_b.region = "Algarve"
    org_b.save()
    client.force_login(staff_user)
    response = client.get("/admin/stakeholders/organization/", {"q": "algarve"})
    assert list(response.context["cl"].result_list) == [org_b]
    response = client.get("/admin/stakeholders/organization/", {"kind__exact": "provider"})
    assert list(response.context["cl"].result_list) == []
