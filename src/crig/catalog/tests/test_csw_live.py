"""OWSLib's ``CatalogueServiceWeb`` browsing /csw of a running instance, and the
round trip: harvesting our own /csw into a second source."""

import pytest
from owslib.catalogue.csw2 import CatalogueServiceWeb
from owslib.fes import BBox, PropertyIsLike

from crig.catalog.models import Dataset
from crig.catalog.tests import test_standards_support as support
from crig.catalog.tests.test_standards_support import PUBLIC_IDENTIFIERS

catalogue = support.catalogue
GMD = "http://www.isotc211.org/2005/gmd"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def csw(live_server, catalogue):
    return CatalogueServiceWeb(f"{live_server.url}/csw", timeout=30)


def test_owslib_reads_the_capabilities(csw, live_server):
    assert csw.identification.type == "CSW"
    assert csw.identification.version == "2.0.2"
    assert [op.name for op in csw.operations] == [
        "GetCapabilities",
        "DescribeRecord",
        "GetRecords",
        "GetRecordById",
    ]
    get_records = csw.get_operation_by_name("GetRecords")
    assert get_records.parameters["outputSchema"]["values"] == [
        "http://www.opengis.net/cat/csw/2.0.2",
        GMD,
    ]
    assert get_records.methods[1]["url"] == f"{live_server.url}/csw"


def test_owslib_getrecords2_anytext_like(csw):
    csw.getrecords2(
        constraints=[PropertyIsLike("csw:AnyText", "%orthophotographie%")],
        esn="full",
    )

    assert list(csw.records) == ["crig-ortho-31-2022"]
    record = csw.records["crig-ortho-31-2022"]
    assert record.title == "Orthophotographie de la Haute-Garonne 2022"
    assert (record.bbox.minx, record.bbox.miny, record.bbox.maxx, record.bbox.maxy) == (
        "0.44",
        "42.69",
        "1.95",
        "43.92",
    )
    assert record.subjects == [
        "Ortho-imagerie",
        "photographie aérienne",
        "Orthophotographie",
    ]


def test_owslib_getrecords2_bbox_is_exact(csw):
    # Latitude first, as QGIS MetaSearch sends it.
    csw.getrecords2(
        constraints=[BBox([43.75, 1.5, 43.8, 1.6], crs="urn:ogc:def:crs:EPSG::4326")]
    )

    assert list(csw.records) == ["crig-ortho-31-2022"]


def test_owslib_getrecords2_anytext_and_bbox(csw):
    csw.getrecords2(
        constraints=[
            [
                PropertyIsLike("csw:AnyText", "%IGN%"),
                BBox([43.0, 3.0, 44.0, 4.0], crs="urn:ogc:def:crs:EPSG::4326"),
            ]
        ]
    )

    assert list(csw.records) == ["crig-lidar-34-2023"]


def test_owslib_hits_and_paging(csw):
    csw.getrecords2(resulttype="hits")
    hits = dict(csw.results)
    seen = []
    position = 1
    while position:
        csw.getrecords2(startposition=position, maxrecords=2)
        seen += list(csw.records)
        position = csw.results["nextrecord"]

    assert hits["matches"] == 3
    assert hits["returned"] == 0
    assert seen == PUBLIC_IDENTIFIERS


def test_owslib_getrecordbyid_iso(csw):
    csw.getrecordbyid(["crig-lidar-34-2023"], outputschema=GMD)

    record = csw.records["crig-lidar-34-2023"]
    assert record.identifier == "crig-lidar-34-2023"
    assert record.identification[0].title == "LIDAR HD de l'Hérault"
    assert record.identification[0].bbox.minx == "2.53"
    assert record.identification[0].temporalextent_start == "2023-01-01"


def test_owslib_getrecords2_iso(csw):
    csw.getrecords2(outputschema=GMD, esn="full", maxrecords=10)

    assert list(csw.records) == PUBLIC_IDENTIFIERS
    ortho = csw.records["crig-ortho-31-2022"]
    assert [d.date for d in ortho.identification[0].date] == [
        "2022-03-01",
        "2022-06-15",
        "2023-01-10",
    ]
    assert ortho.distribution.online[0].protocol == "OGC:WMS"


def test_round_trip_harvests_our_own_csw(
    live_server, territory, catalogue, secretariat_user
):
    from crig.catalog.services.harvest import harvest_source, harvest_source_create

    source = harvest_source_create(
        name="crig-lui-meme",
        kind="csw",
        url=f"{live_server.url}/csw",
        page_size=2,
        by=secretariat_user,
    )

    run = harvest_source(source=source, by=secretariat_user)

    assert (run.status, run.error) == ("succeeded", "")
    harvested = Dataset.objects.filter(provenances__source=source).order_by(
        "identifier"
    )
    assert [
        (d.identifier, d.title, d.min_lon, d.min_lat, d.max_lon, d.max_lat)
        for d in harvested
    ] == [
        (d.identifier, d.title, d.min_lon, d.min_lat, d.max_lon, d.max_lat)
        for d in sorted(
            (catalogue[k] for k in ("lidar", "ortho", "pcrs")),
            key=lambda d: d.identifier,
        )
    ]
