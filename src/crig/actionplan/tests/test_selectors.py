import datetime
from http import HTTPStatus

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from crig.actionplan import selectors
from crig.actionplan.models import Action
from crig.actionplan.selectors import ActionFilters
from crig.actionplan.tests.factories import ActionFactory
from crig.catalog.models import Dataset, Visibility
from crig.catalog.tests.factories import DatasetFactory
from crig.core.errors import InvalidInput, NotFound
from crig.funding.models import FundingRequest, Opinion
from crig.funding.tests.factories import FundingRequestFactory, OpinionFactory
from crig.members.tests.factories import OrganisationFactory
from crig.needs.models import Need, Round
from crig.needs.tests.factories import NeedFactory, RoundFactory

EDITORS = ["signatory_member_user", "reviewer_user", "secretariat_user", "admin_user"]
OTHERS = ["anonymous", "plain_user", "member_user", "other_member_user"]


def _person(request, role):
    if role == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(role)


# --- Plans and actions ---------------------------------------------------------


@pytest.mark.parametrize("role", OTHERS)
def test_drafts_stay_hidden_from_the_public_and_the_members(
    request, plan, draft_plan, role
):
    assert list(selectors.plans_visible_to(_person(request, role))) == [plan]


@pytest.mark.parametrize("role", EDITORS)
def test_the_people_who_edit_the_plan_see_the_drafts(request, plan, draft_plan, role):
    assert list(selectors.plans_visible_to(_person(request, role))) == [
        draft_plan,
        plan,
    ]


def test_a_draft_plan_is_not_found_for_a_member(draft_plan, member_user):
    with pytest.raises(NotFound) as error:
        selectors.plan_get(user=member_user, year=2025)

    assert error.value.message == "Aucun plan d'actions pour 2025."
    assert error.value.status_code == HTTPStatus.NOT_FOUND


def test_the_secretariat_gets_a_draft_plan(draft_plan, secretariat_user):
    assert selectors.plan_get(user=secretariat_user, year=2025) == draft_plan


def test_an_action_of_a_draft_plan_is_not_found_for_the_public(draft_plan):
    action = ActionFactory(plan=draft_plan)

    with pytest.raises(NotFound) as error:
        selectors.action_get(user=None, pk=action.pk)

    assert error.value.message == "Cette action n'existe pas."


def test_an_action_of_a_published_plan_is_public(action):
    assert selectors.action_get(user=AnonymousUser(), pk=action.pk) == action


@pytest.fixture
def four_actions(plan, organisation, other_organisation):
    return [
        ActionFactory(
            plan=plan,
            number=1,
            title="Journée du CRIG",
            category=Action.Category.ORGANISATION,
            status=Action.Status.DONE,
            progress=10,
            leads=[organisation, other_organisation],
        ),
        ActionFactory(
            plan=plan,
            number=2,
            title="Interopérabilité",
            category=Action.Category.ORGANISATION,
            status=Action.Status.IN_PROGRESS,
            progress=25,
            leads=[other_organisation],
        ),
        ActionFactory(
            plan=plan,
            number=3,
            title="Jumeau numérique",
            objectives="Explorer les usages d'un jumeau numérique.",
            category=Action.Category.TRANSVERSAL,
            status=Action.Status.PROPOSED,
            progress=0,
            leads=[organisation],
        ),
        ActionFactory(
            plan=plan,
            number=4,
            title="LIDAR",
            category=Action.Category.REFERENTIELS,
            status=Action.Status.DONE,
            progress=100,
            leads=[organisation],
        ),
        ActionFactory(
            plan=plan,
            number=5,
            title="Adresses",
            category=Action.Category.REFERENTIELS,
            status=Action.Status.IN_PROGRESS,
            progress=40,
            leads=[other_organisation],
        ),
    ]


