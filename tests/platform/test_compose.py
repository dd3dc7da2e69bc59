"""Static checks of the container stack (docker-compose.yml, Dockerfile, .dockerignore).

No Docker engine runs here, so the files are parsed and cross-checked against what the code
really defines: the variables the settings read, the checks production settings enforce, the
Celery app name, the WSGI application. A typo in a variable name, a URL host drifting from a
service name or a migration creeping into the web command fails here, not at deploy time.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat")
# What a user would export: a random-looking key of production length.
USER_ENV = {"SECRET_KEY": "test-only-" + "k3y-Vq8zR2pL" * 5}


class InterpolationError(ValueError):
    """A required ``${VAR:?msg}`` / ``${VAR?msg}`` variable is missing: compose refuses to run."""


_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


def interpolate(value, env: dict[str, str]):
    """Resolve compose variables in every string of ``value`` the way ``docker compose`` does.

    ``${V:-d}`` / ``${V:?e}`` treat unset *or empty* as missing, ``${V-d}`` / ``${V?e}`` only
    unset; ``$$`` is a literal ``$`` (left for the container's shell).
    """
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op = match["name"] or match["bare"], match["op"] or ""
        missing = not env.get(name) if op.startswith(":") else name not in env
        if op.endswith("?") and missing:
            raise InterpolationError(f"required variable {name} is missing a value: {match['arg']}")
        if op.endswith("-") and missing:
            return match["arg"]
        return env.get(name, "")

    return _VARIABLE.sub(substitute, value)


def load_compose(env: dict[str, str]) -> dict:
    """docker-compose.yml as compose sees it with ``env`` exported (anchors merged by YAML)."""
    return interpolate(yaml.safe_load(COMPOSE.read_text()), env)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped and continuation lines joined."""
    text = DOCKERFILE.read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    pairs = [line.strip().split(None, 1) for line in joined.splitlines() if line.strip()]
    return [(words[0].upper(), words[1] if len(words) > 1 else "") for words in pairs]


def dockerfile_last(instruction: str) -> str | None:
    """Arguments of the last ``instruction``: the one Docker actually uses."""
    found = [args for name, args in dockerfile_instructions() if name == instruction]
    return found[-1] if found else None


def as_argv(command) -> list[str]:
    """A compose/Dockerfile command (exec list, JSON string or shell string) as argv."""
    if isinstance(command, list):
        return command
    if command.lstrip().startswith("["):
        return json.loads(command)
    return shlex.split(command)


def effective_command(service: dict) -> list[str]:
    """What the container runs: compose ``command`` if given, else the image's CMD."""
    return as_argv(service.get("command") or dockerfile_last("CMD"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose(USER_ENV)


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def app_env(services) -> dict[str, str]:
    return {key: str(value) for key, value in services["web"]["environment"].items()}


# --- the interpolation helper itself --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${A:-d}", {}, "d"),
        ("${A:-d}", {"A": ""}, "d"),
        ("${A-d}", {"A": ""}, ""),
        ("${A:-d}", {"A": "x"}, "x"),
        ("${A:?need A}", {"A": "x"}, "x"),
        ("celery@$$HOSTNAME", {"HOSTNAME": "host"}, "celery@$HOSTNAME"),
        ("$A/${B}", {"A": "1", "B": "2"}, "1/2"),
    ],
)
def test_interpolate_resolves_like_compose(text, env, expected):
    assert interpolate(text, env) == expected


@pytest.mark.parametrize("env", [{}, {"SECRET_KEY": ""}], ids=["unset", "empty"])
def test_compose_refuses_to_start_without_a_secret_key(env):
    """No shared default key: compose itself stops before any container starts."""
    with pytest.raises(InterpolationError, match="SECRET_KEY"):
        load_compose(env)


# --- services, image and commands -----------------------------------------------------------


def test_all_services_are_declared(services):
    assert {"postgres", "redis", *APP_SERVICES} <= set(services)


def test_app_services_share_one_image_and_one_environment(services):
    """One build, four roles: web, worker, beat and migrate can never run different code."""
    for name in APP_SERVICES:
        service = services[name]
        build = service["build"]
        assert (build if isinstance(build, str) else build["context"]) == ".", name
        assert service["image"] == "pmo-service:local", name
        assert service["environment"] == services["web"]["environment"], name
    assert (ROOT / "Dockerfile").is_file()


def test_web_runs_gunicorn_on_the_wsgi_application(services):
    argv = effective_command(services["web"])
    assert argv[0] == "gunicorn"
    target = next(arg for arg in argv if ":application" in arg)
    assert target == "pmo_service.wsgi:application"
    assert target.replace(":", ".") == settings.WSGI_APPLICATION
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8000"
    assert "8000" in [str(port) for port in services["web"]["expose"]]


def test_web_and_worker_scale_out_behind_one_proxy(compose, services):
    """`docker compose up --scale web=3 --scale worker=2` must work: no replica of web or
    worker may claim a host port or a fixed container name, and the one published port is the
    proxy's, which spreads requests over every web replica."""
    for name in ("web", "worker"):
        assert "ports" not in services[name], f"{name} replicas would fight over a host port"
        assert "container_name" not in services[name], name
    assert services["proxy"]["ports"] == ["8000:8000"]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    config_name = services["proxy"]["configs"][0]["source"]
    assert services["proxy"]["configs"][0]["target"] == "/etc/nginx/conf.d/default.conf"
    conf = compose["configs"][config_name]["content"]
    # Docker's DNS is re-asked (a variable in proxy_pass), so new replicas join the rotation.
    assert "resolver 127.0.0.11" in conf
    assert re.search(r"set \$(\w+) http://web:8000;", conf)
    assert "proxy_pass $web_upstream;" in conf
    # The client address is replaced, never appended to a caller-supplied header.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf


@pytest.mark.parametrize("role", ["worker", "beat"])
def test_worker_and_beat_run_the_projects_celery_app(services, role):
    from pmo_service.celery import app

    assert effective_command(services[role])[:4] == ["celery", "-A", app.main, role]


def test_beat_keeps_its_schedule_in_tmp(services):
    """/app is read-only for the non-root user; beat must write its schedule elsewhere."""
    argv = effective_command(services["beat"])
    schedule = next(arg for arg in argv if arg.startswith("--schedule"))
    assert schedule.split("=", 1)[1].startswith("/tmp/")  # noqa: S108 (a check, not a use)


def test_migrations_run_only_in_the_migrate_service(services):
    """Several web or worker replicas must never race each other migrating the schema."""
    assert effective_command(services["migrate"]) == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in LONG_RUNNING:
        started = effective_command(services[name]) + as_argv(services[name].get("entrypoint", []))
        assert "migrate" not in " ".join(started), name
    assert "migrate" not in str(dockerfile_last("ENTRYPOINT") or "")


def test_long_running_services_wait_for_migrations_and_healthy_backends(services):
    for name in LONG_RUNNING:
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_postgres_data_lives_in_a_declared_named_volume(compose, services):
    source, target = services["postgres"]["volumes"][0].split(":")[:2]
    assert target == "/var/lib/postgresql/data"
    assert source in (compose.get("volumes") or {})


def test_every_long_running_service_has_a_healthcheck(services):
    for name, service in services.items():
        check = service.get("healthcheck") or {}
        if name == "migrate":
            assert check in ({}, {"disable": True}), "the one-shot migrate needs no healthcheck"
            continue
        assert not check.get("disable"), name
        assert check.get("test"), name
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    worker_check = " ".join(services["worker"]["healthcheck"]["test"])
    assert "celery -A pmo_service inspect ping -d celery@$HOSTNAME" in worker_check


# --- environment against the settings -------------------------------------------------------


def test_environment_has_everything_production_settings_require(app_env):
    assert app_env["DJANGO_SETTINGS_MODULE"] == "pmo_service.settings.production"
    for key in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"):
        assert app_env.get(key), key
    assert app_env.get("CELERY_BROKER_URL") or app_env.get("REDIS_URL")


def test_production_settings_accept_the_compose_environment(app_env):
    """Import the real production settings with exactly the compose environment.

    A fresh interpreter, so the refusal checks in production.py run for real; importing the
    settings opens no connection, so no database or broker is needed.
    """
    probe = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'ssl': s.SECURE_SSL_REDIRECT, 'hosts': s.ALLOWED_HOSTS, "
        "'engine': s.DATABASES['default']['ENGINE'], 'broker': s.CELERY_BROKER_URL}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **app_env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {
        "debug": False,
        "ssl": False,  # plain http on localhost, see docker-compose.yml
        "hosts": ["localhost", "127.0.0.1"],
        "engine": "django.db.backends.postgresql",
        "broker": "redis://redis:6379/0",
    }


