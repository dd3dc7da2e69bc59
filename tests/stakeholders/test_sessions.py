"""Sessions end on logout and when a user is deactivated, by any door; the API token too."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from stakeholders import services
from stakeholders.models import User
from stakeholders.sessions import user_sessions_end

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGE = "/accounts/password_change/"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _with_session_key(key: str) -> Client:
    """A browser presenting a (possibly stolen) session cookie."""
    client = Client()
    client.cookies["sessionid"] = key
    return client


def _is_signed_in(client: Client) -> bool:
    response = client.get(SIGNED_IN_PAGE)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))
        return False
    assert response.status_code == 200
    return True


def test_logout_deletes_the_session_so_its_key_no_longer_works(user_a):
    client = _signed_in(user_a)
    key = client.session.session_key
    assert _is_signed_in(_with_session_key(key))
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not _is_signed_in(_with_session_key(key))


def test_deactivation_through_the_api_signs_the_user_out_everywhere(
    staff_api, user_a, user_b
):
    laptop, phone, colleague = _signed_in(user_a), _signed_in(user_a), _signed_in(user_b)
    token = services.api_token_issue(user=user_a)
    integrator = APIClient()
    integrator.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert integrator.get("/api/v1/me/").status_code == 200

    response = staff_api.patch(f"/api/v1/users/{user_a.pk}/", {"is_active": False})
    assert response.status_code == 200

    assert not _is_signed_in(laptop)
    assert not _is_signed_in(phone)
    assert integrator.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(user=user_a).exists()
    sessions_left = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(user_a.pk) not in sessions_left
    assert _is_signed_in(colleague)  # nobody else is touched


def test_deactivation_by_save_admin_or_import_signs_out_too(user_a):
    browser = _signed_in(user_a)
    key = browser.session.session_key
    services.api_token_issue(user=user_a)
    user_a.is_active = False
    user_a.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert not Token.objects.filter(user=user_a).exists()
    # Reactivating does not bring the old session back.
    user_a.is_active = True
    user_a.save()
    assert not _is_signed_in(_with_session_key(key))


def test_saving_an_active_user_keeps_their_sessions(user_a, django_assert_num_queries):
    browser = _signed_in(user_a)
    user_a.first_name = "Alicia"
    with django_assert_num_queries(2):  # the UPDATE and its history row: no deactivation check
        user_a.save(update_fields=["first_name"])
    assert _is_signed_in(browser)


def test_a_bulk_update_skips_the_clean_up_but_django_still_refuses_the_user(user_a):
    browser = _signed_in(user_a)
    User.objects.filter(pk=user_a.pk).update(is_active=False)
    assert not _is_signed_in(browser)


def test_user_sessions_end_removes_only_that_users_sessions(user_a, user_b):
    _signed_in(user_a)
    _signed_in(user_a)
    other = _signed_in(user_b)
    assert user_sessions_end(user_id=user_a.pk) == 2
    assert _is_signed_in(other)


def test_users_of_a_deactivated_organization_stay_signed_in_read_only(user_a, org_a):
    browser = _signed_in(user_a)
    org_a.is_active = False
    org_a.save()
    assert _is_signed_in(browser)
