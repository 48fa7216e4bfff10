"""REST API of needs and supports, the per-commune heat map, and the exports.

Every read starts from ``selectors.needs`` (``needs_list``, ``need_get``,
``needs_heatmap``), which start from ``needs_visible_to``: a draft appears in no
list, export, map or heat map except its author's, and is a 404 to anyone else.
Every write calls one service, which checks the permission itself; the territory
given in a body goes through ``crig.territory.selection.territory_selection``,
exactly as the pages' territory picker does.

Paths with an id use the ``int`` converter, so ``/needs/heatmap`` here and
``/needs/scores`` and ``/needs/weights`` of ``api.priorities`` are never taken for
a need.

Maps: GeoJSON features carry ``name``, ``url`` and ``style`` (Leaflet path
options), which the shared ``crig/js/map.js`` reads. A need is drawn in its
theme's colour (``THEME_COLOURS``); the heat map colours communes by how many
needs and supports concern them (``HEAT_SCALE``).
"""

import hashlib
import json
from datetime import date, datetime
from http import HTTPStatus
from typing import Literal

import shapely
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from crig.core.api import OFFSET_MAX, authenticated, errors
from crig.core.errors import InvalidInput, PermissionDenied
from crig.core.exports import export_response
from crig.core.reversing import reverser
from crig.members.geometry import MAP_TOLERANCE_DEGREES
from crig.members.models import Organisation, User
from crig.needs import services
from crig.needs.models import Need, NeedEvent, Support, Theme
from crig.needs.selectors import matching
from crig.needs.selectors import needs as selectors
from crig.needs.selectors.priorities import needs_scored
from crig.territory.models import Commune
from crig.territory.selection import territory_selection

router = Router()

GEOJSON_MEDIA_TYPE = "application/geo+json"
ThemeCode = Literal[tuple(Theme.values)]
StateCode = Literal[tuple(Need.State.values)]

#: One colour per theme (the six référentiels first), readable on the base map.
THEME_COLOURS = {
    Theme.ORTHOPHOTO: "#1f77b4",
    Theme.LAND_COVER: "#2ca02c",
    Theme.ERP: "#d62728",
    Theme.PCRS: "#9467bd",
    Theme.LIDAR: "#ff7f0e",
    Theme.ADDRESSES: "#8c564b",
    Theme.HYDROGRAPHY: "#17becf",
    Theme.LAND_REGISTRY: "#bcbd22",
    Theme.NETWORKS: "#e377c2",
    Theme.ENVIRONMENT: "#006d2c",
    Theme.MOBILITY: "#393b79",
    Theme.OTHER: "#7f7f7f",
}
SUPPORT_COLOUR = "#555555"

#: Heat map classes of the number of needs + supports concerning a commune
#: (ColorBrewer YlOrRd, 5 classes): (smallest count of the class, fill colour).
HEAT_SCALE = [
    (1, "#ffffb2"),
    (2, "#fecc5c"),
    (3, "#fd8d3c"),
    (5, "#f03b20"),
    (8, "#bd0026"),
]


# --- Schemas --------------------------------------------------------------------------


class CodeLabelOut(Schema):
    code: str
    label: str


class OrganisationRefOut(Schema):
    id: int
    name: str
    acronym: str
    url: str


class NeedFiltersIn(Schema):
    q: str = Field("", max_length=200, description="Words of the title or text.")
    theme: ThemeCode | None = None
    state: StateCode | None = None
    organisation: str = Field(
        "", max_length=220, description="Slug of the organisation expressing it."
    )
    departement: str = Field(
        "", max_length=3, description="Code: needs with a commune in it."
    )
    epci: str = Field("", max_length=9, description="SIREN of an EPCI.")
    commune: str = Field("", max_length=5, description="INSEE code.")
    year: int | None = Field(None, ge=2000, le=2100, description="Year submitted.")
    mine: bool = Field(
        False, description="Expressed or supported by one of my organisations."
    )
    format: Literal["json", "geojson", "csv", "xlsx"] = Field(
        "json",
        description="`geojson`: the outlines, unpaged; `csv`, `xlsx`: a file of "
        "every matching need, one row each.",
    )
    limit: int = Field(50, ge=1, le=1000, description="JSON only.")
    offset: int = Field(0, ge=0, le=OFFSET_MAX, description="JSON only.")

    def selector_filters(self) -> selectors.NeedFilters:
        return selectors.NeedFilters(
            q=self.q.strip(),
            theme=self.theme or "",
            state=self.state or "",
            organisation=self.organisation,
            departement=self.departement,
            epci=self.epci,
            commune=self.commune,
            year=self.year,
            mine=self.mine,
        )


