"""ISO 19139 (``gmd``) and ISO 19115-3 (``mdb``) metadata → ``RecordData``.

Both schemas use the same element names for what is read here (``title``,
``abstract``, ``keyword``, ``westBoundLongitude``…) in different namespaces and
slightly different paths, so elements are walked by local name and each field lists
the path of each schema. Walking children by name is faster than XPath with
``local-name()`` and does not depend on the namespace version (mdb 1.0 or 2.0).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import shapely
from django.utils.translation import gettext as _
from lxml import etree
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from crig.catalog.ingest import records as rules
from crig.catalog.ingest.errors import DocumentNotMetadata, RecordInvalid
from crig.catalog.ingest.records import DistributionData, KeywordData, RecordData
from crig.catalog.ingest.safexml import parse_xml

GMD = "http://www.isotc211.org/2005/gmd"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
ISO19139 = "iso19139"
ISO19115_3 = "iso19115-3"


def local_name(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def schema_of(root: etree._Element) -> str | None:
    """``iso19139``, ``iso19115-3`` or None for a root that is not MD_Metadata."""
    if local_name(root.tag) != "MD_Metadata":
        return None
    namespace = etree.QName(root).namespace or ""
    if namespace == GMD:
        return ISO19139
    if "19115/-3/mdb" in namespace:
        return ISO19115_3
    return None


def parse_iso(xml_bytes: bytes) -> RecordData:
    """Read one ISO 19139 or ISO 19115-3 ``MD_Metadata`` document."""
    root = parse_xml(xml_bytes)
    if schema_of(root) is None:
        raise DocumentNotMetadata(
            _("Not an ISO 19139 or ISO 19115-3 document (root element %(tag)s).")
            % {"tag": local_name(root.tag)}
        )
    return parse_iso_element(root, document=xml_bytes.decode("utf-8", "replace"))


def parse_iso_element(
    root: etree._Element, *, document: str | None = None
) -> RecordData:
    """Read an ``MD_Metadata`` element (a whole document or a CSW response's child)."""
    schema = schema_of(root)
    if schema is None:
        raise DocumentNotMetadata(_("Not an ISO MD_Metadata element."))
    if document is None:
        document = etree.tostring(root, encoding="unicode")
    return _IsoReader(root, schema).read(document)


# -- Walking by local name ----


@lru_cache(maxsize=512)
def _steps(path: str) -> tuple[str, ...]:
    """ "a/b/*" → ("{*}a", "{*}b", "*"): the tags lxml's ``iterchildren`` matches
    in any namespace, in C."""
    return tuple(part if part == "*" else "{*}" + part for part in path.split("/"))


# ``first`` and ``walk`` do what ``element.find`` / ``findall`` of the path with
# ``{*}`` steps do (lxml's ElementPath chains ``iterchildren`` of each step, depth
# first, in document order) without its parsing and generator chain: a third
# faster, and a record makes some sixty such lookups.


def _first(element, steps: tuple[str, ...], depth: int):
    tag = steps[depth]
    if depth == len(steps) - 1:
        for child in element.iterchildren(tag):
            return child
        return None
    for child in element.iterchildren(tag):
        found = _first(child, steps, depth + 1)
        if found is not None:
            return found
    return None


def _walk(element, steps: tuple[str, ...], depth: int, found: list) -> None:
    tag = steps[depth]
    if depth == len(steps) - 1:
        found.extend(element.iterchildren(tag))
        return
    for child in element.iterchildren(tag):
        _walk(child, steps, depth + 1, found)


def walk(element, path: str) -> list:
    """Elements at a "/"-separated path of local names ("*" for any element)."""
    if element is None:
        return []
    found = []
    _walk(element, _steps(path), 0, found)
    return found


def children(element, name: str) -> list:
    return walk(element, name)


def first(element, path: str):
    """The first element at ``path`` in document order, or None."""
    if element is None:
        return None
    return _first(element, _steps(path), 0)


def text_of(prop) -> str:
    """Text of a property element: its CharacterString, Anchor, code list value…"""
    if prop is None:
        return ""
    for child in prop:
        name = local_name(child.tag)
        if name in (
            "CharacterString",
            "Anchor",
            "URL",
            "Decimal",
            "Integer",
            "Real",
            "Date",
            "DateTime",
        ):
            return (child.text or "").strip()
        if name == "PT_FreeText":
            for value in prop.iter():
                if local_name(value.tag) == "LocalisedCharacterString" and value.text:
                    return value.text.strip()
    return (prop.text or "").strip()


def href_of(prop) -> str:
    if prop is None:
        return ""
    for child in prop:
        if local_name(child.tag) == "Anchor":
            return (child.get(XLINK_HREF) or "").strip()
    return (prop.get(XLINK_HREF) or "").strip()


def code_of(prop) -> str:
    """The ``codeListValue`` of a property's code element (or its text)."""
    if prop is None:
        return ""
    for child in prop:
        if isinstance(child.tag, str):
            return (child.get("codeListValue") or child.text or "").strip()
    return (prop.text or "").strip()


def parse_date(text: str) -> date | None:
    """ "2019-05-03", "2019-05-03T10:00:00Z", "2019-05" or "2019" → a date."""
    match = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text or "")
    if not match:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_float(text: str) -> float | None:
    try:
        value = float((text or "").strip().replace(",", "."))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


