"""Needs services: creation, edition, submission, decisions, merge, split,
attachments. Messages are asserted in French, the platform's language."""

import datetime

import pytest
from django.utils import timezone

from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.needs.models import Need, NeedAttachment, NeedEvent, Support, Theme
from crig.needs.services import (
    NeedData,
    need_attachment_add,
    need_attachment_remove,
    need_create,
    need_delete,
    need_merge,
    need_split,
    need_submit,
    need_transition,
    need_update,
)
from crig.needs.services.needs import SECRETARIAT_TRANSITIONS, TRANSITIONS
from crig.needs.tests.conftest import selection_of
from crig.needs.tests.factories import NeedFactory, SupportFactory

State = Need.State

DATA = NeedData(
    title="LIDAR HD de la Garonne",
    description="Un relevé LIDAR pour les zones inondables.",
    theme=Theme.LIDAR,
    precision="10 points/m²",
    resolution_m=0.5,
    horizon=datetime.date(2099, 6, 30),
    intended_use="Prévention des inondations",
    cofunding_min=10_000,
    cofunding_max=50_000,
)


def _data(**changes) -> NeedData:
    return NeedData(**{**DATA.__dict__, **changes})


# --- need_create ----------------------------------------------------------------------


def test_a_member_creates_a_draft_with_its_territory(
    member_user, organisation, toulouse_selection
):
    need = need_create(
        author=member_user,
        organisation=organisation,
        data=DATA,
        territory=toulouse_selection,
    )

    need.refresh_from_db()
    assert need.state == State.DRAFT
    assert need.submitted_at is None
    assert need.title == "LIDAR HD de la Garonne"
    assert need.contact == member_user
    assert need.territory_description == "Toulouse"
    assert need.outline_geojson == toulouse_selection.outline
    assert need.bbox == toulouse_selection.bbox
    assert need.population == toulouse_selection.population
    assert list(need.commune_links.values_list("commune_id", "fraction")) == [
        ("31555", 1.0)
    ]
    assert need.consolidated_outline == need.outline
    assert need.consolidated_population == toulouse_selection.population
    assert need.consolidated_area_km2 == pytest.approx(
        toulouse_selection.area_km2, abs=0.001
    )
    assert list(need.events.values_list("kind", flat=True)) == ["created"]


def test_create_and_submit_at_once(member_user, organisation, toulouse_selection):
    need = need_create(
        author=member_user,
        organisation=organisation,
        data=DATA,
        territory=toulouse_selection,
        submit=True,
    )

    assert need.state == State.NEW
    assert need.submitted_at is not None
    assert list(need.events.values_list("kind", "to_state")) == [
        ("created", "draft"),
        ("submitted", "new"),
    ]


def test_shares_of_communes_are_kept(member_user, organisation, territory):
    selection = selection_of("31555", "31069", shares={"31069": 0.25})

    need = need_create(
        author=member_user, organisation=organisation, data=DATA, territory=selection
    )

    assert dict(need.commune_links.values_list("commune_id", "fraction")) == {
        "31069": 0.25,
        "31555": 1.0,
    }


def test_a_person_outside_the_organisation_cannot_create_in_its_name(
    other_member_user, organisation, toulouse_selection
):
    with pytest.raises(PermissionDenied) as error:
        need_create(
            author=other_member_user,
            organisation=organisation,
            data=DATA,
            territory=toulouse_selection,
        )

    assert error.value.message == (
        "Vous ne pouvez exprimer un besoin qu’au nom d’une organisation dont vous "
        "êtes membre."
    )
    assert Need.objects.count() == 0


