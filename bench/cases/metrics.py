"""Case ``metrics_recompute``: the nightly full recompute of every open engagement's metrics.

Data (:mod:`bench.cases.metrics_data`): 5,000 active engagements over 200 client
organizations, 30,000 iterations, 100,000 deliverables, 500,000 time entries, 20,000
expenses, 20,000 KPI measurements, and per organization 5 stakeholders (with an assessment),
4 risks and 2 communication plans. Status date fixed at ``STATUS_DATE``.

* ``recompute`` (the product): ``engagements.metrics.compute.recompute_all`` over all of
  them: batches of 500, a fixed number of aggregate queries per batch, the formulas in
  Python, two bulk upserts (current row and the day's snapshot).
* ``raw`` (baseline, the physical limit): the same reads in hand-written SQL on one psycopg2
  connection, each over all engagements at once (no batching, no ORM), fetched into Python:
  per-engagement deliverable counts and sums (points, budget x percent, budget finished by
  the status date), the in-progress deliverable rows (spread linearly in Python for PV),
  time and expense cost up to the date, iteration counts, the points of the last three
  finished iterations, the latest value of each KPI, and the per-organization stakeholder,
  overdue-communication and open-risk aggregates. Then it writes what the product writes:
  5,000 current rows and 5,000 snapshot rows, each set with one ``INSERT ... ON CONFLICT DO
  UPDATE`` (``execute_values``), with a figures JSON carrying the product's keys (so the
  same bytes go over the wire). No formulas beyond PV, EV, AC, CPI and SPI, no health.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import psycopg2
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from psycopg2 import sql
from psycopg2.extras import execute_values

from bench.cases.metrics_data import STATUS_DATE, Scale, build
from bench.dataset import open_engagements
from bench.harness import BenchError, Case, CaseResult, Variant
from catalog.models import Indicator
from engagements.choices import (
    OPEN_ENGAGEMENT_STATUSES,
    DeliverableKind,
    DeliverableStatus,
    IterationStatus,
)
from engagements.metrics import compute, formulas
from engagements.models import (
    Deliverable,
    Engagement,
    EngagementMetrics,
    Expense,
    Iteration,
    KpiMeasurement,
    MetricsSnapshot,
    TimeEntry,
)
from stakeholders import classification
from stakeholders.choices import ACTIVE_RISK_STATUSES, ENGAGEMENT_ORDER, RiskKind
from stakeholders.models import CommunicationPlan, Risk, Stakeholder

SEED = 20261201
MONEY = Decimal("0.01")
RATIO = Decimal("0.0001")
TARGET_SECONDS = 15.0
TARGET_RATIO = 3.0

# Every query the product's _gather runs, over all open engagements at once. Table names are
# filled in from the models; column names are Django's defaults.
READS = {
    "engagements": """
        SELECT id, budget_at_completion, organization_id FROM {Engagement}
        WHERE status = ANY(%(open)s) ORDER BY id""",
    "deliverables": """
        SELECT engagement_id, count(*), count(*) FILTER (WHERE status = %(accepted)s),
               count(*) FILTER (WHERE kind = %(launch)s),
               count(*) FILTER (WHERE kind = %(launch)s AND status = ANY(%(launch_done)s)),
               coalesce(sum(story_points), 0),
               coalesce(sum(story_points) FILTER (WHERE status = %(accepted)s), 0),
               coalesce(sum(budget * percent_complete), 0),
               coalesce(sum(budget) FILTER (WHERE planned_finish <= %(day)s), 0)
        FROM {Deliverable} WHERE engagement_id = ANY(%(ids)s) GROUP BY engagement_id""",
    "in_progress": """
        SELECT engagement_id, budget, planned_start, planned_finish, percent_complete,
               story_points, status, kind, iteration_id
        FROM {Deliverable}
        WHERE engagement_id = ANY(%(ids)s) AND planned_start <= %(day)s
          AND planned_finish > %(day)s""",
    "time": """
        SELECT engagement_id, sum(cost) FROM {TimeEntry}
        WHERE engagement_id = ANY(%(ids)s) AND worked_on <= %(day)s GROUP BY engagement_id""",
    "expenses": """
        SELECT engagement_id, sum(amount) FROM {Expense}
        WHERE engagement_id = ANY(%(ids)s) AND spent_on <= %(day)s GROUP BY engagement_id""",
    "iterations": """
        SELECT engagement_id, count(*), count(*) FILTER (WHERE status = %(finished)s)
        FROM {Iteration} WHERE engagement_id = ANY(%(ids)s) GROUP BY engagement_id""",
    "velocity": """
        SELECT engagement_id, committed, accepted FROM (
            SELECT i.engagement_id, i.number,
                   coalesce(sum(d.story_points), 0) AS committed,
                   coalesce(sum(d.story_points) FILTER (WHERE d.status = %(accepted)s), 0)
                       AS accepted,
                   row_number() OVER (PARTITION BY i.engagement_id ORDER BY i.number DESC)
                       AS recency
            FROM {Iteration} i LEFT JOIN {Deliverable} d ON d.iteration_id = i.id
            WHERE i.engagement_id = ANY(%(ids)s) AND i.status = %(finished)s
            GROUP BY i.id) last
        WHERE recency <= %(window)s ORDER BY engagement_id, number""",
    "kpis": """
        SELECT DISTINCT ON (m.engagement_id, m.indicator_id)
               m.engagement_id, m.indicator_id, k.name, k.unit, k.direction, k.target,
               k.green_threshold, k.red_threshold, m.value, m.period_start, m.period_end
        FROM {KpiMeasurement} m JOIN {Indicator} k ON k.id = m.indicator_id
        WHERE m.engagement_id = ANY(%(ids)s) AND m.period_start <= %(day)s
        ORDER BY m.engagement_id, m.indicator_id, m.period_end DESC, m.period_start DESC,
                 m.id DESC""",
    "stakeholders": """
        SELECT organization_id, count(*), count(*) FILTER (WHERE {gap} <= 0)
        FROM {Stakeholder}
        WHERE organization_id = ANY(%(organizations)s) AND is_active
          AND power >= %(power)s AND interest >= %(interest)s
        GROUP BY organization_id""",
    "communications": """
        SELECT organization_id, count(*) FROM {CommunicationPlan}
        WHERE organization_id = ANY(%(organizations)s) AND is_active
          AND next_due_on < %(day)s
        GROUP BY organization_id""",
    "risks": """
        SELECT organization_id, probability * impact AS score, count(*) FROM {Risk}
        WHERE organization_id = ANY(%(organizations)s) AND status = ANY(%(active_risks)s)
          AND kind = %(threat)s
        GROUP BY organization_id, score ORDER BY organization_id, score DESC""",
}
DELIVERABLE_COUNTS = ("deliverables_total", "deliverables_accepted", "launches_planned",
                      "launches_done", "points_planned", "points_accepted")
WRITE_CURRENT = """
    INSERT INTO {EngagementMetrics}
        (engagement_id, status_date, as_of, bac, pv, ev, ac, cpi, spi, health, figures)
    VALUES %s ON CONFLICT (engagement_id) DO UPDATE SET status_date = EXCLUDED.status_date,
        as_of = EXCLUDED.as_of, bac = EXCLUDED.bac, pv = EXCLUDED.pv, ev = EXCLUDED.ev,
        ac = EXCLUDED.ac, cpi = EXCLUDED.cpi, spi = EXCLUDED.spi, health = EXCLUDED.health,
        figures = EXCLUDED.figures"""
WRITE_SNAPSHOT = """
    INSERT INTO {MetricsSnapshot}
        (engagement_id, day, as_of, pv, ev, ac, cpi, spi, health, figures)
    VALUES %s ON CONFLICT (engagement_id, day) DO UPDATE SET as_of = EXCLUDED.as_of,
        pv = EXCLUDED.pv, ev = EXCLUDED.ev, ac = EXCLUDED.ac, cpi = EXCLUDED.cpi,
        spi = EXCLUDED.spi, health = EXCLUDED.health, figures = EXCLUDED.figures"""
TABLE_MODELS = (Engagement, Deliverable, TimeEntry, Expense, Iteration, KpiMeasurement,
                Indicator, Stakeholder, CommunicationPlan, Risk, EngagementMetrics,
                MetricsSnapshot)


def open_raw_connection():
    """A psycopg2 connection of its own to Django's database, in autocommit."""
    database = settings.DATABASES["default"]
    raw = psycopg2.connect(
        dbname=database["NAME"], user=database["USER"] or None,
        password=database["PASSWORD"] or None, host=database["HOST"] or None,
        port=database["PORT"] or None,
    )
    raw.autocommit = True
    return raw


