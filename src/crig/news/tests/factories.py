import factory
from django.utils import timezone

from crig.members.tests.factories import UserFactory
from crig.news.models import NewsItem, NewsItemTheme, Subscription


class NewsItemFactory(factory.django.DjangoModelFactory):
    """A public, published news item (published an hour ago)."""

    class Meta:
        model = NewsItem
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Actualité {n}")
    body = "<p>Nouvelle orthophotographie disponible.</p>"
    state = NewsItem.State.PUBLISHED
    publish_at = factory.LazyFunction(
        lambda: timezone.now() - timezone.timedelta(hours=1)
    )
    author = factory.SubFactory(UserFactory)

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create and extracted:
            NewsItemTheme.objects.bulk_create(
                [NewsItemTheme(item=obj, theme=theme) for theme in extracted]
            )


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    person = factory.SubFactory(UserFactory)
    topics = factory.LazyFunction(lambda: ["news"])
    frequency = Subscription.Frequency.WEEKLY
