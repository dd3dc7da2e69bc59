"""Cases on the shared scale dataset: the tenant-scoped API lists and the metrics endpoint.

Each case compares a product endpoint with a baseline view at ``/bench/raw/<case>/`` behind
the same middleware (sessions, CSRF, CSP, the request transaction). The baseline is the
physical limit of the answer: one SQL statement on its own psycopg2 connection that
authenticates the token, applies the tenant scope, reads the page's rows with their
computed columns (subqueries, joins, window count) and ``json.dumps`` of the same document.
It does what the product must do, and nothing else: no DRF, no ORM, no serializer.

* ``applications_list``: ``GET /api/v1/applications/`` (first page of 25, ordered by name)
  as a client user of the largest organization, and the same as PMO staff (all 20,000).
* ``engagements_list``: ``GET /api/v1/engagements/`` (first page of 25, latest start
  first) as the same client and as staff, each row with its stored health (the portal page
  with health is measured in ``bench.cases.pages``).
* ``engagement_metrics``: ``GET /api/v1/engagements/{id}/metrics/`` of one active engagement
  of that client (stored figures, health, reasons, KPIs).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg2
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from bench import urls as bench_urls
from bench.harness import BenchError, Case, Variant
from engagements.choices import EngagementStatus
from engagements.models import Engagement
from portfolio import classification

PAGE_SIZE = 25

# Who is asking: the token's user, their organization and whether they see everything.
# Inactive users match no row, so they get an empty page, as the product's scope gives.
VIEWER = """
    WITH viewer AS (
        SELECT u.is_staff AS is_staff, m.organization_id AS organization_id
        FROM authtoken_token t JOIN stakeholders_user u ON u.id = t.user_id
        LEFT JOIN stakeholders_membership m ON m.user_id = u.id
        WHERE t.key = %(token)s AND u.is_active
    )
"""

APPLICATIONS_SQL = VIEWER + """,
    page AS (
        SELECT a.* FROM portfolio_application a
        JOIN viewer v ON v.is_staff OR a.organization_id = v.organization_id
        ORDER BY a.name, a.id LIMIT %(limit)s
    )
    SELECT a.id, a.organization_id, a.name, a.code, a.description, a.business_owner_id,
           a.technical_owner_id, a.lifecycle, a.criticality, a.functional_fit,
           a.technical_fit, a.time_override, a.time_override_rationale,
           CASE WHEN ou.id IS NULL THEN NULL
                ELSE coalesce(nullif(trim(ou.first_name || ' ' || ou.last_name), ''),
                              ou.username) END,
           a.time_overridden_at, a.annual_run_cost, a.user_count, a.hosting,
           coalesce((SELECT array_agg(t.name ORDER BY t.name)
                     FROM portfolio_application_technologies at
                     JOIN portfolio_technology t ON t.id = at.technology_id
                     WHERE at.application_id = a.id), '{}'),
           a.vendor, a.contract_end,
           (SELECT count(*) FROM portfolio_applicationdependency d WHERE d.target_id = a.id),
           a.created_at, a.updated_at,
           (SELECT count(*) FROM portfolio_application c
            JOIN viewer v ON v.is_staff OR c.organization_id = v.organization_id)
    FROM page a
    LEFT JOIN stakeholders_user ou ON ou.id = a.time_overridden_by_id
    ORDER BY a.name, a.id
"""

ENGAGEMENTS_SQL = VIEWER + """,
    page AS (
        SELECT e.* FROM engagements_engagement e
        JOIN viewer v ON v.is_staff OR e.organization_id = v.organization_id
        ORDER BY e.planned_start DESC, e.title, e.id LIMIT %(limit)s
    )
    SELECT e.id, e.organization_id, o.name, e.title, e.status, nullif(h.health, ''),
           e.typology, e.planned_start,
           e.planned_end, e.budget_at_completion, e.service_request_id,
           c.id, c.full_name, c.headline, c.seniority,
           (SELECT count(*) FROM engagements_assignment s WHERE s.engagement_id = e.id),
           e.created_at, e.updated_at, e.version,
           (SELECT count(*) FROM engagements_engagement n
            JOIN viewer v ON v.is_staff OR n.organization_id = v.organization_id)
    FROM page e
    JOIN stakeholders_organization o ON o.id = e.organization_id
    LEFT JOIN engagements_consultant c ON c.id = e.scrum_master_id
    LEFT JOIN engagements_engagementmetrics h ON h.engagement_id = e.id
    ORDER BY e.planned_start DESC, e.title, e.id
