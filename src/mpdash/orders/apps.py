from django.apps import AppConfig
from django.db.models.signals import post_migrate

SWEEP_TASK = "mpdash:system:deliver_webhooks"
SWEEP_SECONDS = 30


def _ensure_sweep(sender, **kwargs) -> None:
    """A beat task that delivers webhooks whose queued task was lost (broker outage, crash)."""
    if getattr(sender, "label", "") != "orders":
        return
    from mpdash.integration.scheduling import ensure_system_task

    ensure_system_task(SWEEP_TASK, "mpdash.orders.deliver_webhooks", SWEEP_SECONDS)


class OrdersConfig(AppConfig):
    name = "mpdash.orders"
    label = "orders"
    verbose_name = "Orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_ensure_sweep, dispatch_uid="mpdash.orders.ensure_webhook_sweep")
