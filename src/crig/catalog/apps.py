from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "crig.catalog"
    label = "catalog"
    verbose_name = _("Reference-data catalogue")

    def ready(self):
        from crig.catalog.search import facets

        facets.connect_signals()
