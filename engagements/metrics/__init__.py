"""Engagement metrics: pure formulas (EVM, AgileEVM, delivery, health) and their computation.

``formulas`` holds the arithmetic with no database access; ``compute`` reads an engagement's
inputs, calls the formulas and stores the results (see docs/metrics.md).
"""