class NeedOut(Schema):
    id: int
    title: str
    theme: CodeLabelOut
    state: CodeLabelOut
    organisation: OrganisationRefOut
    supporters: int = Field(
        description="Organisations behind the need: its own and its supporters."
    )
    territory_description: str
    area_km2: float | None
    population: int
    horizon: date | None
    submitted_at: datetime | None
    bbox: list[float] | None = Field(None, description="west, south, east, north.")
    url: str


class CommuneShareOut(Schema):
    insee: str
    name: str
    fraction: float = Field(description="Share of the commune in the territory.")


class ContactOut(Schema):
    full_name: str
    email: str


class SupportOut(Schema):
    id: int
    organisation: OrganisationRefOut
    comment: str
    cofunding_min: int | None
    cofunding_max: int | None
    territory_description: str
    area_km2: float | None
    population: int
    communes: list[str] = Field(description="INSEE codes.")
    created_at: datetime


class SupportListOut(Schema):
    count: int
    items: list[SupportOut]


class DatasetMatchOut(Schema):
    id: int
    title: str
    year: int | None
    resolution_m: float | None
    producer: str
    area_share: float = Field(description="Share of the need's area covered, 0-1.")
    communes: int
    fine_enough: bool | None
    url: str


class MatchOut(Schema):
    referentiel: str | None = Field(
        description="The catalogue référentiel of the theme; null for other themes."
    )
    area_km2: float
    covered_share: float
    gap_share: float
    communes: dict[str, int] = Field(
        description="Communes of the need per status: covered, outdated, gap."
    )
    datasets: list[DatasetMatchOut]


class NeedEventOut(Schema):
    kind: CodeLabelOut
    at: datetime
    from_state: str
    to_state: str
    message: str
    related_need: int | None


class NeedRefOut(Schema):
    id: int
    title: str
    url: str


class NeedPermissionsOut(Schema):
    change: bool
    submit: bool
    support: bool


class NeedDetailOut(NeedOut):
    description: str
    precision: str
    resolution_m: float | None
    intended_use: str
    cofunding_min: int | None
    cofunding_max: int | None
    plan_fit: CodeLabelOut
    public_answer: str
    contact: ContactOut | None = Field(
        None,
        description="Only for the organisation's members, the secretariat and "
        "administrators; null otherwise.",
    )
    consolidated_area_km2: float | None
    consolidated_population: int
    communes: list[CommuneShareOut]
    supports: list[SupportOut]
    match: MatchOut
    history: list[NeedEventOut]
    merged_into: NeedRefOut | None
    split_from: NeedRefOut | None
    created_at: datetime
    updated_at: datetime
    geojson_url: str
    may: NeedPermissionsOut = Field(description="What the caller may do with the need.")


class NeedListOut(Schema):
    count: int
    items: list[NeedOut]


class HeatLegendOut(Schema):
    min: int
    max: int | None
    colour: str


class HeatCellOut(Schema):
    insee: str
    name: str
    needs: int
    supports: int
    colour: str
    url: str


class HeatmapOut(Schema):
    theme: str
    count: int
    items: list[HeatCellOut]
    legend: list[HeatLegendOut]


class TerritoryIn(Schema):
    communes: list[str] = Field([], description="INSEE codes.")
    epcis: list[str] = Field([], description="SIREN of EPCI.")
    departements: list[str] = Field([], description="Département codes.")
    drawn: dict | None = Field(
        None, description="A WGS84 GeoJSON Polygon, MultiPolygon or Feature."
    )


class NeedFieldsIn(Schema):
    title: str = Field(max_length=200)
    description: str
    theme: ThemeCode
    precision: str = Field("", max_length=100)
    resolution_m: float | None = Field(None, gt=0)
    horizon: date | None = None
    intended_use: str = ""
    cofunding_min: int | None = Field(None, ge=0)
    cofunding_max: int | None = Field(None, ge=0)


