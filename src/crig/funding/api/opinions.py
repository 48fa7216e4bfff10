"""REST API of the public register of the council's opinions.

Read from ``selectors.register``: the latest published version of each opinion
with the request's public part only (reference, title, public summary, theme,
territory, signatory, programme, applicant, amount requested) — never the
description, budget, attachments, reviewers' comments or declarations. An
unpublished opinion is a 404 except to those who see its file.
"""

import datetime
import json
from typing import Literal

import shapely
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from crig.core.api import OFFSET_MAX
from crig.core.exports import export_response
from crig.funding.api.requests import (
    GEOJSON_MEDIA_TYPE,
    CodeLabelOut,
    FundingOrganisationOut,
    PositionOut,
    RefOut,
    _code_label,
    opinion_version_out,
    organisation_ref,
    snapshot_positions_out,
)
from crig.funding.models import FundingRequest, Opinion, RequestCommune
from crig.funding.selectors import register as selectors
from crig.members.geometry import MAP_TOLERANCE_DEGREES
from crig.needs.models import Theme

router = Router()

ThemeCode = Literal[tuple(Theme.values)]
VerdictCode = Literal[tuple(Opinion.Verdict.values)]
VERDICT_COLOURS = {
    Opinion.Verdict.FAVORABLE: "#1a7f37",
    Opinion.Verdict.FAVORABLE_WITH_RESERVATIONS: "#b36b00",
    Opinion.Verdict.UNFAVORABLE: "#b42318",
}


class RegisterFiltersIn(Schema):
    q: str = Field("", max_length=200, description="Words of the title or summary.")
    theme: ThemeCode | None = None
    signatory: int | None = Field(None, description="Id of the signatory reached.")
    year: int | None = Field(None, ge=2000, le=2100, description="Year adopted.")
    verdict: VerdictCode | None = None
    departement: str = Field("", max_length=3, description="Département code.")
    epci: str = Field("", max_length=9, description="SIREN of an EPCI.")
    commune: str = Field("", max_length=5, description="INSEE code.")
    format: Literal["json", "geojson", "csv", "xlsx"] = Field(
        "json",
        description="`geojson`: the territories, unpaged; `csv`, `xlsx`: a file of "
        "every matching opinion, one row each.",
    )
    limit: int = Field(50, ge=1, le=1000, description="JSON only.")
    offset: int = Field(0, ge=0, le=OFFSET_MAX, description="JSON only.")

    def selector_filters(self) -> selectors.RegisterFilters:
        return selectors.RegisterFilters(
            q=self.q.strip(),
            theme=self.theme or "",
            signatory=self.signatory,
            year=self.year,
            verdict=self.verdict or "",
            departement=self.departement.strip(),
            epci=self.epci.strip(),
            commune=self.commune.strip(),
        )


class PublicRequestOut(Schema):
    id: int
    reference: str | None
    title: str
    public_summary: str
    theme: CodeLabelOut
    applicant: FundingOrganisationOut
    signatory: RefOut
    programme: RefOut | None
    amount_requested: float
    territory_description: str
    area_km2: float | None
    communes: list[str] = Field(description="INSEE codes.")


class RecusalOut(Schema):
    signatory: str
    reviewer: str


class OpinionOut(Schema):
    id: int
    version: int
    verdict: CodeLabelOut
    reasoning: str
    conditions: str
    adopted_on: datetime.date
    adoption: CodeLabelOut
    meeting_label: str
    published_at: datetime.datetime | None
    correction_note: str
    positions: list[PositionOut] = Field(description="Without the comments.")
    recusals: list[RecusalOut]
    request: PublicRequestOut
    url: str


class OpinionListOut(Schema):
    count: int
    items: list[OpinionOut]


class OpinionDetailOut(OpinionOut):
    versions: list = Field(description="Every version visible to the caller.")


