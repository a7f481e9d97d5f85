from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "mpdash.channels"
    label = "channels"
    verbose_name = "Sales channels"
