import datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.files.storage import default_storage

from crig.actionplan import services
from crig.actionplan.models import Action, ActionChange, Plan, ProgressUpdate
from crig.actionplan.services import IndicatorData, MilestoneData
from crig.actionplan.tests.conftest import action_data
from crig.actionplan.tests.factories import (
    ActionFactory,
    IndicatorFactory,
    MilestoneFactory,
)
from crig.catalog.models import Visibility
from crig.catalog.tests.factories import DatasetFactory
from crig.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

PDF = b"%PDF-1.4\n% compte rendu\n"

# --- Plans ---------------------------------------------------------------------


def test_the_secretariat_creates_a_draft_plan(secretariat_user):
    plan = services.plan_create(
        actor=secretariat_user, year=2026, title="  Plan d'actions 2026 "
    )

    assert (plan.year, plan.title, plan.state) == (
        2026,
        "Plan d'actions 2026",
        Plan.State.DRAFT,
    )


def test_a_second_plan_for_the_same_year_is_refused(plan, secretariat_user):
    with pytest.raises(Conflict) as error:
        services.plan_create(actor=secretariat_user, year=2024, title="Encore 2024")

    assert error.value.message == "Il existe déjà un plan d'actions pour 2024."
    assert error.value.status_code == HTTPStatus.CONFLICT
    assert list(Plan.objects.values_list("title", flat=True)) == ["Plan d'actions 2024"]


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_plan_year_out_of_range_is_refused(secretariat_user, year):
    with pytest.raises(InvalidInput) as error:
        services.plan_create(actor=secretariat_user, year=year, title="Plan")

    assert error.value.message == "L'année doit être comprise entre 2000 et 2100."
    assert not Plan.objects.exists()


def test_a_member_may_not_create_a_plan(member_user):
    with pytest.raises(PermissionDenied) as error:
        services.plan_create(actor=member_user, year=2026, title="Plan 2026")

    assert error.value.message == (
        "Seuls le secrétariat et les signataires peuvent créer un plan."
    )
    assert not Plan.objects.exists()


def test_a_signatory_member_updates_the_plan(draft_plan, signatory_member_user):
    services.plan_update(
        actor=signatory_member_user,
        plan=draft_plan,
        title="Plan 2025",
        introduction="Quinze actions.",
    )

    draft_plan.refresh_from_db()
    assert (draft_plan.title, draft_plan.introduction) == (
        "Plan 2025",
        "Quinze actions.",
    )


def test_a_plan_without_title_is_refused(draft_plan, secretariat_user):
    with pytest.raises(InvalidInput) as error:
        services.plan_update(actor=secretariat_user, plan=draft_plan, title="  ")

    assert error.value.message == "Donnez un titre au plan."
    draft_plan.refresh_from_db()
    assert draft_plan.title == "Plan d'actions 2025"


def test_publishing_a_draft_makes_it_public(draft_plan, secretariat_user):
    ActionFactory(plan=draft_plan)

    services.plan_publish(actor=secretariat_user, plan=draft_plan)

    draft_plan.refresh_from_db()
    assert draft_plan.state == Plan.State.PUBLISHED
    assert draft_plan.published_at is not None


def test_an_empty_plan_is_not_published(draft_plan, secretariat_user):
    with pytest.raises(InvalidInput) as error:
        services.plan_publish(actor=secretariat_user, plan=draft_plan)

    assert (
        error.value.message == "Ajoutez au moins une action avant de publier le plan."
    )
    draft_plan.refresh_from_db()
    assert draft_plan.state == Plan.State.DRAFT


def test_a_published_plan_is_not_published_again(plan, action, secretariat_user):
    with pytest.raises(Conflict) as error:
        services.plan_publish(actor=secretariat_user, plan=plan)

    assert error.value.message == "Le plan 2024 est déjà publié."


def test_a_lead_member_may_not_publish(draft_plan, organisation, member_user):
    ActionFactory(plan=draft_plan, leads=[organisation])

    with pytest.raises(PermissionDenied):
        services.plan_publish(actor=member_user, plan=draft_plan)

    draft_plan.refresh_from_db()
    assert draft_plan.state == Plan.State.DRAFT


