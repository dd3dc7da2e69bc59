"""Enumerations of the service catalog. Order matters where it is a scale or a sequence."""

from django.db import models


class Typology(models.TextChoices):
    """PMI PMO typologies: how much control the PMO exercises over projects."""

    SUPPORTIVE = "supportive", "Supportive"
    CONTROLLING = "controlling", "Controlling"
    DIRECTIVE = "directive", "Directive"


class ServiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class PricingBasis(models.TextChoices):
    FIXED_PRICE = "fixed_price", "Fixed price"
    MONTHLY_RETAINER = "monthly_retainer", "Monthly retainer"
    TIME_AND_MATERIALS = "time_and_materials", "Time and materials (day rate)"
    PER_DELIVERABLE = "per_deliverable", "Per deliverable"


# What a tier's price is quoted per, by pricing basis (shown next to tier prices).
PRICE_UNIT = {
    PricingBasis.FIXED_PRICE: "total",
    PricingBasis.MONTHLY_RETAINER: "per month",
    PricingBasis.TIME_AND_MATERIALS: "per consultant day",
    PricingBasis.PER_DELIVERABLE: "per deliverable",
}


class TierLevel(models.TextChoices):
    """Service levels, from the leanest to the most comprehensive (this order is shown)."""

    ESSENTIAL = "essential", "Essential"
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"


class CriterionKind(models.TextChoices):
    """When a criterion applies in the life of the service (this order is shown)."""

    ENTRY = "entry", "Entry"
    ACCEPTANCE = "acceptance", "Acceptance"
    EXIT = "exit", "Exit"


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    PER_ITERATION = "per_iteration", "Per iteration"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    PER_RELEASE = "per_release", "Per release"
    ANNUALLY = "annually", "Annually"


class Rating(models.TextChoices):
    """Traffic-light rating of an indicator value against its thresholds."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class Seniority(models.TextChoices):
    """Seniority of a delivery role's profile (and, later, of consultants)."""

    JUNIOR = "junior", "Junior"
    MID = "mid", "Mid-level"
    SENIOR = "senior", "Senior"
    PRINCIPAL = "principal", "Principal"


class SkillCategory(models.TextChoices):
    METHODOLOGY = "methodology", "Methods and frameworks"
    GOVERNANCE = "governance", "Governance and control"
    ANALYTICS = "analytics", "Data and reporting"
    TECHNOLOGY = "technology", "Technology"
    DOMAIN = "domain", "Sector and domain"
    INTERPERSONAL = "interpersonal", "Leadership and interpersonal"


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


# Requests still waiting for a decision; a client may have one of these per service.
OPEN_REQUEST_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW)

# The request workflow: which status may follow which (staff make every move).
REQUEST_TRANSITIONS = {
    RequestStatus.SUBMITTED: (RequestStatus.IN_REVIEW, RequestStatus.DECLINED),
    RequestStatus.IN_REVIEW: (RequestStatus.ACCEPTED, RequestStatus.DECLINED),
    RequestStatus.ACCEPTED: (),
    RequestStatus.DECLINED: (),
}

SKILL_LEVELS = range(1, 6)  # proficiency 1 (awareness) .. 5 (expert)
