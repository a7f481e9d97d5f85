from django.apps import AppConfig
from django.db.models.signals import post_migrate

EVALUATE_TASK = "mpdash:system:evaluate_alarms"
EVALUATE_SECONDS = 60


def _ensure_evaluation(sender, **kwargs) -> None:
    """The beat task that evaluates every alarm rule once a minute."""
    if getattr(sender, "label", "") != "alarms":
        return
    from mpdash.integration.scheduling import ensure_system_task

    ensure_system_task(EVALUATE_TASK, "mpdash.alarms.evaluate", EVALUATE_SECONDS)


class AlarmsConfig(AppConfig):
    name = "mpdash.alarms"
    label = "alarms"
    verbose_name = "Alarms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_ensure_evaluation, dispatch_uid="mpdash.alarms.ensure_evaluation")
