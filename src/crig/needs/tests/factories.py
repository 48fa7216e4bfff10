"""Factories of the needs module. A need's territory defaults to the commune of
Toulouse (whole), written directly so that factories need no service."""

import factory
from django.utils import timezone

from crig.members.tests.factories import OrganisationFactory, UserFactory
from crig.needs.models import (
    Ballot,
    Need,
    NeedCommune,
    Round,
    ScoringWeights,
    Support,
    SupportCommune,
    Theme,
)
from crig.territory.models import Commune


def _territory_of(obj, insee_codes, link_model, owner_field):
    communes = list(Commune.objects.filter(insee__in=insee_codes))
    link_model.objects.bulk_create(
        [link_model(**{owner_field: obj}, commune=c, fraction=1.0) for c in communes]
    )
    if len(communes) == 1:
        commune = communes[0]
        obj.outline = commune.outline
        obj.min_lon, obj.min_lat = commune.min_lon, commune.min_lat
        obj.max_lon, obj.max_lat = commune.max_lon, commune.max_lat
    obj.area_km2 = sum(c.area_km2 or 0 for c in communes)
    obj.population = sum(c.population for c in communes)
    obj.territory_description = ", ".join(c.name for c in communes)
    obj.save()


class NeedFactory(factory.django.DjangoModelFactory):
    """A published ("new") need of a fresh organisation over Toulouse."""

    class Meta:
        model = Need
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Besoin de test {n}")
    description = "Une orthophotographie récente à 5 cm pour le suivi de la voirie."
    theme = Theme.ORTHOPHOTO
    organisation = factory.SubFactory(OrganisationFactory)
    author = factory.SubFactory(UserFactory)
    contact = factory.SelfAttribute("author")
    state = Need.State.NEW
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def communes(obj, create, extracted, **kwargs):
        if create:
            _territory_of(obj, extracted or ["31555"], NeedCommune, "need")


class SupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Support
        skip_postgeneration_save = True

    need = factory.SubFactory(NeedFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    author = factory.SubFactory(UserFactory)
    comment = "Nous aussi."

    @factory.post_generation
    def communes(obj, create, extracted, **kwargs):
        if create:
            _territory_of(obj, extracted or ["31555"], SupportCommune, "support")


class ScoringWeightsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringWeights


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    year = 2024
    title = factory.Sequence(lambda n: f"Priorisation {n}")


class BallotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ballot

    round = factory.SubFactory(RoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    ranking = factory.LazyFunction(list)