"""

METRICS_SQL = VIEWER + """
    SELECT m.figures - 'reasons' - 'kpis', coalesce(m.figures -> 'reasons', '[]'),
           coalesce(m.figures -> 'kpis', '[]'), m.engagement_id, m.status_date, m.as_of,
           m.as_of IS NULL OR coalesce(m.inputs_changed_at > m.as_of, false), m.health
    FROM engagements_engagementmetrics m
    JOIN engagements_engagement e ON e.id = m.engagement_id
    JOIN viewer v ON v.is_staff OR e.organization_id = v.organization_id
    WHERE m.engagement_id = %(engagement)s
"""


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601 as DRF writes it (``Z`` for UTC)."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def open_raw_connection() -> Any:
    """A psycopg2 connection of its own, rendering timestamps in the site's zone as DRF does."""
    database = settings.DATABASES["default"]
    raw = psycopg2.connect(
        dbname=database["NAME"], user=database["USER"] or None,
        password=database["PASSWORD"] or None, host=database["HOST"] or None,
        port=database["PORT"] or None, options=f"-c TimeZone={settings.TIME_ZONE}",
    )
    raw.autocommit = True
    return raw


class ApiVersusRawCase(Case):
    """An API GET against its raw baseline, for one user (token) of the scale dataset."""

    dataset = "scale"
    baseline = "raw"
    api_path = ""
    raw_sql = ""
    as_staff = False

    def viewer(self) -> Any:
        return self.built.staff if self.as_staff else self.built.client_user

    def setup(self) -> None:
        self.token = Token.objects.get_or_create(user=self.viewer())[0].key
        self.client = Client(headers={"authorization": f"Token {self.token}",
                                      "accept": "application/json"})
        self.raw_url = f"/bench/raw/{self.name.replace('_', '-')}/"
        self._override = override_settings(ROOT_URLCONF="bench.urls")
        self._override.enable()
        bench_urls.BASELINES[self.name.replace("_", "-")] = self.raw_view
        self.raw_connection = open_raw_connection()
        self.params: dict[str, Any] = {"limit": PAGE_SIZE}
        self.api_url = self.api_path

    def variants(self) -> list[Variant]:
        return [
            Variant("raw", self.raw, "same middleware; one psycopg2 SELECT (token, scope, "
                    "page, computed columns, window count) and json.dumps"),
            Variant("api", self.api, "DRF through token auth, tenant scope, filters, "
                    "pagination, ORM and serializer"),
        ]

    def _get(self, url: str) -> bytes:
        response = self.client.get(url)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}")
        return response.content

    def api(self) -> bytes:
        return self._get(self.api_url)

    def raw(self) -> bytes:
        return self._get(self.raw_url)

    def raw_view(self, request: HttpRequest) -> HttpResponse:
        token = request.headers.get("authorization", "").removeprefix("Token ")
        with self.raw_connection.cursor() as cursor:
            cursor.execute(self.raw_sql, {**self.params, "token": token})
            rows = cursor.fetchall()
        if not rows and self.detail:
            return HttpResponse(b'{"detail":"Not found."}', status=404,
                                content_type="application/json")
        body = json.dumps(self.document(request, rows), ensure_ascii=False,
                          separators=(",", ":"))
        return HttpResponse(body.encode("utf-8"), content_type="application/json")

    detail = False

    def document(self, request: HttpRequest, rows: list[tuple]) -> dict[str, Any]:
        raise NotImplementedError

    def page(self, request: HttpRequest, rows: list[tuple], results: list[dict]) -> dict:
        """DRF's page envelope for the first page."""
        count = rows[0][-1] if rows else 0
        next_url = (request.build_absolute_uri(self.api_path) + "?page=2"
                    if count > PAGE_SIZE else None)
        return {"count": count, "next": next_url, "previous": None, "results": results}

    def verify(self) -> None:
        api_bytes, raw_bytes = self.api(), self.raw()
        api_payload, raw_payload = json.loads(api_bytes), json.loads(raw_bytes)
        if api_payload != raw_payload:
            where = _difference(api_payload, raw_payload)
            raise BenchError(f"{self.name}: api and raw differ: {where}")
        self.check(api_payload)
        with CaptureQueriesContext(connection) as api_queries:
            self.api()
        with CaptureQueriesContext(connection) as raw_queries:
            self.raw()
        # The request transaction's BEGIN/COMMIT are not reads; the raw view's own SELECT
        # runs on its psycopg2 connection, outside Django's count.
        self.queries = {"api": _statements(api_queries.captured_queries),
                        "raw": _statements(raw_queries.captured_queries) + 1}
        self.verification = {
            "payloads_equal": True, "payloads_byte_identical": api_bytes == raw_bytes,
            "payload_bytes": {"api": len(api_bytes), "raw": len(raw_bytes)},
            "api_queries": [q["sql"].replace(self.token, "<token>")[:400]
                            for q in api_queries.captured_queries],
            "raw_django_queries": [q["sql"][:400] for q in raw_queries.captured_queries],
        }

    def check(self, payload: dict) -> None:
        """Case-specific sanity of the answer (not empty, the scope applied...)."""

    def queries_per_request(self) -> dict[str, int]:
        return getattr(self, "queries", {})

    def row_counts(self) -> dict[str, int]:
        return dict(self.built.rows) if self.built else {}

    def info(self) -> dict[str, Any]:
        return {"api_url": getattr(self, "api_url", ""), "raw_url": getattr(self, "raw_url", ""),
                "viewer": "staff" if self.as_staff else "client of the largest organization",
                "organization": self.built.largest_organization.pk if self.built else None,
                "queries_per_request": self.queries_per_request(),
                "raw_sql": self.raw_sql, **getattr(self, "verification", {})}

    def teardown(self) -> None:
        self.raw_connection.close()
        bench_urls.BASELINES.pop(self.name.replace("_", "-"), None)
        self._override.disable()