class NeedCreateIn(NeedFieldsIn):
    organisation: int | None = Field(
        None,
        description="Id of the organisation in whose name the need is expressed; "
        "may be left out by a member of a single organisation.",
    )
    contact: str | None = Field(
        None, description="E-mail of a member of the organisation; the author if none."
    )
    territory: TerritoryIn
    submit: bool = Field(False, description="Publish now rather than keep a draft.")


class NeedUpdateIn(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    theme: ThemeCode | None = None
    precision: str | None = Field(None, max_length=100)
    resolution_m: float | None = Field(None, gt=0)
    horizon: date | None = None
    intended_use: str | None = None
    cofunding_min: int | None = Field(None, ge=0)
    cofunding_max: int | None = Field(None, ge=0)
    contact: str | None = Field(None, description="E-mail of a member.")
    territory: TerritoryIn | None = Field(None, description="Replaces the territory.")


class SupportCreateIn(Schema):
    organisation: int | None = Field(
        None,
        description="Id of the supporting organisation; may be left out when the "
        "caller belongs to a single organisation that may support the need.",
    )
    comment: str = ""
    cofunding_min: int | None = Field(None, ge=0)
    cofunding_max: int | None = Field(None, ge=0)
    territory: TerritoryIn | None = Field(
        None, description="The supporter's own territory; the need's if none."
    )


# --- Output helpers ------------------------------------------------------------------


def _code_label(choices, value: str) -> dict:
    return {"code": value, "label": str(choices(value).label)}


def _organisation_ref(organisation: Organisation) -> dict:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "acronym": organisation.acronym,
        "url": organisation.get_absolute_url(),
    }


def _bbox(obj) -> list[float] | None:
    bbox = obj.bbox
    return list(bbox) if bbox else None


def _supporter_count(need: Need) -> int:
    count = getattr(need, "supporter_count", None)
    if count is None:
        count = 1 + need.supports.count()
    return count


def need_out(need: Need) -> dict:
    return {
        "id": need.pk,
        "title": need.title,
        "theme": _code_label(Theme, need.theme),
        "state": _code_label(Need.State, need.state),
        "organisation": _organisation_ref(need.organisation),
        "supporters": _supporter_count(need),
        "territory_description": need.territory_description,
        "area_km2": need.area_km2,
        "population": need.population,
        "horizon": need.horizon,
        "submitted_at": need.submitted_at,
        "bbox": _bbox(need),
        "url": need.get_absolute_url(),
    }


def support_out(support: Support) -> dict:
    return {
        "id": support.pk,
        "organisation": _organisation_ref(support.organisation),
        "comment": support.comment,
        "cofunding_min": support.cofunding_min,
        "cofunding_max": support.cofunding_max,
        "territory_description": support.territory_description,
        "area_km2": support.area_km2,
        "population": support.population,
        "communes": sorted(link.commune_id for link in support.commune_links.all()),
        "created_at": support.created_at,
    }


def _supports_of(need: Need):
    return need.supports.select_related("organisation").prefetch_related(
        "commune_links"
    )


def match_out(match: matching.NeedMatch) -> dict:
    statuses = {"covered": 0, "outdated": 0, "gap": 0}
    for commune in match.communes:
        statuses[commune.status] = statuses.get(commune.status, 0) + 1
    return {
        "referentiel": match.referentiel,
        "area_km2": match.area_km2,
        "covered_share": round(match.covered_share, 4),
        "gap_share": round(match.gap_share, 4),
        "communes": statuses,
        "datasets": [
            {
                "id": dataset.dataset_id,
                "title": dataset.title,
                "year": dataset.year,
                "resolution_m": dataset.resolution_m,
                "producer": dataset.producer_name,
                "area_share": round(dataset.area_share, 4),
                "communes": dataset.communes,
                "fine_enough": dataset.fine_enough,
                "url": reverse("catalog:dataset_detail", args=[dataset.dataset_id]),
            }
            for dataset in match.datasets
        ],
    }


