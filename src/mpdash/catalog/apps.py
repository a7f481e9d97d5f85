from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "mpdash.catalog"
    label = "catalog"
    verbose_name = "Commerce core: catalog, prices, stock"
