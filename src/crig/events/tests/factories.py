import datetime

import factory
from django.utils import timezone

from crig.events.models import Event, Meeting, Registration, Session
from crig.members.models import Organisation


def _in_days(days: int, hour: int = 9) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class EventFactory(factory.django.DjangoModelFactory):
    """A published annual day in 30 days, registrations open, 100 places."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Journée du CRIG {n}")
    slug = factory.Sequence(lambda n: f"journee-du-crig-{n}")
    kind = Event.Kind.ANNUAL_DAY
    starts_at = factory.LazyFunction(lambda: _in_days(30, 9))
    ends_at = factory.LazyFunction(lambda: _in_days(30, 17))
    place_name = "Hôtel de Région, Toulouse"
    longitude, latitude = 1.4442, 43.6045
    capacity = 100
    registration_opens_at = factory.LazyFunction(lambda: _in_days(-10))
    registration_closes_at = factory.LazyFunction(lambda: _in_days(28))
    state = Event.State.PUBLISHED


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    starts_at = factory.LazyAttribute(lambda s: s.event.starts_at)
    ends_at = factory.LazyAttribute(
        lambda s: s.event.starts_at + datetime.timedelta(hours=1)
    )
    title = "Ouverture"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    full_name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.org")
    category = Organisation.Category.COLLECTIVITE
    status = Registration.Status.CONFIRMED


class MeetingFactory(factory.django.DjangoModelFactory):
    """A published council meeting in 20 days."""

    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Comité du CRIG {n}")
    starts_at = factory.LazyFunction(lambda: _in_days(20, 14))
    ends_at = factory.LazyFunction(lambda: _in_days(20, 17))
    place = "Préfecture de région, Toulouse"
    state = "published"