def _gap_sql() -> str:
    """ord(desired) - ord(current) as SQL (the levels are fixed choice values)."""
    def ordinal(column: str) -> str:
        whens = " ".join(f"WHEN '{level}' THEN {order}" for level, order in
                         ENGAGEMENT_ORDER.items())
        return f"(CASE {column} {whens} END)"
    return f"({ordinal('desired_engagement')} - {ordinal('current_engagement')})"


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator / denominator).quantize(RATIO, rounding=ROUND_HALF_UP)


class RawRecompute:
    """The baseline: the product's reads and writes in hand-written SQL, all rows at once."""

    def __init__(self, raw_connection, status_date: date = STATUS_DATE) -> None:
        self.raw = raw_connection
        self.status_date = status_date
        tables = {model.__name__: sql.Identifier(model._meta.db_table) for model in TABLE_MODELS}
        tables["gap"] = sql.SQL(_gap_sql())
        self.reads = {name: sql.SQL(text).format(**tables).as_string(raw_connection)
                      for name, text in READS.items()}
        self.write_current = sql.SQL(WRITE_CURRENT).format(**tables).as_string(raw_connection)
        self.write_snapshot = sql.SQL(WRITE_SNAPSHOT).format(**tables).as_string(raw_connection)
        # The product's figure names (those of an engagement with no inputs: all of them).
        self.figure_names = list(compute._figures(compute._Inputs(), status_date)["figures"])

    def gather(self) -> dict[int, dict[str, Any]]:
        """Every engagement's inputs, read with one query per input."""
        params: dict[str, Any] = {
            "open": list(OPEN_ENGAGEMENT_STATUSES), "day": self.status_date,
            "accepted": DeliverableStatus.ACCEPTED.value,
            "launch": DeliverableKind.SERVICE_LAUNCH.value,
            "launch_done": [s.value for s in compute.LAUNCH_DONE_STATUSES],
            "finished": IterationStatus.FINISHED.value, "window": formulas.VELOCITY_WINDOW,
            "power": classification.threshold("POWER_HIGH_FROM"),
            "interest": classification.threshold("INTEREST_HIGH_FROM"),
            "active_risks": [s.value for s in ACTIVE_RISK_STATUSES],
            "threat": RiskKind.THREAT.value,
        }
        inputs: dict[int, dict[str, Any]] = {}
        with self.raw.cursor() as cursor:
            def rows(name: str) -> list[tuple]:
                cursor.execute(self.reads[name], params)
                return cursor.fetchall()

            for pk, bac, organization_id in rows("engagements"):
                inputs[pk] = {"bac": bac, "organization": organization_id, "ac": Decimal(0),
                              "in_progress": [], "velocity": [], "kpis": [], "scores": [],
                              "deliverables": (0, 0, 0, 0, 0, 0, Decimal(0), Decimal(0)),
                              "iterations": (0, 0), "stakeholders": (0, 0), "overdue": 0}
            params["ids"] = list(inputs)
            params["organizations"] = sorted({item["organization"] for item in inputs.values()})
            for pk, *values in rows("deliverables"):
                inputs[pk]["deliverables"] = tuple(values)
            for pk, *values in rows("in_progress"):
                inputs[pk]["in_progress"].append(values)
            for name in ("time", "expenses"):
                for pk, amount in rows(name):
                    inputs[pk]["ac"] += amount
            for pk, planned, finished in rows("iterations"):
                inputs[pk]["iterations"] = (planned, finished)
            for pk, committed, accepted in rows("velocity"):
                inputs[pk]["velocity"].append((committed, accepted))
            for pk, *values in rows("kpis"):
                inputs[pk]["kpis"].append(values)
            by_organization: dict[int, list[dict]] = defaultdict(list)
            for item in inputs.values():
                by_organization[item["organization"]].append(item)
            for organization_id, key, at_or_above in rows("stakeholders"):
                for item in by_organization[organization_id]:
                    item["stakeholders"] = (key, at_or_above)
            for organization_id, overdue in rows("communications"):
                for item in by_organization[organization_id]:
                    item["overdue"] = overdue
            for organization_id, score, count in rows("risks"):
                for item in by_organization[organization_id]:
                    item["scores"].extend([score] * count)
        return inputs

    def evm(self, item: dict[str, Any]) -> dict[str, Decimal | None]:
        """BAC, PV, EV, AC, CPI and SPI of one engagement, as the product defines them."""
        spread = Decimal(0)
        for budget, start, finish, *_ in item["in_progress"]:
            days = max((finish - start).days + 1, 1)
            elapsed = min(max((self.status_date - start).days + 1, 0), days)
            spread += budget * elapsed / days
        pv = item["deliverables"][7] + spread.quantize(MONEY, rounding=ROUND_HALF_UP)
        ev = (item["deliverables"][6] / 100).quantize(MONEY, rounding=ROUND_HALF_UP)
        ac = item["ac"]
        return {"bac": item["bac"], "pv": pv, "ev": ev, "ac": ac, "cpi": _ratio(ev, ac),
                "spi": _ratio(ev, pv)}

    def document(self, main: dict[str, Decimal | None], item: dict[str, Any]) -> dict:
        """A figures JSON with the product's keys, so the writes carry the same bytes.

        The baseline computes only the main figures and the counts; every other figure name
        gets one of those values (it runs no other formula, but writes as much).
        """
        known = {**main, **dict(zip(DELIVERABLE_COUNTS, item["deliverables"][:6], strict=True))}
        values = [None if value is None else str(value) for value in known.values()]
        figures: dict[str, Any] = {
            name: {"value": values[index % len(values)], "reason": ""}
            for index, name in enumerate(self.figure_names)
        }
        for name, value in known.items():
            figures[name] = {"value": None if value is None else str(value), "reason": ""}
        figures["kpis"] = [
            {"indicator": kpi[0], "name": kpi[1], "unit": kpi[2], "value": str(kpi[7]),
             "target": str(kpi[4]), "period_start": kpi[8].isoformat(),
             "period_end": kpi[9].isoformat(), "status": ""}
            for kpi in item["kpis"]
        ]
        figures["reasons"] = []
        return figures

    def __call__(self) -> int:
        """Read, derive the main figures, and upsert the current rows and the snapshots."""
        as_of: datetime = timezone.now()
        inputs = self.gather()
        current, snapshots = [], []
        for pk, item in inputs.items():
            main = self.evm(item)
            document = json.dumps(self.document(main, item))
            columns = (main["pv"], main["ev"], main["ac"], main["cpi"], main["spi"], "",
                       document)
            current.append((pk, self.status_date, as_of, main["bac"], *columns))
            snapshots.append((pk, self.status_date, as_of, *columns))
        with self.raw.cursor() as cursor:
            execute_values(cursor, self.write_current, current, page_size=len(current) or 1)
            execute_values(cursor, self.write_snapshot, snapshots,
                           page_size=len(snapshots) or 1)
        return len(inputs)


