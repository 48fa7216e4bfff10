"""Supports: “nous aussi” from another organisation, with its own territory."""

import pytest

from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory
from crig.needs.models import Need, NeedEvent, Support
from crig.needs.services import (
    SupportData,
    support_create,
    support_update,
    support_withdraw,
)
from crig.needs.tests.conftest import selection_of
from crig.needs.tests.factories import NeedFactory, SupportFactory
from crig.territory.models import Commune

DATA = SupportData(
    comment="Nous aussi, pour nos digues.", cofunding_min=0, cofunding_max=8000
)


def _consolidated_figures(*codes):
    communes = Commune.objects.filter(insee__in=codes)
    return (
        round(sum(c.population for c in communes)),
        round(sum(c.area_km2 for c in communes), 3),
    )


def test_another_organisation_supports_with_its_territory(
    need, other_member_user, other_organisation, blagnac_selection
):
    support = support_create(
        author=other_member_user,
        need=need,
        organisation=other_organisation,
        data=DATA,
        territory=blagnac_selection,
    )

    support.refresh_from_db()
    assert (support.comment, support.cofunding_min, support.cofunding_max) == (
        "Nous aussi, pour nos digues.",
        0,
        8000,
    )
    assert support.territory_description == "Blagnac"
    assert list(support.communes.values_list("insee", flat=True)) == ["31069"]
    need.refresh_from_db()
    population, area = _consolidated_figures("31555", "31069")
    assert need.consolidated_population == population
    assert need.consolidated_area_km2 == pytest.approx(area, abs=0.01)
    assert need.consolidated_outline != need.outline
    event = need.events.get()
    assert (event.kind, event.message, event.actor) == (
        "supported",
        "Université de Montpellier",
        other_member_user,
    )


def test_without_territory_the_support_takes_the_needs(
    need, other_member_user, other_organisation
):
    support = support_create(
        author=other_member_user,
        need=need,
        organisation=other_organisation,
        data=SupportData(),
    )

    assert list(support.communes.values_list("insee", flat=True)) == ["31555"]
    assert support.outline == need.outline
    need.refresh_from_db()
    assert need.consolidated_outline == need.outline
    assert need.consolidated_population == need.population


def test_a_partial_commune_counts_with_its_largest_share(
    need, other_member_user, other_organisation, territory
):
    support_create(
        author=other_member_user,
        need=need,
        organisation=other_organisation,
        data=DATA,
        territory=selection_of("31555", "31069", shares={"31555": 0.5, "31069": 0.5}),
    )

    need.refresh_from_db()
    toulouse, blagnac = Commune.objects.get(pk="31555"), Commune.objects.get(pk="31069")
    assert need.consolidated_population == round(
        toulouse.population + 0.5 * blagnac.population
    )


def test_the_needs_own_organisation_cannot_support(need, referent_user, organisation):
    with pytest.raises(PermissionDenied):
        support_create(
            author=referent_user, need=need, organisation=organisation, data=DATA
        )


def test_a_member_in_two_organisations_cannot_support_as_the_needs_own(
    need, member_user, organisation, other_organisation
):
    MembershipFactory(person=member_user, organisation=other_organisation)

    with pytest.raises(Conflict) as error:
        support_create(
            author=member_user, need=need, organisation=organisation, data=DATA
        )

    assert error.value.message == "Ce besoin est déjà exprimé par votre organisation."


def test_an_organisation_supports_once(need, other_member_user, other_organisation):
    SupportFactory(need=need, organisation=other_organisation)

    with pytest.raises(PermissionDenied):
        support_create(
            author=other_member_user,
            need=need,
            organisation=other_organisation,
            data=DATA,
        )

    assert need.supports.count() == 1


def test_supporting_in_the_name_of_an_organisation_one_is_not_in(
    need, other_member_user, territory
):
    stranger = MembershipFactory(role=Membership.Role.MEMBER).organisation

    with pytest.raises(PermissionDenied) as error:
        support_create(
            author=other_member_user, need=need, organisation=stranger, data=DATA
        )

    assert error.value.message == (
        "Vous ne pouvez soutenir un besoin qu’au nom d’une organisation dont vous "
        "êtes membre."
    )


@pytest.mark.parametrize(
    "state",
    [Need.State.DRAFT, Need.State.SATISFIED, Need.State.REJECTED, Need.State.MERGED],
)
def test_a_closed_need_cannot_be_supported(
    other_member_user, other_organisation, territory, state
):
    need = NeedFactory(state=state)

    with pytest.raises(PermissionDenied):
        support_create(
            author=other_member_user,
            need=need,
            organisation=other_organisation,
            data=DATA,
        )


def test_a_reversed_cofunding_range_is_refused(
    need, other_member_user, other_organisation
):
    with pytest.raises(InvalidInput) as error:
        support_create(
            author=other_member_user,
            need=need,
            organisation=other_organisation,
            data=SupportData(cofunding_min=10, cofunding_max=5),
        )

    assert error.value.field == "cofunding_max"
    assert Support.objects.count() == 0


def test_the_author_updates_the_support_and_its_territory(
    need, other_member_user, other_organisation, blagnac_selection
):
    support = SupportFactory(
        need=need, organisation=other_organisation, author=other_member_user
    )

    support_update(
        actor=other_member_user,
        support=support,
        data=SupportData(comment="Plutôt Blagnac."),
        territory=blagnac_selection,
    )

    support.refresh_from_db()
    assert support.comment == "Plutôt Blagnac."
    assert list(support.communes.values_list("insee", flat=True)) == ["31069"]
    need.refresh_from_db()
    assert need.consolidated_population == _consolidated_figures("31555", "31069")[0]
    assert need.events.get().kind == NeedEvent.Kind.SUPPORT_CHANGED


def test_a_referent_of_the_supporting_organisation_updates_it(
    need, other_organisation, territory
):
    support = SupportFactory(need=need, organisation=other_organisation)
    referent = MembershipFactory(
        organisation=other_organisation, role=Membership.Role.REFERENT
    ).person

    support_update(actor=referent, support=support, data=SupportData(comment="Oui."))

    support.refresh_from_db()
    assert support.comment == "Oui."


def test_another_member_cannot_update_the_support(
    need, other_member_user, other_organisation, territory
):
    support = SupportFactory(need=need, organisation=other_organisation)

    with pytest.raises(PermissionDenied):
        support_update(actor=other_member_user, support=support, data=DATA)


def test_withdrawing_shrinks_the_consolidated_territory(
    need, other_member_user, other_organisation, blagnac_selection
):
    support = support_create(
        author=other_member_user,
        need=need,
        organisation=other_organisation,
        data=DATA,
        territory=blagnac_selection,
    )

    support_withdraw(actor=other_member_user, support=support)

    assert need.supports.count() == 0
    need.refresh_from_db()
    assert need.consolidated_population == need.population
    assert need.consolidated_outline == need.outline
    assert list(need.events.values_list("kind", flat=True)) == [
        "supported",
        "support_withdrawn",
    ]


def test_a_support_of_a_decided_need_stays(need, other_member_user, other_organisation):
    support = SupportFactory(
        need=need, organisation=other_organisation, author=other_member_user
    )
    Need.objects.filter(pk=need.pk).update(state=Need.State.SATISFIED)

    with pytest.raises(Conflict):
        support_withdraw(actor=other_member_user, support=support)

    assert Support.objects.filter(pk=support.pk).exists()


def test_the_secretariat_withdraws_a_support(need, secretariat_user, territory):
    support = SupportFactory(need=need)

    support_withdraw(actor=secretariat_user, support=support)

    assert need.supports.count() == 0
