"""The ISO reader made faster (round 5 of the harvest performance work) reads
every document exactly as the previous reader did: the bundled samples, the
records of the bundled CSW responses, generated catalogue records, and documents
built to reach the corners the speed-ups touch (several bounding boxes, flat
ones, a first path that leads nowhere, comments between elements).

The previous reader is kept in ``harvest_perf_reference_iso`` for this."""

import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from crig.catalog import generate
from crig.catalog.ingest import iso
from crig.catalog.ingest import records as rules
from crig.catalog.ingest.errors import DocumentError
from crig.catalog.ingest.records import KeywordData
from crig.catalog.ingest.safexml import parse_xml
from crig.catalog.tests import harvest_perf_reference_iso as reference

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _snapshot(record) -> dict:
    """Every field of a ``RecordData``, the footprint as its exact WKB."""
    values = dataclasses.asdict(record)
    footprint = values.pop("footprint")
    values["footprint"] = None if footprint is None else footprint.wkb_hex
    return values


def _outcome(read, root):
    try:
        return "record", _snapshot(read(root, document=""))
    except DocumentError as exc:
        return type(exc).__name__, str(exc)


def _assert_same(root):
    assert _outcome(iso.parse_iso_element, root) == _outcome(
        reference.parse_iso_element, root
    )


def _metadata_elements(path: Path) -> list:
    root = parse_xml(path.read_bytes())
    if iso.schema_of(root) is not None:
        return [root]
    return [element for element in root.iter() if iso.schema_of(element) is not None]


SAMPLE_FILES = sorted(
    path.relative_to(SAMPLES).as_posix()
    for folder in ("iso19139", "csw")
    for path in (SAMPLES / folder).rglob("*.xml")
)


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_samples_read_as_before(name):
    for element in _metadata_elements(SAMPLES / name):
        _assert_same(element)


def test_the_samples_hold_records():
    """The comparison above is not vacuous."""
    count = sum(len(_metadata_elements(SAMPLES / name)) for name in SAMPLE_FILES)
    assert count >= 30


@pytest.mark.django_db
def test_generated_records_read_as_before(territory):
    snapshot = generate.territory_from_database()
    for record in generate.catalogue_records(snapshot, count=300, seed=5):
        _assert_same(parse_xml(generate.iso19139_document(record)))


# -- Documents built for the corners ----

GMD = "http://www.isotc211.org/2005/gmd"
TEMPLATE = """<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"
 xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gml="http://www.opengis.net/gml">
<gmd:fileIdentifier><gco:CharacterString>corner</gco:CharacterString></gmd:fileIdentifier>
<gmd:identificationInfo><gmd:MD_DataIdentification>
{citations}
<gmd:abstract><gco:CharacterString>Résumé</gco:CharacterString></gmd:abstract>
<gmd:extent><gmd:EX_Extent>{boxes}</gmd:EX_Extent></gmd:extent>
{extra}
</gmd:MD_DataIdentification></gmd:identificationInfo>
</gmd:MD_Metadata>"""
CITATION = """<gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>{title}
</gco:CharacterString></gmd:title></gmd:CI_Citation></gmd:citation>"""
BOX = """<gmd:geographicElement><gmd:EX_GeographicBoundingBox>
<gmd:westBoundLongitude><gco:Decimal>{}</gco:Decimal></gmd:westBoundLongitude>
<gmd:eastBoundLongitude><gco:Decimal>{}</gco:Decimal></gmd:eastBoundLongitude>
<gmd:southBoundLatitude><gco:Decimal>{}</gco:Decimal></gmd:southBoundLatitude>
<gmd:northBoundLatitude><gco:Decimal>{}</gco:Decimal></gmd:northBoundLatitude>
</gmd:EX_GeographicBoundingBox></gmd:geographicElement>"""
POLYGON = """<gmd:geographicElement><gmd:EX_BoundingPolygon><gmd:polygon>
<gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing>
<gml:posList>43.1 1.1 43.1 1.4 43.3 1.4 43.1 1.1</gml:posList></gml:LinearRing>
</gml:exterior></gml:Polygon></gmd:polygon></gmd:EX_BoundingPolygon>
</gmd:geographicElement>"""


