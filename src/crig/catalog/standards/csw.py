"""CSW 2.0.2 (OGC 07-006r1) over the catalogue, with the ISO Application Profile's
queryables: GetCapabilities, DescribeRecord, GetRecords and GetRecordById, in GET
(KVP, CQL constraints) and POST (XML, Filter Encoding 1.1).

``csw_response(request, repository)`` never raises for bad input: it answers an
``ows:ExceptionReport`` (MissingParameterValue, InvalidParameterValue,
OperationNotSupported, NoApplicableCode) with HTTP 400.
"""

from dataclasses import dataclass
from http import HTTPStatus

from lxml import etree

from crig.catalog.ingest import safexml
from crig.catalog.ingest.errors import DocumentError
from crig.catalog.standards import StandardsRequest, StandardsResponse, filters
from crig.catalog.standards.xmlwriters import (
    CSW_SCHEMA,
    ISO_SCHEMA,
    NS,
    dublin_core,
    iso19139,
    qname,
    sub,
)

VERSION = "2.0.2"
DEFAULT_MAX_RECORDS = 10
# A page larger than this is cut to it; clients page on with nextRecord.
MAX_RECORDS = 200
MAX_REQUEST_BYTES = 1024 * 1024
ELEMENT_SETS = ("brief", "summary", "full")
OUTPUT_SCHEMAS = (CSW_SCHEMA, ISO_SCHEMA)
TYPE_NAMES = ("csw:Record", "gmd:MD_Metadata")
OUTPUT_FORMATS = ("application/xml", "text/xml")
OPERATIONS = ("GetCapabilities", "DescribeRecord", "GetRecords", "GetRecordById")
XML_CONTENT_TYPE = "application/xml; charset=utf-8"
DISCOVERY_XSD = "http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd"

DUBLIN_CORE_QUERYABLES = (
    "csw:AnyText",
    "dc:creator",
    "dc:date",
    "dc:identifier",
    "dc:language",
    "dc:publisher",
    "dc:rights",
    "dc:subject",
    "dc:title",
    "dc:type",
    "dct:abstract",
    "dct:modified",
    "ows:BoundingBox",
)
ISO_QUERYABLES = (
    "apiso:Subject",
    "apiso:Title",
    "apiso:Abstract",
    "apiso:AnyText",
    "apiso:Language",
    "apiso:Identifier",
    "apiso:Modified",
    "apiso:Type",
    "apiso:BoundingBox",
    "apiso:CreationDate",
    "apiso:PublicationDate",
    "apiso:RevisionDate",
    "apiso:TempExtent_begin",
    "apiso:TempExtent_end",
    "apiso:OrganisationName",
)


class CswError(Exception):
    """An OWS exception: code, locator and a message for the client."""

    def __init__(self, code: str, text: str, locator: str | None = None):
        super().__init__(text)
        self.code = code
        self.text = text
        self.locator = locator


def missing(name: str) -> CswError:
    return CswError("MissingParameterValue", f"Missing parameter: {name}.", name)


def invalid(name: str, text: str) -> CswError:
    return CswError("InvalidParameterValue", text, name)


@dataclass(frozen=True)
class Query:
    """A GetRecords request, however it came."""

    result_type: str = "results"
    output_schema: str = CSW_SCHEMA
    element_set: str = "summary"
    start_position: int = 1
    max_records: int = DEFAULT_MAX_RECORDS
    tree: object = None
    sort: tuple = ()


# --- entry point ---------------------------------------------------------------


def csw_response(request: StandardsRequest, repository) -> StandardsResponse:
    try:
        if request.method == "POST":
            return _post(request, repository)
        if request.method in ("GET", "HEAD"):
            return _get(request, repository)
        raise CswError(
            "OperationNotSupported", "Use GET (KVP) or POST (XML).", "request"
        )
    except CswError as error:
        return exception_report(error)
    except filters.FilterError as error:
        return exception_report(invalid("constraint", str(error)))


