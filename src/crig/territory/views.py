"""Pages of the territory: parse the request, call a selector, render."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from crig.territory import selectors
from crig.territory.forms import CommuneSearchForm

SEARCH_RESULTS_SHOWN = 50


def _geojson_url(name: str, *args, **query) -> str:
    parameters = "&".join(f"{key}={value}" for key, value in query.items())
    return f"{reverse(f'api:{name}', args=args)}?format=geojson" + (
        f"&{parameters}" if parameters else ""
    )


def index(request):
    form = CommuneSearchForm(request.GET or None)
    results = None
    result_count = 0
    if form.is_valid() and form.cleaned_data["q"].strip():
        matches = selectors.communes_search(query=form.cleaned_data["q"])
        result_count = matches.count()
        results = list(matches[:SEARCH_RESULTS_SHOWN])
    return render(
        request,
        "territory/index.html",
        {
            "form": form,
            "results": results,
            "result_count": result_count,
            "results_shown": SEARCH_RESULTS_SHOWN,
            "summary": selectors.region_summary(),
            "departements": selectors.departements(),
            "geojson_url": _geojson_url("territory_departements"),
        },
    )


def commune_detail(request, insee):
    commune = get_object_or_404(selectors.communes(), insee=insee)
    return render(
        request,
        "territory/commune_detail.html",
        {
            "commune": commune,
            "geojson_url": _geojson_url("territory_commune", commune.insee),
        },
    )


def epci_detail(request, siren):
    epci = get_object_or_404(selectors.epcis(), siren=siren)
    return render(
        request,
        "territory/epci_detail.html",
        {
            "epci": epci,
            "members": selectors.epci_members(epci),
            "geojson_url": _geojson_url(
                "territory_communes", epci=epci.siren, limit=1000
            ),
        },
    )


def departement_detail(request, code):
    departement = get_object_or_404(selectors.departements(), code=code)
    return render(
        request,
        "territory/departement_detail.html",
        {
            "departement": departement,
            "prefecture": selectors.communes()
            .filter(insee=departement.chef_lieu)
            .first(),
            "epcis": selectors.departement_epcis(departement),
            "geojson_url": _geojson_url(
                "territory_epcis", departement=departement.code, limit=1000
            ),
        },
    )
