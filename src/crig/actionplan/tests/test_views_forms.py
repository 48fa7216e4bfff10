"""The forms of the action plan through the pages: progress updates, milestones
and indicators by the leads; actions, links, plans, publication and roll-over
by the editors. Bad input comes back with the French message and changes
nothing."""

import datetime
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crig.actionplan.models import Action, ActionChange, Plan, ProgressUpdate
from crig.actionplan.tests import factories
from crig.actionplan.tests.test_views import EDITORS, ROLES, UPDATERS, client_as
from crig.catalog.models import Visibility
from crig.catalog.tests.factories import DatasetFactory


def _update_form(**overrides):
    values = {
        "dated": "2024-05-02",
        "body": "Cahier des charges validé par le comité.",
        "progress": "55",
        "status": "in_progress",
    }
    values.update(overrides)
    return values


# Progress updates ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_progress_update_per_role(request, client, role, action):
    client = client_as(request, client, role)

    response = client.post(
        reverse("actionplan:update_add", args=[action.pk]), _update_form()
    )

    action.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith("/connexion/")
        assert action.progress == 40
    elif role in UPDATERS:
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == f"/plan-d-actions/actions/{action.pk}/#updates"
        assert action.progress == 55
        update = action.updates.get()
        assert update.body == "Cahier des charges validé par le comité."
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert action.progress == 40
        assert not action.updates.exists()


