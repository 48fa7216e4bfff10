"""Framework-free cores of the standards endpoints: CSW 2.0.2 (``csw``), OGC API –
Records (``ogcapi``) and DCAT-AP (``dcat``).

Each core takes a ``StandardsRequest`` and a repository
(``repository.DatasetRepository`` over the person's visible records, or anything
with the same methods) and returns a
``StandardsResponse``. Only ``repository`` imports Django; the Django views in
``catalog/views/standards.py`` are a few lines around these functions.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class StandardsRequest:
    """What a standards core needs to know of an HTTP request."""

    method: str = "GET"
    path: str = "/"
    # Query parameters as received (several values per name possible).
    query: Mapping[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    # Scheme and host of the site, without a trailing slash: "https://crig.example".
    base_url: str = "http://localhost"
    accept: str = ""
    site_name: str = "CRIG"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Renders an HTML page: (template name, context) -> text. Given by the adapter.
    render_html: Callable[[str, dict], str] | None = None

    def param(self, name: str, *, case_insensitive: bool = False) -> str | None:
        """The first value of a query parameter, or None."""
        if case_insensitive:
            wanted = name.lower()
            for key, values in self.query.items():
                if key.lower() == wanted and values:
                    return values[0]
            return None
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class StandardsResponse:
    status: int
    headers: dict[str, str]
    body: bytes
