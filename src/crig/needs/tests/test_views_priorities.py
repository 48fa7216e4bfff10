"""Pages of the priorities: scores and weights, rounds, ballots and results."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory
from crig.needs import services
from crig.needs.models import Ballot, Need, Round, ScoringWeights
from crig.needs.tests.factories import NeedFactory, RoundFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's text without tags, spaces collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def shortlist(territory):
    return [
        NeedFactory(title="Orthophotographie de Toulouse"),
        NeedFactory(title="LIDAR de la Garonne", state=Need.State.QUALIFIED),
        NeedFactory(title="Adresses du Gers"),
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


def positions(shortlist, *order):
    """POST data giving each need of ``shortlist`` its position in ``order``."""
    data = {"action": "ballot"}
    for position, need in enumerate(order, start=1):
        data[f"position-{need.pk}"] = str(position)
    return data


# Scores and weights ---------------------------------------------------------------


def test_priorities_page_shows_scores_weights_and_method(
    client, shortlist, secretariat_user
):
    services.weights_publish(
        actor=secretariat_user,
        weights={name: 2 for name in ScoringWeights.CRITERIA},
        note="Tous les critères comptent autant.",
    )

    response = client.get(reverse("needs:priorities"))

    assert response.status_code == HTTPStatus.OK
    page = text(response)
    assert "Priorités des besoins" in page
    for need in shortlist:
        assert need.title in page
    assert "Tous les critères comptent autant." in page
    assert "Publiés le" in page
    assert "Comment le score est calculé" in page
    assert "Surface concernée" in page
    assert "Publier de nouveaux poids" not in page


def test_priorities_page_without_needs(client, db):
    response = client.get(reverse("needs:priorities"))
    assert response.status_code == HTTPStatus.OK
    assert "Aucun besoin n’est encore ouvert à la priorisation." in text(response)
    assert "les poids par défaut s’appliquent" in text(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("plain_user", HTTPStatus.FORBIDDEN),
        ("member_user", HTTPStatus.FORBIDDEN),
        ("referent_user", HTTPStatus.FORBIDDEN),
        ("secretariat_user", HTTPStatus.OK),
        ("admin_user", HTTPStatus.OK),
    ],
)
def test_weights_page_is_for_the_secretariat(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("needs:weights_edit")).status_code == status


def test_anonymous_is_sent_to_log_in_for_the_weights(client, db):
    response = client.get(reverse("needs:weights_edit"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("members:login"))


def test_secretariat_publishes_weights(client, secretariat_user):
    client.force_login(secretariat_user)
    data = {name: "1" for name in ScoringWeights.CRITERIA} | {
        "cofunding": "8",
        "note": "Le cofinancement d’abord.",
    }

    response = client.post(reverse("needs:weights_edit"), data, follow=True)

    assert response.status_code == HTTPStatus.OK
    assert "Les nouveaux poids sont publiés." in text(response)
    weights = ScoringWeights.objects.get()
    assert weights.cofunding == 8
    assert weights.note == "Le cofinancement d’abord."


def test_weights_all_zero_are_refused_on_the_form(client, secretariat_user):
    client.force_login(secretariat_user)
    data = {name: "0" for name in ScoringWeights.CRITERIA}

    response = client.post(reverse("needs:weights_edit"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Au moins un poids doit être supérieur à 0." in text(response)
    assert not ScoringWeights.objects.exists()


def test_a_weight_above_ten_is_refused(client, secretariat_user):
    client.force_login(secretariat_user)
    data = {name: "1" for name in ScoringWeights.CRITERIA} | {"area": "12"}
    response = client.post(reverse("needs:weights_edit"), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not ScoringWeights.objects.exists()


# Rounds: list, preparation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_draft"),
    [
        (None, False),
        ("plain_user", False),
        ("member_user", False),
        ("referent_user", False),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_round_list_hides_drafts_but_from_the_secretariat(
    client, request, role, sees_draft
):
    RoundFactory(title="Tour en préparation", year=2026)
    RoundFactory(title="Tour ouvert", state=Round.State.OPEN, year=2025)
    if role:
        client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("needs:round_list"))

    page = text(response)
    assert "Tour ouvert" in page
    assert ("Tour en préparation" in page) is sees_draft
    assert ("Préparer un tour" in page) is sees_draft


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("plain_user", HTTPStatus.FORBIDDEN),
        ("referent_user", HTTPStatus.FORBIDDEN),
        ("secretariat_user", HTTPStatus.OK),
    ],
)
def test_round_create_page_is_for_the_secretariat(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("needs:round_create")).status_code == status


def test_secretariat_prepares_a_round(client, secretariat_user, shortlist):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("needs:round_create"),
        {
            "year": "2025",
            "title": "Priorisation du printemps",
            "description": "",
            "closes_at": "",
            "needs": [need.pk for need in shortlist[:2]],
        },
    )

    round_ = Round.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == round_.get_absolute_url()
    assert round_.state == Round.State.DRAFT
    assert set(round_.needs.all()) == set(shortlist[:2])


def test_a_shortlist_of_one_is_refused_on_the_form(client, secretariat_user, shortlist):
    client.force_login(secretariat_user)
    response = client.post(
        reverse("needs:round_create"),
        {"year": "2025", "title": "P", "needs": [shortlist[0].pk]},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Un tour demande une liste d’au moins 2 besoins." in text(response)
    assert not Round.objects.exists()


def test_secretariat_edits_a_draft_round(client, secretariat_user, shortlist):
    round_ = services.round_create(
        actor=secretariat_user,
        year=2025,
        title="P",
        need_ids=[n.pk for n in shortlist],
    )
    client.force_login(secretariat_user)
    url = reverse("needs:round_edit", args=[round_.pk])
    assert client.get(url).status_code == HTTPStatus.OK

    response = client.post(
        url,
        {
            "year": "2026",
            "title": "Priorisation 2026",
            "needs": [shortlist[0].pk, shortlist[2].pk],
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    round_.refresh_from_db()
    assert (round_.year, round_.title) == (2026, "Priorisation 2026")
    assert set(round_.needs.all()) == {shortlist[0], shortlist[2]}


def test_an_open_round_is_not_edited(client, secretariat_user, open_round):
    client.force_login(secretariat_user)
    response = client.get(
        reverse("needs:round_edit", args=[open_round.pk]), follow=True
    )
    assert "Seul un tour en préparation peut être modifié." in text(response)


# Round page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, HTTPStatus.NOT_FOUND),
        ("plain_user", HTTPStatus.NOT_FOUND),
        ("member_user", HTTPStatus.NOT_FOUND),
        ("referent_user", HTTPStatus.NOT_FOUND),
        ("secretariat_user", HTTPStatus.OK),
        ("admin_user", HTTPStatus.OK),
    ],
)
def test_a_draft_round_page_is_for_the_secretariat(client, request, role, status):
    round_ = RoundFactory()
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("needs:round_detail", args=[round_.pk]))
    assert response.status_code == status


def test_secretariat_opens_then_closes_a_round(
    client, secretariat_user, referent_user, organisation, shortlist
):
    round_ = services.round_create(
        actor=secretariat_user,
        year=2025,
        title="P",
        need_ids=[n.pk for n in shortlist],
    )
    client.force_login(secretariat_user)
    url = reverse("needs:round_detail", args=[round_.pk])
    assert "Ouvrir le tour" in text(client.get(url))

    response = client.post(url, {"action": "open"}, follow=True)
    assert "Le tour est ouvert : les référents peuvent voter." in text(response)
    services.ballot_submit(
        actor=referent_user,
        round_=round_,
        organisation=organisation,
        ranking=[n.pk for n in shortlist],
    )

    response = client.post(url, {"action": "close"}, follow=True)

    page = text(response)
    assert "Le tour est clos et son résultat public." in page
    assert "Méthode de Schulze" in page
    assert "Méthode de Borda" in page
    assert "Duels un à un" in page
    assert "La méthode en quelques mots" in page
    assert Round.objects.get().state == Round.State.CLOSED


def test_closing_without_ballots_says_why(client, secretariat_user, open_round):
    client.force_login(secretariat_user)
    response = client.post(
        reverse("needs:round_detail", args=[open_round.pk]),
        {"action": "close"},
        follow=True,
    )
    assert (
        "Aucune organisation n’a encore voté : le tour ne peut pas être clos."
        in text(response)
    )


@pytest.mark.parametrize("role", ["referent_user", "member_user", "plain_user"])
def test_only_the_secretariat_opens_and_closes(client, request, role, open_round):
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("needs:round_detail", args=[open_round.pk]), {"action": "close"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Round.objects.get().state == Round.State.OPEN


def test_referent_sees_the_ballot_form_and_votes(
    client, referent_user, organisation, open_round, shortlist
):
    client.force_login(referent_user)
    url = reverse("needs:round_detail", args=[open_round.pk])
    page = text(client.get(url))
    assert "Votre classement" in page
    assert "0 vote(s) exprimé(s), sur 1 organisation qui peut voter" in page

    a, b, c = shortlist
    response = client.post(url, positions(shortlist, c, a, b), follow=True)

    assert (
        "Le vote de Conseil départemental de la Haute-Garonne est enregistré."
        in text(response)
    )
    ballot = Ballot.objects.get()
    assert ballot.ranking == [c.pk, a.pk, b.pk]
    assert ballot.organisation == organisation
    # The form now shows the recorded positions
    page = client.get(url).content.decode()
    assert re.search(
        rf'name="position-{c.pk}"[^>]*>.*?<option value="1" selected>', page, re.S
    )


def test_a_ballot_with_a_repeated_position_is_refused(
    client, referent_user, open_round, shortlist
):
    client.force_login(referent_user)
    a, b, c = shortlist
    data = positions(shortlist, a, b, c) | {f"position-{c.pk}": "1"}

    response = client.post(reverse("needs:round_detail", args=[open_round.pk]), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "La position 1 est donnée à plusieurs besoins : "
        "« Orthophotographie de Toulouse », « Adresses du Gers »." in text(response)
    )
    assert not Ballot.objects.exists()


def test_a_ballot_with_a_need_left_out_is_refused(
    client, referent_user, open_round, shortlist
):
    client.force_login(referent_user)
    a, b, c = shortlist
    data = positions(shortlist, a, b, c)
    del data[f"position-{b.pk}"]

    response = client.post(reverse("needs:round_detail", args=[open_round.pk]), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Choisissez une position pour « LIDAR de la Garonne »." in text(response)
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(
    "role", ["member_user", "other_member_user", "secretariat_user"]
)
def test_who_is_not_a_referent_gets_no_ballot_form(client, request, role, open_round):
    client.force_login(request.getfixturevalue(role))
    url = reverse("needs:round_detail", args=[open_round.pk])
    page = text(client.get(url))
    assert "Votre classement" not in page
    assert "Les votes sont exprimés par les référents" in page
    response = client.post(url, {"action": "ballot"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Ballot.objects.exists()


def test_a_referent_of_two_organisations_chooses_on_whose_behalf(
    client, referent_user, other_organisation, open_round, shortlist
):
    MembershipFactory(
        person=referent_user,
        organisation=other_organisation,
        role=Membership.Role.REFERENT,
    )
    client.force_login(referent_user)
    data = positions(shortlist, *shortlist) | {"organisation": other_organisation.pk}

    client.post(reverse("needs:round_detail", args=[open_round.pk]), data)

    assert Ballot.objects.get().organisation == other_organisation


def test_closed_round_shows_result_to_anonymous(
    client, secretariat_user, referent_user, organisation, open_round, shortlist
):
    a, b, c = shortlist
    services.ballot_submit(
        actor=referent_user,
        round_=open_round,
        organisation=organisation,
        ranking=[b.pk, a.pk, c.pk],
    )
    services.round_close(actor=secretariat_user, round_=open_round)

    response = client.get(reverse("needs:round_detail", args=[open_round.pk]))

    assert response.status_code == HTTPStatus.OK
    page = text(response)
    assert "Agrégé à partir de 1 vote." in page
    assert "La méthode de Borda et la méthode de Schulze donnent le même ordre." in page
    assert "« LIDAR de la Garonne » est préféré à chacun des autres besoins" in page
    assert "Votre classement" not in page
    assert "Clore le tour" not in page
