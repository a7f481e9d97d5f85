from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "mpdash.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
