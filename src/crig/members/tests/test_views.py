import io
import json
from html import unescape
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from crig.members import services
from crig.members.models import ApiToken, Membership, Organisation, User
from crig.members.tests import factories
from crig.members.tests.fixtures import PASSWORD


def _text(response) -> str:
    """The page's text with HTML entities decoded (Django escapes apostrophes)."""
    return unescape(response.content.decode())


def _login(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


# Directory -----------------------------------------------------------------------


def test_directory_groups_by_category_with_counts(
    client, organisation, other_organisation
):
    response = client.get(reverse("members:directory"))

    assert response.status_code == HTTPStatus.OK
    html = _text(response)
    assert "Annuaire des membres" in html
    assert "2 structures participent au CRIG." in html
    assert '<h2 id="category-collectivite">Collectivités' in html
    assert '<h2 id="category-academique">Académique, scientifique' in html
    assert "Conseil départemental de la Haute-Garonne" in html
    assert 'data-geojson-url="/api/v1/organisations?format=geojson"' in html
    counts = {row.code: row.count for row in response.context["category_counts"]}
    assert counts["collectivite"] == 1
    assert counts["academique"] == 1
    assert counts["etat"] == 0


def test_directory_search_is_accent_insensitive(
    client, organisation, other_organisation
):
    response = client.get(reverse("members:directory"), {"q": "universite"})

    html = _text(response)
    assert "Université de Montpellier" in html
    assert "Conseil départemental de la Haute-Garonne" not in html
    assert "q=universite" in response.context["geojson_url"]


def test_directory_with_bad_filters_still_answers(client, organisation):
    response = client.get(reverse("members:directory"), {"category": "club"})

    assert response.status_code == HTTPStatus.OK
    assert "Certains filtres ne sont pas valides" in _text(response)


# Organisation page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_people", "can_invite"),
    [
        ("anonymous", False, False),
        ("plain_user", False, False),
        ("member_user", True, False),
        ("referent_user", True, True),
        ("reviewer_user", False, False),
        ("secretariat_user", True, True),
        ("admin_user", True, True),
    ],
)
def test_organisation_page_per_role(
    request, client, organisation, member_user, role, sees_people, can_invite
):
    _login(client, request, role)

    response = client.get(organisation.get_absolute_url())

    html = _text(response)
    assert response.status_code == HTTPStatus.OK
    assert "<h1>Conseil départemental de la Haute-Garonne" in html
    assert ("member@example.org" in html) is sees_people
    assert ("Marie Membre" in html) is sees_people
    invite_url = reverse("members:invitation_create", args=[organisation.slug])
    assert (invite_url in html) is can_invite


def test_referent_of_another_organisation_sees_no_people(
    client, other_organisation, referent_user
):
    factories.MembershipFactory(
        organisation=other_organisation, person__email="um@example.org"
    )
    client.force_login(referent_user)

    html = _text(client.get(other_organisation.get_absolute_url()))

    assert "um@example.org" not in html
    assert "La liste des personnes n'est visible que" in html


def test_signatory_badge(client, signatory):
    html = _text(client.get(signatory.organisation.get_absolute_url()))

    assert "Signataire de la convention du CRIG" in html


def test_unknown_organisation_is_404(client, db):
    response = client.get("/membres/nulle-part/")

    assert response.status_code == HTTPStatus.NOT_FOUND


# Organisation edit ------------------------------------------------------------------


