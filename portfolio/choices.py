"""Enumerations of the applications portfolio."""

from django.db import models


class Lifecycle(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    IN_DEVELOPMENT = "in_development", "In development"
    IN_PRODUCTION = "in_production", "In production"
    SUNSETTING = "sunsetting", "Sunsetting"
    RETIRED = "retired", "Retired"


# New work on these deserves a warning: they are on their way out.
ENDING_LIFECYCLES = (Lifecycle.SUNSETTING, Lifecycle.RETIRED)


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    MISSION_CRITICAL = "mission_critical", "Mission critical"


class Fit(models.IntegerChoices):
    """The 4-level scale of functional and technical fit (LeanIX convention)."""

    UNREASONABLE = 1, "1 · Unreasonable"
    INSUFFICIENT = 2, "2 · Insufficient"
    APPROPRIATE = 3, "3 · Appropriate"
    PERFECT = 4, "4 · Perfect"


class TimeClass(models.TextChoices):
    """Gartner TIME: what to do with an application."""

    TOLERATE = "tolerate", "Tolerate"
    INVEST = "invest", "Invest"
    MIGRATE = "migrate", "Migrate"
    ELIMINATE = "eliminate", "Eliminate"


# Demand on these deserves a warning: the portfolio plans to keep them as they are or drop them.
DISCOURAGED_TIME_CLASSES = (TimeClass.TOLERATE, TimeClass.ELIMINATE)


class Hosting(models.TextChoices):
    ON_PREMISES = "on_premises", "On premises"
    PRIVATE_CLOUD = "private_cloud", "Private cloud"
    PUBLIC_CLOUD = "public_cloud", "Public cloud (IaaS/PaaS)"
    SAAS = "saas", "Software as a service"
    HYBRID = "hybrid", "Hybrid"


class DependencyKind(models.TextChoices):
    DATA_FLOW = "data_flow", "Data flow"
    API = "api", "API call"
    BATCH = "batch", "Batch or file transfer"
    SHARED_DATABASE = "shared_database", "Shared database"
    MESSAGING = "messaging", "Messaging or events"
    AUTHENTICATION = "authentication", "Authentication (SSO)"
    OTHER = "other", "Other"


class ObjectiveStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class DemandType(models.TextChoices):
    NEW_SYSTEM = "new_system", "New system"
    EVOLUTION = "evolution", "Evolution"
    REGULATORY = "regulatory", "Regulatory"
    CORRECTIVE = "corrective", "Corrective"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    DECOMMISSIONING = "decommissioning", "Decommissioning"


class DemandStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ASSESSED = "assessed", "Assessed"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The demand workflow: which status may follow which. Delivered, rejected and withdrawn end it.
DEMAND_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DemandStatus.SUBMITTED: (DemandStatus.ASSESSED, DemandStatus.REJECTED,
                             DemandStatus.WITHDRAWN),
    DemandStatus.ASSESSED: (DemandStatus.APPROVED, DemandStatus.REJECTED,
                            DemandStatus.WITHDRAWN),
    DemandStatus.APPROVED: (DemandStatus.SCHEDULED, DemandStatus.REJECTED,
                            DemandStatus.WITHDRAWN),
    DemandStatus.SCHEDULED: (DemandStatus.IN_PROGRESS, DemandStatus.WITHDRAWN),
    DemandStatus.IN_PROGRESS: (DemandStatus.DELIVERED, DemandStatus.WITHDRAWN),
    DemandStatus.DELIVERED: (),
    DemandStatus.REJECTED: (),
    DemandStatus.WITHDRAWN: (),
}
OPEN_DEMAND_STATUSES = tuple(s for s, targets in DEMAND_TRANSITIONS.items() if targets)
# Client users may only withdraw their organization's demands; PMO staff decide the rest.
CLIENT_DEMAND_TARGETS = (DemandStatus.WITHDRAWN,)


class RelativeSize(models.IntegerChoices):
    """SAFe's modified Fibonacci scale for relative estimates (value, urgency, size)."""

    ONE = 1, "1"
    TWO = 2, "2"
    THREE = 3, "3"
    FIVE = 5, "5"
    EIGHT = 8, "8"
    THIRTEEN = 13, "13"
    TWENTY = 20, "20"
