"""What a source reader yields: one page of records at a time."""

from dataclasses import dataclass, field

from crig.catalog.ingest.records import RecordData


@dataclass
class SourcePage:
    records: list[RecordData]
    failures: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    warnings: list[str] = field(default_factory=list)
    url: str = ""
    matched: int | None = None  # total announced by the source, when it says
