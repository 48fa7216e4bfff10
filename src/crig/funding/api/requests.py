"""REST API of funding requests: the files a person may open, their entry and
submission, and the analysis beside each file.

The same permissions as the pages: every read starts from
``selectors.requests`` (``requests_list``, ``request_get``), so a confidential
request the caller may not open appears in no list, count or export, and is a
404 (its existence is not revealed). The signatories' positions follow the rule
written in ``crig.funding.views.requests``: with comments for the secretariat,
administrators and cleared reviewers; without, from the published opinion, for
the others who see the file.
"""

import datetime
import json
from decimal import Decimal
from http import HTTPStatus
from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from crig.core.api import OFFSET_MAX, authenticated, errors
from crig.core.errors import InvalidInput, PermissionDenied
from crig.core.exports import export_response
from crig.funding import rules as funding_rules
from crig.funding import services
from crig.funding.models import (
    CoFunder,
    Criterion,
    DataLicence,
    FundingRequest,
    Opinion,
    Position,
)
from crig.funding.selectors import analysis as analysis_selectors
from crig.funding.selectors import requests as selectors
from crig.members.models import Organisation
from crig.needs.models import Theme
from crig.territory.selection import territory_selection

router = Router()

GEOJSON_MEDIA_TYPE = "application/geo+json"
ThemeCode = Literal[tuple(Theme.values)]
StateCode = Literal[tuple(FundingRequest.State.values)]
LicenceCode = Literal[tuple(DataLicence.values)]
CoFunderStatus = Literal[tuple(CoFunder.Status.values)]


# --- Schemas --------------------------------------------------------------------------


class CodeLabelOut(Schema):
    code: str
    label: str


class RefOut(Schema):
    id: int
    name: str


class FundingOrganisationOut(Schema):
    id: int
    name: str
    acronym: str
    url: str


class RequestFiltersIn(Schema):
    q: str = Field(
        "", max_length=200, description="Words of the reference, title or texts."
    )
    state: StateCode | None = None
    theme: ThemeCode | None = None
    signatory: int | None = Field(None, description="Id of the signatory reached.")
    applicant: str = Field("", max_length=220, description="Slug of the applicant.")
    year: int | None = Field(None, ge=2000, le=2100, description="Year submitted.")
    departement: str = Field(
        "", max_length=3, description="Code: requests with a commune in it."
    )
    format: Literal["json", "csv", "xlsx"] = Field(
        "json",
        description="`csv`, `xlsx`: a file of every matching request, one row each.",
    )
    limit: int = Field(50, ge=1, le=1000, description="JSON only.")
    offset: int = Field(0, ge=0, le=OFFSET_MAX, description="JSON only.")

    def selector_filters(self) -> selectors.RequestFilters:
        return selectors.RequestFilters(
            q=self.q.strip(),
            state=self.state or "",
            theme=self.theme or "",
            signatory=self.signatory,
            applicant=self.applicant,
            year=self.year,
            departement=self.departement,
        )


class RequestOut(Schema):
    id: int
    reference: str | None
    title: str
    state: CodeLabelOut
    theme: CodeLabelOut
    applicant: FundingOrganisationOut
    signatory: RefOut
    programme: RefOut | None
    amount_requested: float
    territory_description: str
    area_km2: float | None
    submitted_at: datetime.datetime | None
    review_deadline: datetime.date | None
    url: str


class RequestListOut(Schema):
    count: int
    items: list[RequestOut]


class BudgetLineOut(Schema):
    label: str
    amount: float


class CoFunderOut(Schema):
    organisation: FundingOrganisationOut | None
    name: str
    amount: float
    status: CodeLabelOut


class AttachmentOut(Schema):
    name: str
    size: int
    url: str


class CommuneShareOut(Schema):
    insee: str
    name: str
    fraction: float = Field(description="Share of the commune in the territory.")


class SeatOut(Schema):
    reviewer: str
    signatory: RefOut
    conflict: CodeLabelOut
    conflict_suggested: bool
    statement: str
    declared_at: datetime.datetime | None


