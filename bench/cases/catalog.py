"""Case ``services_list``: the public catalog API page against a raw baseline on the same stack.

With 300 published services (plus drafts and retired ones the public must not see):

* ``api``: anonymous ``GET /api/v1/services/`` (default page of 25) through the whole stack:
  middleware, DRF authentication and permissions, the ``for_user`` catalog scope, filter
  backends, pagination with its COUNT, the ORM with the category join and the value-process
  prefetch, the serializer and the renderer.
* ``raw`` (baseline): ``GET /bench/raw/services/`` through the same Django middleware and
  request transaction, answered by one SQL statement on a psycopg2 connection (category
  joined, value processes aggregated with ``json_agg``, total by a window function) and
  ``json.dumps`` of the same document, ``next`` link included.
* ``page``: ``GET /catalog/``, the server-rendered catalog home (12 cards, filters), for its
  query count and cost next to the API; it has no raw equivalent.

Throughput ratio api/raw = median(raw) / median(api); the issue's target is at least 0.6.
"""

from __future__ import annotations

import json
import random
from typing import Any

import psycopg2
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from psycopg2 import sql

from bench import urls as bench_urls
from bench.cases.organizations import _iso
from bench.harness import BenchError, Case, Variant
from catalog.choices import PricingBasis, ServiceStatus, TierLevel, Typology
from catalog.models import Category, Service, ServiceTier, ValueProcess

PUBLISHED = 300
DRAFTS = 20
RETIRED = 10
PAGE_SIZE = 25  # the API's default page
API_URL = "/api/v1/services/"
RAW_URL = "/bench/raw/services/"
PAGE_URL = "/catalog/"
SEED = 20261122

WORDS = [
    "portfolio", "reporting", "risk", "benefits", "governance", "agile", "demand", "capacity",
    "assurance", "planning", "prioritización", "gestión", "contratación", "évaluation",
    "change", "health check", "stage-gate", "roadmap", "métricas", "“quality”",
]
CATEGORIES = ["Governance and assurance", "Portfolio management", "Delivery support",
              "Methods and standards", "Reporting and analytics", "Capability building"]
PROCESSES = ["Demand management", "Portfolio prioritization", "Planning", "Resource management",
             "Risk management", "Change control", "Reporting", "Benefits realization",
             "Procurement", "Quality management"]


