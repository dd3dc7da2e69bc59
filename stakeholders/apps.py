from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    """Organizations, people and memberships: the tenancy base every other app builds on."""

    name = "stakeholders"
    verbose_name = "Organizations and people"

    def ready(self) -> None:
        from django.core import checks

        from . import sessions
        from .classification import check_thresholds

        checks.register(check_thresholds)
        sessions.connect()
