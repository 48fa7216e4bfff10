"""Reads of the prioritisation: scores of needs from the database, rounds by role,
published results."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crig.catalog.models import CommuneCoverage
from crig.catalog.tests.factories import DatasetFactory
from crig.core.errors import NotFound
from crig.members.models import Membership
from crig.members.tests.factories import MembershipFactory, OrganisationFactory
from crig.needs import services
from crig.needs.models import Need, Round, Theme
from crig.needs.selectors import priorities
from crig.needs.tests.factories import (
    NeedFactory,
    RoundFactory,
    ScoringWeightsFactory,
    SupportFactory,
)

pytestmark = pytest.mark.django_db

ONLY = dict.fromkeys(
    (
        "supporters",
        "population",
        "area",
        "coverage_gap",
        "urgency",
        "cofunding",
        "plan_fit",
    ),
    0,
)


def plain(text: str) -> str:
    """French numbers are grouped with (narrow) no-break spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_weights_current_defaults_then_the_latest_published():
    default = priorities.weights_current()
    assert default.pk is None
    assert default.as_dict()["supporters"] == 3

    ScoringWeightsFactory(supporters=1)
    latest = ScoringWeightsFactory(supporters=7)

    assert priorities.weights_current() == latest


@pytest.fixture
def two_needs(territory, other_organisation):
    """An orthophoto need of Toulouse covered by the catalogue, supported by UM
    with co-funding; a LIDAR need of Toulouse that nothing covers."""
    covered = NeedFactory(
        title="Orthophotographie de Toulouse",
        theme=Theme.ORTHOPHOTO,
        cofunding_max=2000,
        plan_fit=Need.PlanFit.FULL,
    )
    SupportFactory(
        need=covered,
        organisation=other_organisation,
        cofunding_min=1000,
        cofunding_max=3000,
    )
    dataset = DatasetFactory()
    CommuneCoverage.objects.create(dataset=dataset, commune_id="31555", fraction=1.0)
    uncovered = NeedFactory(
        title="LIDAR de Toulouse",
        theme=Theme.LIDAR,
        horizon=timezone.localdate() + datetime.timedelta(days=30),
    )
    return covered, uncovered


def test_needs_scored_reads_supports_coverage_and_cofunding(two_needs, plain_user):
    covered, uncovered = two_needs
    ScoringWeightsFactory(**ONLY | {"supporters": 1, "coverage_gap": 1, "cofunding": 1})

    scores = priorities.needs_scored(user=plain_user)

    # covered: 2 organisations (share 1), no gap (0), 1,000 + 2,000 € (share 1)
    # uncovered: 1 organisation (0.5), all of it a gap (1), no co-funding (0)
    assert [(s.need, s.rank) for s in scores] == [(covered, 1), (uncovered, 2)]
    assert scores[0].total == pytest.approx(200 / 3)
    assert scores[1].total == pytest.approx(50.0)
    criteria = {c.name: c for c in scores[0].criteria}
    assert criteria["supporters"].raw == 2
    assert criteria["supporters"].raw_display == "2 organisations"
    assert criteria["supporters"].label == "organisations soutiens"
    assert criteria["coverage_gap"].raw == 0.0
    assert criteria["coverage_gap"].raw_display == "0 % non couvert"
    assert criteria["cofunding"].raw == 3000
    assert plain(criteria["cofunding"].raw_display) == "3 000 €"
    assert criteria["plan_fit"].raw_display == "Dans le plan en cours"
    assert criteria["urgency"].raw_display == "pas d’échéance donnée"
    population = criteria["population"]
    assert population.raw == covered.population
    assert population.normalised == 1.0
    urgency = {c.name: c for c in scores[1].criteria}["urgency"]
    assert urgency.raw == 30
    assert urgency.normalised == 1.0
    assert urgency.raw_display.startswith("dans 1 mois (")


def test_needs_scored_leaves_out_drafts_and_decided_needs(territory, plain_user):
    kept = NeedFactory(state=Need.State.QUALIFIED)
    NeedFactory(state=Need.State.DRAFT)
    NeedFactory(state=Need.State.SATISFIED)
    NeedFactory(state=Need.State.REJECTED)

    assert [s.need for s in priorities.needs_scored(user=plain_user)] == [kept]


def test_given_drafts_are_scored_for_their_author_only(draft_need, member_user):
    assert priorities.needs_scored(user=member_user, needs=[draft_need])
    assert priorities.needs_scored(user=AnonymousUser(), needs=[draft_need]) == []


def test_needs_scored_does_not_query_per_need(territory, plain_user):
    NeedFactory.create_batch(3)
    with CaptureQueriesContext(connection) as few:
        priorities.needs_scored(user=plain_user)
    NeedFactory.create_batch(6)
    for need in Need.objects.all()[:4]:
        SupportFactory(need=need)
    with CaptureQueriesContext(connection) as many:
        scores = priorities.needs_scored(user=plain_user)
    assert len(scores) == 9
    assert len(many) == len(few)


def test_need_score_of_a_decided_need_is_computed_among_the_open_ones(
    territory, plain_user
):
    open_need = NeedFactory()
    satisfied = NeedFactory(state=Need.State.SATISFIED)

    score = priorities.need_score(user=plain_user, need=satisfied)

    assert score.need == satisfied
    assert priorities.need_score(user=plain_user, need=open_need).rank == 1


