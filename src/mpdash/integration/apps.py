from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "mpdash.integration"
    label = "integration"
    verbose_name = "Integration: flows, runs, batches, penalties"

    def ready(self) -> None:
        import mpdash.celery  # noqa: F401  (every process that queues tasks uses mpdash's Celery app)

        from . import flush, signals  # noqa: F401

        flush.install()  # SQLite flush with the change-tracking triggers (see flush.py)