class PositionOut(Schema):
    signatory: str
    position: CodeLabelOut
    scores: dict[str, int | None]
    comments: str | None = Field(
        None,
        description="Only for the secretariat, administrators and cleared "
        "reviewers; null otherwise.",
    )


class OpinionVersionOut(Schema):
    id: int
    version: int
    verdict: CodeLabelOut
    adopted_on: datetime.date
    published_at: datetime.datetime | None
    correction_note: str
    url: str


class RequestDatasetOut(Schema):
    id: int
    title: str
    year: int | None
    area_share: float
    url: str


class RequestCommuneCoverageOut(Schema):
    insee: str
    name: str
    share: float = Field(description="Share of the commune in the territory.")
    status: str = Field(description="covered, outdated or gap.")
    dataset: str | None
    year: int | None


class RequestCoverageOut(Schema):
    referentiel: str | None
    covered_share: float
    gap_share: float
    datasets: list[RequestDatasetOut]
    communes: list[RequestCommuneCoverageOut]


class OverlapOut(Schema):
    id: int
    reference: str | None
    title: str
    state: CodeLabelOut
    shared_communes: int
    shared_area_km2: float
    share_of_this: float
    double_funding_risk: bool


class NeedAnsweredOut(Schema):
    id: int
    title: str
    backers: int
    shared_area_km2: float
    url: str


class ActionServedOut(Schema):
    id: int
    title: str
    plan: str
    direct: bool = Field(description="Linked to the request itself.")
    needs: list[int] = Field(description="Ids of the answered needs it is linked to.")
    url: str


class AnalysisOut(Schema):
    coverage: RequestCoverageOut | None
    overlaps: list[OverlapOut]
    needs: list[NeedAnsweredOut]
    actions: list[ActionServedOut]


class RequestPermissionsOut(Schema):
    change: bool
    submit: bool
    withdraw: bool
    record_position: bool


class RequestDetailOut(RequestOut):
    public_summary: str
    description: str
    self_funding: float
    total_budget: float
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    deliverables: str
    data_licence: CodeLabelOut
    standards: str
    state_reason: str
    population: int
    communes: list[CommuneShareOut]
    budget_lines: list[BudgetLineOut]
    cofunders: list[CoFunderOut]
    attachments: list[AttachmentOut]
    reviewers: list[SeatOut] | None = Field(
        None, description="Secretariat and administrators only; null otherwise."
    )
    positions: list[PositionOut] | None = Field(
        None,
        description="For the secretariat, administrators and cleared reviewers; "
        "for the applicant once the opinion is published (without comments).",
    )
    opinions: list[OpinionVersionOut]
    analysis: AnalysisOut | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    geojson_url: str
    may: RequestPermissionsOut


class TerritoryIn(Schema):
    communes: list[str] = Field([], description="INSEE codes.")
    epcis: list[str] = Field([], description="SIREN of EPCI.")
    departements: list[str] = Field([], description="Département codes.")
    drawn: dict | None = Field(
        None, description="A WGS84 GeoJSON Polygon, MultiPolygon or Feature."
    )


class BudgetLineIn(Schema):
    label: str = Field(min_length=1, max_length=200)
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


class CoFunderIn(Schema):
    organisation: int | None = Field(None, description="Id in the directory.")
    name: str = Field("", max_length=200, description="When not in the directory.")
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    status: CoFunderStatus = "requested"


class RequestCreateIn(Schema):
    applicant: int | None = Field(
        None,
        description="Id of the applicant organisation; may be left out by a member "
        "of a single organisation.",
    )
    signatory: int = Field(description="Id of the signatory reached.")
    programme: int | None = Field(None, description="Id of one of its programmes.")
    title: str = Field(max_length=200)
    public_summary: str = Field(description="Published with the opinion.")
    description: str
    theme: ThemeCode
    amount_requested: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    self_funding: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    deliverables: str = ""
    data_licence: LicenceCode
    standards: str = ""
    budget_lines: list[BudgetLineIn] = Field(
        [],
        description="Their total must equal amount_requested + co-funders + "
        "self_funding.",
    )
    cofunders: list[CoFunderIn] = []
    territory: TerritoryIn
    submit: bool = Field(False, description="Submit now rather than keep a draft.")