def test_progress_update_with_an_attachment(client, action, member_user):
    client.force_login(member_user)
    upload = SimpleUploadedFile("compte-rendu.pdf", b"%PDF-1.4 compte rendu")

    client.post(
        reverse("actionplan:update_add", args=[action.pk]),
        _update_form(attachment=upload),
    )

    update = ProgressUpdate.objects.get(action=action)
    assert update.attachment.name.endswith("-compte-rendu.pdf")
    page = client.get(action.get_absolute_url()).content.decode()
    assert reverse("actionplan:update_attachment", args=[action.pk, update.pk]) in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"progress": "150"},
            "L&#x27;avancement doit être compris entre 0 et 100 % (et non 150).",
        ),
        ({"body": "  "}, "Ce champ est obligatoire."),
        (
            {"dated": "2999-01-01"},
            "La date d&#x27;un point d&#x27;avancement ne peut pas être dans le futur.",
        ),
        ({"status": "finie"}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_progress_update_is_refused_with_nothing_changed(
    client, action, member_user, overrides, message
):
    client.force_login(member_user)

    response = client.post(
        reverse("actionplan:update_add", args=[action.pk]), _update_form(**overrides)
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    text = response.content.decode()
    assert message in text
    assert "Rien n’a été publié. Corrigez ce qui est signalé ci-dessous." in text
    action.refresh_from_db()
    assert action.progress == 40
    assert not action.updates.exists()


def test_lead_member_cannot_update_an_action_of_a_draft_plan(
    client, draft_plan, organisation, member_user
):
    draft_action = factories.ActionFactory(plan=draft_plan, leads=[organisation])
    client.force_login(member_user)

    response = client.post(
        reverse("actionplan:update_add", args=[draft_action.pk]), _update_form()
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not draft_action.updates.exists()


# Milestones and indicators ------------------------------------------------------


def test_lead_member_marks_a_milestone_done(client, action, member_user):
    milestone = factories.MilestoneFactory(action=action)
    client.force_login(member_user)

    response = client.post(
        reverse("actionplan:milestone_done", args=[action.pk, milestone.pk]),
        {"done_on": "2024-06-20"},
    )

    assert response.status_code == HTTPStatus.FOUND
    milestone.refresh_from_db()
    assert milestone.done_on == datetime.date(2024, 6, 20)


def test_milestone_done_in_the_future_is_refused(client, action, member_user):
    milestone = factories.MilestoneFactory(action=action)
    client.force_login(member_user)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        reverse("actionplan:milestone_done", args=[action.pk, milestone.pk]),
        {"done_on": tomorrow.isoformat()},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Un jalon ne peut pas être atteint dans le futur." in (
        response.content.decode()
    )
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_other_member_cannot_mark_a_milestone(request, client, action):
    milestone = factories.MilestoneFactory(action=action)
    client = client_as(request, client, "other_member")

    response = client.post(
        reverse("actionplan:milestone_done", args=[action.pk, milestone.pk]),
        {"done_on": "2024-06-20"},
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_lead_member_sets_an_indicator(client, action, member_user):
    indicator = factories.IndicatorFactory(action=action)
    client.force_login(member_user)

    response = client.post(
        reverse("actionplan:indicator_set", args=[action.pk, indicator.pk]),
        {"current": "62,5"},
    )

    assert response.status_code == HTTPStatus.FOUND
    indicator.refresh_from_db()
    assert str(indicator.current) == "62.50"


@pytest.mark.parametrize("value", ["-3", "beaucoup"])
def test_bad_indicator_value_is_refused(client, action, member_user, value):
    indicator = factories.IndicatorFactory(action=action)
    client.force_login(member_user)

    response = client.post(
        reverse("actionplan:indicator_set", args=[action.pk, indicator.pk]),
        {"current": value},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "La valeur actuelle d&#x27;un indicateur doit être un nombre positif." in (
        response.content.decode()
    )
    indicator.refresh_from_db()
    assert indicator.current == 40


# Actions ------------------------------------------------------------------------


def _action_form(lead_ids, **overrides):
    values = {
        "category": "referentiels",
        "title": "Occupation du sol à grande échelle",
        "objectives": "Produire l'OCS GE de la région avec l'IGN.",
        "theme": "occupation_du_sol",
        "leads": [str(pk) for pk in lead_ids],
        "status": "in_progress",
        "progress": "25",
        "budget": "80000",
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-title": "Convention signée",
        "milestones-0-due_on": "2024-02-15",
        "milestones-1-title": "Livraison",
        "milestones-1-due_on": "2024-11-30",
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "0",
        "indicators-0-name": "Départements livrés",
        "indicators-0-unit": "dép.",
        "indicators-0-target": "13",
        "indicators-0-current": "2",
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize("role", ROLES)
def test_add_action_per_role(request, client, role, draft_plan, organisation):
    client = client_as(request, client, role)

    response = client.post(
        reverse("actionplan:action_create", args=[2025]),
        _action_form([organisation.pk]),
    )

    if role in EDITORS:
        action = Action.objects.get(plan=draft_plan)
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == action.get_absolute_url()
        assert action.number == 1
        assert [m.title for m in action.milestones.all()] == [
            "Convention signée",
            "Livraison",
        ]
        assert action.indicators.get().target == 13
    elif role == "anonymous":
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith("/connexion/")
    else:
        # The draft does not exist for them.
        assert response.status_code == HTTPStatus.NOT_FOUND
    assert Action.objects.filter(plan=draft_plan).exists() is (role in EDITORS)


def test_lead_member_may_not_edit_the_action(client, action, member_user):
    client.force_login(member_user)

    response = client.get(reverse("actionplan:action_edit", args=[action.pk]))

    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"milestones-1-due_on": "2024-01-10"},
            "Les jalons doivent être dans l&#x27;ordre chronologique : « Livraison » "
            "(10/01/2024) vient après « Convention signée » (15/02/2024).",
        ),
        (
            {"progress": "-5"},
            "L&#x27;avancement doit être compris entre 0 et 100 % (et non -5).",
        ),
        ({"milestones-0-due_on": ""}, "Indiquez l’échéance de ce jalon."),
        ({"leads": []}, "Ce champ est obligatoire."),
    ],
)
def test_bad_action_edit_is_refused_with_nothing_changed(
    client, action, organisation, secretariat_user, overrides, message
):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("actionplan:action_edit", args=[action.pk]),
        _action_form([organisation.pk], **overrides),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    text = response.content.decode()
    assert message in text
    assert "Rien n’a été enregistré. Corrigez ce qui est signalé ci-dessous." in text
    action.refresh_from_db()
    assert action.title == "Orthophotographies"
    assert action.progress == 40
    assert not action.milestones.exists()
    assert not ActionChange.objects.filter(action=action).exists()


def test_edit_form_shows_the_action_and_saves_it(
    client, action, organisation, secretariat_user
):
    client.force_login(secretariat_user)
    page = client.get(reverse("actionplan:action_edit", args=[action.pk]))
    assert 'value="Orthophotographies"' in page.content.decode()

    response = client.post(
        reverse("actionplan:action_edit", args=[action.pk]),
        _action_form([organisation.pk], title="Orthophotographies 2024"),
    )

    assert response.status_code == HTTPStatus.FOUND
    action.refresh_from_db()
    assert action.title == "Orthophotographies 2024"
    assert action.changes.get().what == "updated"


# Links --------------------------------------------------------------------------


def test_editor_links_visible_items(client, action, need, secretariat_user):
    dataset = DatasetFactory()
    client.force_login(secretariat_user)

    response = client.post(
        reverse("actionplan:action_links", args=[action.pk]),
        {"needs": [str(need.pk)], "datasets": f"{dataset.pk}"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert list(action.needs.all()) == [need]
    assert list(action.datasets.all()) == [dataset]


def test_links_to_items_the_editor_may_not_see_are_refused(
    client, action, signatory_member_user
):
    hidden = DatasetFactory(visibility=Visibility.RESTRICTED)
    client.force_login(signatory_member_user)

    response = client.post(
        reverse("actionplan:action_links", args=[action.pk]),
        {"datasets": f"{hidden.pk}"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Ces éléments n&#x27;existent pas ou vous n&#x27;y avez pas accès ; aucun "
        f"lien n&#x27;a été enregistré : jeux de données {hidden.pk}."
    ) in response.content.decode()
    assert not action.datasets.exists()


def test_links_with_text_instead_of_numbers_are_refused(
    client, action, secretariat_user
):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("actionplan:action_links", args=[action.pk]),
        {"datasets": "BD ORTHO"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "N’écrivez que les numéros des jeux de données, séparés par des virgules."
    ) in response.content.decode()


# Plans --------------------------------------------------------------------------


def test_secretariat_creates_a_draft_plan(client, plan, secretariat_user):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("actionplan:plan_create"),
        {"year": "2026", "title": "Plan d'actions 2026", "introduction": ""},
    )

    created = Plan.objects.get(year=2026)
    assert response["Location"] == "/plan-d-actions/2026/"
    assert created.state == Plan.State.DRAFT


def test_a_second_plan_for_a_year_is_refused(client, plan, secretariat_user):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("actionplan:plan_create"),
        {"year": "2024", "title": "Un autre plan 2024"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Il existe déjà un plan d&#x27;actions pour 2024." in (
        response.content.decode()
    )
    assert Plan.objects.get(year=2024).title == "Plan d'actions 2024"


@pytest.mark.parametrize("role", ["plain", "lead_member", "referent", "other_member"])
def test_only_editors_create_plans(request, client, role):
    client = client_as(request, client, role)

    response = client.get(reverse("actionplan:plan_create"))

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_publish_a_draft_plan(client, draft_plan, organisation, reviewer_user):
    factories.ActionFactory(plan=draft_plan, leads=[organisation])
    client.force_login(reviewer_user)

    response = client.post(reverse("actionplan:plan_publish", args=[2025]))

    assert response["Location"] == "/plan-d-actions/2025/"
    draft_plan.refresh_from_db()
    assert draft_plan.state == Plan.State.PUBLISHED


def test_publishing_an_empty_plan_is_refused(client, draft_plan, secretariat_user):
    client.force_login(secretariat_user)

    response = client.post(reverse("actionplan:plan_publish", args=[2025]), follow=True)

    assert "Ajoutez au moins une action avant de publier le plan." in (
        response.content.decode()
    )
    draft_plan.refresh_from_db()
    assert draft_plan.state == Plan.State.DRAFT


def test_roll_over_confirms_then_starts_next_year(
    client, plan, organisation, secretariat_user
):
    # Given a 2024 plan with an unfinished and a done action
    factories.ActionFactory(plan=plan, number=1, title="PCRS", leads=[organisation])
    factories.ActionFactory(
        plan=plan,
        number=2,
        title="Journée du CRIG",
        status=Action.Status.DONE,
        progress=100,
        leads=[organisation],
    )
    client.force_login(secretariat_user)
    url = reverse("actionplan:plan_roll_over", args=[2024])

    confirmation = client.get(url).content.decode()
    response = client.post(url)

    assert "1 action reprise" in confirmation
    assert "PCRS" in confirmation
    assert response["Location"] == "/plan-d-actions/2025/"
    new_plan = Plan.objects.get(year=2025)
    assert [a.title for a in new_plan.actions.all()] == ["PCRS"]
    assert new_plan.rolled_over_from == plan


def test_roll_over_twice_is_refused(client, plan, action, secretariat_user):
    client.force_login(secretariat_user)
    url = reverse("actionplan:plan_roll_over", args=[2024])
    client.post(url)

    again = client.post(url)

    assert again.status_code == HTTPStatus.CONFLICT
    assert (
        "Le plan 2025 existe déjà : le plan 2024 a déjà été reconduit."
        in again.content.decode()
    )
    assert Plan.objects.filter(year=2025).count() == 1
    assert Action.objects.filter(plan__year=2025).count() == 1


def test_lead_member_may_not_roll_over(client, plan, member_user):
    client.force_login(member_user)

    response = client.post(reverse("actionplan:plan_roll_over", args=[2024]))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Plan.objects.filter(year=2025).exists()


def test_an_oversized_attachment_is_refused_before_it_is_read(settings):
    from crig.actionplan.forms import ProgressUpdateForm

    settings.NEEDS_ATTACHMENT_MAX_BYTES = 1024

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read before its size was checked")

    upload = Unreadable("rapport.pdf", b"%PDF-1.4 " + b"x" * 2048)
    form = ProgressUpdateForm(
        {"dated": "2024-05-02", "body": "Réunion tenue."}, {"attachment": upload}
    )

    assert not form.is_valid()
    assert "attachment" in form.errors