def _png(size=(40, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_referent_edits_the_presentation(client, organisation, referent_user):
    client.force_login(referent_user)
    url = reverse("members:organisation_edit", args=[organisation.slug])

    response = client.post(
        url,
        {
            "acronym": "CD31",
            "website": "https://www.haute-garonne.fr/",
            "description": "Le département.",
            "logo": _png(),
            # Not in a referent's form: ignored.
            "name": "Autre nom",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    organisation.refresh_from_db()
    assert organisation.website == "https://www.haute-garonne.fr/"
    assert organisation.name == "Conseil départemental de la Haute-Garonne"
    assert organisation.logo.name.startswith("logos/")


def test_a_bad_logo_is_refused_in_french(client, organisation, referent_user):
    client.force_login(referent_user)
    url = reverse("members:organisation_edit", args=[organisation.slug])
    big = _png(size=(2500, 10))

    response = client.post(url, {"acronym": "X", "logo": big})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Le logo mesure 2500 × 10 pixels" in _text(response)
    organisation.refresh_from_db()
    assert organisation.acronym == "CD31"
    assert not organisation.logo


def test_secretariat_renaming_to_a_duplicate_gets_a_french_error(
    client, organisation, other_organisation, secretariat_user
):
    client.force_login(secretariat_user)
    url = reverse("members:organisation_edit", args=[other_organisation.slug])

    response = client.post(
        url,
        {
            "name": "CONSEIL DÉPARTEMENTAL DE LA HAUTE-GARONNE",
            "category": "academique",
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Une structure porte déjà ce nom : Conseil départemental de la Haute-Garonne."
        in _text(response)
    )
    other_organisation.refresh_from_db()
    assert other_organisation.name == "Université de Montpellier"


@pytest.mark.parametrize("role", ["member_user", "reviewer_user", "plain_user"])
def test_others_cannot_edit(request, client, organisation, role):
    _login(client, request, role)

    response = client.get(
        reverse("members:organisation_edit", args=[organisation.slug])
    )

    assert response.status_code == HTTPStatus.FORBIDDEN


# Membership management --------------------------------------------------------------


def test_referent_changes_a_role_then_removes_a_member(
    client, organisation, referent_user, member_user
):
    client.force_login(referent_user)
    url = reverse("members:membership_change", args=[organisation.slug, member_user.pk])

    client.post(url, {"action": "set_role", "role": "referent"})
    assert member_user.memberships.get().role == Membership.Role.REFERENT

    client.post(url, {"action": "remove"})
    assert not member_user.memberships.exists()


def test_member_cannot_manage_memberships(
    client, organisation, member_user, referent_user
):
    client.force_login(member_user)
    url = reverse(
        "members:membership_change", args=[organisation.slug, referent_user.pk]
    )

    response = client.post(url, {"action": "remove"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert referent_user.memberships.exists()


# Invitations ------------------------------------------------------------------------


def test_invitation_page_needs_login(client, organisation):
    url = reverse("members:invitation_create", args=[organisation.slug])

    response = client.get(url)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/connexion/?next=")


def test_referent_invites_from_the_page(
    client, organisation, referent_user, mailoutbox
):
    client.force_login(referent_user)
    url = reverse("members:invitation_create", args=[organisation.slug])

    response = client.post(
        url, {"email": "nina@example.org", "role": "member"}, follow=True
    )

    assert "Une invitation a été envoyée à nina@example.org." in _text(response)
    assert [message.to for message in mailoutbox] == [["nina@example.org"]]


def test_invitation_form_shows_french_errors(
    client, organisation, referent_user, mailoutbox
):
    client.force_login(referent_user)
    url = reverse("members:invitation_create", args=[organisation.slug])

    response = client.post(url, {"email": "pas-une-adresse", "role": "roi"})

    html = _text(response)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Saisissez une adresse de courriel valide." in html
    assert "Sélectionnez un choix valide." in html
    assert mailoutbox == []


def _sent_token(mailoutbox):
    return mailoutbox[-1].body.split("/invitation/")[1].split("/")[0]


def test_invitee_creates_an_account(client, organisation, referent_user, mailoutbox):
    services.invitation_create(
        invited_by=referent_user, email="nina@example.org", organisation=organisation
    )
    url = reverse("members:invitation_accept", args=[_sent_token(mailoutbox)])

    page = client.get(url)
    assert "Créez votre compte : vous vous connecterez avec nina@example.org." in (
        _text(page)
    )
    response = client.post(
        url,
        {
            "full_name": "Nina Nouvelle",
            "password1": "Occitanie-2024!",
            "password2": "Occitanie-2024!",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("members:account")
    nina = User.objects.get(email="nina@example.org")
    assert nina.memberships.get().organisation == organisation
    assert int(client.session["_auth_user_id"]) == nina.pk


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"full_name": "Nina", "password1": "Occitanie-2024!", "password2": "autre"},
            "Les deux mots de passe sont différents.",
        ),
        (
            {"full_name": "Nina", "password1": "12345678", "password2": "12345678"},
            "Ce mot de passe est entièrement numérique.",
        ),
        (
            {"full_name": "", "password1": "Occitanie-2024!", "password2": "x"},
            "Ce champ est obligatoire.",
        ),
    ],
)
def test_invitee_bad_input_shows_french_errors_and_saves_nothing(
    client, organisation, referent_user, mailoutbox, data, error
):
    services.invitation_create(
        invited_by=referent_user, email="nina@example.org", organisation=organisation
    )
    url = reverse("members:invitation_accept", args=[_sent_token(mailoutbox)])

    response = client.post(url, data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error in _text(response)
    assert not User.objects.filter(email="nina@example.org").exists()


def test_existing_account_accepts_after_login(
    client, organisation, referent_user, plain_user, mailoutbox
):
    services.invitation_create(
        invited_by=referent_user, email=plain_user.email, organisation=organisation
    )
    url = reverse("members:invitation_accept", args=[_sent_token(mailoutbox)])

    page = _text(client.get(url))
    assert "connectez-vous pour accepter l'invitation" in page
    client.force_login(plain_user)
    response = client.post(url, follow=True)

    assert "Vous avez rejoint Conseil départemental de la Haute-Garonne" in (
        _text(response)
    )
    assert plain_user.memberships.get().organisation == organisation


def test_invalid_invitation_link(client, db):
    response = client.get(reverse("members:invitation_accept", args=["nope"]))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Ce lien d'invitation n'est pas valide" in _text(response)


# Account ----------------------------------------------------------------------------


def test_account_needs_login(client, db):
    response = client.get(reverse("members:account"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/connexion/?next=/mon-compte/"


def test_account_shows_roles(client, reviewer_user, organisation):
    factories.MembershipFactory(person=reviewer_user, organisation=organisation)
    client.force_login(reviewer_user)

    html = _text(client.get(reverse("members:account")))

    assert "Mon compte" in html
    assert "Conseil départemental de la Haute-Garonne</a> — Membre" in html
    assert "Relecteur pour" in html
    assert "Région Occitanie" in html


def test_profile_edit_and_empty_name_refused(client, member_user):
    client.force_login(member_user)

    bad = client.post(reverse("members:account"), {"full_name": "  ", "job_title": "x"})
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert "Ce champ est obligatoire." in _text(bad)
    member_user.refresh_from_db()
    assert member_user.full_name == "Marie Membre"

    client.post(
        reverse("members:account"),
        {"full_name": "Marie Dupont", "job_title": "Géomaticienne"},
    )
    member_user.refresh_from_db()
    assert member_user.full_name == "Marie Dupont"
    assert member_user.job_title == "Géomaticienne"


def test_token_is_shown_once_then_revoked(client, member_user):
    client.force_login(member_user)

    response = client.post(reverse("members:api_token_create"), {"name": "QGIS"})

    raw_token = response.context["new_raw_token"]
    assert raw_token in _text(response)
    assert "il ne sera plus affiché" in _text(response)
    assert raw_token not in _text(client.get(reverse("members:account")))
    token = ApiToken.objects.get(person=member_user)
    client.post(reverse("members:api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_without_name_is_refused(client, member_user):
    client.force_login(member_user)

    response = client.post(reverse("members:api_token_create"), {"name": ""})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Ce champ est obligatoire." in _text(response)
    assert not ApiToken.objects.exists()


def test_revoking_someone_elses_token_fails(client, member_user, referent_user):
    token, _raw = services.api_token_create(user=referent_user, name="QGIS")
    client.force_login(member_user)

    response = client.post(
        reverse("members:api_token_revoke", args=[token.pk]), follow=True
    )

    assert "Ce jeton n'existe pas." in _text(response)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_data_download(client, member_user):
    client.force_login(member_user)

    response = client.get(reverse("members:account_export"))

    assert response["Content-Disposition"].startswith('attachment; filename="crig-')
    data = json.loads(response.content)
    # Every module's part (core.privacy); the members part is the account's data.
    assert (
        data["members"]["profile"]
        == (services.user_export_data(user=member_user)["profile"])
    )
    assert data["email"] == member_user.email


def test_close_account_with_wrong_password_changes_nothing(client, member_user):
    client.force_login(member_user)

    response = client.post(
        reverse("members:account_close"), {"password": "faux", "confirm": "on"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Le mot de passe est incorrect." in _text(response)
    member_user.refresh_from_db()
    assert member_user.is_active


def test_close_account_logs_out(client, member_user):
    client.force_login(member_user)

    response = client.post(
        reverse("members:account_close"), {"password": PASSWORD, "confirm": "on"}
    )

    assert response["Location"] == reverse("core:home")
    assert "_auth_user_id" not in client.session
    member_user.refresh_from_db()
    assert not member_user.is_active
    assert not member_user.memberships.exists()


# Sign-in and password reset -------------------------------------------------------


def test_login_page_in_french_and_bad_credentials(client, member_user):
    page = client.get(reverse("members:login"))
    assert "Mot de passe oublié ?" in _text(page)

    response = client.post(
        reverse("members:login"), {"username": member_user.email, "password": "faux"}
    )

    assert "Saisissez une adresse électronique et un mot de passe valides." in (
        _text(response)
    )


def test_login_then_logout(client, member_user):
    response = client.post(
        reverse("members:login"), {"username": member_user.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("members:account")

    client.post(reverse("members:logout"))

    assert "_auth_user_id" not in client.session


def test_password_reset_flow(client, member_user, mailoutbox):
    response = client.post(
        reverse("members:password_reset"), {"email": member_user.email}
    )
    assert response["Location"] == reverse("members:password_reset_done")
    body = mailoutbox[0].body
    assert mailoutbox[0].subject == "Choisissez un nouveau mot de passe"
    assert "CRIG Occitanie" in body
    link = next(line for line in body.splitlines() if "/mot-de-passe/nouveau/" in line)
    path = link.split("testserver", 1)[1]

    form_page = client.get(path, follow=True)
    assert "Nouveau mot de passe" in _text(form_page)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Occitanie-2025!", "new_password2": "Occitanie-2025!"},
    )

    assert done["Location"] == reverse("members:password_reset_complete")
    member_user.refresh_from_db()
    assert member_user.check_password("Occitanie-2025!")


# Admin ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("secretariat_user", HTTPStatus.OK), ("admin_user", HTTPStatus.OK)],
)
@pytest.mark.parametrize(
    "url",
    [
        "/admin/members/organisation/",
        "/admin/members/membership/",
        "/admin/members/signatory/",
        "/admin/members/organisation/add/",
    ],
)
def test_admin_for_the_secretariat(request, client, organisation, role, status, url):
    client.force_login(request.getfixturevalue(role))

    assert client.get(url).status_code == status


def test_admin_api_tokens_are_for_administrators(client, secretariat_user):
    client.force_login(secretariat_user)

    assert client.get("/admin/members/apitoken/").status_code == HTTPStatus.FORBIDDEN


def test_secretariat_sets_a_perimeter_in_the_admin(
    client, organisation, secretariat_user, territory
):
    client.force_login(secretariat_user)
    url = f"/admin/members/organisation/{organisation.pk}/change/"
    data = {
        "name": organisation.name,
        "acronym": organisation.acronym,
        "slug": organisation.slug,
        "category": organisation.category,
        "perimeter_epcis": "243100518",
        "perimeter_communes": "",
        "perimeter_departements": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    bad = client.post(url, data | {"perimeter_communes": "99999"})
    assert "communes inconnues : 99999" in _text(bad)
    assert organisation.perimeter.count() == 0

    response = client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert organisation.perimeter.count() == 37


@pytest.mark.parametrize("category", ["collectivite", "etat"])
def test_organisation_categories_have_french_labels(category):
    assert str(Organisation.Category(category).label) in {"Collectivités", "État"}
