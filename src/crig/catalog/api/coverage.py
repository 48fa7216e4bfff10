"""REST API of the commune coverage: what covers a commune, and one référentiel
over the region (best dataset per commune, gaps) in JSON, GeoJSON or CSV.

Both start from ``selectors.visibility.datasets_published_to``: restricted
records count only for those who may see them.
"""

import csv
import io
import json
from collections.abc import Callable
from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from crig.catalog.selectors import coverage as selectors
from crig.catalog.selectors.coverage import CommuneStatus, CoveringDataset
from crig.core.api import OFFSET_MAX
from crig.core.exports import csv_field
from crig.core.reversing import reverser

router = Router()

GEOJSON_MEDIA_TYPE = "application/geo+json"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
CSV_COLUMNS = [
    "insee",
    "name",
    "departement",
    "epci",
    "status",
    "dataset_id",
    "dataset_title",
    "year",
    "resolution_m",
    "fraction",
]

#: Map colours by status, and for covered communes by age of the data (years).
STATUS_COLOURS = {"gap": "#c0392b", "outdated": "#e67e22"}
AGE_COLOURS = [(2, "#1a7f37"), (5, "#5aae61"), (10, "#a6d96a")]
OLDEST_COLOUR = "#d9ef8b"


# --- Schemas --------------------------------------------------------------------------


class CoveringDatasetOut(Schema):
    id: int
    title: str
    year: int | None
    resolution_m: float | None
    scale_denominator: int | None
    producer: str
    fraction: float = Field(description="Share of the commune covered, 0-1.")
    url: str


class ThemeCoverageOut(Schema):
    referentiel: str = Field(description="Empty for datasets of no référentiel.")
    label: str
    best: CoveringDatasetOut | None = Field(
        description="Most recent dataset covering at least `min_share`."
    )
    datasets: list[CoveringDatasetOut]


class CommuneCoverageOut(Schema):
    insee: str
    name: str
    min_share: float
    themes: list[ThemeCoverageOut]


class CommuneStatusOut(Schema):
    insee: str
    name: str
    departement: str
    epci: str | None
    status: Literal["covered", "outdated", "gap"]
    best: CoveringDatasetOut | None


class ReferentielCoverageOut(Schema):
    referentiel: str
    min_share: float
    older_than: int | None
    counts: dict[str, int] = Field(description="Communes per status (all pages).")
    count: int
    items: list[CommuneStatusOut]


class ShareQuery(Schema):
    min_share: float | None = Field(
        None, gt=0, le=1, description="Share of a commune a dataset must cover."
    )


class ReferentielQuery(ShareQuery):
    departement: str | None = Field(None, max_length=3)
    epci: str | None = Field(None, max_length=9, description="SIREN of an EPCI.")
    older_than: int | None = Field(
        None, ge=0, le=200, description="Flag best datasets older than N years."
    )
    gaps: bool = Field(False, description="Only gaps and outdated communes.")
    format: Literal["json", "geojson", "csv"] = "json"
    limit: int = Field(100, ge=1, le=5000, description="JSON only.")
    offset: int = Field(0, ge=0, le=OFFSET_MAX, description="JSON only.")


# --- Output helpers ------------------------------------------------------------------


def covering_dataset_out(
    entry: CoveringDataset | None, dataset_url: Callable[[int], str] | None = None
) -> dict | None:
    """``dataset_url``: a ``reverser`` of the dataset page, for many entries."""
    if entry is None:
        return None
    dataset = entry.dataset
    return {
        "id": dataset["pk"],
        "title": dataset["title"],
        "year": dataset["year"],
        "resolution_m": dataset["resolution_m"],
        "scale_denominator": dataset["scale_denominator"],
        "producer": dataset["producer_name"],
        "fraction": round(entry.fraction, 6),
        "url": dataset_url(dataset["pk"])
        if dataset_url
        else reverse("catalog:dataset_detail", args=[dataset["pk"]]),
    }


def commune_status_out(
    row: CommuneStatus, dataset_url: Callable[[int], str] | None = None
) -> dict:
    return {
        "insee": row.commune.insee,
        "name": row.commune.name,
        "departement": row.commune.departement_id,
        "epci": row.commune.epci_id,
        "status": row.status,
        "best": covering_dataset_out(row.best, dataset_url),
    }


def map_colour(row: CommuneStatus, *, this_year: int) -> str:
    if row.status in STATUS_COLOURS:
        return STATUS_COLOURS[row.status]
    year = row.best.dataset["year"] if row.best else None
    if not year:
        return OLDEST_COLOUR
    for max_age, colour in AGE_COLOURS:
        if this_year - year <= max_age:
            return colour
    return OLDEST_COLOUR


