"""Reads of needs: who sees what, filters, consolidated communes, backers, heat
map."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from crig.core.errors import InvalidInput, NotFound
from crig.members.tests.factories import MembershipFactory, OrganisationFactory
from crig.needs.models import Need, Theme
from crig.needs.selectors.needs import (
    NeedFilters,
    need_backers,
    need_consolidated_communes,
    need_get,
    needs_heatmap,
    needs_list,
    needs_visible_to,
)
from crig.needs.tests.factories import NeedFactory, SupportFactory


def _titles(needs):
    return sorted(need.title for need in needs)


@pytest.mark.parametrize(
    ("person", "sees_draft"),
    [
        ("anonymous", False),
        ("plain_user", False),
        ("member_user", True),  # the author
        ("referent_user", False),
        ("other_member_user", False),
        ("secretariat_user", False),
        ("admin_user", True),
    ],
)
def test_a_draft_is_seen_by_its_author_only(
    request, need, draft_need, person, sees_draft
):
    user = AnonymousUser() if person == "anonymous" else request.getfixturevalue(person)

    visible = _titles(needs_visible_to(user))

    expected = sorted([need.title] + ([draft_need.title] if sees_draft else []))
    assert visible == expected


def test_need_get_hides_a_draft_as_missing(draft_need, referent_user, member_user):
    with pytest.raises(NotFound) as error:
        need_get(user=referent_user, pk=draft_need.pk)

    assert error.value.message == "Ce besoin n’existe pas."
    assert need_get(user=member_user, pk=draft_need.pk) == draft_need


def test_need_get_counts_supporters(need, territory):
    SupportFactory(need=need)
    SupportFactory(need=need)

    assert need_get(user=None, pk=need.pk).supporter_count == 3


def test_list_is_newest_first_with_supporters_counted(territory):
    now = timezone.now()
    old = NeedFactory(title="Ancien", submitted_at=now - datetime.timedelta(days=3))
    recent = NeedFactory(title="Récent", submitted_at=now)
    SupportFactory(need=old)

    needs = list(needs_list(user=None))

    assert [(n.title, n.supporter_count) for n in needs] == [
        ("Récent", 1),
        ("Ancien", 2),
    ]
    assert recent.organisation.name == needs[0].organisation.name


def test_merged_needs_are_listed_only_when_asked(need, territory):
    merged = NeedFactory(title="Doublon", state=Need.State.MERGED, merged_into=need)

    assert _titles(needs_list(user=None)) == [need.title]
    assert _titles(needs_list(user=None, filters=NeedFilters(state="merged"))) == [
        merged.title
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (NeedFilters(q="lidar garonne"), ["LIDAR de la Garonne"]),
        (NeedFilters(q="CD31"), ["LIDAR de la Garonne"]),
        (NeedFilters(theme=Theme.ORTHOPHOTO), ["Ortho de Montpellier"]),
        (NeedFilters(state="qualified"), ["Ortho de Montpellier"]),
        (NeedFilters(organisation="cd31"), ["LIDAR de la Garonne"]),
        # Supported by the organisation of the need over Montpellier:
        (
            NeedFilters(organisation="um"),
            ["LIDAR de la Garonne", "Ortho de Montpellier"],
        ),
        (
            NeedFilters(departement="34"),
            ["LIDAR de la Garonne", "Ortho de Montpellier"],
        ),
        (NeedFilters(departement="31"), ["LIDAR de la Garonne"]),
        (NeedFilters(epci="243100518"), ["LIDAR de la Garonne"]),
        (NeedFilters(commune="34172"), ["LIDAR de la Garonne", "Ortho de Montpellier"]),
        (NeedFilters(year=2021), ["Ortho de Montpellier"]),
        (NeedFilters(theme=Theme.LIDAR, state="new"), ["LIDAR de la Garonne"]),
    ],
)
def test_filters(territory, filters, expected):
    cd31 = OrganisationFactory(
        name="Conseil départemental 31", acronym="CD31", slug="cd31"
    )
    um = OrganisationFactory(name="Université de Montpellier", acronym="UM", slug="um")
    lidar = NeedFactory(
        title="LIDAR de la Garonne",
        description="Relevé altimétrique.",
        theme=Theme.LIDAR,
        organisation=cd31,
        communes=["31555"],
    )
    SupportFactory(need=lidar, organisation=um, communes=["34172"])
    NeedFactory(
        title="Ortho de Montpellier",
        theme=Theme.ORTHOPHOTO,
        state=Need.State.QUALIFIED,
        organisation=um,
        communes=["34172"],
        submitted_at=datetime.datetime(2021, 5, 1, tzinfo=datetime.UTC),
    )

    assert _titles(needs_list(user=None, filters=filters)) == expected


def test_mine_is_what_my_organisations_express_or_support(
    need, other_member_user, other_organisation, territory
):
    supported = NeedFactory(title="Soutenu")
    SupportFactory(need=supported, organisation=other_organisation)
    NeedFactory(title="Étranger")
    mine_too = NeedFactory(title="Exprimé", organisation=other_organisation)

    mine = needs_list(user=other_member_user, filters=NeedFilters(mine=True))

    assert _titles(mine) == sorted([supported.title, mine_too.title])
    assert list(needs_list(user=None, filters=NeedFilters(mine=True))) == []


@pytest.mark.parametrize(
    "filters", [NeedFilters(theme="cartes"), NeedFilters(state="perdu")]
)
def test_unknown_choices_are_bad_input(db, filters):
    with pytest.raises(InvalidInput) as error:
        needs_list(user=None, filters=filters)

    assert error.value.message == "Valeur inconnue pour ce filtre."


def test_consolidated_communes_take_the_largest_share(need, territory):
    need.commune_links.update(fraction=0.4)
    support = SupportFactory(need=need, communes=["31555", "31069"])
    support.commune_links.filter(commune_id="31069").update(fraction=0.2)

    assert need_consolidated_communes(need) == {"31555": 1.0, "31069": 0.2}


def test_backers_are_the_organisation_then_its_supporters(need, territory):
    Need.objects.filter(pk=need.pk).update(
        intended_use="Voirie", cofunding_min=1000, cofunding_max=2000
    )
    need.refresh_from_db()
    first = SupportFactory(need=need, comment="Nous aussi.", cofunding_max=500)
    second = SupportFactory(need=need, comment="Et nous.", communes=["31069"])

    backers = need_backers(need)

    assert [
        (b.organisation, b.is_author_organisation, b.comment, b.support)
        for b in backers
    ] == [
        (need.organisation, True, "Voirie", None),
        (first.organisation, False, "Nous aussi.", first),
        (second.organisation, False, "Et nous.", second),
    ]
    assert (backers[0].cofunding_min, backers[0].cofunding_max) == (1000, 2000)
    assert backers[1].cofunding_max == 500
    assert backers[2].territory_description == "Blagnac"


def test_heatmap_counts_published_needs_and_supports_per_commune(
    need, draft_need, territory
):
    SupportFactory(need=need, communes=["31555", "31069"])
    lidar = NeedFactory(theme=Theme.LIDAR, communes=["31069"])
    NeedFactory(state=Need.State.MERGED, merged_into=lidar, communes=["34172"])

    cells = needs_heatmap(user=None)

    assert [(c.insee, c.name, c.needs, c.supports) for c in cells] == [
        ("31069", "Blagnac", 1, 1),
        ("31555", "Toulouse", 1, 1),
    ]
    lidar_cells = needs_heatmap(user=None, theme=Theme.LIDAR)
    assert [(c.insee, c.needs, c.supports) for c in lidar_cells] == [("31069", 1, 0)]


def test_heatmap_leaves_drafts_out_even_for_their_author(draft_need, member_user):
    assert needs_heatmap(user=member_user) == []


def test_a_member_sees_drafts_of_nobody_else_in_lists(member_user, territory):
    colleague = MembershipFactory(
        organisation=member_user.memberships.get().organisation
    )
    NeedFactory(author=colleague.person, state=Need.State.DRAFT, submitted_at=None)

    assert list(needs_list(user=member_user)) == []
