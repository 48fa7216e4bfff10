"""The analysis beside a file: the catalogue's coverage of its territory, the
other requests on the same theme and territory (only what the person may see),
the needs it answers and the plan actions it serves — over real communes, with
exact figures, in a number of queries that does not grow with the data."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crig.actionplan.models import Plan
from crig.actionplan.tests.factories import ActionFactory, PlanFactory
from crig.catalog.models import CommuneCoverage, Referentiel
from crig.catalog.tests.factories import DatasetFactory
from crig.funding.models import FundingRequest, RequestCommune, ReviewerSeat
from crig.funding.selectors.analysis import request_analysis
from crig.funding.tests.factories import FundingRequestFactory, ReviewerSeatFactory
from crig.members.tests.factories import OrganisationFactory
from crig.needs.models import Need, Theme
from crig.needs.tests.factories import NeedFactory, SupportFactory
from crig.territory.models import Commune

State = FundingRequest.State
TOULOUSE, BLAGNAC, COLOMIERS, MONTPELLIER = "31555", "31069", "31149", "34172"


def _area(insee: str) -> float:
    return Commune.objects.get(insee=insee).area_km2


def _covering(fractions: dict[str, float], **fields):
    dataset = DatasetFactory(**fields)
    CommuneCoverage.objects.bulk_create(
        [
            CommuneCoverage(dataset=dataset, commune_id=insee, fraction=fraction)
            for insee, fraction in fractions.items()
        ]
    )
    return dataset


def _request(communes, **fields) -> FundingRequest:
    fields.setdefault("theme", Theme.PCRS)
    return FundingRequestFactory(communes=communes, **fields)


def _halve(request: FundingRequest, insee: str) -> None:
    """Only half of the commune lies in the request's territory."""
    RequestCommune.objects.filter(request=request, commune_id=insee).update(
        fraction=0.5
    )


@pytest.fixture
def this(territory, organisation, signatory, member_user):
    """A PCRS request of CD31 (``organisation``) over Toulouse and Blagnac."""
    return _request(
        [TOULOUSE, BLAGNAC],
        title="PCRS de Toulouse et Blagnac",
        applicant=organisation,
        signatory=signatory,
        entered_by=member_user,
    )


# --- Coverage --------------------------------------------------------------------


def test_coverage_per_commune_with_its_vintage(this):
    recent = _covering(
        {TOULOUSE: 1.0},
        title="PCRS vecteur de Toulouse",
        referentiel=Referentiel.PCRS,
        year=timezone.localdate().year - 1,
        resolution_m=0.05,
    )
    old = _covering(
        {BLAGNAC: 1.0},
        title="PCRS image de Blagnac",
        referentiel=Referentiel.PCRS,
        year=timezone.localdate().year - 8,
        resolution_m=None,
    )
    # Another référentiel over the same communes does not count.
    _covering({TOULOUSE: 1.0, BLAGNAC: 1.0}, referentiel=Referentiel.ORTHOPHOTO)
    total = _area(TOULOUSE) + _area(BLAGNAC)

    coverage = request_analysis(user=None, request=this).coverage

    assert coverage.referentiel == "pcrs"
    assert coverage.area_km2 == pytest.approx(total)
    assert coverage.covered_share == pytest.approx(1.0)
    assert [(c.insee, c.status, c.best.dataset_id) for c in coverage.communes] == [
        (BLAGNAC, "outdated", old.pk),
        (TOULOUSE, "covered", recent.pk),
    ]
    assert [d.dataset_id for d in coverage.datasets] == [recent.pk, old.pk]
    percent = round(100 * _area(TOULOUSE) / total)
    assert coverage.datasets[0].summary == (
        f"{percent} % de la surface couverte par PCRS vecteur de Toulouse "
        f"({recent.year}, 5 cm)"
    )