def test_need_score_of_a_draft_is_hidden_from_others(draft_need, plain_user):
    with pytest.raises(NotFound):
        priorities.need_score(user=plain_user, need=draft_need)


# Rounds -----------------------------------------------------------------------------


@pytest.fixture
def rounds(db):
    return {
        state: RoundFactory(title=f"Tour {state}", state=state, year=2025)
        for state in Round.State.values
    }


@pytest.mark.parametrize(
    ("role", "sees_draft"),
    [
        ("anonymous", False),
        ("plain_user", False),
        ("member_user", False),
        ("referent_user", False),
        ("other_member_user", False),
        ("secretariat_user", True),
        ("admin_user", True),
    ],
)
def test_drafts_are_seen_by_the_secretariat_only(request, rounds, role, sees_draft):
    user = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    visible = set(priorities.rounds_visible_to(user))
    expected = {rounds["open"], rounds["closed"]} | (
        {rounds["draft"]} if sees_draft else set()
    )
    assert visible == expected
    draft_pk = rounds["draft"].pk
    if sees_draft:
        assert priorities.round_get(user=user, pk=draft_pk) == rounds["draft"]
    else:
        with pytest.raises(NotFound) as raised:
            priorities.round_get(user=user, pk=draft_pk)
        assert raised.value.message == "Tour de priorisation introuvable."


def test_rounds_by_year_latest_first(secretariat_user):
    old = RoundFactory(year=2023)
    new = RoundFactory(year=2025)
    assert priorities.rounds_by_year(secretariat_user) == [(2025, [new]), (2023, [old])]


@pytest.fixture
def closed_round(territory, secretariat_user, referent_user, organisation):
    a = NeedFactory(title="Orthophotographie")
    b = NeedFactory(title="LIDAR")
    c = NeedFactory(title="Adresses")
    other = MembershipFactory(
        organisation=OrganisationFactory(name="Toulouse Métropole"),
        role=Membership.Role.REFERENT,
    )
    round_ = services.round_create(
        actor=secretariat_user, year=2025, title="P", need_ids=[a.pk, b.pk, c.pk]
    )
    services.round_open(actor=secretariat_user, round_=round_)
    services.ballot_submit(
        actor=referent_user,
        round_=round_,
        organisation=organisation,
        ranking=[a.pk, b.pk, c.pk],
    )
    services.ballot_submit(
        actor=other.person,
        round_=round_,
        organisation=other.organisation,
        ranking=[a.pk, c.pk, b.pk],
    )
    return services.round_close(actor=secretariat_user, round_=round_), (a, b, c)


def test_round_status_counts_ballots_and_eligible_organisations(
    closed_round, referent_user, member_user, organisation
):
    round_, _needs = closed_round
    status = priorities.round_status(user=referent_user, round_=round_)
    assert (status.ballots, status.eligible_organisations) == (2, 2)
    assert status.own_ballot.organisation == organisation
    # The round is closed: nobody votes any more
    assert status.voting_organisations == []
    assert priorities.round_status(user=member_user, round_=round_).own_ballot is None


def test_round_result_positions_ties_and_notes(closed_round, plain_user):
    round_, (a, b, c) = closed_round

    result = priorities.round_result(user=plain_user, round_=round_)

    assert result.ballots == 2
    assert result.needs == [a, b, c]
    assert [(r.need, r.position, r.tied, r.borda_points) for r in result.schulze] == [
        (a, 1, False, 4),
        (b, 2, True, 1),
        (c, 2, True, 1),
    ]
    assert [(r.need, r.position) for r in result.borda] == [(a, 1), (b, 2), (c, 2)]
    assert result.pairwise == [[0, 2, 2], [0, 0, 1], [0, 1, 0]]
    assert result.strongest == [[0, 2, 2], [0, 0, 0], [0, 0, 0]]
    assert result.notes == [
        "« Orthophotographie » est préféré à chacun des autres besoins par une "
        "majorité des votes (un gagnant de Condorcet) : les deux méthodes se lisent "
        "en le sachant.",
        "Méthode de Schulze : « LIDAR », « Adresses » sont à égalité (aucun chemin "
        "le plus fort ne place l’un au-dessus de l’autre). Aucun départage n’est "
        "appliqué : ils partagent le même rang et sont listés par points Borda, pour "
        "la lecture seulement.",
        "Méthode de Borda : « LIDAR », « Adresses » ont le même nombre de points. "
        "Aucun départage n’est appliqué : ils partagent le même rang et sont listés "
        "dans l’ordre de la liste.",
        "La méthode de Borda et la méthode de Schulze donnent le même ordre.",
    ]


def test_round_result_keeps_the_titles_of_the_closing_day(closed_round, plain_user):
    round_, (a, _b, _c) = closed_round
    Need.objects.filter(pk=a.pk).update(title="Renommé")
    result = priorities.round_result(user=plain_user, round_=round_)
    assert "« Orthophotographie »" in result.notes[0]


def test_no_result_before_closing(rounds, plain_user):
    assert priorities.round_result(user=plain_user, round_=rounds["open"]) is None
