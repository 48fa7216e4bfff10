"""DCAT-AP export at /catalog.{ttl,rdf,jsonld}: rdflib parses every serialisation,
udata's paging shape, golden Turtle page, visibility."""

from http import HTTPStatus

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from crig.catalog.standards import dcat
from crig.catalog.tests import test_standards_support as support
from crig.catalog.tests.test_standards_support import PUBLIC_IDENTIFIERS, assert_golden

catalogue = support.catalogue
stable_pages = support.stable_pages
pytestmark = pytest.mark.django_db
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def graph_of(response, serialisation: str) -> Graph:
    return Graph().parse(data=response.content, format=FORMATS[serialisation])


def test_turtle_page_golden(client, catalogue, stable_pages):
    response = client.get("/catalog.ttl")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/turtle; charset=utf-8"
    assert_golden("dcat_catalog_page1.ttl", response.content.decode())


@pytest.mark.parametrize(
    ("serialisation", "content_type"),
    [
        ("ttl", "text/turtle; charset=utf-8"),
        ("rdf", "application/rdf+xml; charset=utf-8"),
        ("jsonld", "application/ld+json; charset=utf-8"),
    ],
)
def test_rdflib_parses_every_serialisation(
    client, catalogue, serialisation, content_type
):
    response = client.get(f"/catalog.{serialisation}")

    graph = graph_of(response, serialisation)
    datasets = sorted(
        str(graph.value(d, DCTERMS.identifier))
        for d in graph.subjects(RDF.type, DCAT.Dataset)
    )
    assert response["Content-Type"] == content_type
    assert datasets == PUBLIC_IDENTIFIERS
    assert len(list(graph.subjects(RDF.type, DCAT.Catalog))) == 1


def test_dataset_description(client, catalogue):
    graph = graph_of(client.get("/catalog.ttl"), "ttl")

    ortho = URIRef(
        "http://testserver/ogcapi/collections/catalog/items/crig-ortho-31-2022"
    )
    assert graph.value(ortho, DCTERMS.title) == Literal(
        "Orthophotographie de la Haute-Garonne 2022", lang="fr"
    )
    assert graph.value(
        graph.value(ortho, DCTERMS.publisher),
        Namespace("http://xmlns.com/foaf/0.1/").name,
    ) == Literal("IGN")
    period = graph.value(ortho, DCTERMS.temporal)
    assert (
        str(graph.value(period, DCAT.startDate)),
        str(graph.value(period, DCAT.endDate)),
    ) == ("2022-04-01", "2022-09-30")
    spatial = graph.value(ortho, DCTERMS.spatial)
    assert (
        str(graph.value(spatial, DCAT.bbox))
        == "POLYGON((0.44 42.69,1.95 42.69,1.95 43.92,0.44 43.92,0.44 42.69))"
    )
    assert graph.value(spatial, LOCN.geometry).datatype == dcat.GEOJSON_LITERAL
    assert graph.value(ortho, DCTERMS.license) == URIRef(support.LICENCE_URL)
    assert sorted(str(k) for k in graph.objects(ortho, DCAT.keyword)) == [
        "photographie aérienne"
    ]
    assert len(list(graph.objects(ortho, DCAT.theme))) == 2
    downloads = [str(u) for u in graph.objects(None, DCAT.downloadURL)]
    assert downloads == ["https://data.geopf.fr/telechargement/ortho-31-2022.zip"]
    assert graph.value(ortho, DCAT.landingPage) == URIRef(
        f"http://testserver{support.repository.dataset_page_path(catalogue['ortho'])}"
    )


