"""The needs demo: written through the services on the real territory, every state
present, one closed round with its result, idempotent."""

import io
from collections import Counter

import pytest

from crig.members import demo as members_demo
from crig.members.models import Membership, User
from crig.needs import demo
from crig.needs.models import (
    Ballot,
    Need,
    NeedCommune,
    NeedEvent,
    Round,
    ScoringWeights,
    Support,
)


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Need,
            NeedCommune,
            Support,
            NeedEvent,
            ScoringWeights,
            Round,
            Ballot,
            User,
            Membership,
        )
    }


@pytest.fixture
def loaded(territory):
    members_demo.load_demo(stdout=io.StringIO())
    output = io.StringIO()
    report = demo.load_demo(stdout=output)
    return report, output.getvalue()


def test_demo_covers_every_state_and_closes_a_round(loaded):
    report, output = loaded

    assert report.needs_created == len(demo.NEEDS) == 23
    assert "23 needs" in output
    assert Counter(Need.objects.values_list("state", flat=True)) == {
        "draft": 1,
        "new": 9,
        "qualified": 6,
        "retained": 3,
        "satisfied": 2,
        "rejected": 1,
        "merged": 1,
    }
    themes = set(Need.objects.values_list("theme", flat=True))
    assert {
        "orthophotographie",
        "occupation_du_sol",
        "erp",
        "pcrs",
        "lidar",
        "adresses",
    } <= themes
    # Every decided need carries its public answer; qualified ones their plan fit.
    decided = Need.objects.filter(state__in=["retained", "satisfied", "rejected"])
    assert all(need.public_answer for need in decided)
    assert not Need.objects.filter(state="qualified", plan_fit="unknown").exists()


def test_demo_territories_and_supports_are_real(loaded):
    pcrs = Need.objects.get(title="PCRS vecteur de Toulouse Métropole")
    assert pcrs.author.email == "membre@demo.crig.example"
    assert pcrs.commune_links.count() == 37
    assert pcrs.commune_links.filter(commune_id="31555", fraction=1.0).exists()
    assert pcrs.territory_description
    # The drawn polygon over the Thau lagoon concerns Sète, in part.
    thau = Need.objects.get(title="LIDAR topo-bathymétrique de l'étang de Thau")
    sete = thau.commune_links.get(commune_id="34301")
    assert 0 < sete.fraction < 1
    assert set(
        thau.commune_links.values_list("commune__departement_id", flat=True)
    ) == {"34"}
    # Supports from other organisations, with their own territories.
    ortho = Need.objects.get(
        title="Orthophotographie 5 cm de Montpellier Méditerranée Métropole"
    )
    university = ortho.supports.get(organisation__acronym="UM")
    assert list(university.commune_links.values_list("commune_id", flat=True)) == [
        "34172"
    ]
    assert ortho.supports.count() == 3
    assert ortho.consolidated_outline
    # The duplicate merged into the Pyrenees need: its organisation now supports it.
    ariege = Need.objects.get(state="merged")
    pyrenees = Need.objects.get(title="LIDAR HD des Pyrénées pour les risques naturels")
    assert ariege.merged_into == pyrenees
    assert pyrenees.supports.filter(organisation__acronym="CEN Occitanie").exists()
    # The draft is the member's, and nobody else sees it.
    draft = Need.objects.get(state="draft")
    assert draft.author.email == "membre@demo.crig.example"


def test_demo_round_is_closed_with_a_result(loaded):
    round_ = Round.objects.get()

    assert (round_.year, round_.state) == (2024, Round.State.CLOSED)
    assert round_.needs.count() == 6
    assert round_.ballots.count() == 8
    assert round_.result["ballots"] == 8
    assert set(round_.result) >= {"borda", "schulze", "notes"}
    assert ScoringWeights.objects.get().note == demo.WEIGHTS_NOTE
    # Ballots are cast by referents of their organisations.
    for ballot in round_.ballots.select_related("cast_by", "organisation"):
        assert Membership.objects.filter(
            person=ballot.cast_by,
            organisation=ballot.organisation,
            role=Membership.Role.REFERENT,
        ).exists()


def test_demo_runs_twice_without_duplicates(loaded):
    first = _counts()

    report = demo.load_demo(stdout=io.StringIO())

    assert _counts() == first
    assert (report.needs_created, report.supports_created) == (0, 0)
    assert first["Need"] == 23
    assert first["Ballot"] == 8


def test_demo_history_spans_2024_and_2025_with_the_round_closed_in_2024(loaded):
    submitted_years = Counter(
        Need.objects.exclude(submitted_at=None).values_list(
            "submitted_at__year", flat=True
        )
    )
    round_ = Round.objects.get()

    assert set(submitted_years) == {2024, 2025}
    assert round_.closed_at.year == 2024
    assert all(need.submitted_at < round_.opened_at for need in round_.needs.all()), (
        "a shortlisted need was submitted after the round opened"
    )
