"""Standards endpoints at the site root: /csw, /ogcapi/, /catalog.{ttl,rdf,jsonld}."""

from django.urls import path

from crig.catalog.views import standards

app_name = "standards"
urlpatterns = [
    path("csw", standards.csw_endpoint, name="csw"),
    path("ogcapi/", standards.ogcapi_landing, name="ogcapi_landing"),
    path("ogcapi/conformance", standards.ogcapi_conformance, name="ogcapi_conformance"),
    path("ogcapi/collections", standards.ogcapi_collections, name="ogcapi_collections"),
    path(
        "ogcapi/collections/<str:collection_id>",
        standards.ogcapi_collection,
        name="ogcapi_collection",
    ),
    path(
        "ogcapi/collections/<str:collection_id>/items",
        standards.ogcapi_items,
        name="ogcapi_items",
    ),
    path(
        "ogcapi/collections/<str:collection_id>/items/<path:identifier>",
        standards.ogcapi_item,
        name="ogcapi_item",
    ),
    path(
        "catalog.ttl", standards.dcat_catalog, {"serialisation": "ttl"}, name="dcat_ttl"
    ),
    path(
        "catalog.rdf", standards.dcat_catalog, {"serialisation": "rdf"}, name="dcat_rdf"
    ),
    path(
        "catalog.jsonld",
        standards.dcat_catalog,
        {"serialisation": "jsonld"},
        name="dcat_jsonld",
    ),
]
