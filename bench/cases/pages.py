"""Cases on the shared scale dataset: server-rendered portal pages against their physical limit.

For an HTML page the least work that serves the same bytes is the same rows, read raw, put
through the same template: the template is part of the answer (the markup a browser needs),
not a framework layer. So the baseline at ``/bench/raw/<case>/`` (behind the same middleware
and context processors) runs one SQL statement on its own psycopg2 connection that returns
the page's rows, the total and the filter choices as one JSON document, wraps the rows in
plain objects exposing what the template reads, and renders the product's template with the
product's filter form. It takes the page's path and URL name (``request.path``,
``request.resolver_match``) so the navigation and the login link's ``next`` are the same.
Compared: the HTML, with the CSRF token and CSP nonce (random per request) masked.

* ``catalog_page``: anonymous ``GET /catalog/``, 12 of the published services (the scale
  dataset has 300 services, 270 published), filters from 6 categories and 8 processes.
* ``engagements_page``: ``GET /engagements/`` signed in (session) as a client of the
  largest organization: 25 engagements with services, team size and health, CPI, SPI and
  the metrics' date (joined from the stored metrics).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from bench import urls as bench_urls
from bench.cases.scale_lists import _statements, open_raw_connection
from bench.harness import BenchError, Case, Variant
from catalog.choices import ServiceStatus, Typology
from catalog.forms import CatalogFilterForm
from engagements.choices import EngagementStatus, Health
from engagements.forms import EngagementFilterForm
from engagements.models import Engagement

CATALOG_PAGE = 12
ENGAGEMENT_PAGE = 25
TYPOLOGY = dict(Typology.choices)
SERVICE_STATUS = dict(ServiceStatus.choices)
ENGAGEMENT_STATUS = dict(EngagementStatus.choices)
HEALTH = dict(Health.choices)
MASKS = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
]

CATALOG_SQL = """
    SELECT json_build_object(
        'services', coalesce((
            SELECT json_agg(json_build_object(
                'pk', s.id, 'slug', s.slug, 'name', s.name, 'summary', s.summary,
                'typology', s.typology, 'status', s.status,
                'typical_duration_weeks', s.typical_duration_weeks, 'category', c.name,
                'processes', coalesce((SELECT json_agg(v.name ORDER BY v.name)
                    FROM catalog_service_value_processes sv
                    JOIN catalog_valueprocess v ON v.id = sv.valueprocess_id
                    WHERE sv.service_id = s.id), '[]')) ORDER BY s.name, s.id)
            FROM (SELECT * FROM catalog_service WHERE status = %(published)s
                  ORDER BY name, id LIMIT %(limit)s) s
            JOIN catalog_category c ON c.id = s.category_id), '[]'),
        'total', (SELECT count(*) FROM catalog_service WHERE status = %(published)s),
        'categories', (SELECT json_agg(json_build_object('slug', slug, 'name', name)
                                        ORDER BY position, name) FROM catalog_category),
        'processes', (SELECT json_agg(json_build_object('slug', slug, 'name', name)
                                       ORDER BY name) FROM catalog_valueprocess))
"""

ENGAGEMENTS_SQL = """
    WITH viewer AS (
        SELECT m.organization_id FROM stakeholders_membership m
        JOIN stakeholders_user u ON u.id = m.user_id
        WHERE m.user_id = %(user)s AND u.is_active
    ),
    page AS (
        SELECT e.* FROM engagements_engagement e JOIN viewer v USING (organization_id)
        ORDER BY e.planned_start DESC, e.title, e.id LIMIT %(limit)s
    )
    SELECT e.id, e.title, e.status, e.typology, e.planned_start, e.planned_end,
           coalesce((SELECT array_agg(s.name ORDER BY s.name, s.id)
                     FROM engagements_engagement_services es
                     JOIN catalog_service s ON s.id = es.service_id
                     WHERE es.engagement_id = e.id), '{}'),
           (SELECT count(DISTINCT a.consultant_id) FROM engagements_assignment a
            WHERE a.engagement_id = e.id),
           m.id, m.health, m.cpi, m.spi, m.as_of, m.inputs_changed_at,
           (SELECT count(*) FROM engagements_engagement n JOIN viewer v USING (organization_id))
    FROM page e LEFT JOIN engagements_engagementmetrics m ON m.engagement_id = e.id
    ORDER BY e.planned_start DESC, e.title, e.id