def test_a_person_without_organisation_cannot_create(
    plain_user, organisation, toulouse_selection
):
    with pytest.raises(PermissionDenied):
        need_create(
            author=plain_user,
            organisation=organisation,
            data=DATA,
            territory=toulouse_selection,
        )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Donnez un titre au besoin."),
        (
            {"title": "x" * 201},
            "title",
            "Le titre est trop long (200 caractères au plus).",
        ),
        ({"description": ""}, "description", "Décrivez le besoin."),
        ({"theme": "cartes-postales"}, "theme", "Choisissez un thème dans la liste."),
        (
            {"resolution_m": 0},
            "resolution_m",
            "La résolution au sol souhaitée doit être supérieure à 0 m.",
        ),
        (
            {"resolution_m": float("inf")},
            "resolution_m",
            "La résolution au sol souhaitée doit être supérieure à 0 m.",
        ),
        (
            {"cofunding_max": 3_000_000_000},
            "cofunding_max",
            "Ce montant de cofinancement est trop élevé.",
        ),
        (
            {"horizon": datetime.date(2000, 1, 1)},
            "horizon",
            "L’horizon ne peut pas être dans le passé.",
        ),
        (
            {"cofunding_min": -1},
            "cofunding_min",
            "Un montant de cofinancement ne peut pas être négatif.",
        ),
        (
            {"cofunding_min": 60_000, "cofunding_max": 50_000},
            "cofunding_max",
            "La fourchette de cofinancement est inversée : « à partir de » dépasse "
            "« jusqu’à ».",
        ),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_saved(
    member_user, organisation, toulouse_selection, changes, field, message
):
    with pytest.raises(InvalidInput) as error:
        need_create(
            author=member_user,
            organisation=organisation,
            data=_data(**changes),
            territory=toulouse_selection,
        )

    assert (error.value.field, error.value.message) == (field, message)
    assert Need.objects.count() == 0
    assert NeedEvent.objects.count() == 0


def test_an_unknown_commune_leaves_nothing_behind(
    member_user, organisation, toulouse_selection
):
    selection = toulouse_selection.__class__(
        **{**toulouse_selection.__dict__, "communes": {"31555": 1.0, "99999": 1.0}}
    )

    with pytest.raises(InvalidInput) as error:
        need_create(
            author=member_user,
            organisation=organisation,
            data=DATA,
            territory=selection,
        )

    assert error.value.message == "Codes de commune inconnus : 99999."
    assert Need.objects.count() == 0


def test_the_contact_must_belong_to_the_organisation(
    member_user, other_member_user, organisation, toulouse_selection
):
    with pytest.raises(InvalidInput) as error:
        need_create(
            author=member_user,
            organisation=organisation,
            data=DATA,
            territory=toulouse_selection,
            contact=other_member_user,
        )

    assert error.value.field == "contact"


def test_a_referent_can_be_the_contact(
    member_user, referent_user, organisation, toulouse_selection
):
    need = need_create(
        author=member_user,
        organisation=organisation,
        data=DATA,
        territory=toulouse_selection,
        contact=referent_user,
    )

    assert need.contact == referent_user


# --- need_submit, need_delete ---------------------------------------------------------


def test_the_author_submits_a_draft(member_user, draft_need):
    need = need_submit(actor=member_user, need=draft_need)

    need.refresh_from_db()
    assert need.state == State.NEW
    assert need.submitted_at is not None
    assert need.events.get().kind == NeedEvent.Kind.SUBMITTED


def test_submitting_twice_is_a_conflict(member_user, draft_need):
    need_submit(actor=member_user, need=draft_need)

    with pytest.raises(Conflict) as error:
        need_submit(actor=member_user, need=draft_need)

    assert error.value.message == "Ce besoin a déjà été soumis."


def test_only_the_author_submits(referent_user, draft_need):
    with pytest.raises(PermissionDenied):
        need_submit(actor=referent_user, need=draft_need)

    draft_need.refresh_from_db()
    assert draft_need.state == State.DRAFT


def test_the_author_deletes_a_draft(member_user, draft_need):
    need_delete(actor=member_user, need=draft_need)

    assert Need.objects.count() == 0


