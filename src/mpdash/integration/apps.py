from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "mpdash.integration"
    label = "integration"
    verbose_name = "Integration: flows, runs, batches, penalties"

    def ready(self) -> None:
        from . import signals  # noqa: F401
