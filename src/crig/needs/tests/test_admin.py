"""The needs in the admin: pages answer for the staff, nothing is written there,
drafts stay their authors'."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.needs.models import NeedEvent
from crig.needs.services import need_transition
from crig.needs.tests.factories import (
    BallotFactory,
    NeedFactory,
    ScoringWeightsFactory,
    SupportFactory,
)

CHANGELISTS = [
    "admin:needs_need_changelist",
    "admin:needs_support_changelist",
    "admin:needs_needevent_changelist",
    "admin:needs_scoringweights_changelist",
    "admin:needs_round_changelist",
]


@pytest.fixture
def content(need, secretariat_user):
    SupportFactory(need=need)
    need_transition(actor=secretariat_user, need=need, to_state="qualified")
    ScoringWeightsFactory()
    return {
        "need": need,
        "support": need.supports.get(),
        "needevent": NeedEvent.objects.get(),
        "scoringweights": ScoringWeightsFactory(),
        "round": BallotFactory().round,
    }


@pytest.mark.parametrize("person", ["admin_user", "secretariat_user"])
@pytest.mark.parametrize("page", CHANGELISTS)
def test_changelists_answer_for_the_staff(request, client, content, person, page):
    client.force_login(request.getfixturevalue(person))

    assert client.get(reverse(page)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("person", ["admin_user", "secretariat_user"])
@pytest.mark.parametrize(
    "model", ["need", "support", "needevent", "scoringweights", "round"]
)
def test_change_pages_answer_and_are_read_only(request, client, content, person, model):
    client.force_login(request.getfixturevalue(person))

    response = client.get(
        reverse(f"admin:needs_{model}_change", args=[content[model].pk])
    )

    assert response.status_code == HTTPStatus.OK
    assert 'name="_save"' not in response.text


def test_the_need_page_shows_its_history_and_supports(client, admin_user, content):
    client.force_login(admin_user)

    response = client.get(reverse("admin:needs_need_change", args=[content["need"].pk]))

    assert "Orthophotographie 5 cm de Toulouse" in response.text
    assert content["support"].organisation.name in response.text
    assert "Qualifié" in response.text
    assert f'href="/besoins/{content["need"].pk}/"' in response.text


def test_the_secretariat_does_not_see_drafts(
    client, secretariat_user, admin_user, draft_need
):
    client.force_login(secretariat_user)
    url = reverse("admin:needs_need_change", args=[draft_need.pk])

    assert client.get(url).status_code == HTTPStatus.FOUND  # "does not exist"
    assert (
        draft_need.title not in client.get(reverse("admin:needs_need_changelist")).text
    )
    client.force_login(admin_user)
    assert client.get(url).status_code == HTTPStatus.OK


@pytest.mark.parametrize("person", ["member_user", "referent_user", "plain_user"])
def test_members_are_kept_out(request, client, need, person):
    user = request.getfixturevalue(person)
    user.is_staff = True  # even with the staff flag, not a platform role
    user.save()
    client.force_login(user)

    response = client.get(reverse("admin:needs_need_changelist"))

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_filters_of_the_need_list(client, secretariat_user, territory):
    NeedFactory(title="Un LIDAR", theme="lidar")
    NeedFactory(title="Une ortho", theme="orthophotographie")
    client.force_login(secretariat_user)

    response = client.get(reverse("admin:needs_need_changelist"), {"theme": "lidar"})

    assert "Un LIDAR" in response.text
    assert "Une ortho" not in response.text