def test_a_published_need_cannot_be_deleted(member_user, need):
    with pytest.raises(PermissionDenied):
        need_delete(actor=member_user, need=need)

    assert Need.objects.count() == 1


# --- need_update ----------------------------------------------------------------------


def test_the_author_updates_fields_and_territory(member_user, need, blagnac_selection):
    updated = need_update(
        actor=member_user,
        need=need,
        data=_data(title="LIDAR de Blagnac"),
        territory=blagnac_selection,
    )

    updated.refresh_from_db()
    assert updated.title == "LIDAR de Blagnac"
    assert list(updated.commune_links.values_list("commune_id", flat=True)) == ["31069"]
    assert updated.consolidated_population == blagnac_selection.population
    event = updated.events.get()
    assert event.kind == NeedEvent.Kind.EDITED
    assert "titre" in event.message
    assert "territoire" in event.message


def test_an_unchanged_past_horizon_is_kept_on_edit(member_user, need):
    Need.objects.filter(pk=need.pk).update(horizon=datetime.date(2001, 1, 1))
    need.refresh_from_db()

    need_update(
        actor=member_user,
        need=need,
        data=_data(horizon=datetime.date(2001, 1, 1)),
    )

    need.refresh_from_db()
    assert need.horizon == datetime.date(2001, 1, 1)


def test_a_member_of_another_organisation_cannot_update(other_member_user, need):
    with pytest.raises(PermissionDenied) as error:
        need_update(actor=other_member_user, need=need, data=DATA)

    assert error.value.message == "Vous ne pouvez pas modifier ce besoin."


def test_a_bad_update_changes_nothing(member_user, need, blagnac_selection):
    with pytest.raises(InvalidInput):
        need_update(
            actor=member_user,
            need=need,
            data=_data(description=""),
            territory=blagnac_selection,
        )

    need.refresh_from_db()
    assert need.title == "Orthophotographie 5 cm de Toulouse"
    assert list(need.commune_links.values_list("commune_id", flat=True)) == ["31555"]
    assert need.events.count() == 0


# --- need_transition ------------------------------------------------------------------

ALL_STATES = list(State.values)
ALLOWED = [
    (source, target)
    for source, targets in SECRETARIAT_TRANSITIONS.items()
    for target in sorted(targets)
]
REFUSED = [
    (source, target)
    for source in ALL_STATES
    for target in ALL_STATES
    if target not in SECRETARIAT_TRANSITIONS.get(source, ())
]


def test_the_transition_table_is_the_documented_one():
    assert {k: sorted(v) for k, v in TRANSITIONS.items()} == {
        "draft": ["new"],
        "new": ["qualified", "rejected"],
        "qualified": ["rejected", "retained"],
        "retained": ["rejected", "satisfied"],
        "satisfied": [],
        "rejected": [],
        "merged": [],
    }
    assert len(ALLOWED) == 6
    assert len(REFUSED) == 7 * 7 - 6


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_allowed_transitions(secretariat_user, territory, source, target):
    need = NeedFactory(state=source)

    need_transition(
        actor=secretariat_user, need=need, to_state=target, answer="Réponse publique."
    )

    need.refresh_from_db()
    assert need.state == target
    assert need.public_answer == "Réponse publique."
    assert need.state_changed_at is not None
    event = need.events.get()
    assert (event.kind, event.from_state, event.to_state, event.message) == (
        "state_changed",
        source,
        target,
        "Réponse publique.",
    )


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_refused_transitions(secretariat_user, territory, source, target):
    need = NeedFactory(state=source)

    with pytest.raises((Conflict, PermissionDenied)):
        need_transition(
            actor=secretariat_user, need=need, to_state=target, answer="Réponse."
        )

    need.refresh_from_db()
    assert need.state == source
    assert need.events.count() == 0


