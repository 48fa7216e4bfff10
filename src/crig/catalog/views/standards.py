"""Thin Django adapters around the standards cores (``catalog/standards/``).

Each view builds a ``StandardsRequest``, hands it to a core with a repository over
the records the person may see (``datasets_published_to``), and copies the core's
(status, headers, body) into an ``HttpResponse``.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
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


def _repository(request) -> DatasetRepository:
    # GIS tools (QGIS, OWSLib) may send a bearer token: ApiTokenMiddleware reads it
    # on these paths too.
    return DatasetRepository(datasets_published_to(request.user), user=request.user)


# POSTed CSW requests come from GIS tools, not from forms of this site.
@csrf_exempt
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


@require_http_methods(["GET", "HEAD"])
def ogcapi_items(request, collection_id):
    return _http(
        ogcapi.items(_standards_request(request), _repository(request), collection_id)
    )


@require_http_methods(["GET", "HEAD"])
def ogcapi_item(request, collection_id, identifier):
    return _http(
        ogcapi.item(
            _standards_request(request), _repository(request), collection_id, identifier
        )
    )


@require_http_methods(["GET", "HEAD"])
def dcat_catalog(request, serialisation):
    return _http(
        dcat.catalog_page(
            _standards_request(request), _repository(request), serialisation
        )
    )
