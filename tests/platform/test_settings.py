"""Settings per environment: embedded defaults, production refusals, deploy check, Celery."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmo_service.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
GOOD_PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "pmo_service.settings.production",
    "SECRET_KEY": "k3y-" + "x7Qp9Lm2Vr8Tz4Wn6Ys1Ub5Ha0Jc3Fe" * 2,
    "DATABASE_URL": "postgres://pmo:pmo@db.internal:5432/pmo",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "pmo.example.org",
}
SETTING_VARIABLES = {
    "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS", "DJANGO_SETTINGS_MODULE", "CACHE_URL", "EMAIL_URL",
    "CELERY_TASK_TIME_LIMIT", "CELERY_TASK_SOFT_TIME_LIMIT", "CELERY_VISIBILITY_TIMEOUT",
    "THROTTLE_CACHE_URL", "TRUSTED_PROXY_COUNT", "DISABLE_SERVER_SIDE_CURSORS",
    # Set for the whole session by the browser tests (tests/browser/conftest.py).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in SETTING_VARIABLES}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def _show(*names: str) -> str:
    return (
        "import django; django.setup(); from django.conf import settings; "
        + "print(" + ", ".join(f"repr(settings.{name})" for name in names) + ")"
    )


def test_embedded_default_is_sqlite_with_in_process_tasks():
    result = _python(
        _show("DATABASES['default']['ENGINE']", "CELERY_TASK_ALWAYS_EAGER", "DEBUG"),
        {"DJANGO_SETTINGS_MODULE": "pmo_service.settings.local"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["'django.db.backends.sqlite3'", "True", "True"]


def test_local_with_database_and_broker_uses_them():
    result = _python(
        _show("DATABASES['default']['ENGINE']", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL"),
        {"DJANGO_SETTINGS_MODULE": "pmo_service.settings.local",
         "DATABASE_URL": "postgres://u@h:5432/d", "REDIS_URL": "redis://h:6379/1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "'django.db.backends.postgresql'", "False", "'redis://h:6379/1'",
    ]


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-" + "a" * 60}, "SECRET_KEY"),
        ({"DATABASE_URL": "sqlite:///prod.sqlite3"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": ""}, "CELERY_BROKER_URL"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_half_configured(override, complaint):
    env = {**GOOD_PRODUCTION_ENV, **override}
    result = _python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_production_never_runs_tasks_in_process_and_is_secure():
    result = _python(
        _show("CELERY_TASK_ALWAYS_EAGER", "DEBUG", "SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT"),
        GOOD_PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "True", "True"]


def test_production_caches_are_shared_by_every_process():
    """Throttle counts, metrics coalescing marks and import previews must be seen by every web
    process and the worker: production puts both caches on Redis (the broker's, unless
    CACHE_URL names another) and refuses a per-process cache."""
    result = _python(
        _show("CACHES['default']['BACKEND']", "CACHES['default']['LOCATION']",
              "CACHES['throttle']['BACKEND']", "CACHES['throttle']['LOCATION']"),
        GOOD_PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    redis_backend = "'django.core.cache.backends.redis.RedisCache'"
    broker = repr(GOOD_PRODUCTION_ENV["CELERY_BROKER_URL"])
    assert result.stdout.split() == [redis_backend, broker, redis_backend, broker]

    own = _python(
        _show("CACHES['default']['LOCATION']"),
        {**GOOD_PRODUCTION_ENV, "CACHE_URL": "redis://cache.internal:6379/1"},
    )
    assert own.stdout.split() == ["'redis://cache.internal:6379/1'"], own.stderr

    refused = _python("import django; django.setup()",
                      {**GOOD_PRODUCTION_ENV, "CACHE_URL": "locmemcache://"})
    assert refused.returncode != 0
    assert "CACHE_URL must name a cache every process shares" in refused.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        GOOD_PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_celery_policy():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert set(conf.beat_schedule) == {
        "purge-expired-sessions",
        "recompute-all-engagement-metrics",
        "sweep-stale-engagement-metrics",
        "detect-improvement-bottlenecks",
        "resend-unsent-invitations",
        "resend-unsent-request-notifications",
    }
    celery_app.loader.import_default_modules()
    for entry in conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


def test_visibility_timeout_comes_from_the_environment_and_must_outlast_the_hard_limit():
    shown = _python(
        _show("CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout']"),
        {"DJANGO_SETTINGS_MODULE": "pmo_service.settings.local",
         "CELERY_VISIBILITY_TIMEOUT": "900"},
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["900"]
    refused = _python(
        _show("CELERY_BROKER_TRANSPORT_OPTIONS"),
        {"DJANGO_SETTINGS_MODULE": "pmo_service.settings.local",
         "CELERY_TASK_TIME_LIMIT": "300", "CELERY_VISIBILITY_TIMEOUT": "300"},
    )
    assert refused.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT (300) must be above" in refused.stderr
