"""REST API of the prioritisation: scores, weights, rounds, rankings and ballots,
per role."""

from http import HTTPStatus

import pytest

from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory
from crig.needs import services
from crig.needs.models import Ballot, Need, Round, ScoringWeights
from crig.needs.tests.factories import NeedFactory, RoundFactory, SupportFactory

pytestmark = pytest.mark.django_db

ROLES = [
    None,
    "plain_user",
    "member_user",
    "referent_user",
    "other_member_user",
    "secretariat_user",
    "admin_user",
]


def login(client, request, role):
    if role:
        client.force_login(request.getfixturevalue(role))


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


def ballot_url(round_):
    return f"/api/v1/rounds/{round_.pk}/ballots"


# Scores and weights ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_scores_are_public_and_ranked(client, request, role, shortlist):
    login(client, request, role)
    SupportFactory(need=shortlist[1])
    NeedFactory(title="Brouillon", state=Need.State.DRAFT)

    response = client.get("/api/v1/needs/scores")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == 3
    first = body["items"][0]
    # The supported need has the most organisations; the rest is equal
    assert first["need"]["title"] == "LIDAR de la Garonne"
    assert first["rank"] == 1
    assert [c["name"] for c in first["criteria"]] == list(ScoringWeights.CRITERIA)
    supporters = first["criteria"][0]
    assert supporters == {
        "name": "supporters",
        "label": "organisations soutiens",
        "raw": 2.0,
        "raw_display": "2 organisations",
        "normalised": 1.0,
        "weight": 3,
        "points": 3.0,
    }
    assert [i["rank"] for i in body["items"]] == [1, 2, 2]


def test_scores_are_paged(client, shortlist):
    body = client.get("/api/v1/needs/scores?limit=1&offset=1").json()
    assert body["count"] == 3
    assert len(body["items"]) == 1


def test_weights_default_then_published(client, secretariat_user):
    body = client.get("/api/v1/needs/weights").json()
    assert body["published_at"] is None
    assert body["weight_total"] == 14
    assert body["criteria"][2] == {
        "name": "area",
        "label": "surface concernée",
        "weight": 1,
    }

    services.weights_publish(
        actor=secretariat_user,
        weights=dict.fromkeys(ScoringWeights.CRITERIA, 1),
        note="Égalité des critères.",
    )

    body = client.get("/api/v1/needs/weights").json()
    assert body["published_at"] is not None
    assert body["note"] == "Égalité des critères."
    assert body["weight_total"] == 7


def test_scores_and_weights_are_not_taken_for_a_need_id(client, shortlist):
    # "/needs/{int:need_id}" must not swallow these words
    assert client.get("/api/v1/needs/scores").status_code == HTTPStatus.OK
    assert client.get("/api/v1/needs/weights").status_code == HTTPStatus.OK