"""


class _Rows:
    """A page's rows and the total, as Django's paginator reads a queryset."""

    def __init__(self, rows: list[Any], total: int) -> None:
        self.rows, self.total = rows, total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[Any]:
        return self.rows[: index.stop - index.start] if index.start == 0 else []


class _Related(list):
    """A prefetched relation: the template calls ``.all``."""

    def all(self) -> list[Any]:
        return self


def mask(html: bytes) -> str:
    text = html.decode("utf-8")
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


class PageVersusRawCase(Case):
    """A portal page against the same template rendered from raw rows."""

    dataset = "scale"
    baseline = "raw"
    page_url = ""
    raw_sql = ""

    def client_for_case(self) -> Client:
        return Client()

    def setup(self) -> None:
        self.client = self.client_for_case()
        self.key = self.name.replace("_", "-")
        self.raw_url = f"/bench/raw/{self.key}/"
        self._override = override_settings(ROOT_URLCONF="bench.urls")
        self._override.enable()
        bench_urls.BASELINES[self.key] = self.raw_view
        self.raw_connection = open_raw_connection()
        self.resolved = resolve(self.page_url, urlconf="bench.urls")

    def variants(self) -> list[Variant]:
        return [
            Variant("raw", self.raw, "same middleware; one psycopg2 SELECT (JSON document), "
                    "the same template rendered from plain objects"),
            Variant("page", self.page, "the portal view: scope, form, paginator, ORM, template"),
        ]

    def _get(self, url: str) -> bytes:
        response = self.client.get(url)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}")
        return response.content

    def page(self) -> bytes:
        return self._get(self.page_url)

    def raw(self) -> bytes:
        return self._get(self.raw_url)

    def raw_view(self, request: HttpRequest) -> HttpResponse:
        # The page's identity (navigation state, login link's ``next``), not its work.
        request.resolver_match = self.resolved
        request.path = request.path_info = self.page_url
        return render(request, self.template, self.context(request))

    template = ""

    def context(self, request: HttpRequest) -> dict[str, Any]:
        raise NotImplementedError

    def paged(self, rows: list[Any], total: int, size: int) -> dict[str, Any]:
        paginator = Paginator(_Rows(rows, total), size)
        page = paginator.get_page(1)
        return {"paginator": paginator, "page_obj": page, "is_paginated":
                page.has_other_pages(), "object_list": page.object_list}

    def verify(self) -> None:
        page, raw = mask(self.page()), mask(self.raw())
        if page != raw:
            for number, (left, right) in enumerate(zip(page.splitlines(), raw.splitlines(),
                                                       strict=False), 1):
                if left != right:
                    raise BenchError(f"{self.name}: HTML differs at line {number}:\n"
                                     f"  page {left.strip()[:200]}\n  raw  {right.strip()[:200]}")
            raise BenchError(f"{self.name}: HTML differs in length "
                             f"({len(page)} and {len(raw)} characters)")
        self.check(page)
        with CaptureQueriesContext(connection) as page_queries:
            self.page()
        with CaptureQueriesContext(connection) as raw_queries:
            self.raw()
        self.queries = {"page": _statements(page_queries.captured_queries),
                        "raw": _statements(raw_queries.captured_queries) + 1}
        self.verification = {
            "html_equal_after_masking": True, "html_bytes": len(page.encode()),
            "page_queries": [q["sql"][:400] for q in page_queries.captured_queries],
            "raw_django_queries": [q["sql"][:400] for q in raw_queries.captured_queries],
        }

    def check(self, html: str) -> None:
        """Case-specific sanity of the page."""

    def queries_per_request(self) -> dict[str, int]:
        return getattr(self, "queries", {})

    def row_counts(self) -> dict[str, int]:
        return dict(self.built.rows) if self.built else {}

    def info(self) -> dict[str, Any]:
        return {"page_url": self.page_url, "raw_url": getattr(self, "raw_url", ""),
                "raw_sql": self.raw_sql, "queries_per_request": self.queries_per_request(),
                **getattr(self, "verification", {})}

    def teardown(self) -> None:
        self.raw_connection.close()
        bench_urls.BASELINES.pop(self.key, None)
        self._override.disable()


class CatalogPageCase(PageVersusRawCase):
    name = "catalog_page"
    description = ("anonymous GET /catalog/ (12 of the published services, filters) vs one raw "
                   "SQL + the same template, behind the same middleware")
    page_url = "/catalog/"
    template = "catalog/home.html"
    raw_sql = CATALOG_SQL

    def context(self, request: HttpRequest) -> dict[str, Any]:
        with self.raw_connection.cursor() as cursor:
            cursor.execute(self.raw_sql, {"published": ServiceStatus.PUBLISHED,
                                          "limit": CATALOG_PAGE})
            document = cursor.fetchone()[0]
        services = [
            SimpleNamespace(
                pk=row["pk"], slug=row["slug"], name=row["name"], summary=row["summary"],
                typology=row["typology"], get_typology_display=TYPOLOGY[row["typology"]],
                status=row["status"], get_status_display=SERVICE_STATUS[row["status"]],
                is_published=row["status"] == ServiceStatus.PUBLISHED,
                typical_duration_weeks=row["typical_duration_weeks"],
                category=SimpleNamespace(name=row["category"]),
                value_processes=_Related(SimpleNamespace(name=name)
                                         for name in row["processes"]),
            )
            for row in document["services"]
        ]
        form = CatalogFilterForm(
            None, categories=[SimpleNamespace(**row) for row in document["categories"] or []],
            value_processes=[SimpleNamespace(**row) for row in document["processes"] or []],
        )
        paged = self.paged(services, document["total"], CATALOG_PAGE)
        return {**paged, "services": paged["object_list"], "filter_form": form,
                "filtered": False, "catalog_total": document["total"]}

    def check(self, html: str) -> None:
        if html.count('class="service-card"') != CATALOG_PAGE:
            raise BenchError(f"{self.name}: the page does not show {CATALOG_PAGE} cards")


class EngagementsPageCase(PageVersusRawCase):
    name = "engagements_page"
    description = ("GET /engagements/ (25 with services, team size, health, CPI, SPI) signed "
                   "in as a client of the largest organization vs one raw SQL + the same "
                   "template, behind the same middleware")
    page_url = "/engagements/"
    template = "engagements/engagement_list.html"
    raw_sql = ENGAGEMENTS_SQL

    def client_for_case(self) -> Client:
        client = Client()
        client.force_login(self.built.client_user)
        return client

    def context(self, request: HttpRequest) -> dict[str, Any]:
        with self.raw_connection.cursor() as cursor:
            cursor.execute(self.raw_sql, {"user": request.user.pk, "limit": ENGAGEMENT_PAGE})
            rows = cursor.fetchall()
        engagements = []
        for (pk, title, status, typology, start, end, services, team_size, metrics_id, health,
             cpi, spi, as_of, changed_at, _) in rows:
            metrics = None if metrics_id is None else SimpleNamespace(
                health=health, get_health_display=HEALTH.get(health, ""), cpi=cpi, spi=spi,
                as_of=as_of, is_stale=as_of is None or (changed_at is not None
                                                        and changed_at > as_of))
            engagements.append(SimpleNamespace(
                pk=pk, title=title, status=status, get_status_display=ENGAGEMENT_STATUS[status],
                typology=typology, get_typology_display=TYPOLOGY[typology],
                planned_start=start, planned_end=end, team_size=team_size, metrics=metrics,
                services=_Related(SimpleNamespace(name=name) for name in services),
            ))
        total = rows[0][-1] if rows else 0
        form = EngagementFilterForm(None, user=request.user)
        paged = self.paged(engagements, total, ENGAGEMENT_PAGE)
        return {**paged, "engagements": paged["object_list"], "filter_form": form,
                "filtered": False, "staff_view": False, "chosen_organization": None,
                "show_organization": False, "no_organization": False,
                "engagement_total": total}

    def check(self, html: str) -> None:
        if html.count("eg-health-") < ENGAGEMENT_PAGE:
            raise BenchError(f"{self.name}: the page does not show {ENGAGEMENT_PAGE} health cells")
        if not Engagement.objects.filter(organization=self.built.largest_organization,
                                         metrics__as_of__isnull=False).exists():
            raise BenchError(f"{self.name}: no engagement of the client has metrics")