def test_a_theme_outside_the_catalogue_has_no_coverage(this):
    FundingRequest.objects.filter(pk=this.pk).update(theme=Theme.MOBILITY)
    this.refresh_from_db()

    coverage = request_analysis(user=None, request=this).coverage

    assert (coverage.referentiel, coverage.covered_share, coverage.gap_share) == (
        None,
        0.0,
        1.0,
    )


# --- Overlapping requests --------------------------------------------------------


def test_overlaps_share_communes_and_area_sorted_by_area(this, secretariat_user):
    half_toulouse = _request([TOULOUSE], title="Moitié de Toulouse")
    _halve(half_toulouse, TOULOUSE)
    _request([BLAGNAC, COLOMIERS], title="Blagnac et Colomiers")
    published = _request(
        [TOULOUSE, BLAGNAC, COLOMIERS], title="Publié", state=State.PUBLISHED
    )
    total = _area(TOULOUSE) + _area(BLAGNAC)

    overlaps = request_analysis(user=secretariat_user, request=this).overlaps

    assert [(o.request.title, o.shared_communes, o.public_only) for o in overlaps] == [
        ("Publié", 2, False),
        ("Moitié de Toulouse", 1, False),
        ("Blagnac et Colomiers", 1, False),
    ]
    assert overlaps[0].shared_area_km2 == pytest.approx(total)
    assert overlaps[0].share_of_this == pytest.approx(1.0)
    assert overlaps[1].shared_area_km2 == pytest.approx(_area(TOULOUSE) / 2)
    assert overlaps[1].share_of_this == pytest.approx(_area(TOULOUSE) / 2 / total)
    assert overlaps[2].shared_area_km2 == pytest.approx(_area(BLAGNAC))
    assert overlaps[2].share_of_this == pytest.approx(_area(BLAGNAC) / total)
    # Figures as people read them: Toulouse is about 118 km², Blagnac 17.
    assert round(overlaps[1].shared_area_km2) == 59
    assert published.pk == overlaps[0].request.pk


def test_only_live_or_decided_requests_on_the_same_theme_overlap(
    this, secretariat_user
):
    kept = {
        state: _request([TOULOUSE], title=f"En état {state}", state=state)
        for state in (
            State.SUBMITTED,
            State.ADMISSIBLE,
            State.UNDER_REVIEW,
            State.OPINION_ISSUED,
            State.PUBLISHED,
        )
    }
    for state in (State.DRAFT, State.WITHDRAWN, State.INADMISSIBLE):
        _request([TOULOUSE], title=f"Écarté {state}", state=state)
    _request([TOULOUSE], title="Autre thème", theme=Theme.LIDAR)
    _request([MONTPELLIER], title="Ailleurs")

    overlaps = request_analysis(user=secretariat_user, request=this).overlaps

    assert {o.request.pk for o in overlaps} == {r.pk for r in kept.values()}


@pytest.fixture
def neighbours(this, organisation, other_organisation):
    """Three requests over Toulouse besides ``this``: another of CD31, a
    confidential one of another applicant, a published one of another applicant."""
    return {
        "own": _request(
            [TOULOUSE], title="Autre demande du CD31", applicant=organisation
        ),
        "confidential": _request(
            [TOULOUSE],
            title="Demande confidentielle de l'UM",
            applicant=other_organisation,
        ),
        "published": _request(
            [TOULOUSE],
            title="PCRS publié de l'UM",
            applicant=other_organisation,
            state=State.PUBLISHED,
            description="Secret du marché.",
        ),
    }


def _seen(user, request) -> list[tuple[str, bool]]:
    return sorted(
        (o.request.title, o.public_only)
        for o in request_analysis(user=user, request=request).overlaps
    )


def test_an_applicant_member_sees_its_other_request_and_published_ones(
    this, neighbours, member_user
):
    assert _seen(member_user, this) == [
        ("Autre demande du CD31", False),
        ("PCRS publié de l'UM", True),
    ]


