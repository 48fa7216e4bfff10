"""OWSLib's ``Records`` browsing /ogcapi/ of a running instance."""

import pytest
from owslib.ogcapi.records import Records

from crig.catalog.tests import test_standards_support as support
from crig.catalog.tests.test_standards_support import PUBLIC_IDENTIFIERS

catalogue = support.catalogue
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def records(live_server, catalogue):
    return Records(f"{live_server.url}/ogcapi/", timeout=30)


def test_owslib_lists_the_record_collection(records):
    assert records.records() == ["catalog"]
    assert (
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/core"
        in records.conformance()["conformsTo"]
    )
    assert records.collection("catalog")["itemType"] == "record"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, PUBLIC_IDENTIFIERS),
        ({"q": "lidar"}, ["crig-lidar-34-2023"]),
        ({"q": "toulouse,hérault"}, ["crig-lidar-34-2023", "crig-pcrs-tm-2021"]),
        ({"bbox": [1.5, 43.75, 1.6, 43.8]}, ["crig-ortho-31-2022"]),
        ({"datetime_": "2022-05-01"}, ["crig-ortho-31-2022"]),
        ({"datetime_": "2023-06-01/.."}, ["crig-lidar-34-2023"]),
        ({"datetime_": "../2021-12-31"}, ["crig-pcrs-tm-2021"]),
        ({"q": "IGN", "bbox": [0, 42, 2, 44]}, ["crig-ortho-31-2022"]),
    ],
)
def test_owslib_searches_items(records, params, expected):
    page = records.collection_items("catalog", **params)

    assert [f["id"] for f in page["features"]] == expected
    assert page["numberMatched"] == len(expected)


def test_owslib_pages_through_items(records):
    first = records.collection_items("catalog", limit=2)
    second = records.collection_items("catalog", limit=2, offset=2)

    assert [f["id"] for f in first["features"]] == PUBLIC_IDENTIFIERS[:2]
    assert [link["rel"] for link in first["links"]].count("next") == 1
    assert [f["id"] for f in second["features"]] == PUBLIC_IDENTIFIERS[2:]
    assert "next" not in [link["rel"] for link in second["links"]]


def test_owslib_reads_one_record(records):
    record = records.collection_item("catalog", "crig-ortho-31-2022")

    assert record["properties"]["title"] == "Orthophotographie de la Haute-Garonne 2022"
    assert record["time"] == {"interval": ["2022-04-01", "2022-09-30"]}