def test_paging_as_udata_expects(client, catalogue):
    first = graph_of(client.get("/catalog.jsonld", {"page_size": 2}), "jsonld")
    second = graph_of(
        client.get("/catalog.jsonld", {"page": 2, "page_size": 2}), "jsonld"
    )

    base = "http://testserver/catalog.jsonld"
    view = URIRef(f"{base}?page=1&page_size=2")
    catalog = URIRef("http://testserver/catalog")
    assert first.value(catalog, HYDRA.totalItems).toPython() == 3
    assert first.value(catalog, HYDRA.view) == view
    assert set(first.objects(view, RDF.type)) == {
        HYDRA.PartialCollectionView,
        HYDRA.PagedCollection,
    }
    assert first.value(view, HYDRA.next) == URIRef(f"{base}?page=2&page_size=2")
    assert first.value(view, HYDRA.nextPage) == URIRef(f"{base}?page=2&page_size=2")
    assert first.value(view, HYDRA.last) == URIRef(f"{base}?page=2&page_size=2")
    assert len(list(first.subjects(RDF.type, DCAT.Dataset))) == 2
    second_view = URIRef(f"{base}?page=2&page_size=2")
    assert second.value(second_view, HYDRA.next) is None
    assert second.value(second_view, HYDRA.previous) == URIRef(
        f"{base}?page=1&page_size=2"
    )
    assert len(list(second.subjects(RDF.type, DCAT.Dataset))) == 1


def test_udata_style_harvester_reads_the_pages(client, catalogue):
    from crig.catalog.ingest.dcat import parse_dcat

    page = parse_dcat(client.get("/catalog.rdf", {"page_size": 2}).content, "xml")

    assert sorted(r.identifier for r in page.records) == PUBLIC_IDENTIFIERS[:2]
    assert page.next_page_url == "http://testserver/catalog.rdf?page=2&page_size=2"


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        (
            {"page": "0"},
            HTTPStatus.BAD_REQUEST,
            "page must be a whole number of at least 1, not '0'.",
        ),
        (
            {"page": "x"},
            HTTPStatus.BAD_REQUEST,
            "page must be a whole number of at least 1, not 'x'.",
        ),
        (
            {"page_size": "-3"},
            HTTPStatus.BAD_REQUEST,
            "page_size must be a whole number of at least 1, not '-3'.",
        ),
        (
            {"page": "9"},
            HTTPStatus.NOT_FOUND,
            "No page 9: the catalogue has 1 page(s).",
        ),
    ],
)
def test_bad_pages(client, catalogue, params, status, message):
    response = client.get("/catalog.ttl", params)

    assert response.status_code == status
    assert response.content.decode() == message


@pytest.mark.parametrize(
    ("role", "count"),
    [
        (None, 3),
        ("plain_user", 3),
        ("member_user", 4),
        ("secretariat_user", 4),
        ("admin_user", 4),
    ],
)
def test_export_per_role(client, catalogue, request, role, count):
    if role:
        client.force_login(request.getfixturevalue(role))

    graph = graph_of(client.get("/catalog.ttl"), "ttl")

    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == count


@pytest.mark.django_db
@pytest.mark.parametrize("serialisation", ["ttl", "rdf", "jsonld"])
def test_harvested_urls_that_are_not_iris_are_encoded(client, serialisation):
    # Harvested URLs may hold braces, quotes or spaces, which rdflib refuses to
    # write as an IRI: one such record took the whole Turtle catalogue down.
    from crig.catalog.tests.factories import DatasetFactory

    DatasetFactory(
        licence="Licence maison",
        licence_url='http://example.org/licence/{id}"x y',
        producer_email="sig@example.org, dsi@example.org",
    )

    response = client.get(f"/catalog.{serialisation}")

    assert response.status_code == HTTPStatus.OK
    rdf_format = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}[serialisation]
    graph = Graph().parse(data=response.content, format=rdf_format)
    assert URIRef("http://example.org/licence/%7Bid%7D%22x%20y") in set(
        graph.objects(None, DCTERMS.license)
    )
    assert URIRef("mailto:sig@example.org,%20dsi@example.org") in set(
        graph.objects(None, Namespace("http://www.w3.org/2006/vcard/ns#").hasEmail)
    )
