import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from crig.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from crig.members import services
from crig.members.models import ApiToken, Invitation, Membership, Organisation, User
from crig.members.tests import factories
from crig.members.tests.fixtures import PASSWORD

# Organisations -------------------------------------------------------------------


@pytest.mark.django_db
def test_organisation_create_normalises_and_slugs():
    organisation = services.organisation_create(
        name="  Toulouse   Métropole ",
        acronym="TM",
        siren="243 100 518",
        category=Organisation.Category.COLLECTIVITE,
        is_openig_member=True,
        openig_member_since=2012,
    )

    organisation.refresh_from_db()
    assert organisation.name == "Toulouse Métropole"
    assert organisation.siren == "243100518"
    assert organisation.slug == "toulouse-metropole"
    assert organisation.search_name == "toulouse metropole"
    assert organisation.openig_member_since == 2012


@pytest.mark.django_db
def test_organisation_slugs_stay_unique():
    factories.OrganisationFactory(name="Autre", slug="sdis-31")

    organisation = services.organisation_create(
        name="SDIS 31", category=Organisation.Category.AUTRE_PUBLIC
    )

    assert organisation.slug == "sdis-31-2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "siren", "field"),
    [
        ("Toulouse Métropole", None, "name"),
        ("TOULOUSE METROPOLE", None, "name"),
        ("toulouse-métropole", None, "name"),
        ("Une autre", "243100518", "siren"),
    ],
)
def test_duplicate_organisations_are_refused(name, siren, field):
    services.organisation_create(
        name="Toulouse Métropole",
        siren="243100518",
        category=Organisation.Category.COLLECTIVITE,
    )

    with pytest.raises(Conflict) as excinfo:
        services.organisation_create(
            name=name, siren=siren, category=Organisation.Category.COLLECTIVITE
        )

    assert excinfo.value.field == field
    assert "Toulouse Métropole" in str(excinfo.value.message)
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"siren": "243100519"}, "siren"),
        ({"siren": "12345"}, "siren"),
        ({"category": "club"}, "category"),
        ({"name": ""}, "name"),
        ({"website": "pas une adresse"}, "website"),
        (
            {"is_openig_member": True, "openig_member_since": 1900},
            "openig_member_since",
        ),
    ],
)
def test_organisation_create_validates_fields(fields, error_field):
    arguments = {"name": "CA du Grand Narbonne", "category": "collectivite"} | fields

    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(**arguments)

    assert error_field in excinfo.value.message_dict
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_membership_year_without_membership_is_dropped():
    organisation = services.organisation_create(
        name="Géomètres associés",
        category=Organisation.Category.ENTREPRISE,
        is_openig_member=False,
        openig_member_since=2015,
    )

    assert organisation.openig_member_since is None


def test_organisation_update_refuses_a_duplicate_and_changes_nothing(
    organisation, other_organisation
):
    with pytest.raises(Conflict):
        services.organisation_update(
            organisation=other_organisation,
            name="conseil départemental de la haute-garonne",
            website="https://www.umontpellier.fr/",
        )

    other_organisation.refresh_from_db()
    assert other_organisation.name == "Université de Montpellier"
    assert other_organisation.website == ""


def test_organisation_update_changes_facts_but_not_slug(organisation):
    updated = services.organisation_update(
        organisation=organisation, name="Département de la Haute-Garonne"
    )

    assert updated.name == "Département de la Haute-Garonne"
    assert updated.search_name == "departement de la haute garonne"
    assert updated.slug == "conseil-departemental-de-la-haute-garonne"


# Perimeters ------------------------------------------------------------------------