def _need_ref(need: Need | None) -> dict | None:
    if need is None:
        return None
    return {"id": need.pk, "title": need.title, "url": need.get_absolute_url()}


def need_detail_out(request, need: Need) -> dict:
    user = request.user
    contact = None
    if need.contact_id and user.has_perm(
        "members.view_membership_list", need.organisation
    ):
        contact = {"full_name": need.contact.full_name, "email": need.contact.email}
    # A merged or split-off need the caller may not see is not named.
    visible = selectors.needs_visible_to(user)
    merged_into = visible.filter(pk=need.merged_into_id).first()
    split_from = visible.filter(pk=need.split_from_id).first()
    events = list(need.events.all())
    visible_related = set(
        visible.filter(
            pk__in=[event.related_need_id for event in events if event.related_need_id]
        ).values_list("pk", flat=True)
    )
    return {
        **need_out(need),
        "description": need.description,
        "precision": need.precision,
        "resolution_m": need.resolution_m,
        "intended_use": need.intended_use,
        "cofunding_min": need.cofunding_min,
        "cofunding_max": need.cofunding_max,
        "plan_fit": _code_label(Need.PlanFit, need.plan_fit),
        "public_answer": need.public_answer,
        "contact": contact,
        "consolidated_area_km2": need.consolidated_area_km2,
        "consolidated_population": need.consolidated_population,
        # Only the columns shown: a need over the region has 4,453 communes, whose
        # outlines alone are megabytes.
        "communes": [
            {"insee": insee, "name": name, "fraction": round(fraction, 6)}
            for insee, name, fraction in need.commune_links.order_by(
                "commune__name"
            ).values_list("commune__insee", "commune__name", "fraction")
        ],
        "supports": [support_out(support) for support in _supports_of(need)],
        "match": match_out(matching.need_match(user=user, need=need)),
        "history": [
            {
                "kind": _code_label(NeedEvent.Kind, event.kind),
                "at": event.created_at,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "message": event.message,
                "related_need": event.related_need_id
                if event.related_need_id in visible_related
                else None,
            }
            for event in events
        ],
        "merged_into": _need_ref(merged_into),
        "split_from": _need_ref(split_from),
        "created_at": need.created_at,
        "updated_at": need.updated_at,
        "geojson_url": reverse("api:needs_detail", args=[need.pk]) + "?format=geojson",
        "may": {
            "change": user.has_perm("needs.change_need", need),
            "submit": user.has_perm("needs.submit_need", need),
            "support": user.has_perm("needs.support_need", need)
            and _support_organisations(user, need).exists(),
        },
    }


# --- GeoJSON --------------------------------------------------------------------------


def theme_style(theme: str, *, draft: bool = False) -> dict:
    colour = THEME_COLOURS.get(theme, THEME_COLOURS[Theme.OTHER])
    style = {"color": colour, "fillColor": colour, "weight": 2, "fillOpacity": 0.25}
    if draft:
        style["dashArray"] = "6 4"
    return style


#: Simplified outlines by a digest of the stored text. The heat map draws every
#: commune a need concerns, often all 4,453, and simplifying them took about 1 s
#: per request; the same text always gives the same result, so each process
#: simplifies each outline once (about 4 MB for every commune).
_SIMPLIFIED: dict[bytes, str] = {}
_SIMPLIFIED_MAX = 20_000


def _outline_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def simplified(outlines: list[str]) -> list[str | None]:
    """Stored outlines simplified for a map (``MAP_TOLERANCE_DEGREES``, ≈100 m),
    as GeoJSON texts; None where there is no outline."""
    result: list[str | None] = [None] * len(outlines)
    keys = {i: _outline_key(text) for i, text in enumerate(outlines) if text}
    missing = []
    for index, key in keys.items():
        known = _SIMPLIFIED.get(key)
        if known is None:
            missing.append(index)
        else:
            result[index] = known
    if not missing:
        return result
    shapes = shapely.from_geojson([outlines[i] for i in missing])
    shapes = shapely.simplify(shapes, MAP_TOLERANCE_DEGREES, preserve_topology=True)
    # Stored outlines are already rounded (1e-6°), and GEOS writes the shortest
    # text of each coordinate: no set_precision, which would cost more than the
    # simplification.
    texts = shapely.to_geojson(shapes)
    if len(_SIMPLIFIED) + len(missing) > _SIMPLIFIED_MAX:
        _SIMPLIFIED.clear()
    for index, text in zip(missing, texts, strict=True):
        result[index] = text
        _SIMPLIFIED[keys[index]] = text
    return result


