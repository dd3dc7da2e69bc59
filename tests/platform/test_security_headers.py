"""Security headers and cookies as production serves them.

The production settings module refuses to load without its services, so it is read in a
subprocess (with the good environment of test_settings); its security values are then
applied to this process and the responses checked.
"""

import json

import pytest

from tests.platform.test_settings import GOOD_PRODUCTION_ENV, _python

pytestmark = pytest.mark.django_db

SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "CONTENT_SECURITY_POLICY",
    "AUTHENTICATION_BACKENDS", "MIDDLEWARE", "AUTH_PASSWORD_VALIDATORS", "DEBUG",
]


@pytest.fixture(scope="module")
def production():
    """The production module's security settings, as loaded with a good environment."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    result = _python(code, GOOD_PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def as_production(settings, production):
    applied = {
        name: value for name, value in production.items()
        if name not in {"AUTHENTICATION_BACKENDS", "MIDDLEWARE", "AUTH_PASSWORD_VALIDATORS"}
    }
    applied["SECURE_SSL_REDIRECT"] = False  # the test client asks for https itself
    applied["SECURE_PROXY_SSL_HEADER"] = tuple(production["SECURE_PROXY_SSL_HEADER"])
    for name, value in applied.items():
        setattr(settings, name, value)
    return settings


def test_production_settings_are_the_secure_ones(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert production["X_FRAME_OPTIONS"] == "DENY"
    # Lockout: its backend first, its middleware last, as django-axes requires.
    assert production["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert production["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    validators = {v["NAME"].rsplit(".", 1)[-1]: v.get("OPTIONS", {})
                  for v in production["AUTH_PASSWORD_VALIDATORS"]}
    assert validators["MinimumLengthValidator"] == {"min_length": 15}
    assert validators["MaximumLengthValidator"] == {"max_length": 128}
    assert "CommonPasswordValidator" in validators
    assert "NumericPasswordValidator" not in validators  # no composition rules (NIST)


def test_pages_carry_the_security_headers_over_https(client, as_production):
    response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    csp = {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split("; ")
    }
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    hsts = response["Strict-Transport-Security"]
    assert int(hsts.split(";")[0].removeprefix("max-age=")) >= 31536000
    assert "includeSubDomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_is_only_sent_over_https(client, as_production):
    assert "Strict-Transport-Security" not in client.get("/accounts/login/")


def test_the_api_carries_them_too(client_api, as_production):
    response = client_api.get("/api/v1/me/", secure=True)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "Strict-Transport-Security" in response


def test_plain_http_is_redirected_to_https_but_health_probes_are_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200


def test_session_and_csrf_cookies_are_secure(client, user_a, password, as_production):
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": password}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
