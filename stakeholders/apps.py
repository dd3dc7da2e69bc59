from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    """Organizations, people and memberships: the tenancy base every other app builds on."""

    name = "stakeholders"
    verbose_name = "Organizations and people"