@pytest.mark.parametrize(
    ("filters", "numbers"),
    [
        (ActionFilters(), [1, 2, 3, 4, 5]),
        (ActionFilters(category="organisation"), [1, 2]),
        (ActionFilters(status="done"), [1, 4]),
        (ActionFilters(lead="conseil-departemental-de-la-haute-garonne"), [1, 3, 4]),
        (ActionFilters(q="jumeau usages"), [3]),
        (ActionFilters(category="referentiels", status="in_progress"), [5]),
    ],
)
def test_actions_are_filtered(plan, four_actions, filters, numbers):
    actions = selectors.plan_actions(user=None, plan=plan, filters=filters)

    assert [action.number for action in actions] == numbers


@pytest.mark.parametrize("field", ["category", "status"])
def test_an_unknown_filter_value_is_refused(plan, field):
    with pytest.raises(InvalidInput) as error:
        selectors.plan_actions(
            user=None, plan=plan, filters=ActionFilters(**{field: "x"})
        )

    assert error.value.message == "Valeur inconnue pour ce filtre."


def test_the_actions_of_a_draft_are_not_found_for_the_public(draft_plan):
    with pytest.raises(NotFound):
        selectors.plan_actions(user=None, plan=draft_plan)


# --- Overview ------------------------------------------------------------------


def test_the_overview_computes_progress_by_category(plan, four_actions):
    overview = selectors.plan_overview(user=None, plan=plan)

    assert overview.actions == 5
    assert overview.mean_progress == 35.0  # (10 + 25 + 0 + 100 + 40) / 5
    assert overview.by_status == {
        "proposed": 1,
        "in_progress": 2,
        "paused": 0,
        "done": 2,
        "abandoned": 0,
    }
    assert [
        (c.category, c.label, c.actions, c.mean_progress) for c in overview.categories
    ] == [
        ("organisation", "Organisation", 2, 17.5),
        ("referentiels", "Référentiels", 2, 70.0),
        ("transversal", "Thématiques transversales", 1, 0.0),
        ("particular", "Thématiques particulières", 0, 0.0),
    ]
    assert overview.categories[0].by_status == {
        "proposed": 0,
        "in_progress": 1,
        "paused": 0,
        "done": 1,
        "abandoned": 0,
    }


def test_the_mean_progress_is_rounded_to_one_decimal(plan):
    for progress in (10, 20, 5):
        ActionFactory(plan=plan, progress=progress)

    assert selectors.plan_overview(user=None, plan=plan).mean_progress == 11.7


def test_the_overview_of_a_draft_is_not_found_for_the_public(draft_plan):
    with pytest.raises(NotFound):
        selectors.plan_overview(user=None, plan=draft_plan)


# --- Links ---------------------------------------------------------------------


@pytest.fixture
def linked(action, need, draft_need, funding_request, other_organisation):
    """The action linked to a public need, a draft need of ``member_user``, the
    confidential request of CD31, a published request of another organisation
    with its published opinion, a public dataset and a restricted dataset of
    another organisation."""
    published = FundingRequestFactory(
        title="PCRS de Montpellier", state=FundingRequest.State.PUBLISHED
    )
    opinion = OpinionFactory(request=published, published_at=timezone.now())
    public = DatasetFactory(title="Ortho publique")
    restricted = DatasetFactory(
        title="Ortho réservée",
        visibility=Visibility.RESTRICTED,
        producer=other_organisation,
    )
    action.needs.set([need, draft_need])
    action.funding_requests.set([funding_request, published])
    action.datasets.set([public, restricted])
    return {
        "need": need,
        "draft_need": draft_need,
        "request": funding_request,
        "published": published,
        "opinion": opinion,
        "public": public,
        "restricted": restricted,
    }


