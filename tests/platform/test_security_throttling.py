"""API rate limits: 429 with Retry-After in the error envelope, per user and per address,
counted in the shared Redis, and failing open (never a 500) when Redis is down."""

import re
import uuid

import pytest
import redis
from django.core.cache import caches
from django.test import RequestFactory
from rest_framework import throttling
from rest_framework.test import APIClient

from pmo_service.api import throttles
from tests.platform.test_settings import GOOD_PRODUCTION_ENV, _python, _show

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
SCHEMA = "/api/schema/"
TOKEN = "/api/v1/auth/token/"


# Ten seconds into a one-minute window: the clock of every throttle in these tests, so two
# requests a slow schema build apart can never fall into different windows.
FROZEN_NOW = 60 * 16_666_667 + 10.0


@pytest.fixture
def rates(settings, monkeypatch):
    """Small rates for every scope; a fresh in-memory throttle cache for each test; a frozen
    throttle clock."""
    monkeypatch.setattr(throttling.SimpleRateThrottle, "timer", lambda self: FROZEN_NOW)
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"throttle-{uuid.uuid4()}",
        },
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "3/min", "auth": "2/min"},
    }
    throttles.reset_cache_backoff()
    yield settings
    throttles.reset_cache_backoff()


def _assert_throttled(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 50  # what is left of the frozen window
    body = response.json()
    assert set(body) == {"detail"}
    assert re.fullmatch(r"Request was throttled\. Expected available in \d+ seconds?\.",
                        body["detail"])


def test_signed_in_callers_are_limited_per_user(rates, client_api, user_b):
    for _ in range(3):
        assert client_api.get(ME).status_code == 200
    _assert_throttled(client_api.get(ME))
    # Another user from the same address has their own allowance.
    other = APIClient()
    other.force_authenticate(user_b)
    assert other.get(ME).status_code == 200


def test_anonymous_callers_are_limited_per_address(rates, api_client):
    # The schema is the API resource anonymous callers may read (slow to build: rate 1).
    limits = {**rates.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "1/min"}
    rates.REST_FRAMEWORK = {**rates.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": limits}

    def get_schema(address):
        return api_client.get(SCHEMA, REMOTE_ADDR=address, HTTP_ACCEPT="application/json")

    assert get_schema("203.0.113.9").status_code == 200
    _assert_throttled(get_schema("203.0.113.9"))
    assert get_schema("203.0.113.10").status_code == 200


def test_the_token_endpoint_keeps_its_own_auth_rate(rates, api_client):
    for _ in range(2):
        response = api_client.post(TOKEN, {"username": "nobody", "password": "x"})
        assert response.status_code == 400
    _assert_throttled(api_client.post(TOKEN, {"username": "nobody", "password": "x"}))


def test_sign_in_pages_share_the_address_budget_with_the_token_endpoint(rates, client):
    """Spraying usernames from one address: each pair is below the lockout, but every door
    to a password draws on the address's one ``auth`` budget (2/min here)."""
    assert client.post("/accounts/login/", {"username": "ann", "password": "x"}).status_code == 200
    assert APIClient().post(TOKEN, {"username": "bea", "password": "x"}).status_code == 400

    refused = client.post("/accounts/login/", {"username": "cid", "password": "x"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert b"Try again in 50 seconds" in refused.content
    assert client.post("/admin/login/", {"username": "dee", "password": "x"}).status_code == 429
    _assert_throttled(APIClient().post(TOKEN, {"username": "eve", "password": "x"}))
    # Reading the pages is not an attempt.
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 200


def test_sign_in_pages_fail_open_when_redis_is_down(rates, client):
    rates.CACHES = {
        **rates.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    for username in ("ann", "bea", "cid"):  # above the rate of 2: nothing counted or refused
        response = client.post("/accounts/login/", {"username": username, "password": "x"})
        assert response.status_code == 200


def test_redis_down_lets_requests_through_with_a_warning(rates, client_api, caplog):
    rates.CACHES = {
        **rates.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    for _ in range(5):  # above the rate of 3: nothing is counted, nothing refused
        assert client_api.get(ME).status_code == 200
    warnings = [r for r in caplog.records if "Throttle cache unavailable" in r.getMessage()]
    # One warning, then the cache is left alone for a few seconds rather than retried per call.
    assert len(warnings) == 1


@pytest.mark.redis
def test_counts_live_in_redis_so_every_process_shares_them(rates, client_api, user_a):
    location = rates.TEST_BROKER_URL
    prefix = f"pmo-test-{uuid.uuid4().hex[:8]}"
    rates.CACHES = {
        **rates.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        },
    }
    server = redis.Redis.from_url(location)
    try:
        for _ in range(2):
            assert client_api.get(ME).status_code == 200
        keys = server.keys(f"{prefix}:*throttle_user_{user_a.pk}:*")
        assert len(keys) == 1
        assert int(server.get(keys[0])) == 2
        assert 0 < server.ttl(keys[0]) <= 61
        # Another process: a fresh connection to the same Redis continues the same count.
        caches["throttle"].close()
        del caches["throttle"]
        assert client_api.get(ME).status_code == 200
        _assert_throttled(client_api.get(ME))
        assert int(server.get(keys[0])) == 4
    finally:
        for key in server.keys(f"{prefix}:*"):
            server.delete(key)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.1.1.1, 2.2.2.2", "10.0.0.2"),  # no trusted proxy: the header is ignored
        (1, "1.1.1.1, 2.2.2.2", "2.2.2.2"),  # our proxy appended the client's address
        (2, "1.1.1.1, 2.2.2.2, 3.3.3.3", "2.2.2.2"),
        (2, "2.2.2.2", "2.2.2.2"),  # fewer entries than proxies: the left-most there is
        (1, "", "10.0.0.2"),
    ],
)
def test_client_address_trusts_only_our_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert throttles.client_address(request) == expected


def test_production_counts_throttles_in_the_broker_redis_by_default():
    result = _python(
        _show("CACHES['throttle']['BACKEND']", "CACHES['throttle']['LOCATION']"),
        GOOD_PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "'django.core.cache.backends.redis.RedisCache'", "'redis://redis.internal:6379/0'",
    ]


def test_production_refuses_a_per_process_throttle_cache():
    result = _python(
        "import django; django.setup()",
        {**GOOD_PRODUCTION_ENV, "THROTTLE_CACHE_URL": "locmemcache://"},
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "THROTTLE_CACHE_URL" in result.stderr


def test_redis_cache_urls_use_djangos_own_backend():
    result = _python(
        _show("CACHES['default']['BACKEND']", "CACHES['default']['LOCATION']"),
        {"DJANGO_SETTINGS_MODULE": "pmo_service.settings.local",
         "CACHE_URL": "rediscache://cache.internal:6379/2"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "'django.core.cache.backends.redis.RedisCache'", "'redis://cache.internal:6379/2'",
    ]
