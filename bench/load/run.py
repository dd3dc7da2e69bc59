"""``python -m bench.load``: the served load test, end to end.

1. Recreate the ``pmo_load`` database (on the server of ``DATABASE_URL``, or the local one),
   migrate it and fill it (``bench.load.data``: ``seed_demo`` plus a top-up).
2. Serve it as production does: gunicorn with production settings (a random key, HTTPS
   redirect off because the test speaks plain HTTP to 127.0.0.1), static files collected by
   WhiteNoise's manifest storage, and a real Celery worker on Redis (broker DB 7, cache DB 8),
   so each bulk push of time entries makes the worker recompute that engagement's metrics.
3. Saturation: the mixed scenario (``locustfile.py``) closed-loop, many users and no wait;
   the sustained throughput is the saturation rate.
4. Measurement: half that rate, paced (``constant_throughput`` per user, users x rate =
   target), for two minutes; throughput, p50/p95/p99 and failures per request type.
5. ``bench/results/load.json`` and a table; exit status 1 when any request failed (either
   step) or the worker did not keep up (tasks left queued, metrics left stale).

Every process started here is stopped on the way out, failure and Ctrl-C included.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.load.figures import format_table, read_stats
from bench.load.stack import (
    REPO_DIR,
    Processes,
    cpu_seconds,
    database_admin,
    free_port,
    load_average,
    redis_flush,
    rss_megabytes,
    run_step,
    wait_until_serving,
)

BIN = Path(sys.executable).parent
LOAD_DATABASE = "pmo_load"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}
REDIS_SERVER = os.environ.get("LOAD_REDIS_SERVER", "redis://127.0.0.1:6379")
BROKER_DB, CACHE_DB = 7, 8
RESULTS = REPO_DIR / "bench" / "results" / "load.json"
# Kept between runs: WhiteNoise compresses only the files that changed since the last
# collectstatic, which turns minutes into seconds on a re-run.
STATIC_ROOT = Path(tempfile.gettempdir()) / "pmo-load-static"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
# Throttling guards a real site against one noisy client; the load test's few hundred
# tokens would trip it at once, which would measure the throttle, not the service.
UNTHROTTLED = "1000000/min"
P99_TARGET_MS = 250


@dataclass
class Config:
    """A gunicorn shape: ``workers`` processes of ``threads`` threads each."""

    workers: int
    threads: int

    @property
    def worker_class(self) -> str:
        return "gthread" if self.threads > 1 else "sync"

    def __str__(self) -> str:
        return f"{self.worker_class} {self.workers}x{self.threads}"


def parse_config(text: str) -> Config:
    workers, _, threads = text.partition("x")
    try:
        config = Config(int(workers), int(threads or 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not WORKERSxTHREADS (e.g. 2x4)") from None
    if config.workers < 1 or config.threads < 1:
        raise argparse.ArgumentTypeError("workers and threads must be at least 1")
    return config


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description="Serve a fresh pmo_load database with gunicorn + a Celery worker and "
        "drive the mixed scenario with locust: saturation, then half of it for --duration.",
    )
    parser.add_argument("--duration", type=int, default=120,
                        help="seconds of the measured step (default 120)")
    parser.add_argument("--saturation-seconds", type=int, default=50,
                        help="seconds of the closed-loop saturation step (default 50)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; 1 means sync workers (default 1)")
    parser.add_argument("--users", type=int, default=24,
                        help="at most this many users in the measured step; fewer when the "
                        "target is lower, so that each sends a request a second (default 24)")
    parser.add_argument("--saturation-users", type=int, default=32,
                        help="simulated users of the saturation step (default 32)")
    parser.add_argument("--compare", type=parse_config, nargs="+", metavar="WxT",
                        help="only compare gunicorn shapes at saturation (e.g. 5x1 2x4 3x2); "
                        "writes bench/results/load-configs.json")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 10 s saturation, 10 s measured, 1 worker x 2 threads")
    parser.add_argument("--keep-database", action="store_true",
                        help=f"leave {LOAD_DATABASE} in place afterwards (default: drop it)")
    parser.add_argument("--generator-nice", type=int, default=-10,
                        help="scheduling priority of locust (default -10, higher than the "
                        "server's; 0 leaves it as the server's): on a shared machine the load "
                        "generator waiting for a core would count as server latency")
    parser.add_argument("--output", type=Path, default=RESULTS, help="results JSON path")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.saturation_seconds = 10, 10
        args.workers, args.threads, args.users, args.saturation_users = 1, 2, 8, 12
    for name in ("duration", "saturation_seconds", "workers", "threads", "users",
                 "saturation_users"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


# --- Database, static files and environment ------------------------------------------------


def load_database_url() -> str:
    configured = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(configured)
    if parts.scheme in POSTGRES_SCHEMES and parts.hostname:
        if parts.path.lstrip("/") == LOAD_DATABASE:
            sys.exit(f"load: DATABASE_URL names '{LOAD_DATABASE}', the database this test "
                     "drops; point it at your development database instead.")
        return urlunsplit((parts.scheme, parts.netloc, f"/{LOAD_DATABASE}", parts.query, ""))
    return f"{DEFAULT_SERVER}/{LOAD_DATABASE}"


def static_fingerprint() -> str:
    """What the collected static files depend on: the pinned packages (their bundled
    files: admin, DRF, Swagger UI) and every file under a ``static/`` folder of the project."""
    digest = hashlib.sha256((REPO_DIR / "requirements.lock").read_bytes())
    for folder in [*sorted(REPO_DIR.glob("*/static")), REPO_DIR / "static"]:
        if folder.parent.name in (".venv", "staticfiles") or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = path.stat()
                digest.update(f"{path.relative_to(REPO_DIR)}:{info.st_size}:"
                              f"{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def environments(database_url: str, static_root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The environment for building the data (local settings, tasks in-process) and the one
    the served site and its worker run with (production settings)."""
    base = {key: value for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "CELERY_", "REDIS_", "CACHE_", "THROTTLE_"))}
    base["DATABASE_URL"] = database_url
    build = {**base, "DJANGO_SETTINGS_MODULE": "pmo_service.settings.local", "DEBUG": "False",
             "CELERY_BROKER_URL": "", "REDIS_URL": ""}
    served = {
        **base,
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
        "LOAD_STATIC_ROOT": str(static_root),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "CELERY_BROKER_URL": f"{REDIS_SERVER}/{BROKER_DB}",
        "REDIS_URL": f"{REDIS_SERVER}/{CACHE_DB}",
        "CACHE_URL": f"{REDIS_SERVER}/{CACHE_DB}",
        "THROTTLE_USER_RATE": UNTHROTTLED,
        "THROTTLE_ANON_RATE": UNTHROTTLED,
        "LOG_LEVEL": "WARNING",
    }
    return build, served