def _communes_of(request_ids: list[int]) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {}
    for request_id, insee in (
        RequestCommune.objects.filter(request_id__in=request_ids)
        .order_by("commune_id")
        .values_list("request_id", "commune_id")
    ):
        codes.setdefault(request_id, []).append(insee)
    return codes


def public_request_out(funding_request: FundingRequest, communes: list[str]) -> dict:
    programme = funding_request.programme
    return {
        "id": funding_request.pk,
        "reference": funding_request.reference,
        "title": funding_request.title,
        "public_summary": funding_request.public_summary,
        "theme": _code_label(Theme, funding_request.theme),
        "applicant": organisation_ref(funding_request.applicant),
        "signatory": {
            "id": funding_request.signatory_id,
            "name": str(funding_request.signatory),
        },
        "programme": {"id": programme.pk, "name": programme.name}
        if programme
        else None,
        "amount_requested": float(funding_request.amount_requested),
        "territory_description": funding_request.territory_description,
        "area_km2": funding_request.area_km2,
        "communes": communes,
    }


def recusals_out(opinion: Opinion) -> list[dict]:
    return [
        {
            "signatory": entry.get("signatory_name") or str(entry.get("signatory", "")),
            "reviewer": entry.get("reviewer_name") or str(entry.get("reviewer", "")),
        }
        for entry in opinion.recusals or []
    ]


def opinion_out(opinion: Opinion, communes: list[str]) -> dict:
    return {
        "id": opinion.pk,
        "version": opinion.version,
        "verdict": _code_label(Opinion.Verdict, opinion.verdict),
        "reasoning": opinion.reasoning,
        "conditions": opinion.conditions,
        "adopted_on": opinion.adopted_on,
        "adoption": _code_label(Opinion.Adoption, opinion.adoption),
        "meeting_label": opinion.meeting_label,
        "published_at": opinion.published_at,
        "correction_note": opinion.correction_note,
        "positions": snapshot_positions_out(opinion),
        "recusals": recusals_out(opinion),
        "request": public_request_out(opinion.request, communes),
        "url": opinion.get_absolute_url(),
    }


def _feature(opinion: Opinion, outline: str | None) -> str:
    colour = VERDICT_COLOURS.get(opinion.verdict, "#555555")
    properties = {
        "id": opinion.pk,
        "name": opinion.request.title,
        "verdict": opinion.verdict,
        "verdict_label": str(Opinion.Verdict(opinion.verdict).label),
        "url": opinion.get_absolute_url(),
        "style": {
            "color": colour,
            "fillColor": colour,
            "weight": 2,
            "fillOpacity": 0.2,
        },
    }
    return (
        '{"type": "Feature", "id": '
        + json.dumps(opinion.pk)
        + ', "geometry": '
        + (outline or "null")
        + ', "properties": '
        + json.dumps(properties, ensure_ascii=False)
        + "}"
    )


def _outlines(request_ids: list[int], *, simplify: bool) -> dict[int, str]:
    """The stored outlines (published requests only: the territory is public
    once the opinion is), simplified for a map of many."""
    outlines = dict(
        FundingRequest.objects.filter(
            pk__in=request_ids, state=FundingRequest.State.PUBLISHED
        ).values_list("pk", "outline")
    )
    if not simplify:
        return outlines
    present = [pk for pk, text in outlines.items() if text]
    if present:
        shapes = shapely.simplify(
            shapely.from_geojson([outlines[pk] for pk in present]),
            MAP_TOLERANCE_DEGREES,
            preserve_topology=True,
        )
        texts = shapely.to_geojson(shapely.set_precision(shapes, 1e-5))
        outlines.update(dict(zip(present, texts, strict=True)))
    return outlines


def _collection(features: list[str]) -> HttpResponse:
    return HttpResponse(
        '{"type": "FeatureCollection", '
        f'"numberMatched": {len(features)}, "numberReturned": {len(features)}, '
        '"features": [' + ", ".join(features) + "]}",
        content_type=GEOJSON_MEDIA_TYPE,
    )