# Rounds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_draft"),
    [
        (None, False),
        ("plain_user", False),
        ("member_user", False),
        ("referent_user", False),
        ("other_member_user", False),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_draft_rounds_are_hidden_but_from_the_secretariat(
    client, request, role, sees_draft
):
    draft = RoundFactory(title="En préparation", year=2026)
    RoundFactory(title="Ouvert", state=Round.State.OPEN, year=2025)
    login(client, request, role)

    body = client.get("/api/v1/rounds").json()
    detail = client.get(f"/api/v1/rounds/{draft.pk}")

    titles = [item["title"] for item in body["items"]]
    assert titles == (["En préparation", "Ouvert"] if sees_draft else ["Ouvert"])
    if sees_draft:
        assert detail.status_code == HTTPStatus.OK
    else:
        assert detail.status_code == HTTPStatus.NOT_FOUND
        assert detail.json() == {"message": "Tour de priorisation introuvable."}


def test_rounds_filtered_by_year(client, db):
    RoundFactory(title="2024", state=Round.State.CLOSED, year=2024)
    RoundFactory(title="2025", state=Round.State.OPEN, year=2025)
    body = client.get("/api/v1/rounds?year=2024").json()
    assert [item["title"] for item in body["items"]] == ["2024"]


def test_round_detail_tells_a_referent_what_they_may_do(
    client, referent_user, organisation, open_round, shortlist
):
    client.force_login(referent_user)

    body = client.get(f"/api/v1/rounds/{open_round.pk}").json()

    assert body["state"] == {"code": "open", "label": "Ouvert au vote"}
    assert [n["id"] for n in body["needs"]] == [n.pk for n in shortlist]
    assert body["need_count"] == 3
    assert body["ballot_count"] == 0
    assert body["eligible_organisations"] == 1
    assert body["can_vote_for"] == [organisation.name]
    assert body["own_ballots"] == []


def test_ranking_before_closing_is_a_conflict(client, open_round):
    response = client.get(f"/api/v1/rounds/{open_round.pk}/ranking")
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json() == {
        "message": "Le résultat est publié à la clôture du tour."
    }


def test_ranking_of_a_closed_round(
    client, secretariat_user, referent_user, organisation, open_round, shortlist
):
    a, b, c = shortlist
    services.ballot_submit(
        actor=referent_user,
        round_=open_round,
        organisation=organisation,
        ranking=[b.pk, c.pk, a.pk],
    )
    services.round_close(actor=secretariat_user, round_=open_round)

    body = client.get(f"/api/v1/rounds/{open_round.pk}/ranking").json()

    assert body["ballots"] == 1
    assert [n["id"] for n in body["needs"]] == [a.pk, b.pk, c.pk]
    assert [(r["need"]["id"], r["position"], r["tied"]) for r in body["schulze"]] == [
        (b.pk, 1, False),
        (c.pk, 2, False),
        (a.pk, 3, False),
    ]
    assert [r["borda_points"] for r in body["borda"]] == [2, 1, 0]
    assert body["pairwise"] == [[0, 0, 0], [1, 0, 1], [1, 0, 0]]
    assert body["strongest"] == [[0, 0, 0], [1, 0, 1], [1, 0, 0]]
    assert body["notes"][-1] == (
        "La méthode de Borda et la méthode de Schulze donnent le même ordre."
    )


# Ballots ----------------------------------------------------------------------------


def test_a_referent_casts_and_replaces_a_ballot(
    client, referent_user, organisation, open_round, shortlist
):
    client.force_login(referent_user)
    ids = [n.pk for n in shortlist]

    first = client.post(
        ballot_url(open_round), {"ranking": ids}, content_type="application/json"
    )
    second = client.post(
        ballot_url(open_round),
        {"ranking": ids[::-1]},
        content_type="application/json",
    )

    assert first.status_code == HTTPStatus.CREATED
    assert second.status_code == HTTPStatus.CREATED
    body = second.json()
    assert body["organisation"] == organisation.name
    assert body["ranking"] == ids[::-1]
    assert list(Ballot.objects.values_list("ranking", flat=True)) == [ids[::-1]]
    detail = client.get(f"/api/v1/rounds/{open_round.pk}").json()
    assert detail["own_ballots"][0]["ranking"] == ids[::-1]


@pytest.mark.parametrize(
    ("role", "status", "message"),
    [
        (None, HTTPStatus.UNAUTHORIZED, "Authentification requise."),
        (
            "plain_user",
            HTTPStatus.FORBIDDEN,
            "Seul un référent d’une organisation membre peut voter.",
        ),
        (
            "member_user",
            HTTPStatus.FORBIDDEN,
            "Seul un référent d’une organisation membre peut voter.",
        ),
        (
            "other_member_user",
            HTTPStatus.FORBIDDEN,
            "Seul un référent d’une organisation membre peut voter.",
        ),
        (
            "secretariat_user",
            HTTPStatus.FORBIDDEN,
            "Seul un référent d’une organisation membre peut voter.",
        ),
        (
            "admin_user",
            HTTPStatus.FORBIDDEN,
            "Seul un référent d’une organisation membre peut voter.",
        ),
    ],
)
def test_who_may_not_vote(
    client, request, role, status, message, open_round, shortlist
):
    login(client, request, role)
    response = client.post(
        ballot_url(open_round),
        {"ranking": [n.pk for n in shortlist]},
        content_type="application/json",
    )
    assert response.status_code == status
    assert response.json()["message"] == message
    assert not Ballot.objects.exists()


def test_a_member_cannot_vote_for_an_organisation_by_naming_it(
    client, member_user, organisation, open_round, shortlist
):
    client.force_login(member_user)
    response = client.post(
        ballot_url(open_round),
        {"ranking": [n.pk for n in shortlist], "organisation": organisation.pk},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "message": "Seul un référent de Conseil départemental de la Haute-Garonne "
        "peut voter en son nom."
    }


def test_a_referent_of_two_organisations_names_one(
    client, referent_user, other_organisation, open_round, shortlist
):
    MembershipFactory(
        person=referent_user,
        organisation=other_organisation,
        role=Membership.Role.REFERENT,
    )
    client.force_login(referent_user)
    ids = [n.pk for n in shortlist]

    unnamed = client.post(
        ballot_url(open_round), {"ranking": ids}, content_type="application/json"
    )
    named = client.post(
        ballot_url(open_round),
        {"ranking": ids, "organisation": other_organisation.pk},
        content_type="application/json",
    )

    assert unnamed.status_code == HTTPStatus.BAD_REQUEST
    assert unnamed.json() == {
        "message": "Vous êtes référent de plusieurs organisations : précisez au "
        "nom de laquelle vous votez (organisation).",
        "field": "organisation",
    }
    assert named.status_code == HTTPStatus.CREATED
    assert Ballot.objects.get().organisation == other_organisation


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        (
            [0, 1],
            "Le classement doit comprendre tous les besoins de la liste : "
            "« Adresses du Gers » manque.",
        ),
        (
            [0, 0, 1, 2],
            "Chaque besoin doit être classé une seule fois : "
            "« Orthophotographie de Toulouse » est classé plusieurs fois.",
        ),
    ],
)
def test_bad_ballots_are_refused_with_a_french_message(
    client, referent_user, open_round, shortlist, ranking, message
):
    client.force_login(referent_user)
    response = client.post(
        ballot_url(open_round),
        {"ranking": [shortlist[i].pk for i in ranking]},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"message": message, "field": "ranking"}
    assert not Ballot.objects.exists()


def test_no_ballot_on_a_draft_or_closed_round(
    client, referent_user, secretariat_user, organisation, shortlist
):
    draft = RoundFactory()
    draft.needs.set(shortlist)
    closed = RoundFactory(state=Round.State.CLOSED)
    closed.needs.set(shortlist)
    client.force_login(referent_user)
    ids = [n.pk for n in shortlist]

    on_draft = client.post(
        ballot_url(draft), {"ranking": ids}, content_type="application/json"
    )
    on_closed = client.post(
        ballot_url(closed), {"ranking": ids}, content_type="application/json"
    )

    # A draft is not announced; a closed round says why
    assert on_draft.status_code == HTTPStatus.NOT_FOUND
    assert on_closed.status_code == HTTPStatus.CONFLICT
    assert on_closed.json() == {"message": "Ce tour n’est pas ouvert au vote."}
    assert not Ballot.objects.exists()
