"""A small benchmark harness: cases, interleaved variants, robust statistics, reports.

A :class:`Case` builds its data once (``setup``), checks once that its variants produce the
same result (``verify``) and then exposes named zero-argument callables (``variants``). The
runner calls every variant once per round, rotating the order each round (AB, BA, AB, ...)
so that slow drifts of a shared, noisy machine hit all variants alike, and records the wall
time of every call with :func:`time.perf_counter`.

Absolute times are only comparable inside one run; the number to read is the ratio of each
variant's median to the baseline's median.

Nothing here depends on Django; the cases do.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


class BenchError(Exception):
    """A case could not be set up, or a variant produced a wrong result."""


@dataclass
class Variant:
    """One way of doing the case's work: ``func`` is called with no arguments per sample."""

    name: str
    func: Callable[[], Any]
    description: str = ""


class Case:
    """Base class of a benchmark case. Subclasses set the class attributes and override
    ``setup`` and ``variants``; ``verify``, ``row_counts``, ``info`` and ``teardown`` are
    optional."""

    name: str = ""
    description: str = ""
    baseline: str = ""
    # "scale": the case reads the shared dataset (bench.dataset), built once per run and
    # handed over as ``self.built`` before ``setup``; "" : it builds its own data on an
    # emptied database.
    dataset: str = ""
    built: Any = None
    # Rounds for this case when the command line names none (slow cases run fewer).
    default_rounds: int | None = None
    default_warmup: int | None = None

    def setup(self) -> None:
        """Build the data and any connections the variants need."""

    def variants(self) -> list[Variant]:
        raise NotImplementedError

    def verify(self) -> None:
        """Check once, before timing, that the variants do equivalent work. Raise BenchError."""

    def row_counts(self) -> dict[str, int]:
        """Rows created by ``setup``, by table, for the report."""
        return {}

    def info(self) -> dict[str, Any]:
        """Anything else worth keeping with the results (query counts, payload sizes...)."""
        return {}

    def queries_per_request(self) -> dict[str, int]:
        """Queries each variant runs per call (as measured in ``verify``), for the summary."""
        return {}

    def checks(self, result: CaseResult) -> list[str]:
        """Lines printed under the results table: targets met or missed, and the like."""
        return []

    def teardown(self) -> None:
        """Release connections opened by ``setup``."""


@dataclass
class Stats:
    calls: int
    median: float
    p95: float
    mean: float
    minimum: float
    maximum: float
    stdev: float

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        if not samples:
            raise BenchError("no samples")
        return cls(
            calls=len(samples),
            median=statistics.median(samples),
            p95=percentile(samples, 95),
            mean=statistics.fmean(samples),
            minimum=min(samples),
            maximum=max(samples),
            stdev=statistics.stdev(samples) if len(samples) > 1 else 0.0,
        )

    def as_ms(self) -> dict[str, float | int]:
        def ms(seconds: float) -> float:
            return round(seconds * 1000, 4)

        return {
            "calls": self.calls,
            "median_ms": ms(self.median),
            "p95_ms": ms(self.p95),
            "mean_ms": ms(self.mean),
            "min_ms": ms(self.minimum),
            "max_ms": ms(self.maximum),
            "stdev_ms": ms(self.stdev),
        }


def percentile(samples: Iterable[float], pct: float) -> float:
    """Linear-interpolation percentile (the same as numpy's default)."""
    ordered = sorted(samples)
    if not ordered:
        raise BenchError("no samples")
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * pct / 100
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass
class CaseResult:
    case: Case
    variants: list[Variant]
    rounds: int
    warmup: int
    samples: dict[str, list[float]]
    started_at: datetime
    finished_at: datetime
    stats: dict[str, Stats] = field(init=False)

    def __post_init__(self) -> None:
        self.stats = {name: Stats.of(values) for name, values in self.samples.items()}

    @property
    def baseline(self) -> str:
        return self.case.baseline

    def ratio(self, name: str) -> float:
        """Median of ``name`` divided by the baseline's median."""
        return self.stats[name].median / self.stats[self.baseline].median

    def paired_ratio(self, name: str) -> dict[str, float]:
        """Quartiles of the per-round ratios (each round runs both variants back to back)."""
        ratios = [
            value / base
            for value, base in zip(self.samples[name], self.samples[self.baseline], strict=True)
        ]
        return {
            "p25": round(percentile(ratios, 25), 3),
            "median": round(statistics.median(ratios), 3),
            "p75": round(percentile(ratios, 75), 3),
        }


def run_case(case: Case, *, rounds: int, warmup: int) -> CaseResult:
    """Run the variants of an already set-up case interleaved, ``warmup`` untimed rounds first."""
    variants = case.variants()
    names = [variant.name for variant in variants]
    if len(set(names)) != len(names) or len(variants) < 2:
        raise BenchError(f"{case.name}: needs two or more distinctly named variants")
    if case.baseline not in names:
        raise BenchError(f"{case.name}: baseline {case.baseline!r} is not one of {names}")
    if rounds < 1 or warmup < 0:
        raise BenchError("rounds must be at least 1 and warmup at least 0")

    for _ in range(warmup):
        for variant in variants:
            variant.func()

    samples: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    started_at = datetime.now(UTC)
    gc.collect()
    for round_index in range(rounds):
        # Rotate the order so no variant always runs first (AB, BA, AB... for two variants).
        shift = round_index % len(variants)
        ordered = variants[shift:] + variants[:shift]
        for variant in ordered:
            func = variant.func
            start = clock()
            func()
            samples[variant.name].append(clock() - start)
    finished_at = datetime.now(UTC)
    return CaseResult(case, variants, rounds, warmup, samples, started_at, finished_at)


