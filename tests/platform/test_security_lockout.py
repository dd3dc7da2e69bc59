"""Sign-in lockout (django-axes): per username and address, on the login page, the admin and
the API token endpoint; reset on success; visible to staff in the admin."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def lockout_backends(settings):
    """The production backends: the lockout backend refuses locked-out sign-ins up front."""
    settings.AUTHENTICATION_BACKENDS = django_settings.LOCKOUT_AUTHENTICATION_BACKENDS
    settings.AXES_FAILURE_LIMIT = 3


def _fail_login(client, username="alice", address=ATTACKER, times=1):
    response = None
    for _ in range(times):
        response = client.post(
            LOGIN, {"username": username, "password": "wrong-guess"}, REMOTE_ADDR=address
        )
    return response


def test_the_limit_th_failure_locks_the_username_from_that_address_with_a_clear_429(
    client, user_a
):
    assert _fail_login(client, times=2).status_code == 200
    response = _fail_login(client)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many sign-in attempts" in page
    assert "Try again in 15 minutes." in page
    assert "alice" in page
    assert '<link rel="stylesheet"' in page  # the site's own layout (base.html)


def test_a_locked_out_user_is_refused_even_with_the_right_password(client, user_a, password):
    _fail_login(client, times=3)
    response = client.post(
        LOGIN, {"username": "alice", "password": password}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, user_a, user_b, password):
    _fail_login(client, times=3)
    # The same user from another address, and another user from the attacker's address.
    response = client.post(
        LOGIN, {"username": "alice", "password": password}, REMOTE_ADDR=ELSEWHERE
    )
    assert response.status_code == 302
    client.logout()
    response = client.post(LOGIN, {"username": "bob", "password": password}, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 302


def test_a_success_resets_the_count(client, user_a, password):
    _fail_login(client, times=2)
    response = client.post(
        LOGIN, {"username": "alice", "password": password}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 302
    client.logout()
    assert _fail_login(client, times=2).status_code == 200


def test_the_lockout_ends_after_the_cool_off(client, user_a, password, settings):
    _fail_login(client, times=3)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time
                                 - settings.AXES_COOLOFF_TIME)
    response = client.post(
        LOGIN, {"username": "alice", "password": password}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_client_is_locked_not_the_proxy(
    client, user_a, password, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(3):
        client.post(
            LOGIN, {"username": "alice", "password": "wrong-guess"},
            REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}",
        )
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    # Another client through the same proxy signs in; the forged left-most entry is ignored.
    response = client.post(
        LOGIN, {"username": "alice", "password": password},
        REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{ATTACKER}, {ELSEWHERE}",
    )
    assert response.status_code == 302


def test_the_admin_login_is_locked_too(client, staff_user, password):
    for _ in range(3):
        response = client.post(
            "/admin/login/", {"username": "staff", "password": "wrong-guess"},
            REMOTE_ADDR=ATTACKER,
        )
    assert response.status_code == 429
    response = client.post(
        "/admin/login/", {"username": "staff", "password": password}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 429


def test_the_token_endpoint_is_locked_with_a_json_429_and_retry_after(
    api_client, user_a, password
):
    for _ in range(2):
        response = api_client.post(
            TOKEN, {"username": "alice", "password": "wrong-guess"}, REMOTE_ADDR=ATTACKER
        )
        assert response.status_code == 400
    response = api_client.post(
        TOKEN, {"username": "alice", "password": "wrong-guess"}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response.json() == {
        "detail": "Too many failed sign-in attempts for this username from this address. "
        "Try again in 15 minutes."
    }
    response = api_client.post(
        TOKEN, {"username": "alice", "password": password}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 429
    assert "token" not in response.json()
    # The page login shares the count: the user is locked there too.
    assert AccessAttempt.objects.get(username="alice").failures_since_start >= 3


def test_staff_see_and_clear_attempts_in_the_admin(client, user_a, staff_user, password):
    _fail_login(client, times=3)
    client.force_login(staff_user)
    changelist = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert ATTACKER in changelist.content.decode()
    attempt = AccessAttempt.objects.get()
    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()
    response = client.post(
        LOGIN, {"username": "alice", "password": password}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 302
