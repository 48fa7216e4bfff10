"""Catalogue query filters: a small tree, and parsers from OGC Filter Encoding 1.1
(XML, the POST form of CSW 2.0.2) and OGC CQL text (the GET form).

Pure Python (lxml elements in, dataclasses out). The repository turns a tree into a
database query; unknown queryables, operators and malformed values raise
``FilterError``, which the CSW core answers as an ``InvalidParameterValue``.
"""

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

NS_OGC = "http://www.opengis.net/ogc"
NS_GML = "http://www.opengis.net/gml"


class FilterError(ValueError):
    """A filter that cannot be understood; the message is meant for a person."""


# Queryables: the names clients send (CSW core, ISO AP, Dublin Core), folded to
# lower case without their prefix, mapped to the canonical name the repository knows.
QUERYABLES = {
    "anytext": "anytext",
    "title": "title",
    "abstract": "abstract",
    "description": "abstract",
    "subject": "subject",
    "keywords": "subject",
    "identifier": "identifier",
    "fileidentifier": "identifier",
    "resourceidentifier": "identifier",
    "type": "type",
    "modified": "modified",
    "date": "modified",
    "creationdate": "creationdate",
    "created": "creationdate",
    "publicationdate": "publicationdate",
    "issued": "publicationdate",
    "revisiondate": "revisiondate",
    "tempextent_begin": "tempextent_begin",
    "tempextent_end": "tempextent_end",
    "organisationname": "organisationname",
    "organizationname": "organisationname",
    "creator": "organisationname",
    "publisher": "organisationname",
    "rights": "licence",
    "license": "licence",
    "accessconstraints": "licence",
    "language": "language",
    "resourcelanguage": "language",
    "boundingbox": "boundingbox",
    "envelope": "boundingbox",
    "spatial": "boundingbox",
}
DATE_QUERYABLES = frozenset(
    {
        "modified",
        "creationdate",
        "publicationdate",
        "revisiondate",
        "tempextent_begin",
        "tempextent_end",
    }
)
SORTABLE = frozenset(
    {
        "title",
        "identifier",
        "type",
        "organisationname",
        *DATE_QUERYABLES,
    }
)
COMPARISON_OPERATORS = frozenset({"=", "<>", "<", ">", "<=", ">="})


def queryable(name: str) -> str:
    """The canonical name of a queryable ("apiso:Title" → "title")."""
    local = name.strip().rsplit(":", 1)[-1].rsplit("/", 1)[-1].lower()
    try:
        return QUERYABLES[local]
    except KeyError:
        raise FilterError(f"Unknown queryable: {name.strip()!r}.") from None


# --- the tree -----------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """``property op value``; dates are ``datetime.date``, the rest text."""

    property: str
    operator: str
    value: str | date


@dataclass(frozen=True)
class Like:
    """``property LIKE pattern``: the pattern is a tuple of literal strings and the
    wildcards ``ANY`` (any run of characters) and ``ONE`` (one character)."""

    property: str
    pattern: tuple


@dataclass(frozen=True)
class FullText:
    """Records whose text matches these words (the API's French full-text search)."""

    text: str