# --- Reporting --------------------------------------------------------------------------------


def format_table(result: CaseResult) -> str:
    case = result.case
    header = f"case {case.name}: {case.description}"
    lines = [
        header,
        f"rounds {result.rounds} (+{result.warmup} warmup), interleaved; "
        f"ratio = median / median of baseline '{result.baseline}'",
        "",
    ]
    columns = ["variant", "calls", "median ms", "p95 ms", "mean ms", "ratio"]
    rows = []
    for name, stats in result.stats.items():
        label = f"{name} (baseline)" if name == result.baseline else name
        rows.append(
            [
                label,
                str(stats.calls),
                f"{stats.median * 1000:.3f}",
                f"{stats.p95 * 1000:.3f}",
                f"{stats.mean * 1000:.3f}",
                f"{result.ratio(name):.2f}",
            ]
        )
    widths = [max(len(row[i]) for row in [columns, *rows]) for i in range(len(columns))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    lines.append(line(columns))
    lines.append("  ".join("-" * width for width in widths))
    lines.extend(line(row) for row in rows)
    for name in result.stats:
        if name != result.baseline:
            paired = result.paired_ratio(name)
            lines.append(
                f"per-round {name}/{result.baseline}: median {paired['median']:.2f} "
                f"(p25 {paired['p25']:.2f}, p75 {paired['p75']:.2f})"
            )
    lines.extend(case.checks(result))
    return "\n".join(lines)


def format_summary(results: list[CaseResult]) -> str:
    """One line per variant of every case run: median, ratio to the baseline, queries."""
    columns = ["case", "variant", "median ms", "ratio", "throughput", "queries"]
    rows = []
    for result in results:
        queries = result.case.queries_per_request()
        for name, stats in result.stats.items():
            ratio = result.ratio(name)
            rows.append([
                result.case.name, f"{name} (baseline)" if name == result.baseline else name,
                f"{stats.median * 1000:.2f}", f"{ratio:.2f}", f"{1 / ratio:.2f}",
                str(queries[name]) if name in queries else "-",
            ])
    widths = [max(len(row[i]) for row in [columns, *rows]) for i in range(len(columns))]
    lines = ["  ".join(cell.ljust(width) if i < 2 else cell.rjust(width)
                       for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
             for row in [columns, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for text in cpuinfo:
                if text.startswith("model name"):
                    return text.split(":", 1)[1].strip()
    except OSError:
        return None
    return platform.processor() or None


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for text in meminfo:
                if text.startswith("MemTotal:"):
                    return round(int(text.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        return None
    return None


def machine_info() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": _memory_gib(),
    }


def describe_run(software: dict[str, Any]) -> str:
    """The machine and the versions, in one line for the head of the printed tables."""
    machine = machine_info()
    return (
        f"machine: {machine['cpu'] or machine['machine']}, {machine['usable_cpus']} usable of "
        f"{machine['cpu_count']} CPUs, {machine['memory_gib']} GiB RAM, {machine['platform']}\n"
        f"versions: Python {software.get('python')}, Django {software.get('django')}, "
        f"DRF {software.get('djangorestframework')}, psycopg2 {software.get('psycopg2-binary')}, "
        f"PostgreSQL {software.get('postgresql')}"
    )


def software_info(extra: Iterable[str] = ()) -> dict[str, str | None]:
    versions: dict[str, str | None] = {
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
    }
    for distribution in extra:
        versions[distribution.lower()] = _version(distribution)
    return versions


def result_document(
    result: CaseResult, *, software: dict[str, Any], environment: dict[str, Any]
) -> dict[str, Any]:
    case = result.case
    return {
        "case": case.name,
        "description": case.description,
        "date": result.started_at.isoformat(timespec="seconds"),
        "duration_s": round((result.finished_at - result.started_at).total_seconds(), 3),
        "machine": machine_info(),
        "software": software,
        "environment": environment,
        "rounds": result.rounds,
        "warmup": result.warmup,
        "order": "interleaved, rotated each round",
        "baseline": result.baseline,
        "variants": [
            {"name": variant.name, "description": variant.description}
            for variant in result.variants
        ],
        "stats": {name: stats.as_ms() for name, stats in result.stats.items()},
        "ratio": {name: round(result.ratio(name), 4) for name in result.stats},
        "paired_ratio": {
            name: result.paired_ratio(name) for name in result.stats if name != result.baseline
        },
        "row_counts": case.row_counts(),
        "queries_per_request": case.queries_per_request(),
        "info": case.info(),
        "samples_ms": {
            name: [round(value * 1000, 4) for value in values]
            for name, values in result.samples.items()
        },
    }


def write_json(document: dict[str, Any], directory: Path = RESULTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{document['case']}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
