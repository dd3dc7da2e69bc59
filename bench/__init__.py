"""Micro-benchmarks of PMO Service, run with ``python -m bench`` (``make bench``).

Each case compares two or more variants of the same work, interleaved in one process on a
throw-away PostgreSQL database, and reports the ratio of their medians. See
docs/benchmarks.md.
"""