def test_a_cleared_reviewer_sees_the_files_they_review_and_published_ones(
    this, neighbours, reviewer_user, signatory
):
    ReviewerSeatFactory(
        request=this,
        signatory=signatory,
        reviewer=reviewer_user,
        conflict=ReviewerSeat.Conflict.NONE,
    )
    assert _seen(reviewer_user, this) == [("PCRS publié de l'UM", True)]

    ReviewerSeatFactory(
        request=neighbours["confidential"],
        signatory=signatory,
        reviewer=reviewer_user,
        conflict=ReviewerSeat.Conflict.NONE,
    )
    assert _seen(reviewer_user, this) == [
        ("Demande confidentielle de l'UM", False),
        ("PCRS publié de l'UM", True),
    ]


def test_a_recused_reviewer_sees_no_more_than_the_public(
    this, neighbours, recused_reviewer_user, signatory
):
    ReviewerSeatFactory(
        request=neighbours["confidential"],
        signatory=signatory,
        reviewer=recused_reviewer_user,
        conflict=ReviewerSeat.Conflict.CONFLICT,
    )

    assert _seen(recused_reviewer_user, this) == [("PCRS publié de l'UM", True)]


@pytest.mark.parametrize("role", ["secretariat_user", "admin_user"])
def test_the_secretariat_and_administrators_see_every_overlap_in_full(
    this, neighbours, role, request
):
    user = request.getfixturevalue(role)

    assert _seen(user, this) == [
        ("Autre demande du CD31", False),
        ("Demande confidentielle de l'UM", False),
        ("PCRS publié de l'UM", False),
    ]


@pytest.mark.parametrize("role", ["anonymous", "plain_user", "referent_user"])
def test_others_see_published_overlaps_only(this, neighbours, role, request):
    user = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    expected = [("PCRS publié de l'UM", True)]
    if role == "referent_user":  # a referent of CD31
        expected = [("Autre demande du CD31", False), *expected]

    assert _seen(user, this) == expected


def test_a_published_overlap_carries_only_its_public_part(
    this, neighbours, member_user, django_assert_num_queries
):
    [own, published] = sorted(
        request_analysis(user=member_user, request=this).overlaps,
        key=lambda o: o.request.title,
    )
    other = published.request

    with django_assert_num_queries(0):
        public = (
            other.reference,
            other.title,
            other.public_summary,
            other.applicant.name,
            str(other.signatory),
            other.state,
        )
        confidential = (
            other.description,
            other.deliverables,
            other.self_funding,
            other.starts_on,
            other.entered_by_id,
            other.outline,
        )
    assert public[1:3] == (
        "PCRS publié de l'UM",
        "Levé d'un PCRS vecteur sur le territoire.",
    )
    assert public[5] == State.PUBLISHED
    assert confidential == ("", "", 0, None, None, "")
    # The request the member may open comes whole.
    assert (
        own.request.description
        == "Détail confidentiel du projet et du marché envisagé."
    )


# --- Needs answered --------------------------------------------------------------


def test_needs_answered_with_their_backers_and_shared_area(this):
    three_backers = NeedFactory(title="Trois", theme=Theme.PCRS, communes=[BLAGNAC])
    SupportFactory(need=three_backers, communes=[BLAGNAC])
    SupportFactory(need=three_backers, communes=[COLOMIERS])
    NeedFactory(
        title="Un", theme=Theme.PCRS, state=Need.State.QUALIFIED, communes=[TOULOUSE]
    )
    # Its own territory is elsewhere; a support brings it over Toulouse.
    through_support = NeedFactory(
        title="Par un soutien",
        theme=Theme.PCRS,
        state=Need.State.RETAINED,
        communes=[COLOMIERS],
    )
    SupportFactory(need=through_support, communes=[TOULOUSE])
    for state in (
        Need.State.DRAFT,
        Need.State.SATISFIED,
        Need.State.REJECTED,
        Need.State.MERGED,
    ):
        NeedFactory(title=f"Écarté {state}", theme=Theme.PCRS, state=state)
    NeedFactory(title="Autre thème", theme=Theme.LIDAR)
    NeedFactory(title="Ailleurs", theme=Theme.PCRS, communes=[MONTPELLIER])

    needs = request_analysis(user=None, request=this).needs

    assert [(n.need.title, n.backers) for n in needs] == [
        ("Trois", 3),
        ("Par un soutien", 2),
        ("Un", 1),
    ]
    assert needs[0].shared_area_km2 == pytest.approx(_area(BLAGNAC))
    assert needs[1].shared_area_km2 == pytest.approx(_area(TOULOUSE))
    assert needs[2].shared_area_km2 == pytest.approx(_area(TOULOUSE))


