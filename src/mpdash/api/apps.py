from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mpdash.api"
    label = "api"
    verbose_name = "REST API"
