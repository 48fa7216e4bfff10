"""Prioritisation rounds and ballots: validation, permissions, closing."""

import datetime

import pytest
from django.utils import timezone

from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory
from crig.needs import services
from crig.needs.models import Ballot, Need, Round
from crig.needs.tests.factories import NeedFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shortlist(territory):
    return [
        NeedFactory(title="Orthophotographie de Toulouse"),
        NeedFactory(title="LIDAR de la Garonne", state=Need.State.QUALIFIED),
        NeedFactory(title="Adresses du Gers", state=Need.State.RETAINED),
    ]


@pytest.fixture
def open_round(secretariat_user, shortlist):
    round_ = services.round_create(
        actor=secretariat_user,
        year=2025,
        title="Priorisation 2025",
        need_ids=[need.pk for need in shortlist],
    )
    return services.round_open(actor=secretariat_user, round_=round_)


@pytest.fixture
def other_referent(other_organisation):
    return MembershipFactory(
        person__email="other-referent@example.org",
        organisation=other_organisation,
        role=Membership.Role.REFERENT,
    ).person


def ids(needs):
    return [need.pk for need in needs]


# Creating and changing -------------------------------------------------------------


def test_round_create_keeps_the_shortlist(secretariat_user, shortlist):
    closes_at = timezone.now() + datetime.timedelta(days=30)

    round_ = services.round_create(
        actor=secretariat_user,
        year=2025,
        title="  Priorisation 2025 ",
        description="Les besoins retenus en comité.",
        need_ids=[*ids(shortlist), shortlist[0].pk],
        closes_at=closes_at,
    )

    round_.refresh_from_db()
    assert round_.state == Round.State.DRAFT
    assert round_.title == "Priorisation 2025"
    assert round_.created_by == secretariat_user
    assert round_.closes_at == closes_at
    assert sorted(round_.needs.values_list("pk", flat=True)) == sorted(ids(shortlist))


@pytest.mark.parametrize(
    "role", ["plain_user", "member_user", "referent_user", "reviewer_user"]
)
def test_only_the_secretariat_creates_rounds(request, role, shortlist):
    person = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied) as raised:
        services.round_create(
            actor=person, year=2025, title="Priorisation", need_ids=ids(shortlist)
        )
    assert raised.value.message == (
        "Seul le secrétariat peut organiser les tours de priorisation."
    )
    assert not Round.objects.exists()


def test_an_administrator_creates_rounds(admin_user, shortlist):
    round_ = services.round_create(
        actor=admin_user, year=2025, title="Priorisation", need_ids=ids(shortlist)
    )
    assert round_.pk is not None


def test_a_shortlist_of_one_need_is_refused(secretariat_user, shortlist):
    with pytest.raises(InvalidInput) as raised:
        services.round_create(
            actor=secretariat_user,
            year=2025,
            title="Priorisation",
            need_ids=[shortlist[0].pk, shortlist[0].pk],
        )
    assert raised.value.message == ("Un tour demande une liste d’au moins 2 besoins.")
    assert raised.value.field == "needs"
    assert not Round.objects.exists()


@pytest.mark.parametrize(
    "state",
    [Need.State.DRAFT, Need.State.SATISFIED, Need.State.REJECTED, Need.State.MERGED],
)
def test_needs_outside_the_open_states_are_refused(secretariat_user, shortlist, state):
    closed = NeedFactory(title="Besoin clos", state=state)
    with pytest.raises(InvalidInput) as raised:
        services.round_create(
            actor=secretariat_user,
            year=2025,
            title="Priorisation",
            need_ids=[*ids(shortlist), closed.pk],
        )
    assert raised.value.message == (
        "Seuls les besoins nouveaux, qualifiés ou retenus peuvent figurer dans la "
        "liste : « Besoin clos » ne l’est pas."
    )
    assert not Round.objects.exists()


def test_unknown_needs_are_named(secretariat_user, shortlist):
    with pytest.raises(InvalidInput) as raised:
        services.round_create(
            actor=secretariat_user,
            year=2025,
            title="Priorisation",
            need_ids=[*ids(shortlist), 999_999],
        )
    assert raised.value.message == "Besoins inconnus : 999999."


@pytest.mark.parametrize("year", [1999, timezone.now().year + 3, "2025"])
def test_a_year_out_of_range_is_refused(secretariat_user, shortlist, year):
    with pytest.raises(InvalidInput) as raised:
        services.round_create(
            actor=secretariat_user, year=year, title="P", need_ids=ids(shortlist)
        )
    assert raised.value.field == "year"
    assert raised.value.message == (
        f"L’année doit être comprise entre 2000 et {timezone.now().year + 2}."
    )