def settings_variables() -> set[str]:
    """Every NAME the settings read through django-environ: env("NAME"), env.str("NAME"), ..."""
    call = re.compile(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
    files = (ROOT / "pmo_service" / "settings").glob("*.py")
    return {name for path in files for name in call.findall(path.read_text())}


def test_every_compose_variable_is_read_by_the_settings(app_env):
    """A misspelt variable would be silently ignored by Django; here it fails."""
    read = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"} <= read  # the regex still works
    unknown = set(app_env) - {"DJANGO_SETTINGS_MODULE"} - read
    assert not unknown, f"compose sets variables no setting reads: {sorted(unknown)}"


def test_database_url_matches_the_postgres_service(services, app_env):
    url = urlparse(app_env["DATABASE_URL"])
    postgres = services["postgres"]["environment"]
    assert url.scheme in ("postgres", "postgresql", "pgsql")
    assert url.hostname == "postgres"
    assert url.hostname in services
    assert (url.port or 5432) == 5432
    assert url.path.lstrip("/") == postgres["POSTGRES_DB"]
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"]


def test_broker_url_points_at_the_redis_service(services, app_env):
    url = urlparse(app_env.get("CELERY_BROKER_URL") or app_env["REDIS_URL"])
    assert url.scheme == "redis"
    assert url.hostname == "redis"
    assert services[url.hostname]["image"].startswith("redis")
    assert (url.port or 6379) == 6379


# --- Dockerfile and build context -----------------------------------------------------------


def test_dockerfile_installs_the_lock_and_serves_with_gunicorn():
    runs = [args for name, args in dockerfile_instructions() if name == "RUN"]
    assert any(re.search(r"pip install .*-r requirements\.lock", run) for run in runs)
    for name in ("CMD", "ENTRYPOINT"):
        if dockerfile_last(name):
            assert "gunicorn" in as_argv(dockerfile_last(name))[0], name
    cmd = as_argv(dockerfile_last("CMD"))
    assert cmd[:2] == ["gunicorn", "pmo_service.wsgi:application"]


def test_sync_web_workers_sit_behind_a_buffering_proxy(compose, services):
    """The image runs sync workers (the shortest tail in the load test, docs/deployment.md),
    which a slow client would hold for its whole upload or download: the proxy in front must
    keep nginx's request and response buffering on."""
    cmd = as_argv(dockerfile_last("CMD"))
    assert cmd[cmd.index("--worker-class") + 1] == "sync"
    assert "--threads" not in cmd
    assert re.search(r"WEB_CONCURRENCY=4\b", " ".join(
        args for name, args in dockerfile_instructions() if name == "ENV"))
    conf = compose["configs"][services["proxy"]["configs"][0]["source"]]["content"]
    assert "proxy_pass" in conf
    assert not re.search(r"proxy_(request_)?buffering\s+off", conf)


def test_dockerfile_is_slim_non_root_and_self_contained():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    assert dockerfile_last("USER") not in (None, "root", "0")
    assert dockerfile_last("EXPOSE") == "8000"
    runs = [args for name, args in instructions if name == "RUN"]
    assert any("manage.py collectstatic --noinput" in run for run in runs)
    healthcheck = dockerfile_last("HEALTHCHECK")
    assert "python" in healthcheck
    assert "/healthz" in healthcheck
    assert "curl" not in healthcheck  # python:3.11-slim ships no curl


def test_dockerignore_keeps_local_state_and_secrets_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", ".git", ".env", "db.sqlite3", "staticfiles", "bench/results"} <= ignored


def test_shared_cache_is_the_redis_service_apart_from_the_queue(services, app_env):
    """Throttle counts and coalescing marks live in the cache every replica shares: the redis
    service, on another database than the broker's so clearing one never touches the other."""
    cache, broker = urlparse(app_env["CACHE_URL"]), urlparse(app_env["CELERY_BROKER_URL"])
    assert cache.scheme == "redis"
    assert cache.hostname == broker.hostname == "redis"
    assert "redis" in services
    assert cache.path != broker.path


def test_trusted_proxy_count_matches_the_proxies_in_front(services, app_env):
    """Exactly one proxy (nginx) stands before web: trusting more would let a caller forge the
    address that lockout and throttling count, trusting none would count everyone as the proxy."""
    assert app_env["TRUSTED_PROXY_COUNT"] == "1"
    assert "ports" in services["proxy"]
    assert "ports" not in services["web"]

