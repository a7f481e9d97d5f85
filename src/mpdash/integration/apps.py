from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "mpdash.integration"
    label = "integration"
    verbose_name = "Integration: flows, runs, batches, penalties"

    def ready(self) -> None:
        import mpdash.celery  # noqa: F401  (every process that queues tasks uses mpdash's Celery app)

        # Imported here, not at the top: they import models, which Django loads after the
        # app configs. runners fills the flow registry with every generic flow.
        from . import flush, runners, signals  # noqa: F401

        flush.install()  # SQLite flush with the change-tracking triggers (see flush.py)