def exception_report(error: CswError) -> StandardsResponse:
    root = etree.Element(qname("ows:ExceptionReport"), nsmap=_nsmap("ows", "xsi"))
    root.set("version", "1.2.0")
    root.set("language", "en")
    root.set(
        qname("xsi:schemaLocation"),
        f"{NS['ows']} http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd",
    )
    exception = sub(root, "ows:Exception", exceptionCode=error.code)
    if error.locator:
        exception.set("locator", error.locator)
    sub(exception, "ows:ExceptionText", error.text)
    return _xml(root, HTTPStatus.BAD_REQUEST)


# --- GET ---------------------------------------------------------------------------


def _kvp(request: StandardsRequest) -> dict[str, str]:
    """Parameter names are case-insensitive in OGC KVP; the first value wins."""
    params: dict[str, str] = {}
    for key, values in request.query.items():
        if values:
            params.setdefault(key.lower(), values[0])
    return params


def _get(request: StandardsRequest, repository) -> StandardsResponse:
    params = _kvp(request)
    operation = params.get("request")
    if not operation:
        raise missing("request")
    service = params.get("service")
    if service is None:
        raise missing("service")
    if service.upper() != "CSW":
        raise invalid("service", f"Invalid value for service: {service} (use CSW).")
    operation = _operation(operation)
    if operation != "GetCapabilities":
        _check_version(params.get("version"))
    if operation == "GetCapabilities":
        return capabilities(request)
    if operation == "DescribeRecord":
        return describe_record(params.get("typename") or params.get("typenames"))
    if operation == "GetRecordById":
        identifiers = [
            i.strip() for i in (params.get("id") or "").split(",") if i.strip()
        ]
        if not identifiers:
            raise missing("id")
        return get_record_by_id(
            request,
            repository,
            identifiers,
            _output_schema(params.get("outputschema")),
            _element_set(params.get("elementsetname")),
            params.get("outputformat"),
        )
    _output_format(params.get("outputformat"))
    _type_names(params.get("typenames"))
    tree = None
    constraint = params.get("constraint")
    if constraint:
        language = (params.get("constraintlanguage") or "").upper()
        if language == "CQL_TEXT":
            tree = filters.parse_cql(constraint)
        elif language == "FILTER":
            tree = filters.parse_fes(parse_request_xml(constraint.encode()))
        elif not language:
            raise missing("constraintLanguage")
        else:
            raise invalid(
                "constraintLanguage",
                f"Invalid value for constraintLanguage: {language} "
                "(use CQL_TEXT or FILTER).",
            )
    query = Query(
        result_type=_result_type(params.get("resulttype")),
        output_schema=_output_schema(params.get("outputschema")),
        element_set=_element_set(params.get("elementsetname")),
        start_position=_start_position(params.get("startposition")),
        max_records=_max_records(params.get("maxrecords")),
        tree=tree,
        sort=_kvp_sort(params.get("sortby")),
    )
    return get_records(request, repository, query)


def _operation(name: str) -> str:
    for operation in OPERATIONS:
        if operation.lower() == name.strip().lower():
            return operation
    raise CswError(
        "OperationNotSupported" if name.strip() else "MissingParameterValue",
        f"Invalid value for request: {name} (use {', '.join(OPERATIONS)}).",
        "request",
    )


def _check_version(version: str | None):
    if version is None:
        raise missing("version")
    if version.strip() != VERSION:
        raise invalid("version", f"Invalid value for version: {version} (use 2.0.2).")


def _result_type(value: str | None) -> str:
    value = (value or "results").strip()
    if value not in ("hits", "results"):
        raise invalid(
            "resultType",
            f"Invalid value for resultType: {value} (use hits or results).",
        )
    return value


def _output_schema(value: str | None) -> str:
    value = (value or CSW_SCHEMA).strip()
    if value not in OUTPUT_SCHEMAS:
        raise invalid(
            "outputSchema",
            f"Invalid value for outputSchema: {value} "
            f"(use {' or '.join(OUTPUT_SCHEMAS)}).",
        )
    return value