#: Simplified commune outlines by (INSEE code, last change): a commune's outline
#: is read and simplified once per process, not at each heat map.
_COMMUNE_OUTLINES: dict[tuple[str, object], str | None] = {}


def simplified_commune_outlines(insees: list[str]) -> list[str | None]:
    """The communes' outlines simplified for a map, in the order given (None for
    an unknown commune or one without an outline)."""
    wanted = set(insees)
    # Every commune's change date is a small read; a list of thousands of codes
    # in SQL would cost more than it saves.
    versions = {
        insee: changed
        for insee, changed in Commune.objects.values_list("insee", "updated_at")
        if insee in wanted
    }
    missing = [
        insee
        for insee, changed in versions.items()
        if (insee, changed) not in _COMMUNE_OUTLINES
    ]
    if missing:
        if len(_COMMUNE_OUTLINES) + len(missing) > _SIMPLIFIED_MAX:
            _COMMUNE_OUTLINES.clear()
        rows = Commune.objects.filter(insee__in=missing).values_list(
            "insee", "updated_at", "outline"
        )
        read = list(rows)
        texts = simplified([outline or "" for _insee, _changed, outline in read])
        for (insee, changed, _outline), text in zip(read, texts, strict=True):
            _COMMUNE_OUTLINES[insee, changed] = text
    return [
        _COMMUNE_OUTLINES.get((insee, versions[insee])) if insee in versions else None
        for insee in insees
    ]


def _feature(feature_id, geometry_text: str | None, properties: dict) -> str:
    """A Feature whose geometry text is spliced in, not re-serialised."""
    return (
        '{"type": "Feature", "id": '
        + json.dumps(feature_id)
        + ', "geometry": '
        + (geometry_text or "null")
        + ', "properties": '
        + json.dumps(properties, ensure_ascii=False)
        + "}"
    )


def _feature_collection(features: list[str], **members) -> HttpResponse:
    extra = "".join(
        f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}, "
        for key, value in members.items()
    )
    return HttpResponse(
        '{"type": "FeatureCollection", '
        + extra
        + f'"numberMatched": {len(features)}, "numberReturned": {len(features)}, '
        + '"features": ['
        + ", ".join(features)
        + "]}",
        content_type=GEOJSON_MEDIA_TYPE,
    )


def needs_geojson(needs: list[Need]) -> HttpResponse:
    outlines = simplified([need.outline for need in needs])
    features = [
        _feature(
            need.pk,
            outline,
            {
                "id": need.pk,
                "title": need.title,
                "name": need.title,
                "theme": need.theme,
                "theme_label": str(Theme(need.theme).label),
                "state": need.state,
                "state_label": str(Need.State(need.state).label),
                "organisation": need.organisation.name,
                "supporters": _supporter_count(need),
                "url": need.get_absolute_url(),
                "style": theme_style(need.theme, draft=need.state == Need.State.DRAFT),
            },
        )
        for need, outline in zip(needs, outlines, strict=True)
    ]
    return _feature_collection(features)