# --- Roll-over -----------------------------------------------------------------


@pytest.fixture
def plan_to_roll(
    plan, organisation, other_organisation, signatory, need, funding_request
):
    """The 2024 plan: one action done, one abandoned, one in progress with
    everything, one paused."""
    ActionFactory(
        plan=plan, number=1, title="Journée du CRIG", status="done", progress=100
    )
    ActionFactory(
        plan=plan, number=2, title="Abandonnée", status="abandoned", progress=10
    )
    ortho = ActionFactory(
        plan=plan,
        number=3,
        title="Orthophotographies",
        theme="orthophotographie",
        status="in_progress",
        progress=60,
        budget=Decimal("50000.00"),
        signatory=signatory,
        leads=[organisation],
    )
    ortho.partners.set([other_organisation])
    ortho.needs.set([need])
    ortho.funding_requests.set([funding_request])
    dataset = DatasetFactory(title="Ortho 2023")
    ortho.datasets.set([dataset])
    MilestoneFactory(
        action=ortho,
        title="Marché",
        due_on=datetime.date(2024, 3, 1),
        done_on=datetime.date(2024, 3, 5),
    )
    MilestoneFactory(action=ortho, title="Livraison", due_on=datetime.date(2025, 2, 1))
    IndicatorFactory(action=ortho, name="Communes couvertes", target=4453, current=1200)
    ActionFactory(plan=plan, number=4, title="LIDAR", status="paused", progress=20)
    return plan


def test_a_roll_over_carries_the_unfinished_actions(plan_to_roll, secretariat_user):
    new_plan = services.plan_roll_over(actor=secretariat_user, plan=plan_to_roll)

    assert (new_plan.year, new_plan.title, new_plan.state) == (
        2025,
        "Plan d'actions 2025",
        Plan.State.DRAFT,
    )
    assert new_plan.rolled_over_from == plan_to_roll
    copies = list(new_plan.actions.order_by("number"))
    assert [(a.number, a.title, a.status, a.progress) for a in copies] == [
        (1, "Orthophotographies", "in_progress", 60),
        (2, "LIDAR", "paused", 20),
    ]
    ortho = copies[0]
    previous = plan_to_roll.actions.get(number=3)
    assert ortho.continues == previous
    assert (ortho.theme, ortho.budget, ortho.signatory_id) == (
        "orthophotographie",
        Decimal("50000.00"),
        previous.signatory_id,
    )
    assert list(ortho.leads.all()) == list(previous.leads.all())
    assert list(ortho.partners.all()) == list(previous.partners.all())
    assert [m.title for m in ortho.milestones.all()] == ["Livraison"]
    assert [(i.name, i.target, i.current) for i in ortho.indicators.all()] == [
        ("Communes couvertes", Decimal("4453.00"), Decimal("1200.00"))
    ]
    assert list(ortho.needs.all()) == list(previous.needs.all())
    assert list(ortho.funding_requests.all()) == list(previous.funding_requests.all())
    assert list(ortho.datasets.all()) == list(previous.datasets.all())
    assert ortho.changes.get().changes == {"continues": [None, previous.pk]}
    assert ortho.changes.get().actor == secretariat_user


def test_a_roll_over_run_twice_is_refused(plan_to_roll, secretariat_user):
    services.plan_roll_over(actor=secretariat_user, plan=plan_to_roll)

    with pytest.raises(Conflict) as error:
        services.plan_roll_over(actor=secretariat_user, plan=plan_to_roll)

    assert error.value.message == (
        "Le plan 2025 existe déjà : le plan 2024 a déjà été reconduit."
    )
    assert Plan.objects.count() == 2
    assert Action.objects.filter(plan__year=2025).count() == 2


def test_a_roll_over_into_an_existing_year_is_refused(
    plan, draft_plan, action, secretariat_user
):
    with pytest.raises(Conflict):
        services.plan_roll_over(actor=secretariat_user, plan=plan)

    assert draft_plan.actions.count() == 0