# Distance units → metres (resolutions in degrees are not turned into metres).
_UNITS = {
    "m": 1.0,
    "metre": 1.0,
    "meter": 1.0,
    "metres": 1.0,
    "meters": 1.0,
    "cm": 0.01,
    "mm": 0.001,
    "km": 1000.0,
    "dm": 0.1,
}

_PRODUCER_ROLES = {"owner": 0, "originator": 0, "custodian": 1, "publisher": 2}


class _IsoReader:
    def __init__(self, root, schema: str):
        self.root = root
        self.schema = schema
        self.mdb = schema == ISO19115_3
        identification = walk(root, "identificationInfo/*")
        self.ident = identification[0] if identification else None
        self.citation = first(self.ident, "citation/CI_Citation")

    def read(self, document: str) -> RecordData:
        identifier = self.file_identifier()
        title = text_of(first(self.citation, "title"))
        if not title:
            raise RecordInvalid(_("The record has no title."))
        resource_identifier = self.resource_identifier()
        identifier = identifier or resource_identifier
        if not identifier:
            raise RecordInvalid(_("The record has no identifier."))
        record = RecordData(
            identifier=identifier,
            remote_identifier=identifier,
            title=title,
            resource_identifier=resource_identifier,
            abstract=text_of(first(self.ident, "abstract")),
            level=self.level(),
            language=self.language(),
            document=document,
            document_format=self.schema,
        )
        self.read_producer(record)
        self.read_dates(record)
        self.read_extent(record)
        self.read_resolution(record)
        self.read_licence(record)
        record.keywords = self.keywords()
        record.distributions = self.distributions()
        record.lineage = self.lineage()
        return record.finish()

    def file_identifier(self) -> str:
        if self.mdb:
            return text_of(first(self.root, "metadataIdentifier/MD_Identifier/code"))
        return text_of(first(self.root, "fileIdentifier"))

    def resource_identifier(self) -> str:
        for ident in walk(self.citation, "identifier/*"):
            code = text_of(first(ident, "code"))
            if code:
                return code
        return ""

    def level(self) -> str:
        if self.mdb:
            code = code_of(
                first(self.root, "metadataScope/MD_MetadataScope/resourceScope")
            )
        else:
            code = code_of(first(self.root, "hierarchyLevel"))
        if local_name(getattr(self.ident, "tag", "")) == "SV_ServiceIdentification":
            return "service"
        return code if code in ("series", "service") else "dataset"

    def language(self) -> str:
        if self.mdb:
            prop = first(self.root, "defaultLocale/PT_Locale/language")
            if prop is None:
                prop = first(self.ident, "defaultLocale/PT_Locale/language")
        else:
            prop = first(self.root, "language")
            if prop is None:
                prop = first(self.ident, "language")
        value = code_of(prop) or text_of(prop)
        return value[:10]

    # Producer ----------------------------------------------------------------------

    def _parties(self, container, path: str):
        """(role, organisation name, e-mail) of each responsible party."""
        for party in walk(container, path):
            role = code_of(first(party, "role"))
            if self.mdb:
                organisation = first(party, "party/CI_Organisation")
                name = text_of(first(organisation, "name"))
                contact = first(organisation, "contactInfo/CI_Contact")
                if organisation is None:
                    individual = first(party, "party/CI_Individual")
                    contact = first(individual, "contactInfo/CI_Contact")
            else:
                name = text_of(first(party, "organisationName"))
                contact = first(party, "contactInfo/CI_Contact")
            email = text_of(first(contact, "address/CI_Address/electronicMailAddress"))
            yield role, name, email

    def read_producer(self, record: RecordData) -> None:
        """The organisation owning or originating the data, else its custodian or
        publisher, from the resource's points of contact and cited parties first,
        the metadata contacts after; else the first named point of contact."""
        party = "CI_Responsibility" if self.mdb else "CI_ResponsibleParty"
        resource = list(self._parties(self.ident, f"pointOfContact/{party}"))
        resource += list(self._parties(self.citation, f"citedResponsibleParty/{party}"))
        metadata = list(self._parties(self.root, f"contact/{party}"))
        ranked = [
            (_PRODUCER_ROLES[role], order, name, email)
            for order, (role, name, email) in enumerate(resource + metadata)
            if role in _PRODUCER_ROLES and name
        ]
        if ranked:
            _rank, _order, name, email = min(ranked)
        else:
            named = [(name, email) for _role, name, email in resource if name]
            name, email = named[0] if named else ("", "")
        record.producer_name = name
        record.producer_email = email if "@" in email and len(email) <= 254 else ""

    # Dates and extent ---------------------------------------------------------------

    def read_dates(self, record: RecordData) -> None:
        for ci_date in walk(self.citation, "date/CI_Date"):
            kind = code_of(first(ci_date, "dateType"))
            value = parse_date(text_of(first(ci_date, "date")))
            if value is None:
                continue
            if kind == "creation":
                record.created_on = max(filter(None, [record.created_on, value]))
            elif kind == "publication":
                record.published_on = max(filter(None, [record.published_on, value]))
            elif kind == "revision":
                record.revised_on = max(filter(None, [record.revised_on, value]))

    def _extents(self):
        return walk(self.ident, "extent/EX_Extent")

    def read_extent(self, record: RecordData) -> None:
        boxes, polygons = [], []
        for extent in self._extents():
            for element in children(extent, "geographicElement"):
                for box in children(element, "EX_GeographicBoundingBox"):
                    bounds = rules.bbox_bounds(
                        *(
                            parse_float(text_of(first(box, side)))
                            for side in (
                                "westBoundLongitude",
                                "southBoundLatitude",
                                "eastBoundLongitude",
                                "northBoundLatitude",
                            )
                        )
                    )
                    if bounds is not None:
                        boxes.append(bounds)
                for bounding in children(element, "EX_BoundingPolygon"):
                    polygons.extend(_gml_polygons(first(bounding, "polygon")))
            for temporal in walk(extent, "temporalElement/*/extent"):
                self._read_period(temporal, record)
        bbox = _union_box(boxes)
        polygon = _fit_polygons(polygons, bbox)
        if polygon is not None:
            record.footprint, record.footprint_is_bbox = polygon, False
        elif bbox is not None:
            record.footprint, record.footprint_is_bbox = bbox, True
        elif polygons:
            record.warnings.append(_("The bounding polygon could not be read."))

    def _read_period(self, temporal, record: RecordData) -> None:
        for period in children(temporal, "*"):
            name = local_name(period.tag)
            if name == "TimePeriod":
                begin = first(period, "beginPosition")
                end = first(period, "endPosition")
                begin_text = begin.text if begin is not None else ""
                end_text = end.text if end is not None else ""
                if begin is None:
                    begin_text = getattr(
                        first(period, "begin/TimeInstant/timePosition"), "text", ""
                    )
                if end is None:
                    end_text = getattr(
                        first(period, "end/TimeInstant/timePosition"), "text", ""
                    )
                start, stop = parse_date(begin_text or ""), parse_date(end_text or "")
            elif name == "TimeInstant":
                start = stop = parse_date(
                    getattr(first(period, "timePosition"), "text", "") or ""
                )
            else:
                continue
            if start:
                record.temporal_start = min(
                    filter(None, [record.temporal_start, start])
                )
            if stop:
                record.temporal_end = max(filter(None, [record.temporal_end, stop]))

    def read_resolution(self, record: RecordData) -> None:
        for resolution in walk(self.ident, "spatialResolution/MD_Resolution"):
            distance = first(resolution, "distance")
            if distance is not None and record.resolution_m is None:
                for value in children(distance, "*"):
                    number = parse_float(value.text or "")
                    unit = (value.get("uom") or "m").rsplit("#", 1)[-1].lower()
                    if number is not None and unit in _UNITS and number > 0:
                        record.resolution_m = number * _UNITS[unit]
            denominator = text_of(
                first(
                    resolution, "equivalentScale/MD_RepresentativeFraction/denominator"
                )
            )
            if denominator.isdigit() and record.scale_denominator is None:
                if 0 < int(denominator) < 2**31:
                    record.scale_denominator = int(denominator)

    # Licence, keywords, links, lineage ---------------------------------------------

    def read_licence(self, record: RecordData) -> None:
        candidates = []
        for constraint in walk(self.ident, "resourceConstraints/*"):
            for name in ("otherConstraints", "useLimitation"):
                for prop in children(constraint, name):
                    candidates.append((text_of(prop), href_of(prop)))
            for reference in walk(constraint, "reference/CI_Citation"):
                candidates.append(
                    (
                        text_of(first(reference, "title")),
                        text_of(
                            first(reference, "onlineResource/CI_OnlineResource/linkage")
                        ),
                    )
                )
        record.licence, record.licence_url = rules.choose_licence(candidates)

    def keywords(self) -> list[KeywordData]:
        result = []
        for group in walk(self.ident, "descriptiveKeywords/MD_Keywords"):
            thesaurus_title = first(group, "thesaurusName/CI_Citation/title")
            thesaurus = text_of(thesaurus_title)
            thesaurus_uri = href_of(thesaurus_title)
            inspire = rules.is_inspire_thesaurus(thesaurus, thesaurus_uri)
            for prop in children(group, "keyword"):
                label, uri = text_of(prop), href_of(prop)
                item = rules.keyword(
                    label,
                    thesaurus=thesaurus,
                    uri=uri or (thesaurus_uri if inspire else ""),
                )
                if item is not None:
                    result.append(item)
        return result

    def distributions(self) -> list[DistributionData]:
        result = []
        if self.mdb:
            distribution = first(self.root, "distributionInfo/MD_Distribution")
            formats = walk(
                distribution,
                "distributionFormat/MD_Format/formatSpecificationCitation/"
                "CI_Citation/title",
            )
            resources = walk(
                distribution,
                "transferOptions/MD_DigitalTransferOptions/onLine/CI_OnlineResource",
            )
        else:
            distribution = first(self.root, "distributionInfo/MD_Distribution")
            formats = walk(distribution, "distributionFormat/MD_Format/name")
            resources = walk(
                distribution,
                "transferOptions/MD_DigitalTransferOptions/onLine/CI_OnlineResource",
            )
        media_type = text_of(formats[0]) if formats else ""
        for resource in resources:
            url = text_of(first(resource, "linkage"))
            if not rules.is_http_url(url):
                continue
            protocol = text_of(first(resource, "protocol"))
            kind = rules.distribution_kind(protocol, url)
            result.append(
                DistributionData(
                    kind=kind,
                    url=url,
                    name=rules.clip(text_of(first(resource, "name")), 300),
                    title=rules.clip(text_of(first(resource, "description")), 500),
                    media_type=rules.clip(
                        media_type if kind == "download" else "", 200
                    ),
                    protocol=rules.clip(protocol, 200),
                )
            )
        return result

    def lineage(self) -> str:
        if self.mdb:
            return text_of(first(self.root, "resourceLineage/LI_Lineage/statement"))
        return text_of(
            first(
                self.root, "dataQualityInfo/DQ_DataQuality/lineage/LI_Lineage/statement"
            )
        )


