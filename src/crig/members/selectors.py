"""Reads shared by the members pages, the API and the exports."""

import json
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from crig.members.models import Membership, Organisation, Signatory, User
from crig.members.search import normalise_for_search

# One colour per category on maps (WCAG AA on white for the outline).
CATEGORY_COLOURS = {
    Organisation.Category.COLLECTIVITE: "#0b5c8a",
    Organisation.Category.ENTREPRISE: "#8a4b0b",
    Organisation.Category.AUTRE_PUBLIC: "#5b3f8c",
    Organisation.Category.OPENIG: "#b3401a",
    Organisation.Category.IGN: "#1a7f37",
    Organisation.Category.ETAT: "#1d2327",
    Organisation.Category.ACADEMIQUE: "#8c1d5b",
}


def signatories_for_display():
    """The convention's signatories in display order, with their organisation."""
    return Signatory.objects.select_related("organisation", "convention").order_by(
        "position", "organisation__name"
    )


def organisations_search(
    *,
    q: str = "",
    category: str = "",
    member: bool | None = None,
) -> QuerySet[Organisation]:
    """Organisations matching every word of ``q`` in their name or acronym (accents
    and case ignored), of ``category`` if given, OPenIG members or not if ``member``
    is given. Annotated with ``commune_count`` and ``is_signatory``."""
    organisations = Organisation.objects.all()
    for word in normalise_for_search(q).split():
        organisations = organisations.filter(
            Q(search_name__contains=word) | Q(acronym__icontains=word)
        )
    if category:
        organisations = organisations.filter(category=category)
    if member is not None:
        organisations = organisations.filter(is_openig_member=member)
    return organisations.annotate(
        commune_count=Count("perimeter", distinct=True),
        is_signatory=Exists(Signatory.objects.filter(organisation=OuterRef("pk"))),
    ).order_by("name")


@dataclass(frozen=True)
class CategoryCount:
    code: str
    label: str
    count: int


def organisation_counts_by_category(
    organisations: QuerySet[Organisation] | None = None,
) -> list[CategoryCount]:
    """How many organisations each category holds, in the list's order, zeros
    included."""
    if organisations is None:
        organisations = Organisation.objects.all()
    counts = dict(
        organisations.order_by()
        .values_list("category")
        .annotate(count=Count("pk", distinct=True))
        .values_list("category", "count")
    )
    return [
        CategoryCount(code=code, label=str(label), count=counts.get(code, 0))
        for code, label in Organisation.Category.choices
    ]


def organisation_detail(*, slug: str) -> Organisation | None:
    return (
        Organisation.objects.filter(slug=slug)
        .annotate(
            commune_count=Count("perimeter", distinct=True),
            is_signatory=Exists(Signatory.objects.filter(organisation=OuterRef("pk"))),
        )
        .select_related("signatory__convention")
        .first()
    )


def organisation_memberships(*, organisation: Organisation) -> QuerySet[Membership]:
    """The people of an organisation (check ``members.view_membership_list``)."""
    return (
        organisation.memberships.filter(person__is_active=True)
        .select_related("person")
        .order_by("-role", "person__full_name", "person__email")
    )


def perimeters_geojson(organisations) -> dict:
    """A FeatureCollection of the organisations' perimeter outlines (WGS84), with
    the properties the shared map reads (name, url, style)."""
    features = []
    for organisation in organisations:
        if not organisation.perimeter_outline:
            continue
        colour = CATEGORY_COLOURS.get(organisation.category, "#0b5c8a")
        features.append(
            {
                "type": "Feature",
                "id": organisation.pk,
                "geometry": json.loads(organisation.perimeter_outline),
                "properties": {
                    "name": organisation.name,
                    "url": organisation.get_absolute_url(),
                    "category": organisation.category,
                    "style": {"color": colour, "weight": 1.5, "fillOpacity": 0.08},
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def user_with_roles(*, user_id: int) -> User:
    return (
        User.objects.prefetch_related(
            "memberships__organisation",
            "reviewer_assignments__signatory__organisation",
            "api_tokens",
        )
        .filter(pk=user_id)
        .get()
    )