def test_a_refused_transition_says_why(secretariat_user, need):
    with pytest.raises(Conflict) as error:
        need_transition(actor=secretariat_user, need=need, to_state=State.SATISFIED)

    assert error.value.message == (
        "Un besoin ne peut pas passer de « Nouveau » à « Satisfait »."
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (State.QUALIFIED, State.RETAINED),
        (State.RETAINED, State.SATISFIED),
        (State.NEW, State.REJECTED),
    ],
)
def test_a_decision_needs_a_public_answer(secretariat_user, territory, source, target):
    need = NeedFactory(state=source)

    with pytest.raises(InvalidInput) as error:
        need_transition(actor=secretariat_user, need=need, to_state=target, answer=" ")

    assert (error.value.field, error.value.message) == (
        "answer",
        "Rédigez la réponse publique qui explique cette décision.",
    )


def test_qualifying_without_answer_sets_the_plan_fit(secretariat_user, need):
    need_transition(
        actor=secretariat_user,
        need=need,
        to_state=State.QUALIFIED,
        plan_fit=Need.PlanFit.PARTIAL,
    )

    need.refresh_from_db()
    assert (need.state, need.plan_fit, need.public_answer) == (
        "qualified",
        "partial",
        "",
    )


def test_an_unknown_plan_fit_is_refused(secretariat_user, need):
    with pytest.raises(InvalidInput):
        need_transition(
            actor=secretariat_user, need=need, to_state=State.QUALIFIED, plan_fit="x"
        )


@pytest.mark.parametrize(
    "person", ["member_user", "referent_user", "other_member_user", "plain_user"]
)
def test_only_the_secretariat_decides(request, need, person):
    with pytest.raises(PermissionDenied) as error:
        need_transition(
            actor=request.getfixturevalue(person), need=need, to_state=State.QUALIFIED
        )

    assert error.value.message == "Seul le secrétariat peut statuer sur un besoin."


def test_an_administrator_decides_too(admin_user, need):
    need_transition(actor=admin_user, need=need, to_state=State.QUALIFIED)

    need.refresh_from_db()
    assert need.state == State.QUALIFIED


# --- need_merge -----------------------------------------------------------------------


def test_merge_moves_the_duplicate_and_its_supports(
    secretariat_user, need, other_organisation, territory
):
    duplicate = NeedFactory(title="Doublon", communes=["31069"], cofunding_max=5000)
    moved = SupportFactory(need=duplicate, communes=["31555"])
    shared = SupportFactory(
        need=duplicate, organisation=other_organisation, communes=["31069"]
    )
    kept = SupportFactory(need=need, organisation=other_organisation)

    result = need_merge(
        actor=secretariat_user, need=duplicate, into=need, message="Même demande."
    )

    assert result == need
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.merged_into) == ("merged", need)
    supports = {s.organisation_id: s for s in need.supports.all()}
    assert set(supports) == {
        duplicate.organisation_id,
        moved.organisation_id,
        other_organisation.pk,
    }
    assert supports[other_organisation.pk].pk == kept.pk
    assert not Support.objects.filter(pk=shared.pk).exists()
    new_support = supports[duplicate.organisation_id]
    assert new_support.author == duplicate.author
    assert new_support.cofunding_max == 5000
    assert list(new_support.communes.values_list("insee", flat=True)) == ["31069"]
    need.refresh_from_db()
    assert need.consolidated_population == pytest.approx(
        need.population + duplicate.population, abs=1
    )
    assert list(duplicate.events.values_list("kind", "related_need")) == [
        ("merged", need.pk)
    ]
    assert list(need.events.values_list("kind", "related_need")) == [
        ("absorbed", duplicate.pk)
    ]


def test_merging_a_need_of_the_same_organisation_adds_no_support(
    secretariat_user, need
):
    duplicate = NeedFactory(organisation=need.organisation)

    need_merge(actor=secretariat_user, need=duplicate, into=need)

    assert need.supports.count() == 0


