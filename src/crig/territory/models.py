"""Administrative units of the region: communes, EPCI, départements, the region.

Outlines are stored as RFC 7946 GeoJSON text in WGS84 (EPSG:4326) with their
bounding box in indexed columns, so that both SQLite and PostgreSQL can pre-filter
by box; exact geometry work happens in ``crig.territory.geometry`` with shapely.
"""

import json

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crig.core.models import TimeStampedModel


class Outlined(models.Model):
    """An outline in WGS84 GeoJSON and its bounding box (degrees)."""

    outline = models.TextField(
        _("outline (GeoJSON, WGS84)"), blank=True, help_text=_("RFC 7946 geometry.")
    )
    min_lon = models.FloatField(_("west longitude"), null=True, blank=True)
    min_lat = models.FloatField(_("south latitude"), null=True, blank=True)
    max_lon = models.FloatField(_("east longitude"), null=True, blank=True)
    max_lat = models.FloatField(_("north latitude"), null=True, blank=True)
    area_km2 = models.FloatField(
        _("area (km²)"),
        null=True,
        blank=True,
        help_text=_("Computed in Lambert-93 (EPSG:2154) from the outline."),
    )
    population = models.PositiveIntegerField(_("municipal population"), default=0)

    class Meta:
        abstract = True

    @property
    def outline_geojson(self) -> dict | None:
        return json.loads(self.outline) if self.outline else None

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        if self.min_lon is None:
            return None
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)


class Region(Outlined, TimeStampedModel):
    """The region the instance serves; its outline is the union of its départements."""

    code = models.CharField(_("INSEE code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("territory:index")


class Departement(Outlined, TimeStampedModel):
    code = models.CharField(_("INSEE code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="departements",
    )
    chef_lieu = models.CharField(_("prefecture (INSEE code)"), max_length=5)

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("territory:departement_detail", args=[self.code])


class EPCI(Outlined, TimeStampedModel):
    """An établissement public de coopération intercommunale à fiscalité propre."""

    class Kind(models.TextChoices):
        CC = "CC", _("Communauté de communes")
        CA = "CA", _("Communauté d'agglomération")
        CU = "CU", _("Communauté urbaine")
        METRO = "METRO", _("Métropole")

    siren = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(_("name for search"), max_length=200, db_index=True)
    kind = models.CharField(_("type"), max_length=5, choices=Kind.choices)
    financing = models.CharField(_("tax regime"), max_length=10, blank=True)
    outside_member_codes = models.CharField(
        _("members outside the region"),
        max_length=500,
        blank=True,
        help_text=_(
            "INSEE codes of member communes in another region, space-separated. "
            "The outline only covers the members in the region; the population "
            "counts all members."
        ),
    )

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("territory:epci_detail", args=[self.siren])

    @property
    def straddles_region(self) -> bool:
        return bool(self.outside_member_codes)

    @property
    def outside_member_list(self) -> list[str]:
        return self.outside_member_codes.split()


class Commune(Outlined, TimeStampedModel):
    insee = models.CharField(_("INSEE code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    search_name = models.CharField(
        _("name for search"),
        max_length=100,
        db_index=True,
        help_text=_("Lower case, without accents or punctuation."),
    )
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        related_name="communes",
    )
    epci = models.ForeignKey(
        EPCI,
        verbose_name=_("EPCI"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    postcodes = models.CharField(
        _("postcodes"), max_length=200, blank=True, help_text=_("Space-separated.")
    )
    former_codes = models.CharField(
        _("former INSEE codes"),
        max_length=200,
        blank=True,
        help_text=_("Codes of the communes merged into this one, space-separated."),
    )
    # A point inside the outline (shapely's point_on_surface), not the centroid,
    # which can fall outside a crescent-shaped or multi-part commune.
    label_lon = models.FloatField(_("label point longitude"), null=True, blank=True)
    label_lat = models.FloatField(_("label point latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name", "insee"]
        indexes = [
            models.Index(
                fields=["min_lon", "max_lon", "min_lat", "max_lat"],
                name="commune_bbox_idx",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.insee})"

    def get_absolute_url(self):
        return reverse("territory:commune_detail", args=[self.insee])

    @property
    def postcode_list(self) -> list[str]:
        return self.postcodes.split()

    @property
    def former_code_list(self) -> list[str]:
        return self.former_codes.split()