def _statements(captured: list[dict[str, Any]]) -> int:
    """Statements that read or write rows (transaction control left out)."""
    return sum(1 for query in captured
               if query["sql"].split(None, 1)[0].upper() not in TRANSACTION_CONTROL)


TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


def _difference(api: Any, raw: Any, path: str = "") -> str:
    """Where two JSON documents first differ, for the error message."""
    if isinstance(api, dict) and isinstance(raw, dict):
        for key in sorted(api.keys() | raw.keys()):
            if api.get(key) != raw.get(key):
                return _difference(api.get(key), raw.get(key), f"{path}.{key}")
    if isinstance(api, list) and isinstance(raw, list) and len(api) == len(raw):
        for index, (left, right) in enumerate(zip(api, raw, strict=True)):
            if left != right:
                return _difference(left, right, f"{path}[{index}]")
    return f"{path or 'document'}: api {str(api)[:120]!r} raw {str(raw)[:120]!r}"


class ApplicationsListCase(ApiVersusRawCase):
    name = "applications_list"
    description = ("GET /api/v1/applications/ (page of 25) as a client of the largest "
                   "organization vs one raw SQL + json.dumps behind the same middleware")
    api_path = "/api/v1/applications/"
    raw_sql = APPLICATIONS_SQL

    def setup(self) -> None:
        super().setup()
        self.functional_high = classification.threshold("FUNCTIONAL_FIT_HIGH_FROM")
        self.technical_high = classification.threshold("TECHNICAL_FIT_HIGH_FROM")

    def time_class(self, functional: int | None, technical: int | None) -> str | None:
        if functional is None or technical is None:
            return None
        functional_high = functional >= self.functional_high
        technical_high = technical >= self.technical_high
        if functional_high:
            return "invest" if technical_high else "migrate"
        return "tolerate" if technical_high else "eliminate"

    def document(self, request: HttpRequest, rows: list[tuple]) -> dict[str, Any]:
        results = []
        for (pk, organization, name, code, description, business_owner, technical_owner,
             lifecycle, criticality, functional, technical, override, rationale, overridden_by,
             overridden_at, run_cost, user_count, hosting, technologies, vendor, contract_end,
             fan_in, created_at, updated_at, _) in rows:
            computed = self.time_class(functional, technical)
            results.append({
                "id": pk, "organization": organization, "name": name, "code": code,
                "description": description, "business_owner": business_owner,
                "technical_owner": technical_owner, "lifecycle": lifecycle,
                "criticality": criticality, "functional_fit": functional,
                "technical_fit": technical, "time_computed": computed,
                "time_class": override or computed, "time_override": override,
                "time_override_rationale": rationale, "time_overridden_by": overridden_by,
                "time_overridden_at": iso(overridden_at), "annual_run_cost": money(run_cost),
                "user_count": user_count, "hosting": hosting, "technologies": technologies,
                "vendor": vendor, "contract_end": iso(contract_end), "fan_in": fan_in,
                "created_at": iso(created_at), "updated_at": iso(updated_at),
            })
        return self.page(request, rows, results)

    def check(self, payload: dict) -> None:
        organization = self.built.largest_organization.pk
        if len(payload["results"]) != PAGE_SIZE:
            raise BenchError(f"{self.name}: {len(payload['results'])} results, not a full page")
        if not self.as_staff and {row["organization"] for row in payload["results"]} != {
                organization}:
            raise BenchError(f"{self.name}: the client saw another organization's rows")
        if not any(row["fan_in"] for row in payload["results"]) and self.as_staff:
            raise BenchError(f"{self.name}: no fan-in on the page; the subquery is untested")