def export_rows(request, opinions: list[Opinion]) -> tuple[list, list]:
    communes = _communes_of([opinion.request_id for opinion in opinions])
    header = [
        _("Reference"),
        _("Title"),
        _("Public summary"),
        _("Theme"),
        _("Applicant"),
        _("Signatory reached"),
        _("Programme"),
        _("Amount requested (€)"),
        _("Territory"),
        _("INSEE codes"),
        _("Verdict"),
        _("Reasoning"),
        _("Conditions"),
        _("Adopted on"),
        _("Adopted by"),
        _("Meeting"),
        _("Version"),
        _("Published at"),
        _("Signatories' positions"),
        _("Recusals"),
        _("Address"),
    ]
    rows = []
    for opinion in opinions:
        item = opinion.request
        rows.append(
            [
                item.reference,
                item.title,
                item.public_summary,
                str(Theme(item.theme).label),
                item.applicant.name,
                str(item.signatory),
                item.programme.name if item.programme else "",
                item.amount_requested,
                item.territory_description,
                communes.get(item.pk, []),
                str(Opinion.Verdict(opinion.verdict).label),
                opinion.reasoning,
                opinion.conditions,
                opinion.adopted_on,
                str(Opinion.Adoption(opinion.adoption).label),
                opinion.meeting_label,
                opinion.version,
                opinion.published_at,
                [
                    f"{row['signatory']}: {row['position']['label']}"
                    for row in snapshot_positions_out(opinion)
                ],
                len(opinion.recusals or []),
                request.build_absolute_uri(opinion.get_absolute_url()),
            ]
        )
    return header, rows


@router.get(
    "/opinions",
    response=OpinionListOut,
    url_name="opinions_list",
    summary="The public register of opinions",
)
def opinions_list(request, filters: Query[RegisterFiltersIn]):
    """The latest published version of each opinion, most recently adopted
    first, with the request's public part. `format=geojson`: the requests'
    territories (unpaged); `csv`, `xlsx`: a file of every match."""
    opinions = selectors.register_list(filters=filters.selector_filters())
    if filters.format == "geojson":
        opinions = list(opinions)
        outlines = _outlines([o.request_id for o in opinions], simplify=True)
        return _collection([_feature(o, outlines.get(o.request_id)) for o in opinions])
    if filters.format in ("csv", "xlsx"):
        header, rows = export_rows(request, list(opinions))
        return export_response(
            format=filters.format,
            filename=f"avis-crig-{timezone.localdate().isoformat()}",
            header=header,
            rows=rows,
            sheet_title=_("Opinions"),
        )
    page = list(opinions[filters.offset : filters.offset + filters.limit])
    communes = _communes_of([opinion.request_id for opinion in page])
    return {
        "count": opinions.count(),
        "items": [opinion_out(o, communes.get(o.request_id, [])) for o in page],
    }


@router.get(
    "/opinions/{int:opinion_id}",
    response=OpinionDetailOut,
    url_name="opinions_detail",
    summary="One opinion",
)
def opinions_detail(
    request, opinion_id: int, format: Literal["json", "geojson"] = "json"
):
    """A published opinion (any version) with its versions, or an unpublished one
    to those who see the request's file; else 404. `format=geojson`: the
    request's territory."""
    opinion = selectors.register_get(user=request.user, pk=opinion_id)
    if format == "geojson":
        if opinion.published_at is not None:
            outline = _outlines([opinion.request_id], simplify=False).get(
                opinion.request_id
            )
        else:
            outline = opinion.request.outline
        return _collection([_feature(opinion, outline)])
    versions = opinion.request.opinions.order_by("-version")
    if opinion.published_at is not None and not request.user.has_perm(
        "funding.view_request", opinion.request
    ):
        versions = versions.filter(published_at__isnull=False)
    communes = _communes_of([opinion.request_id])
    return {
        **opinion_out(opinion, communes.get(opinion.request_id, [])),
        "versions": [opinion_version_out(version) for version in versions],
    }