@pytest.mark.parametrize("state", [State.DRAFT, State.MERGED, State.REJECTED])
def test_merge_into_a_closed_need_is_refused(secretariat_user, need, state):
    target = NeedFactory(state=state)

    with pytest.raises((Conflict, PermissionDenied)):
        need_merge(actor=secretariat_user, need=need, into=target)

    need.refresh_from_db()
    assert need.state == State.NEW


def test_merge_into_itself_is_refused(secretariat_user, need):
    with pytest.raises(InvalidInput):
        need_merge(actor=secretariat_user, need=need, into=need)


def test_only_the_secretariat_merges(referent_user, need):
    with pytest.raises(PermissionDenied):
        need_merge(actor=referent_user, need=NeedFactory(), into=need)


# --- need_split -----------------------------------------------------------------------


def test_split_keeps_the_original_first_and_shares_the_supports(
    secretariat_user, need, territory
):
    Need.objects.filter(pk=need.pk).update(public_answer="À l’étude.")
    need.refresh_from_db()
    over_toulouse = SupportFactory(need=need, communes=["31555"])
    over_blagnac = SupportFactory(need=need, communes=["31069"])
    over_both = SupportFactory(need=need, communes=["31555", "31069"])
    elsewhere = SupportFactory(need=need, communes=["34172"])

    parts = need_split(
        actor=secretariat_user,
        need=need,
        parts=[
            ("Ortho de Toulouse", selection_of("31555")),
            ("Ortho de Blagnac", selection_of("31069")),
        ],
        message="Deux chantiers distincts.",
    )

    first, second = parts
    assert first.pk == need.pk
    assert (first.title, second.title) == ("Ortho de Toulouse", "Ortho de Blagnac")
    assert second.split_from == need
    assert (second.state, second.organisation, second.public_answer) == (
        need.state,
        need.organisation,
        "À l’étude.",
    )
    assert set(first.supports.values_list("organisation_id", flat=True)) == {
        over_toulouse.organisation_id,
        over_both.organisation_id,
        elsewhere.organisation_id,
    }
    assert set(second.supports.values_list("organisation_id", flat=True)) == {
        over_blagnac.organisation_id,
        over_both.organisation_id,
    }
    assert list(second.communes.values_list("insee", flat=True)) == ["31069"]
    assert list(first.events.values_list("kind", flat=True)) == ["split"]
    assert list(second.events.values_list("kind", "related_need")) == [
        ("split_from", need.pk)
    ]


def test_split_needs_two_parts(secretariat_user, need):
    with pytest.raises(InvalidInput) as error:
        need_split(
            actor=secretariat_user,
            need=need,
            parts=[("Seul", selection_of("31555"))],
        )

    assert error.value.message == "Scindez le besoin en au moins deux parties."


def test_a_bad_part_changes_nothing(secretariat_user, need):
    with pytest.raises(InvalidInput) as error:
        need_split(
            actor=secretariat_user,
            need=need,
            parts=[("Toulouse", selection_of("31555")), (" ", selection_of("31069"))],
        )

    assert error.value.message == "Donnez un titre à la partie 2."
    assert Need.objects.count() == 1
    need.refresh_from_db()
    assert need.title == "Orthophotographie 5 cm de Toulouse"


def test_only_the_secretariat_splits(referent_user, need):
    with pytest.raises(PermissionDenied):
        need_split(
            actor=referent_user,
            need=need,
            parts=[("A", selection_of("31555")), ("B", selection_of("31069"))],
        )


# --- attachments ----------------------------------------------------------------------

PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def test_the_author_attaches_a_pdf(member_user, need):
    attachment = need_attachment_add(
        actor=member_user, need=need, name="C:\\Docs\\Cahier des charges.pdf", data=PDF
    )

    assert attachment.name == "Cahier des charges.pdf"
    assert attachment.size == len(PDF)
    assert attachment.file.name.startswith(f"needs/{timezone.now().year}/")
    assert attachment.file.name.endswith("-cahier-des-charges.pdf")
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    assert need.events.get().kind == NeedEvent.Kind.ATTACHMENT_ADDED


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "plan.exe",
            b"MZ",
            "Ce type de fichier ne peut pas être joint. Acceptés : PDF, PNG, JPEG, "
            "OpenDocument (odt, ods), Word (docx), Excel (xlsx) et CSV.",
        ),
        ("plan.zip", b"PK\x03\x04", None),
        ("vide.pdf", b"", "Le fichier est vide."),
        (
            "faux.pdf",
            PNG,
            "Le contenu du fichier ne correspond pas à son extension (.pdf).",
        ),
        (
            "faux.png",
            PDF,
            "Le contenu du fichier ne correspond pas à son extension (.png).",
        ),
        (
            "faux.docx",
            PDF,
            "Le contenu du fichier ne correspond pas à son extension (.docx).",
        ),
        (
            "binaire.csv",
            b"a;b\x00c",
            "Le contenu du fichier ne correspond pas à son extension (.csv).",
        ),
    ],
)
def test_bad_attachments_are_refused(member_user, need, name, data, message):
    with pytest.raises(InvalidInput) as error:
        need_attachment_add(actor=member_user, need=need, name=name, data=data)

    if message:
        assert error.value.message == message
    assert NeedAttachment.objects.count() == 0


def test_an_attachment_above_the_limit_is_refused(settings, member_user, need):
    settings.NEEDS_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024

    with pytest.raises(InvalidInput) as error:
        need_attachment_add(
            actor=member_user,
            need=need,
            name="gros.pdf",
            data=b"%PDF-" + b"0" * (2 * 1024 * 1024),
        )

    assert error.value.message == "Le fichier est trop volumineux (2 Mo au plus)."


def test_no_file_is_left_when_the_database_write_fails(
    member_user, need, monkeypatch, settings
):
    def fail(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr("crig.needs.services.needs.record", fail)

    with pytest.raises(RuntimeError):
        need_attachment_add(actor=member_user, need=need, name="a.png", data=PNG)

    assert NeedAttachment.objects.count() == 0
    assert list(settings.MEDIA_ROOT.rglob("*.png")) == []


def test_a_member_of_another_organisation_cannot_attach(other_member_user, need):
    with pytest.raises(PermissionDenied):
        need_attachment_add(actor=other_member_user, need=need, name="a.pdf", data=PDF)


def test_removing_an_attachment_deletes_its_file(
    member_user, need, settings, django_capture_on_commit_callbacks
):
    attachment = need_attachment_add(
        actor=member_user, need=need, name="a.pdf", data=PDF
    )
    path = settings.MEDIA_ROOT / attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        need_attachment_remove(actor=member_user, attachment=attachment)

    assert NeedAttachment.objects.count() == 0
    assert not path.exists()
    assert list(need.events.values_list("kind", "message")) == [
        ("attachment_added", "a.pdf"),
        ("attachment_removed", "a.pdf"),
    ]


def test_a_territory_from_the_territory_input_is_stored(
    member_user, organisation, toulouse_metropole
):
    from crig.territory.selection import territory_selection

    selection = territory_selection(epcis=[toulouse_metropole.siren])

    need = need_create(
        author=member_user, organisation=organisation, data=DATA, territory=selection
    )

    assert need.commune_links.count() == toulouse_metropole.communes.count()
    assert need.territory_description == selection.description
    assert need.consolidated_population == pytest.approx(selection.population, abs=1)


def test_float_noise_in_shares_is_absorbed(member_user, organisation, territory):
    selection = selection_of("31555", "31069")
    noisy = selection.__class__(
        **{
            **selection.__dict__,
            "communes": {"31555": 1.0000000002, "31069": 0.0, "31056": 1e-12},
        }
    )

    need = need_create(
        author=member_user, organisation=organisation, data=DATA, territory=noisy
    )

    assert dict(need.commune_links.values_list("commune_id", "fraction")) == {
        "31555": 1.0,
        "31056": 1e-12,
    }