def need_detail_geojson(need: Need) -> HttpResponse:
    """The consolidated outline (dashed, not filled, drawn first so that it takes
    no clicks), each support's outline, then the need's own on top."""
    colour = THEME_COLOURS.get(need.theme, THEME_COLOURS[Theme.OTHER])
    features = []
    if need.consolidated_outline:
        features.append(
            _feature(
                f"need-{need.pk}-consolidated",
                need.consolidated_outline,
                {
                    "role": "consolidated",
                    "name": _("Consolidated territory of “%(title)s”")
                    % {"title": need.title},
                    "url": need.get_absolute_url(),
                    "style": {
                        "color": colour,
                        "weight": 1.5,
                        "dashArray": "6 4",
                        "fill": False,
                    },
                },
            )
        )
    for support in need.supports.select_related("organisation"):
        features.append(
            _feature(
                f"support-{support.pk}",
                support.outline,
                {
                    "role": "support",
                    "id": support.pk,
                    "name": _("Supported by %(organisation)s")
                    % {"organisation": support.organisation.name},
                    "organisation": support.organisation.name,
                    "url": support.organisation.get_absolute_url(),
                    "style": {
                        "color": SUPPORT_COLOUR,
                        "fillColor": SUPPORT_COLOUR,
                        "weight": 1,
                        "fillOpacity": 0.1,
                    },
                },
            )
        )
    features.append(
        _feature(
            f"need-{need.pk}",
            need.outline,
            {
                "role": "need",
                "id": need.pk,
                "name": need.title,
                "organisation": need.organisation.name,
                "url": need.get_absolute_url(),
                "style": theme_style(need.theme, draft=need.state == Need.State.DRAFT),
            },
        )
    )
    return _feature_collection(features)


def heat_colour(count: int) -> str:
    colour = HEAT_SCALE[0][1]
    for minimum, class_colour in HEAT_SCALE:
        if count >= minimum:
            colour = class_colour
    return colour


def heat_legend() -> list[dict]:
    return [
        {
            "min": minimum,
            "max": HEAT_SCALE[index + 1][0] - 1
            if index + 1 < len(HEAT_SCALE)
            else None,
            "colour": colour,
        }
        for index, (minimum, colour) in enumerate(HEAT_SCALE)
    ]


# --- Exports --------------------------------------------------------------------------