def test_set_perimeter_expands_epci_and_departements(organisation, territory):
    count = services.organisation_set_perimeter(
        organisation=organisation,
        epcis=["243400017"],  # Montpellier Méditerranée Métropole: 31 communes
        departements=["31"],
        communes=["31555", "09122"],  # Toulouse (already in 31), Foix
    )

    haute_garonne = set(
        territory.departements.get(code="31").communes.values_list("insee", flat=True)
    )
    expected = (
        haute_garonne
        | {"09122"}
        | set(
            territory.departements.get(code="34")
            .communes.filter(epci_id="243400017")
            .values_list("insee", flat=True)
        )
    )
    assert count == len(expected)
    assert set(organisation.perimeter.values_list("insee", flat=True)) == expected
    outline = json.loads(organisation.perimeter_outline)
    assert outline["type"] == "MultiPolygon"
    west, south, east, north = organisation.perimeter_bbox
    assert west < 1.0 < 4.0 < east  # from Haute-Garonne to Montpellier
    assert 42.6 < south < 43.0 < north < 44.0


def test_set_perimeter_refuses_unknown_codes_and_names_them(organisation, territory):
    services.organisation_set_perimeter(organisation=organisation, communes=["31555"])

    with translation.override("en"), pytest.raises(InvalidInput) as excinfo:
        services.organisation_set_perimeter(
            organisation=organisation,
            communes=["31555", "99999", "75056"],
            epcis=["243100518", "200000000"],
            departements=["31", "75"],
        )

    assert str(excinfo.value.message) == (
        "The perimeter was not changed: unknown communes: 75056, 99999; "
        "unknown EPCI: 200000000; unknown départements: 75."
    )
    assert list(organisation.perimeter.values_list("insee", flat=True)) == ["31555"]


def test_set_perimeter_to_nothing_clears_the_outline(organisation, territory):
    services.organisation_set_perimeter(organisation=organisation, communes=["31555"])

    count = services.organisation_set_perimeter(organisation=organisation)

    organisation.refresh_from_db()
    assert count == 0
    assert organisation.perimeter_outline == ""
    assert organisation.perimeter_bbox is None


# Memberships -----------------------------------------------------------------------


def test_referent_adds_and_manages_members_of_own_organisation(
    organisation, referent_user, plain_user
):
    membership = services.membership_add(
        person=plain_user, organisation=organisation, by=referent_user
    )
    assert membership.role == Membership.Role.MEMBER

    services.membership_set_role(
        person=plain_user,
        organisation=organisation,
        role=Membership.Role.REFERENT,
        by=referent_user,
    )
    assert Membership.objects.get(pk=membership.pk).role == Membership.Role.REFERENT

    services.membership_remove(
        person=plain_user, organisation=organisation, by=referent_user
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_referent_cannot_add_members_elsewhere(
    other_organisation, referent_user, plain_user
):
    with pytest.raises(PermissionDenied):
        services.membership_add(
            person=plain_user, organisation=other_organisation, by=referent_user
        )
    assert not plain_user.memberships.exists()


def test_membership_add_twice_is_a_conflict(organisation, member_user):
    with pytest.raises(Conflict):
        services.membership_add(person=member_user, organisation=organisation)


def test_membership_set_role_refuses_unknown_role(organisation, member_user):
    with pytest.raises(InvalidInput):
        services.membership_set_role(
            person=member_user, organisation=organisation, role="king"
        )
    assert member_user.memberships.get().role == Membership.Role.MEMBER


def test_membership_remove_of_a_non_member_is_not_found(organisation, plain_user):
    with pytest.raises(NotFound):
        services.membership_remove(person=plain_user, organisation=organisation)


# Invitations -----------------------------------------------------------------------


def test_invitation_create_stores_only_a_hash(organisation, referent_user, mailoutbox):
    invitation = services.invitation_create(
        invited_by=referent_user,
        email=" New.Person@Example.org ",
        organisation=organisation,
    )

    assert invitation.email == "new.person@example.org"
    assert len(mailoutbox) == 1
    raw_token = mailoutbox[0].body.split("/invitation/")[1].split("/")[0]
    assert raw_token not in invitation.token_hash
    assert invitation.token_hash == services.invitation_token_hash(raw_token)
    assert invitation.expires_at - timezone.now() > timedelta(days=13)


@pytest.mark.parametrize("role", ["member_user", "reviewer_user", "plain_user"])
def test_only_referents_and_staff_invite(request, mailoutbox, organisation, role):
    person = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        services.invitation_create(
            invited_by=person, email="x@example.org", organisation=organisation
        )

    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_referent_cannot_invite_to_another_organisation(
    other_organisation, referent_user, mailoutbox
):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            invited_by=referent_user,
            email="x@example.org",
            organisation=other_organisation,
        )
    assert not Invitation.objects.exists()