# --- Locust and its figures -------------------------------------------------------------------


def prioritise(pid: int, nice: int) -> int | None:
    """Give the load generator ``nice`` (negative: ahead of the server); the value in force,
    or None when the system refuses (raising priority needs root or CAP_SYS_NICE).

    locust, the web processes, PostgreSQL, Redis and the worker share the machine's cores.
    Without this, the time locust's own process waits for a core after the answer arrived is
    recorded as response time; with it, the server gets less CPU, not more.
    """
    if nice == 0:
        return 0
    try:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
    except (PermissionError, ProcessLookupError):
        return None
    return os.getpriority(os.PRIO_PROCESS, pid)


def run_locust(url: str, fixture: Path, prefix: Path, *, users: int, seconds: int,
               mode: str, rate_per_user: float | None, log: Path,
               processes: Processes, nice: int = 0) -> dict[str, Any]:
    env = {**os.environ, "LOAD_FIXTURE": str(fixture), "LOAD_MODE": mode}
    if rate_per_user is not None:
        env["LOAD_RATE_PER_USER"] = f"{rate_per_user:.6f}"
    command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--host", url,
               "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
               "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
               "--loglevel", "WARNING"]
    process = processes.start("locust", command, env, log)
    applied = prioritise(process.pid, nice)
    try:
        process.wait(seconds + 90)
    except subprocess.TimeoutExpired:
        processes.stop(process)
        raise RuntimeError(f"locust did not finish within {seconds + 90} s") from None
    processes.stop(process)
    return {**read_stats(prefix), "generator_nice": applied}