def _document(*, boxes=(), citations=None, polygon=False, extra=""):
    citations = citations or [CITATION.format(title="Orthophotographie 2021")]
    parts = [BOX.format(*box) for box in boxes] + ([POLYGON] if polygon else [])
    return etree.fromstring(
        TEMPLATE.format(
            citations="".join(citations), boxes="".join(parts), extra=extra
        ).encode()
    )


@pytest.mark.parametrize(
    "boxes",
    [
        [],
        [(1.0, 2.0, 43.0, 44.0)],
        [(1.0, 2.0, 43.0, 44.0), (1.5, 3.0, 42.5, 43.5)],  # overlapping
        [(1.0, 2.0, 43.0, 44.0), (5.0, 6.0, 45.0, 46.0)],  # disjoint
        [(1.0, 1.0, 43.0, 44.0)],  # flat: a line
        [(1.0, 1.0, 43.0, 43.0)],  # a point
        [(1.0, 1.0, 43.0, 44.0), (1.0, 2.0, 43.0, 44.0)],
        [(1.0, 2.0, 44.0, 43.0)],  # south and north swapped
        [(2.0, 1.0, 43.0, 44.0)],  # west east of east
        [(1.0, 200.0, 43.0, 44.0), (1.0, 2.0, 43.0, 44.0)],  # one out of range
        [("", 2.0, 43.0, 44.0)],
        [("1,5", "2,25", "43", "44")],  # decimal commas
    ],
)
@pytest.mark.parametrize("polygon", [False, True])
def test_bounding_boxes_read_as_before(boxes, polygon):
    _assert_same(_document(boxes=boxes, polygon=polygon))


def test_a_first_path_leading_nowhere_is_passed_over_as_before():
    """``first("citation/CI_Citation")`` finds the CI_Citation of the second
    citation when the first has none, as ``find`` does."""
    root = _document(
        citations=[
            "<gmd:citation/><!-- a comment --><?pi here?>",
            CITATION.format(title="Second citation"),
        ]
    )
    _assert_same(root)
    assert iso.parse_iso_element(root).title == "Second citation"


def test_elements_in_other_namespaces_are_read_as_before():
    """Local names match in any namespace (or none), ``*`` any element."""
    root = _document(
        extra='<x:descriptiveKeywords xmlns:x="urn:other"><MD_Keywords><keyword>'
        "<CharacterString>LIDAR HD</CharacterString></keyword></MD_Keywords>"
        "</x:descriptiveKeywords>"
    )
    _assert_same(root)
    assert [k.label for k in iso.parse_iso_element(root).keywords][0] == "LIDAR HD"


def test_first_and_walk_agree_with_lxml_find():
    root = parse_xml(
        (SAMPLES / "iso19139" / "fr_rennes_metropole_53056e53.xml").read_bytes()
    )
    paths = [
        "identificationInfo/*",
        "identificationInfo/*/citation/CI_Citation/date/CI_Date",
        "identificationInfo/*/descriptiveKeywords/MD_Keywords/keyword",
        "contact/CI_ResponsibleParty/contactInfo/CI_Contact/address/*/*",
        "nothing/here",
        "*",
        "*/*",
    ]
    for path in paths:
        element_path = "/".join(p if p == "*" else "{*}" + p for p in path.split("/"))
        assert iso.walk(root, path) == root.findall(element_path), path
        assert iso.first(root, path) is root.find(element_path), path
    assert len(iso.walk(root, paths[2])) > 3


# -- The référentiel rule ----


def test_referentiel_rule_gives_what_it_gave():
    texts = [
        "Orthophotographie 20 cm de l'Aude 2021",
        "PCRS image de Toulouse Métropole",
        "LIDAR HD bloc NQ",
        "Adresses de la commune",
        "Base adresse locale",
        "Établissements recevant du public",
        "Interpolation des ERP",
        "Banque de données",
        "OCS GE Hérault",
        "Plan local d'urbanisme",
        "",
    ]
    labels = [*texts, "BAN", "bal", "points adresses", "orthophoto", "adresses"]
    keyword_sets = [[]] + [
        [KeywordData(kind, rules.keyword_code(label), label) for label in labels[i:]]
        for i in range(len(labels))
        for kind in (rules.FREE, rules.INSPIRE)
    ]
    for title in texts:
        for keywords in keyword_sets:
            assert rules.detect_referentiel(
                title, keywords
            ) == reference.detect_referentiel(title, keywords), (title, keywords)
