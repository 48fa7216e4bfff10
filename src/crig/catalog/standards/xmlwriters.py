"""Records as XML: Dublin Core (``csw:Record`` and its brief and summary forms) and
ISO 19139 (``gmd:MD_Metadata``), generated from a ``CatalogRecord``. Pure lxml."""

from datetime import date

from lxml import etree

from crig.catalog.standards.records import CatalogRecord, RecordLink, format_number

NS = {
    "csw": "http://www.opengis.net/cat/csw/2.0.2",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dct": "http://purl.org/dc/terms/",
    "ows": "http://www.opengis.net/ows",
    "ogc": "http://www.opengis.net/ogc",
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "gml": "http://www.opengis.net/gml/3.2",
    "srv": "http://www.isotc211.org/2005/srv",
    "xlink": "http://www.w3.org/1999/xlink",
    "xs": "http://www.w3.org/2001/XMLSchema",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
CSW_SCHEMA = NS["csw"]
ISO_SCHEMA = NS["gmd"]
# pycsw and most clients write WGS84 boxes with this CRS, latitude first.
OWS_BBOX_CRS = "urn:x-ogc:def:crs:EPSG:6.11:4326"
CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"

PROTOCOLS = {
    "wms": "OGC:WMS",
    "wfs": "OGC:WFS",
    "wmts": "OGC:WMTS",
    "ogcapi": "OGC:API",
    "download": "WWW:DOWNLOAD-1.0-http--download",
    "web": "WWW:LINK-1.0-http--link",
    "other": "WWW:LINK-1.0-http--link",
}
LANGUAGES_639_2 = {"fr": "fre", "en": "eng", "de": "ger", "es": "spa", "it": "ita"}


def qname(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def sub(parent, tag: str, text: str | None = None, /, **attributes) -> etree._Element:
    element = etree.SubElement(
        parent,
        qname(tag),
        {qname(k) if ":" in k else k: v for k, v in attributes.items()},
    )
    if text is not None:
        element.text = text
    return element


def link_protocol(link: RecordLink) -> str:
    return link.protocol or PROTOCOLS.get(link.kind, PROTOCOLS["other"])


def absolute(base_url: str, url: str) -> str:
    return f"{base_url}{url}" if url.startswith("/") else url


# --- Dublin Core --------------------------------------------------------------


def dublin_core(record: CatalogRecord, element_set: str, base_url: str):
    """``csw:BriefRecord``, ``csw:SummaryRecord`` or ``csw:Record``."""
    tag = {"brief": "csw:BriefRecord", "summary": "csw:SummaryRecord"}.get(
        element_set, "csw:Record"
    )
    root = etree.Element(qname(tag))
    sub(root, "dc:identifier", record.identifier)
    sub(root, "dc:title", record.title)
    sub(root, "dc:type", record.level)
    if element_set != "brief":
        for keyword in record.keywords:
            attributes = {"scheme": keyword.thesaurus} if keyword.thesaurus else {}
            sub(root, "dc:subject", keyword.label, **attributes)
        for media_type in dict.fromkeys(
            link.media_type for link in record.links if link.media_type
        ):
            sub(root, "dc:format", media_type)
        if record.resource_identifier and element_set == "full":
            sub(root, "dc:relation", record.resource_identifier)
        if record.date:
            sub(root, "dct:modified", record.date.isoformat())
        if record.abstract:
            sub(root, "dct:abstract", record.abstract)
    if element_set == "full":
        if record.producer_name:
            sub(root, "dc:creator", record.producer_name)
            sub(root, "dc:publisher", record.producer_name)
        if record.language:
            sub(root, "dc:language", record.language)
        if record.licence:
            sub(root, "dc:rights", record.licence)
        if record.licence_url:
            sub(root, "dct:license", record.licence_url)
        if record.created_on:
            sub(root, "dct:created", record.created_on.isoformat())
        if record.published_on:
            sub(root, "dct:issued", record.published_on.isoformat())
        if record.temporal_start or record.temporal_end:
            start = record.temporal_start.isoformat() if record.temporal_start else ""
            end = record.temporal_end.isoformat() if record.temporal_end else ""
            sub(root, "dct:temporal", f"{start}/{end}")
        for link in record.links:
            sub(root, "dct:references", link.url, scheme=link_protocol(link))
        if record.landing_url:
            sub(
                root,
                "dct:references",
                absolute(base_url, record.landing_url),
                scheme="WWW:LINK-1.0-http--link",
            )
    if record.bbox is not None:
        west, south, east, north = record.bbox
        box = sub(root, "ows:BoundingBox", crs=OWS_BBOX_CRS, dimensions="2")
        sub(box, "ows:LowerCorner", f"{format_number(south)} {format_number(west)}")
        sub(box, "ows:UpperCorner", f"{format_number(north)} {format_number(east)}")
    return root


# --- ISO 19139 --------------------------------------------------------------


def _text(parent, name: str, value: str):
    element = sub(parent, name)
    sub(element, "gco:CharacterString", value)
    return element


def _code(parent, name: str, codelist: str, value: str):
    element = sub(parent, name)
    sub(
        element,
        f"gmd:{codelist}",
        value,
        codeList=f"{CODELISTS}#{codelist}",
        codeListValue=value,
    )
    return element


def _date(parent, value: date, kind: str):
    wrapper = sub(sub(parent, "gmd:date"), "gmd:CI_Date")
    sub(sub(wrapper, "gmd:date"), "gco:Date", value.isoformat())
    _code(wrapper, "gmd:dateType", "CI_DateTypeCode", kind)


def _party(parent, name: str, record: CatalogRecord, role: str):
    party = sub(sub(parent, name), "gmd:CI_ResponsibleParty")
    _text(party, "gmd:organisationName", record.producer_name)
    if record.producer_email:
        address = sub(
            sub(sub(sub(party, "gmd:contactInfo"), "gmd:CI_Contact"), "gmd:address"),
            "gmd:CI_Address",
        )
        _text(address, "gmd:electronicMailAddress", record.producer_email)
    _code(party, "gmd:role", "CI_RoleCode", role)


def iso19139(record: CatalogRecord, element_set: str, base_url: str, today: date):
    """A ``gmd:MD_Metadata`` describing the record (brief: identification only)."""
    root = etree.Element(
        qname("gmd:MD_Metadata"),
        nsmap={p: NS[p] for p in ("gmd", "gco", "gml", "xlink")},
    )
    _text(root, "gmd:fileIdentifier", record.identifier)
    language = LANGUAGES_639_2.get(record.language, record.language)
    if language and element_set != "brief":
        _code(root, "gmd:language", "LanguageCode", language)
        _code(root, "gmd:characterSet", "MD_CharacterSetCode", "utf8")
    _code(root, "gmd:hierarchyLevel", "MD_ScopeCode", record.level)
    if element_set != "brief" and record.producer_name:
        _party(root, "gmd:contact", record, "pointOfContact")
    sub(sub(root, "gmd:dateStamp"), "gco:Date", (record.date or today).isoformat())
    if element_set != "brief":
        _text(root, "gmd:metadataStandardName", "ISO 19115:2003/19139")
        _text(root, "gmd:metadataStandardVersion", "1.0")
    identification = sub(
        sub(root, "gmd:identificationInfo"), "gmd:MD_DataIdentification"
    )
    citation = sub(sub(identification, "gmd:citation"), "gmd:CI_Citation")
    _text(citation, "gmd:title", record.title)
    for value, kind in (
        (record.created_on, "creation"),
        (record.published_on, "publication"),
        (record.revised_on, "revision"),
    ):
        if value:
            _date(citation, value, kind)
    if record.resource_identifier:
        _text(
            sub(sub(citation, "gmd:identifier"), "gmd:MD_Identifier"),
            "gmd:code",
            record.resource_identifier,
        )
    _text(identification, "gmd:abstract", record.abstract)
    if element_set != "brief":
        if record.producer_name:
            _party(identification, "gmd:pointOfContact", record, "owner")
        _keywords(identification, record)
        if record.licence or record.licence_url:
            constraints = sub(
                sub(identification, "gmd:resourceConstraints"),
                "gmd:MD_LegalConstraints",
            )
            _code(
                constraints,
                "gmd:accessConstraints",
                "MD_RestrictionCode",
                "otherRestrictions",
            )
            other = sub(constraints, "gmd:otherConstraints")
            if record.licence_url:
                sub(
                    other,
                    "gmx:Anchor",
                    record.licence or record.licence_url,
                    **{"xlink:href": record.licence_url},
                )
            else:
                sub(other, "gco:CharacterString", record.licence)
        if record.resolution_m is not None:
            resolution = sub(
                sub(identification, "gmd:spatialResolution"), "gmd:MD_Resolution"
            )
            sub(
                sub(resolution, "gmd:distance"),
                "gco:Distance",
                format_number(record.resolution_m),
                uom="m",
            )
        elif record.scale_denominator:
            resolution = sub(
                sub(identification, "gmd:spatialResolution"), "gmd:MD_Resolution"
            )
            scale = sub(
                sub(resolution, "gmd:equivalentScale"), "gmd:MD_RepresentativeFraction"
            )
            sub(
                sub(scale, "gmd:denominator"),
                "gco:Integer",
                str(record.scale_denominator),
            )
        if language:
            _code(identification, "gmd:language", "LanguageCode", language)
    if record.bbox is not None or record.temporal_start or record.temporal_end:
        extent = sub(sub(identification, "gmd:extent"), "gmd:EX_Extent")
        if record.bbox is not None:
            box = sub(
                sub(extent, "gmd:geographicElement"), "gmd:EX_GeographicBoundingBox"
            )
            for name, value in zip(
                (
                    "westBoundLongitude",
                    "eastBoundLongitude",
                    "southBoundLatitude",
                    "northBoundLatitude",
                ),
                (record.bbox[0], record.bbox[2], record.bbox[1], record.bbox[3]),
                strict=True,
            ):
                sub(sub(box, f"gmd:{name}"), "gco:Decimal", format_number(value))
        if element_set != "brief" and (record.temporal_start or record.temporal_end):
            period = sub(
                sub(
                    sub(sub(extent, "gmd:temporalElement"), "gmd:EX_TemporalExtent"),
                    "gmd:extent",
                ),
                "gml:TimePeriod",
                **{"gml:id": "temporal-extent"},
            )
            for name, value in (
                ("gml:beginPosition", record.temporal_start),
                ("gml:endPosition", record.temporal_end),
            ):
                if value:
                    sub(period, name, value.isoformat())
                else:
                    sub(period, name, indeterminatePosition="unknown")
    if element_set != "brief" and (record.links or record.landing_url):
        options = sub(
            sub(
                sub(sub(root, "gmd:distributionInfo"), "gmd:MD_Distribution"),
                "gmd:transferOptions",
            ),
            "gmd:MD_DigitalTransferOptions",
        )
        links = list(record.links)
        if record.landing_url:
            links.append(
                RecordLink(
                    "web", absolute(base_url, record.landing_url), title=record.title
                )
            )
        for link in links:
            resource = sub(sub(options, "gmd:onLine"), "gmd:CI_OnlineResource")
            sub(sub(resource, "gmd:linkage"), "gmd:URL", link.url)
            _text(resource, "gmd:protocol", link_protocol(link))
            if link.name:
                _text(resource, "gmd:name", link.name)
            if link.title:
                _text(resource, "gmd:description", link.title)
    if element_set != "brief" and record.lineage:
        quality = sub(sub(root, "gmd:dataQualityInfo"), "gmd:DQ_DataQuality")
        scope = sub(sub(quality, "gmd:scope"), "gmd:DQ_Scope")
        _code(scope, "gmd:level", "MD_ScopeCode", record.level)
        lineage = sub(sub(quality, "gmd:lineage"), "gmd:LI_Lineage")
        _text(lineage, "gmd:statement", record.lineage)
    return root


def _keywords(identification, record: CatalogRecord):
    groups: dict[str, list[str]] = {}
    for keyword in record.keywords:
        thesaurus = keyword.thesaurus or (
            "GEMET - INSPIRE themes, version 1.0" if keyword.kind == "inspire" else ""
        )
        groups.setdefault(thesaurus, []).append(keyword.label)
    for thesaurus, labels in groups.items():
        block = sub(sub(identification, "gmd:descriptiveKeywords"), "gmd:MD_Keywords")
        for label in labels:
            _text(block, "gmd:keyword", label)
        if thesaurus:
            name = sub(sub(block, "gmd:thesaurusName"), "gmd:CI_Citation")
            _text(name, "gmd:title", thesaurus)