def test_a_lead_member_may_not_roll_the_plan_over(plan_to_roll, member_user):
    with pytest.raises(PermissionDenied):
        services.plan_roll_over(actor=member_user, plan=plan_to_roll)

    assert Plan.objects.count() == 1


# --- Actions -------------------------------------------------------------------


def test_an_action_is_numbered_after_the_last_one(
    draft_plan, organisation, other_organisation, signatory, secretariat_user
):
    ActionFactory(plan=draft_plan, number=7)

    action = services.action_create(
        actor=secretariat_user,
        plan=draft_plan,
        data=action_data(
            [organisation.pk],
            partner_ids=[other_organisation.pk],
            signatory_id=signatory.pk,
        ),
    )

    assert action.number == 8
    assert list(action.leads.all()) == [organisation]
    assert list(action.partners.all()) == [other_organisation]
    assert action.signatory == signatory
    assert [(m.title, m.due_on) for m in action.milestones.all()] == [
        ("Cahier des charges", datetime.date(2024, 3, 31)),
        ("Prises de vue", datetime.date(2024, 8, 31)),
    ]
    assert [(i.name, i.target, i.current, i.unit) for i in action.indicators.all()] == [
        ("Départements couverts", Decimal(13), Decimal(4), "dép.")
    ]
    change = action.changes.get()
    assert change.what == "created"
    assert change.changes["progress"] == [None, 30]
    assert change.changes["budget"] == [None, "120000.00"]
    assert change.changes["leads"] == [None, ["CD31"]]


def _refused_creation(plan, actor, data) -> InvalidInput:
    with pytest.raises(InvalidInput) as error:
        services.action_create(actor=actor, plan=plan, data=data)
    assert not plan.actions.exists()
    assert not ActionChange.objects.exists()
    return error.value


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"progress": 101},
            "L'avancement doit être compris entre 0 et 100 % (et non 101).",
        ),
        (
            {"progress": -1},
            "L'avancement doit être compris entre 0 et 100 % (et non -1).",
        ),
        ({"progress": "50"}, "L'avancement doit être un nombre entier entre 0 et 100."),
        ({"status": "finished"}, "Choisissez un statut dans la liste."),
        ({"category": "sport"}, "Choisissez une catégorie dans la liste."),
        ({"theme": "astrologie"}, "Choisissez un thème dans la liste."),
        ({"title": " "}, "Donnez un titre à l'action."),
        ({"objectives": ""}, "Indiquez les objectifs de l'action."),
        ({"lead_ids": []}, "Une action doit avoir au moins un organisme pilote."),
        ({"lead_ids": [999999]}, "Organisations inconnues : 999999."),
        ({"budget": Decimal(-5)}, "Le budget doit être un montant positif en euros."),
        ({"signatory_id": 999999}, "Signataire inconnu."),
        (
            {
                "milestones": [
                    MilestoneData("Prises de vue", datetime.date(2024, 8, 31)),
                    MilestoneData("Cahier des charges", datetime.date(2024, 3, 31)),
                ]
            },
            "Les jalons doivent être dans l'ordre chronologique : « Cahier des "
            "charges » (31/03/2024) vient après « Prises de vue » (31/08/2024).",
        ),
        (
            {"indicators": [IndicatorData("Communes", Decimal(-1))]},
            "La cible et la valeur actuelle d'un indicateur doivent être des "
            "nombres positifs.",
        ),
    ],
)
def test_bad_action_input_is_refused_and_nothing_is_saved(
    draft_plan, organisation, secretariat_user, overrides, message
):
    overrides = {"lead_ids": [organisation.pk], **overrides}
    error = _refused_creation(draft_plan, secretariat_user, action_data(**overrides))

    assert error.message == message


def test_a_lead_cannot_also_be_a_partner(draft_plan, organisation, secretariat_user):
    error = _refused_creation(
        draft_plan,
        secretariat_user,
        action_data([organisation.pk], partner_ids=[organisation.pk]),
    )

    assert error.message == (
        "Un organisme ne peut pas être à la fois pilote et partenaire de l'action : "
        "CD31."
    )


def test_a_lead_member_may_not_add_actions(plan, organisation, member_user):
    with pytest.raises(PermissionDenied):
        services.action_create(
            actor=member_user, plan=plan, data=action_data([organisation.pk])
        )

    assert not plan.actions.exists()


