"""``python -m bench.profile``: where the time of an API list goes, by layer.

Runs ``--requests`` GETs of a case's ``api`` variant under :mod:`cProfile`: on the scale
dataset already in ``pmo_bench`` (build it first: ``python -m bench build``) for the cases
that read it, on their own data for the others (which empties the database, so they run
last), then prints

* the inclusive time of the request's stages (DRF's authentication, the view's queryset
  and pagination, the serializer's ``data``, the renderer), as a share of the request;
* the self time of every function grouped by the layer its module belongs to (middleware,
  URL resolution, DRF, ORM query compilation, the database driver, model instantiation,
  serializer fields, JSON), which adds up to the whole: no layer is counted twice.

Profiling slows Python code down (the database waits do not change), so read the shares,
not the absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from collections import defaultdict
from typing import Any

# (substring of the file path or function name, layer); the first match wins.
LAYERS: list[tuple[str, str]] = [
    ("method 'execute' of 'psycopg2", "database (psycopg2 execute, wait included)"),
    ("method 'fetch", "database (psycopg2 fetch)"),
    ("psycopg2", "database (psycopg2 other)"),
    ("django/db/models/sql/", "ORM: SQL compilation"),
    ("django/db/models/expressions", "ORM: SQL compilation"),
    ("django/db/models/lookups", "ORM: SQL compilation"),
    ("django/db/models/query_utils", "ORM: SQL compilation"),
    ("django/db/models/fields/related", "ORM: related fields / prefetch"),
    ("django/db/models/base", "ORM: model instantiation"),
    ("django/db/models/query", "ORM: querysets, iteration, prefetch"),
    ("django/db/models/fields", "ORM: field conversion"),
    ("django/db/backends", "ORM: backend (cursor wrappers, converters)"),
    ("django/db/", "ORM: other"),
    ("rest_framework/authentication", "DRF authentication"),
    ("rest_framework/authtoken", "DRF authentication"),
    ("rest_framework/serializers", "DRF serializers"),
    ("rest_framework/fields", "DRF serializer fields"),
    ("rest_framework/relations", "DRF serializer fields"),
    ("rest_framework/renderers", "DRF renderer"),
    ("rest_framework/utils/encoders", "DRF renderer"),
    ("json/", "JSON encoding"),
    ("rest_framework/pagination", "DRF pagination"),
    ("django_filters", "filtering (django-filter)"),
    ("rest_framework/filters", "filtering (search, ordering)"),
    ("rest_framework/", "DRF views, permissions, other"),
    ("pmo_service/api/scoping", "tenant scoping"),
    ("stakeholders/tenancy", "tenant scoping"),
    ("stakeholders/permissions", "permissions (project)"),
    ("pmo_service/", "project plumbing (middleware, pagination)"),
    ("django/middleware", "Django middleware"),
    ("django/contrib/sessions", "Django middleware"),
    ("django/contrib/auth", "Django middleware"),
    ("django/contrib/messages", "Django middleware"),
    ("whitenoise", "Django middleware"),
    ("csp", "Django middleware"),
    ("axes", "Django middleware"),
    ("simple_history", "Django middleware"),
    ("django/urls", "URL resolution"),
    ("django/test", "test client (not in a real server)"),
    ("django/http", "HTTP request/response objects"),
    ("django/core/handlers", "Django request handling"),
    ("django/utils/dateparse", "ORM: field conversion"),
    ("django/utils/timezone", "ORM: field conversion"),
    ("django/utils/", "Django utils"),
    ("portfolio/", "app code (selectors, serializers)"),
    ("engagements/", "app code (selectors, serializers)"),
    ("stakeholders/", "app code (selectors, serializers)"),
    ("catalog/", "app code (selectors, serializers)"),
    ("<built-in method", "Python built-ins (str, datetime, isinstance...)"),
    ("<method", "Python built-ins (str, datetime, isinstance...)"),
    ("/python3.", "Python standard library"),
]
STAGES = {
    "perform_authentication": "authentication (token, user)",
    "check_permissions": "permissions",
    "get_queryset": "queryset (scope, selector)",
    "get_object": "object lookup (scope, selector, prefetches)",
    "filter_queryset": "filters, search, ordering",
    "paginate_queryset": "pagination (COUNT + page query + prefetches)",
    "data": "serializer .data",
    "render": "renderer (JSON)",
    "finalize_response": "finalize response",
}


def layer_of(path: str, function: str) -> str:
    where = f"{path}:{function}"
    for needle, layer in LAYERS:
        if needle in where:
            return layer
    return "other"


def profile(call: Any, requests: int) -> dict[str, Any]:
    """Self time by layer and inclusive time of the stages, over ``requests`` calls."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_layer: dict[str, float] = defaultdict(float)
    stages: dict[str, float] = defaultdict(float)
    total = 0.0
    for (path, _line, function), (_cc, _nc, self_time, inclusive, _callers) in (
            stats.stats.items()):  # type: ignore[attr-defined]
        by_layer[layer_of(path, function)] += self_time
        total += self_time
        if function in STAGES and ("rest_framework" in path or "pmo_service" in path
                                   or "/api/" in path):
            stages[STAGES[function]] = max(stages[STAGES[function]], inclusive)
    return {"total_s": total, "by_layer": dict(by_layer), "stages": dict(stages),
            "requests": requests}


def report(name: str, result: dict[str, Any]) -> str:
    total = result["total_s"] or 1.0
    per_request = 1000 * total / result["requests"]
    lines = [f"{name}: {result['requests']} requests, {per_request:.1f} ms each under cProfile",
             "  stages (inclusive, share of the request):"]
    for stage, seconds in sorted(result["stages"].items(), key=lambda item: -item[1]):
        lines.append(f"    {stage:<46} {100 * seconds / total:5.1f} %")
    lines.append("  self time by layer (adds up to 100 %):")
    for layer, seconds in sorted(result["by_layer"].items(), key=lambda item: -item[1]):
        if seconds / total >= 0.005:
            lines.append(f"    {layer:<46} {100 * seconds / total:5.1f} %")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import REPO_DIR, bench_database_url, database_version, setup_django

    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--case", action="append", dest="cases", required=True,
                        help="a case on the scale dataset, repeatable (e.g. applications_list)")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args(argv)

    import environ

    environ.Env.read_env(REPO_DIR / ".env", overwrite=False)
    url, _ = bench_database_url()
    database_version(url)
    setup_django(url)
    from django.core.management import call_command

    from bench import dataset
    from bench.cases import load_case

    cases = [load_case(name) for name in args.cases]
    # Cases with their own data empty the database: they go after those on the dataset.
    cases.sort(key=lambda case: case.dataset != "scale")
    built = dataset.find() if any(case.dataset == "scale" for case in cases) else None
    if built is None and any(case.dataset == "scale" for case in cases):
        sys.exit("bench.profile: no scale dataset in the database; run `python -m bench build`")
    for case in cases:
        name = case.name
        if case.dataset == "scale":
            case.built = built
        else:
            call_command("flush", interactive=False, verbosity=0)
        case.setup()
        try:
            case.verify()
            for _ in range(10):
                case.api()
            print(report(name, profile(case.api, args.requests)), flush=True)
        finally:
            case.teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
