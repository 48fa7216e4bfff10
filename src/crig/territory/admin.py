"""Read-mostly admin: the territory comes from official data through
``crig territory load``; editing it by hand would be overwritten by the next load."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crig.territory.models import EPCI, Commune, Departement, Region

OUTLINE_FIELDS = ("outline", "min_lon", "min_lat", "max_lon", "max_lat", "area_km2")


class ReadOnlyTerritoryAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(Region)
class RegionAdmin(ReadOnlyTerritoryAdmin):
    list_display = ("code", "name", "population", "area_km2")


@admin.register(Departement)
class DepartementAdmin(ReadOnlyTerritoryAdmin):
    list_display = ("code", "name", "chef_lieu", "population", "area_km2")
    search_fields = ("code", "name")


@admin.register(EPCI)
class EPCIAdmin(ReadOnlyTerritoryAdmin):
    list_display = ("siren", "name", "kind", "population", "straddles")
    list_filter = ("kind",)
    search_fields = ("siren", "name")

    @admin.display(boolean=True, description=_("straddles the region"))
    def straddles(self, obj):
        return obj.straddles_region


@admin.register(Commune)
class CommuneAdmin(ReadOnlyTerritoryAdmin):
    list_display = ("insee", "name", "departement", "epci", "population", "postcodes")
    list_filter = ("departement",)
    list_select_related = ("departement", "epci")
    search_fields = ("insee", "name", "search_name", "postcodes")
    show_full_result_count = False
