"""Reads of needs shared by pages, API, exports and maps. Everything starts from
``needs_visible_to(user)``: a draft is seen by its author only (and by
administrators, who pass every permission check as superusers).

Lists leave merged needs out unless asked for them (``state="merged"``): a merged
need is a duplicate whose supports and people now stand behind another need; its
page stays reachable and points to it.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from crig.core.errors import InvalidInput, NotFound
from crig.needs.models import Need, NeedCommune, Support, SupportCommune, Theme
from crig.territory.models import Commune


@dataclass(frozen=True)
class NeedFilters:
    q: str = ""
    theme: str = ""
    state: str = ""
    organisation: str = ""  # slug
    departement: str = ""  # code: needs with at least one commune in it
    epci: str = ""  # SIREN
    commune: str = ""  # INSEE
    year: int | None = None  # year of submission
    mine: bool = False  # expressed or supported by one of the person's organisations


def _is_active_person(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def needs_visible_to(user) -> QuerySet[Need]:
    needs = Need.objects.all()
    if not _is_active_person(user):
        return needs.exclude(state=Need.State.DRAFT)
    if user.is_superuser:
        return needs
    return needs.filter(~Q(state=Need.State.DRAFT) | Q(author=user))


def _with_supporter_count(needs: QuerySet[Need]) -> QuerySet[Need]:
    return needs.annotate(
        supporter_count=Count("supports", distinct=True) + 1
    ).select_related("organisation")


def _needs_concerning(communes: QuerySet[Commune]) -> Q:
    """Needs whose own territory or one of whose supports' territory has a commune
    among ``communes`` (the consolidated territory)."""
    commune_ids = communes.values("insee")
    return Q(
        pk__in=NeedCommune.objects.filter(commune_id__in=commune_ids).values("need_id")
    ) | Q(
        pk__in=SupportCommune.objects.filter(commune_id__in=commune_ids).values(
            "support__need_id"
        )
    )


def _check_choice(value: str, choices: list[str], field: str) -> None:
    if value and value not in choices:
        raise InvalidInput(_("Unknown value for this filter."), field=field)


def needs_list(*, user, filters: NeedFilters = NeedFilters()) -> QuerySet[Need]:
    """Visible needs matching the filters, newest first, with organisation
    selected and supports counted (``supporter_count`` annotation: the
    organisation expressing it plus supporting organisations).

    ``organisation`` and ``mine`` match the needs an organisation expresses or
    supports; the territorial filters match the consolidated territory (the
    need's own or a support's). Unknown theme or state: ``InvalidInput``."""
    _check_choice(filters.theme, Theme.values, "theme")
    _check_choice(filters.state, Need.State.values, "state")
    needs = needs_visible_to(user)
    if filters.state:
        needs = needs.filter(state=filters.state)
    else:
        needs = needs.exclude(state=Need.State.MERGED)
    if filters.theme:
        needs = needs.filter(theme=filters.theme)
    for word in filters.q.split():
        needs = needs.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(organisation__acronym__icontains=word)
        )
    if filters.organisation:
        needs = needs.filter(
            Q(organisation__slug=filters.organisation)
            | Q(
                pk__in=Support.objects.filter(
                    organisation__slug=filters.organisation
                ).values("need_id")
            )
        )
    if filters.mine:
        if not _is_active_person(user):
            return needs.none()
        organisations = user.memberships.values("organisation_id")
        needs = needs.filter(
            Q(organisation_id__in=organisations)
            | Q(
                pk__in=Support.objects.filter(organisation_id__in=organisations).values(
                    "need_id"
                )
            )
        )
    if filters.departement:
        needs = needs.filter(
            _needs_concerning(
                Commune.objects.filter(departement_id=filters.departement)
            )
        )
    if filters.epci:
        needs = needs.filter(
            _needs_concerning(Commune.objects.filter(epci_id=filters.epci))
        )
    if filters.commune:
        needs = needs.filter(
            _needs_concerning(Commune.objects.filter(insee=filters.commune))
        )
    if filters.year:
        needs = needs.filter(submitted_at__year=filters.year)
    return _with_supporter_count(needs).order_by(
        F("submitted_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def need_get(*, user, pk: int) -> Need:
    """The need, or ``NotFound`` (also when the person may not see it)."""
    need = (
        _with_supporter_count(needs_visible_to(user))
        .select_related("author", "contact", "merged_into", "split_from")
        .filter(pk=pk)
        .first()
    )
    if need is None:
        raise NotFound(_("No such need."))
    return need


def need_consolidated_communes(need: Need) -> dict[str, float]:
    """INSEE → share of the commune inside the need's or a support's territory
    (the largest share of any of them)."""
    return needs_consolidated_communes([need.pk])[need.pk]


def needs_consolidated_communes(need_ids: list[int]) -> dict[int, dict[str, float]]:
    """``need_consolidated_communes`` for many needs in two queries."""
    shares: dict[int, dict[str, float]] = {pk: {} for pk in need_ids}
    rows = list(
        NeedCommune.objects.filter(need_id__in=need_ids).values_list(
            "need_id", "commune_id", "fraction"
        )
    ) + list(
        SupportCommune.objects.filter(support__need_id__in=need_ids).values_list(
            "support__need_id", "commune_id", "fraction"
        )
    )
    for need_id, insee, fraction in rows:
        communes = shares[need_id]
        communes[insee] = max(fraction, communes.get(insee, 0.0))
    return shares


@dataclass(frozen=True)
class Backer:
    """An organisation behind a need: the one expressing it or a supporter."""

    organisation: object
    is_author_organisation: bool
    comment: str
    cofunding_min: int | None
    cofunding_max: int | None
    territory_description: str
    area_km2: float | None
    support: object | None


def need_backers(need: Need) -> list[Backer]:
    """The organisation expressing the need, then its supporters in the order they
    joined. The expressing organisation's comment is the need's intended use."""
    backers = [
        Backer(
            organisation=need.organisation,
            is_author_organisation=True,
            comment=need.intended_use,
            cofunding_min=need.cofunding_min,
            cofunding_max=need.cofunding_max,
            territory_description=need.territory_description,
            area_km2=need.area_km2,
            support=None,
        )
    ]
    for support in (
        need.supports.select_related("organisation", "author")
        .defer("outline")
        .order_by("created_at", "pk")
    ):
        backers.append(
            Backer(
                organisation=support.organisation,
                is_author_organisation=False,
                comment=support.comment,
                cofunding_min=support.cofunding_min,
                cofunding_max=support.cofunding_max,
                territory_description=support.territory_description,
                area_km2=support.area_km2,
                support=support,
            )
        )
    return backers


@dataclass(frozen=True)
class HeatCell:
    insee: str
    name: str
    needs: int  # needs whose own territory includes the commune
    supports: int  # supports whose territory includes the commune


def needs_heatmap(*, user, theme: str = "") -> list[HeatCell]:
    """Per commune, how many visible (published, not merged) needs and supports
    concern it, optionally for one theme; communes with none are left out.
    Ordered by INSEE code."""
    _check_choice(theme, Theme.values, "theme")
    needs = needs_visible_to(user).exclude(
        state__in=[Need.State.DRAFT, Need.State.MERGED]
    )
    if theme:
        needs = needs.filter(theme=theme)
    need_ids = needs.values("pk")
    need_counts = dict(
        NeedCommune.objects.filter(need_id__in=need_ids)
        .values("commune_id")
        .annotate(count=Count("need_id", distinct=True))
        .values_list("commune_id", "count")
    )
    support_counts = dict(
        SupportCommune.objects.filter(support__need_id__in=need_ids)
        .values("commune_id")
        .annotate(count=Count("support_id", distinct=True))
        .values_list("commune_id", "count")
    )
    codes = set(need_counts) | set(support_counts)
    # Often most of the region: reading every name costs less than a list of
    # thousands of codes in SQL.
    communes = (
        Commune.objects.all()
        if len(codes) > 500
        else Commune.objects.filter(insee__in=codes)
    )
    names = defaultdict(str, communes.values_list("insee", "name"))
    return [
        HeatCell(
            insee=insee,
            name=names[insee],
            needs=need_counts.get(insee, 0),
            supports=support_counts.get(insee, 0),
        )
        for insee in sorted(codes)
    ]
