"""``RecordData``: one catalogue record as read from a document, before any matching.

Also the rules shared by the ISO and DCAT readers, written once here so both agree:
which référentiel a record belongs to, which licence its text names, what kind of
link a distribution is, and which year is its vintage.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from crig.territory.names import search_words

REFERENTIEL = "referentiel"
INSPIRE = "inspire"
FREE = "keyword"


@dataclass(frozen=True)
class KeywordData:
    kind: str  # "referentiel" | "inspire" | "keyword" (catalog.models.Keyword.Kind)
    code: str
    label: str
    thesaurus: str = ""


@dataclass(frozen=True)
class DistributionData:
    kind: str  # catalog.models.Distribution.Kind values
    url: str
    name: str = ""
    title: str = ""
    media_type: str = ""
    protocol: str = ""


@dataclass
class RecordData:
    """Every ``Dataset`` field a document can give, plus what goes in related rows."""

    identifier: str
    title: str
    remote_identifier: str = ""
    resource_identifier: str = ""
    abstract: str = ""
    level: str = "dataset"
    language: str = ""
    producer_name: str = ""
    producer_email: str = ""
    referentiel: str = ""
    created_on: date | None = None
    published_on: date | None = None
    revised_on: date | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None
    year: int | None = None
    resolution_m: float | None = None
    scale_denominator: int | None = None
    licence: str = ""
    licence_url: str = ""
    lineage: str = ""
    footprint: BaseGeometry | None = None  # WGS84, lon/lat
    footprint_is_bbox: bool = True
    keywords: list[KeywordData] = field(default_factory=list)
    distributions: list[DistributionData] = field(default_factory=list)
    document: str = ""
    document_format: str = ""  # catalog.models.Provenance.Format values
    warnings: list[str] = field(default_factory=list)
    # Where the record was read, when a batch mixes origins (files of an import);
    # empty: the origin of the harvest.
    origin: str = ""
    # What the content hash is computed on when the document is not stable from one
    # reading to the next (RDF blank node labels): a canonical text.
    hash_basis: str = ""

    @property
    def content_hash(self) -> str:
        """SHA-256 of the verbatim document: equal hashes mean nothing changed."""
        basis = self.hash_basis or self.document
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        return None if self.footprint is None else tuple(self.footprint.bounds)

    def finish(self) -> RecordData:
        """Fill the derived fields (year, référentiel) once the reader is done."""
        self.title = clip(self.title, 500)
        self.identifier = clip(self.identifier, 255)
        self.remote_identifier = clip(self.remote_identifier or self.identifier, 500)
        self.resource_identifier = clip(self.resource_identifier, 500)
        self.producer_name = clip(self.producer_name, 300)
        self.licence = clip(self.licence, 300)
        if self.year is None:
            self.year = vintage_year(self)
        self.keywords = unique_keywords(self.keywords)
        if not self.referentiel:
            self.referentiel = detect_referentiel(self.title, self.keywords)
        if self.referentiel and not any(k.kind == REFERENTIEL for k in self.keywords):
            self.keywords.append(
                KeywordData(
                    REFERENTIEL, self.referentiel, REFERENTIEL_LABELS[self.referentiel]
                )
            )
        seen = set()
        distributions = []
        for dist in self.distributions:
            key = (dist.kind, dist.url, dist.name)
            if key not in seen and len(dist.url) <= 2000:
                seen.add(key)
                distributions.append(dist)
        self.distributions = distributions
        return self


def clip(text: str, length: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= length else text[: length - 1] + "…"


@lru_cache(maxsize=16384)
def words(text: str) -> str:
    """``search_words`` of ``text`` joined by spaces, cached: the same keywords,
    thesaurus titles and constraint texts come back in record after record."""
    return " ".join(search_words(text))


def keyword_code(label: str) -> str:
    """The facet code of a keyword: accent- and case-free words joined by hyphens."""
    return "-".join(search_words(label))[:200]


def unique_keywords(keywords: list[KeywordData]) -> list[KeywordData]:
    seen: set[tuple[str, str]] = set()
    result = []
    for keyword in keywords:
        if not keyword.code or (keyword.kind, keyword.code) in seen:
            continue
        seen.add((keyword.kind, keyword.code))
        result.append(
            KeywordData(
                keyword.kind,
                keyword.code,
                clip(keyword.label, 300),
                clip(keyword.thesaurus, 300),
            )
        )
    return result


def vintage_year(record: RecordData) -> int | None:
    """End of the temporal extent, else the latest of creation, publication and
    revision dates, else the start of the temporal extent. Dates after next year
    are placeholders ("2999-12-31" for an open-ended series) and are skipped."""
    latest = datetime.now(UTC).year + 1
    if record.temporal_end and record.temporal_end.year <= latest:
        return record.temporal_end.year
    dates = [
        d
        for d in (record.created_on, record.published_on, record.revised_on)
        if d and d.year <= latest
    ]
    if dates:
        return max(dates).year
    if record.temporal_start:
        return record.temporal_start.year
    return None


# -- Référentiels ----

REFERENTIEL_LABELS = {
    "orthophotographie": "Orthophotographie",
    "occupation_du_sol": "Occupation du sol",
    "erp": "Établissements recevant du public",
    "pcrs": "PCRS",
    "lidar": "LIDAR",
    "adresses": "Adresses",
}

# The rule, on accent- and case-free words (``search_words``) of the title, then of
# each free keyword (INSPIRE themes are too broad: the RPG is filed under "Land
# cover", aerial photos of any kind under "Orthoimagery"): the first family of this
# list whose pattern matches wins, so a "PCRS image" (an orthophoto made for the
# PCRS) is a PCRS and "LIDAR HD" with an "orthophoto" keyword is a LIDAR. The
# patterns are whole words or phrases, so "ERP" does not match "interpolation" nor
# "BAN" "banque". Addresses need "adresse(s)" in the title, or a keyword naming an
# address base (BAN, BAL, "base adresse…", "points adresses"): a bare "adresses"
# keyword is too often the INSPIRE theme name used as a free keyword.
_REFERENTIEL_PATTERNS = [
    ("pcrs", r"\bpcrs\b|\bplan (de )?corps de rue simplifie\b"),
    ("lidar", r"\blidar\b|\blidar ?hd\b"),
    (
        "orthophotographie",
        r"\borthophoto\w*|\bortho ?photo\w*|\borthoimag\w*|\bortho imag\w*"
        r"|\bbd ortho\b|\bortho hr\b",
    ),
    (
        "occupation_du_sol",
        r"\boccupation (du|des) sols?\b|\bocs ?ge\b|\bocsge\b|\bland cover\b"
        r"|\boccupation des terres\b",
    ),
    (
        "erp",
        r"\berp\b|\betablissements? recevant (du|le) public\b",
    ),
    (
        "adresses",
        r"\bbase (d )?adresses?\b|\bban\b|\bbal\b|\bpoints? adresses?\b",
    ),
]
_TITLE_ADDRESSES = re.compile(r"\badresses?\b|\baddresses\b")
_COMPILED_REFERENTIELS = [
    (code, re.compile(pattern)) for code, pattern in _REFERENTIEL_PATTERNS
]


def detect_referentiel(title: str, keywords: list[KeywordData]) -> str:
    """The référentiel named by the title, else by a keyword; "" when none is."""
    title_text = " ".join(search_words(title or ""))
    code = _text_referentiel(title_text)
    if code:
        return code
    if _TITLE_ADDRESSES.search(title_text):
        return "adresses"
    for keyword in keywords:
        if keyword.kind == FREE:
            code = _keyword_referentiel(keyword.label)
            if code:
                return code
    return ""


def _text_referentiel(text: str) -> str:
    for code, pattern in _COMPILED_REFERENTIELS:
        if pattern.search(text):
            return code
    return ""


@lru_cache(maxsize=16384)
def _keyword_referentiel(label: str) -> str:
    """The référentiel a free keyword names (cached: keywords come back in record
    after record)."""
    return _text_referentiel(words(label))


# -- INSPIRE themes ----

# GEMET INSPIRE themes: code → (English, French) labels.
INSPIRE_THEMES = {
    "ad": ("Addresses", "Adresses"),
    "au": ("Administrative units", "Unités administratives"),
    "rs": ("Coordinate reference systems", "Référentiels de coordonnées"),
    "gg": ("Geographical grid systems", "Systèmes de maillage géographique"),
    "cp": ("Cadastral parcels", "Parcelles cadastrales"),
    "gn": ("Geographical names", "Dénominations géographiques"),
    "hy": ("Hydrography", "Hydrographie"),
    "ps": ("Protected sites", "Sites protégés"),
    "tn": ("Transport networks", "Réseaux de transport"),
    "el": ("Elevation", "Altitude"),
    "ge": ("Geology", "Géologie"),
    "lc": ("Land cover", "Occupation des terres"),
    "oi": ("Orthoimagery", "Ortho-imagerie"),
    "af": (
        "Agricultural and aquaculture facilities",
        "Installations agricoles et aquacoles",
    ),
    "am": (
        "Area management/restriction/regulation zones and reporting units",
        "Zones de gestion, de restriction ou de réglementation et unités de "
        "déclaration",
    ),
    "ac": ("Atmospheric conditions", "Conditions atmosphériques"),
    "br": ("Bio-geographical regions", "Régions biogéographiques"),
    "bu": ("Buildings", "Bâtiments"),
    "er": ("Energy resources", "Sources d'énergie"),
    "ef": (
        "Environmental monitoring facilities",
        "Installations de suivi environnemental",
    ),
    "hb": ("Habitats and biotopes", "Habitats et biotopes"),
    "hh": ("Human health and safety", "Santé et sécurité des personnes"),
    "lu": ("Land use", "Usage des sols"),
    "mf": (
        "Meteorological geographical features",
        "Caractéristiques géographiques météorologiques",
    ),
    "mr": ("Mineral resources", "Ressources minérales"),
    "nz": ("Natural risk zones", "Zones à risque naturel"),
    "of": (
        "Oceanographic geographical features",
        "Caractéristiques géographiques océanographiques",
    ),
    "pd": (
        "Population distribution — demography",
        "Répartition de la population — démographie",
    ),
    "pf": (
        "Production and industrial facilities",
        "Lieux de production et sites industriels",
    ),
    "sr": ("Sea regions", "Régions maritimes"),
    "so": ("Soil", "Sols"),
    "sd": ("Species distribution", "Répartition des espèces"),
    "su": ("Statistical units", "Unités statistiques"),
    "us": (
        "Utility and governmental services",
        "Services d'utilité publique et services publics",
    ),
}
_INSPIRE_BY_LABEL = {}
for _code, (_en, _fr) in INSPIRE_THEMES.items():
    for _label in (_en, _fr):
        _INSPIRE_BY_LABEL[" ".join(search_words(_label))] = _code
# Common variants met in French catalogues.
_INSPIRE_BY_LABEL.update(
    {
        "ortho imagerie": "oi",
        "orthoimagerie": "oi",
        "usage des sols": "lu",
        "utilisation des terres": "lu",
        "altitudes": "el",
        "denominations geographiques": "gn",
    }
)
_INSPIRE_URI = re.compile(r"inspire\.ec\.europa\.eu/theme/([a-z]{2})\b")


@lru_cache(maxsize=1024)
def is_inspire_thesaurus(name: str, uri: str = "") -> bool:
    """GEMET INSPIRE themes, by the thesaurus title ("GEMET - INSPIRE themes,
    version 1.0") or its URI (http://inspire.ec.europa.eu/theme)."""
    text = words(name)
    return ("inspire" in text and ("theme" in text or "gemet" in text)) or (
        "inspire.ec.europa.eu/theme" in uri
    )


def inspire_theme_code(label: str, uri: str = "") -> str:
    """The two-letter INSPIRE theme code for a label or a theme URI; "" if none."""
    match = _INSPIRE_URI.search(uri or "")
    if match and match.group(1) in INSPIRE_THEMES:
        return match.group(1)
    return _INSPIRE_BY_LABEL.get(words(label or ""), "")


@lru_cache(maxsize=16384)
def keyword(label: str, *, thesaurus: str = "", uri: str = "") -> KeywordData | None:
    """A keyword, recognised as an INSPIRE theme when its thesaurus or URI says so
    (cached: ``KeywordData`` is immutable, and keywords repeat across records)."""
    label = (label or "").strip()
    if not label:
        return None
    theme = inspire_theme_code(label, uri)
    if theme and (is_inspire_thesaurus(thesaurus, uri) or _INSPIRE_URI.search(uri)):
        return KeywordData(INSPIRE, theme, label, thesaurus)
    return KeywordData(FREE, keyword_code(label), label, thesaurus)


# -- Licences ----

ETALAB_2 = (
    "Licence Ouverte 2.0",
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
)
ETALAB_1 = (
    "Licence Ouverte 1.0",
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
)
ODBL = ("ODbL 1.0", "https://opendatacommons.org/licenses/odbl/1-0/")
CC0 = ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/")


@lru_cache(maxsize=4096)
def recognise_licence(text: str, url: str = "") -> tuple[str, str] | None:
    """(label, URL) of the open licence a constraint text or link names, or None.

    Recognised: Licence Ouverte / Etalab (1.0 or 2.0), ODbL, Creative Commons BY
    (and BY-SA) with the version of its URL or text, CC0.
    """
    words = " ".join(search_words(f"{text} {url}"))
    if (
        "licence ouverte" in words
        or "open licence" in words
        or "etalab" in words
        or "lov2" in words.split()
    ):
        if re.search(r"\b1 0\b|\bv1\b|2011", words) and not re.search(
            r"\b2 0\b|\bv2\b|2017", words
        ):
            return ETALAB_1
        return ETALAB_2
    if "odbl" in words or "open database license" in words:
        return ODBL
    if "cc0" in words or "publicdomain zero" in words or "cc zero" in words:
        return CC0
    match = re.search(r"creativecommons org licenses (by(?: sa)?) (\d) (\d)", words)
    if match:
        kind = match.group(1).replace(" ", "-").upper()
        version = f"{match.group(2)}.{match.group(3)}"
        return (
            f"CC-{kind} {version}",
            f"https://creativecommons.org/licenses/{kind.lower()}/{version}/",
        )
    match = re.search(
        r"\bcc by( sa)?\b(?: (\d) (\d))?|creative commons attribution( share alike)?",
        words,
    )
    if match:
        share_alike = bool(match.group(1) or match.group(4))
        kind = "BY-SA" if share_alike else "BY"
        version = f"{match.group(2)}.{match.group(3)}" if match.group(2) else "4.0"
        return (
            f"CC-{kind} {version}",
            f"https://creativecommons.org/licenses/{kind.lower()}/{version}/",
        )
    return None


_ACCESS_ONLY = re.compile(
    r"pas de restriction|no limitation|no condition|aucune? (restriction|condition)"
    r"|restriction d acces|conditions unknown|inconnue?s?$|^$"
)


def choose_licence(candidates: list[tuple[str, str]]) -> tuple[str, str]:
    """(licence, licence_url) from (text, url) constraint pairs in document order:
    the first recognised licence, else the first text that is not an access
    statement ("Pas de restriction d'accès public…")."""
    for text, url in candidates:
        recognised = recognise_licence(text, url)
        if recognised:
            return recognised
    for text, url in candidates:
        if "LimitationsOnPublicAccess" in url:
            continue
        if text.strip() and not _ACCESS_ONLY.search(words(text)):
            return clip(text, 300), url if is_http_url(url) else ""
    return "", ""


# -- Distributions ----

_DOWNLOAD_EXTENSIONS = re.compile(
    r"\.(zip|7z|gz|tgz|bz2|gpkg|shp|csv|geojson|json|kml|kmz|tif|tiff|jp2|ecw|laz|las"
    r"|xlsx?|ods|pdf|dxf|sqlite|xml)(\?|$)",
    re.IGNORECASE,
)


def is_http_url(url: str) -> bool:
    return bool(re.match(r"^(https?|ftp)://[^\s]+$", url or "", re.IGNORECASE))


def distribution_kind(protocol: str, url: str, media_type: str = "") -> str:
    """WMS, WFS, WMTS, OGC API, download or web page, from the protocol first
    (``OGC:WMS``, ``OGC:WFS-1.1.0-http-get-capabilities``, ``WWW:DOWNLOAD-1.0-http--
    download``, ``WWW:LINK``…), then from the URL's query and extension."""
    proto = (protocol or "").upper()
    lowered_url = (url or "").lower()
    for kind, marks in (
        ("wmts", ("WMTS",)),
        ("wms", ("WMS",)),
        ("wfs", ("WFS",)),
        ("ogcapi", ("OGC API", "OGCAPI", "OGC:API")),
        ("download", ("DOWNLOAD", "ATOM", "FTP", "FILE")),
        ("web", ("WWW:LINK", "HTTP", "LINK")),
    ):
        if any(mark in proto for mark in marks):
            return kind
    for kind, mark in (
        ("wmts", "service=wmts"),
        ("wms", "service=wms"),
        ("wfs", "service=wfs"),
        ("wmts", "/wmts"),
        ("wfs", "/wfs"),
        ("wms", "/wms"),
    ):
        if mark in lowered_url:
            return kind
    if _DOWNLOAD_EXTENSIONS.search(lowered_url.split("#")[0]):
        return "download"
    media = (media_type or "").lower()
    if media and "html" not in media:
        return "download"
    return "web" if is_http_url(url) else "other"


def bbox_bounds(west, south, east, north) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) as floats, or None when a bound is missing or
    out of range (``bbox_footprint`` without building the geometry)."""
    try:
        west, south, east, north = (float(v) for v in (west, south, east, north))
    except (TypeError, ValueError):
        return None
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        return None
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        return None
    if south > north:
        south, north = north, south
    if west > east:  # crosses the antimeridian: not a region of France
        return None
    return west, south, east, north


def bbox_footprint(west, south, east, north) -> BaseGeometry | None:
    """The WGS84 box, or None when a bound is missing or out of range."""
    bounds = bbox_bounds(west, south, east, north)
    return None if bounds is None else box(*bounds)
