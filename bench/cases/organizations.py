"""Case ``organizations_list``: the organizations API page against a hand-written equivalent.

* ``api``: ``GET /api/v1/organizations/?page_size=100`` through the whole Django stack
  (middleware, token authentication, permissions, tenant scoping, filtering, pagination with
  its COUNT query, the ORM, the DRF serializer and renderer) with ``django.test.Client``.
* ``raw`` (baseline): one SQL statement on its own psycopg2 connection selecting the
  serializer's columns, the active-member count and the total, turned into the same JSON
  document with ``json.dumps``.

The ratio api/raw is what the framework layers cost on top of the minimum work for the
same bytes on this machine.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from typing import Any

import psycopg2
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from psycopg2 import sql
from rest_framework.authtoken.models import Token

from bench.harness import BenchError, Case, Variant
from stakeholders.api.serializers import OrganizationSerializer
from stakeholders.choices import MembershipRole, OrganizationKind, Sector
from stakeholders.models import Membership, Organization, User

ORGANIZATIONS = 100
MEMBERS = 240
PAGE_SIZE = 100
URL = f"/api/v1/organizations/?page_size={PAGE_SIZE}"
SEED = 20261122

PREFIXES = [
    "Ayuntamiento de", "Consejería de Salud de", "Hospital Universitario de", "Universidad de",
    "Autoridad Portuaria de", "Fundación", "Grupo", "Cooperativa", "Diputación de",
    "Servicio de Empleo de", "Câmara Municipal de", "Agence régionale de",
]
PLACES = [
    "Móstoles", "Cádiz", "Logroño", "A Coruña", "Zaragoza", "L'Hospitalet", "Évora", "Lisboa",
    "Toulouse", "Ourense", "Castelló", "Getxo", "Alcalá & Henares", "Jaén", "Bilbao", "Murcia",
]
REGIONS = ["Madrid", "Andalucía", "Catalunya", "Galicia", "Euskadi", "Aragón", "Norte", "Occitanie"]
COUNTRIES = ["ES", "ES", "ES", "ES", "ES", "PT", "FR", "IT", ""]
FIRST_NAMES = ["Lucía", "Martín", "Nerea", "Joâo", "Íñigo", "Chloé", "Pau", "Carmen", "Hugo"]
LAST_NAMES = ["García", "Núñez", "Ferreira", "O'Neill", "Ibáñez", "Moreau", "Puig", "Ruiz"]
PUBLIC_SECTORS = {Sector.GOVERNMENT, Sector.REGIONAL, Sector.LOCAL, Sector.JUSTICE}


def _organizations(rng: random.Random) -> list[Organization]:
    organizations = []
    for index in range(ORGANIZATIONS):
        sector = rng.choice(Sector.values)
        with_contact = rng.random() < 0.8
        contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        organizations.append(
            Organization(
                name=f"{rng.choice(PREFIXES)} {rng.choice(PLACES)} {index:03d}",
                kind=OrganizationKind.CLIENT,
                sector=sector,
                is_public_administration=sector in PUBLIC_SECTORS or rng.random() < 0.1,
                country=rng.choice(COUNTRIES),
                region=rng.choice(REGIONS) if rng.random() < 0.7 else "",
                contact_name=contact if with_contact else "",
                contact_email=f"pmo.contact{index}@org{index}.example" if with_contact else "",
                contact_phone=f"+34 9{rng.randrange(10**7, 10**8)}" if with_contact else "",
                website=f"https://www.org{index}.example/" if rng.random() < 0.6 else "",
                is_active=rng.random() < 0.9,
            )
        )
    # Insert in random order so that id order and name order differ.
    rng.shuffle(organizations)
    return organizations


class OrganizationsListCase(Case):
    name = "organizations_list"
    description = f"GET {URL} (full stack) vs one raw SQL query + json.dumps"
    baseline = "raw"

    def setup(self) -> None:
        rng = random.Random(SEED)
        organizations = Organization.objects.bulk_create(_organizations(rng))
        unusable = make_password(None)

        staff = User.objects.bulk_create(
            [User(username="bench-staff", email="bench-staff@pmo.example", is_staff=True,
                  password=unusable)]
        )[0]
        self.token_key = Token.objects.bulk_create(
            [Token(user=staff, key=Token.generate_key())]
        )[0].key

        members = User.objects.bulk_create(
            [
                User(
                    username=f"member{index:04d}",
                    email=f"member{index:04d}@clients.example",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    is_active=rng.random() < 0.85,  # inactive members are not counted
                    password=unusable,
                )
                for index in range(MEMBERS)
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=user,
                    organization=rng.choice(organizations),
                    role=rng.choice(MembershipRole.values),
                )
                for user in members
            ]
        )

        self.client = Client(
            headers={"authorization": f"Token {self.token_key}", "accept": "application/json"}
        )
        self._open_raw_connection()

    def _open_raw_connection(self) -> None:
        database = settings.DATABASES["default"]
        self.raw_connection = psycopg2.connect(
            dbname=database["NAME"],
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            # Let the server render timestamps in the site's zone, as DRF does in Python.
            options=f"-c TimeZone={settings.TIME_ZONE}",
        )
        self.raw_connection.autocommit = True

        fields = OrganizationSerializer.Meta.fields
        organization = Organization._meta
        membership = Membership._meta
        user = User._meta
        selected = []
        for field_name in fields:
            if field_name == "member_count":
                selected.append(
                    sql.SQL("COUNT(m.{}) FILTER (WHERE u.{})").format(
                        sql.Identifier(membership.pk.column),
                        sql.Identifier(user.get_field("is_active").column),
                    )
                )
            else:
                selected.append(
                    sql.SQL("o.{}").format(
                        sql.Identifier(organization.get_field(field_name).column)
                    )
                )
        selected.append(sql.SQL("COUNT(*) OVER ()"))
        self.raw_sql = sql.SQL(
            "SELECT {columns} FROM {organization} o "
            "LEFT JOIN {membership} m ON m.{membership_organization} = o.{organization_pk} "
            "LEFT JOIN {user} u ON u.{user_pk} = m.{membership_user} "
            "GROUP BY o.{organization_pk} ORDER BY o.{name} LIMIT {limit}"
        ).format(
            columns=sql.SQL(", ").join(selected),
            organization=sql.Identifier(organization.db_table),
            membership=sql.Identifier(membership.db_table),
            user=sql.Identifier(user.db_table),
            membership_organization=sql.Identifier(membership.get_field("organization").column),
            membership_user=sql.Identifier(membership.get_field("user").column),
            organization_pk=sql.Identifier(organization.pk.column),
            user_pk=sql.Identifier(user.pk.column),
            name=sql.Identifier(organization.get_field("name").column),
            limit=sql.Literal(PAGE_SIZE),
        ).as_string(self.raw_connection)
        self.fields = list(fields)
        self.datetime_positions = [
            position for position, field_name in enumerate(fields)
            if field_name in ("created_at", "updated_at")
        ]

    # --- Variants ------------------------------------------------------------------------------

    def variants(self) -> list[Variant]:
        return [
            Variant("raw", self.raw, "psycopg2 cursor, one SELECT with LEFT JOIN/COUNT, "
                    "json.dumps to the same document"),
            Variant("api", self.api, "django.test.Client GET through middleware, DRF and ORM, "
                    "token authentication"),
        ]

    def api(self) -> bytes:
        response = self.client.get(URL)
        if response.status_code != 200:
            raise BenchError(f"GET {URL} answered {response.status_code}")
        return response.content

    def raw(self) -> bytes:
        with self.raw_connection.cursor() as cursor:
            cursor.execute(self.raw_sql)
            rows = cursor.fetchall()
        fields = self.fields
        datetime_positions = self.datetime_positions
        results = []
        for row in rows:
            values = list(row[:-1])
            for position in datetime_positions:
                values[position] = _iso(values[position])
            results.append(dict(zip(fields, values, strict=True)))
        count = rows[0][-1] if rows else 0
        if count > PAGE_SIZE:
            raise BenchError("the raw variant renders a single page only")
        payload = {"count": count, "next": None, "previous": None, "results": results}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    # --- Checks and report ---------------------------------------------------------------------

    def verify(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            api_bytes = self.api()
        self.api_queries = [
            query["sql"].replace(self.token_key, "<token>") for query in queries.captured_queries
        ]
        raw_bytes = self.raw()
        api_payload = json.loads(api_bytes)
        raw_payload = json.loads(raw_bytes)

        api_results, raw_results = api_payload["results"], raw_payload["results"]
        if len(api_results) != ORGANIZATIONS or api_payload["count"] != ORGANIZATIONS:
            raise BenchError(
                f"api returned {len(api_results)} of {api_payload['count']} organizations, "
                f"expected {ORGANIZATIONS}"
            )
        if [row["id"] for row in api_results] != [row["id"] for row in raw_results]:
            raise BenchError("api and raw return different ids or a different order")
        if [row["name"] for row in api_results] != [row["name"] for row in raw_results]:
            raise BenchError("api and raw return different names")
        if api_payload != raw_payload:
            differences = sorted(
                {
                    key
                    for api_row, raw_row in zip(api_results, raw_results, strict=True)
                    for key in api_row.keys() | raw_row.keys()
                    if api_row.get(key) != raw_row.get(key)
                }
            )
            raise BenchError(f"api and raw payloads differ in fields {differences}")
        if sum(row["member_count"] for row in api_results) == 0:
            raise BenchError("no organization has active members; member_count is untested")

        self.verification = {
            "payloads_equal": True,
            "payloads_byte_identical": api_bytes == raw_bytes,
            "payload_bytes": {"api": len(api_bytes), "raw": len(raw_bytes)},
            "active_members_counted": sum(row["member_count"] for row in api_results),
        }

    def queries_per_request(self) -> dict[str, int]:
        if not hasattr(self, "api_queries"):
            return {}
        return {"api": sum(1 for q in self.api_queries
                           if q.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT")),
                "raw": 1}

    def row_counts(self) -> dict[str, int]:
        return {
            "organizations": Organization.objects.count(),
            "users": User.objects.count(),
            "staff_users": User.objects.filter(is_staff=True).count(),
            "memberships": Membership.objects.count(),
            "tokens": Token.objects.count(),
            "results_per_call": PAGE_SIZE,
        }

    def info(self) -> dict[str, Any]:
        return {
            "url": URL,
            **getattr(self, "verification", {}),
            "api_queries_per_call": len(getattr(self, "api_queries", [])),
            "api_queries": getattr(self, "api_queries", []),
            "raw_queries_per_call": 1,
            "raw_sql": self.raw_sql,
        }

    def teardown(self) -> None:
        self.raw_connection.close()


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 as DRF writes it (``Z`` for UTC)."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
