import datetime

import factory

from crig.members.models import (
    ApiToken,
    Convention,
    Membership,
    Organisation,
    ReviewerAssignment,
    Signatory,
    User,
)
from crig.members.search import normalise_for_search

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    search_name = factory.LazyAttribute(lambda o: normalise_for_search(o.name))
    category = Organisation.Category.COLLECTIVITE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class ConventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Convention

    name = "Convention CRIG Occitanie"
    signed_on = datetime.date(2019, 6, 1)
    term_years = 3


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    convention = factory.SubFactory(ConventionFactory)
    organisation = factory.SubFactory(
        OrganisationFactory, category=Organisation.Category.ETAT
    )
    position = factory.Sequence(int)


class ReviewerAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerAssignment

    person = factory.SubFactory(UserFactory)
    signatory = factory.SubFactory(SignatoryFactory)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row only; use ``services.api_token_create`` to get a usable token."""

    class Meta:
        model = ApiToken

    person = factory.SubFactory(UserFactory)
    name = "script"
    prefix = factory.Sequence(lambda n: f"{n:08d}")
    key_hash = factory.Sequence(lambda n: f"{n:064x}")