def test_secretariat_invites_anywhere_and_without_organisation(
    other_organisation, secretariat_user, mailoutbox
):
    services.invitation_create(
        invited_by=secretariat_user, email="a@example.org", organisation=None
    )
    services.invitation_create(
        invited_by=secretariat_user,
        email="b@example.org",
        organisation=other_organisation,
    )

    assert Invitation.objects.count() == 2
    assert len(mailoutbox) == 2


def test_inviting_an_existing_member_is_a_conflict(
    organisation, referent_user, member_user, mailoutbox
):
    with pytest.raises(Conflict):
        services.invitation_create(
            invited_by=referent_user, email=member_user.email, organisation=organisation
        )
    assert mailoutbox == []


def test_a_new_invitation_supersedes_the_pending_one(
    organisation, referent_user, mailoutbox
):
    first = services.invitation_create(
        invited_by=referent_user, email="x@example.org", organisation=organisation
    )
    services.invitation_create(
        invited_by=referent_user, email="x@example.org", organisation=organisation
    )

    first.refresh_from_db()
    assert not first.is_pending
    assert Invitation.objects.filter(accepted_at__isnull=True).count() == 2


def _invite(organisation, inviter, email="new@example.org", role="member"):
    invitation = services.invitation_create(
        invited_by=inviter, email=email, organisation=organisation, role=role
    )
    from django.core import mail

    raw_token = mail.outbox[-1].body.split("/invitation/")[1].split("/")[0]
    return invitation, raw_token


def test_invitation_accept_creates_the_account(organisation, referent_user, mailoutbox):
    invitation, raw_token = _invite(organisation, referent_user, role="referent")

    user = services.invitation_accept(
        raw_token=raw_token, full_name="Nina Nouvelle", password="Occitanie-2024!"
    )

    assert user.email == "new@example.org"
    assert user.check_password("Occitanie-2024!")
    assert user.memberships.get().role == Membership.Role.REFERENT
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    with pytest.raises(NotFound):
        services.invitation_accept(
            raw_token=raw_token, full_name="Encore", password="Occitanie-2024!"
        )


def test_invitation_accept_refuses_a_weak_password(
    organisation, referent_user, mailoutbox
):
    invitation, raw_token = _invite(organisation, referent_user)

    with pytest.raises(ValidationError):
        services.invitation_accept(raw_token=raw_token, full_name="N", password="1234")

    assert not User.objects.filter(email="new@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_existing_account_must_log_in_then_gains_membership(
    organisation, referent_user, plain_user, mailoutbox
):
    _invitation, raw_token = _invite(organisation, referent_user, plain_user.email)

    with pytest.raises(Conflict):
        services.invitation_accept(
            raw_token=raw_token, full_name="Paul", password="Occitanie-2024!"
        )
    services.invitation_accept(raw_token=raw_token, user=plain_user)

    assert plain_user.memberships.get().organisation == organisation


def test_expired_invitation_is_refused(organisation, referent_user, mailoutbox):
    invitation, raw_token = _invite(organisation, referent_user)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    with pytest.raises(NotFound):
        services.invitation_accept(
            raw_token=raw_token, full_name="Nina", password="Occitanie-2024!"
        )


# Accounts --------------------------------------------------------------------------


