"""DCAT in RDF/XML, Turtle and JSON-LD read field by field (bundled samples)."""

from datetime import date
from pathlib import Path

import pytest

from crig.catalog.ingest.dcat import parse_dcat
from crig.catalog.ingest.errors import DocumentNotMetadata, DocumentUnreadable

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "dcat"


def read(name: str, hint=None):
    return parse_dcat((SAMPLES / name).read_bytes(), hint)


def test_rdf_xml_catalogue_fields():
    page = read("udata_catalog.xml")
    first = page.records[0]

    assert [r.identifier for r in page.records] == ["1", "2", "3", "4"]
    assert first.title == "Dataset 1"
    assert (first.producer_name, first.producer_email) == (
        "An Organization",
        "hello@its.me",
    )
    assert first.licence == "Licence Ouverte 1.0"
    assert first.document_format == "dcat"
    assert "dcat:Dataset" in first.document
    assert page.next_page_url is None


def test_hydra_paged_json_ld_gives_the_next_page():
    page = read("udata_paged-collection-1.jsonld")

    assert len(page.records) == 3
    assert page.next_page_url == "http://data.test.org/catalog.jsonld?page=2"
    assert read("udata_paged-collection-2.jsonld").next_page_url is None


def test_json_ld_with_graph_and_expanded_flat_json_ld():
    assert read("ckanext-dcat_catalog_with_at_graph.jsonld").records[0].licence == (
        "CC0 1.0"
    )
    assert [r.title for r in read("udata_flat.jsonld").records] == [
        "Dataset 1",
        "Dataset 2",
        "Dataset 3",
    ]


def test_multilingual_literals_prefer_french_then_english():
    record = read("ckanext-dcat_dataset_multilingual.ttl").records[0]

    assert record.title == "Test DCAT dataset"  # no French title: English
    assert [k.label for k in record.keywords] == [
        "Oaks",
        "Pines",
        "Pinos",
        "Pins",
        "Robles",
        "Roures",
    ]


def test_spatial_geometry_and_temporal_extent():
    record = read("udata_series.xml").records[0]

    assert record.level == "series"
    assert record.footprint.bounds == pytest.approx((1.4, 50.0, 2.36, 51.1))
    assert record.producer_email == "remy.cordier@ifremer.fr"


def test_german_dataset_with_nine_distributions_and_wkt_spatial():
    record = read("ckanext-dcat_dataset_gov_de.rdf").records[0]

    assert record.identifier == "c1be4007-d811-48fb-8818-2cb358b06a63"
    assert record.licence == "CC0 1.0"
    assert record.footprint is not None
    assert len(record.distributions) == 10


def test_same_document_hashes_the_same_twice():
    first = read("udata_catalog.xml").records[0]
    second = read("udata_catalog.xml").records[0]

    assert first.content_hash == second.content_hash


def test_dates_from_literals_rdflib_cannot_convert():
    record = read("udata_datara--f40c3860-7236-4b30-a141-23b8ae33f7b2.rdf.xml").records[
        0
    ]

    assert (record.created_on, record.revised_on) == (
        date(2020, 9, 8),
        date(2021, 1, 27),
    )
    assert record.year == 2021


def test_broken_turtle_is_unreadable():
    with pytest.raises(DocumentUnreadable, match="at line 158"):
        read("ckanext-dcat_dataset_INVALID-upstream-turtle-syntax.ttl")


def test_remote_json_ld_context_is_not_fetched():
    with pytest.raises(DocumentNotMetadata, match="remote @context"):
        read("udata_evian.json")


def test_rdf_without_datasets_is_not_metadata():
    with pytest.raises(DocumentNotMetadata) as caught:
        parse_dcat(
            b"@prefix dct: <http://purl.org/dc/terms/> . "
            b"<http://x.org/a> dct:title 'A' ."
        )

    assert caught.value.message == "The document describes no dcat:Dataset."


@pytest.mark.parametrize(
    "document",
    [
        # In a node, not at the top.
        b'{"@context": {"dct": "http://purl.org/dc/terms/"}, "@graph": [{"@id": '
        b'"http://x.org/1", "dct:publisher": {"@context": "http://127.0.0.1:9/c", '
        b'"@id": "http://x.org/p"}}]}',
        # Scoped in a term definition.
        b'{"@context": {"pub": {"@id": "http://purl.org/dc/terms/publisher", '
        b'"@context": "http://127.0.0.1:9/c"}}, "@id": "http://x.org/1", '
        b'"pub": {"@id": "http://x.org/p"}}',
        # A local file, imported from a nested context.
        b'{"@id": "http://x.org/1", "http://purl.org/dc/terms/publisher": '
        b'{"@context": {"@import": "file:///etc/passwd"}, "@id": "http://x.org/p"}}',
    ],
    ids=["node", "scoped", "nested-import"],
)
def test_remote_json_ld_context_anywhere_is_not_fetched(document):
    # rdflib fetches every remote context it meets: refused before it sees any.
    with pytest.raises(DocumentNotMetadata, match="remote @context"):
        parse_dcat(document, "application/ld+json")