class ApplicationsListStaffCase(ApplicationsListCase):
    name = "applications_list_staff"
    description = ("GET /api/v1/applications/ (page of 25 of 20,000) as PMO staff vs one raw "
                   "SQL + json.dumps behind the same middleware")
    as_staff = True


class EngagementsListCase(ApiVersusRawCase):
    name = "engagements_list"
    description = ("GET /api/v1/engagements/ (page of 25) as a client of the largest "
                   "organization vs one raw SQL + json.dumps behind the same middleware")
    api_path = "/api/v1/engagements/"
    raw_sql = ENGAGEMENTS_SQL

    def document(self, request: HttpRequest, rows: list[tuple]) -> dict[str, Any]:
        results = []
        for (pk, organization, organization_name, title, status, health, typology, start, end,
             budget, service_request, consultant, full_name, headline, seniority, team_size,
             created_at, updated_at, version, _) in rows:
            results.append({
                "id": pk, "organization": organization, "organization_name": organization_name,
                "title": title, "status": status, "health": health, "typology": typology,
                "planned_start": iso(start), "planned_end": iso(end),
                "budget_at_completion": money(budget), "service_request": service_request,
                "scrum_master": None if consultant is None else {
                    "id": consultant, "full_name": full_name, "headline": headline,
                    "seniority": seniority},
                "team_size": team_size, "created_at": iso(created_at),
                "updated_at": iso(updated_at), "version": version,
            })
        return self.page(request, rows, results)

    def check(self, payload: dict) -> None:
        if len(payload["results"]) != PAGE_SIZE:
            raise BenchError(f"{self.name}: {len(payload['results'])} results, not a full page")
        if not self.as_staff and {row["organization"] for row in payload["results"]} != {
                self.built.largest_organization.pk}:
            raise BenchError(f"{self.name}: the client saw another organization's rows")


class EngagementsListStaffCase(EngagementsListCase):
    name = "engagements_list_staff"
    description = ("GET /api/v1/engagements/ (page of 25 of 5,000) as PMO staff vs one raw "
                   "SQL + json.dumps behind the same middleware")
    as_staff = True


class EngagementMetricsCase(ApiVersusRawCase):
    name = "engagement_metrics"
    description = ("GET /api/v1/engagements/{id}/metrics/ (stored figures) as a client vs one "
                   "raw SQL + json.dumps behind the same middleware")
    raw_sql = METRICS_SQL
    detail = True

    def setup(self) -> None:
        super().setup()
        engagement = (Engagement.objects.filter(
            organization=self.built.largest_organization, status=EngagementStatus.ACTIVE,
            metrics__as_of__isnull=False).order_by("pk").first())
        if engagement is None:
            raise BenchError(f"{self.name}: the largest organization has no active engagement "
                             "with metrics")
        self.params["engagement"] = engagement.pk
        self.api_url = f"/api/v1/engagements/{engagement.pk}/metrics/"

    def document(self, request: HttpRequest, rows: list[tuple]) -> dict[str, Any]:
        figures, reasons, kpis, engagement, status_date, as_of, stale, health = rows[0]
        return {"figures": figures, "reasons": reasons, "kpis": kpis, "engagement": engagement,
                "status_date": iso(status_date), "as_of": iso(as_of), "is_stale": stale,
                "health": health}

    def check(self, payload: dict) -> None:
        if not payload["figures"] or payload["figures"].get("cpi", {}).get("value") is None:
            raise BenchError(f"{self.name}: the engagement has no CPI; figures are untested")
