from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crig.core.errors import InvalidInput
from crig.territory import inputs
from crig.territory.models import EPCI, Commune, Departement
from crig.territory.selection import (
    UploadedTerritory,
    file_error_message,
    territory_selection,
)


class CommuneSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Commune, INSEE code or postcode"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. Béziers, 31555, 31000")}
        ),
    )


def _code_list(value: str) -> list[str]:
    return [code.strip() for code in (value or "").replace(";", ",").split(",")]


class TerritoryInputForm(forms.Form):
    """A territory as a person gives it, resolved by
    ``crig.territory.selection.territory_selection``.

    Render it with ``{% include "territory/_territory_picker.html" with
    form=territory_form %}`` (and ``territory/_territory_picker_assets.html`` in
    the page's head); the page's form posts as multipart/form-data. When valid,
    ``cleaned_data["selection"]`` is a ``TerritorySelection`` (None if nothing was
    given and ``required`` is False) whose ``notes`` the view shows as messages.

    The code fields and the GeoJSON field are plain text inputs: without
    JavaScript a person types codes; the picker's script hides them behind the
    search box and the map and keeps them filled.
    """

    communes = forms.CharField(
        label=_("Communes (INSEE codes, separated by commas)"),
        required=False,
        max_length=50_000,
    )
    epcis = forms.CharField(
        label=_("EPCI (SIREN numbers, separated by commas)"),
        required=False,
        max_length=5_000,
    )
    departements = forms.CharField(
        label=_("Départements (codes, separated by commas)"),
        required=False,
        max_length=200,
    )
    drawn = forms.CharField(
        label=_("Drawn polygon (GeoJSON, WGS84)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    upload = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(inputs.ACCEPTED_EXTENSIONS)}
        ),
    )

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.required = required
        self.fields["upload"].help_text = _(
            "GeoJSON, zipped shapefile (.shp, .shx, .dbf and .prj), GeoPackage or "
            "KML; up to %(limit)s."
        ) % {"limit": filesizeformat(settings.TERRITORY_UPLOAD_MAX_BYTES)}

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        # The size is known from the request before the file is read.
        if upload and upload.size > settings.TERRITORY_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                file_error_message(
                    inputs.FileTooLarge(
                        upload.size, settings.TERRITORY_UPLOAD_MAX_BYTES
                    ),
                    upload.name,
                )
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        upload = cleaned.get("upload")
        given = {
            "communes": _code_list(cleaned.get("communes")),
            "epcis": _code_list(cleaned.get("epcis")),
            "departements": _code_list(cleaned.get("departements")),
            "drawn": cleaned.get("drawn") or None,
            "upload": UploadedTerritory(upload.name, upload.read()) if upload else None,
        }
        try:
            cleaned["selection"] = territory_selection(**given)
        except InvalidInput as exc:
            if exc.field is None and not self.required:
                cleaned["selection"] = None
            else:
                self.add_error(
                    exc.field if exc.field in self.fields else None, exc.message
                )
        return cleaned

    def picked(self) -> list[dict]:
        """The units picked so far (bound data, else initial), with their names,
        for the picker's chips: ``[{"kind", "code", "name"}]``."""

        def value(name):
            if self.is_bound:
                return self.data.get(self.add_prefix(name), "")
            return self.initial.get(name, "")

        codes = {name: _code_list(value(name)) for name in PICKED_KINDS}
        names = {
            "communes": dict(
                Commune.objects.filter(insee__in=codes["communes"]).values_list(
                    "insee", "name"
                )
            ),
            "epcis": dict(
                EPCI.objects.filter(siren__in=codes["epcis"]).values_list(
                    "siren", "name"
                )
            ),
            "departements": dict(
                Departement.objects.filter(
                    code__in=[code.upper() for code in codes["departements"]]
                ).values_list("code", "name")
            ),
        }
        return [
            {
                "kind": kind,
                "code": code,
                "name": names[kind].get(
                    code.upper() if kind == "departements" else code, code
                ),
            }
            for kind in PICKED_KINDS
            for code in dict.fromkeys(codes[kind])
            if code
        ]

    def picker_config(self) -> dict:
        """What the picker's script needs: API addresses, the picked units and
        its texts in the person's language (the script holds no text)."""
        return {
            "urls": {
                "communes": reverse("api:territory_communes"),
                "commune": reverse("api:territory_commune", args=["CODE"]),
                "epcis": reverse("api:territory_epcis"),
                "epci": reverse("api:territory_epci", args=["CODE"]),
                "departements": reverse("api:territory_departements"),
                "departement": reverse("api:territory_departement", args=["CODE"]),
            },
            "picked": self.picked(),
            "labels": picker_labels(),
        }


