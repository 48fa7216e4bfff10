"""The public register of the council's opinions on funding requests, and the
public page of one opinion.

Everything here is public once published and is read from
``selectors.register``: the latest published version of each opinion with the
request's non-confidential part (reference, title, public summary, theme,
territory, signatory, programme, applicant, amount requested). The description,
budget, attachments, reviewers' comments and declarations stay with the file.
Exports are the API's (``/api/v1/opinions?format=csv|xlsx``), built from the
same selector with the same filters.
"""

from http import HTTPStatus
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from crig.core.errors import NotFound, PermissionDenied
from crig.funding.forms import RegisterFilterForm
from crig.funding.selectors import register as register_selectors
from crig.funding.views.requests import snapshot_positions, snapshot_recusals

PAGE_SIZE = 20
API_OPINIONS = "/api/v1/opinions"


def register(request):
    form = RegisterFilterForm(request.GET or None)
    opinions = register_selectors.register_list(filters=form.filters())
    paginator = Paginator(opinions, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = urlencode(form.query())
    exports = [
        (label, f"{API_OPINIONS}?{urlencode({**form.query(), 'format': fmt})}")
        for label, fmt in (("CSV", "csv"), ("XLSX", "xlsx"))
    ]
    return render(
        request,
        "funding/register.html",
        {
            "form": form,
            "page": page,
            "count": paginator.count,
            "query": query,
            "filtered": bool(query),
            "exports": exports,
            "geojson_url": f"{API_OPINIONS}?"
            + urlencode({**form.query(), "format": "geojson"}),
        },
        status=HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else None,
    )


def opinion_detail(request, pk):
    try:
        opinion = register_selectors.register_get(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    except PermissionDenied as error:
        raise DjangoPermissionDenied(str(error.message)) from error
    funding_request = opinion.request
    versions = list(
        funding_request.opinions.filter(published_at__isnull=False).order_by("-version")
    )
    if opinion.published_at is None:
        # An unpublished version, shown to those who see the file.
        versions = list(funding_request.opinions.order_by("-version"))
    latest = versions[0] if versions else opinion
    return render(
        request,
        "funding/opinion_detail.html",
        {
            "opinion": opinion,
            "funding_request": funding_request,
            "latest": latest,
            "is_latest": latest.pk == opinion.pk,
            "versions": versions,
            "positions": snapshot_positions(opinion),
            "recusals": snapshot_recusals(opinion),
            "geojson_url": f"{API_OPINIONS}/{opinion.pk}?format=geojson",
            "sees_file": request.user.has_perm("funding.view_request", funding_request),
        },
    )


routes = [
    path("avis/", register, name="register"),
    path("avis/<int:pk>/", opinion_detail, name="opinion_detail"),
]