def coverage_geojson(coverage: selectors.ReferentielCoverage, *, this_year: int) -> str:
    """A FeatureCollection of commune outlines; the stored outline text is spliced
    in as is."""
    # 4,453 communes: each view's URL is reversed once, not twice per commune.
    dataset_url = reverser("catalog:dataset_detail")
    commune_url = reverser("territory:commune_detail")
    features = []
    for row in coverage.rows:
        properties = commune_status_out(row, dataset_url)
        properties["url"] = commune_url(row.commune.insee)
        best = row.best
        label = best.dataset["title"] if best else "—"
        properties["style"] = {
            "color": "#555555",
            "weight": 0.3,
            "fillColor": map_colour(row, this_year=this_year),
            "fillOpacity": 0.7,
        }
        properties["name"] = f"{row.commune.name} — {label}"
        features.append(
            '{"type": "Feature", "id": '
            + json.dumps(row.commune.insee)
            + ', "geometry": '
            + (row.commune.outline or "null")
            + ', "properties": '
            + json.dumps(properties, ensure_ascii=False)
            + "}"
        )
    return (
        '{"type": "FeatureCollection", '
        f'"numberMatched": {len(features)}, "numberReturned": {len(features)}, '
        '"features": [' + ", ".join(features) + "]}"
    )


def coverage_csv(coverage: selectors.ReferentielCoverage) -> str:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in coverage.rows:
        best = row.best
        # Titles come from harvested records: neutralised like every export
        # (core.exports), so a spreadsheet never runs one as a formula.
        writer.writerow(
            csv_field(value)
            for value in [
                row.commune.insee,
                row.commune.name,
                row.commune.departement_id,
                row.commune.epci_id or "",
                row.status,
                best.dataset["pk"] if best else "",
                best.dataset["title"] if best else "",
                (best.dataset["year"] or "") if best else "",
                (best.dataset["resolution_m"] or "") if best else "",
                round(best.fraction, 6) if best else "",
            ]
        )
    return output.getvalue()


# --- Endpoints ------------------------------------------------------------------------


@router.get(
    "/communes/{insee}/coverage",
    response=CommuneCoverageOut,
    url_name="catalog_commune_coverage",
    summary="Datasets covering a commune",
)
def commune_coverage(request, insee: str, query: Query[ShareQuery]):
    """The datasets covering a commune, per référentiel (theme), most recent
    first, with the best one of each: the most recent covering at least
    `min_share` of the commune (default: the platform's setting, 95 %)."""
    summary = selectors.commune_coverage(
        user=request.user, insee=insee, min_share=query.min_share
    )
    return {
        "insee": summary.commune.insee,
        "name": summary.commune.name,
        "min_share": summary.min_share,
        "themes": [
            {
                "referentiel": theme.referentiel,
                "label": theme.label,
                "best": covering_dataset_out(theme.best),
                "datasets": [covering_dataset_out(entry) for entry in theme.datasets],
            }
            for theme in summary.themes
        ],
    }


@router.get(
    "/coverage/{referentiel}",
    response=ReferentielCoverageOut,
    url_name="catalog_referentiel_coverage",
    summary="Coverage of a référentiel per commune, and gaps",
)
def referentiel_coverage(request, referentiel: str, query: Query[ReferentielQuery]):
    """Per commune, the best dataset of the référentiel (most recent covering at
    least `min_share`) and a status: `covered`, `outdated` (best dataset older
    than `older_than` years) or `gap`. `format=json` is paged (`limit`,
    `offset`); `geojson` (commune outlines, map colours in `properties.style`)
    and `csv` hold every matching commune."""
    coverage = selectors.referentiel_coverage(
        user=request.user,
        referentiel=referentiel,
        min_share=query.min_share,
        departement=query.departement,
        epci=query.epci,
        older_than=query.older_than,
        gaps_only=query.gaps,
        with_outlines=query.format == "geojson",
    )
    if query.format == "geojson":
        return HttpResponse(
            coverage_geojson(coverage, this_year=timezone.localdate().year),
            content_type=GEOJSON_MEDIA_TYPE,
        )
    if query.format == "csv":
        response = HttpResponse(coverage_csv(coverage), content_type=CSV_MEDIA_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="couverture-{coverage.referentiel.value}.csv"'
        )
        return response
    page = coverage.rows[query.offset : query.offset + query.limit]
    return {
        "referentiel": coverage.referentiel.value,
        "min_share": coverage.min_share,
        "older_than": coverage.older_than,
        "counts": coverage.counts,
        "count": len(coverage.rows),
        "items": [commune_status_out(row) for row in page],
    }