# --- Output helpers ------------------------------------------------------------------


def _code_label(choices, value: str) -> dict:
    try:
        label = str(choices(value).label)
    except ValueError:
        label = value
    return {"code": value, "label": label}


def organisation_ref(organisation: Organisation) -> dict:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "acronym": organisation.acronym,
        "url": organisation.get_absolute_url(),
    }


def request_out(funding_request: FundingRequest) -> dict:
    programme = funding_request.programme
    return {
        "id": funding_request.pk,
        "reference": funding_request.reference,
        "title": funding_request.title,
        "state": _code_label(FundingRequest.State, funding_request.state),
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
        "submitted_at": funding_request.submitted_at,
        "review_deadline": funding_request.review_deadline,
        "url": funding_request.get_absolute_url(),
    }


def scores_out(scores: dict | None) -> dict:
    scores = scores or {}
    return {criterion.value: scores.get(criterion.value) for criterion in Criterion}


def snapshot_positions_out(opinion: Opinion) -> list[dict]:
    """The positions copied into an opinion, without comments."""
    return [
        {
            "signatory": entry.get("signatory_name") or str(entry.get("signatory", "")),
            "position": _code_label(Position, entry.get("position", "")),
            "scores": scores_out(entry.get("scores")),
            "comments": None,
        }
        for entry in opinion.positions or []
    ]


def _positions(user, funding_request: FundingRequest, opinions) -> list[dict] | None:
    if funding_rules.is_staff_role.test(
        user, funding_request
    ) or funding_rules.is_cleared_reviewer.test(user, funding_request):
        return [
            {
                "signatory": str(position.signatory),
                "position": _code_label(Position, position.position),
                "scores": scores_out(position.scores),
                "comments": position.comments,
            }
            for position in funding_request.positions.select_related(
                "signatory__organisation"
            ).order_by("signatory__position")
        ]
    published = next((o for o in opinions if o.published_at), None)
    if published is not None:
        return snapshot_positions_out(published)
    return None


def _seats(user, funding_request: FundingRequest) -> list[dict] | None:
    if not funding_rules.is_staff_role.test(user, funding_request):
        return None
    return [
        {
            "reviewer": str(seat.reviewer),
            "signatory": {"id": seat.signatory_id, "name": str(seat.signatory)},
            "conflict": _code_label(type(seat).Conflict, seat.conflict),
            "conflict_suggested": seat.conflict_suggested,
            "statement": seat.conflict_statement,
            "declared_at": seat.declared_at,
        }
        for seat in funding_request.reviewer_seats.select_related(
            "reviewer", "signatory__organisation"
        )
    ]


def opinion_version_out(opinion: Opinion) -> dict:
    return {
        "id": opinion.pk,
        "version": opinion.version,
        "verdict": _code_label(Opinion.Verdict, opinion.verdict),
        "adopted_on": opinion.adopted_on,
        "published_at": opinion.published_at,
        "correction_note": opinion.correction_note,
        "url": opinion.get_absolute_url(),
    }


LIVE_STATES = (
    FundingRequest.State.SUBMITTED,
    FundingRequest.State.ADMISSIBLE,
    FundingRequest.State.UNDER_REVIEW,
    FundingRequest.State.OPINION_ISSUED,
    FundingRequest.State.PUBLISHED,
)