def test_user_export_data_holds_everything_about_the_person(
    organisation, referent_user, signatory, mailoutbox
):
    factories.ReviewerAssignmentFactory(person=referent_user, signatory=signatory)
    services.invitation_create(
        invited_by=referent_user, email="x@example.org", organisation=organisation
    )
    token, _raw = services.api_token_create(user=referent_user, name="QGIS")

    data = services.user_export_data(user=referent_user)

    assert data["profile"]["email"] == "referent@example.org"
    assert data["profile"]["full_name"] == "Rémi Référent"
    assert data["memberships"] == [
        {
            "organisation_id": organisation.pk,
            "organisation": organisation.name,
            "role": "referent",
            "since": data["memberships"][0]["since"],
        }
    ]
    assert [r["signatory"] for r in data["reviewer_roles"]] == ["Région Occitanie"]
    assert [i["email"] for i in data["invitations_sent"]] == ["x@example.org"]
    assert data["api_tokens"][0]["name"] == "QGIS"
    assert data["api_tokens"][0]["prefix"] == token.prefix
    assert "key_hash" not in data["api_tokens"][0]
    json.dumps(data)  # JSON-ready


def test_user_close_account_anonymises_and_keeps_history(
    organisation, referent_user, signatory, mailoutbox
):
    factories.ReviewerAssignmentFactory(person=referent_user, signatory=signatory)
    invitation = services.invitation_create(
        invited_by=referent_user, email="x@example.org", organisation=organisation
    )
    token, raw_token = services.api_token_create(user=referent_user, name="QGIS")

    services.user_close_account(user=referent_user, password=PASSWORD)

    referent_user.refresh_from_db()
    assert referent_user.email == f"closed-account-{referent_user.pk}@invalid.invalid"
    assert referent_user.full_name == ""
    assert not referent_user.is_active
    assert not referent_user.has_usable_password()
    assert referent_user.closed_at is not None
    assert not referent_user.memberships.exists()
    assert not referent_user.reviewer_assignments.exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.api_token_authenticate(raw_token=raw_token) is None
    invitation.refresh_from_db()
    assert invitation.invited_by == referent_user  # history keeps its author
    assert not invitation.is_pending


def test_user_close_account_with_wrong_password_changes_nothing(member_user):
    with pytest.raises(InvalidInput):
        services.user_close_account(user=member_user, password="wrong")

    member_user.refresh_from_db()
    assert member_user.is_active
    assert member_user.memberships.exists()


def test_the_last_administrator_cannot_close_their_account(admin_user):
    with pytest.raises(Conflict):
        services.user_close_account(user=admin_user, password=PASSWORD)
    admin_user.refresh_from_db()
    assert admin_user.is_active


# API tokens ------------------------------------------------------------------------


def test_api_token_round_trip(member_user):
    token, raw_token = services.api_token_create(user=member_user, name=" QGIS ")

    assert raw_token.startswith("crig_")
    assert token.name == "QGIS"
    assert raw_token not in token.key_hash
    assert services.api_token_authenticate(raw_token=raw_token) == member_user
    token.refresh_from_db()
    assert token.last_used_at is not None

    services.api_token_revoke(user=member_user, token_id=token.pk)

    assert services.api_token_authenticate(raw_token=raw_token) is None


@pytest.mark.parametrize("raw", ["", "crig_", "crig_wrong", "Bearer x", "x" * 500])
def test_api_token_authenticate_refuses_unknown_tokens(member_user, raw):
    services.api_token_create(user=member_user, name="QGIS")

    assert services.api_token_authenticate(raw_token=raw) is None


def test_a_person_cannot_revoke_another_persons_token(member_user, referent_user):
    token, raw_token = services.api_token_create(user=member_user, name="QGIS")

    with pytest.raises(NotFound):
        services.api_token_revoke(user=referent_user, token_id=token.pk)

    assert services.api_token_authenticate(raw_token=raw_token) == member_user


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_api_token_create_needs_a_reasonable_name(member_user, name):
    with pytest.raises(InvalidInput):
        services.api_token_create(user=member_user, name=name)
    assert not ApiToken.objects.exists()
