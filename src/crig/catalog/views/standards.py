"""Thin Django adapters around the standards cores (``catalog/standards/``).

Each view builds a ``StandardsRequest``, hands it to a core with a repository over
the records the person may see (``datasets_published_to``), and copies the core's
(status, headers, body) into an ``HttpResponse``.
"""

import functools
from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from crig.catalog.selectors.visibility import datasets_published_to
from crig.catalog.standards import (
    StandardsRequest,
    StandardsResponse,
    csw,
    dcat,
    ogcapi,
)
from crig.catalog.standards.repository import DatasetRepository


def _standards_request(request, *, body: bytes = b"") -> StandardsRequest:
    return StandardsRequest(
        method=request.method,
        path=request.path,
        query={key: request.GET.getlist(key) for key in request.GET},
        body=body,
        base_url=request.build_absolute_uri("/").rstrip("/"),
        accept=request.headers.get("Accept", ""),
        site_name=settings.CRIG_NAME,
        render_html=lambda template, context: render_to_string(
            template, context, request=request
        ),
    )


def _http(response: StandardsResponse) -> HttpResponse:
    http = HttpResponse(response.body, status=response.status)
    for name, value in response.headers.items():
        http[name] = value
    return http


class TokenRefused(Exception):
    pass


def _user(request):
    """The session's person, or the owner of a bearer API token: GIS tools
    (QGIS, OWSLib) send tokens, and ``ApiTokenMiddleware`` only reads them under
    /api/."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() != "bearer ":
        return request.user
    from crig.members.services import api_token_authenticate

    user = api_token_authenticate(raw_token=header[7:].strip())
    if user is None:
        raise TokenRefused
    return user


def _repository(request) -> DatasetRepository:
    return DatasetRepository(datasets_published_to(_user(request)))


def _token_refused() -> HttpResponse:
    return HttpResponse(
        gettext("Invalid or revoked API token."),
        status=HTTPStatus.UNAUTHORIZED,
        content_type="text/plain; charset=utf-8",
    )


def _guarded(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except TokenRefused:
            return _token_refused()

    return wrapper


# POSTed CSW requests come from GIS tools, not from forms of this site.
@csrf_exempt
@_guarded
@require_http_methods(["GET", "HEAD", "POST"])
def csw_endpoint(request):
    body = b""
    if request.method == "POST":
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > csw.MAX_REQUEST_BYTES:
            return _http(
                csw.exception_report(
                    csw.CswError(
                        "NoApplicableCode",
                        f"The request is larger than "
                        f"{csw.MAX_REQUEST_BYTES // 1024} KiB.",
                    )
                )
            )
        body = request.body
    return _http(
        csw.csw_response(_standards_request(request, body=body), _repository(request))
    )


@require_http_methods(["GET", "HEAD"])
def ogcapi_landing(request):
    return _http(ogcapi.landing(_standards_request(request)))


@require_http_methods(["GET", "HEAD"])
def ogcapi_conformance(request):
    return _http(ogcapi.conformance(_standards_request(request)))


@require_http_methods(["GET", "HEAD"])
def ogcapi_collections(request):
    return _http(ogcapi.collections(_standards_request(request)))


@require_http_methods(["GET", "HEAD"])
def ogcapi_collection(request, collection_id):
    return _http(ogcapi.collection(_standards_request(request), collection_id))


@_guarded
@require_http_methods(["GET", "HEAD"])
def ogcapi_items(request, collection_id):
    return _http(
        ogcapi.items(_standards_request(request), _repository(request), collection_id)
    )


@_guarded
@require_http_methods(["GET", "HEAD"])
def ogcapi_item(request, collection_id, identifier):
    return _http(
        ogcapi.item(
            _standards_request(request), _repository(request), collection_id, identifier
        )
    )


@_guarded
@require_http_methods(["GET", "HEAD"])
def dcat_catalog(request, serialisation):
    return _http(
        dcat.catalog_page(
            _standards_request(request), _repository(request), serialisation
        )
    )
