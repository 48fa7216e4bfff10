import datetime

import factory

from crig.actionplan.models import Action, Indicator, Milestone, Plan, ProgressUpdate
from crig.members.tests.factories import OrganisationFactory


class PlanFactory(factory.django.DjangoModelFactory):
    """A published plan."""

    class Meta:
        model = Plan
        django_get_or_create = ("year",)

    year = 2024
    title = factory.LazyAttribute(lambda plan: f"Plan d'actions {plan.year}")
    state = Plan.State.PUBLISHED


class ActionFactory(factory.django.DjangoModelFactory):
    """An action in progress, led by a fresh organisation."""

    class Meta:
        model = Action
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    category = Action.Category.REFERENTIELS
    title = factory.Sequence(lambda n: f"Action de test {n}")
    objectives = "Mutualiser l'acquisition d'une orthophotographie régionale."
    status = Action.Status.IN_PROGRESS
    progress = 40

    @factory.post_generation
    def leads(obj, create, extracted, **kwargs):
        if create:
            obj.leads.set(extracted or [OrganisationFactory()])


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    action = factory.SubFactory(ActionFactory)
    title = "Cahier des charges"
    due_on = datetime.date(2024, 6, 30)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    action = factory.SubFactory(ActionFactory)
    name = "Communes couvertes"
    target = 100
    current = 40


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    dated = datetime.date(2024, 5, 2)
    body = "Réunion de lancement tenue avec les partenaires."
