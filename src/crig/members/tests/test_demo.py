import io

import pytest
from django.contrib.auth import authenticate

from crig.members import demo
from crig.members.models import (
    Convention,
    Membership,
    Organisation,
    ReviewerAssignment,
    Signatory,
    User,
)


@pytest.fixture
def loaded(territory):
    return demo.load_demo(stdout=io.StringIO())


def test_demo_has_the_convention_and_four_signatories(loaded):
    convention = Convention.objects.get()
    assert convention.signed_on.isoformat() == "2019-06-01"
    assert convention.term_years == 3
    assert list(
        Signatory.objects.order_by("position").values_list(
            "organisation__name", flat=True
        )
    ) == [
        "Préfecture de la région Occitanie",
        "Région Occitanie",
        "IGN Occitanie",
        "OPenIG",
    ]
    assert all(s.role_fr and s.role_en for s in Signatory.objects.all())


def test_demo_fills_every_category(loaded):
    categories = set(Organisation.objects.values_list("category", flat=True))
    assert categories == set(Organisation.Category.values)


def test_demo_perimeters_are_real(loaded):
    toulouse = Organisation.objects.get(siren="243100518")
    assert toulouse.name == "Toulouse Métropole"
    assert toulouse.perimeter.filter(insee="31555").exists()
    assert toulouse.perimeter.count() == 37
    herault = Organisation.objects.get(acronym="CD34")
    assert (
        herault.perimeter.count()
        == herault.perimeter.filter(departement_id="34").count()
    )
    assert herault.perimeter.filter(insee="34172").exists()
    assert Organisation.objects.filter(acronym__startswith="CD").count() == 13
    region = Organisation.objects.get(name="Région Occitanie")
    assert region.perimeter.count() == 4453
    assert region.perimeter_outline


def test_demo_accounts_log_in_with_their_roles(loaded, rf):
    roles = {account.role: account for account in loaded}
    assert len(roles) == 5
    for account in loaded:
        # The login lockout (django-axes) needs the request to know the client.
        request = rf.post("/connexion/")
        assert authenticate(request, username=account.email, password=account.password)
    member = User.objects.get(email=roles["member"].email)
    assert member.memberships.get().role == Membership.Role.MEMBER
    referent = User.objects.get(email=roles["referent"].email)
    assert referent.memberships.get().role == Membership.Role.REFERENT
    assert ReviewerAssignment.objects.filter(
        person__email=roles["reviewer (Région Occitanie)"].email,
        signatory__organisation__name="Région Occitanie",
    ).exists()
    assert User.objects.get(email=roles["secretariat"].email).is_secretariat
    assert User.objects.get(email=roles["administrator"].email).is_superuser


def test_demo_is_idempotent(loaded):
    counts = (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Signatory.objects.count(),
        Convention.objects.count(),
    )

    demo.load_demo(stdout=io.StringIO())

    assert counts == (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Signatory.objects.count(),
        Convention.objects.count(),
    )
