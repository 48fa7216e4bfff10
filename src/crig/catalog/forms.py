"""Forms of the catalogue pages: the search and the manual entry of a record."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crig.catalog.models import Dataset, Distribution
from crig.catalog.services.editing import EDITABLE_FIELDS, ManualRecord
from crig.members.models import Organisation
from crig.territory import geometry


class DatasetSearchForm(forms.Form):
    """The single-valued search fields; facet values (theme, producer, source,
    licence) are read as lists from the query string by the view."""

    SORT_CHOICES = [
        ("relevance", _("Relevance")),
        ("date", _("Most recent")),
        ("title", _("Title")),
    ]

    q = forms.CharField(label=_("Words"), required=False, max_length=500)
    commune = forms.CharField(
        label=_("Commune (INSEE code)"), required=False, max_length=5
    )
    epci = forms.CharField(label=_("EPCI (SIREN)"), required=False, max_length=9)
    departement = forms.CharField(
        label=_("Département (code)"), required=False, max_length=3
    )
    bbox = forms.CharField(
        label=_("Bounding box"),
        required=False,
        max_length=200,
        help_text=_("west,south,east,north in degrees"),
    )
    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=1000, max_value=2999
    )
    year_to = forms.IntegerField(
        label=_("To year"), required=False, min_value=1000, max_value=2999
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class DatasetForm(forms.ModelForm):
    """A record entered by hand. The footprint is either a bounding box (four
    fields) or a GeoJSON polygon; keywords are comma-separated."""

    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas."),
    )
    licence_url = forms.URLField(
        label=_("Licence URL"), required=False, max_length=500, assume_scheme="https"
    )
    west = forms.FloatField(label=_("West longitude"), required=False)
    south = forms.FloatField(label=_("South latitude"), required=False)
    east = forms.FloatField(label=_("East longitude"), required=False)
    north = forms.FloatField(label=_("North latitude"), required=False)
    footprint_geojson = forms.CharField(
        label=_("Footprint as a GeoJSON polygon"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In WGS84 (longitude, latitude). Leave empty to use the box."),
    )

    class Meta:
        model = Dataset
        fields = EDITABLE_FIELDS
        widgets = {
            name: forms.DateInput(attrs={"type": "date"})
            for name in (
                "created_on",
                "published_on",
                "revised_on",
                "temporal_start",
                "temporal_end",
            )
        } | {"abstract": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.order_by("name")
        if not (user.is_superuser or user.is_secretariat):
            organisations = organisations.filter(
                memberships__person=user, memberships__role="referent"
            ).distinct()
            self.fields["producer"].required = True
        self.fields["producer"].queryset = organisations
        self.fields["lineage"].widget.attrs["rows"] = 3
        dataset = self.instance
        if dataset.pk:
            self.initial["keywords"] = ", ".join(
                dataset.keywords.filter(kind="keyword").values_list("label", flat=True)
            )
            if dataset.footprint and not dataset.footprint_is_bbox:
                self.initial["footprint_geojson"] = dataset.footprint
            elif dataset.min_lon is not None:
                self.initial.update(
                    west=dataset.min_lon,
                    south=dataset.min_lat,
                    east=dataset.max_lon,
                    north=dataset.max_lat,
                )

    def clean(self):
        cleaned = super().clean()
        box = [cleaned.get(name) for name in ("west", "south", "east", "north")]
        text = (cleaned.get("footprint_geojson") or "").strip()
        footprint = None
        if text:
            try:
                footprint = geometry.parse_geometry(
                    text, allowed_types=geometry.POLYGONAL_TYPES
                )
            except geometry.GeometryError as error:
                self.add_error(
                    "footprint_geojson",
                    _("Invalid polygon: %(reason)s") % {"reason": error},
                )
        elif any(value is not None for value in box):
            if None in box:
                self.add_error(None, _("Give the four sides of the box, or none."))
            else:
                west, south, east, north = box
                if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                    self.add_error(
                        None,
                        _("The box needs west < east and south < north, in degrees."),
                    )
                else:
                    import shapely

                    footprint = shapely.box(west, south, east, north)
        cleaned["footprint"] = footprint
        return cleaned

    def manual_record(self, distributions: list[dict]) -> ManualRecord:
        data = self.cleaned_data
        keywords = [
            word.strip() for word in data.get("keywords", "").split(",") if word.strip()
        ]
        return ManualRecord(
            fields={name: data.get(name) for name in EDITABLE_FIELDS},
            keywords=keywords,
            distributions=distributions,
            footprint=data.get("footprint"),
        )


class DistributionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Distribution.Kind.choices)
    # Not required: an empty row of the formset is skipped, whatever its kind.
    url = forms.URLField(
        label=_("URL"), required=False, max_length=2000, assume_scheme="https"
    )
    name = forms.CharField(
        label=_("Layer or file name"), required=False, max_length=300
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=500)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("url") and (cleaned.get("name") or cleaned.get("title")):
            self.add_error("url", _("Give the address of this link."))
        return cleaned


DistributionFormSet = forms.formset_factory(
    DistributionForm, extra=2, max_num=50, validate_max=True
)


def distributions_of(formset) -> list[dict]:
    """The filled-in rows of a valid distribution formset."""
    return [
        {
            key: form.cleaned_data.get(key, "")
            for key in ("kind", "url", "name", "title")
        }
        for form in formset.forms
        if form.cleaned_data and form.cleaned_data.get("url")
    ]