def test_an_update_keeps_the_milestone_ids_and_records_the_changes(
    draft_plan, organisation, other_organisation, secretariat_user
):
    action = services.action_create(
        actor=secretariat_user, plan=draft_plan, data=action_data([organisation.pk])
    )
    kept = action.milestones.get(title="Prises de vue")

    services.action_update(
        actor=secretariat_user,
        action=action,
        data=action_data(
            [other_organisation.pk],
            progress=45,
            milestones=[
                MilestoneData("Prises de vue", datetime.date(2024, 9, 15)),
                MilestoneData("Livraison", datetime.date(2024, 12, 1)),
            ],
        ),
    )

    action.refresh_from_db()
    assert action.progress == 45
    assert [(m.pk == kept.pk, m.title) for m in action.milestones.all()] == [
        (True, "Prises de vue"),
        (False, "Livraison"),
    ]
    change = action.changes.get(what="updated")
    assert change.changes == {
        "progress": [30, 45],
        "leads": [["CD31"], ["UM"]],
        "milestones": [
            ["Cahier des charges · 2024-03-31", "Prises de vue · 2024-08-31"],
            ["Prises de vue · 2024-09-15", "Livraison · 2024-12-01"],
        ],
    }


def test_an_update_with_milestones_out_of_order_changes_nothing(
    action, secretariat_user, organisation
):
    with pytest.raises(InvalidInput):
        services.action_update(
            actor=secretariat_user,
            action=action,
            data=action_data(
                [organisation.pk],
                title="Nouveau titre",
                milestones=[
                    MilestoneData("B", datetime.date(2024, 5, 1)),
                    MilestoneData("A", datetime.date(2024, 4, 1)),
                ],
            ),
        )

    action.refresh_from_db()
    assert action.title == "Orthophotographies"
    assert not action.milestones.exists()
    assert not action.changes.exists()


def test_an_update_with_progress_101_changes_nothing(
    action, organisation, secretariat_user
):
    with pytest.raises(InvalidInput):
        services.action_update(
            actor=secretariat_user,
            action=action,
            data=action_data([organisation.pk], progress=101),
        )

    action.refresh_from_db()
    assert action.progress == 40


def test_an_action_of_a_draft_plan_is_deleted(draft_plan, secretariat_user):
    action = ActionFactory(plan=draft_plan)

    services.action_delete(actor=secretariat_user, action=action)

    assert not draft_plan.actions.exists()


def test_an_action_of_a_published_plan_is_not_deleted(action, secretariat_user):
    with pytest.raises(InvalidInput) as error:
        services.action_delete(actor=secretariat_user, action=action)

    assert error.value.message == (
        "Une action d'un plan publié ne peut pas être supprimée : marquez-la plutôt "
        "comme abandonnée."
    )
    assert Action.objects.filter(pk=action.pk).exists()


# --- Links ---------------------------------------------------------------------


def test_the_secretariat_links_visible_items(
    action, need, funding_request, secretariat_user
):
    dataset = DatasetFactory()

    services.action_link(
        actor=secretariat_user,
        action=action,
        need_ids=[need.pk],
        funding_request_ids=[funding_request.pk],
        dataset_ids=[dataset.pk],
    )

    assert list(action.needs.all()) == [need]
    assert list(action.funding_requests.all()) == [funding_request]
    assert list(action.datasets.all()) == [dataset]
    assert action.changes.get(what="linked").changes == {
        "needs": [[], [need.pk]],
        "funding_requests": [[], [funding_request.pk]],
        "datasets": [[], [dataset.pk]],
    }


