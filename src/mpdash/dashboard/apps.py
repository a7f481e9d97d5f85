from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DashboardConfig(AppConfig):
    name = "mpdash.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        from .roles import ensure_groups

        # After auth's tables exist; post_migrate also follows a test database flush.
        post_migrate.connect(_after_auth_migrate(ensure_groups), dispatch_uid="mpdash-dashboard-roles", weak=False)


def _after_auth_migrate(create):
    def receiver(sender, using="default", **kwargs):
        if getattr(sender, "label", "") == "auth":
            create(using=using)

    return receiver
