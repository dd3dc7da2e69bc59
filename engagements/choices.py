"""Choices of the engagements app: the bench, culture, engagements and matching."""

from django.db import models

from catalog.choices import Seniority

__all__ = [
    "CULTURE_TYPES",
    "ENGAGEMENT_TRANSITIONS",
    "OPEN_ENGAGEMENT_STATUSES",
    "SENIORITY_RANK",
    "CultureQuestion",
    "CultureSource",
    "EngagementStatus",
    "Language",
    "MatchFactor",
    "NeedStatus",
    "ProposalStatus",
    "RemoteMode",
    "Seniority",
]

# The four Competing Values types (Cameron & Quinn), in the OCAI's order.
CULTURE_TYPES = ("clan", "adhocracy", "market", "hierarchy")

# Seniority as an ordinal, for the seniority-fit factor.
SENIORITY_RANK = {
    Seniority.JUNIOR: 0, Seniority.MID: 1, Seniority.SENIOR: 2, Seniority.PRINCIPAL: 3,
}


class RemoteMode(models.TextChoices):
    ON_SITE = "on_site", "On site"
    HYBRID = "hybrid", "Hybrid"
    REMOTE = "remote", "Remote"


class Language(models.TextChoices):
    """Working languages (ISO 639-1), the hard filter of matching."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"
    CATALAN = "ca", "Catalan"
    BASQUE = "eu", "Basque"
    GALICIAN = "gl", "Galician"
    PORTUGUESE = "pt", "Portuguese"
    FRENCH = "fr", "French"
    GERMAN = "de", "German"
    ITALIAN = "it", "Italian"
    DUTCH = "nl", "Dutch"
    POLISH = "pl", "Polish"


class CultureSource(models.TextChoices):
    DIRECT = "direct", "Entered directly"
    QUESTIONNAIRE = "questionnaire", "OCAI questionnaire"


class CultureQuestion(models.IntegerChoices):
    """The six OCAI dimensions; each splits 100 points over the four culture types."""

    DOMINANT_CHARACTERISTICS = 1, "Dominant characteristics"
    LEADERSHIP = 2, "Organizational leadership"
    MANAGEMENT_OF_EMPLOYEES = 3, "Management of employees"
    ORGANIZATIONAL_GLUE = 4, "Organizational glue"
    STRATEGIC_EMPHASES = 5, "Strategic emphases"
    CRITERIA_OF_SUCCESS = 6, "Criteria of success"


class EngagementStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    STAFFING = "staffing", "Staffing"
    ACTIVE = "active", "Active"
    CLOSING = "closing", "Closing"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


# Allowed moves; closed and cancelled are final.
ENGAGEMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    EngagementStatus.PROPOSED: (EngagementStatus.STAFFING, EngagementStatus.CANCELLED),
    EngagementStatus.STAFFING: (EngagementStatus.ACTIVE, EngagementStatus.CANCELLED),
    EngagementStatus.ACTIVE: (EngagementStatus.CLOSING, EngagementStatus.CANCELLED),
    EngagementStatus.CLOSING: (EngagementStatus.CLOSED, EngagementStatus.CANCELLED),
    EngagementStatus.CLOSED: (),
    EngagementStatus.CANCELLED: (),
}
OPEN_ENGAGEMENT_STATUSES = tuple(s for s, targets in ENGAGEMENT_TRANSITIONS.items() if targets)


class NeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    FILLED = "filled", "Filled"
    CANCELLED = "cancelled", "Cancelled"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPLIED = "applied", "Applied"
    PARTIALLY_APPLIED = "partially_applied", "Partially applied"
    DISCARDED = "discarded", "Discarded"


class MatchFactor(models.TextChoices):
    """The explainable factors of a match score, each in [0, 1] (see docs/matching.md)."""

    SKILLS = "skills", "Skills coverage"
    SENIORITY = "seniority", "Seniority fit"
    SECTOR = "sector", "Sector experience"
    CULTURE = "culture", "Culture fit"
    AVAILABILITY = "availability", "Availability in the window"
    TRACK_RECORD = "track_record", "Track record with similar clients"
    COST = "cost", "Cost against budget"


class IterationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    FINISHED = "finished", "Finished"


class DeliverableKind(models.TextChoices):
    DOCUMENT = "document", "Documentary deliverable"
    SERVICE_LAUNCH = "service_launch", "Launch of a catalog service"
    OTHER = "other", "Other"


class DeliverableStatus(models.TextChoices):
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    ACCEPTED = "accepted", "Accepted"


class ExpenseCategory(models.TextChoices):
    TRAVEL = "travel", "Travel"
    LICENCES = "licences", "Licences and subscriptions"
    TRAINING = "training", "Training"
    SUBCONTRACTING = "subcontracting", "Subcontracting"
    OTHER = "other", "Other"


class Health(models.TextChoices):
    """Overall health of an engagement from its metrics (see docs/metrics.md)."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