def worker_backlog(database_url: str, timeout: float = 60) -> dict[str, Any]:
    """Wait (up to ``timeout`` s) until the broker queue is empty and no engagement's stored
    metrics are older than its inputs, i.e. the worker recomputed after every push."""
    import psycopg2
    import redis

    broker = redis.Redis.from_url(f"{REDIS_SERVER}/{BROKER_DB}")
    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT count(*) FILTER (WHERE as_of >= inputs_changed_at), "
                    "count(*) FILTER (WHERE as_of IS NULL OR as_of < inputs_changed_at) "
                    "FROM engagements_engagementmetrics"
                )
                current, stale = cursor.fetchone()
                queued = broker.llen("celery")
                if (not queued and not stale) or time.monotonic() - started > timeout:
                    break
                time.sleep(0.5)
            cursor.execute("SELECT count(*) FROM engagements_timeentry "
                           "WHERE external_id LIKE 'load-%'")
            pushed = cursor.fetchone()[0]
    finally:
        connection.close()
    return {"queue_left": queued, "drain_seconds": round(time.monotonic() - started, 1),
            "metrics_current": current, "metrics_stale": stale,
            "time_entries_pushed": pushed}


# --- Output ------------------------------------------------------------------------------------


def software() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("Django", "gunicorn", "locust", "celery",
                                             "psycopg2-binary", "redis")}


# --- The run -------------------------------------------------------------------------------------


ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(D)s'


def server_side_latency(access_log: Path, skip_lines: int) -> dict[str, float | int | None]:
    """Percentiles of the time gunicorn's workers spent on the requests logged after the
    first ``skip_lines`` lines: the server's own latency, without the wait for a free worker
    (the listen backlog) or the load generator's delays, both of which the client's figures
    include."""
    times = sorted(
        int(line.rsplit(" ", 1)[1]) / 1000
        for line in access_log.read_text().splitlines()[skip_lines:]
        if line.rsplit(" ", 1)[-1].isdigit()
    )

    def percentile(share: float) -> float | None:
        if not times:
            return None
        return round(times[min(len(times) - 1, int(share * len(times)))], 1)

    return {"requests": len(times), "p50_ms": percentile(0.50), "p95_ms": percentile(0.95),
            "p99_ms": percentile(0.99)}


def serve(config: Config, served_env: dict[str, str], work: Path, processes: Processes
          ) -> tuple[str, subprocess.Popen]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "gunicorn.log"
    command = [str(BIN / "gunicorn"), "pmo_service.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(config.workers),
               "--threads", str(config.threads), "--worker-class", config.worker_class,
               "--timeout", "60", "--graceful-timeout", "10",
               # Above the paced users' gap between requests (at most 1 s), so the server
               # never closes a connection the client is about to reuse.
               "--keep-alive", "5",
               "--worker-tmp-dir", "/dev/shm",  # noqa: S108 - tmpfs, as in the image
               "--access-logfile", str(work / "access.log"),
               # The common log format plus the time the worker spent on the request (µs):
               # server-side latency, to tell apart from waiting before a worker takes it.
               "--access-logformat", ACCESS_LOG_FORMAT]
    process = processes.start("gunicorn", command, served_env, log)
    wait_until_serving(url, process, log)
    return url, process


