"""The news part of a person's data: the subscription and the digests sent.

Erasure deletes both; the items a person wrote keep their (anonymised) author.
"""

from crig.core.privacy import Person, PersonalDataProvider, rows
from crig.news.models import Delivery, NewsItem, Subscription


def export(person: Person) -> dict:
    if person.user is None:
        return {}
    return {
        "subscription": rows(
            Subscription.objects.filter(person=person.user),
            "themes",
            "topics",
            "use_organisation_perimeter",
            "territory_description",
            "frequency",
            "active",
            "created_at",
        ),
        "digests_sent": rows(
            Delivery.objects.filter(person=person.user),
            "frequency",
            "period_start",
            "period_end",
            "subject",
            "status",
            "sent_at",
        ),
        "items_written": rows(
            NewsItem.objects.filter(author=person.user), "pk", "title", "created_at"
        ),
    }


def erase(person: Person) -> dict:
    if person.user is None:
        return {}
    done = {
        "subscription": Subscription.objects.filter(person=person.user).delete()[0],
        "digests_sent": Delivery.objects.filter(person=person.user).delete()[0],
    }
    return {what: count for what, count in done.items() if count}


PERSONAL_DATA = PersonalDataProvider(
    covers=(
        "news.NewsItem.author",
        "news.Subscription.person",
        "news.Delivery.person",
    ),
    export=export,
    erase=erase,
    kept="News items keep their (anonymised) author.",
)