@pytest.mark.parametrize(
    ("role", "needs", "requests", "datasets"),
    [
        ("anonymous", ["need"], [], ["public"]),
        ("plain_user", ["need"], [], ["public"]),
        # The author of the draft need, a member of the applicant (CD31).
        ("member_user", ["draft_need", "need"], ["request"], ["public"]),
        # A member of UM, the producer of the restricted dataset.
        ("other_member_user", ["need"], [], ["public", "restricted"]),
        ("signatory_member_user", ["need"], [], ["public"]),
        (
            "secretariat_user",
            ["need"],
            ["request", "published"],
            ["public", "restricted"],
        ),
        (
            "admin_user",
            ["draft_need", "need"],
            ["request", "published"],
            ["public", "restricted"],
        ),
    ],
)
def test_links_are_what_the_person_may_see(
    request, action, linked, role, needs, requests, datasets
):
    links = selectors.action_links(user=_person(request, role), action=action)

    assert links.needs == [linked[key] for key in needs]
    assert sorted(r.pk for r in links.funding_requests) == sorted(
        linked[key].pk for key in requests
    )
    # The opinion is public once published, even when its file is not.
    assert links.opinions == [linked["opinion"]]
    assert links.datasets == [linked[key] for key in datasets]
    assert links.meetings == []


def test_an_unpublished_opinion_is_not_listed(action, secretariat_user):
    issued = OpinionFactory()
    action.funding_requests.set([issued.request])

    links = selectors.action_links(user=secretariat_user, action=action)

    assert links.funding_requests == [issued.request]
    assert links.opinions == []


def test_the_previous_and_next_years_are_linked_when_visible(
    action, draft_plan, secretariat_user
):
    following = ActionFactory(plan=draft_plan, continues=action)

    assert selectors.action_links(user=secretariat_user, action=action).next == (
        following
    )
    assert selectors.action_links(user=None, action=action).next is None
    assert (
        selectors.action_links(user=secretariat_user, action=following).previous
        == action
    )


# --- Year figures ----------------------------------------------------------------


def _at(year, month=6, day=1):
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


@pytest.fixture
def year_content(territory):
    organisation = OrganisationFactory()
    ortho = NeedFactory(organisation=organisation, submitted_at=_at(2024, 3))
    lidar = NeedFactory(
        organisation=organisation,
        theme="lidar",
        state=Need.State.QUALIFIED,
        submitted_at=_at(2024, 9),
    )
    NeedFactory(organisation=organisation, state=Need.State.DRAFT, submitted_at=None)
    NeedFactory(
        organisation=organisation, state=Need.State.MERGED, submitted_at=_at(2024)
    )
    older = NeedFactory(organisation=organisation, submitted_at=_at(2023))
    closed = RoundFactory(year=2024, state=Round.State.CLOSED)
    closed.needs.set([ortho, older])
    RoundFactory(year=2024, state=Round.State.OPEN).needs.set([lidar])
    RoundFactory(year=2023, state=Round.State.CLOSED).needs.set([lidar])

    def opinion(verdict, adopted_on, published=True):
        request = FundingRequestFactory(state=FundingRequest.State.PUBLISHED)
        OpinionFactory(
            request=request,
            verdict=verdict,
            adopted_on=adopted_on,
            published_at=timezone.now() if published else None,
        )

    opinion(Opinion.Verdict.FAVORABLE, datetime.date(2024, 6, 1))
    opinion(Opinion.Verdict.UNFAVORABLE, datetime.date(2024, 11, 5))
    opinion(Opinion.Verdict.FAVORABLE, datetime.date(2023, 6, 1))
    opinion(Opinion.Verdict.FAVORABLE, datetime.date(2024, 6, 1), published=False)

    DatasetFactory(
        referentiel="orthophotographie", published_on=datetime.date(2024, 5, 1)
    )
    DatasetFactory(
        referentiel="orthophotographie", published_on=datetime.date(2025, 1, 2)
    )
    DatasetFactory(referentiel="lidar", first_seen_at=_at(2022))

    from crig.events.models import Event
    from crig.events.tests.factories import EventFactory, RegistrationFactory

    held = EventFactory(starts_at=_at(2024, 11), ends_at=_at(2024, 11))
    RegistrationFactory(event=held, checked_in_at=_at(2024, 11))
    RegistrationFactory(event=held, checked_in_at=_at(2024, 11))
    RegistrationFactory(event=held)  # confirmed, did not come
    EventFactory(
        starts_at=_at(2024, 12), ends_at=_at(2024, 12), state=Event.State.CANCELLED
    )
    EventFactory(
        starts_at=_at(2024, 10), ends_at=_at(2024, 10), state=Event.State.DRAFT
    )
    past = EventFactory(starts_at=_at(2023, 11), ends_at=_at(2023, 11))
    RegistrationFactory(event=past, checked_in_at=_at(2023, 11))
    DatasetFactory(
        referentiel="pcrs",
        published_on=datetime.date(2023, 1, 1),
        visibility=Visibility.RESTRICTED,
    )
    DatasetFactory(
        referentiel="pcrs",
        published_on=datetime.date(2023, 1, 1),
        status=Dataset.Status.WITHDRAWN,
    )