def _coverage_out(coverage) -> dict | None:
    if coverage is None:
        return None
    return {
        "referentiel": coverage.referentiel,
        "covered_share": round(coverage.covered_share, 4),
        "gap_share": round(coverage.gap_share, 4),
        "datasets": [
            {
                "id": dataset.dataset_id,
                "title": dataset.title,
                "year": dataset.year,
                "area_share": round(dataset.area_share, 4),
                "url": reverse("catalog:dataset_detail", args=[dataset.dataset_id]),
            }
            for dataset in coverage.datasets
        ],
        "communes": [
            {
                "insee": row.insee,
                "name": row.name,
                "share": round(row.need_share, 4),
                "status": row.status,
                "dataset": row.best.title if row.best else None,
                "year": row.best.year if row.best else None,
            }
            for row in coverage.communes
        ],
    }


def analysis_out(analysis) -> dict:
    return {
        "coverage": _coverage_out(analysis.coverage),
        "overlaps": [
            {
                "id": overlap.request.pk,
                "reference": overlap.request.reference,
                "title": overlap.request.title,
                "state": _code_label(FundingRequest.State, overlap.request.state),
                "shared_communes": overlap.shared_communes,
                "shared_area_km2": round(overlap.shared_area_km2, 3),
                "share_of_this": round(overlap.share_of_this, 4),
                "double_funding_risk": overlap.request.state in LIVE_STATES,
            }
            for overlap in analysis.overlaps
        ],
        "needs": [
            {
                "id": item.need.pk,
                "title": item.need.title,
                "backers": item.backers,
                "shared_area_km2": round(item.shared_area_km2, 3),
                "url": item.need.get_absolute_url(),
            }
            for item in analysis.needs
        ],
        "actions": [
            {
                "id": item.action.pk,
                "title": str(item.action),
                "plan": str(item.action.plan),
                "direct": item.direct,
                "needs": [need.pk for need in item.needs],
                "url": item.action.get_absolute_url(),
            }
            for item in analysis.actions
        ],
    }


def request_detail_out(request, funding_request: FundingRequest) -> dict:
    user = request.user
    opinions = list(funding_request.opinions.order_by("-version"))
    analysis = None
    if user.has_perm("funding.view_analysis", funding_request):
        analysis = analysis_out(
            analysis_selectors.request_analysis(user=user, request=funding_request)
        )
    budget_lines = list(funding_request.budget_lines.all())
    return {
        **request_out(funding_request),
        "public_summary": funding_request.public_summary,
        "description": funding_request.description,
        "self_funding": float(funding_request.self_funding),
        "total_budget": float(sum((line.amount for line in budget_lines), Decimal(0))),
        "starts_on": funding_request.starts_on,
        "ends_on": funding_request.ends_on,
        "deliverables": funding_request.deliverables,
        "data_licence": _code_label(DataLicence, funding_request.data_licence),
        "standards": funding_request.standards,
        "state_reason": funding_request.state_reason,
        "population": funding_request.population,
        "communes": [
            {
                "insee": link.commune.insee,
                "name": link.commune.name,
                "fraction": round(link.fraction, 6),
            }
            for link in funding_request.commune_links.select_related(
                "commune"
            ).order_by("commune__name")
        ],
        "budget_lines": [
            {"label": line.label, "amount": float(line.amount)} for line in budget_lines
        ],
        "cofunders": [
            {
                "organisation": organisation_ref(cofunder.organisation)
                if cofunder.organisation
                else None,
                "name": cofunder.name,
                "amount": float(cofunder.amount),
                "status": _code_label(CoFunder.Status, cofunder.status),
            }
            for cofunder in funding_request.cofunders.select_related("organisation")
        ],
        "attachments": [
            {
                "name": attachment.name,
                "size": attachment.size,
                "url": reverse(
                    "funding:attachment_download",
                    args=[funding_request.pk, attachment.pk],
                ),
            }
            for attachment in funding_request.attachments.all()
        ],
        "reviewers": _seats(user, funding_request),
        "positions": _positions(user, funding_request, opinions),
        "opinions": [opinion_version_out(opinion) for opinion in opinions],
        "analysis": analysis,
        "created_at": funding_request.created_at,
        "updated_at": funding_request.updated_at,
        "geojson_url": reverse("api:funding_requests_detail", args=[funding_request.pk])
        + "?format=geojson",
        "may": {
            "change": user.has_perm("funding.change_request", funding_request),
            "submit": user.has_perm("funding.submit_request", funding_request),
            "withdraw": user.has_perm("funding.withdraw_request", funding_request),
            "record_position": user.has_perm(
                "funding.record_position", funding_request
            ),
        },
    }