def test_a_blank_title_and_a_past_closing_date_are_refused(secretariat_user, shortlist):
    with pytest.raises(InvalidInput) as raised:
        services.round_create(
            actor=secretariat_user, year=2025, title="  ", need_ids=ids(shortlist)
        )
    assert raised.value.message == "Donnez un titre au tour."
    with pytest.raises(InvalidInput) as raised:
        services.round_create(
            actor=secretariat_user,
            year=2025,
            title="Priorisation",
            need_ids=ids(shortlist),
            closes_at=timezone.now() - datetime.timedelta(hours=1),
        )
    assert raised.value.message == "La date de clôture doit être dans le futur."


def test_round_update_while_in_preparation(secretariat_user, shortlist):
    round_ = services.round_create(
        actor=secretariat_user, year=2025, title="P", need_ids=ids(shortlist)
    )

    services.round_update(
        actor=secretariat_user,
        round_=round_,
        title="Priorisation du printemps",
        need_ids=ids(shortlist[:2]),
        year=2026,
    )

    round_.refresh_from_db()
    assert (round_.title, round_.year) == ("Priorisation du printemps", 2026)
    assert sorted(round_.needs.values_list("pk", flat=True)) == sorted(
        ids(shortlist[:2])
    )


def test_an_open_round_cannot_be_changed(secretariat_user, open_round, shortlist):
    with pytest.raises(Conflict) as raised:
        services.round_update(
            actor=secretariat_user,
            round_=open_round,
            title="Autre",
            need_ids=ids(shortlist[:2]),
        )
    assert raised.value.message == "Seul un tour en préparation peut être modifié."
    open_round.refresh_from_db()
    assert open_round.needs.count() == 3


# Opening --------------------------------------------------------------------------


def test_round_open(secretariat_user, shortlist):
    round_ = services.round_create(
        actor=secretariat_user, year=2025, title="P", need_ids=ids(shortlist)
    )
    round_ = services.round_open(actor=secretariat_user, round_=round_)
    assert round_.state == Round.State.OPEN
    assert round_.opened_at is not None


def test_opening_checks_the_shortlist_again(secretariat_user, shortlist):
    round_ = services.round_create(
        actor=secretariat_user, year=2025, title="P", need_ids=ids(shortlist)
    )
    Need.objects.filter(pk=shortlist[0].pk).update(state=Need.State.REJECTED)

    with pytest.raises(InvalidInput):
        services.round_open(actor=secretariat_user, round_=round_)
    round_.refresh_from_db()
    assert round_.state == Round.State.DRAFT


def test_a_referent_cannot_open_a_round(referent_user, shortlist):
    round_ = RoundFactory()
    round_.needs.set(shortlist)
    with pytest.raises(PermissionDenied):
        services.round_open(actor=referent_user, round_=round_)


def test_an_open_round_cannot_be_opened_again(secretariat_user, open_round):
    with pytest.raises(Conflict) as raised:
        services.round_open(actor=secretariat_user, round_=open_round)
    assert raised.value.message == "Seul un tour en préparation peut être ouvert."


# Ballots ----------------------------------------------------------------------------


def test_a_referent_casts_the_ballot_of_the_organisation(
    referent_user, organisation, open_round, shortlist
):
    ranking = [shortlist[2].pk, shortlist[0].pk, shortlist[1].pk]

    ballot = services.ballot_submit(
        actor=referent_user,
        round_=open_round,
        organisation=organisation,
        ranking=ranking,
    )

    ballot.refresh_from_db()
    assert ballot.ranking == ranking
    assert ballot.cast_by == referent_user
    assert ballot.organisation == organisation


def test_a_new_ballot_replaces_the_previous_one(
    referent_user, organisation, open_round, shortlist
):
    services.ballot_submit(
        actor=referent_user,
        round_=open_round,
        organisation=organisation,
        ranking=ids(shortlist),
    )
    services.ballot_submit(
        actor=referent_user,
        round_=open_round,
        organisation=organisation,
        ranking=ids(reversed(shortlist)),
    )
    assert list(Ballot.objects.values_list("ranking", flat=True)) == [
        ids(reversed(shortlist))
    ]


@pytest.mark.parametrize(
    "role",
    ["plain_user", "member_user", "secretariat_user", "admin_user", "other_referent"],
)
def test_only_a_referent_of_the_organisation_votes(
    request, role, organisation, open_round, shortlist
):
    person = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied) as raised:
        services.ballot_submit(
            actor=person,
            round_=open_round,
            organisation=organisation,
            ranking=ids(shortlist),
        )
    assert raised.value.message == (
        "Seul un référent de Conseil départemental de la Haute-Garonne peut voter "
        "en son nom."
    )
    assert not Ballot.objects.exists()


