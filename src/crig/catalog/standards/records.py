"""The plain view of a catalogue record that every standards writer reads.

Built by the repository from the database rows of one page only; pure data, so the
writers (CSW Dublin Core and ISO 19139, OGC API Records GeoJSON, DCAT) are tested
without a database.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class RecordKeyword:
    kind: str  # "referentiel", "inspire" or "keyword"
    code: str
    label: str
    thesaurus: str = ""


@dataclass(frozen=True)
class RecordLink:
    kind: str  # wms, wfs, wmts, ogcapi, download, web, other
    url: str
    name: str = ""
    title: str = ""
    media_type: str = ""
    protocol: str = ""


@dataclass(frozen=True)
class CatalogRecord:
    identifier: str
    title: str
    abstract: str = ""
    level: str = "dataset"
    language: str = ""
    producer_name: str = ""
    producer_email: str = ""
    referentiel: str = ""
    keywords: tuple[RecordKeyword, ...] = ()
    links: tuple[RecordLink, ...] = ()
    created_on: date | None = None
    published_on: date | None = None
    revised_on: date | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None
    resolution_m: float | None = None
    scale_denominator: int | None = None
    licence: str = ""
    licence_url: str = ""
    lineage: str = ""
    # (west, south, east, north) in WGS84, or None.
    bbox: tuple[float, float, float, float] | None = None
    # RFC 7946 GeoJSON geometry text in WGS84, or "".
    footprint: str = ""
    resource_identifier: str = ""
    # The page of the record on this site.
    landing_url: str = ""
    # The verbatim ISO 19139 document harvested for this record, when there is one.
    iso_document: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def date(self) -> date | None:
        """The record's date: last revision, else publication, else creation."""
        return self.revised_on or self.published_on or self.created_on

    @property
    def free_keywords(self) -> tuple[RecordKeyword, ...]:
        return tuple(k for k in self.keywords if k.kind == "keyword")

    @property
    def themes(self) -> tuple[RecordKeyword, ...]:
        return tuple(k for k in self.keywords if k.kind != "keyword")


# The theme vocabularies the keywords come from, as URIs for DCAT and OGC API.
INSPIRE_SCHEME = "http://inspire.ec.europa.eu/theme"


def format_number(value: float) -> str:
    """A coordinate as short, exact text: 1.35, 43.0, -0.5 (repr, no exponent)."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.10f}".rstrip("0")
        if text.endswith("."):
            text += "0"
    return text
