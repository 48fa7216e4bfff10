"""CSW 2.0.2 at /csw, through the test client: operations, filters, paging, output
schemas, errors and hostile input, visibility per role."""

from http import HTTPStatus

import pytest
from lxml import etree

from crig.catalog.standards import repository
from crig.catalog.tests import test_standards_support as support
from crig.catalog.tests.test_standards_support import (
    PUBLIC_IDENTIFIERS,
    assert_golden,
    normalise,
)

catalogue = support.catalogue
stable_pages = support.stable_pages

NS = {
    "csw": "http://www.opengis.net/cat/csw/2.0.2",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dct": "http://purl.org/dc/terms/",
    "ows": "http://www.opengis.net/ows",
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
}
pytestmark = pytest.mark.django_db


def get(client, **params):
    return client.get("/csw", {"service": "CSW", "version": "2.0.2", **params})


def post(client, xml: str | bytes):
    return client.post("/csw", xml, content_type="application/xml")


def getrecords_xml(constraint: str = "", *, extra: str = "", esn="brief", **attributes):
    attrs = " ".join(f'{k}="{v}"' for k, v in attributes.items())
    constraint_xml = (
        f'<csw:Constraint version="1.1.0"><ogc:Filter>{constraint}</ogc:Filter>'
        "</csw:Constraint>"
        if constraint
        else ""
    )
    return (
        '<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
        'xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml" '
        f'service="CSW" version="2.0.2" resultType="results" {attrs}>'
        f'<csw:Query typeNames="csw:Record"><csw:ElementSetName>{esn}'
        f"</csw:ElementSetName>{constraint_xml}{extra}</csw:Query></csw:GetRecords>"
    )


def identifiers(response) -> list[str]:
    root = etree.fromstring(response.content)
    return [e.text for e in root.iterfind(".//dc:identifier", NS)] + [
        e.text for e in root.iterfind(".//gmd:fileIdentifier/gco:CharacterString", NS)
    ]


def results(response) -> dict:
    root = etree.fromstring(response.content)
    element = root.find("csw:SearchResults", NS)
    return {
        k: element.get(k)
        for k in ("numberOfRecordsMatched", "numberOfRecordsReturned", "nextRecord")
    }


def exception(response) -> tuple[str, str | None]:
    root = etree.fromstring(response.content)
    element = root.find("ows:Exception", NS)
    return element.get("exceptionCode"), element.get("locator")


def test_get_capabilities_golden(client):
    response = get(client, request="GetCapabilities")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert_golden("csw_GetCapabilities.xml", response.content.decode())


def test_get_records_dublin_core_golden(client, catalogue, stable_pages):
    response = post(client, getrecords_xml(esn="full", maxRecords="10"))

    assert response.status_code == HTTPStatus.OK
    assert_golden("csw_GetRecords_dc_full.xml", normalise(response.content.decode()))


def test_get_records_iso_golden(client, catalogue, stable_pages):
    response = post(
        client,
        getrecords_xml(
            esn="full", outputSchema="http://www.isotc211.org/2005/gmd", maxRecords="2"
        ),
    )

    assert response.status_code == HTTPStatus.OK
    assert_golden("csw_GetRecords_iso_full.xml", normalise(response.content.decode()))


