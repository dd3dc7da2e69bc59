"""The load test's own logic, without serving anything: how it reads its options and
locust's figures, which is what its report and its exit status rest on.

The end-to-end run (``python -m bench.load --quick``) is not part of the suite: migrating a
fresh database and collecting the production static files alone take longer than a test
may, so it runs on demand (``make loadtest``) and in the documented measurement.
"""

import csv

import pytest

from bench.load.figures import format_table, read_stats
from bench.load.run import Config, parse_args, parse_config

HEADER = ["Type", "Name", "Request Count", "Failure Count", "Median Response Time",
          "Average Response Time", "Min Response Time", "Max Response Time",
          "Average Content Size", "Requests/s", "Failures/s", "50%", "66%", "75%", "80%",
          "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"]


def _row(kind, name, count, failures, p50, p95, p99, rps):
    return [kind, name, count, failures, p50, p50 + 1, 1, p99 + 5, 900, rps, 0, p50, p50, p50,
            p50, p95, p95, p99, p99, p99, p99, p99 + 5]


@pytest.fixture
def locust_csv(tmp_path):
    prefix = tmp_path / "measured"
    with open(f"{prefix}_stats.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow(_row("GET", "/catalog/", 120, 0, 40, 90, 130, 1.0))
        writer.writerow(_row("POST", "/api/v1/time-entries/bulk/", 30, 2, 60, 150, 240, 0.25))
        writer.writerow(_row("", "Aggregated", 150, 2, 45, 110, 230, 1.25))
    with open(f"{prefix}_failures.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Method", "Name", "Error", "Occurrences"])
        writer.writerow(["POST", "/api/v1/time-entries/bulk/", "HTTP 409 (expected 201)", 2])
    return prefix


def test_stats_are_read_per_request_type_and_overall(locust_csv):
    stats = read_stats(locust_csv)

    assert set(stats["requests"]) == {"GET /catalog/", "POST /api/v1/time-entries/bulk/"}
    assert stats["requests"]["POST /api/v1/time-entries/bulk/"]["failures"] == 2
    total = stats["total"]
    assert (total["requests"], total["failures"], total["throughput_rps"]) == (150, 2, 1.25)
    assert (total["p50_ms"], total["p95_ms"], total["p99_ms"]) == (45, 110, 230)
    assert stats["failures"] == [{"request": "POST /api/v1/time-entries/bulk/",
                                  "error": "HTTP 409 (expected 201)", "occurrences": 2}]
    table = format_table("measured:", stats)
    assert "all requests" in table
    assert "FAILED 2x POST /api/v1/time-entries/bulk/: HTTP 409" in table


def test_missing_statistics_are_an_error_not_an_empty_result(tmp_path):
    with pytest.raises(RuntimeError, match="no statistics"):
        read_stats(tmp_path / "never-written")


def test_gunicorn_shapes_parse_and_pick_their_worker_class():
    assert parse_config("5") == Config(5, 1)
    assert parse_config("2x4").worker_class == "gthread"
    assert str(parse_config("5x1")) == "sync 5x1"
    with pytest.raises(Exception, match="WORKERSxTHREADS"):
        parse_config("two")


def test_quick_is_short_and_small_and_bad_sizes_are_refused(capsys):
    quick = parse_args(["--quick"])
    assert (quick.duration, quick.saturation_seconds, quick.workers) == (10, 10, 1)
    full = parse_args([])
    assert (full.duration, full.workers, full.threads) == (120, 4, 1)
    with pytest.raises(SystemExit):
        parse_args(["--workers", "0"])
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_past_time_leaves_room_under_the_daily_cap_for_the_pushes():
    """A consultant sampled into several teams gets at most 8 h a day before the test (two
    runs failed on the product's 24-hour rule when the seeded days already held 24 h)."""
    import random
    from collections import Counter
    from datetime import date, timedelta
    from types import SimpleNamespace

    from bench.load.data import PAST_ENTRIES_PER_ASSIGNMENT, PAST_HOURS_PER_DAY, past_entries

    today = date(2026, 12, 1)
    # Three consultants, each on four engagements over the same 100 days: 80 entries each,
    # so without the cap some of their days would hold two or three entries.
    assignments = [
        SimpleNamespace(consultant_id=consultant, engagement_id=engagement,
                        start_on=today - timedelta(days=100))
        for consultant in (1, 2, 3) for engagement in (10, 11, 12, 13)
    ]
    rows = list(past_entries(assignments, today, random.Random(7)))

    per_assignment = Counter((a.consultant_id, a.engagement_id) for a, _, _ in rows)
    assert set(per_assignment.values()) == {PAST_ENTRIES_PER_ASSIGNMENT}
    per_day = Counter()
    for assignment, day, hours in rows:
        assert assignment.start_on <= day < today
        per_day[assignment.consultant_id, day] += hours
    assert max(per_day.values()) <= PAST_HOURS_PER_DAY
    assert len({(a.consultant_id, a.engagement_id, day) for a, day, _ in rows}) == len(rows)


def test_past_time_that_cannot_fit_under_the_cap_is_an_error():
    import random
    from datetime import date, timedelta
    from types import SimpleNamespace

    from bench.load.data import past_entries

    today = date(2026, 12, 1)
    crowded = [SimpleNamespace(consultant_id=1, engagement_id=engagement,
                               start_on=today - timedelta(days=20)) for engagement in range(8)]
    with pytest.raises(ValueError, match="no room"):
        list(past_entries(crowded, today, random.Random(1)))


def test_the_generator_priority_is_applied_or_reported_as_not_applied():
    import subprocess
    import sys

    from bench.load.run import prioritise

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        # Lowering a priority is always allowed, so this checks the call itself.
        assert prioritise(child.pid, 5) == 5
        assert prioritise(child.pid, 0) == 0  # 0: left alone
    finally:
        child.kill()
        child.wait()
    assert prioritise(child.pid, 3) is None  # gone: reported, not raised
    assert parse_args(["--generator-nice", "0"]).generator_nice == 0
    assert parse_args([]).generator_nice == -10