def test_links_to_items_the_actor_may_not_see_are_refused_and_nothing_changes(
    action, need, draft_need, funding_request, signatory_member_user
):
    # Given a signatory's member: someone else's draft need and a funding request
    # of another organisation are out of their sight.
    action.needs.set([need])
    dataset = DatasetFactory()

    with pytest.raises(InvalidInput) as error:
        services.action_link(
            actor=signatory_member_user,
            action=action,
            need_ids=[need.pk, draft_need.pk],
            funding_request_ids=[funding_request.pk],
            dataset_ids=[dataset.pk, 999999],
        )

    assert error.value.message == (
        "Ces éléments n'existent pas ou vous n'y avez pas accès ; aucun lien n'a été "
        f"enregistré : besoins {draft_need.pk}; demandes de financement "
        f"{funding_request.pk}; jeux de données 999999."
    )
    assert list(action.needs.all()) == [need]
    assert not action.funding_requests.exists()
    assert not action.datasets.exists()
    assert not action.changes.exists()


def test_links_the_actor_cannot_see_are_kept(
    action, organisation, secretariat_user, signatory_member_user
):
    restricted = DatasetFactory(visibility=Visibility.RESTRICTED, producer=organisation)
    public = DatasetFactory()
    services.action_link(
        actor=secretariat_user, action=action, dataset_ids=[restricted.pk]
    )

    services.action_link(
        actor=signatory_member_user, action=action, dataset_ids=[public.pk]
    )

    assert set(action.datasets.all()) == {restricted, public}


def test_none_leaves_a_kind_of_link_unchanged(action, need, secretariat_user):
    action.needs.set([need])

    services.action_link(actor=secretariat_user, action=action, dataset_ids=[])

    assert list(action.needs.all()) == [need]
    assert not action.changes.exists()


def test_a_lead_member_may_not_link(action, need, member_user):
    with pytest.raises(PermissionDenied):
        services.action_link(actor=member_user, action=action, need_ids=[need.pk])

    assert not action.needs.exists()


# --- Progress ------------------------------------------------------------------


def test_a_lead_member_posts_an_update_with_an_attachment(action, member_user):
    update = services.progress_update_add(
        actor=member_user,
        action=action,
        dated=datetime.date(2024, 6, 3),
        body="Marché notifié.",
        progress=55,
        status="in_progress",
        attachment=("Compte rendu.pdf", PDF),
    )

    action.refresh_from_db()
    assert action.progress == 55
    assert update.author == member_user
    assert update.attachment.name.startswith("actions/")
    assert update.attachment.name.endswith("-compte-rendu.pdf")
    with default_storage.open(update.attachment.name) as stored:
        assert stored.read() == PDF
    assert action.changes.get().changes == {
        "update": [None, "2024-06-03"],
        "progress": [40, 55],
    }


def test_an_update_may_close_the_action(action, referent_user):
    services.progress_update_add(
        actor=referent_user,
        action=action,
        dated=datetime.date(2024, 12, 10),
        body="Livré.",
        progress=100,
        status="done",
    )

    action.refresh_from_db()
    assert (action.status, action.progress) == ("done", 100)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"progress": 101},
            "L'avancement doit être compris entre 0 et 100 % (et non 101).",
        ),
        ({"status": "fini"}, "Choisissez un statut dans la liste."),
        ({"body": "  "}, "Décrivez ce qui s'est passé."),
        (
            {"dated": datetime.date(2100, 1, 1)},
            "La date d'un point d'avancement ne peut pas être dans le futur.",
        ),
        (
            {"attachment": ("outil.exe", b"MZ\x90")},
            "Ce type de fichier ne peut pas être joint. Formats acceptés : PDF, PNG, "
            "JPEG, OpenDocument (odt, ods, odp) et Office (docx, xlsx, pptx).",
        ),
        (
            {"attachment": ("faux.pdf", b"pas un pdf")},
            "Le contenu du fichier ne correspond pas à son extension (.pdf).",
        ),
    ],
)
def test_a_bad_update_is_refused_and_nothing_changes(
    action, member_user, arguments, message
):
    values = {"dated": datetime.date(2024, 6, 3), "body": "Point d'étape."}
    values.update(arguments)

    with pytest.raises(InvalidInput) as error:
        services.progress_update_add(actor=member_user, action=action, **values)

    assert error.value.message == message
    action.refresh_from_db()
    assert (action.progress, action.status) == (40, "in_progress")
    assert not ProgressUpdate.objects.exists()
    assert not action.changes.exists()