def test_an_incomplete_ballot_is_refused(
    referent_user, organisation, open_round, shortlist
):
    with pytest.raises(InvalidInput) as raised:
        services.ballot_submit(
            actor=referent_user,
            round_=open_round,
            organisation=organisation,
            ranking=ids(shortlist[:1]),
        )
    assert raised.value.message == (
        "Le classement doit comprendre tous les besoins de la liste : "
        "« LIDAR de la Garonne », « Adresses du Gers » manquent."
    )
    assert raised.value.field == "ranking"
    assert not Ballot.objects.exists()


def test_a_ballot_repeating_a_need_is_refused(
    referent_user, organisation, open_round, shortlist
):
    with pytest.raises(InvalidInput) as raised:
        services.ballot_submit(
            actor=referent_user,
            round_=open_round,
            organisation=organisation,
            ranking=[shortlist[0].pk, shortlist[0].pk, shortlist[1].pk],
        )
    assert raised.value.message == (
        "Chaque besoin doit être classé une seule fois : "
        "« Orthophotographie de Toulouse » est classé plusieurs fois."
    )
    assert not Ballot.objects.exists()


def test_a_ballot_with_a_need_outside_the_shortlist_is_refused(
    referent_user, organisation, open_round, shortlist
):
    with pytest.raises(InvalidInput) as raised:
        services.ballot_submit(
            actor=referent_user,
            round_=open_round,
            organisation=organisation,
            ranking=[*ids(shortlist), 999_999],
        )
    assert raised.value.message == (
        "Le besoin 999999 ne fait pas partie de la liste de ce tour."
    )


def test_no_ballot_before_the_round_opens(referent_user, organisation, shortlist):
    round_ = RoundFactory()
    round_.needs.set(shortlist)
    with pytest.raises(Conflict) as raised:
        services.ballot_submit(
            actor=referent_user,
            round_=round_,
            organisation=organisation,
            ranking=ids(shortlist),
        )
    assert raised.value.message == "Ce tour n’est pas ouvert au vote."


def test_no_ballot_after_the_closing_date(
    referent_user, organisation, open_round, shortlist
):
    Round.objects.filter(pk=open_round.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(Conflict) as raised:
        services.ballot_submit(
            actor=referent_user,
            round_=open_round,
            organisation=organisation,
            ranking=ids(shortlist),
        )
    assert raised.value.message == "La date de clôture de ce tour est passée."


# Closing ----------------------------------------------------------------------------


def test_round_close_computes_both_methods(
    secretariat_user,
    referent_user,
    other_referent,
    organisation,
    other_organisation,
    open_round,
    shortlist,
):
    a, b, c = ids(shortlist)
    services.ballot_submit(
        actor=referent_user,
        round_=open_round,
        organisation=organisation,
        ranking=[c, a, b],
    )
    services.ballot_submit(
        actor=other_referent,
        round_=open_round,
        organisation=other_organisation,
        ranking=[c, b, a],
    )

    round_ = services.round_close(actor=secretariat_user, round_=open_round)

    round_.refresh_from_db()
    assert round_.state == Round.State.CLOSED
    assert round_.closed_at is not None
    result = round_.result
    assert result["items"] == [a, b, c]
    assert result["ballots"] == 2
    assert result["borda"]["points"] == [1, 1, 4]
    assert result["borda"]["tiers"] == [[c], [a, b]]
    assert result["schulze"]["pairwise"] == [[0, 1, 0], [1, 0, 0], [2, 2, 0]]
    assert result["schulze"]["tiers"] == [[c], [a, b]]
    assert result["titles"] == {
        str(a): "Orthophotographie de Toulouse",
        str(b): "LIDAR de la Garonne",
        str(c): "Adresses du Gers",
    }
    assert [note["code"] for note in result["notes"]] == [
        "condorcet_winner",
        "schulze_tie",
        "borda_tie",
        "methods_agree",
    ]


def test_a_round_without_ballots_cannot_close(secretariat_user, open_round):
    with pytest.raises(Conflict) as raised:
        services.round_close(actor=secretariat_user, round_=open_round)
    assert raised.value.message == (
        "Aucune organisation n’a encore voté : le tour ne peut pas être clos."
    )
    open_round.refresh_from_db()
    assert open_round.state == Round.State.OPEN


def test_a_referent_cannot_close(referent_user, open_round):
    with pytest.raises(PermissionDenied):
        services.round_close(actor=referent_user, round_=open_round)


def test_a_draft_round_cannot_close(secretariat_user, shortlist):
    round_ = RoundFactory()
    round_.needs.set(shortlist)
    with pytest.raises(Conflict) as raised:
        services.round_close(actor=secretariat_user, round_=round_)
    assert raised.value.message == "Seul un tour ouvert peut être clos."
