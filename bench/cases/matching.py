"""Cases ``matches_rank`` and ``proposal_global``: the matching engine at the issue's scale.

Both run on the shared scale dataset (bench.dataset: 10,000 consultants with skills,
languages, sectors, rates, current assignments and rated past engagements, 200 client
organizations with cultures) when the runner hands it over, and build their own bench
(``build_bench``) otherwise. Each creates its need(s) and deletes them afterwards.

``matches_rank`` ranks a bench of 10,000 consultants for one staffing need:

* ``raw`` (baseline): ``GET /bench/raw/matches/`` behind the same middleware as the API,
  answered on its own psycopg2 connection by the same rows the ranking reads, one flat
  SELECT each (consultants, their proficiency in the need's skills, who speaks the
  language, years in the relevant sectors, rates up to the start, assignments overlapping
  the window, rated outcomes with their culture snapshot, cultures in force) and
  ``json.dumps`` of all of them. No scoring, no ordering by score, no authentication.
* ``api``: ``GET /api/v1/staffing-needs/{id}/matches/`` as staff (token): DRF, the need's
  scoped lookup, the engine (13 bulk queries, numpy scoring of all 10,000), the first page
  of 25 candidates and the complete ``excluded`` list.
* ``engine``: ``engagements.matching.rank_for_need`` called directly, for the share of the
  API time the engine takes.

``proposal_global`` proposes staff for 500 open needs over the bench (10,000 consultants on
the scale dataset, 2,000 on its own):

* ``score`` (baseline): load the bench once and score every consultant for every need
  (``load_matching_data`` + ``score_need``), what any fill needs before choosing;
* ``propose``: ``engagements.proposals.propose``: the same, plus the top-30 pruning, the
  integer program (HiGHS) and the greedy fill beside it.

Each call takes seconds: the case runs 5 rounds unless told otherwise.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg2
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from psycopg2 import sql
from rest_framework.authtoken.models import Token

from bench import urls as bench_urls
from bench.harness import BenchError, Case, Variant
from catalog.choices import Seniority, SkillCategory
from catalog.models import Role, Skill
from engagements import matching
from engagements.choices import CultureSource, EngagementStatus, Language, NeedStatus
from engagements.models import (
    Assignment,
    Consultant,
    ConsultantFitRating,
    ConsultantLanguage,
    ConsultantSector,
    ConsultantSkill,
    CultureAssessment,
    DayRate,
    Engagement,
    EngagementOutcome,
    StaffingNeed,
    StaffingNeedSkill,
)
from engagements.proposals import propose
from stakeholders.choices import OrganizationKind, Sector
from stakeholders.models import Organization, User

SEED = 20261205
BASE = date(2027, 1, 4)  # a Monday; every date is relative to it
RANK_CONSULTANTS = 10_000
PROPOSAL_CONSULTANTS = 2_000
PROPOSAL_NEEDS = 500
RAW_URL = "/bench/raw/matches/"
FIRST_NAMES = ["Lucía", "Martín", "Nerea", "João", "Íñigo", "Chloé", "Pau", "Carmen", "Hugo",
               "Ana", "Jordi", "Maite", "Xabier", "Noa", "Rui", "Élodie", "Sven", "Oihane"]
LAST_NAMES = ["García", "Núñez", "Ferreira", "O'Neill", "Ibáñez", "Moreau", "Puig", "Ruiz",
              "Sánchez", "Etxeberria", "Costa", "Lefèvre", "Vidal", "Castro"]
LANGUAGE_SHARES = {Language.SPANISH: 0.8, Language.ENGLISH: 0.6, Language.CATALAN: 0.2,
                   Language.PORTUGUESE: 0.1, Language.FRENCH: 0.1}


def _profile(rng: random.Random) -> list[int]:
    """Four culture points adding up to 100, one type usually dominant."""
    weights = [rng.random() for _ in range(4)]
    weights[rng.randrange(4)] += 1.5
    points = [int(100 * w / sum(weights)) for w in weights]
    points[points.index(max(points))] += 100 - sum(points)
    return points


def build_bench(rng: random.Random, consultants: int) -> dict[str, Any]:
    """A bench of ``consultants`` with skills, languages, sectors, rates, current
    assignments and rated past engagements, over 80 client organizations with cultures,
    all with ``bulk_create``."""
    staff = User.objects.bulk_create([User(
        username="bench-staff", email="bench-staff@pmo.example", is_staff=True,
        password=make_password(None),
    )])[0]
    skills = Skill.objects.bulk_create([
        Skill(name=f"Skill {i:02d}", slug=f"skill-{i:02d}", category=rng.choice(
            SkillCategory.values)) for i in range(40)
    ])
    roles = Role.objects.bulk_create([Role(name=f"Role {i}", slug=f"role-{i}") for i in range(6)])
    organizations = Organization.objects.bulk_create([
        Organization(name=f"Client {i:03d}", kind=OrganizationKind.CLIENT,
                     sector=rng.choice(Sector.values), is_public_administration=rng.random() < 0.5)
        for i in range(80)
    ])
    assessments = []
    for organization in organizations:
        for years_ago in range(rng.randint(0, 2)):
            current, preferred = _profile(rng), _profile(rng)
            assessments.append(CultureAssessment(
                organization=organization, assessed_on=BASE - timedelta(days=365 * years_ago),
                source=CultureSource.DIRECT, assessed_by=staff,
                **{f"current_{t}": Decimal(v) for t, v in zip(
                    ["clan", "adhocracy", "market", "hierarchy"], current, strict=True)},
                **{f"preferred_{t}": Decimal(v) for t, v in zip(
                    ["clan", "adhocracy", "market", "hierarchy"], preferred, strict=True)},
            ))
    CultureAssessment.objects.bulk_create(assessments)
    bench = []
    for index in range(consultants):
        style = _profile(rng)
        bench.append(Consultant(
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {index:05d}",
            seniority=rng.choice(Seniority.values),
            capacity_percent=rng.choice([100, 100, 100, 80, 50]),
            style_clan=style[0], style_adhocracy=style[1], style_market=style[2],
            style_hierarchy=style[3], is_active=rng.random() < 0.95,
        ))
    bench = Consultant.objects.bulk_create(bench, batch_size=2000)
    rows_skills, rows_languages, rows_sectors, rows_rates = [], [], [], []
    for consultant in bench:
        for skill in rng.sample(skills, rng.randint(3, 8)):
            rows_skills.append(ConsultantSkill(consultant=consultant, skill=skill,
                                               proficiency=rng.randint(1, 5)))
        for language, share in LANGUAGE_SHARES.items():
            if rng.random() < share:
                rows_languages.append(ConsultantLanguage(consultant=consultant,
                                                         language=language))
        for sector in rng.sample(Sector.values, rng.randint(1, 3)):
            rows_sectors.append(ConsultantSector(consultant=consultant, sector=sector,
                                                 years=rng.randint(1, 12)))
        amount = Decimal(rng.randrange(400, 1400, 10))
        rows_rates.append(DayRate(consultant=consultant, amount=amount,
                                  valid_from=BASE - timedelta(days=700)))
        if rng.random() < 0.4:
            rows_rates.append(DayRate(consultant=consultant, amount=amount + 50,
                                      valid_from=BASE + timedelta(days=rng.randint(-200, 200))))
    ConsultantSkill.objects.bulk_create(rows_skills, batch_size=5000)
    ConsultantLanguage.objects.bulk_create(rows_languages, batch_size=5000)
    ConsultantSector.objects.bulk_create(rows_sectors, batch_size=5000)
    DayRate.objects.bulk_create(rows_rates, batch_size=5000)

    def engagement(status: EngagementStatus, start: date, days: int) -> Engagement:
        return Engagement(
            organization=rng.choice(organizations), title=f"Engagement {rng.random():.8f}",
            status=status, planned_start=start, planned_end=start + timedelta(days=days),
            budget_at_completion=Decimal(rng.randrange(50_000, 600_000, 1000)),
        )

    closed = Engagement.objects.bulk_create([
        engagement(EngagementStatus.CLOSED, BASE - timedelta(days=rng.randint(200, 1500)), 150)
        for _ in range(consultants // 4)
    ], batch_size=2000)
    outcomes = []
    for past in closed:
        snapshot = _profile(rng) if rng.random() < 0.7 else [None] * 4
        outcomes.append(EngagementOutcome(
            engagement=past, client_satisfaction=rng.randint(1, 5), on_time=rng.random() < 0.6,
            recorded_by=staff,
            **{f"culture_{t}": (Decimal(v) if v is not None else None) for t, v in zip(
                ["clan", "adhocracy", "market", "hierarchy"], snapshot, strict=True)},
        ))
    outcomes = EngagementOutcome.objects.bulk_create(outcomes, batch_size=2000)
    ratings = []
    for outcome in outcomes:
        for consultant in rng.sample(bench, rng.randint(1, 3)):
            ratings.append(ConsultantFitRating(
                outcome=outcome, consultant=consultant, values_match=rng.randint(1, 7),
                values_fit=rng.randint(1, 7), culture_fit=rng.randint(1, 7),
            ))
    ConsultantFitRating.objects.bulk_create(ratings, batch_size=5000)

    running = Engagement.objects.bulk_create([
        engagement(rng.choice([EngagementStatus.ACTIVE, EngagementStatus.STAFFING]),
                   BASE + timedelta(days=rng.randint(-90, 200)), rng.randint(60, 300))
        for _ in range(max(consultants // 30, 60))
    ], batch_size=2000)
    assignments = []
    for consultant in bench:
        for _ in range(rng.choice([0, 1, 1, 2])):
            start = BASE + timedelta(days=rng.randint(-60, 300))
            assignments.append(Assignment(
                engagement=rng.choice(running), consultant=consultant, role=rng.choice(roles),
                allocation_percent=rng.choice([20, 50, 50, 100]), start_on=start,
                end_on=start + timedelta(days=rng.randint(20, 150)), created_by=staff,
            ))
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    return {"staff": staff, "skills": skills, "roles": roles, "running": running}


def build_needs(rng: random.Random, built: dict[str, Any], count: int) -> list[StaffingNeed]:
    """Open needs on the running engagements, over the next year, with 1-3 skills each."""
    needs = []
    for _ in range(count):
        start = BASE + timedelta(days=rng.randint(0, 300))
        needs.append(StaffingNeed(
            engagement=rng.choice(built["running"]), role=rng.choice(built["roles"]),
            seniority=rng.choice(Seniority.values),
            language=rng.choice(["", "", Language.SPANISH, Language.ENGLISH]),
            allocation_percent=rng.choice([25, 50, 50, 100, 100]), start_on=start,
            end_on=start + timedelta(days=rng.randint(20, 120)), status=NeedStatus.OPEN,
        ))
    needs = StaffingNeed.objects.bulk_create(needs, batch_size=2000)
    StaffingNeedSkill.objects.bulk_create([
        StaffingNeedSkill(need=need, skill=skill, minimum_level=rng.randint(2, 5))
        for need in needs for skill in rng.sample(built["skills"], rng.randint(1, 3))
    ])
    return needs


def scale_bench() -> dict[str, Any]:
    """What ``build_bench`` returns, found in the shared scale dataset (bench.dataset): its
    10,000 consultants, skills, roles and the engagements still staffing or running."""
    from bench.dataset import STAFF_USERNAME

    return {
        "staff": User.objects.get(username=STAFF_USERNAME),
        "skills": list(Skill.objects.order_by("pk")),
        "roles": list(Role.objects.order_by("pk")),
        "running": list(Engagement.objects.filter(
            status__in=[EngagementStatus.ACTIVE, EngagementStatus.STAFFING]).order_by("pk")),
    }


def _row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model.objects.count()
        for model in (Consultant, ConsultantSkill, ConsultantLanguage, ConsultantSector, DayRate,
                      Assignment, Engagement, EngagementOutcome, ConsultantFitRating,
                      CultureAssessment, StaffingNeed, StaffingNeedSkill)
    }


class MatchesRankCase(Case):
    name = "matches_rank"
    description = (
        f"GET /api/v1/staffing-needs/{{id}}/matches/ ranking {RANK_CONSULTANTS:,} consultants vs "
        "raw SQL fetching the same consultants' rows + json.dumps, behind the same middleware"
    )
    baseline = "raw"
    dataset = "scale"
    # Each round takes about a second; 60 give stable medians.
    default_rounds = 60
    default_warmup = 5

    def setup(self) -> None:
        # On the shared dataset when the runner hands it over; else its own bench.
        built = (scale_bench() if self.built is not None
                 else build_bench(random.Random(SEED), RANK_CONSULTANTS))
        engagement = built["running"][0]
        self.need = StaffingNeed.objects.create(
            engagement=engagement, role=built["roles"][0], seniority=Seniority.SENIOR,
            language=Language.SPANISH, allocation_percent=50, start_on=BASE + timedelta(days=30),
            end_on=BASE + timedelta(days=120),
        )
        for skill, level in zip(built["skills"][:3], (4, 3, 3), strict=True):
            StaffingNeedSkill.objects.create(need=self.need, skill=skill, minimum_level=level)
        self.api_url = f"/api/v1/staffing-needs/{self.need.pk}/matches/"
        token = Token.objects.get_or_create(user=built["staff"])[0]
        self.client = Client(headers={"authorization": f"Token {token.key}",
                                      "accept": "application/json"})
        self._override = override_settings(ROOT_URLCONF="bench.urls")
        self._override.enable()
        bench_urls.BASELINES["matches"] = self.raw_view
        self._open_raw_connection()

    def _open_raw_connection(self) -> None:
        database = settings.DATABASES["default"]
        self.raw_connection = psycopg2.connect(
            dbname=database["NAME"], user=database["USER"] or None,
            password=database["PASSWORD"] or None, host=database["HOST"] or None,
            port=database["PORT"] or None,
        )
        self.raw_connection.autocommit = True
        tables = {model.__name__: sql.Identifier(model._meta.db_table) for model in (
            Consultant, ConsultantSkill, ConsultantLanguage, ConsultantSector, DayRate,
            Assignment, ConsultantFitRating, EngagementOutcome, Engagement, CultureAssessment)}
        # The rows the ranking reads, one flat SELECT each (column names are Django's
        # defaults: the field name, or name + "_id" for keys); dates and amounts are cast
        # so json.dumps takes the rows as they come.
        statements = {
            "consultants": "SELECT id, full_name, seniority, capacity_percent, style_clan, "
            "style_adhocracy, style_market, style_hierarchy, is_active FROM {Consultant} "
            "ORDER BY id",
            "skills": "SELECT consultant_id, skill_id, proficiency FROM {ConsultantSkill} "
            "WHERE skill_id = ANY(%(skills)s)",
            "languages": "SELECT consultant_id, language FROM {ConsultantLanguage} "
            "WHERE language = %(language)s",
            "sectors": "SELECT consultant_id, sector, years FROM {ConsultantSector} "
            "WHERE sector = ANY(%(sectors)s)",
            "rates": "SELECT consultant_id, valid_from::text, amount::float FROM {DayRate} "
            "WHERE valid_from <= %(start)s ORDER BY consultant_id, valid_from",
            "assignments": "SELECT consultant_id, allocation_percent, start_on::text, "
            "end_on::text FROM {Assignment} WHERE start_on <= %(end)s AND end_on >= %(start)s",
            "ratings": "SELECT f.consultant_id, f.values_match, f.values_fit, f.culture_fit, "
            "o.client_satisfaction, o.on_time, o.culture_clan::float, "
            "o.culture_adhocracy::float, o.culture_market::float, o.culture_hierarchy::float, "
            "e.organization_id FROM {ConsultantFitRating} f "
            "JOIN {EngagementOutcome} o ON o.id = f.outcome_id "
            "JOIN {Engagement} e ON e.id = o.engagement_id",
            "cultures": "SELECT organization_id, current_clan::float, current_adhocracy::float, "
            "current_market::float, current_hierarchy::float FROM {CultureAssessment} "
            "ORDER BY organization_id, assessed_on DESC, id DESC",
        }
        self.raw_statements = {
            name: sql.SQL(text).format(**tables).as_string(self.raw_connection)
            for name, text in statements.items()
        }
        organization = self.need.engagement.organization
        self.raw_params = {
            "language": self.need.language,
            "skills": [row.skill_id for row in self.need.skill_requirements.all()],
            "sectors": sorted({organization.sector, *matching.PUBLIC_SECTORS}),
            "start": self.need.start_on, "end": self.need.end_on,
        }

    def variants(self) -> list[Variant]:
        return [
            Variant("raw", self.raw, "same middleware; one psycopg2 SELECT of every "
                    "consultant's matching inputs (JSON aggregates) and json.dumps"),
            Variant("api", self.api, "staff GET of the matches endpoint: DRF, the engine, "
                    "first page of 25 and the excluded list"),
            Variant("engine", self.engine, "rank_for_need() called directly"),
        ]

    def _get(self, url: str) -> bytes:
        response = self.client.get(url)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}")
        return response.content

    def api(self) -> bytes:
        return self._get(self.api_url)

    def raw(self) -> bytes:
        return self._get(RAW_URL)

    def engine(self) -> matching.Ranking:
        return matching.rank_for_need(self.need)

    def raw_view(self, request: HttpRequest) -> HttpResponse:
        document = {}
        with self.raw_connection.cursor() as cursor:
            for name, statement in self.raw_statements.items():
                cursor.execute(statement, self.raw_params)
                document[name] = cursor.fetchall()
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        return HttpResponse(body.encode("utf-8"), content_type="application/json")

    def verify(self) -> None:
        api, raw = json.loads(self.api()), json.loads(self.raw())
        expected = Consultant.objects.count()
        if len(raw["consultants"]) != expected:
            raise BenchError(f"raw fetched {len(raw['consultants'])} consultants")
        if api["count"] + len(api["excluded"]) != expected:
            raise BenchError("the API did not rank or exclude every consultant")
        speakers = {row[0] for row in raw["languages"]}
        proficiency = {(row[0], row[1]): row[2] for row in raw["skills"]}
        reasons = {row["consultant"]["id"]: row["reason"] for row in api["excluded"]}
        for consultant_id, *_, is_active in raw["consultants"]:
            expected = ("Inactive" if not is_active else
                        "Does not work in Spanish" if consultant_id not in speakers else None)
            if expected and reasons.get(consultant_id) != expected:
                raise BenchError(f"consultant {consultant_id}: {reasons.get(consultant_id)!r} "
                                 f"instead of {expected!r}")
        levels = {row.skill_id: row.minimum_level for row in self.need.skill_requirements.all()}
        seniority_of = {row[0]: row[2] for row in raw["consultants"]}
        ranks = list(Seniority.values)
        for candidate in api["results"]:
            consultant_id = candidate["consultant"]["id"]
            skills = sum(min(1, proficiency.get((consultant_id, s), 0) / m)
                         for s, m in levels.items()) / len(levels)
            seniority = matching.SENIORITY_FIT.get(
                ranks.index(seniority_of[consultant_id]) - ranks.index(self.need.seniority), 0)
            if abs(candidate["breakdown"]["skills"] - skills) > 1e-3 or abs(
                    candidate["breakdown"]["seniority"] - seniority) > 1e-9:
                raise BenchError(f"breakdown of {consultant_id} disagrees with its raw rows")
        with CaptureQueriesContext(connection) as queries:
            self.api()
        with CaptureQueriesContext(connection) as engine_queries:
            self.engine()
        self.verification = {
            "engine_queries": len(engine_queries.captured_queries),
            "candidates": api["count"], "excluded": len(api["excluded"]),
            "top_score": api["results"][0]["score"],
            "api_queries_per_call": len(queries.captured_queries),
            "api_queries": [q["sql"][:200] for q in queries.captured_queries],
            "payload_bytes": {"api": len(self.api()), "raw": len(self.raw())},
        }

    def queries_per_request(self) -> dict[str, int]:
        verification = getattr(self, "verification", {})
        if not verification:
            return {}
        return {"api": verification["api_queries_per_call"],
                "raw": len(self.raw_statements), "engine": verification["engine_queries"]}

    def row_counts(self) -> dict[str, int]:
        return _row_counts()

    def info(self) -> dict[str, Any]:
        return {"api_url": getattr(self, "api_url", ""), "raw_url": RAW_URL,
                "raw_sql": getattr(self, "raw_statements", {}),
                **getattr(self, "verification", {})}

    def teardown(self) -> None:
        self.raw_connection.close()
        bench_urls.BASELINES.pop("matches", None)
        self._override.disable()
        if self.built is not None:  # leave the shared dataset as it was
            self.need.skill_requirements.all().delete()
            self.need.delete()


class ProposalGlobalCase(Case):
    name = "proposal_global"
    description = (
        f"propose() for {PROPOSAL_NEEDS} open needs over the bench (10,000 consultants) "
        "vs scoring every pair alone"
    )
    baseline = "score"

    dataset = "scale"
    default_rounds = 5
    default_warmup = 1

    def setup(self) -> None:
        rng = random.Random(SEED + 1)
        built = (scale_bench() if self.built is not None
                 else build_bench(rng, PROPOSAL_CONSULTANTS))
        self.needs = build_needs(rng, built, PROPOSAL_NEEDS)
        self.weights = matching.weights_in_force()

    def teardown(self) -> None:
        if self.built is not None:  # leave the shared dataset as it was
            ids = [need.pk for need in self.needs]
            StaffingNeedSkill.objects.filter(need_id__in=ids).delete()
            StaffingNeed.objects.filter(pk__in=ids).delete()

    def variants(self) -> list[Variant]:
        return [
            Variant("score", self.score, "load_matching_data + score_need for every need"),
            Variant("propose", self.propose, "scoring, top-30 pruning, MILP (HiGHS) and greedy"),
        ]

    def score(self) -> int:
        data, specs = matching.load_matching_data(self.needs)
        return sum(int(matching.score_need(data, spec, self.weights).assignable.sum())
                   for spec in specs)

    def propose(self):
        return propose(self.needs, weights=self.weights)

    def queries_per_request(self) -> dict[str, int]:
        return getattr(self, "queries", {})

    def verify(self) -> None:
        with CaptureQueriesContext(connection) as propose_queries:
            result = self.propose()
        with CaptureQueriesContext(connection) as score_queries:
            self.score()
        self.queries = {"propose": len(propose_queries.captured_queries),
                        "score": len(score_queries.captured_queries)}
        if result.needs_considered != PROPOSAL_NEEDS or not result.lines:
            raise BenchError(f"proposal considered {result.needs_considered} needs, "
                             f"filled {len(result.lines)}")
        if result.total_score < result.greedy_total_score:
            raise BenchError("the optimum scored below the greedy fill")
        self.verification = {
            "needs_filled": len(result.lines), "greedy_needs_filled": len(result.greedy_lines),
            "total_score": result.total_score, "greedy_total_score": result.greedy_total_score,
            "assignable_pairs": self.score(), "solve_ms": result.solve_ms,
        }

    def row_counts(self) -> dict[str, int]:
        return _row_counts()

    def info(self) -> dict[str, Any]:
        return getattr(self, "verification", {})
