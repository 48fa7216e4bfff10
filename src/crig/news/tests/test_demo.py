"""The news demo on top of every other demo: the issue's "Done when" — a member
following PCRS on Haute-Garonne receives one digest with the new PCRS dataset
and the CNIG relay item, and nothing else — a relay newsletter per signatory,
a preview, and a second run that changes nothing."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from crig.actionplan import demo as actionplan_demo
from crig.catalog import demo as catalog_demo
from crig.catalog.models import Dataset
from crig.events import demo as events_demo
from crig.funding import demo as funding_demo
from crig.members import demo as members_demo
from crig.members.models import Signatory
from crig.needs import demo as needs_demo
from crig.news import demo, selectors, services
from crig.news.models import Delivery, NewsItem, Subscription


@pytest.fixture
def loaded(territory, settings):
    settings.SITE_URL = "https://crig.example"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    for module in (
        members_demo,
        catalog_demo,
        needs_demo,
        funding_demo,
        actionplan_demo,
        events_demo,
    ):
        module.load_demo(stdout=io.StringIO())
    output = io.StringIO()
    demo.load_demo(stdout=output)
    return output.getvalue()


def _state() -> dict:
    return {
        "items": sorted(
            NewsItem.objects.values_list("title", "state", "audience", "kind")
        ),
        "subscriptions": sorted(
            Subscription.objects.values_list("person__email", "frequency", "active")
        ),
        "datasets": Dataset.objects.filter(title=demo.PCRS_DATASET_TITLE).count(),
    }


@pytest.mark.django_db(transaction=False)
def test_the_member_following_pcrs_on_haute_garonne_gets_exactly_two_items(
    loaded, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    # When the weekly digests are sent
    with django_capture_on_commit_callbacks(execute=True):
        services.deliveries_run(frequency="weekly")

    # Then the member gets one digest: the CNIG relay item and the new dataset
    delivery = Delivery.objects.get(person__email="membre@demo.crig.example")
    assert delivery.status == Delivery.Status.SENT
    assert [(item["topic"], item["title"]) for item in delivery.items] == [
        ("news", "Standard PCRS v2.0 : consultation"),
        ("datasets", demo.PCRS_DATASET_TITLE),
    ]
    messages = [m for m in mail.outbox if m.to == ["membre@demo.crig.example"]]
    assert len(messages) == 1
    assert messages[0].subject == "CRIG Occitanie : 2 nouveautés cette semaine"
    assert "Standard PCRS v2.0 : consultation" in messages[0].body
    assert demo.PCRS_DATASET_TITLE in messages[0].body
    assert "Hérault" not in messages[0].body
    # And running again sends nothing more
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_run(frequency="weekly") == 0
    assert len([m for m in mail.outbox if m.to == messages[0].to]) == 1


@pytest.mark.django_db(transaction=False)
def test_demo_content_preview_relay_newsletters_and_a_second_run(loaded):
    # A year of news, with CNIG relays, members-only and community items
    published = NewsItem.objects.filter(state="published")
    assert NewsItem.objects.count() == len(demo.ITEMS) == 25
    assert published.filter(kind="cnig").count() == 6
    assert published.filter(audience="members").count() == 2
    assert published.filter(audience="community").count() == 2
    assert NewsItem.objects.filter(state="review").count() == 1
    assert NewsItem.objects.filter(state="draft").count() == 1
    pcrs_item = NewsItem.objects.get(title="Standard PCRS v2.0 : consultation")
    assert (pcrs_item.source_url, pcrs_item.standard) == (
        "https://cnig.gouv.fr/",
        "PCRS v2.0",
    )
    assert pcrs_item.deadline is not None
    assert list(pcrs_item.datasets.values_list("title", flat=True)) == [
        demo.PCRS_DATASET_TITLE
    ]
    assert "25 news items over a year" in loaded

    # The preview of the member's weekly digest
    output = io.StringIO()
    call_command(
        "news",
        "preview",
        "--person",
        "membre@demo.crig.example",
        "--frequency",
        "weekly",
        stdout=output,
    )
    text = output.getvalue()
    assert "Objet : CRIG Occitanie : 2 nouveautés cette semaine" in text
    assert "Standard PCRS v2.0 : consultation" in text

    # A relay newsletter per signatory: its own community's items only
    region = Signatory.objects.get(organisation__name="Région Occitanie")
    start = pcrs_item.publish_at.date().replace(year=pcrs_item.publish_at.year - 1)
    end = pcrs_item.publish_at.date()
    for signatory in Signatory.objects.all():
        newsletter = selectors.relay_newsletter(
            signatory=signatory, start=start, end=end
        )
        audiences = {item.audience for item in newsletter.items}
        assert "members" not in audiences
        community_titles = {
            item.title for item in newsletter.items if item.audience == "community"
        }
        if signatory == region:
            assert community_titles == {
                "Appel à relais : ateliers régionaux de la donnée",
                "Région Occitanie : appel à projets données",
            }
        else:
            assert community_titles == set()
        assert "Standard PCRS v2.0 : consultation" in newsletter.text

    # Running the demo again changes nothing
    before = _state()
    demo.load_demo(stdout=io.StringIO())
    assert _state() == before
