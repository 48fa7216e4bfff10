"""The world the API fuzzer runs against: the CRIG Occitanie demo, loaded once per
module inside a transaction that is rolled back at the end of the module.

Each test then runs in a savepoint of its own (pytest-django's ``db``), so what one
role's fuzzing writes is gone before the next role starts.
"""

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings

from crig.actionplan import demo as actionplan_demo
from crig.actionplan.models import Action, Plan
from crig.catalog import demo as catalog_demo
from crig.catalog.models import Dataset
from crig.core import demo as core_demo
from crig.events import demo as events_demo
from crig.events.models import Event, Meeting
from crig.funding import demo as funding_demo
from crig.funding.models import FundingRequest, Opinion
from crig.members import demo as members_demo
from crig.members.models import Organisation, User
from crig.members.services import api_token_create
from crig.needs import demo as needs_demo
from crig.needs.models import Need, Round
from crig.news import demo as news_demo
from crig.news.models import NewsItem
from crig.territory.tests.fixtures import ensure_territory

DEMOS = (
    core_demo,
    members_demo,
    catalog_demo,
    needs_demo,
    funding_demo,
    actionplan_demo,
    events_demo,
    news_demo,
)


@dataclass(frozen=True)
class FuzzWorld:
    media_root: Path
    secretariat_token: str
    #: An existing object for each path parameter, so that the fuzzer also reaches
    #: past the lookups (random ids are mostly 404s): the latest of each kind.
    path_parameters: dict


def _latest(model, field="pk"):
    return model.objects.order_by("-pk").values_list(field, flat=True).first()


def _path_parameters() -> dict:
    return {
        "insee": "31555",
        "siren": "243100518",
        "code": "31",
        "referentiel": "pcrs",
        "organisation_id": _latest(Organisation),
        "dataset_id": _latest(Dataset),
        "need_id": _latest(Need),
        "round_id": _latest(Round),
        "request_id": _latest(FundingRequest),
        "opinion_id": _latest(Opinion),
        "year": _latest(Plan, "year"),
        "action_id": _latest(Action),
        "meeting_id": _latest(Meeting),
        "event_id": _latest(Event),
        "item_id": _latest(NewsItem),
    }


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("fuzz-media")
    with (
        override_settings(
            MEDIA_ROOT=media_root,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        ensure_territory()
        for demo in DEMOS:
            demo.load_demo(stdout=io.StringIO())
        secretariat = User.objects.get(email="secretariat@demo.crig.example")
        _token, raw_token = api_token_create(user=secretariat, name="fuzz")
        yield FuzzWorld(
            media_root=media_root,
            secretariat_token=raw_token,
            path_parameters=_path_parameters(),
        )
        transaction.set_rollback(True)


@pytest.fixture
def wsgi_requests_keep_the_test_connection():
    """Requests sent straight to the WSGI application share the test's database
    connection: keep Django from closing it at the end of each request, as its own
    test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