def saturate(url: str, gunicorn: subprocess.Popen, fixture: Path, work: Path,
             args: argparse.Namespace, label: str, processes: Processes) -> dict[str, Any]:
    # A short untimed burst first: every worker imports its views and opens its connection.
    run_locust(url, fixture, work / f"warmup-{label}", users=args.saturation_users,
               seconds=5, mode="saturate", rate_per_user=None, log=work / "locust.log",
               processes=processes, nice=args.generator_nice)
    cpu_before = cpu_seconds(gunicorn)
    stats = run_locust(url, fixture, work / f"saturation-{label}", users=args.saturation_users,
                       seconds=args.saturation_seconds, mode="saturate", rate_per_user=None,
                       log=work / "locust.log", processes=processes, nice=args.generator_nice)
    stats["cpu_ms_per_request"] = round(
        1000 * (cpu_seconds(gunicorn) - cpu_before) / max(1, stats["total"]["requests"]), 1)
    print(format_table(f"\nsaturation, {label}, {args.saturation_users} users, no wait, "
                       f"{args.saturation_seconds} s:", stats), flush=True)
    return stats


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Ctrl-C, and a TERM from a CI timeout or a supervisor, both end in the cleanup below
    # (a shell script's background job would otherwise start with SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    database_url = load_database_url()
    work = Path(tempfile.mkdtemp(prefix="pmo-load-"))
    static_root = STATIC_ROOT
    fixture = work / "fixture.json"
    build_env, served_env = environments(database_url, static_root)
    processes = Processes()
    load_before = load_average()
    started_at = datetime.now(UTC)
    print(f"load: working directory {work} (logs); load average {load_before}", flush=True)
    try:
        server_version = database_admin(
            database_url, f'DROP DATABASE IF EXISTS "{LOAD_DATABASE}" WITH (FORCE)',
            f'CREATE DATABASE "{LOAD_DATABASE}"')
        redis_flush(REDIS_SERVER, (BROKER_DB, CACHE_DB))
        python = str(BIN / "python")
        setup_log = work / "setup.log"
        run_step("migrate", [python, "manage.py", "migrate", "--noinput", "-v0"], build_env,
                 setup_log)
        run_step("data (seed_demo + top-up)", [python, "-m", "bench.load.data", str(fixture)],
                 build_env, setup_log)
        stamp = static_fingerprint()
        stamp_file = static_root / ".load-fingerprint"
        if stamp_file.exists() and stamp_file.read_text() == stamp:
            print(f"load: collectstatic skipped ({static_root} is current)", flush=True)
        else:
            run_step("collectstatic (production manifest storage)",
                     [python, "manage.py", "collectstatic", "--noinput", "-v0"], served_env,
                     setup_log)
            stamp_file.write_text(stamp)
        worker = processes.start(
            "celery worker",
            [str(BIN / "celery"), "-A", "pmo_service", "worker", "--concurrency", "1",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
            served_env, work / "worker.log")

        if args.compare:
            results = []
            for config in args.compare:
                url, gunicorn = serve(config, served_env, work, processes)
                stats = saturate(url, gunicorn, fixture, work, args,
                                 str(config).replace(" ", "-"), processes)
                memory = rss_megabytes(gunicorn)
                processes.stop(gunicorn)
                results.append({"config": str(config), "workers": config.workers,
                                "threads": config.threads, "saturation": stats["total"],
                                "cpu_ms_per_request": stats["cpu_ms_per_request"],
                                "failures": stats["failures"], "memory": memory})
                print(f"load: {config}: {stats['total']['throughput_rps']} req/s, p99 "
                      f"{stats['total']['p99_ms']} ms, {stats['cpu_ms_per_request']} CPU ms per "
                      f"request, RSS {memory}", flush=True)
            document = {"date": started_at.isoformat(timespec="seconds"),
                        "cpus": os.cpu_count(), "load_average_before": load_before,
                        "load_average_after": load_average(),
                        "saturation_users": args.saturation_users,
                        "saturation_seconds": args.saturation_seconds, "configs": results}
            output = args.output.with_name("load-configs.json")
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(json.dumps(document, indent=2) + "\n")
            print(f"written {output}")
            return 0

        config = Config(args.workers, args.threads)
        url, gunicorn = serve(config, served_env, work, processes)
        print(f"load: serving {url} with gunicorn {config}, Celery worker pid {worker.pid}",
              flush=True)
        saturation = saturate(url, gunicorn, fixture, work, args, "step", processes)
        memory = rss_megabytes(gunicorn)
        cpu_before = cpu_seconds(gunicorn), cpu_seconds(worker)
        saturation_rps = saturation["total"]["throughput_rps"]
        if not saturation_rps:
            raise RuntimeError("the saturation step completed no request; see the logs")
        target = saturation_rps / 2
        # At least one request a second per user: a user idle for longer than gunicorn's
        # keep-alive would race the server closing its connection.
        users = max(1, min(args.users, int(target)))
        per_user = target / users
        print(f"\nload: saturation {saturation_rps:.1f} req/s; measuring at {target:.1f} req/s "
              f"({users} users x {per_user:.3f}/s) for {args.duration} s", flush=True)
        logged_before = len((work / "access.log").read_text().splitlines())
        measured = run_locust(url, fixture, work / "measured", users=users,
                              seconds=args.duration, mode="paced", rate_per_user=per_user,
                              log=work / "locust.log", processes=processes,
                              nice=args.generator_nice)
        print(format_table(f"\nmeasured, {target:.1f} req/s target, {args.duration} s:",
                           measured), flush=True)
        web_cpu = cpu_seconds(gunicorn) - cpu_before[0]
        server_side = server_side_latency(work / "access.log", logged_before)
        backlog = worker_backlog(database_url)
        worker_cpu = cpu_seconds(worker) - cpu_before[1]
        load_after = load_average()
        total = measured["total"]
        errors = total["failures"]
        problems = []
        if errors or saturation["total"]["failures"]:
            problems.append(f"{errors} failed requests measured, "
                            f"{saturation['total']['failures']} at saturation")
        if worker.poll() is not None:
            problems.append(f"the Celery worker exited (status {worker.returncode})")
        if backlog["queue_left"] or backlog["metrics_stale"]:
            problems.append(f"the worker left {backlog['queue_left']} tasks queued and "
                            f"{backlog['metrics_stale']} engagements with stale metrics")
        document = {
            "date": started_at.isoformat(timespec="seconds"),
            "command": "python -m bench.load " + " ".join(sys.argv[1:] if argv is None
                                                            else argv),
            "machine": {"cpus": os.cpu_count(), "load_average_before": load_before,
                        "load_average_after": load_after},
            "software": {**software(), "postgresql": server_version,
                         "python": sys.version.split()[0]},
            "gunicorn": {"worker_class": config.worker_class, "workers": config.workers,
                         "threads": config.threads, "memory_after_saturation": memory,
                         # CPU the web processes spent per request of the measured step:
                         # the service's own cost, whatever else shares the machine.
                         "cpu_ms_per_request_measured": round(
                             1000 * web_cpu / max(1, measured["total"]["requests"]), 1)},
            "celery_worker": {"concurrency": 1, "cpu_seconds_measured": round(worker_cpu, 1),
                              **backlog},
            "saturation": {"users": args.saturation_users, "seconds": args.saturation_seconds,
                           "throughput_rps": saturation_rps, **saturation},
            "measured": {"target_rps": round(target, 2), "users": users,
                         "rate_per_user": round(per_user, 4), "seconds": args.duration,
                         "server_side": server_side, **measured},
            "targets": {"p99_ms": P99_TARGET_MS, "p99_met": (total["p99_ms"] or 0)
                        < P99_TARGET_MS, "errors": errors, "errors_met": errors == 0},
            "problems": problems,
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(document, indent=2) + "\n")
        print(f"\nload: throughput {total['throughput_rps']} req/s, p50 {total['p50_ms']} ms, "
              f"p95 {total['p95_ms']} ms, p99 {total['p99_ms']} ms (target < "
              f"{P99_TARGET_MS}), errors {errors}; in the server: p50 "
              f"{server_side['p50_ms']} ms, p95 {server_side['p95_ms']} ms, p99 "
              f"{server_side['p99_ms']} ms; worker: {backlog}; "
              f"load average {load_before} -> {load_after}")
        print(f"written {args.output}")
        for problem in problems:
            print(f"load: FAILED: {problem}", file=sys.stderr)
        return 1 if problems else 0
    except RuntimeError as error:
        print(f"load: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("load: interrupted; stopping", file=sys.stderr)
        return 130
    finally:
        processes.stop_all()
        if not args.keep_database:
            with contextlib.suppress(SystemExit):
                database_admin(database_url,
                               f'DROP DATABASE IF EXISTS "{LOAD_DATABASE}" WITH (FORCE)')
