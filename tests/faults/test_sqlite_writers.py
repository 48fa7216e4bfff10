"""Concurrent writers on SQLite: processes writing at the same moment through
the services and the login page, on a file database with the project's real
options (WAL, IMMEDIATE transactions, busy timeout): no "database is locked"
reaches anyone and every write lands."""

import json
import subprocess
import sys

import pytest

from tests.faults.instance import ROOT

SETUP = """
from crig.catalog.tests.factories import DatasetFactory
from crig.events.tests.factories import EventFactory
from crig.members.tests.factories import UserFactory

EventFactory(slug="concurrent", capacity=20)
UserFactory(email="secretariat@example.org", is_secretariat=True)
for number in range(2):
    UserFactory(email=f"login{number}@example.org")
DatasetFactory(identifier="shared")
"""
WRITERS = [("register", 0), ("register", 1), ("login", 0), ("login", 1)]
WRITERS += [("edit", 0), ("edit", 1)]
COUNT = 15


@pytest.fixture
def sqlite_instance(instance):
    if not instance.env["CRIG_DATABASE_URL"].startswith("sqlite"):
        pytest.fail("the instance must be on SQLite")
    instance.shell(SETUP)
    return instance


def test_concurrent_writers_all_land_without_lock_errors(sqlite_instance, tmp_path):
    instance = sqlite_instance
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tests.faults.writers", kind, str(number)]
            + [str(COUNT), str(go)],
            env=instance.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for kind, number in WRITERS
    ]
    go.touch()
    outcomes = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr
        outcomes.append(json.loads(stdout.strip().splitlines()[-1]))

    errors = [
        error.strip().splitlines()[-1]
        for outcome in outcomes
        for error in outcome["errors"]
    ]
    assert errors == []
    assert [outcome["done"] for outcome in outcomes] == [COUNT] * len(WRITERS)
    registrations = dict(
        instance.sql("SELECT status, count(*) FROM events_registration GROUP BY status")
    )
    assert registrations == {"confirmed": 20, "waiting": 2 * COUNT - 20}
    assert instance.sql(
        "SELECT count(*) FROM members_user"
        " WHERE email LIKE 'login%' AND last_login IS NOT NULL"
    ) == [(2,)]
    assert instance.sql(
        "SELECT count(*) FROM catalog_dataset WHERE title LIKE 'Relevé %'"
    ) == [(2 * COUNT + 1,)]
    assert instance.sql(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult"
        " WHERE task_path = 'crig.events.tasks.registration_notify_task'"
    ) == [(2 * COUNT,)]
