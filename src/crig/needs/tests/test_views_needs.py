"""Pages of needs and supports, per role, through the client: what each person
sees, what they may do, what a bad form says (in French) and that it changes
nothing, and the flows end to end (draft, submit, support, decision, merge,
split, attachments)."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crig.members.tests.factories import MembershipFactory, OrganisationFactory
from crig.needs.models import Need, NeedAttachment, NeedEvent, Support
from crig.needs.tests.factories import NeedFactory, SupportFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "plain_user",
    "member_user",
    "other_member_user",
    "referent_user",
    "secretariat_user",
    "admin_user",
)

# The smallest valid PDF-looking file: the services check the content's type.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def as_role(client, request):
    """Log the client in as the named fixture's person (nobody for "anonymous")."""

    def log_in(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return log_in


def territory_data(prefix: str, *communes: str) -> dict:
    """What the territory picker posts for communes picked by name."""
    return {f"{prefix}-communes": ",".join(communes)}


def need_post(**changes) -> dict:
    data = {
        "title": "LIDAR HD de la Garonne toulousaine",
        "theme": "lidar",
        "description": "Un relevé LIDAR pour modéliser les crues de la Garonne.",
        "precision": "classe A",
        "resolution_m": "0.5",
        "horizon": "2031-06-30",
        "intended_use": "Modélisation hydraulique.",
        "cofunding_min": "10000",
        "cofunding_max": "30000",
        **territory_data("territory", "31555"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _text(response) -> str:
    return response.content.decode()


# The list ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_published_needs_and_hides_drafts(as_role, role, need, draft_need):
    # Given a published need and a draft, both by the member
    # When each role opens the list
    response = as_role(role).get(reverse("needs:list"))

    # Then the published need is listed, the draft only for its author
    assert response.status_code == HTTPStatus.OK
    text = _text(response)
    assert "Orthophotographie 5 cm de Toulouse" in text
    assert ("Brouillon : LIDAR de la Garonne" in text) == (
        role in ("member_user", "admin_user")
    )


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("anonymous", False),
        ("plain_user", False),
        ("member_user", True),
        ("other_member_user", True),
        ("referent_user", True),
        ("secretariat_user", False),
    ],
)
def test_list_offers_to_express_a_need_to_members(as_role, role, shown, need):
    response = as_role(role).get(reverse("needs:list"))

    create_url = reverse("needs:create")
    assert (f'href="{create_url}">Exprimer un besoin</a>' in _text(response)) == shown


def test_list_shows_count_state_supporters_map_and_exports(client, need):
    # Given a need supported by one other organisation
    SupportFactory(need=need)

    # When the list is filtered by theme
    response = client.get(reverse("needs:list"), {"theme": "orthophotographie"})

    # Then it counts the need, says its state and who is behind it, and the map
    # and the exports read the API with the same filter
    text = _text(response)
    assert response.status_code == HTTPStatus.OK
    assert "1 besoin</h2>" in text
    assert "need-state-new" in text
    assert "Nouveau</span>" in text
    assert "2 organisations le portent" in text
    assert (
        'data-geojson-url="/api/v1/needs?theme=orthophotographie&amp;format=geojson"'
        in text
    )
    for fmt in ("csv", "xlsx", "geojson"):
        assert f'href="/api/v1/needs?theme=orthophotographie&amp;format={fmt}"' in text


def test_list_filters_by_theme_and_commune(client, need, territory):
    # Given a LIDAR need over Montpellier
    NeedFactory(title="LIDAR de Montpellier", theme="lidar", communes=["34172"])

    # When filtered by LIDAR, then by the commune of Toulouse
    lidar = _text(client.get(reverse("needs:list"), {"theme": "lidar"}))
    toulouse = _text(client.get(reverse("needs:list"), {"commune": "31555"}))

    assert "LIDAR de Montpellier" in lidar
    assert "Orthophotographie 5 cm de Toulouse" not in lidar
    assert "Orthophotographie 5 cm de Toulouse" in toulouse
    assert "LIDAR de Montpellier" not in toulouse


def test_list_with_a_bad_filter_says_so_and_ignores_it(client, need):
    response = client.get(reverse("needs:list"), {"commune": "Toulouse"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    text = _text(response)
    assert "Certains filtres ne sont pas valides et ont été ignorés." in text
    assert "Un code INSEE a cinq caractères : 31555." in text
    assert "Orthophotographie 5 cm de Toulouse" in text


def test_list_mine_keeps_the_needs_of_the_persons_organisations(
    client, need, other_member_user
):
    # Given a need of another organisation
    NeedFactory(title="Besoin d'ailleurs")
    client.force_login(other_member_user)

    # When the member of UM asks for their organisations' needs
    response = client.get(reverse("needs:list"), {"mine": "on"})

    # Then neither is listed (UM expresses nor supports any)
    assert "0 besoin</h2>" in _text(response)


def test_list_pages_needs_by_twenty(client, territory):
    NeedFactory.create_batch(21)

    first = _text(client.get(reverse("needs:list")))
    second = _text(client.get(reverse("needs:list"), {"page": "2"}))

    assert "21 besoins</h2>" in first
    assert "Page 1 sur 2" in first
    assert first.count('class="card need-card"') == 20
    assert second.count('class="card need-card"') == 1


# The heat map -----------------------------------------------------------------


def test_heatmap_lists_communes_with_needs_and_supports(client, need):
    SupportFactory(need=need, communes=["31555", "31069"])

    response = client.get(reverse("needs:heatmap"), {"theme": "orthophotographie"})

    text = _text(response)
    assert response.status_code == HTTPStatus.OK
    assert (
        'data-geojson-url="/api/v1/needs/heatmap?format=geojson&amp;'
        'theme=orthophotographie"' in text
    )
    assert "2 communes sont concernées par au moins un besoin." in text
    toulouse_row = text[text.index("Toulouse <span") :]
    assert '<td class="number">1</td>' in toulouse_row[:200]
    assert "Besoins à Toulouse" in text


def test_heatmap_of_a_theme_without_needs(client, need):
    response = client.get(reverse("needs:heatmap"), {"theme": "lidar"})

    assert "Aucun besoin ne concerne encore de commune pour ce thème." in _text(
        response
    )


# A need's page ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", HTTPStatus.NOT_FOUND),
        ("plain_user", HTTPStatus.NOT_FOUND),
        ("member_user", HTTPStatus.OK),
        ("other_member_user", HTTPStatus.NOT_FOUND),
        ("referent_user", HTTPStatus.NOT_FOUND),
        ("secretariat_user", HTTPStatus.NOT_FOUND),
        # Administrators pass every permission (see selectors.needs).
        ("admin_user", HTTPStatus.OK),
    ],
)
def test_a_draft_is_seen_by_its_author_only(as_role, role, status, draft_need):
    client = as_role(role)

    assert client.get(draft_need.get_absolute_url()).status_code == status
    for name in ("edit", "support", "decide", "merge", "split"):
        response = client.get(reverse(f"needs:{name}", args=[draft_need.pk]))
        if role == "anonymous":
            assert response.status_code == HTTPStatus.FOUND
        elif status == HTTPStatus.NOT_FOUND:
            assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_author_sees_a_draft_with_submit_edit_delete(
    client, member_user, draft_need
):
    client.force_login(member_user)

    text = _text(client.get(draft_need.get_absolute_url()))

    assert "Ceci est un brouillon : vous seul le voyez." in text
    assert reverse("needs:submit", args=[draft_need.pk]) in text
    assert reverse("needs:edit", args=[draft_need.pk]) in text
    assert reverse("needs:delete", args=[draft_need.pk]) in text
    assert reverse("needs:support", args=[draft_need.pk]) not in text


#               edit   support decide merge  split  attach
ACTIONS = {
    "anonymous": (False, False, False, False, False, False),
    "plain_user": (False, False, False, False, False, False),
    "member_user": (True, False, False, False, False, True),
    "other_member_user": (False, True, False, False, False, False),
    "referent_user": (True, False, False, False, False, True),
    "secretariat_user": (True, False, True, True, True, True),
    # Administrators pass every rule but belong to no organisation to support in.
    "admin_user": (True, False, True, True, True, True),
}


@pytest.mark.parametrize("role", ROLES)
def test_a_published_need_shows_the_actions_each_role_may_take(as_role, role, need):
    response = as_role(role).get(need.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    text = _text(response)
    shown = tuple(
        f'"{reverse(f"needs:{name}", args=[need.pk])}"' in text
        for name in ("edit", "support", "decide", "merge", "split", "attachment_add")
    )
    assert shown == ACTIONS[role]
    assert reverse("needs:submit", args=[need.pk]) not in text
    assert reverse("needs:delete", args=[need.pk]) not in text
    # Anonymous visitors are invited to log in to support.
    assert ("Se connecter pour soutenir ce besoin" in text) == (role == "anonymous")


def test_need_page_shows_facts_backers_map_history(client, need):
    SupportFactory(
        need=need,
        organisation=OrganisationFactory(name="Toulouse Métropole"),
        comment="Pour le plan vélo.",
        cofunding_min=5000,
        cofunding_max=5000,
        communes=["31555", "31069"],
    )
    NeedEvent.objects.create(
        need=need, kind=NeedEvent.Kind.SUBMITTED, to_state=Need.State.NEW
    )

    text = _text(client.get(need.get_absolute_url()))

    assert "<h1>Orthophotographie 5 cm de Toulouse</h1>" in text
    assert "Exprimé par Conseil départemental de la Haute-Garonne" in text
    assert "Orthophotographie</dd>" in text
    assert "Qui le porte" in text
    assert "2 organisations le portent</p>" in text
    assert "Toulouse Métropole" in text
    assert "Pour le plan vélo." in text
    assert "Cofinancement : 5\xa0000 €" in text
    assert f'data-geojson-url="/api/v1/needs/{need.pk}?format=geojson"' in text
    assert "Déposé" in text
    assert "Ce que le catalogue contient déjà" in text
    assert "Sur le territoire consolidé (avec les soutiens)" in text


def test_need_page_does_not_repeat_the_match_for_a_support_on_the_same_territory(
    client, need
):
    SupportFactory(need=need)

    text = _text(client.get(need.get_absolute_url()))

    assert "Ce que le catalogue contient déjà" in text
    assert "Sur le territoire consolidé (avec les soutiens)" not in text


def test_need_page_shows_the_public_answer(client, need):
    need.state = Need.State.REJECTED
    need.public_answer = "Déjà couvert par la BD ORTHO 2023."
    need.save()

    text = _text(client.get(need.get_absolute_url()))

    assert "Réponse du secrétariat" in text
    assert "Déjà couvert par la BD ORTHO 2023." in text
    assert "Non retenu</span>" in text


def test_need_page_of_a_theme_outside_the_referentiels(client, territory):
    need = NeedFactory(theme="mobilite")

    text = _text(client.get(need.get_absolute_url()))

    assert "Ce thème ne fait pas partie des familles de référentiels" in text


def test_need_page_unknown_is_a_404(client, territory):
    assert client.get(reverse("needs:detail", args=[999999])).status_code == (
        HTTPStatus.NOT_FOUND
    )


# Expressing a need ------------------------------------------------------------


def test_create_asks_anonymous_visitors_to_log_in(client, territory):
    response = client.get(reverse("needs:create"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == (
        reverse("members:login") + "?next=" + reverse("needs:create")
    )


def test_create_tells_a_person_without_organisation_why(client, plain_user):
    client.force_login(plain_user)

    response = client.get(reverse("needs:create"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "votre compte n'appartient encore à aucune" in _text(response)


def test_create_form_preselects_the_only_organisation(
    client, member_user, organisation, territory
):
    client.force_login(member_user)

    response = client.get(reverse("needs:create"))

    text = _text(response)
    assert response.status_code == HTTPStatus.OK
    assert f'<option value="{organisation.pk}" selected>' in text
    assert "Enregistrer le brouillon" in text
    assert "Déposer le besoin" in text
    assert 'enctype="multipart/form-data"' in text


def test_create_a_draft(client, member_user, organisation, territory):
    client.force_login(member_user)

    response = client.post(
        reverse("needs:create"),
        need_post(organisation=organisation.pk, draft="1"),
        follow=True,
    )

    need = Need.objects.get()
    assert response.redirect_chain == [(need.get_absolute_url(), HTTPStatus.FOUND)]
    assert need.state == Need.State.DRAFT
    assert need.title == "LIDAR HD de la Garonne toulousaine"
    assert need.organisation == organisation
    assert need.author == member_user
    assert need.resolution_m == 0.5
    assert (need.cofunding_min, need.cofunding_max) == (10000, 30000)
    assert list(need.commune_links.values_list("commune_id", flat=True)) == ["31555"]
    assert "Votre brouillon est enregistré." in _text(response)


def test_create_and_submit(client, member_user, organisation, territory):
    client.force_login(member_user)

    client.post(
        reverse("needs:create"), need_post(organisation=organisation.pk, submit="1")
    )

    need = Need.objects.get()
    assert need.state == Need.State.NEW
    assert need.submitted_at is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Ce champ est obligatoire."),
        (
            {"cofunding_min": "50000", "cofunding_max": "1000"},
            "Le haut de la fourchette de cofinancement est inférieur à son bas.",
        ),
        ({"horizon": "2001-01-01"}, "L’horizon ne peut pas être dans le passé."),
        ({"theme": "inconnu"}, "Sélectionnez un choix valide."),
    ],
)
def test_create_with_bad_input_saves_nothing(
    client, member_user, organisation, territory, changes, message
):
    client.force_login(member_user)

    response = client.post(
        reverse("needs:create"),
        need_post(organisation=organisation.pk, submit="1", **changes),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    text = _text(response)
    assert "Le besoin n'a pas été enregistré." in text
    assert message in text
    assert Need.objects.count() == 0


def test_create_without_territory_saves_nothing(
    client, member_user, organisation, territory
):
    client.force_login(member_user)
    data = need_post(organisation=organisation.pk, submit="1")
    del data["territory-communes"]

    response = client.post(reverse("needs:create"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Need.objects.count() == 0


def test_create_in_the_name_of_another_organisation_is_refused(
    client, member_user, other_organisation, territory
):
    client.force_login(member_user)

    response = client.post(
        reverse("needs:create"), need_post(organisation=other_organisation.pk)
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Sélectionnez un choix valide." in _text(response)
    assert Need.objects.count() == 0


# Editing, submitting, deleting ------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("plain_user", HTTPStatus.FORBIDDEN),
        ("member_user", HTTPStatus.OK),
        ("other_member_user", HTTPStatus.FORBIDDEN),
        ("referent_user", HTTPStatus.OK),
        ("secretariat_user", HTTPStatus.OK),
        ("admin_user", HTTPStatus.OK),
    ],
)
def test_edit_page_per_role(as_role, role, status, need):
    assert as_role(role).get(reverse("needs:edit", args=[need.pk])).status_code == (
        status
    )


def test_edit_changes_the_fields_and_keeps_the_territory(client, member_user, need):
    client.force_login(member_user)
    data = need_post(
        title="Orthophotographie 3 cm de Toulouse", theme="orthophotographie"
    )
    del data["territory-communes"]

    response = client.post(reverse("needs:edit", args=[need.pk]), data)

    assert response.status_code == HTTPStatus.FOUND
    need.refresh_from_db()
    assert need.title == "Orthophotographie 3 cm de Toulouse"
    assert list(need.commune_links.values_list("commune_id", flat=True)) == ["31555"]


def test_edit_with_bad_input_changes_nothing(client, member_user, need):
    client.force_login(member_user)

    response = client.post(
        reverse("needs:edit", args=[need.pk]), need_post(description="")
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Ce champ est obligatoire." in _text(response)
    need.refresh_from_db()
    assert need.title == "Orthophotographie 5 cm de Toulouse"


def test_submit_a_draft(client, member_user, draft_need):
    client.force_login(member_user)

    assert client.get(reverse("needs:submit", args=[draft_need.pk])).status_code == (
        HTTPStatus.METHOD_NOT_ALLOWED
    )
    response = client.post(reverse("needs:submit", args=[draft_need.pk]), follow=True)

    draft_need.refresh_from_db()
    assert draft_need.state == Need.State.NEW
    assert "Votre besoin a été déposé." in _text(response)


def test_submit_by_the_referent_is_forbidden(client, referent_user, need):
    client.force_login(referent_user)

    response = client.post(reverse("needs:submit", args=[need.pk]))

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_delete_a_draft(client, member_user, draft_need):
    client.force_login(member_user)

    response = client.post(reverse("needs:delete", args=[draft_need.pk]))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("needs:list")
    assert not Need.objects.filter(pk=draft_need.pk).exists()


def test_delete_a_published_need_is_forbidden(client, member_user, need):
    client.force_login(member_user)

    response = client.post(reverse("needs:delete", args=[need.pk]))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Need.objects.filter(pk=need.pk).exists()


# Supports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("plain_user", HTTPStatus.FORBIDDEN),
        ("member_user", HTTPStatus.FORBIDDEN),
        ("other_member_user", HTTPStatus.OK),
        ("referent_user", HTTPStatus.FORBIDDEN),
        ("secretariat_user", HTTPStatus.FORBIDDEN),
    ],
)
def test_support_page_per_role(as_role, role, status, need):
    response = as_role(role).get(reverse("needs:support", args=[need.pk]))

    assert response.status_code == status


def test_support_a_need_with_its_territory(
    client, other_member_user, other_organisation, need
):
    client.force_login(other_member_user)

    response = client.post(
        reverse("needs:support", args=[need.pk]),
        {
            "organisation": other_organisation.pk,
            "comment": "Pour nos campus.",
            "cofunding_min": "2000",
            "cofunding_max": "",
        },
        follow=True,
    )

    support = Support.objects.get(need=need)
    assert support.organisation == other_organisation
    assert support.comment == "Pour nos campus."
    assert support.cofunding_min == 2000
    assert list(support.commune_links.values_list("commune_id", flat=True)) == ["31555"]
    text = _text(response)
    assert "Votre organisation soutient désormais ce besoin. Merci !" in text
    assert "Pour nos campus." in text
    assert "au moins 2" in text


def test_support_with_its_own_territory(
    client, other_member_user, other_organisation, need
):
    client.force_login(other_member_user)

    client.post(
        reverse("needs:support", args=[need.pk]),
        {"organisation": other_organisation.pk, **territory_data("territory", "31069")},
    )

    support = Support.objects.get(need=need)
    assert list(support.commune_links.values_list("commune_id", flat=True)) == ["31069"]


def test_support_with_bad_cofunding_saves_nothing(
    client, other_member_user, other_organisation, need
):
    client.force_login(other_member_user)

    response = client.post(
        reverse("needs:support", args=[need.pk]),
        {
            "organisation": other_organisation.pk,
            "cofunding_min": "9000",
            "cofunding_max": "10",
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Le haut de la fourchette de cofinancement est inférieur à son bas." in (
        _text(response)
    )
    assert not Support.objects.exists()


def test_support_edit_and_withdraw(client, other_member_user, other_organisation, need):
    support = SupportFactory(
        need=need, organisation=other_organisation, author=other_member_user
    )
    client.force_login(other_member_user)
    edit_url = reverse("needs:support_edit", args=[need.pk, support.pk])

    assert edit_url in _text(client.get(need.get_absolute_url()))
    client.post(
        edit_url, {"comment": "Finalement, 10 000 €.", "cofunding_min": "10000"}
    )
    support.refresh_from_db()
    assert support.comment == "Finalement, 10 000 €."
    assert support.cofunding_min == 10000

    response = client.post(
        reverse("needs:support_withdraw", args=[need.pk, support.pk]), follow=True
    )
    assert not Support.objects.filter(pk=support.pk).exists()
    assert "Université de Montpellier ne soutient plus ce besoin." in _text(response)


def test_support_edit_by_someone_else_is_forbidden(client, member_user, need):
    support = SupportFactory(need=need)
    client.force_login(member_user)

    edit = client.get(reverse("needs:support_edit", args=[need.pk, support.pk]))
    withdraw = client.post(
        reverse("needs:support_withdraw", args=[need.pk, support.pk])
    )

    assert edit.status_code == HTTPStatus.FORBIDDEN
    assert withdraw.status_code == HTTPStatus.FORBIDDEN
    assert Support.objects.filter(pk=support.pk).exists()


# The secretariat's decisions --------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("member_user", HTTPStatus.FORBIDDEN),
        ("referent_user", HTTPStatus.FORBIDDEN),
        ("other_member_user", HTTPStatus.FORBIDDEN),
        ("secretariat_user", HTTPStatus.OK),
        ("admin_user", HTTPStatus.OK),
    ],
)
def test_decision_merge_split_pages_per_role(as_role, role, status, need):
    client = as_role(role)

    for name in ("decide", "merge", "split"):
        response = client.get(reverse(f"needs:{name}", args=[need.pk]))
        assert response.status_code == status, name


def test_decision_qualifies_a_need(client, secretariat_user, need):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("needs:decide", args=[need.pk]),
        {"to_state": "qualified", "plan_fit": "partial", "answer": ""},
        follow=True,
    )

    need.refresh_from_db()
    assert need.state == Need.State.QUALIFIED
    assert need.plan_fit == Need.PlanFit.PARTIAL
    assert "Le besoin est désormais « Qualifié »" in _text(response)


def test_decision_to_reject_needs_an_answer(client, secretariat_user, need):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("needs:decide", args=[need.pk]),
        {"to_state": "rejected", "plan_fit": "none", "answer": ""},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Rédigez la réponse publique" in _text(response)
    need.refresh_from_db()
    assert need.state == Need.State.NEW


def test_decision_by_a_member_is_forbidden(client, member_user, need):
    client.force_login(member_user)

    response = client.post(
        reverse("needs:decide", args=[need.pk]),
        {"to_state": "retained", "plan_fit": "full", "answer": "Oui."},
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    need.refresh_from_db()
    assert need.state == Need.State.NEW


def test_merge_a_duplicate(client, secretariat_user, need, other_organisation):
    duplicate = NeedFactory(
        title="Ortho de Toulouse (doublon)", organisation=other_organisation
    )
    client.force_login(secretariat_user)

    response = client.post(
        reverse("needs:merge", args=[duplicate.pk]),
        {"into": need.pk, "message": "Même demande."},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == need.get_absolute_url()
    duplicate.refresh_from_db()
    assert duplicate.state == Need.State.MERGED
    assert duplicate.merged_into == need
    assert need.supports.filter(organisation=other_organisation).exists()


def test_merge_into_itself_is_not_offered(client, secretariat_user, need):
    client.force_login(secretariat_user)

    response = client.post(reverse("needs:merge", args=[need.pk]), {"into": need.pk})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Sélectionnez un choix valide." in _text(response)


def test_split_a_need_in_two(client, secretariat_user, territory):
    need = NeedFactory(title="Ortho Toulouse et Blagnac", communes=["31555", "31069"])
    client.force_login(secretariat_user)

    response = client.post(
        reverse("needs:split", args=[need.pk]),
        {
            "title_1": "Ortho Toulouse",
            "title_2": "Ortho Blagnac",
            **territory_data("part1", "31555"),
            **territory_data("part2", "31069"),
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    need.refresh_from_db()
    assert need.title == "Ortho Toulouse"
    part = Need.objects.get(split_from=need)
    assert part.title == "Ortho Blagnac"
    assert list(part.commune_links.values_list("commune_id", flat=True)) == ["31069"]


def test_split_without_the_second_territory_changes_nothing(
    client, secretariat_user, need
):
    client.force_login(secretariat_user)

    response = client.post(
        reverse("needs:split", args=[need.pk]),
        {
            "title_1": "A",
            "title_2": "B",
            **territory_data("part1", "31555"),
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Le besoin n'a pas été scindé." in _text(response)
    assert Need.objects.count() == 1
    need.refresh_from_db()
    assert need.title == "Orthophotographie 5 cm de Toulouse"


# Attachments ------------------------------------------------------------------


def test_attachment_add_download_remove(client, member_user, need, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(member_user)

    response = client.post(
        reverse("needs:attachment_add", args=[need.pk]),
        {"file": SimpleUploadedFile("cahier-des-charges.pdf", PDF)},
        follow=True,
    )
    attachment = NeedAttachment.objects.get(need=need)
    assert "« cahier-des-charges.pdf » a été joint." in _text(response)
    download_url = reverse("needs:attachment_download", args=[need.pk, attachment.pk])
    assert download_url in _text(response)

    client.logout()
    download = client.get(download_url)
    assert download.status_code == HTTPStatus.OK
    assert b"".join(download.streaming_content) == PDF
    assert "cahier-des-charges.pdf" in download["Content-Disposition"]

    client.force_login(member_user)
    client.post(reverse("needs:attachment_remove", args=[need.pk, attachment.pk]))
    assert not NeedAttachment.objects.filter(pk=attachment.pk).exists()


def test_attachment_of_a_draft_is_hidden_from_others(
    client, member_user, other_member_user, draft_need, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(member_user)
    client.post(
        reverse("needs:attachment_add", args=[draft_need.pk]),
        {"file": SimpleUploadedFile("note.pdf", PDF)},
    )
    attachment = NeedAttachment.objects.get()

    client.force_login(other_member_user)
    response = client.get(
        reverse("needs:attachment_download", args=[draft_need.pk, attachment.pk])
    )

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_attachment_by_another_organisation_is_forbidden(
    client, other_member_user, need
):
    client.force_login(other_member_user)

    response = client.post(
        reverse("needs:attachment_add", args=[need.pk]),
        {"file": SimpleUploadedFile("note.pdf", PDF)},
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not NeedAttachment.objects.exists()


def test_attachment_of_a_bad_kind_is_refused_in_french(
    client, member_user, need, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(member_user)

    response = client.post(
        reverse("needs:attachment_add", args=[need.pk]),
        {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00")},
        follow=True,
    )

    assert "Ce type de fichier ne peut pas être joint." in _text(response)
    assert not NeedAttachment.objects.exists()


def test_member_of_two_organisations_supports_in_the_other_name(
    client, member_user, other_organisation, need
):
    # Given the member also belongs to UM
    MembershipFactory(person=member_user, organisation=other_organisation)
    client.force_login(member_user)

    # When they open the support page
    response = client.get(reverse("needs:support", args=[need.pk]))

    # Then only UM is offered (the need's own organisation is not)
    text = _text(response)
    assert f'<option value="{other_organisation.pk}" selected>' in text
    assert "Conseil départemental de la Haute-Garonne (CD31)</option>" not in text


@pytest.mark.parametrize(
    ("title", "year", "resolution_m", "share", "fine_enough", "sentence"),
    [
        (
            "BD ORTHO",
            2023,
            0.2,
            0.8,
            True,
            "80 % de la surface couverte par BD ORTHO 2023 à 20 cm",
        ),
        (
            "Ortho 2016 Haute-Garonne",
            2016,
            1.5,
            0.004,
            False,
            "moins de 1 % de la surface couverte par Ortho 2016 Haute-Garonne "
            "à 1,5 m (moins fine que la résolution souhaitée)",
        ),
        ("PCRS", None, None, 0.995, None, "99 % de la surface couverte par PCRS"),
    ],
)
def test_catalogue_match_sentences(
    title, year, resolution_m, share, fine_enough, sentence
):
    from crig.needs.selectors.matching import DatasetMatch
    from crig.needs.views.needs import _dataset_sentence

    match = DatasetMatch(
        dataset_id=1,
        title=title,
        year=year,
        resolution_m=resolution_m,
        producer_name="IGN",
        area_share=share,
        communes=3,
        fine_enough=fine_enough,
    )

    assert _dataset_sentence(match) == sentence


def test_need_page_links_each_commune_to_its_most_recent_dataset(client, territory):
    from crig.catalog.models import CommuneCoverage
    from crig.catalog.tests.factories import DatasetFactory

    need = NeedFactory(theme="orthophotographie", communes=["31555", "31069"])
    dataset = DatasetFactory(
        title="Ortho 2023", year=2023, referentiel="orthophotographie"
    )
    CommuneCoverage.objects.create(dataset=dataset, commune_id="31555", fraction=1.0)

    text = _text(client.get(need.get_absolute_url()))

    table = text[text.index('id="match-communes-own"') :]
    table = table[: table.index("</table>")]
    url = reverse("catalog:dataset_detail", args=[dataset.pk])
    link = f'<a href="{url}">Ortho 2023</a>'
    assert table.count(link) == 1  # Toulouse's row; Blagnac's has none
    assert table.count("<tr>") == 3  # the header and two communes