def outline_feature(funding_request: FundingRequest, properties: dict) -> HttpResponse:
    """A FeatureCollection of the request's outline (the stored text spliced in)."""
    feature = (
        '{"type": "Feature", "id": '
        + json.dumps(funding_request.pk)
        + ', "geometry": '
        + (funding_request.outline or "null")
        + ', "properties": '
        + json.dumps(properties, ensure_ascii=False)
        + "}"
    )
    return HttpResponse(
        '{"type": "FeatureCollection", "numberMatched": 1, "numberReturned": 1, '
        '"features": [' + feature + "]}",
        content_type=GEOJSON_MEDIA_TYPE,
    )


# --- Exports --------------------------------------------------------------------------


def export_rows(request, requests: list[FundingRequest]) -> tuple[list, list]:
    """One row per visible request (the caller may open every file listed)."""
    header = [
        _("Id"),
        _("Reference"),
        _("Title"),
        _("State"),
        _("Theme"),
        _("Applicant"),
        _("Signatory reached"),
        _("Programme"),
        _("Amount requested (€)"),
        _("Self-funding (€)"),
        _("Co-funders (€)"),
        _("Total budget (€)"),
        _("Territory"),
        _("INSEE codes"),
        _("Area (km²)"),
        _("Start"),
        _("End"),
        _("Licence of the data produced"),
        _("Submitted at"),
        _("Review deadline"),
        _("Address"),
    ]
    rows = []
    for item in requests:
        rows.append(
            [
                item.pk,
                item.reference,
                item.title,
                str(FundingRequest.State(item.state).label),
                str(Theme(item.theme).label),
                item.applicant.name,
                str(item.signatory),
                item.programme.name if item.programme else "",
                item.amount_requested,
                item.self_funding,
                sum((c.amount for c in item.cofunders.all()), Decimal(0)),
                sum((line.amount for line in item.budget_lines.all()), Decimal(0)),
                item.territory_description,
                sorted(link.commune_id for link in item.commune_links.all()),
                round(item.area_km2, 2) if item.area_km2 is not None else None,
                item.starts_on,
                item.ends_on,
                str(DataLicence(item.data_licence).label),
                item.submitted_at,
                item.review_deadline,
                request.build_absolute_uri(item.get_absolute_url()),
            ]
        )
    return header, rows


# --- Input helpers --------------------------------------------------------------------


def _territory(data: TerritoryIn):
    return territory_selection(
        communes=[code.strip() for code in data.communes if code.strip()],
        epcis=[code.strip() for code in data.epcis if code.strip()],
        departements=[code.strip() for code in data.departements if code.strip()],
        drawn=data.drawn,
    )


def _applicant(user, applicant_id: int | None) -> Organisation:
    if applicant_id is not None:
        organisation = Organisation.objects.filter(pk=applicant_id).first()
        if organisation is None:
            raise InvalidInput(_("Unknown organisation."), field="applicant")
        return organisation
    own = list(Organisation.objects.filter(memberships__person=user).distinct()[:2])
    if not own:
        raise PermissionDenied(
            _("Only members of an organisation may enter a funding request.")
        )
    if len(own) > 1:
        raise InvalidInput(
            _("You belong to several organisations: say in which one's name."),
            field="applicant",
        )
    return own[0]


def _request_data(payload: RequestCreateIn) -> services.RequestData:
    return services.RequestData(
        signatory_id=payload.signatory,
        programme_id=payload.programme,
        title=payload.title.strip(),
        public_summary=payload.public_summary.strip(),
        description=payload.description.strip(),
        theme=payload.theme,
        amount_requested=payload.amount_requested,
        self_funding=payload.self_funding,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        deliverables=payload.deliverables.strip(),
        data_licence=payload.data_licence,
        standards=payload.standards.strip(),
        budget_lines=[
            services.BudgetLineData(label=line.label.strip(), amount=line.amount)
            for line in payload.budget_lines
        ],
        cofunders=[
            services.CoFunderData(
                amount=cofunder.amount,
                organisation_id=cofunder.organisation,
                name=cofunder.name.strip(),
                status=cofunder.status,
            )
            for cofunder in payload.cofunders
        ],
    )