class ServicesListCase(Case):
    name = "services_list"
    description = (
        f"anonymous GET {API_URL} (page of {PAGE_SIZE} of {PUBLISHED} published) vs raw SQL + "
        "json.dumps behind the same middleware"
    )
    baseline = "raw"

    def setup(self) -> None:
        rng = random.Random(SEED)
        categories = Category.objects.bulk_create(
            [Category(name=name, slug=f"category-{i}", position=i)
             for i, name in enumerate(CATEGORIES)]
        )
        processes = ValueProcess.objects.bulk_create(
            [ValueProcess(name=name, slug=f"process-{i}") for i, name in enumerate(PROCESSES)]
        )
        now = timezone.now()
        statuses = (
            [ServiceStatus.PUBLISHED] * PUBLISHED
            + [ServiceStatus.DRAFT] * DRAFTS
            + [ServiceStatus.RETIRED] * RETIRED
        )
        rng.shuffle(statuses)
        services = []
        for index, status in enumerate(statuses):
            words = rng.sample(WORDS, 3)
            services.append(
                Service(
                    name=f"{words[0].capitalize()} {words[1]} service {index:03d}",
                    slug=f"service-{index:03d}",
                    summary=f"Helps with {words[0]}, {words[1]} and {words[2]} & more.",
                    description=" ".join(rng.choices(WORDS, k=60)),
                    typology=rng.choice(Typology.values),
                    category=rng.choice(categories),
                    status=status,
                    typical_duration_weeks=rng.choice([None, 4, 8, 12, 26, 52]),
                    pricing_basis=rng.choice(PricingBasis.values),
                    published_at=now if status != ServiceStatus.DRAFT else None,
                    retired_at=now if status == ServiceStatus.RETIRED else None,
                )
            )
        services = Service.objects.bulk_create(services)
        through = Service.value_processes.through
        through.objects.bulk_create(
            [
                through(service_id=service.pk, valueprocess_id=process.pk)
                for service in services
                for process in rng.sample(processes, rng.randint(0, 4))
            ]
        )
        ServiceTier.objects.bulk_create(
            [
                ServiceTier(service=service, level=level, includes="Item\nItem", commitments="C")
                for service in services
                for level in TierLevel.values
            ]
        )
        self.client = Client(headers={"accept": "application/json"})
        self.page_client = Client()
        self._override = override_settings(ROOT_URLCONF="bench.urls")
        self._override.enable()
        bench_urls.BASELINES["services"] = self.raw_view
        self._open_raw_connection()

    def _open_raw_connection(self) -> None:
        database = settings.DATABASES["default"]
        self.raw_connection = psycopg2.connect(
            dbname=database["NAME"],
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            options=f"-c TimeZone={settings.TIME_ZONE}",
        )
        self.raw_connection.autocommit = True
        service = Service._meta
        category = Category._meta
        process = ValueProcess._meta
        through = Service.value_processes.through._meta

        def column(meta, field: str) -> sql.Identifier:
            return sql.Identifier(meta.get_field(field).column)

        self.raw_sql = sql.SQL(
            "SELECT s.{id}, s.{slug}, s.{name}, s.{summary}, s.{typology}, "
            "c.{cid}, c.{cslug}, c.{cname}, s.{status}, s.{duration}, s.{pricing}, "
            "COALESCE((SELECT json_agg(json_build_object('id', v.{vid}, 'slug', v.{vslug}, "
            "'name', v.{vname}) ORDER BY v.{vname}) FROM {through} sv JOIN {process} v "
            "ON v.{vid} = sv.{through_process} WHERE sv.{through_service} = s.{id}), '[]'), "
            "s.{updated}, COUNT(*) OVER () "
            "FROM {service} s JOIN {category} c ON c.{cid} = s.{category_fk} "
            "WHERE s.{status} = {published} ORDER BY s.{name} LIMIT {limit} OFFSET %s"
        ).format(
            id=column(service, "id"), slug=column(service, "slug"), name=column(service, "name"),
            summary=column(service, "summary"), typology=column(service, "typology"),
            status=column(service, "status"), duration=column(service, "typical_duration_weeks"),
            pricing=column(service, "pricing_basis"), updated=column(service, "updated_at"),
            category_fk=column(service, "category"),
            cid=column(category, "id"), cslug=column(category, "slug"),
            cname=column(category, "name"),
            vid=column(process, "id"), vslug=column(process, "slug"),
            vname=column(process, "name"),
            through=sql.Identifier(through.db_table), process=sql.Identifier(process.db_table),
            service=sql.Identifier(service.db_table), category=sql.Identifier(category.db_table),
            through_process=sql.Identifier(through.get_field("valueprocess").column),
            through_service=sql.Identifier(through.get_field("service").column),
            published=sql.Literal(ServiceStatus.PUBLISHED), limit=sql.Literal(PAGE_SIZE),
        ).as_string(self.raw_connection)

    # --- Variants ------------------------------------------------------------------------------

    def variants(self) -> list[Variant]:
        return [
            Variant("raw", self.raw, "Django view behind the same middleware: one psycopg2 "
                    "SELECT (join + json_agg + window count) and json.dumps"),
            Variant("api", self.api, "DRF list: anonymous, scoped, filtered, paginated"),
            Variant("page", self.page, "server-rendered catalog home /catalog/ (HTML)"),
        ]

    def _get(self, client: Client, url: str) -> bytes:
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}")
        return response.content

    def api(self) -> bytes:
        return self._get(self.client, API_URL)

    def raw(self) -> bytes:
        return self._get(self.client, RAW_URL)

    def page(self) -> bytes:
        return self._get(self.page_client, PAGE_URL)

    def raw_view(self, request: HttpRequest) -> HttpResponse:
        """The baseline body: first page only, like the API's default request."""
        with self.raw_connection.cursor() as cursor:
            cursor.execute(self.raw_sql, [0])
            rows = cursor.fetchall()
        results = [
            {
                "id": row[0], "slug": row[1], "name": row[2], "summary": row[3],
                "typology": row[4], "category": {"id": row[5], "slug": row[6], "name": row[7]},
                "status": row[8], "typical_duration_weeks": row[9], "pricing_basis": row[10],
                "value_processes": row[11], "updated_at": _iso(row[12]),
            }
            for row in rows
        ]
        count = rows[0][13] if rows else 0
        next_url = (
            request.build_absolute_uri(API_URL) + "?page=2" if count > PAGE_SIZE else None
        )
        payload = {"count": count, "next": next_url, "previous": None, "results": results}
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return HttpResponse(body.encode("utf-8"), content_type="application/json")

    # --- Checks and report ---------------------------------------------------------------------

    def _queries(self, call) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            call()
        return [query["sql"] for query in queries.captured_queries]

    def verify(self) -> None:
        api_payload, raw_payload = json.loads(self.api()), json.loads(self.raw())
        if api_payload["count"] != PUBLISHED or len(api_payload["results"]) != PAGE_SIZE:
            raise BenchError(
                f"api returned {len(api_payload['results'])} of {api_payload['count']}, "
                f"expected {PAGE_SIZE} of {PUBLISHED} published services"
            )
        if api_payload != raw_payload:
            differences = sorted(
                {
                    key
                    for api_row, raw_row in zip(
                        api_payload["results"], raw_payload["results"], strict=True
                    )
                    for key in api_row.keys() | raw_row.keys()
                    if api_row.get(key) != raw_row.get(key)
                }
            )
            raise BenchError(f"api and raw payloads differ: {differences or 'envelope'}")
        if not any(row["value_processes"] for row in api_payload["results"]):
            raise BenchError("no listed service has value processes; the prefetch is untested")
        page = self.page().decode()
        if f"{PUBLISHED} services" not in page:
            raise BenchError("the catalog page does not show the published count")
        self.api_queries = self._queries(self.api)
        self.page_queries = self._queries(self.page)
        self.verification = {
            "payloads_equal": True,
            "payloads_byte_identical": self.api() == self.raw(),
            "payload_bytes": {"api": len(self.api()), "raw": len(self.raw())},
        }

    def queries_per_request(self) -> dict[str, int]:
        if not hasattr(self, "api_queries"):
            return {}

        def statements(queries: list[str]) -> int:
            return sum(1 for q in queries if q.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT"))

        return {"api": statements(self.api_queries), "page": statements(self.page_queries),
                "raw": 1}

    def row_counts(self) -> dict[str, int]:
        return {
            "services_published": Service.objects.filter(status=ServiceStatus.PUBLISHED).count(),
            "services_draft": Service.objects.filter(status=ServiceStatus.DRAFT).count(),
            "services_retired": Service.objects.filter(status=ServiceStatus.RETIRED).count(),
            "service_value_processes": Service.value_processes.through.objects.count(),
            "tiers": ServiceTier.objects.count(),
            "results_per_call": PAGE_SIZE,
        }

    def info(self) -> dict[str, Any]:
        return {
            "api_url": API_URL,
            "raw_url": RAW_URL,
            "page_url": PAGE_URL,
            **getattr(self, "verification", {}),
            "api_queries_per_call": len(getattr(self, "api_queries", [])),
            "api_queries": getattr(self, "api_queries", []),
            "page_queries_per_call": len(getattr(self, "page_queries", [])),
            "page_queries": getattr(self, "page_queries", []),
            "raw_queries_per_call": 1,
            "raw_sql": self.raw_sql,
        }

    def teardown(self) -> None:
        self.raw_connection.close()
        bench_urls.BASELINES.pop("services", None)
        self._override.disable()
