from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The client's applications portfolio: applications, dependencies, objectives, demand."""

    name = "portfolio"
    verbose_name = "Applications portfolio"

    def ready(self) -> None:
        from django.core import checks

        from .classification import check_thresholds

        checks.register(check_thresholds)