def test_get_records_iso_full_serves_the_harvested_iso_document(client, catalogue):
    from crig.catalog.tests.factories import ProvenanceFactory

    document = (
        '<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" '
        'xmlns:gco="http://www.isotc211.org/2005/gco"><gmd:fileIdentifier>'
        "<gco:CharacterString>crig-pcrs-tm-2021</gco:CharacterString>"
        "</gmd:fileIdentifier><gmd:parentIdentifier><gco:CharacterString>verbatim"
        "</gco:CharacterString></gmd:parentIdentifier></gmd:MD_Metadata>"
    )
    ProvenanceFactory(dataset=catalogue["pcrs"], document=document)

    response = get(
        client,
        request="GetRecordById",
        id="crig-pcrs-tm-2021,crig-ortho-31-2022",
        outputSchema="http://www.isotc211.org/2005/gmd",
        elementSetName="full",
    )

    root = etree.fromstring(response.content)
    records = root.findall("gmd:MD_Metadata", NS)
    assert [
        r.findtext("gmd:fileIdentifier/gco:CharacterString", namespaces=NS)
        for r in records
    ] == [
        "crig-pcrs-tm-2021",
        "crig-ortho-31-2022",
    ]
    assert (
        records[0].findtext("gmd:parentIdentifier/gco:CharacterString", namespaces=NS)
        == "verbatim"
    )
    assert records[1].find("gmd:identificationInfo", NS) is not None


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (
            "<ogc:PropertyIsLike wildCard='%' singleChar='_' escapeChar='\\'>"
            "<ogc:PropertyName>csw:AnyText</ogc:PropertyName>"
            "<ogc:Literal>%orthophotographies%</ogc:Literal></ogc:PropertyIsLike>",
            ["crig-ortho-31-2022"],
        ),
        (
            "<ogc:PropertyIsLike wildCard='*' singleChar='?' escapeChar='!'>"
            "<ogc:PropertyName>dc:title</ogc:PropertyName>"
            "<ogc:Literal>pcrs*</ogc:Literal></ogc:PropertyIsLike>",
            ["crig-pcrs-tm-2021"],
        ),
        (
            "<ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:Subject</ogc:PropertyName>"
            "<ogc:Literal>lidar</ogc:Literal></ogc:PropertyIsEqualTo>",
            ["crig-lidar-34-2023"],
        ),
        (
            "<ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyName>apiso:Modified"
            "</ogc:PropertyName><ogc:Literal>2023-01-10</ogc:Literal>"
            "</ogc:PropertyIsGreaterThanOrEqualTo>",
            ["crig-lidar-34-2023", "crig-ortho-31-2022"],
        ),
        (
            "<ogc:PropertyIsLessThan><ogc:PropertyName>apiso:TempExtent_end"
            "</ogc:PropertyName><ogc:Literal>2022-12-31</ogc:Literal>"
            "</ogc:PropertyIsLessThan>",
            ["crig-ortho-31-2022"],
        ),
        (
            "<ogc:Or><ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:PublicationDate"
            "</ogc:PropertyName><ogc:Literal>2021-11-02</ogc:Literal>"
            "</ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>"
            "apiso:CreationDate</ogc:PropertyName><ogc:Literal>2023-02-01</ogc:Literal>"
            "</ogc:PropertyIsEqualTo></ogc:Or>",
            ["crig-lidar-34-2023", "crig-pcrs-tm-2021"],
        ),
        (
            "<ogc:Not><ogc:PropertyIsLike wildCard='%' singleChar='_' escapeChar='\\'>"
            "<ogc:PropertyName>apiso:Title</ogc:PropertyName>"
            "<ogc:Literal>%Haute-Garonne%</ogc:Literal></ogc:PropertyIsLike></ogc:Not>",
            ["crig-lidar-34-2023", "crig-pcrs-tm-2021"],
        ),
        (
            "<ogc:And><ogc:PropertyIsLike wildCard='%' singleChar='_' escapeChar='\\'>"
            "<ogc:PropertyName>csw:AnyText</ogc:PropertyName><ogc:Literal>%IGN%"
            "</ogc:Literal></ogc:PropertyIsLike><ogc:BBOX><ogc:PropertyName>"
            "ows:BoundingBox</ogc:PropertyName><gml:Envelope srsName='EPSG:4326'>"
            "<gml:lowerCorner>3 43</gml:lowerCorner><gml:upperCorner>4 44"
            "</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:And>",
            ["crig-lidar-34-2023"],
        ),
    ],
)
def test_get_records_filter_encoding(client, catalogue, constraint, expected):
    response = post(client, getrecords_xml(constraint))

    assert response.status_code == HTTPStatus.OK, response.content
    assert identifiers(response) == expected