def _union_box(boxes: list[tuple[float, float, float, float]]):
    """The box around the union of the bounding boxes, None for none. One box
    with an area is its own union (the common case, without GEOS's union); the
    others (several, or flat ones, whose union is empty) go through the union."""
    if not boxes:
        return None
    if len(boxes) == 1:
        west, south, east, north = boxes[0]
        if west < east and south < north:
            return shapely.box(west, south, east, north)
    return shapely.box(
        *shapely.union_all([shapely.box(*bounds) for bounds in boxes]).bounds
    )


# -- GML polygons ----


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.split(r"[\s,]+", (text or "").strip()) if n]


def _ring(element) -> list[tuple[float, float]]:
    """Coordinates of a gml:LinearRing (posList, pos or coordinates)."""
    pos_list = first(element, "posList")
    if pos_list is not None:
        values = _numbers(pos_list.text)
    else:
        coordinates = first(element, "coordinates")
        if coordinates is not None:
            values = _numbers(coordinates.text)
        else:
            values = [v for pos in children(element, "pos") for v in _numbers(pos.text)]
    return list(zip(values[0::2], values[1::2], strict=False))


def _gml_polygons(prop) -> list[tuple[Polygon, str]]:
    """(polygon with coordinates as written, srsName) for each gml:Polygon."""
    if prop is None:
        return []
    result = []
    for element in prop.iter():
        if local_name(element.tag) != "Polygon":
            continue
        srs = element.get("srsName") or ""
        parent = element.getparent()
        while not srs and parent is not None:
            srs = parent.get("srsName") or ""
            parent = parent.getparent()
        try:
            exterior = _ring(first(element, "exterior/LinearRing"))
            interiors = [_ring(r) for r in walk(element, "interior/LinearRing")]
            if len(exterior) >= 4:
                result.append(
                    (Polygon(exterior, [i for i in interiors if len(i) >= 4]), srs)
                )
        except (ValueError, TypeError):
            continue
    return result


def _fit_polygons(polygons, bbox: BaseGeometry | None) -> BaseGeometry | None:
    """The bounding polygon in lon/lat: axis order is taken from the bounding box
    when there is one (many catalogues write EPSG:4326 as lon/lat, GML says
    lat/lon), else from the srsName (``urn:ogc:def:crs:EPSG::4326`` and the
    ``/def/crs/EPSG/0/4326`` URI mean lat/lon)."""
    if not polygons:
        return None
    lon_lat = []
    for polygon, srs in polygons:
        swapped = shapely.transform(polygon, lambda xy: xy[:, ::-1])
        if bbox is not None:
            grown = bbox.buffer(0.01)
            if grown.contains(polygon):
                lon_lat.append(polygon)
            elif grown.contains(swapped):
                lon_lat.append(swapped)
            else:
                return None
        elif "EPSG::4326" in srs or "EPSG/0/4326" in srs:
            lon_lat.append(swapped)
        else:
            lon_lat.append(polygon)
    geometry = lon_lat[0] if len(lon_lat) == 1 else MultiPolygon(lon_lat)
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return None
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        return None
    return geometry
