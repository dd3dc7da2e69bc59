"""Locust's figures: its CSV summary read into plain numbers, and the table printed."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any


def _number(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def read_stats(prefix: Path) -> dict[str, Any]:
    """Locust's CSV summary as ``{"requests": {name: figures}, "total": figures,
    "failures": [...]}``; times in milliseconds, throughput in requests per second."""
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        raise RuntimeError(f"locust wrote no statistics ({stats_file} is missing)")
    requests: dict[str, Any] = {}
    total: dict[str, Any] = {}
    with stats_file.open() as handle:
        for row in csv.DictReader(handle):
            figures = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "throughput_rps": round(float(row["Requests/s"]), 2),
                "mean_ms": round(float(row["Average Response Time"]), 1),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "max_ms": round(float(row["Max Response Time"]), 1),
            }
            if row["Name"] == "Aggregated":
                total = figures
            else:
                requests[f"{row['Type']} {row['Name']}"] = figures
    failures = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open() as handle:
            failures = [{"request": f"{row['Method']} {row['Name']}", "error": row["Error"],
                         "occurrences": int(row["Occurrences"])}
                        for row in csv.DictReader(handle)]
    return {"requests": requests, "total": total, "failures": failures}


def format_table(title: str, stats: dict[str, Any]) -> str:
    lines = [title, f"{'request':<52} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} "
             f"{'p95':>6} {'p99':>6} {'max':>7}"]

    def line(name: str, figures: dict[str, Any]) -> str:
        def ms(value: float | None) -> str:
            return "-" if value is None else f"{value:.0f}"
        return (f"{name:<52} {figures['requests']:>7} {figures['failures']:>5} "
                f"{figures['throughput_rps']:>7.1f} {ms(figures['p50_ms']):>6} "
                f"{ms(figures['p95_ms']):>6} {ms(figures['p99_ms']):>6} "
                f"{figures['max_ms']:>7.0f}")

    for name, figures in sorted(stats["requests"].items()):
        lines.append(line(name, figures))
    if stats["total"]:
        lines.append(line("all requests", stats["total"]))
    for failure in stats["failures"][:10]:
        lines.append(f"  FAILED {failure['occurrences']}x {failure['request']}: "
                     f"{failure['error'][:120]}")
    return "\n".join(lines)