@pytest.mark.parametrize(
    ("envelope", "expected"),
    [
        # Latitude first (URN): the corner of the triangle's bbox, outside the
        # triangle itself; pycsw would round and match it, an exact test does not.
        (
            "<gml:Envelope srsName='urn:ogc:def:crs:EPSG::4326'><gml:lowerCorner>"
            "43.75 1.5</gml:lowerCorner><gml:upperCorner>43.8 1.6</gml:upperCorner>"
            "</gml:Envelope>",
            ["crig-ortho-31-2022"],
        ),
        # The same box, longitude first.
        (
            "<gml:Envelope srsName='EPSG:4326'><gml:lowerCorner>1.5 43.75"
            "</gml:lowerCorner><gml:upperCorner>1.6 43.8</gml:upperCorner>"
            "</gml:Envelope>",
            ["crig-ortho-31-2022"],
        ),
        # A box touching the triangle's inside.
        (
            "<gml:Envelope srsName='EPSG:4326'><gml:lowerCorner>1.25 43.52"
            "</gml:lowerCorner><gml:upperCorner>1.3 43.55</gml:upperCorner>"
            "</gml:Envelope>",
            ["crig-ortho-31-2022", "crig-pcrs-tm-2021"],
        ),
        # No srsName: EPSG:4326 in GML's axis order, latitude first (as pycsw).
        (
            "<gml:Envelope><gml:lowerCorner>43.3 3.0</gml:lowerCorner>"
            "<gml:upperCorner>43.5 3.2</gml:upperCorner></gml:Envelope>",
            ["crig-lidar-34-2023"],
        ),
    ],
)
def test_get_records_bbox_is_exact(client, catalogue, envelope, expected):
    constraint = (
        "<ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>"
        f"{envelope}</ogc:BBOX>"
    )

    response = post(client, getrecords_xml(constraint))

    assert identifiers(response) == expected


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("AnyText LIKE '%altimétrie%'", ["crig-lidar-34-2023"]),
        (
            "dc:title LIKE 'Ortho%' OR apiso:Subject = 'PCRS'",
            ["crig-ortho-31-2022", "crig-pcrs-tm-2021"],
        ),
        (
            "apiso:RevisionDate > '2022-12-31' AND NOT dc:title = 'x'",
            ["crig-ortho-31-2022"],
        ),
        ("BBOX(ows:BoundingBox, 1.5, 43.75, 1.6, 43.8)", ["crig-ortho-31-2022"]),
        (
            "apiso:TempExtent_begin BETWEEN '2022-01-01' AND '2023-06-30'",
            ["crig-lidar-34-2023", "crig-ortho-31-2022"],
        ),
    ],
)
def test_get_records_cql_in_get(client, catalogue, cql, expected):
    response = get(
        client,
        request="GetRecords",
        typeNames="csw:Record",
        elementSetName="brief",
        resultType="results",
        constraintLanguage="CQL_TEXT",
        constraint=cql,
    )

    assert response.status_code == HTTPStatus.OK, response.content
    assert identifiers(response) == expected


def test_get_records_paging_and_hits(client, catalogue):
    first = get(client, request="GetRecords", typeNames="csw:Record", maxRecords="2")
    second = get(
        client,
        request="GetRecords",
        typeNames="csw:Record",
        maxRecords="2",
        startPosition="3",
    )
    hits = get(client, request="GetRecords", typeNames="csw:Record", resultType="hits")

    assert results(first) == {
        "numberOfRecordsMatched": "3",
        "numberOfRecordsReturned": "2",
        "nextRecord": "3",
    }
    assert identifiers(first) == PUBLIC_IDENTIFIERS[:2]
    assert results(second) == {
        "numberOfRecordsMatched": "3",
        "numberOfRecordsReturned": "1",
        "nextRecord": "0",
    }
    assert identifiers(second) == PUBLIC_IDENTIFIERS[2:]
    assert results(hits)["numberOfRecordsMatched"] == "3"
    assert results(hits)["numberOfRecordsReturned"] == "0"
    assert identifiers(hits) == []