def test_a_need_shares_the_smaller_part_of_a_commune(this):
    _halve(this, TOULOUSE)
    NeedFactory(title="Toulouse", theme=Theme.PCRS, communes=[TOULOUSE])

    [need] = request_analysis(user=None, request=this).needs

    assert need.shared_area_km2 == pytest.approx(_area(TOULOUSE) / 2)


def test_a_draft_need_is_left_out_even_for_its_author(this):
    draft = NeedFactory(title="Brouillon", theme=Theme.PCRS, state=Need.State.DRAFT)

    assert request_analysis(user=draft.author, request=this).needs == []


# --- Plan actions ----------------------------------------------------------------


def test_actions_of_a_published_plan_linked_to_the_request_or_its_needs(
    this, secretariat_user
):
    need = NeedFactory(title="Besoin", theme=Theme.PCRS)
    other_need = NeedFactory(title="Autre", theme=Theme.LIDAR)
    direct = ActionFactory(number=3, title="PCRS mutualisé")
    direct.funding_requests.add(this)
    via_need = ActionFactory(number=1, title="Recenser les besoins PCRS")
    via_need.needs.add(need)
    both = ActionFactory(number=2, title="Les deux")
    both.funding_requests.add(this)
    both.needs.add(need)
    ActionFactory(number=4).needs.add(other_need)
    draft_plan = PlanFactory(year=2026, state=Plan.State.DRAFT)
    ActionFactory(plan=draft_plan, number=1).funding_requests.add(this)

    actions = request_analysis(user=secretariat_user, request=this).actions

    assert [
        (a.action.title, a.direct, [n.title for n in a.needs]) for a in actions
    ] == [
        ("Recenser les besoins PCRS", False, ["Besoin"]),
        ("Les deux", True, ["Besoin"]),
        ("PCRS mutualisé", True, []),
    ]
    assert {a.action.plan.year for a in actions} == {2024}


def test_no_action_when_none_is_linked(this, member_user):
    ActionFactory()

    assert request_analysis(user=member_user, request=this).actions == []


# --- Queries -----------------------------------------------------------------------


def _queries(user, request) -> int:
    with CaptureQueriesContext(connection) as context:
        request_analysis(user=user, request=request)
    return len(context.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_data(
    this, member_user, organisation
):
    def add_some(n):
        _request([TOULOUSE], title=f"Visible {n}", applicant=organisation)
        _request([BLAGNAC], title=f"Publiée {n}", state=State.PUBLISHED)
        _request([TOULOUSE], title=f"Confidentielle {n}")
        need = NeedFactory(title=f"Besoin {n}", theme=Theme.PCRS)
        SupportFactory(need=need, organisation=OrganisationFactory())
        ActionFactory().needs.add(need)
        _covering({TOULOUSE: 1.0}, referentiel=Referentiel.PCRS, year=2020 + n)

    add_some(1)
    before = _queries(member_user, this)
    for n in range(2, 6):
        add_some(n)

    assert _queries(member_user, this) == before
    analysis = request_analysis(user=member_user, request=this)
    assert (len(analysis.overlaps), len(analysis.needs), len(analysis.actions)) == (
        10,
        5,
        5,
    )
