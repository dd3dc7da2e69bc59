"""API rate limits counted in a cache every web process shares (Redis in production).

DRF's own throttles keep a list of request times per client and rewrite it on each request
(read, append, write back): two processes serving the same client at once lose one of the
writes. These count instead with an atomic increment on a fixed window, so the count is
exact however many processes answer, and ``Retry-After`` is the time left in the window.

A rate limit protects the service; it must never be what takes it down. When the cache
cannot be reached the request is let through and a warning logged (fail open), and the
cache is left alone for a few seconds so an outage does not add a timeout to every call.
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from redis.exceptions import RedisError
from rest_framework import status, throttling
from rest_framework.response import Response
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

THROTTLE_CACHE_ALIAS = "throttle"
# After a cache error, requests pass unthrottled for this long before the cache is tried again.
CACHE_RETRY_AFTER_SECONDS = 5.0
_cache_unavailable_until = 0.0


def client_address(request) -> str:
    """The client's IP address, trusting only the proxies we run (``TRUSTED_PROXY_COUNT``).

    Each trusted proxy appends the address it received the request from to
    ``X-Forwarded-For``; the client's address is the one the outermost trusted proxy
    appended. Anything to the left of it was written by the client and may be forged, so it
    is never used. With no trusted proxy the TCP peer (``REMOTE_ADDR``) is the client. Login
    lockout (django-axes) and the API throttles both use this, so they count the same client.
    """
    remote_address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote_address
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote_address
    return addresses[-min(proxies, len(addresses))]


class SharedCounterThrottleMixin:
    """Fixed-window counting in the shared ``throttle`` cache, failing open on cache errors."""

    @property
    def THROTTLE_RATES(self) -> dict:  # noqa: N802 - the name DRF's throttles read
        # DRF copies the rates once, at import; reading them per request lets a settings
        # change (tests, a reloaded configuration) take effect.
        return api_settings.DEFAULT_THROTTLE_RATES

    def get_ident(self, request) -> str:
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        global _cache_unavailable_until
        if self.rate is None:
            return True
        identity = self.get_cache_key(request, view)
        if identity is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.seconds_left = self.duration - (now - window * self.duration)
        if time.monotonic() < _cache_unavailable_until:
            return True
        key = f"{identity}:{window}"
        try:
            count = self._increment(caches[THROTTLE_CACHE_ALIAS], key)
        except (RedisError, OSError) as exc:
            _cache_unavailable_until = time.monotonic() + CACHE_RETRY_AFTER_SECONDS
            logger.warning(
                "Throttle cache unavailable, letting API requests through for %.0f s: %s",
                CACHE_RETRY_AFTER_SECONDS, exc,
            )
            return True
        return count <= self.num_requests

    def _increment(self, cache, key: str) -> int:
        # The key outlives its window by a second so it cannot expire between add and incr.
        cache.add(key, 0, timeout=self.duration + 1)
        try:
            return cache.incr(key)
        except ValueError:
            # Evicted in between (a cache under memory pressure): start the count again.
            cache.set(key, 1, timeout=self.duration + 1)
            return 1

    def wait(self) -> float:
        return float(math.ceil(self.seconds_left))


class AnonRateThrottle(SharedCounterThrottleMixin, throttling.AnonRateThrottle):
    """Anonymous callers, per client address (scope ``anon``)."""


class UserRateThrottle(SharedCounterThrottleMixin, throttling.UserRateThrottle):
    """Signed-in callers, per user whatever their address (scope ``user``)."""


class ScopedRateThrottle(SharedCounterThrottleMixin, throttling.ScopedRateThrottle):
    """Views that name a ``throttle_scope`` (the token endpoint: ``auth``), per user or address."""

    def allow_request(self, request, view) -> bool:
        # DRF's version reads the view's scope, then counts; the counting here is ours.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class _SignInDoor:
    """What ``ScopedRateThrottle`` reads of a view: the token endpoint's scope."""

    throttle_scope = "auth"


def sign_in_page_allowed(request) -> tuple[bool, int]:
    """Count a sign-in attempt made through a page (the login page, the admin's) against the
    address's ``auth`` budget (``THROTTLE_AUTH_RATE``), the very counter the token endpoint
    uses: (allowed, seconds to wait). The lockout stops guessing one username; this bounds
    trying many usernames from one address, whichever door it uses."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, _SignInDoor()):
        return True, 0
    return False, int(throttle.wait())


def reset_cache_backoff() -> None:
    """Forget a past cache error so the next request tries the cache again (used by tests)."""
    global _cache_unavailable_until
    _cache_unavailable_until = 0.0


def sign_in_lockout_response(request) -> Response | None:
    """The API's answer to a sign-in that django-axes refused or has just locked, else None.

    For pages the lockout middleware answers, but it looks at Django's request while axes
    marks the one it was given: DRF's. So an API view that calls ``authenticate(request, ...)``
    asks this after a refusal, and answers 429 in the API's envelope with ``Retry-After``.
    It must *return* the response, not raise: raising rolls the request's transaction back
    and, with it, the failure axes has just counted.
    """
    if not getattr(request, "axes_locked_out", False):
        return None
    cool_off = settings.AXES_COOLOFF_TIME
    if cool_off is None:
        detail = "Too many failed sign-in attempts: ask PMO staff to unlock this account."
        return Response({"detail": detail}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    seconds = math.ceil(cool_off.total_seconds())
    minutes = math.ceil(seconds / 60)
    detail = (
        "Too many failed sign-in attempts for this username from this address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )
    return Response(
        {"detail": detail},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(seconds)},
    )
