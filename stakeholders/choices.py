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