def test_get_records_huge_max_records_is_capped(client, catalogue, monkeypatch):
    from crig.catalog.standards import csw

    monkeypatch.setattr(csw, "MAX_RECORDS", 2)

    response = get(
        client, request="GetRecords", typeNames="csw:Record", maxRecords="1000000"
    )

    assert results(response) == {
        "numberOfRecordsMatched": "3",
        "numberOfRecordsReturned": "2",
        "nextRecord": "3",
    }


def test_get_records_sort_by(client, catalogue):
    by_date = get(
        client, request="GetRecords", typeNames="csw:Record", sortBy="apiso:Modified:A"
    )
    sort_xml = (
        "<ogc:SortBy><ogc:SortProperty><ogc:PropertyName>dc:title</ogc:PropertyName>"
        "<ogc:SortOrder>DESC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>"
    )
    by_title = post(client, getrecords_xml(extra=sort_xml))

    assert identifiers(by_date) == [
        "crig-pcrs-tm-2021",
        "crig-ortho-31-2022",
        "crig-lidar-34-2023",
    ]
    assert identifiers(by_title) == [
        "crig-pcrs-tm-2021",
        "crig-ortho-31-2022",
        "crig-lidar-34-2023",
    ]


def test_describe_record(client):
    response = get(client, request="DescribeRecord", typeName="csw:Record")

    root = etree.fromstring(response.content)
    assert response.status_code == HTTPStatus.OK
    assert root.tag == f"{{{NS['csw']}}}DescribeRecordResponse"
    assert root.find("csw:SchemaComponent", NS).get("targetNamespace") == NS["csw"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"service": "CSW"}, ("MissingParameterValue", "request")),
        ({"request": "GetCapabilities"}, ("MissingParameterValue", "service")),
        (
            {"service": "WMS", "request": "GetCapabilities"},
            ("InvalidParameterValue", "service"),
        ),
        (
            {"service": "CSW", "request": "GetCapabilitiese"},
            ("OperationNotSupported", "request"),
        ),
        (
            {"service": "CSW", "version": "2.0.2", "request": "GetRecordById"},
            ("MissingParameterValue", "id"),
        ),
        (
            {"service": "CSW", "version": "3.0.0", "request": "GetRecords"},
            ("InvalidParameterValue", "version"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "outputSchema": "http://www.opengis.net/cat/csw/csdgm",
            },
            ("InvalidParameterValue", "outputSchema"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "maxRecords": "ten",
            },
            ("InvalidParameterValue", "maxRecords"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "startPosition": "0",
            },
            ("InvalidParameterValue", "startPosition"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "resultType": "validate",
            },
            ("InvalidParameterValue", "resultType"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "typeNames": "dif:DIF",
            },
            ("InvalidParameterValue", "typeNames"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "elementSetName": "huge",
            },
            ("InvalidParameterValue", "ElementSetName"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "constraintLanguage": "CQL_TEXT",
                "constraint": "dc:title = ",
            },
            ("InvalidParameterValue", "constraint"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "constraintLanguage": "CQL_TEXT",
                "constraint": "dc:colour = 'red'",
            },
            ("InvalidParameterValue", "constraint"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "constraintLanguage": "CQL_TEXT",
                "constraint": "BBOX(ows:BoundingBox, 1, 2, 0, 3)",
            },
            ("InvalidParameterValue", "constraint"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "constraintLanguage": "CQL_TEXT",
                "constraint": "apiso:Modified > 'yesterday'",
            },
            ("InvalidParameterValue", "constraint"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "constraintLanguage": "SQL",
                "constraint": "1=1",
            },
            ("InvalidParameterValue", "constraintLanguage"),
        ),
        (
            {
                "service": "CSW",
                "version": "2.0.2",
                "request": "GetRecords",
                "sortBy": "dc:colour:A",
            },
            ("InvalidParameterValue", "sortBy"),
        ),
    ],
)
def test_bad_get_requests_answer_an_exception_report(
    client, catalogue, params, expected
):
    response = client.get("/csw", params)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert exception(response) == expected


