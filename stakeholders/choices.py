"""Enumerations of the stakeholders app."""

from django.db import models


class OrganizationKind(models.TextChoices):
    PROVIDER = "provider", "PMO provider"
    CLIENT = "client", "Client"


class Sector(models.TextChoices):
    GOVERNMENT = "government", "Central government"
    REGIONAL = "regional", "Regional government"
    LOCAL = "local", "Local government"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education and research"
    JUSTICE = "justice", "Justice and security"
    FINANCE = "finance", "Finance and insurance"
    UTILITIES = "utilities", "Energy and utilities"
    TRANSPORT = "transport", "Transport and logistics"
    INDUSTRY = "industry", "Industry"
    SERVICES = "services", "Professional services"
    OTHER = "other", "Other"


class MembershipRole(models.TextChoices):
    """What a client user may do inside their organization's space."""

    SPONSOR = "sponsor", "Sponsor"
    MEMBER = "member", "Member"
    READ_ONLY = "read_only", "Read-only"


# --- Stakeholder register ---


class Relationship(models.TextChoices):
    """How a stakeholder relates to the work the PMO runs for their organization."""

    SPONSOR = "sponsor", "Sponsor"
    PRODUCT_OWNER = "product_owner", "Product owner"
    DECISION_MAKER = "decision_maker", "Decision maker"
    KEY_USER = "key_user", "Key user"
    END_USER = "end_user", "End user"
    TEAM_MEMBER = "team_member", "Team member"
    SUPPLIER = "supplier", "Supplier"
    REGULATOR = "regulator", "Regulator or auditor"
    INFLUENCER = "influencer", "Influencer"
    OTHER = "other", "Other"


class Quadrant(models.TextChoices):
    """Mendelow's power/interest grid: how closely to manage a stakeholder."""

    MANAGE_CLOSELY = "manage_closely", "Manage closely"
    KEEP_SATISFIED = "keep_satisfied", "Keep satisfied"
    KEEP_INFORMED = "keep_informed", "Keep informed"
    MONITOR = "monitor", "Monitor"


class EngagementLevel(models.TextChoices):
    """PMBOK's stakeholder engagement levels, in their order (see ENGAGEMENT_ORDER)."""

    UNAWARE = "unaware", "Unaware"
    RESISTANT = "resistant", "Resistant"
    NEUTRAL = "neutral", "Neutral"
    SUPPORTIVE = "supportive", "Supportive"
    LEADING = "leading", "Leading"


# Ordinal of each level (Unaware < Resistant < Neutral < Supportive < Leading); gap = D - C.
ENGAGEMENT_ORDER = {level: position for position, level in enumerate(EngagementLevel.values, 1)}


# --- Communication ---


class Channel(models.TextChoices):
    MEETING = "meeting", "Meeting"
    STEERING_COMMITTEE = "steering_committee", "Steering committee"
    WORKSHOP = "workshop", "Workshop"
    VIDEO_CALL = "video_call", "Video call"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "E-mail"
    REPORT = "report", "Status report"
    NEWSLETTER = "newsletter", "Newsletter"
    INTRANET = "intranet", "Intranet or portal"
    OTHER = "other", "Other"


class CommunicationFrequency(models.TextChoices):
    """How often a planned communication recurs; ``ad_hoc`` ones have no due date."""

    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SEMIANNUAL = "semiannual", "Every six months"
    AD_HOC = "ad_hoc", "As needed"


# Interval of each recurring frequency: (days, months); exactly one of them is non-zero.
FREQUENCY_INTERVAL = {
    CommunicationFrequency.WEEKLY: (7, 0),
    CommunicationFrequency.FORTNIGHTLY: (14, 0),
    CommunicationFrequency.MONTHLY: (0, 1),
    CommunicationFrequency.QUARTERLY: (0, 3),
    CommunicationFrequency.SEMIANNUAL: (0, 6),
}


# --- Risks ---


class RiskKind(models.TextChoices):
    THREAT = "threat", "Threat"
    OPPORTUNITY = "opportunity", "Opportunity"


class RiskCategory(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    OPERATIONAL = "operational", "Operational"
    TECHNICAL = "technical", "Technical"
    FINANCIAL = "financial", "Financial"
    SCHEDULE = "schedule", "Schedule"
    RESOURCES = "resources", "Resources and skills"
    COMPLIANCE = "compliance", "Legal and compliance"
    SECURITY = "security", "Security and privacy"
    STAKEHOLDER = "stakeholder", "Stakeholders and organization"
    EXTERNAL = "external", "External"


class ResponseStrategy(models.TextChoices):
    """PMBOK risk response strategies; which apply depends on the risk's kind."""

    AVOID = "avoid", "Avoid"
    MITIGATE = "mitigate", "Mitigate"
    TRANSFER = "transfer", "Transfer"
    EXPLOIT = "exploit", "Exploit"
    ENHANCE = "enhance", "Enhance"
    SHARE = "share", "Share"
    ACCEPT = "accept", "Accept"
    ESCALATE = "escalate", "Escalate"


# PMBOK 6: escalate and accept apply to both kinds; the others are specific to one.
THREAT_RESPONSES = (
    ResponseStrategy.AVOID, ResponseStrategy.MITIGATE, ResponseStrategy.TRANSFER,
    ResponseStrategy.ACCEPT, ResponseStrategy.ESCALATE,
)
OPPORTUNITY_RESPONSES = (
    ResponseStrategy.EXPLOIT, ResponseStrategy.ENHANCE, ResponseStrategy.SHARE,
    ResponseStrategy.ACCEPT, ResponseStrategy.ESCALATE,
)


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MONITORING = "monitoring", "Monitoring"
    OCCURRED = "occurred", "Occurred"
    CLOSED = "closed", "Closed"


ACTIVE_RISK_STATUSES = (RiskStatus.OPEN, RiskStatus.MONITORING)


class RiskRating(models.TextChoices):
    """Rating of a risk score (probability x impact); boundaries in PMO_THRESHOLDS."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"