def _output_format(value: str | None):
    if value and value.strip() not in OUTPUT_FORMATS:
        raise invalid(
            "outputFormat",
            f"Invalid value for outputFormat: {value} (use application/xml).",
        )


def _element_set(value: str | None, default: str = "summary") -> str:
    value = (value or default).strip()
    if value not in ELEMENT_SETS:
        raise invalid(
            "ElementSetName",
            f"Invalid value for ElementSetName: {value} (use brief, summary or full).",
        )
    return value


def _type_names(value: str | None):
    for name in (value or "csw:Record").replace(",", " ").split():
        if name not in TYPE_NAMES:
            raise invalid(
                "typeNames",
                f"Invalid value for typeNames: {name} (use {' or '.join(TYPE_NAMES)}).",
            )


def _integer(name: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise invalid(
            name, f"Invalid value for {name}: {value} (not an integer)."
        ) from None


def _start_position(value: str | None) -> int:
    if value is None or not value.strip():
        return 1
    position = _integer("startPosition", value)
    if position < 1:
        raise invalid("startPosition", "startPosition starts at 1.")
    return position


def _max_records(value: str | None) -> int:
    if value is None or not value.strip():
        return DEFAULT_MAX_RECORDS
    count = _integer("maxRecords", value)
    if count < 0:
        raise invalid("maxRecords", "maxRecords cannot be negative.")
    return min(count, MAX_RECORDS)


def _sort_key(name: str) -> str:
    try:
        key = filters.queryable(name)
    except filters.FilterError:
        key = None
    if key not in filters.SORTABLE:
        raise invalid("sortBy", f"Cannot sort by {name.strip()!r}.")
    return key


def _kvp_sort(value: str | None) -> tuple:
    if not value:
        return ()
    sort = []
    for item in value.split(","):
        name, _, order = item.strip().rpartition(":")
        if order.upper() not in ("A", "D", "ASC", "DESC"):
            name, order = item.strip(), "A"
        sort.append((_sort_key(name), order.upper().startswith("D")))
    return tuple(sort)


# --- POST --------------------------------------------------------------------------


def parse_request_xml(data: bytes, *, max_bytes: int = MAX_REQUEST_BYTES):
    """The root element of an untrusted XML request, parsed by the catalogue's
    hardened parser (no DTD entities, no network, size capped)."""
    try:
        return safexml.parse_xml(data, max_bytes=max_bytes)
    except DocumentError as error:
        raise CswError("NoApplicableCode", str(error.message)) from None


def _local(element) -> str:
    return etree.QName(element).localname


def _post(request: StandardsRequest, repository) -> StandardsResponse:
    if not request.body.strip():
        raise CswError(
            "NoApplicableCode", "The POST body is empty: send an XML request."
        )
    root = parse_request_xml(request.body)
    if etree.QName(root).namespace != NS["csw"]:
        raise CswError(
            "NoApplicableCode",
            "The request's root element is not in the CSW 2.0.2 namespace.",
        )
    operation = _local(root)
    if operation not in OPERATIONS:
        raise CswError(
            "OperationNotSupported",
            f"Operation {operation} is not supported.",
            "request",
        )
    service = root.get("service")
    if service is not None and service != "CSW":
        raise invalid("service", f"Invalid value for service: {service} (use CSW).")
    if operation == "GetCapabilities":
        return capabilities(request)
    version = root.get("version")
    if version is not None and version != VERSION:
        raise invalid("version", f"Invalid value for version: {version} (use 2.0.2).")
    if operation == "DescribeRecord":
        names = [
            (e.text or "").strip()
            for e in root
            if etree.QName(e).localname == "TypeName"
        ]
        return describe_record(" ".join(names) or None)
    if operation == "GetRecordById":
        identifiers = [
            (e.text or "").strip()
            for e in root.iterchildren(qname("csw:Id"))
            if (e.text or "").strip()
        ]
        if not identifiers:
            raise missing("Id")
        element_set = root.find(qname("csw:ElementSetName"))
        return get_record_by_id(
            request,
            repository,
            identifiers,
            _output_schema(root.get("outputSchema")),
            _element_set(element_set.text if element_set is not None else None),
            root.get("outputFormat"),
        )
    return get_records(request, repository, _post_query(root))


def _post_query(root) -> Query:
    _output_format(root.get("outputFormat"))
    query = root.find(qname("csw:Query"))
    if query is None:
        raise missing("Query")
    _type_names(query.get("typeNames"))
    element_set = query.find(qname("csw:ElementSetName"))
    element_set_name = (
        "full" if query.find(qname("csw:ElementName")) is not None else None
    )
    if element_set is not None:
        element_set_name = element_set.text
    tree = None
    constraint = query.find(qname("csw:Constraint"))
    if constraint is not None:
        cql = constraint.find(qname("csw:CqlText"))
        fes = constraint.find(qname("ogc:Filter"))
        if fes is not None:
            tree = filters.parse_fes(fes)
        elif cql is not None:
            tree = filters.parse_cql(cql.text or "")
        else:
            raise invalid(
                "Constraint", "A constraint holds an ogc:Filter or csw:CqlText."
            )
    sort = []
    sort_by = query.find(qname("ogc:SortBy"))
    if sort_by is not None:
        for item in sort_by.iterchildren(qname("ogc:SortProperty")):
            name = item.find(qname("ogc:PropertyName"))
            order = item.find(qname("ogc:SortOrder"))
            descending = (
                order is not None and (order.text or "").strip().upper() == "DESC"
            )
            sort.append((_sort_key(name.text if name is not None else ""), descending))
    return Query(
        result_type=_result_type(root.get("resultType")),
        output_schema=_output_schema(root.get("outputSchema")),
        element_set=_element_set(element_set_name),
        start_position=_start_position(root.get("startPosition")),
        max_records=_max_records(root.get("maxRecords")),
        tree=tree,
        sort=tuple(sort),
    )


# --- operations ----------------------------------------------------------------------


def _nsmap(*prefixes: str) -> dict[str, str]:
    return {p: NS[p] for p in prefixes}


def _xml(root, status: int = HTTPStatus.OK) -> StandardsResponse:
    body = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return StandardsResponse(status, {"Content-Type": XML_CONTENT_TYPE}, body)


def get_records(
    request: StandardsRequest, repository, query: Query
) -> StandardsResponse:
    matched = repository.count(query.tree)
    records = []
    if query.result_type == "results" and query.max_records:
        records = repository.page(
            query.tree,
            sort=query.sort,
            offset=query.start_position - 1,
            limit=query.max_records,
            with_documents=query.output_schema == ISO_SCHEMA
            and query.element_set == "full",
        )
    returned = len(records)
    if query.result_type == "hits":
        following = query.start_position
    else:
        following = query.start_position + returned
    next_record = (
        following
        if following <= matched and (returned or query.result_type == "hits")
        else 0
    )
    root = etree.Element(
        qname("csw:GetRecordsResponse"),
        nsmap=_nsmap("csw", "dc", "dct", "ows", "xsi")
        | (
            _nsmap("gmd", "gco", "gml", "xlink", "gmx")
            if query.output_schema == ISO_SCHEMA
            else {}
        ),
    )
    root.set("version", VERSION)
    root.set(qname("xsi:schemaLocation"), f"{NS['csw']} {DISCOVERY_XSD}")
    sub(root, "csw:SearchStatus", timestamp=request.now.isoformat(timespec="seconds"))
    results = sub(
        root,
        "csw:SearchResults",
        numberOfRecordsMatched=str(matched),
        numberOfRecordsReturned=str(returned),
        nextRecord=str(next_record),
        recordSchema=query.output_schema,
        elementSet=query.element_set,
    )
    for record in records:
        results.append(
            _record_xml(request, record, query.output_schema, query.element_set)
        )
    return _xml(root)


def get_record_by_id(
    request, repository, identifiers, output_schema, element_set, output_format
) -> StandardsResponse:
    _output_format(output_format)
    records = repository.by_identifiers(
        identifiers,
        with_documents=output_schema == ISO_SCHEMA and element_set == "full",
    )
    root = etree.Element(
        qname("csw:GetRecordByIdResponse"),
        nsmap=_nsmap("csw", "dc", "dct", "ows", "xsi")
        | (
            _nsmap("gmd", "gco", "gml", "xlink", "gmx")
            if output_schema == ISO_SCHEMA
            else {}
        ),
    )
    root.set(qname("xsi:schemaLocation"), f"{NS['csw']} {DISCOVERY_XSD}")
    for record in records:
        root.append(_record_xml(request, record, output_schema, element_set))
    return _xml(root)


def _record_xml(
    request: StandardsRequest, record, output_schema: str, element_set: str
):
    if output_schema == CSW_SCHEMA:
        return dublin_core(record, element_set, request.base_url)
    if element_set == "full" and record.iso_document:
        verbatim = _verbatim_iso(record.iso_document)
        if verbatim is not None:
            return verbatim
    return iso19139(record, element_set, request.base_url, request.now.date())


def _verbatim_iso(document: str):
    """The harvested ISO 19139 document, when it still parses as one."""
    try:
        root = parse_request_xml(
            document.encode("utf-8"), max_bytes=safexml.MAX_XML_BYTES
        )
    except CswError:
        return None
    if root.tag != qname("gmd:MD_Metadata"):
        found = root.find(f".//{qname('gmd:MD_Metadata')}")
        return found
    return root


def describe_record(type_names: str | None) -> StandardsResponse:
    names = (type_names or "csw:Record").replace(",", " ").split()
    for name in names:
        if name not in TYPE_NAMES:
            raise invalid(
                "typeName",
                f"Invalid value for typeName: {name} (use {' or '.join(TYPE_NAMES)}).",
            )
    root = etree.Element(
        qname("csw:DescribeRecordResponse"), nsmap=_nsmap("csw", "xs", "xsi")
    )
    root.set(qname("xsi:schemaLocation"), f"{NS['csw']} {DISCOVERY_XSD}")
    schemas = {
        "csw:Record": (NS["csw"], "http://schemas.opengis.net/csw/2.0.2/record.xsd"),
        "gmd:MD_Metadata": (
            NS["gmd"],
            "http://schemas.opengis.net/iso/19139/20060504/gmd/gmd.xsd",
        ),
    }
    for name in names:
        namespace, location = schemas[name]
        component = sub(
            root,
            "csw:SchemaComponent",
            schemaLanguage="XMLSCHEMA",
            targetNamespace=namespace,
        )
        schema = sub(component, "xs:schema", targetNamespace=namespace)
        schema.set("elementFormDefault", "qualified")
        sub(schema, "xs:include", schemaLocation=location)
    return _xml(root)


def capabilities(request: StandardsRequest) -> StandardsResponse:
    endpoint = f"{request.base_url}/csw"
    root = etree.Element(
        qname("csw:Capabilities"),
        nsmap=_nsmap("csw", "ows", "ogc", "gml", "xlink", "xsi"),
    )
    root.set("version", VERSION)
    root.set(qname("xsi:schemaLocation"), f"{NS['csw']} {DISCOVERY_XSD}")
    identification = sub(root, "ows:ServiceIdentification")
    sub(identification, "ows:Title", f"{request.site_name} — catalogue")
    sub(
        identification,
        "ows:Abstract",
        f"Reference-data catalogue of {request.site_name}: the records pooled from "
        "the regional platforms (CSW 2.0.2, ISO 19139 and Dublin Core).",
    )
    keywords = sub(identification, "ows:Keywords")
    for word in ("catalogue", "discovery", "Occitanie"):
        sub(keywords, "ows:Keyword", word)
    sub(identification, "ows:ServiceType", "CSW", codeSpace="OGC")
    sub(identification, "ows:ServiceTypeVersion", VERSION)
    sub(identification, "ows:Fees", "None")
    sub(identification, "ows:AccessConstraints", "None")
    provider = sub(root, "ows:ServiceProvider")
    sub(provider, "ows:ProviderName", request.site_name)
    sub(
        provider,
        "ows:ProviderSite",
        **{"xlink:type": "simple", "xlink:href": request.base_url + "/"},
    )
    contact = sub(provider, "ows:ServiceContact")
    sub(contact, "ows:Role", "pointOfContact", codeSpace="ISOTC211/19115")

    operations = sub(root, "ows:OperationsMetadata")

    def operation(name: str, parameters: dict[str, tuple]):
        element = sub(operations, "ows:Operation", name=name)
        http = sub(sub(element, "ows:DCP"), "ows:HTTP")
        sub(http, "ows:Get", **{"xlink:type": "simple", "xlink:href": endpoint})
        post = sub(http, "ows:Post", **{"xlink:type": "simple", "xlink:href": endpoint})
        encoding = sub(post, "ows:Constraint", name="PostEncoding")
        sub(encoding, "ows:Value", "XML")
        for parameter, values in parameters.items():
            element_parameter = sub(element, "ows:Parameter", name=parameter)
            for value in values:
                sub(element_parameter, "ows:Value", value)
        return element

    operation(
        "GetCapabilities",
        {
            "sections": (
                "ServiceIdentification",
                "ServiceProvider",
                "OperationsMetadata",
                "Filter_Capabilities",
            )
        },
    )
    operation(
        "DescribeRecord",
        {
            "outputFormat": ("application/xml",),
            "schemaLanguage": ("http://www.w3.org/XML/Schema",),
            "typeName": TYPE_NAMES,
        },
    )
    records = operation(
        "GetRecords",
        {
            "CONSTRAINTLANGUAGE": ("CQL_TEXT", "FILTER"),
            "ElementSetName": ELEMENT_SETS,
            "outputFormat": ("application/xml",),
            "outputSchema": OUTPUT_SCHEMAS,
            "resultType": ("hits", "results"),
            "typeNames": TYPE_NAMES,
        },
    )
    for name, values in (
        ("SupportedDublinCoreQueryables", DUBLIN_CORE_QUERYABLES),
        ("SupportedISOQueryables", ISO_QUERYABLES),
    ):
        constraint = sub(records, "ows:Constraint", name=name)
        for value in values:
            sub(constraint, "ows:Value", value)
    operation(
        "GetRecordById",
        {
            "ElementSetName": ELEMENT_SETS,
            "outputFormat": ("application/xml",),
            "outputSchema": OUTPUT_SCHEMAS,
        },
    )
    for name, values in (
        ("service", ("CSW",)),
        ("version", (VERSION,)),
    ):
        parameter = sub(operations, "ows:Parameter", name=name)
        for value in values:
            sub(parameter, "ows:Value", value)
    for name, value in (
        ("MaxRecordDefault", str(MAX_RECORDS)),
        ("PostEncoding", "XML"),
    ):
        constraint = sub(operations, "ows:Constraint", name=name)
        sub(constraint, "ows:Value", value)

    filter_capabilities = sub(root, "ogc:Filter_Capabilities")
    spatial = sub(filter_capabilities, "ogc:Spatial_Capabilities")
    operands = sub(spatial, "ogc:GeometryOperands")
    sub(operands, "ogc:GeometryOperand", "gml:Envelope")
    spatial_operators = sub(spatial, "ogc:SpatialOperators")
    sub(spatial_operators, "ogc:SpatialOperator", name="BBOX")
    scalar = sub(filter_capabilities, "ogc:Scalar_Capabilities")
    logical = sub(scalar, "ogc:LogicalOperators")
    comparison = sub(scalar, "ogc:ComparisonOperators")
    for name in (
        "Between",
        "EqualTo",
        "GreaterThan",
        "GreaterThanEqualTo",
        "LessThan",
        "LessThanEqualTo",
        "Like",
        "NotEqualTo",
    ):
        sub(comparison, "ogc:ComparisonOperator", name)
    del logical  # present and empty: And, Or and Not are always supported
    identifiers = sub(filter_capabilities, "ogc:Id_Capabilities")
    sub(identifiers, "ogc:EID")
    sub(identifiers, "ogc:FID")
    return _xml(root)
