"""A person's data across the modules: completeness of the providers, the export,
the erasure (and its atomicity), the account pages and ``crig privacy``."""

import json
from http import HTTPStatus

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse

from crig.actionplan.tests.factories import ProgressUpdateFactory
from crig.catalog.tests.factories import DatasetFactory
from crig.core import privacy
from crig.core.errors import Conflict
from crig.events.models import Registration
from crig.events.tests.factories import EventFactory, RegistrationFactory
from crig.funding.models import FundingRequest
from crig.funding.tests.factories import FundingRequestFactory
from crig.members.models import User
from crig.members.services import user_erase
from crig.members.tests.factories import UserFactory
from crig.needs.models import Need
from crig.needs.tests.factories import NeedFactory
from crig.news.models import Subscription
from crig.news.tests.factories import SubscriptionFactory

PASSWORD = "Occitanie-2024!"
NAME = "Zoé Personne-Unique"
EMAIL = "zoe.unique@example.org"


def _person_fields():
    """``app.Model.field`` of every person foreign key and e-mail field."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = set()
    for model in apps.get_models():
        if not model.__module__.startswith("crig."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.EmailField) or (
                field.is_relation and field.related_model is user_model
            ):
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_person_field_is_covered_by_a_provider():
    covered = [name for p in privacy.providers().values() for name in p.covers]
    missing = _person_fields() - set(covered)
    assert not missing, (
        f"Fields holding a person with no privacy provider: {sorted(missing)}. "
        "Add them to the `covers` of the app's privacy.PERSONAL_DATA (export, and "
        "erase or say why it is kept)."
    )
    assert set(covered) <= _person_fields(), "stale entries in `covers`"
    assert len(covered) == len(set(covered)), "a field covered twice"


@pytest.fixture
def person(db):
    return UserFactory(email=EMAIL, full_name=NAME, password=PASSWORD)


@pytest.fixture
def footprint(person):
    """The person's traces in every module."""
    past = EventFactory(
        starts_at="2024-06-04T09:00:00+02:00", ends_at="2024-06-04T17:00:00+02:00"
    )
    upcoming = EventFactory(capacity=1)
    return {
        "need": NeedFactory(author=person, contact=person),
        "request": FundingRequestFactory(entered_by=person),
        "progress": ProgressUpdateFactory(author=person),
        "dataset": DatasetFactory(created_by=person, producer_email=EMAIL),
        "subscription": SubscriptionFactory(person=person),
        "past_registration": RegistrationFactory(
            event=past,
            person=person,
            full_name=NAME,
            email=EMAIL,
            dietary_needs="Sans gluten",
        ),
        "upcoming_registration": RegistrationFactory(
            event=upcoming, person=person, full_name=NAME, email=EMAIL
        ),
        "waiting": RegistrationFactory(
            event=upcoming, status=Registration.Status.WAITING
        ),
    }


def test_the_export_holds_the_person_in_every_module(person, footprint):
    data = privacy.person_export(user=person)

    json.dumps(data)  # JSON-ready
    assert data["members"]["profile"]["full_name"] == NAME
    assert [n["title"] for n in data["needs"]["needs_written"]] == [
        footprint["need"].title
    ]
    assert data["funding"]["requests_entered"][0]["reference"] == (
        footprint["request"].reference
    )
    assert len(data["actionplan"]["progress_updates"]) == 1
    assert data["catalog"]["records_created"][0]["identifier"] == (
        footprint["dataset"].identifier
    )
    assert len(data["catalog"]["records_naming_this_address"]) == 1
    assert data["news"]["subscription"][0]["frequency"] == "weekly"
    assert {r["dietary_needs"] for r in data["events"]["registrations"]} == {
        "Sans gluten",
        "",
    }


def _text_of_every_row() -> str:
    """Every text value of every crig model, to look for the person in."""
    chunks = []
    for model in apps.get_models():
        if not model.__module__.startswith("crig."):
            continue
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        if names:
            for row in model.objects.values_list(*names):
                chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def test_erasure_leaves_nothing_that_names_the_person(person, footprint):
    assert NAME in _text_of_every_row()

    report = user_erase(user=person)

    text = _text_of_every_row()
    # The producer's address is the source platform's metadata (kept, documented).
    assert text.count(EMAIL) == 1
    assert footprint["dataset"].producer_email == EMAIL
    assert NAME not in text
    assert report["events"] == {"registrations": 2}
    person.refresh_from_db()
    assert not person.is_active
    assert not person.has_usable_password()