@dataclass(frozen=True)
class BBox:
    """Records whose footprint intersects this box (WGS84, longitude/latitude)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class TimeOverlap:
    """Records whose time (temporal extent, else their date) meets [start, end];
    None for an open end."""

    start: date | None
    end: date | None


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class And:
    operands: tuple


@dataclass(frozen=True)
class Or:
    operands: tuple


ANY = object()
ONE = object()


def like_pattern(
    text: str, *, wildcard: str = "%", single: str = "_", escape: str = "\\"
) -> tuple:
    """Splits a LIKE pattern into literals and ``ANY``/``ONE`` wildcards."""
    parts: list = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if escape and char == escape and index + 1 < len(text):
            literal.append(text[index + 1])
            index += 2
            continue
        if wildcard and text.startswith(wildcard, index):
            token, width = ANY, len(wildcard)
        elif single and text.startswith(single, index):
            token, width = ONE, len(single)
        else:
            literal.append(char)
            index += 1
            continue
        if literal:
            parts.append("".join(literal))
            literal = []
        if not (token is ANY and parts and parts[-1] is ANY):
            parts.append(token)
        index += width
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def like_words(pattern: tuple) -> str:
    """The literal text of a LIKE pattern, wildcards turned into spaces."""
    return " ".join(p for p in pattern if isinstance(p, str)).strip()


def match_text(node_property: str, pattern: tuple):
    """A LIKE on AnyText is a full-text search; elsewhere a real LIKE."""
    if node_property == "anytext":
        words = like_words(pattern)
        if not words:
            return None
        return FullText(words)
    return Like(node_property, pattern)


def comparison(name: str, operator: str, value: str):
    prop = queryable(name)
    if prop == "boundingbox":
        raise FilterError("Use BBOX to filter on the bounding box.")
    if operator not in COMPARISON_OPERATORS:
        raise FilterError(f"Unknown comparison operator: {operator!r}.")
    if prop == "anytext":
        if operator != "=":
            raise FilterError("AnyText supports only equality and LIKE.")
        return FullText(value.strip()) if value.strip() else None
    if prop in DATE_QUERYABLES:
        return Comparison(prop, operator, parse_date(value))
    return Comparison(prop, operator, value)


def parse_date(value: str) -> date:
    """An ISO 8601 date or date-time (its date is used)."""
    text = value.strip()
    try:
        if len(text) == 4 and text.isdigit():
            return date(int(text), 1, 1)
        if len(text) == 7 and text[4] == "-":
            return date(int(text[:4]), int(text[5:7]), 1)
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise FilterError(f"Not a date: {value.strip()!r} (use YYYY-MM-DD).") from None


def bbox(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> BBox:
    """A checked WGS84 box (west, south, east, north)."""
    values = (min_lon, min_lat, max_lon, max_lat)
    if not all(math.isfinite(v) for v in values):
        raise FilterError("Bounding box coordinates must be finite numbers.")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise FilterError("Bounding box longitudes must lie between -180 and 180.")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise FilterError("Bounding box latitudes must lie between -90 and 90.")
    if min_lat > max_lat:
        raise FilterError("The bounding box's south latitude exceeds its north one.")
    if min_lon > max_lon:
        raise FilterError(
            "The bounding box's west longitude exceeds its east one "
            "(boxes across the antimeridian are not supported)."
        )
    return BBox(*values)


def combine(kind, operands) -> object:
    """And/Or of the operands that are not None (a void AnyText search matches all)."""
    kept = tuple(op for op in operands if op is not None)
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return kind(kept)


# --- OGC Filter Encoding 1.1 -------------------------------------------------

_FES_COMPARISONS = {
    "PropertyIsEqualTo": "=",
    "PropertyIsNotEqualTo": "<>",
    "PropertyIsLessThan": "<",
    "PropertyIsGreaterThan": ">",
    "PropertyIsLessThanOrEqualTo": "<=",
    "PropertyIsGreaterThanOrEqualTo": ">=",
}
# EPSG:4326 named by a URN or an http URI has latitude first (GML 3.1.1, as pycsw
# reads it); "EPSG:4326" and CRS84 have longitude first.
_LAT_LON_CRS = re.compile(
    r"^(urn:(x-)?ogc:def:crs:EPSG:[\d.]*:4326|"
    r"https?://www\.opengis\.net/def/crs/EPSG/0/4326)$",
    re.IGNORECASE,
)
_LON_LAT_CRS = re.compile(
    r"^(EPSG:4326|urn:ogc:def:crs:OGC:1\.3:CRS84|"
    r"https?://www\.opengis\.net/def/crs/OGC/1\.3/CRS84)$",
    re.IGNORECASE,
)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element) -> list:
    return [child for child in element if isinstance(child.tag, str)]


def _text(element, name: str) -> str:
    for child in _children(element):
        if _local(child.tag) == name:
            return (child.text or "").strip()
    raise FilterError(f"{_local(element.tag)} needs a {name}.")


def parse_fes(filter_element):
    """The tree of an ``ogc:Filter`` element (Filter Encoding 1.1)."""
    if _local(filter_element.tag) != "Filter":
        raise FilterError("The constraint must be an ogc:Filter.")
    children = _children(filter_element)
    if len(children) != 1:
        raise FilterError("An ogc:Filter holds exactly one operator.")
    return _fes_node(children[0])


def _fes_node(element):
    name = _local(element.tag)
    if name in ("And", "Or"):
        operands = [_fes_node(child) for child in _children(element)]
        if len(operands) < 2:
            raise FilterError(f"ogc:{name} needs at least two operands.")
        return combine(And if name == "And" else Or, operands)
    if name == "Not":
        children = _children(element)
        if len(children) != 1:
            raise FilterError("ogc:Not holds exactly one operand.")
        operand = _fes_node(children[0])
        return None if operand is None else Not(operand)
    if name in _FES_COMPARISONS:
        return comparison(
            _text(element, "PropertyName"),
            _FES_COMPARISONS[name],
            _text(element, "Literal"),
        )
    if name == "PropertyIsLike":
        pattern = like_pattern(
            _text(element, "Literal"),
            wildcard=element.get("wildCard", "%"),
            single=element.get("singleChar", "_"),
            escape=element.get("escapeChar", element.get("escape", "\\")),
        )
        prop = queryable(_text(element, "PropertyName"))
        if prop in DATE_QUERYABLES or prop == "boundingbox":
            raise FilterError(f"LIKE does not apply to {prop}.")
        return match_text(prop, pattern)
    if name == "PropertyIsBetween":
        prop_name = _text(element, "PropertyName")
        bounds = {}
        for child in _children(element):
            if _local(child.tag) in ("LowerBoundary", "UpperBoundary"):
                bounds[_local(child.tag)] = _text(child, "Literal")
        if set(bounds) != {"LowerBoundary", "UpperBoundary"}:
            raise FilterError("PropertyIsBetween needs both boundaries.")
        return And(
            (
                comparison(prop_name, ">=", bounds["LowerBoundary"]),
                comparison(prop_name, "<=", bounds["UpperBoundary"]),
            )
        )
    if name == "BBOX":
        return _fes_bbox(element)
    raise FilterError(f"Unsupported filter operator: {name}.")


def _fes_bbox(element):
    for child in _children(element):
        if _local(child.tag) == "PropertyName" and (
            queryable(child.text or "") != "boundingbox"
        ):
            raise FilterError("BBOX applies to ows:BoundingBox only.")
    envelope = next(
        (c for c in _children(element) if _local(c.tag) == "Envelope"), None
    )
    if envelope is None:
        raise FilterError("BBOX needs a gml:Envelope.")
    corners = {}
    for child in _children(envelope):
        key = _local(child.tag).lower()
        if key in ("lowercorner", "uppercorner"):
            corners[key] = _numbers(child.text or "", 2, "a gml:Envelope corner")
    if set(corners) != {"lowercorner", "uppercorner"}:
        raise FilterError("gml:Envelope needs lowerCorner and upperCorner.")
    (a1, b1), (a2, b2) = corners["lowercorner"], corners["uppercorner"]
    srs = (envelope.get("srsName") or "").strip()
    if not srs or _LAT_LON_CRS.match(srs):
        return bbox(b1, a1, b2, a2)
    if _LON_LAT_CRS.match(srs):
        return bbox(a1, b1, a2, b2)
    raise FilterError(f"Unsupported srsName {srs!r}: use EPSG:4326.")


def _numbers(text: str, count: int, what: str) -> list[float]:
    parts = text.replace(",", " ").split()
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise FilterError(f"Not numbers in {what}: {text.strip()!r}.") from None
    if len(values) != count:
        raise FilterError(f"{what.capitalize()} needs {count} numbers.")
    return values


# --- OGC CQL text ------------------------------------------------------------

_CQL_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<op><>|!=|<=|>=|=|<|>)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][\w:.\-/]*)
    )""",
    re.VERBOSE,
)
_CQL_KEYWORDS = {"AND", "OR", "NOT", "LIKE", "ILIKE", "BETWEEN", "BBOX"}


