"""REST endpoints of members, mounted under ``/api/v1/``."""

from datetime import date
from functools import wraps
from typing import Literal

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from crig.core.api import Paginated, authenticated
from crig.members import selectors, services
from crig.members.models import Organisation

router = Router()

CategoryCode = Literal[tuple(Organisation.Category.values)]


class CategoryOut(Schema):
    code: str
    label: str


class OrganisationOut(Schema):
    id: int
    name: str
    acronym: str
    siren: str | None
    category: CategoryOut
    is_openig_member: bool
    openig_member_since: int | None
    is_signatory: bool
    website: str
    url: str
    commune_count: int
    bbox: list[float] | None = Field(
        None, description="Perimeter bounding box: west, south, east, north (WGS84)."
    )

    @staticmethod
    def resolve_category(organisation) -> dict:
        return {
            "code": organisation.category,
            "label": str(organisation.get_category_display()),
        }

    @staticmethod
    def resolve_url(organisation) -> str:
        return organisation.get_absolute_url()

    @staticmethod
    def resolve_bbox(organisation) -> list[float] | None:
        bbox = organisation.perimeter_bbox
        return list(bbox) if bbox else None


class PersonOut(Schema):
    full_name: str
    email: str
    job_title: str
    role: str


class OrganisationDetailOut(OrganisationOut):
    description: str
    logo_url: str | None
    people: list[PersonOut] | None = Field(
        None,
        description="Only for the organisation's members, the secretariat and "
        "administrators; null otherwise.",
    )


class OrganisationFilters(FilterSchema):
    q: str = Field("", max_length=200, description="Words of the name or acronym.")
    category: CategoryCode | None = None
    member: bool | None = Field(None, description="OPenIG members only, or not.")
    format: Literal["json", "geojson"] = Field(
        "json",
        description="`geojson`: a FeatureCollection of the perimeters, unpaged.",
    )


def _geojson_alternative(paginated_view):
    """Answer ``?format=geojson`` with the whole FeatureCollection, unpaged, and
    leave JSON to the paginated view."""

    @wraps(paginated_view)
    def view(request, filters, **kwargs):
        if filters.format == "geojson":
            organisations = _search(filters).only(
                "pk", "name", "slug", "category", "perimeter_outline"
            )
            return JsonResponse(
                selectors.perimeters_geojson(organisations),
                content_type="application/geo+json",
            )
        return paginated_view(request, filters=filters, **kwargs)

    return view


def _search(filters: OrganisationFilters):
    return selectors.organisations_search(
        q=filters.q, category=filters.category or "", member=filters.member
    )


@router.get(
    "/organisations",
    response=list[OrganisationOut],
    summary="List organisations",
    description="Public directory of member organisations. `?format=geojson` "
    "answers a GeoJSON FeatureCollection of their perimeters instead.",
)
@_geojson_alternative
@paginate(Paginated)
def organisations_list(request, filters: Query[OrganisationFilters]):
    return _search(filters)


@router.get(
    "/organisations/{organisation_id}",
    response=OrganisationDetailOut,
    summary="One organisation",
)
def organisations_detail(request, organisation_id: int):
    organisation = selectors.organisations_search().filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    people = None
    if request.user.has_perm("members.view_membership_list", organisation):
        people = [
            {
                "full_name": membership.person.full_name,
                "email": membership.person.email,
                "job_title": membership.person.job_title,
                "role": membership.role,
            }
            for membership in selectors.organisation_memberships(
                organisation=organisation
            )
        ]
    organisation.people = people
    organisation.logo_url = organisation.logo.url if organisation.logo else None
    return organisation


@router.get(
    "/organisations/{organisation_id}/perimeter",
    summary="One organisation's perimeter",
    description="A GeoJSON FeatureCollection with the outline of the perimeter "
    "(WGS84); empty if the perimeter is not set.",
)
def organisations_perimeter(request, organisation_id: int):
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    return JsonResponse(
        selectors.perimeters_geojson([organisation]),
        content_type="application/geo+json",
    )


class ConventionOut(Schema):
    name: str
    signed_on: date
    term_years: int
    renewed_on: date | None


class SignatoryOut(Schema):
    organisation: OrganisationOut
    position: int
    role_fr: str
    role_en: str
    community_fr: str
    community_en: str
    convention: ConventionOut


@router.get("/signatories", response=list[SignatoryOut], summary="The signatories")
def signatories_list(request):
    signatories = list(selectors.signatories_for_display())
    organisations = {
        organisation.pk: organisation
        for organisation in selectors.organisations_search().filter(
            pk__in=[signatory.organisation_id for signatory in signatories]
        )
    }
    for signatory in signatories:
        signatory.organisation = organisations[signatory.organisation_id]
    return signatories


@router.get(
    "/me",
    auth=authenticated,
    summary="My data",
    description="Everything the platform holds about the signed-in person: the same "
    "data as the download on “My account”.",
)
def me(request):
    return services.user_export_data(user=request.user)