def export_rows(request, needs: list[Need]) -> tuple[list[str], list[list]]:
    """One row per need (every need of the filtered list, no paging)."""
    scores = {score.need.pk: score.total for score in needs_scored(user=request.user)}
    header = [
        _("Id"),
        _("Title"),
        _("Theme"),
        _("State"),
        _("Organisation"),
        _("Supporting organisations"),
        _("Organisations behind it"),
        _("Territory"),
        _("INSEE codes"),
        _("Area (km²)"),
        _("Population"),
        _("Wanted precision"),
        _("Wanted resolution (m)"),
        _("Horizon"),
        _("Co-funding from (€)"),
        _("Co-funding up to (€)"),
        _("Fit with the plan"),
        _("Priority score (0-100)"),
        _("Public answer"),
        _("Submitted at"),
        _("Web address"),
    ]
    rows = []
    for need in needs:
        supporters = [support.organisation.name for support in need.supports.all()]
        score = scores.get(need.pk)
        rows.append(
            [
                need.pk,
                need.title,
                str(Theme(need.theme).label),
                str(Need.State(need.state).label),
                need.organisation.name,
                supporters,
                1 + len(supporters),
                need.territory_description,
                sorted(link.commune_id for link in need.commune_links.all()),
                round(need.area_km2, 2) if need.area_km2 is not None else None,
                need.population,
                need.precision,
                need.resolution_m,
                need.horizon,
                need.cofunding_min,
                need.cofunding_max,
                str(Need.PlanFit(need.plan_fit).label),
                round(score, 1) if score is not None else None,
                need.public_answer,
                need.submitted_at,
                request.build_absolute_uri(need.get_absolute_url()),
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


def _organisation_for(user, organisation_id: int | None, *, eligible) -> Organisation:
    """The organisation given by id, or the caller's only eligible one."""
    if organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise InvalidInput(_("Unknown organisation."), field="organisation")
        return organisation
    candidates = list(eligible)
    if not candidates:
        raise PermissionDenied(
            _("Only members of an organisation may do this, in its name.")
        )
    if len(candidates) > 1:
        raise InvalidInput(
            _("You belong to several organisations: say in which one's name."),
            field="organisation",
        )
    return candidates[0]


def _support_organisations(user, need: Need):
    """The caller's organisations that may still support the need."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(memberships__person=user)
        .exclude(pk=need.organisation_id)
        .exclude(need_supports__need=need)
        .distinct()
    )


def _contact_for(organisation: Organisation, email: str | None):
    if not email:
        return None
    contact = User.objects.filter(
        email__iexact=email.strip(),
        is_active=True,
        memberships__organisation=organisation,
    ).first()
    if contact is None:
        raise InvalidInput(
            _("The contact must be a member of the organisation."), field="contact"
        )
    return contact


def _need_data(fields) -> services.NeedData:
    return services.NeedData(
        title=fields["title"].strip(),
        description=fields["description"].strip(),
        theme=fields["theme"],
        precision=(fields.get("precision") or "").strip(),
        resolution_m=fields.get("resolution_m"),
        horizon=fields.get("horizon"),
        intended_use=(fields.get("intended_use") or "").strip(),
        cofunding_min=fields.get("cofunding_min"),
        cofunding_max=fields.get("cofunding_max"),
    )


# --- Endpoints ------------------------------------------------------------------------


@router.get(
    "/needs",
    response=NeedListOut,
    url_name="needs_list",
    summary="List needs",
)
def needs_list(request, filters: Query[NeedFiltersIn]):
    """Published needs, and the caller's own drafts, newest first, with the
    filters of the needs page. `format=geojson` answers every match as a
    FeatureCollection of outlines (unpaged); `csv` and `xlsx` a file of every
    match, one row per need (formulas neutralised)."""
    needs = selectors.needs_list(user=request.user, filters=filters.selector_filters())
    if filters.format == "geojson":
        return needs_geojson(list(needs))
    if filters.format in ("csv", "xlsx"):
        needs = needs.prefetch_related(
            Prefetch(
                "supports", queryset=Support.objects.select_related("organisation")
            ),
            "commune_links",
        )
        header, rows = export_rows(request, list(needs))
        return export_response(
            format=filters.format,
            filename=f"besoins-{timezone.localdate().isoformat()}",
            header=header,
            rows=rows,
            sheet_title=_("Needs"),
        )
    page = needs[filters.offset : filters.offset + filters.limit]
    return {"count": needs.count(), "items": [need_out(need) for need in page]}


@router.post(
    "/needs",
    response={HTTPStatus.CREATED: NeedDetailOut, **errors(HTTPStatus.BAD_REQUEST)},
    auth=authenticated,
    url_name="needs_create",
    summary="Express a need",
)
def needs_create(request, payload: NeedCreateIn):
    """A need in the name of one of the caller's organisations, over the communes,
    EPCI and départements given and/or a drawn polygon; kept as a draft unless
    `submit`. Bad input answers 400 with a `message` and saves nothing."""
    user = request.user
    organisation = _organisation_for(
        user,
        payload.organisation,
        eligible=Organisation.objects.filter(memberships__person=user).distinct(),
    )
    contact = _contact_for(organisation, payload.contact)
    need = services.need_create(
        author=user,
        organisation=organisation,
        data=_need_data(payload.dict()),
        territory=_territory(payload.territory),
        contact=contact,
        submit=payload.submit,
    )
    created = selectors.need_get(user=user, pk=need.pk)
    return Status(HTTPStatus.CREATED, need_detail_out(request, created))


@router.get(
    "/needs/heatmap",
    response=HeatmapOut,
    url_name="needs_heatmap",
    summary="Needs and supports per commune",
)
def needs_heatmap(
    request,
    theme: ThemeCode | None = None,
    format: Literal["json", "geojson"] = "json",
):
    """Per commune, how many published needs (not merged) and supports concern
    it, for one theme or all; communes concerned by none are left out. `colour`
    and the GeoJSON `style` follow `legend`: classes of needs + supports."""
    cells = selectors.needs_heatmap(user=request.user, theme=theme or "")
    if format == "geojson":
        outlines = simplified_commune_outlines([cell.insee for cell in cells])
        commune_url = reverser("territory:commune_detail")
        label = _("%(commune)s — needs: %(needs)s, supports: %(supports)s")
        features = []
        for cell, outline in zip(cells, outlines, strict=True):
            colour = heat_colour(cell.needs + cell.supports)
            features.append(
                _feature(
                    cell.insee,
                    outline,
                    {
                        "insee": cell.insee,
                        "name": label
                        % {
                            "commune": cell.name,
                            "needs": cell.needs,
                            "supports": cell.supports,
                        },
                        "commune": cell.name,
                        "needs": cell.needs,
                        "supports": cell.supports,
                        "url": commune_url(cell.insee),
                        "style": {
                            "fillColor": colour,
                            "fillOpacity": 0.7,
                            "color": "#555555",
                            "weight": 0.5,
                        },
                    },
                )
            )
        return _feature_collection(features, theme=theme or "", legend=heat_legend())
    commune_url = reverser("territory:commune_detail")
    return {
        "theme": theme or "",
        "count": len(cells),
        "items": [
            {
                "insee": cell.insee,
                "name": cell.name,
                "needs": cell.needs,
                "supports": cell.supports,
                "colour": heat_colour(cell.needs + cell.supports),
                "url": commune_url(cell.insee),
            }
            for cell in cells
        ],
        "legend": heat_legend(),
    }


@router.get(
    "/needs/{int:need_id}",
    response=NeedDetailOut,
    url_name="needs_detail",
    summary="One need",
)
def needs_detail(request, need_id: int, format: Literal["json", "geojson"] = "json"):
    """The need with its supports, what the catalogue holds on its territory for
    its theme, and its history. `format=geojson`: its outline (`role` "need"),
    its consolidated outline ("consolidated") and its supports' ("support")."""
    need = selectors.need_get(user=request.user, pk=need_id)
    if format == "geojson":
        return need_detail_geojson(need)
    return need_detail_out(request, need)


@router.patch(
    "/needs/{int:need_id}",
    response={
        HTTPStatus.OK: NeedDetailOut,
        **errors(HTTPStatus.BAD_REQUEST, HTTPStatus.CONFLICT),
    },
    auth=authenticated,
    url_name="needs_update",
    summary="Change a need",
)
def needs_update(request, need_id: int, payload: NeedUpdateIn):
    """Change the fields given (and the territory when given): the author or a
    referent of the organisation while the need is a draft or new, the
    secretariat afterwards."""
    user = request.user
    need = selectors.need_get(user=user, pk=need_id)
    changes = payload.dict(exclude_unset=True)
    current = {
        name: getattr(need, name) for name in services.NeedData.__dataclass_fields__
    }
    fields = {**current, **{k: v for k, v in changes.items() if k in current}}
    for required in ("title", "description", "theme"):
        if fields[required] is None:
            fields[required] = current[required]
    territory = _territory(payload.territory) if payload.territory else None
    contact = _contact_for(need.organisation, changes.get("contact"))
    services.need_update(
        actor=user,
        need=need,
        data=_need_data(fields),
        territory=territory,
        contact=contact or need.contact,
    )
    return need_detail_out(request, selectors.need_get(user=user, pk=need.pk))


@router.get(
    "/needs/{int:need_id}/supports",
    response=SupportListOut,
    url_name="needs_supports",
    summary="Supports of a need",
)
def needs_supports(
    request,
    need_id: int,
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=OFFSET_MAX),
):
    """The organisations that said “nous aussi”, oldest first, each with its
    territory, comment and co-funding range."""
    need = selectors.need_get(user=request.user, pk=need_id)
    supports = _supports_of(need)
    return {
        "count": supports.count(),
        "items": [support_out(s) for s in supports[offset : offset + limit]],
    }


@router.post(
    "/needs/{int:need_id}/supports",
    response={
        HTTPStatus.CREATED: SupportOut,
        **errors(HTTPStatus.BAD_REQUEST, HTTPStatus.CONFLICT),
    },
    auth=authenticated,
    url_name="needs_support_create",
    summary="Support a need",
)
def needs_support_create(request, need_id: int, payload: SupportCreateIn):
    """“Nous aussi”: one of the caller's organisations (not the need's own, once)
    supports a published need, with its own territory (the need's if none)."""
    user = request.user
    need = selectors.need_get(user=user, pk=need_id)
    organisation = _organisation_for(
        user, payload.organisation, eligible=_support_organisations(user, need)
    )
    support = services.support_create(
        author=user,
        need=need,
        organisation=organisation,
        data=services.SupportData(
            comment=payload.comment.strip(),
            cofunding_min=payload.cofunding_min,
            cofunding_max=payload.cofunding_max,
        ),
        territory=_territory(payload.territory) if payload.territory else None,
    )
    created = _supports_of(need).get(pk=support.pk)
    return Status(HTTPStatus.CREATED, support_out(created))
