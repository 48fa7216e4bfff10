"""Pages of the catalogue records: search with facets and a result map, a record's
page, and the manual entry forms. Each parses the request, calls one selector or
service, and renders."""

from http import HTTPStatus
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from crig.actionplan.selectors import actions_linked
from crig.catalog.forms import (
    DatasetForm,
    DatasetSearchForm,
    DistributionFormSet,
    distributions_of,
)
from crig.catalog.models import Dataset
from crig.catalog.selectors import datasets as dataset_selectors
from crig.catalog.selectors.search import datasets_search
from crig.catalog.services import editing
from crig.core.errors import CrigError, NotFound

PAGE_SIZE = 20
MAP_RESULTS = 500
COMMUNES_SHOWN = 20
LIST_PARAMETERS = ("theme", "producer", "source", "licence")


def _search_parameters(request, form: DatasetSearchForm) -> dict:
    data = form.cleaned_data if form.is_valid() else {}
    parameters = {
        name: data.get(name) or None
        for name in (
            "q",
            "commune",
            "epci",
            "departement",
            "bbox",
            "year_from",
            "year_to",
            "sort",
        )
    }
    for name in LIST_PARAMETERS:
        parameters[name] = [v for v in request.GET.getlist(name) if v.strip()]
    return parameters


def _query_string(parameters: dict, **changes) -> str:
    pairs = []
    for name, value in {**parameters, **changes}.items():
        if value in (None, "", []):
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return urlencode(pairs)


def search(request):
    form = DatasetSearchForm(request.GET or None)
    parameters = _search_parameters(request, form)
    page_number = (form.cleaned_data.get("page") if form.is_valid() else None) or 1
    context = {"form": form, "parameters": parameters, "error": None}
    status = HTTPStatus.OK
    if form.is_bound and not form.is_valid():
        status = HTTPStatus.BAD_REQUEST
    try:
        result = datasets_search(user=request.user, **parameters)
        facets = result.facets
        count = result.count
        offset = (page_number - 1) * PAGE_SIZE
        results = result.page(
            offset,
            offset + PAGE_SIZE,
            Dataset.objects.defer("footprint", "search_text", "search_title"),
        )
    except CrigError as error:
        context["error"] = str(error.message)
        status = HTTPStatus.BAD_REQUEST
        result, count, results, facets = None, 0, [], {}
    selected = {name: set(parameters[name]) for name in LIST_PARAMETERS}
    last_page = max(1, (count + PAGE_SIZE - 1) // PAGE_SIZE)
    context.update(
        count=count,
        results=results,
        facet_groups=[
            (name, label, facets.get(name, []), selected.get(name, set()))
            for name, label in (
                ("theme", _("Theme")),
                ("producer", _("Producer")),
                ("source", _("Source platform")),
                ("licence", _("Licence")),
            )
        ],
        years=facets.get("year", []),
        page=page_number,
        last_page=last_page,
        previous_url=(
            "?" + _query_string(parameters, page=page_number - 1)
            if page_number > 1
            else None
        ),
        next_url=(
            "?" + _query_string(parameters, page=page_number + 1)
            if page_number < last_page
            else None
        ),
        geojson_url=(
            reverse("api:catalog_datasets")
            + "?"
            + _query_string(parameters, format="geojson", limit=MAP_RESULTS)
        )
        if result is not None
        else None,
        api_url=reverse("api:catalog_datasets") + "?" + _query_string(parameters),
        may_add=request.user.has_perm("catalog.add_dataset"),
    )
    return render(request, "catalog/search.html", context, status=status)


def dataset_detail(request, pk):
    try:
        dataset = dataset_selectors.dataset_for(request.user, pk)
    except NotFound as error:
        raise Http404 from error
    coverages = dataset_selectors.dataset_communes(dataset)
    return render(
        request,
        "catalog/dataset_detail.html",
        {
            "dataset": dataset,
            "keywords": list(dataset.keywords.all()),
            "distributions": list(dataset.distributions.all()),
            "provenances": list(dataset.provenances.all()),
            "communes": list(coverages[:COMMUNES_SHOWN]),
            "commune_count": coverages.count(),
            "communes_api_url": reverse(
                "api:catalog_dataset_communes", args=[dataset.pk]
            ),
            "geojson_url": reverse("api:catalog_dataset", args=[dataset.pk])
            + "?format=geojson",
            "show_documents": dataset_selectors.may_read_source_documents(request.user),
            "may_edit": request.user.has_perm("catalog.change_dataset", dataset),
            "plan_actions": actions_linked(user=request.user, dataset=dataset),
        },
    )


def provenance_document(request, pk, provenance_pk):
    """The verbatim source document, as received (staff only)."""
    try:
        provenance = dataset_selectors.provenance_document(
            request.user, pk, provenance_pk
        )
    except NotFound as error:
        raise Http404 from error
    content_type = (
        "application/json"
        if provenance.document_format in ("dcat", "manual")
        and provenance.document.lstrip().startswith(("{", "["))
        else "text/plain"
        if provenance.document_format == "dcat"
        else "application/xml"
    )
    response = HttpResponse(
        provenance.document, content_type=f"{content_type}; charset=utf-8"
    )
    # A harvested document is untrusted: never let the browser run it.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _add_errors(form, error: CrigError | ValidationError) -> None:
    if isinstance(error, CrigError):
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error.message))
    elif hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def _edit(request, dataset: Dataset | None):
    form = DatasetForm(
        request.POST or None, instance=dataset or Dataset(), user=request.user
    )
    formset = DistributionFormSet(
        request.POST or None,
        prefix="distributions",
        initial=[
            {"kind": d.kind, "url": d.url, "name": d.name, "title": d.title}
            for d in (dataset.distributions.all() if dataset else [])
        ],
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        record = form.manual_record(distributions_of(formset))
        try:
            if dataset is None:
                saved = editing.dataset_create_manual(by=request.user, record=record)
            else:
                saved = editing.dataset_update_manual(
                    dataset=dataset, by=request.user, record=record
                )
        except (CrigError, ValidationError) as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("The record has been created.")
                if dataset is None
                else _("The record has been saved."),
            )
            return redirect(saved)
    status = (
        HTTPStatus.BAD_REQUEST
        if request.method == "POST" and (form.errors or formset.total_error_count())
        else HTTPStatus.OK
    )
    return render(
        request,
        "catalog/dataset_form.html",
        {"form": form, "formset": formset, "dataset": dataset},
        status=status,
    )


@login_required
def dataset_create(request):
    if not request.user.has_perm("catalog.add_dataset"):
        raise DjangoPermissionDenied
    return _edit(request, None)


@login_required
def dataset_edit(request, pk):
    try:
        dataset = dataset_selectors.dataset_for(request.user, pk)
    except NotFound as error:
        raise Http404 from error
    if not request.user.has_perm("catalog.change_dataset", dataset):
        raise DjangoPermissionDenied
    return _edit(request, dataset)


urlpatterns = [
    path("", search, name="search"),
    path("jeux-de-donnees/nouveau/", dataset_create, name="dataset_create"),
    path("jeux-de-donnees/<int:pk>/", dataset_detail, name="dataset_detail"),
    path("jeux-de-donnees/<int:pk>/modifier/", dataset_edit, name="dataset_edit"),
    path(
        "jeux-de-donnees/<int:pk>/sources/<int:provenance_pk>/",
        provenance_document,
        name="provenance_document",
    ),
]