PICKED_KINDS = ("communes", "epcis", "departements")


def picker_labels() -> dict:
    """The picker's texts, translated here so that the script holds none; the
    ``draw`` part replaces Leaflet.draw's English tooltips (``L.drawLocal``)."""
    return {
        "kinds": {
            "communes": gettext("commune"),
            "epcis": gettext("EPCI"),
            "departements": gettext("département"),
        },
        "remove": gettext("Remove %(name)s"),
        "added": gettext("%(name)s added to the territory."),
        "removed": gettext("%(name)s removed from the territory."),
        "suggestions": gettext("%(count)s suggestions; use the up and down arrows."),
        "noMatch": gettext("Nothing matches."),
        "searchFailed": gettext("The search is unavailable; type the codes below."),
        "outlineFailed": gettext("The outline of %(name)s could not be shown."),
        "drawn": gettext("Drawn polygon"),
        "drawnCount": gettext("%(count)s shapes drawn."),
        "draw": {
            "draw": {
                "toolbar": {
                    "actions": {
                        "title": gettext("Cancel drawing"),
                        "text": gettext("Cancel"),
                    },
                    "finish": {
                        "title": gettext("Finish drawing"),
                        "text": gettext("Finish"),
                    },
                    "undo": {
                        "title": gettext("Delete the last point drawn"),
                        "text": gettext("Delete the last point"),
                    },
                    "buttons": {
                        "polygon": gettext("Draw a polygon"),
                        "rectangle": gettext("Draw a rectangle"),
                    },
                },
                "handlers": {
                    "polygon": {
                        "tooltip": {
                            "start": gettext("Click to start drawing the shape."),
                            "cont": gettext("Click to continue drawing the shape."),
                            "end": gettext("Click the first point to close the shape."),
                        }
                    },
                    "polyline": {
                        "error": gettext("The edges of the shape cannot cross."),
                    },
                    "rectangle": {
                        "tooltip": {
                            "start": gettext("Click and drag to draw a rectangle.")
                        }
                    },
                    "simpleshape": {
                        "tooltip": {
                            "end": gettext("Release the mouse to finish drawing.")
                        }
                    },
                },
            },
            "edit": {
                "toolbar": {
                    "actions": {
                        "save": {
                            "title": gettext("Save the changes"),
                            "text": gettext("Save"),
                        },
                        "cancel": {
                            "title": gettext("Cancel editing, discarding the changes"),
                            "text": gettext("Cancel"),
                        },
                        "clearAll": {
                            "title": gettext("Delete every shape"),
                            "text": gettext("Delete all"),
                        },
                    },
                    "buttons": {
                        "edit": gettext("Edit the shapes"),
                        "editDisabled": gettext("No shape to edit"),
                        "remove": gettext("Delete shapes"),
                        "removeDisabled": gettext("No shape to delete"),
                    },
                },
                "handlers": {
                    "edit": {
                        "tooltip": {
                            "text": gettext("Drag the handles to change the shapes."),
                            "subtext": gettext("Click Cancel to undo the changes."),
                        }
                    },
                    "remove": {
                        "tooltip": {"text": gettext("Click a shape to delete it.")}
                    },
                },
            },
        },
    }
