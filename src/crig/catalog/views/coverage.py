"""Coverage pages, under /catalogue/couverture/: a summary per référentiel, and one
référentiel per commune (map, table, gaps, exports). The exports are the REST
API's GeoJSON and CSV answers, linked with the same filters."""

from http import HTTPStatus
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crig.catalog.api.coverage import AGE_COLOURS, OLDEST_COLOUR, STATUS_COLOURS
from crig.catalog.selectors import coverage as selectors
from crig.core.errors import CrigError, NotFound
from crig.territory.models import EPCI, Departement

TABLE_PAGE_SIZE = 100


class CoverageFilterForm(forms.Form):
    departement = forms.ChoiceField(label=_("Département"), required=False)
    epci = forms.ChoiceField(label=_("EPCI"), required=False)
    min_share = forms.IntegerField(
        label=_("Minimum share covered (%)"), min_value=1, max_value=100, required=False
    )
    older_than = forms.IntegerField(
        label=_("Outdated after (years)"), min_value=0, max_value=200, required=False
    )
    gaps = forms.BooleanField(label=_("Gaps only"), required=False)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", _("All départements"))] + [
            (code, f"{name} ({code})")
            for code, name in Departement.objects.order_by("code").values_list(
                "code", "name"
            )
        ]
        self.fields["epci"].choices = [("", _("All EPCI"))] + list(
            EPCI.objects.order_by("name").values_list("siren", "name")
        )

    def parameters(self) -> dict:
        """API parameters (``min_share`` as a 0-1 share) of the valid filters."""
        data = self.cleaned_data if self.is_valid() else {}
        parameters = {
            "departement": data.get("departement") or None,
            "epci": data.get("epci") or None,
            "older_than": data.get("older_than"),
            "gaps": bool(data.get("gaps")),
        }
        if data.get("min_share"):
            parameters["min_share"] = data["min_share"] / 100
        return parameters


def _api_url(referentiel: str, parameters: dict, **extra) -> str:
    query = {
        name: ("true" if value is True else value)
        for name, value in {**parameters, **extra}.items()
        if value not in (None, False, "")
    }
    url = reverse("api:catalog_referentiel_coverage", args=[referentiel])
    return f"{url}?{urlencode(query)}" if query else url


def coverage_index(request):
    summaries = selectors.coverage_summary(user=request.user)
    return render(
        request,
        "catalog/coverage_index.html",
        {
            "summaries": summaries,
            "min_share_percent": round(selectors.min_share_setting() * 100),
        },
    )


def coverage_referentiel(request, referentiel: str):
    try:
        referentiel = selectors.checked_referentiel(referentiel)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = CoverageFilterForm(request.GET or None)
    parameters = form.parameters()
    status = HTTPStatus.OK
    error = None
    if form.is_bound and not form.is_valid():
        status = HTTPStatus.BAD_REQUEST
    try:
        coverage = selectors.referentiel_coverage(
            user=request.user,
            referentiel=referentiel,
            min_share=parameters.get("min_share"),
            departement=parameters["departement"],
            epci=parameters["epci"],
            older_than=parameters["older_than"],
            gaps_only=parameters["gaps"],
        )
    except CrigError as exc:
        coverage, error, status = None, exc.message, HTTPStatus.BAD_REQUEST
    page_number = (form.cleaned_data.get("page") if form.is_valid() else None) or 1
    paginator = Paginator(coverage.rows if coverage else [], TABLE_PAGE_SIZE)
    page = paginator.get_page(page_number)
    page_query = urlencode(
        [(name, value) for name, value in request.GET.items() if name != "page"]
    )
    context = {
        "referentiel": referentiel,
        "form": form,
        "coverage": coverage,
        "error": error,
        "page": page,
        "page_query": page_query,
        "geojson_url": _api_url(referentiel, parameters, format="geojson"),
        "csv_url": _api_url(referentiel, parameters, format="csv"),
        "json_url": _api_url(referentiel, parameters),
        "this_year": timezone.localdate().year,
        "legend": _legend(),
    }
    return render(request, "catalog/coverage_referentiel.html", context, status=status)


def _legend() -> list[tuple[str, str]]:
    """(colour, meaning) pairs of the map, as ``api.coverage.map_colour`` paints."""
    legend, youngest = [], 0
    for max_age, colour in AGE_COLOURS:
        legend.append(
            (
                colour,
                _("Covered, data %(low)s to %(high)s years old")
                % {"low": youngest, "high": max_age},
            )
        )
        youngest = max_age + 1
    legend.append(
        (
            OLDEST_COLOUR,
            _("Covered, data over %(years)s years old or undated")
            % {"years": youngest - 1},
        )
    )
    legend.append((STATUS_COLOURS["outdated"], _("Outdated (older than asked)")))
    legend.append((STATUS_COLOURS["gap"], _("Gap: no dataset covers the share asked")))
    return legend


urlpatterns = [
    path("couverture/", coverage_index, name="coverage_index"),
    path(
        "couverture/<str:referentiel>/",
        coverage_referentiel,
        name="coverage_referentiel",
    ),
]