def test_year_figures_count_only_public_things_of_the_year(year_content):
    figures = selectors.year_figures(year=2024)

    assert figures == selectors.YearFigures(
        year=2024,
        needs_collected=2,
        needs_by_theme={"orthophotographie": 1, "lidar": 1},
        needs_prioritised=2,
        rounds_closed=1,
        opinions_published=2,
        opinions_by_verdict={"favorable": 1, "unfavorable": 1},
        datasets_pooled=2,
        datasets_by_referentiel={"orthophotographie": 1, "lidar": 1},
        events_held=1,
        attendance=2,
    )


def test_year_figures_of_an_empty_year_are_zero(db):
    figures = selectors.year_figures(year=2030)

    assert (
        figures.needs_collected,
        figures.needs_prioritised,
        figures.opinions_published,
        figures.datasets_pooled,
        figures.needs_by_theme,
    ) == (0, 0, 0, 0, {})


def test_action_links_list_the_meetings_that_discussed_it(
    action, secretariat_user, member_user
):
    from crig.events.models import AgendaItem, Decision
    from crig.events.tests.factories import MeetingFactory

    discussed = MeetingFactory(title="Comité de mars")
    AgendaItem.objects.create(meeting=discussed, title="Point ortho", action=action)
    decided = MeetingFactory(title="Comité de juin")
    Decision.objects.create(meeting=decided, text="Action lancée", action=action)
    secret = MeetingFactory(title="Comité de septembre")
    AgendaItem.objects.create(
        meeting=secret, title="Point confidentiel", action=action, confidential=True
    )
    draft = MeetingFactory(title="Comité en préparation", state="draft")
    AgendaItem.objects.create(meeting=draft, title="Point ortho", action=action)
    MeetingFactory(title="Comité sans rapport")

    def titles(user):
        links = selectors.action_links(user=user, action=action)
        return sorted(meeting.title for meeting in links.meetings)

    assert titles(AnonymousUser()) == ["Comité de juin", "Comité de mars"]
    assert titles(member_user) == ["Comité de juin", "Comité de mars"]
    assert titles(secretariat_user) == [
        "Comité de juin",
        "Comité de mars",
        "Comité de septembre",
        "Comité en préparation",
    ]


def test_needs_and_datasets_pages_show_the_actions_of_visible_plans(
    client, action, draft_plan, territory
):
    from crig.actionplan.tests.factories import ActionFactory

    need = NeedFactory()
    dataset = DatasetFactory()
    action.needs.add(need)
    action.datasets.add(dataset)
    ActionFactory(plan=draft_plan, number=1, title="Action en préparation").needs.add(
        need
    )

    assert selectors.actions_linked(user=AnonymousUser(), need=need) == [action]
    need_page = client.get(need.get_absolute_url()).content.decode()
    dataset_page = client.get(dataset.get_absolute_url()).content.decode()
    for page in (need_page, dataset_page):
        assert "Dans le plan d’actions" in page
        assert "2024 — 1. Orthophotographies" in page
        assert "Action en préparation" not in page
