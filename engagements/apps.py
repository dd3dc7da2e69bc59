from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"

    def ready(self) -> None:
        from stakeholders.signals import organization_inputs_changed

        from .metrics import hooks

        organization_inputs_changed.connect(
            hooks.organization_inputs_changed, dispatch_uid="engagements.metrics.hooks"
        )
