from django.apps import AppConfig
from django.db.models.signals import post_migrate

EVALUATE_TASK = "mpdash:system:evaluate_alarms"
EVALUATE_SECONDS = 60


def _ensure_evaluation(sender, **kwargs) -> None:
    """The beat task that evaluates every alarm rule once a minute."""
    if getattr(sender, "label", "") != "alarms":
        return
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    if not PeriodicTask.objects.filter(name=EVALUATE_TASK).exists():
        interval, _ = IntervalSchedule.objects.get_or_create(every=EVALUATE_SECONDS, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.create(name=EVALUATE_TASK, task="mpdash.alarms.evaluate", interval=interval, enabled=True)


class AlarmsConfig(AppConfig):
    name = "mpdash.alarms"
    label = "alarms"
    verbose_name = "Alarms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_ensure_evaluation, dispatch_uid="mpdash.alarms.ensure_evaluation")
