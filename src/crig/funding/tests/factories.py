"""Factories of the funding module. A request's territory defaults to the commune
of Toulouse (whole), written directly so that factories need no service."""

from decimal import Decimal

import factory
from django.utils import timezone

from crig.funding.models import (
    BudgetLine,
    DataLicence,
    FundingRequest,
    Opinion,
    Programme,
    RequestCommune,
    ReviewerSeat,
    SignatoryPosition,
)
from crig.members.tests.factories import (
    OrganisationFactory,
    SignatoryFactory,
    UserFactory,
)
from crig.needs.models import Theme
from crig.territory.models import Commune


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    signatory = factory.SubFactory(SignatoryFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")


class FundingRequestFactory(factory.django.DjangoModelFactory):
    """A submitted request of a fresh organisation over Toulouse, budget 100 k€ =
    60 k€ requested + 40 k€ self-funding."""

    class Meta:
        model = FundingRequest
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"FIN-2024-{n:03d}")
    signatory = factory.SubFactory(SignatoryFactory)
    applicant = factory.SubFactory(OrganisationFactory)
    entered_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"PCRS de test {n}")
    public_summary = "Levé d'un PCRS vecteur sur le territoire."
    description = "Détail confidentiel du projet et du marché envisagé."
    theme = Theme.PCRS
    amount_requested = Decimal("60000.00")
    self_funding = Decimal("40000.00")
    data_licence = DataLicence.LICENCE_OUVERTE
    state = FundingRequest.State.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def communes(obj, create, extracted, **kwargs):
        if not create:
            return
        communes = list(Commune.objects.filter(insee__in=extracted or ["31555"]))
        RequestCommune.objects.bulk_create(
            [RequestCommune(request=obj, commune=c, fraction=1.0) for c in communes]
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

    @factory.post_generation
    def budget(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            BudgetLine.objects.create(
                request=obj, label="Prestation de levé", amount=Decimal("100000.00")
            )


class ReviewerSeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerSeat

    request = factory.SubFactory(FundingRequestFactory)
    signatory = factory.SubFactory(SignatoryFactory)
    reviewer = factory.SubFactory(UserFactory)


class SignatoryPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignatoryPosition

    request = factory.SubFactory(FundingRequestFactory)
    signatory = factory.SubFactory(SignatoryFactory)
    position = "favorable"
    scores = factory.LazyFunction(
        lambda: {
            "openness": 4,
            "standards": 3,
            "pooling": 3,
            "coverage_gap": 2,
            "needs_and_plan": 3,
        }
    )


class OpinionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opinion

    request = factory.SubFactory(
        FundingRequestFactory, state=FundingRequest.State.OPINION_ISSUED
    )
    verdict = Opinion.Verdict.FAVORABLE
    reasoning = "Projet conforme au standard PCRS du CNIG, données ouvertes."
    adopted_on = factory.LazyFunction(lambda: timezone.localdate())
    adoption = Opinion.Adoption.MEETING
    meeting_label = "Comité du CRIG"
    issued_at = factory.LazyFunction(timezone.now)
