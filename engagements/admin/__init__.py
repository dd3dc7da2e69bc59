"""Staff interface of the engagements app: the bench (consultants, day rates, the bench page),
client culture, engagements with their needs and team, the matching screen of a need, the
matching weights, global staffing proposals and outcomes; agile delivery (iterations,
deliverables, time, expenses, KPI measurements), the computed metrics (read-only) and the
portfolio dashboard of every engagement with its health.

Every write goes through ``engagements.services``, so the admin keeps the rules of the API:
capacity is checked under lock for each team row, workflow moves are the list's actions
(cancelling asks for the reason), and refusals come back on the page, never as errors.
History (rates, transitions, outcomes, assessments) is read-only; nothing is deleted.
"""

from . import bench, culture, dashboard, delivery, engagements, matching, outcomes, staffing

__all__ = [
    "bench", "culture", "dashboard", "delivery", "engagements", "matching", "outcomes", "staffing",
]