def test_erasure_keeps_the_councils_record_and_the_statistics(person, footprint):
    user_erase(user=person)

    # Needs and funding requests keep the anonymised account as author...
    assert Need.objects.get(pk=footprint["need"].pk).author_id == person.pk
    assert FundingRequest.objects.get(pk=footprint["request"].pk).entered_by_id == (
        person.pk
    )
    # ...but the person is no longer anyone's contact.
    assert Need.objects.get(pk=footprint["need"].pk).contact_id is None
    past = Registration.objects.get(pk=footprint["past_registration"].pk)
    assert past.status == Registration.Status.CONFIRMED  # the 2024 figures hold
    assert past.category == footprint["past_registration"].category
    assert past.person_id is None
    assert past.dietary_needs == ""
    assert not Subscription.objects.filter(pk=footprint["subscription"].pk).exists()


def test_erasure_gives_back_an_upcoming_place(person, footprint):
    user_erase(user=person)

    upcoming = Registration.objects.get(pk=footprint["upcoming_registration"].pk)
    assert upcoming.status == Registration.Status.CANCELLED
    waiting = Registration.objects.get(pk=footprint["waiting"].pk)
    assert waiting.status == Registration.Status.CONFIRMED


def test_erasure_by_address_for_a_registrant_without_an_account(db):
    registration = RegistrationFactory(
        full_name="Sans Compte", email="sans.compte@example.org", person=None
    )

    report = privacy.person_erase(email="Sans.Compte@example.org")

    registration.refresh_from_db()
    assert report == {"events": {"registrations": 1}}
    assert registration.full_name != "Sans Compte"
    assert "sans.compte" not in registration.email


def test_an_erasure_failing_half_way_changes_nothing(person, footprint, monkeypatch):
    real = privacy.providers()

    def broken(_person):
        raise RuntimeError("disk full")

    # events is erased before news (apps' order), members last.
    with_broken_news = {
        **real,
        "news": privacy.PersonalDataProvider(
            covers=real["news"].covers, export=real["news"].export, erase=broken
        ),
    }
    monkeypatch.setattr(privacy, "providers", lambda: with_broken_news)

    with pytest.raises(RuntimeError):
        user_erase(user=person)

    registration = Registration.objects.get(pk=footprint["past_registration"].pk)
    assert registration.full_name == NAME  # the events part was rolled back
    person.refresh_from_db()
    assert person.is_active


def test_the_last_administrator_is_not_erased(admin_user):
    with pytest.raises(Conflict):
        user_erase(user=admin_user)
    admin_user.refresh_from_db()
    assert admin_user.is_active


# The person's own pages -----------------------------------------------------------


def test_my_data_download_holds_every_module(client, person, footprint):
    client.force_login(person)

    response = client.get(reverse("members:account_export"))

    assert response.status_code == HTTPStatus.OK
    data = json.loads(response.content)
    assert {"members", "needs", "funding", "events", "news", "catalog"} <= set(data)


def test_closing_my_account_erases_me_everywhere(client, person, footprint):
    client.force_login(person)

    response = client.post(
        reverse("members:account_close"), {"password": PASSWORD, "confirm": "on"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert NAME not in _text_of_every_row()


# crig privacy ----------------------------------------------------------------------


def test_privacy_command_exports_and_erases(person, footprint, tmp_path, capsys):
    output = tmp_path / "zoe.json"
    call_command("privacy", "export", EMAIL.upper(), "--output", str(output))
    assert json.loads(output.read_text())["members"]["profile"]["email"] == EMAIL

    call_command("privacy", "erase", EMAIL)  # without --yes: nothing done
    assert User.objects.get(pk=person.pk).is_active

    call_command("privacy", "erase", EMAIL, "--yes")
    assert not User.objects.get(pk=person.pk).is_active
    assert "events\tregistrations\t2" in capsys.readouterr().out


def test_privacy_command_refuses_the_last_administrator(admin_user):
    with pytest.raises(CommandError):
        call_command("privacy", "erase", admin_user.email, "--yes")