def _cql_tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _CQL_TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FilterError(
                f"Cannot read the CQL constraint at character {position + 1}: "
                f"{text[position : position + 20]!r}."
            )
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "word" and value.upper() in _CQL_KEYWORDS:
            kind, value = "keyword", value.upper()
        tokens.append((kind, value))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


class _CqlParser:
    def __init__(self, text: str):
        self.tokens = _cql_tokens(text)
        self.index = 0

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise FilterError("The CQL constraint ends too early.")
        if (kind and token[0] != kind) or (value and token[1] != value):
            raise FilterError(
                f"Unexpected {token[1]!r} in the CQL constraint"
                + (f" (expected {value or kind})." if (value or kind) else ".")
            )
        self.index += 1
        return token[1]

    def accept(self, kind: str, value: str | None = None) -> bool:
        token = self.peek()
        if token and token[0] == kind and (value is None or token[1] == value):
            self.index += 1
            return True
        return False

    def parse(self):
        node = self.disjunction()
        if self.peek() is not None:
            raise FilterError(f"Unexpected {self.peek()[1]!r} in the CQL constraint.")
        return node

    def disjunction(self):
        operands = [self.conjunction()]
        while self.accept("keyword", "OR"):
            operands.append(self.conjunction())
        return combine(Or, operands) if len(operands) > 1 else operands[0]

    def conjunction(self):
        operands = [self.negation()]
        while self.accept("keyword", "AND"):
            operands.append(self.negation())
        return combine(And, operands) if len(operands) > 1 else operands[0]

    def negation(self):
        if self.accept("keyword", "NOT"):
            operand = self.negation()
            return None if operand is None else Not(operand)
        if self.accept("punct", "("):
            node = self.disjunction()
            self.take("punct", ")")
            return node
        return self.predicate()

    def literal(self) -> str:
        token = self.peek()
        if token is None:
            raise FilterError("The CQL constraint ends too early.")
        if token[0] == "string":
            self.index += 1
            return token[1][1:-1].replace("''", "'")
        if token[0] in ("number", "word"):
            self.index += 1
            return token[1]
        raise FilterError(f"Expected a value in the CQL constraint, got {token[1]!r}.")

    def number(self) -> float:
        value = self.take("number")
        return float(value)

    def predicate(self):
        if self.accept("keyword", "BBOX"):
            self.take("punct", "(")
            prop = self.take("word")
            if queryable(prop) != "boundingbox":
                raise FilterError("BBOX applies to ows:BoundingBox only.")
            values = []
            for _ in range(4):
                self.take("punct", ",")
                values.append(self.number())
            if self.accept("punct", ","):
                crs = self.literal()
                if _LAT_LON_CRS.match(crs):
                    values = [values[1], values[0], values[3], values[2]]
                elif not _LON_LAT_CRS.match(crs):
                    raise FilterError(f"Unsupported CRS {crs!r}: use EPSG:4326.")
            self.take("punct", ")")
            return bbox(*values)
        name = self.take("word")
        negate = self.accept("keyword", "NOT")
        if self.accept("keyword", "LIKE") or self.accept("keyword", "ILIKE"):
            prop = queryable(name)
            if prop in DATE_QUERYABLES or prop == "boundingbox":
                raise FilterError(f"LIKE does not apply to {prop}.")
            node = match_text(prop, like_pattern(self.literal()))
        elif self.accept("keyword", "BETWEEN"):
            low = self.literal()
            self.take("keyword", "AND")
            high = self.literal()
            node = And((comparison(name, ">=", low), comparison(name, "<=", high)))
        else:
            if negate:
                raise FilterError("NOT goes before LIKE or BETWEEN here.")
            operator = self.take("op")
            node = comparison(
                name, "<>" if operator == "!=" else operator, self.literal()
            )
        if negate and node is not None:
            return Not(node)
        return node


def parse_cql(text: str):
    """The tree of an OGC CQL text constraint (None when it matches everything)."""
    if not text.strip():
        return None
    return _CqlParser(text).parse()