def product_evm(status_date: date = STATUS_DATE) -> dict[int, tuple]:
    """(bac, pv, ev, ac, cpi, spi) of every engagement as the product stored them."""
    return {row[0]: row[1:] for row in EngagementMetrics.objects.filter(
        status_date=status_date).values_list("engagement_id", "bac", "pv", "ev", "ac", "cpi",
                                             "spi")}


def compare(raw: RawRecompute) -> list[str]:
    """Engagements whose main figures differ between the product (stored) and the baseline."""
    stored = product_evm(raw.status_date)
    inputs = raw.gather()
    problems = []
    if set(stored) != set(inputs):
        problems.append(f"engagements differ: product {len(stored)}, raw {len(inputs)}")
    for pk, item in inputs.items():
        main = raw.evm(item)
        expected = tuple(main[name] for name in ("bac", "pv", "ev", "ac", "cpi", "spi"))
        if stored.get(pk) != expected:
            problems.append(f"engagement {pk}: product {stored.get(pk)} raw {expected}")
    return problems


class MetricsRecomputeCase(Case):
    name = "metrics_recompute"
    description = (
        "recompute_all() over the open engagements of the scale dataset (100k deliverables, "
        "500k time entries) vs the same aggregates in raw SQL + the same upserts"
    )
    baseline = "raw"
    dataset = "scale"
    default_rounds = 5
    default_warmup = 1

    def __init__(self, scale: Scale | None = None) -> None:
        self.scale = scale or Scale()
        self.build_seconds: dict[str, float] = {}
        self.query_count = 0
        self.expected = self.scale.engagements

    def setup(self) -> None:
        if self.built is not None:
            # The shared dataset: its open engagements (proposed to closing) are recomputed.
            self.build_seconds = dict(self.built.seconds)
            self.expected = open_engagements()
        else:
            print(f"building {self.scale.engagements:,} engagements...", flush=True)
            self.build_seconds = build(random.Random(SEED), self.scale)
            print(f"built in {self.build_seconds['total']:.1f} s", flush=True)
        self.raw_connection = open_raw_connection()
        self.baseline_run = RawRecompute(self.raw_connection)

    def recompute(self) -> int:
        return compute.recompute_all(status_date=STATUS_DATE)

    def variants(self) -> list[Variant]:
        return [
            Variant("raw", self.baseline_run, "one SQL query per input over all engagements "
                    "(psycopg2), PV/EV/AC/CPI/SPI in Python, two execute_values upserts"),
            Variant("recompute", self.recompute, "engagements.metrics.compute.recompute_all()"),
        ]

    def verify(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            recomputed = self.recompute()
        self.query_count = len(queries)
        if recomputed != self.expected:
            raise BenchError(f"recompute_all recomputed {recomputed}, "
                             f"expected {self.expected}")
        problems = compare(self.baseline_run)
        if problems:
            raise BenchError("product and baseline disagree: " + "; ".join(problems[:5]))
        if self.baseline_run() != recomputed:
            raise BenchError("the baseline did not write every engagement")

    def queries_per_request(self) -> dict[str, int]:
        # The baseline: one read per input over all engagements, then two upserts.
        return {"recompute": self.query_count, "raw": len(READS) + 2}

    def row_counts(self) -> dict[str, int]:
        return {model._meta.db_table: model.objects.count() for model in (
            Engagement, Iteration, Deliverable, TimeEntry, Expense, KpiMeasurement, Stakeholder,
            Risk, CommunicationPlan, EngagementMetrics, MetricsSnapshot)}

    def info(self) -> dict[str, Any]:
        return {
            "status_date": STATUS_DATE.isoformat(),
            "build_seconds": {name: round(value, 1) for name, value in
                              self.build_seconds.items()},
            "product_queries_per_run": self.query_count,
            "targets": {"median_s_below": TARGET_SECONDS, "ratio_at_most": TARGET_RATIO},
        }

    def checks(self, result: CaseResult) -> list[str]:
        median = result.stats["recompute"].median
        ratio = result.ratio("recompute")
        paired = result.paired_ratio("recompute")["median"]

        def verdict(ok: bool) -> str:
            return "met" if ok else "MISSED"

        return [
            f"product queries per run: {self.query_count}",
            f"target median < {TARGET_SECONDS:.0f} s: {median:.2f} s, "
            f"{verdict(median < TARGET_SECONDS)}",
            f"target ratio <= {TARGET_RATIO:.1f}: medians {ratio:.2f}, per-round {paired:.2f}, "
            f"{verdict(ratio <= TARGET_RATIO and paired <= TARGET_RATIO)}",
        ]

    def teardown(self) -> None:
        self.raw_connection.close()