def test_an_attachment_over_the_limit_is_refused(action, member_user, settings):
    settings.NEEDS_ATTACHMENT_MAX_BYTES = 1024 * 1024

    with pytest.raises(InvalidInput) as error:
        services.progress_update_add(
            actor=member_user,
            action=action,
            dated=datetime.date(2024, 6, 3),
            body="Rapport.",
            attachment=("rapport.pdf", PDF + b"0" * 1024 * 1024),
        )

    assert error.value.message == "Le fichier est trop volumineux (1 Mo au plus)."
    assert not ProgressUpdate.objects.exists()


def test_a_member_of_another_organisation_may_not_post(action, other_organisation):
    from crig.members.tests.factories import MembershipFactory

    outsider = MembershipFactory(organisation=other_organisation).person

    with pytest.raises(PermissionDenied) as error:
        services.progress_update_add(
            actor=outsider, action=action, dated=datetime.date(2024, 6, 3), body="x"
        )

    assert error.value.message == (
        "Seuls les membres des organismes pilotes peuvent publier un point "
        "d'avancement."
    )


def test_a_lead_member_may_not_post_on_a_draft_plan(
    draft_plan, organisation, member_user
):
    action = ActionFactory(plan=draft_plan, leads=[organisation])

    with pytest.raises(PermissionDenied):
        services.progress_update_add(
            actor=member_user, action=action, dated=datetime.date(2024, 6, 3), body="x"
        )


def test_a_lead_member_sets_an_indicator(action, member_user):
    indicator = IndicatorFactory(action=action, name="Communes", target=100, current=40)

    services.indicator_set_current(
        actor=member_user, action=action, indicator_id=indicator.pk, current=Decimal(65)
    )

    indicator.refresh_from_db()
    assert indicator.current == Decimal("65.00")
    assert action.changes.get().changes == {"indicator: Communes": ["40.00", "65.00"]}


def test_a_negative_indicator_value_is_refused(action, member_user):
    indicator = IndicatorFactory(action=action, current=40)

    with pytest.raises(InvalidInput) as error:
        services.indicator_set_current(
            actor=member_user,
            action=action,
            indicator_id=indicator.pk,
            current=Decimal(-3),
        )

    assert error.value.message == (
        "La valeur actuelle d'un indicateur doit être un nombre positif."
    )
    indicator.refresh_from_db()
    assert indicator.current == Decimal("40.00")


def test_the_indicator_of_another_action_is_not_found(action, member_user):
    other = IndicatorFactory()

    with pytest.raises(NotFound) as error:
        services.indicator_set_current(
            actor=member_user, action=action, indicator_id=other.pk, current=Decimal(1)
        )

    assert error.value.message == "Cette action n'a pas cet indicateur."


def test_a_lead_member_marks_a_milestone_done_and_undone(action, member_user):
    milestone = MilestoneFactory(action=action, title="Marché")

    services.milestone_mark_done(
        actor=member_user,
        action=action,
        milestone_id=milestone.pk,
        done_on=datetime.date(2024, 7, 1),
    )
    services.milestone_mark_done(
        actor=member_user, action=action, milestone_id=milestone.pk, done_on=None
    )

    milestone.refresh_from_db()
    assert milestone.done_on is None
    assert [c.changes for c in action.changes.all()] == [
        {"milestone: Marché": [None, "2024-07-01"]},
        {"milestone: Marché": ["2024-07-01", None]},
    ]


def test_a_milestone_is_not_done_in_the_future(action, member_user):
    milestone = MilestoneFactory(action=action)

    with pytest.raises(InvalidInput) as error:
        services.milestone_mark_done(
            actor=member_user,
            action=action,
            milestone_id=milestone.pk,
            done_on=datetime.date(2100, 1, 1),
        )

    assert error.value.message == "Un jalon ne peut pas être atteint dans le futur."
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_a_plain_user_may_not_mark_a_milestone(action, plain_user):
    milestone = MilestoneFactory(action=action)

    with pytest.raises(PermissionDenied):
        services.milestone_mark_done(
            actor=plain_user,
            action=action,
            milestone_id=milestone.pk,
            done_on=datetime.date(2024, 7, 1),
        )