CSW = 'xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"'
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<csw:GetRecords {CSW}>
<csw:Query typeNames="csw:Record">
<csw:ElementSetName>&lol3;</csw:ElementSetName></csw:Query>
</csw:GetRecords>"""
EXTERNAL_ENTITY = f"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<csw:GetRecordById {CSW}>
<csw:Id>&xxe;</csw:Id></csw:GetRecordById>"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">
<csw:GetCapabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW"/>"""


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        EXTERNAL_DTD,
        BILLION_LAUGHS.encode("utf-16"),
        "<csw:GetRecords xmlns:csw='http://www.opengis.net/cat/csw/2.0.2'>",
        "",
        "service=CSW&request=GetCapabilities",
        "<GetRecords/>",
        "<csw:Harvest xmlns:csw='http://www.opengis.net/cat/csw/2.0.2' service='CSW'/>",
    ],
)
def test_hostile_or_broken_posts_are_refused(client, catalogue, body):
    response = post(client, body)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    code, _ = exception(response)
    assert code in ("NoApplicableCode", "OperationNotSupported")
    assert b"root:" not in response.content


def test_oversized_post_is_refused_before_reading(client, monkeypatch):
    from crig.catalog.standards import csw

    monkeypatch.setattr(csw, "MAX_REQUEST_BYTES", 100)

    response = post(client, getrecords_xml())

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert exception(response) == ("NoApplicableCode", None)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, PUBLIC_IDENTIFIERS),
        ("plain_user", PUBLIC_IDENTIFIERS),
        ("member_user", ["crig-erp-31-restricted", *PUBLIC_IDENTIFIERS]),
        ("secretariat_user", ["crig-erp-31-restricted", *PUBLIC_IDENTIFIERS]),
        ("admin_user", ["crig-erp-31-restricted", *PUBLIC_IDENTIFIERS]),
    ],
)
def test_visibility_per_role(
    client, catalogue, request, role, expected, other_organisation
):
    if role is not None:
        client.force_login(request.getfixturevalue(role))

    listed = get(
        client, request="GetRecords", typeNames="csw:Record", elementSetName="brief"
    )
    by_id = get(
        client, request="GetRecordById", id="crig-erp-31-restricted,crig-ortho-31-2016"
    )

    assert identifiers(listed) == expected
    assert identifiers(by_id) == (
        ["crig-erp-31-restricted"] if "crig-erp-31-restricted" in expected else []
    )


def test_member_of_another_organisation_does_not_see_restricted_records(
    client, catalogue, other_organisation
):
    from crig.members.tests.factories import MembershipFactory

    outsider = MembershipFactory(organisation=other_organisation).person
    client.force_login(outsider)

    response = get(client, request="GetRecords", typeNames="csw:Record")

    assert identifiers(response) == PUBLIC_IDENTIFIERS


def test_bearer_token_opens_restricted_records(client, catalogue, member_user):
    from crig.members.services import api_token_create

    _, secret = api_token_create(user=member_user, name="gis")

    response = client.get(
        "/csw",
        {
            "service": "CSW",
            "version": "2.0.2",
            "request": "GetRecordById",
            "id": "crig-erp-31-restricted",
        },
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    assert identifiers(response) == ["crig-erp-31-restricted"]


def test_records_link_to_their_landing_page(client, catalogue):
    response = get(
        client, request="GetRecordById", id="crig-ortho-31-2022", elementSetName="full"
    )

    root = etree.fromstring(response.content)
    references = [e.text for e in root.iterfind(".//dct:references", NS)]
    page = repository.dataset_page_path(catalogue["ortho"])
    assert f"http://testserver{page}" in references


def test_revoked_or_wrong_bearer_token_is_refused(client, catalogue):
    response = client.get(
        "/csw",
        {"service": "CSW", "request": "GetCapabilities"},
        HTTP_AUTHORIZATION="Bearer not-a-token",
    )

    assert response.status_code == HTTPStatus.UNAUTHORIZED