# --- Endpoints ------------------------------------------------------------------------


@router.get(
    "/funding-requests",
    response=RequestListOut,
    url_name="funding_requests_list",
    summary="List funding requests",
)
def funding_requests_list(request, filters: Query[RequestFiltersIn]):
    """The requests whose file the caller may open (their organisations', those
    they review after declaring no conflict; all of them for the secretariat),
    newest first. Anonymous callers get an empty list. `csv` and `xlsx`: a file
    of every match, one row per request (formulas neutralised)."""
    requests = selectors.requests_list(
        user=request.user, filters=filters.selector_filters()
    )
    if filters.format in ("csv", "xlsx"):
        requests = requests.prefetch_related(
            "cofunders", "budget_lines", "commune_links"
        )
        header, rows = export_rows(request, list(requests))
        return export_response(
            format=filters.format,
            filename=f"demandes-financement-{timezone.localdate().isoformat()}",
            header=header,
            rows=rows,
            sheet_title=_("Funding requests"),
        )
    page = requests[filters.offset : filters.offset + filters.limit]
    return {"count": requests.count(), "items": [request_out(item) for item in page]}


@router.post(
    "/funding-requests",
    response={HTTPStatus.CREATED: RequestDetailOut, **errors(HTTPStatus.BAD_REQUEST)},
    auth=authenticated,
    url_name="funding_requests_create",
    summary="Enter a funding request",
)
def funding_requests_create(request, payload: RequestCreateIn):
    """A request of the applicant organisation (one of the caller's, or any for
    the staff of the signatory reached) over the communes, EPCI and départements
    given and/or a drawn polygon; kept as a draft unless `submit`. Bad input
    answers 400 with a `message` and saves nothing."""
    user = request.user
    created = services.request_create(
        actor=user,
        applicant=_applicant(user, payload.applicant),
        data=_request_data(payload),
        territory=_territory(payload.territory),
        submit=payload.submit,
    )
    return HTTPStatus.CREATED, request_detail_out(
        request, selectors.request_get(user=user, pk=created.pk)
    )


@router.get(
    "/funding-requests/{int:request_id}",
    response=RequestDetailOut,
    url_name="funding_requests_detail",
    summary="One funding request, with its analysis",
)
def funding_requests_detail(
    request, request_id: int, format: Literal["json", "geojson"] = "json"
):
    """The file, for those who may open it (else 404), with the analysis the
    platform computes beside it. `format=geojson`: its outline."""
    funding_request = selectors.request_get(user=request.user, pk=request_id)
    if format == "geojson":
        return outline_feature(
            funding_request,
            {
                "id": funding_request.pk,
                "name": funding_request.title,
                "url": funding_request.get_absolute_url(),
                "style": {"color": "#0b5c8a", "weight": 2, "fillOpacity": 0.2},
            },
        )
    return request_detail_out(request, funding_request)


@router.post(
    "/funding-requests/{int:request_id}/submit",
    response={
        HTTPStatus.OK: RequestDetailOut,
        **errors(HTTPStatus.BAD_REQUEST, HTTPStatus.CONFLICT),
    },
    auth=authenticated,
    url_name="funding_requests_submit",
    summary="Submit a draft request",
)
def funding_requests_submit(request, request_id: int):
    """Draft → submitted (it gets its reference). A second submission is
    refused with a message."""
    user = request.user
    funding_request = selectors.request_get(user=user, pk=request_id)
    services.request_submit(actor=user, request=funding_request)
    return request_detail_out(request, selectors.request_get(user=user, pk=request_id))
