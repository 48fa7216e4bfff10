# ruff: noqa: E501  (sample file names, titles and XML kept on one line each)
"""ISO 19139 and ISO 19115-3 records read field by field (bundled samples)."""

from datetime import date
from pathlib import Path

import pytest

from crig.catalog.ingest.errors import DocumentNotMetadata, RecordInvalid
from crig.catalog.ingest.iso import parse_iso

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "iso19139"


def read(name: str):
    return parse_iso((SAMPLES / name).read_bytes())


def test_rennes_record_is_read_field_by_field():
    record = read("fr_rennes_metropole_53056e53.xml")

    assert record.identifier == "53056e53-854c-48c5-8908-0e0492f79c61"
    assert record.title == "Comités de secteur de Rennes Métropole"
    assert record.level == "dataset"
    assert record.language == "fre"
    assert record.producer_name == "Rennes Métropole - Service Information Géographique"
    assert record.producer_email == "sig@rennesmetropole.fr"
    assert record.created_on.year == 2015
    assert record.year == 2015
    assert record.resolution_m == 10.0
    assert (record.licence, record.licence_url) == (
        "ODbL 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    )
    assert ("inspire", "au") in [(k.kind, k.code) for k in record.keywords]
    assert [(d.kind, d.protocol) for d in record.distributions] == [
        ("wms", "OGC:WMS"),
        ("wfs", "OGC:WFS"),
        ("download", "WWW:DOWNLOAD-1.0-http--download"),
    ]
    assert record.document_format == "iso19139"
    assert record.document.startswith("<?xml")
    assert record.footprint_is_bbox is True


def test_ign_record_producer_licence_and_inspire_anchors():
    record = read("fr_extracted_geoplateforme-iso19139-IGNF_RPG_IGNF_RPG.xml")

    assert record.identifier == "IGNF_RPG"
    assert record.level == "series"
    assert record.producer_name == (
        "Institut national de l'information géographique et forestière (IGN-F)"
    )
    assert record.licence == "Licence Ouverte 2.0"
    inspire = sorted(k.code for k in record.keywords if k.kind == "inspire")
    assert inspire == ["af", "cp", "lc", "lu"]
    # Free keyword "occupation du sol" → référentiel rule (see ingest.records).
    assert record.referentiel == "occupation_du_sol"


def test_keywords_written_as_anchors_are_read():
    record = read("ie_marine_keywords_anchor.xml")

    assert [k.label for k in record.keywords][:3] == [
        "Atmospheric pressure",
        "Air temperature",
        "Salinity",
    ]
    assert (record.temporal_start, record.temporal_end) == (
        date(2009, 6, 14),
        date(2009, 6, 22),
    )
    assert record.year == 2009


def test_service_record_is_a_service():
    record = read("de_service_01ef8e6a_srv.xml")

    assert record.level == "service"
    assert record.distributions[0].kind == "wfs"


def test_iso_19115_3_record_is_read():
    record = read("iso19115-3/metawal.wallonie.be-catchments.xml")

    assert record.document_format == "iso19115-3"
    assert record.identifier == "74f81503-8d39-4ec8-a49a-c76e0cd74946"
    assert record.resource_identifier == "PROTECT_CAPT"
    assert record.title == "Protection des captages - Série"
    assert record.producer_name == "Service public de Wallonie (SPW)"
    assert record.language == "fre"
    assert record.published_on.year == 2022
    assert record.footprint is not None
    assert "wms" in [d.kind for d in record.distributions]


def test_iso_19115_3_cited_party_and_cc_by_licence():
    record = read("iso19115-3/auscope-3d-model.xml")

    assert record.licence == "CC-BY 4.0"
    assert record.licence_url == "https://creativecommons.org/licenses/by/4.0/"


def test_scale_and_temporal_extent_give_the_year():
    record = read("pycsw_apiso_T_ortho_RAS_1998_284404.xml")

    assert record.scale_denominator == 5000
    assert record.year == 1999
    assert record.footprint.bounds == pytest.approx(
        (21.478784, 39.76001, 21.527317, 39.790341)
    )


POLYGON_RECORD = """<?xml version="1.0" encoding="UTF-8"?>
<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"
  xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gml="http://www.opengis.net/gml">
  <gmd:fileIdentifier><gco:CharacterString>poly-1</gco:CharacterString></gmd:fileIdentifier>
  <gmd:hierarchyLevel><gmd:MD_ScopeCode codeListValue="dataset"/></gmd:hierarchyLevel>
  <gmd:identificationInfo><gmd:MD_DataIdentification>
    <gmd:citation><gmd:CI_Citation>
      <gmd:title><gco:CharacterString>PCRS de Toulouse Métropole</gco:CharacterString></gmd:title>
      <gmd:date><gmd:CI_Date><gmd:date><gco:Date>2023-04-02</gco:Date></gmd:date>
        <gmd:dateType><gmd:CI_DateTypeCode codeListValue="revision"/></gmd:dateType>
      </gmd:CI_Date></gmd:date>
    </gmd:CI_Citation></gmd:citation>
    <gmd:abstract><gco:CharacterString>Plan corps de rue.</gco:CharacterString></gmd:abstract>
    <gmd:resourceConstraints><gmd:MD_LegalConstraints>
      <gmd:otherConstraints><gco:CharacterString>Pas de restriction d'accès public</gco:CharacterString></gmd:otherConstraints>
      <gmd:otherConstraints><gco:CharacterString>Licence Ouverte Etalab v2.0</gco:CharacterString></gmd:otherConstraints>
    </gmd:MD_LegalConstraints></gmd:resourceConstraints>
    <gmd:extent><gmd:EX_Extent>
      <gmd:geographicElement><gmd:EX_GeographicBoundingBox>
        <gmd:westBoundLongitude><gco:Decimal>1.3</gco:Decimal></gmd:westBoundLongitude>
        <gmd:eastBoundLongitude><gco:Decimal>1.6</gco:Decimal></gmd:eastBoundLongitude>
        <gmd:southBoundLatitude><gco:Decimal>43.5</gco:Decimal></gmd:southBoundLatitude>
        <gmd:northBoundLatitude><gco:Decimal>43.7</gco:Decimal></gmd:northBoundLatitude>
      </gmd:EX_GeographicBoundingBox></gmd:geographicElement>
      <gmd:geographicElement><gmd:EX_BoundingPolygon><gmd:polygon>
        <gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing>
          <gml:posList>43.5 1.3 43.5 1.6 43.7 1.45 43.5 1.3</gml:posList>
        </gml:LinearRing></gml:exterior></gml:Polygon>
      </gmd:polygon></gmd:EX_BoundingPolygon></gmd:geographicElement>
    </gmd:EX_Extent></gmd:extent>
  </gmd:MD_DataIdentification></gmd:identificationInfo>
</gmd:MD_Metadata>
""".encode()


def test_bounding_polygon_in_lat_lon_order_becomes_the_footprint():
    record = parse_iso(POLYGON_RECORD)

    assert record.footprint_is_bbox is False
    assert record.footprint.geom_type == "Polygon"
    assert list(record.footprint.exterior.coords)[:3] == [
        (1.3, 43.5),
        (1.6, 43.5),
        (1.45, 43.7),
    ]
    assert record.referentiel == "pcrs"
    assert record.revised_on == date(2023, 4, 2)
    assert record.year == 2023
    assert record.licence == "Licence Ouverte 2.0"


def test_record_without_title_is_invalid():
    with pytest.raises(RecordInvalid, match="no title"):
        parse_iso(POLYGON_RECORD.replace("PCRS de Toulouse Métropole".encode(), b""))


def test_not_iso_is_refused():
    with pytest.raises(DocumentNotMetadata, match="root element Capabilities"):
        parse_iso(b"<Capabilities/>")
