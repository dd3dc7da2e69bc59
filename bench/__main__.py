"""``python -m bench``: run the benchmark cases on a fresh PostgreSQL database.

``python -m bench build`` only builds the shared scale dataset (bench.dataset) and reports
its build time; ``python -m bench [run]`` builds it once, runs the cases that read it, then
the cases that build their own data (each on an emptied database). ``--reuse`` keeps the
database and a dataset already in it (built by ``python -m bench build``).

The database is always ``pmo_bench`` (dropped and recreated at start) on the PostgreSQL
server of ``DATABASE_URL``, or on postgres://postgres@127.0.0.1:5432 when ``DATABASE_URL`` is
unset or not PostgreSQL, so development data is never touched. Django runs with the test
settings (tasks in-process, fast password hasher, ``DEBUG`` off).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

BENCH_DATABASE = "pmo_bench"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "postgis"}
SETTINGS_MODULE = "pmo_service.settings.test"
DEFAULT_ROUNDS = 200
DEFAULT_WARMUP = 20
QUICK_ROUNDS = 10
QUICK_WARMUP = 3
REPO_DIR = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from bench.cases import CASES

    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Interleaved micro-benchmarks on a throw-away PostgreSQL database "
        f"({BENCH_DATABASE}). Results: table on stdout, JSON in bench/results/<case>.json.",
    )
    parser.add_argument(
        "--rounds", type=int, default=None,
        help=f"timed rounds; each runs every variant once (default {DEFAULT_ROUNDS} or the "
        f"case's own, --quick {QUICK_ROUNDS})",
    )
    parser.add_argument(
        "--warmup", type=int, default=None,
        help=f"untimed rounds first (default {DEFAULT_WARMUP} or the case's own, "
        f"--quick {QUICK_WARMUP})",
    )
    parser.add_argument(
        "--case", choices=sorted(CASES), action="append", dest="cases", metavar="NAME",
        help=f"case to run, repeatable (default: all of {', '.join(sorted(CASES))})",
    )
    parser.add_argument("--quick", action="store_true", help="a few rounds, as a smoke test")
    parser.add_argument(
        "--reuse", action="store_true",
        help=f"keep the {BENCH_DATABASE} database and the scale dataset already in it "
        "(from `python -m bench build`) instead of recreating them",
    )
    parser.add_argument(
        "command", nargs="?", choices=["run", "build"], default="run",
        help="run: the cases (default); build: only build the scale dataset and time it",
    )
    args = parser.parse_args(argv)
    # None left as is: the case's own default (or the global one) applies, see rounds_for.
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.warmup is not None and args.warmup < 0:
        parser.error("--warmup must not be negative")
    args.cases = args.cases or sorted(CASES)
    return args


def rounds_for(args: argparse.Namespace, case: Any) -> tuple[int, int]:
    """Timed and warmup rounds for ``case``: the command line's, else the case's, else ours."""
    def pick(given: int | None, quick: int, own: int | None, default: int) -> int:
        if given is not None:
            return given
        if args.quick:
            return min(quick, own) if own is not None else quick
        return own if own is not None else default

    return (pick(args.rounds, QUICK_ROUNDS, case.default_rounds, DEFAULT_ROUNDS),
            pick(args.warmup, QUICK_WARMUP, case.default_warmup, DEFAULT_WARMUP))


def bench_database_url() -> tuple[str, str | None]:
    """The bench database URL and the name of the database DATABASE_URL points at, if any."""
    configured = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(configured)
    if parts.scheme in POSTGRES_SCHEMES and parts.hostname:
        url = urlunsplit((parts.scheme, parts.netloc, f"/{BENCH_DATABASE}", parts.query, ""))
        return url, unquote(parts.path.lstrip("/")) or None
    return f"{DEFAULT_SERVER}/{BENCH_DATABASE}", None


def recreate_database(url: str) -> str:
    """Drop and create the bench database; return the server's version. Exits if unreachable."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    maintenance = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    try:
        admin = psycopg2.connect(maintenance, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        where = f"{parts.hostname}:{parts.port or 5432}"
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        sys.exit(
            f"bench: PostgreSQL is not reachable at {where} ({message}).\n"
            "The benchmarks need a PostgreSQL server: start one, or point DATABASE_URL at one "
            f"(only its server is used; the bench creates its own database '{BENCH_DATABASE}')."
        )
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            name = sql.Identifier(BENCH_DATABASE)
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        admin.close()


def database_version(url: str) -> str:
    """The server version, keeping the bench database (``--reuse``); created if missing."""
    import psycopg2

    try:
        connection = psycopg2.connect(url)
    except psycopg2.OperationalError:
        return recreate_database(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # Forced, not defaulted: `make` exports the local settings module.
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ["DEBUG"] = "False"

    import django
    from django.conf import settings

    # The test settings keep WhiteNoise, which warns when collectstatic has not been run.
    warnings.filterwarnings("ignore", message=r"No directory at: .*staticfiles")
    from django.core.management import call_command

    django.setup()
    if settings.DEBUG:
        sys.exit("bench: DEBUG is on in the test settings; refusing to measure with it.")
    if settings.DATABASES["default"]["NAME"] != BENCH_DATABASE:
        sys.exit(f"bench: Django is not using the '{BENCH_DATABASE}' database; stopping.")
    if "*" not in settings.ALLOWED_HOSTS and "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", interactive=False, verbosity=0)


def environment(server_version: str) -> dict[str, Any]:
    from django.conf import settings

    database = settings.DATABASES["default"]
    return {
        "settings": SETTINGS_MODULE,
        "debug": settings.DEBUG,
        "database": {
            "engine": database["ENGINE"],
            "name": database["NAME"],
            "host": database["HOST"],
            "port": database["PORT"],
            "server_version": server_version,
            "atomic_requests": database["ATOMIC_REQUESTS"],
        },
        "time_zone": settings.TIME_ZONE,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    # DATABASE_URL may live in .env, like for the rest of the project.
    import environ

    environ.Env.read_env(REPO_DIR / ".env", overwrite=False)
    database_url, configured_name = bench_database_url()
    if configured_name == BENCH_DATABASE:
        sys.exit(
            f"bench: DATABASE_URL already names '{BENCH_DATABASE}', the database the bench drops; "
            "point it at your development database instead."
        )
    if args.reuse:
        server_version = database_version(database_url)
    else:
        server_version = recreate_database(database_url)
    setup_django(database_url)

    from django.core.management import call_command
    from django.db import connections

    from bench import dataset, harness
    from bench.cases import load_case

    software = harness.software_info(["Django", "djangorestframework", "psycopg2-binary"])
    software["postgresql"] = server_version
    env = environment(server_version)
    database = env["database"]
    print(
        f"bench: database {database['name']} on {database['host']}:{database['port'] or 5432}",
        flush=True,
    )
    print(harness.describe_run(software), flush=True)

    if args.command == "build":
        build_dataset(dataset, call_command, reuse=False)
        connections.close_all()
        return 0

    cases = [load_case(name) for name in args.cases]
    # Cases on the shared dataset first (built once), then those that empty the database.
    ordered = ([case for case in cases if case.dataset == "scale"]
               + [case for case in cases if case.dataset != "scale"])
    results = []
    try:
        built = None
        for case in ordered:
            if case.dataset == "scale":
                if built is None:
                    built = build_dataset(dataset, call_command, reuse=args.reuse)
                case.built = built
            else:
                call_command("flush", interactive=False, verbosity=0)
            case.setup()
            try:
                case.verify()
                rounds, warmup = rounds_for(args, case)
                result = harness.run_case(case, rounds=rounds, warmup=warmup)
            finally:
                case.teardown()
            results.append(result)
            print()
            print(harness.format_table(result))
            document = harness.result_document(result, software=software, environment=env)
            if case.dataset == "scale" and built is not None:
                document["dataset"] = {"build_seconds": built.seconds, "rows": built.rows}
            path = harness.write_json(document)
            print(f"written {path.relative_to(REPO_DIR)}", flush=True)
    except harness.BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    finally:
        connections.close_all()
    print()
    print(harness.describe_run(software))
    print(harness.format_summary(results))
    return 0


def build_dataset(dataset: Any, call_command: Any, *, reuse: bool) -> Any:
    """The scale dataset: found in the database with ``reuse``, else built on an emptied
    one, with its build time printed."""
    if reuse:
        found = dataset.find()
        if found is not None:
            print("bench: reusing the scale dataset already in the database", flush=True)
            return found
    call_command("flush", interactive=False, verbosity=0)
    print("bench: building the scale dataset (COPY)...", file=sys.stderr, flush=True)
    built = dataset.build()
    print(f"bench: scale dataset built in {built.seconds['total']:.1f} s "
          f"({', '.join(f'{k} {v:.1f} s' for k, v in built.seconds.items() if k != 'total')})",
          flush=True)
    for table, count in built.rows.items():
        print(f"  {table:<36} {count:>9,}", flush=True)
    return built


if __name__ == "__main__":
    sys.exit(main())
