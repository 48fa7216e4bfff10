"""A background job killed half-way: real ``crig db_worker`` processes on a file
SQLite database, one SIGKILLed in the middle of a job (at a pause point, see
``worker.py``), then a new worker. The job completes once in effect: no
duplicate rows, no e-mail sent twice, nothing left half-updated."""

import re

from tests.faults.sources import CSW_PAGES, serve_csw

HARVEST_TASK = "crig.catalog.tasks.harvest_run_task"
COVERAGE_TASK = "crig.catalog.tasks.coverage_compute_task"
DATASETS = "SELECT id, identifier, title FROM catalog_dataset ORDER BY id"


def _revised(body: bytes) -> bytes:
    """The page with every title changed, so a harvest updates every record."""
    return re.sub(rb"(<gmd:title>\s*<gco:CharacterString>)", rb"\1[v2] ", body)


def test_a_harvest_killed_while_writing_runs_again_once(instance, server):
    serve_csw(server)
    instance.shell(
        "from crig.catalog.services.harvest import harvest_source, "
        "harvest_source_create\n"
        f"source = harvest_source_create(name='geo-ide', kind='csw', "
        f"url='{server.url}/csw', page_size=2)\n"
        "assert harvest_source(source=source).created_count == 6\n"
    )
    before = instance.sql(DATASETS)
    serve_csw(server, {start: _revised(body) for start, body in CSW_PAGES.items()})
    instance.shell(
        "from crig.catalog.models import HarvestSource\n"
        "from crig.catalog.services.harvest import harvest_start\n"
        "harvest_start(source=HarvestSource.objects.get(name='geo-ide'))\n"
    )

    # A worker dies in the write transaction, one batch of two records written.
    worker = instance.start_worker("harvest-write", name="killed")
    instance.wait_paused(worker)
    instance.kill(worker)

    assert instance.sql(DATASETS) == before
    assert instance.sql("SELECT status FROM catalog_harvestrun ORDER BY id") == [
        ("succeeded",),
        ("running",),
    ]
    [(status, workers)] = instance.tasks(HARVEST_TASK)
    assert (status, len(workers)) == ("RUNNING", 1)

    # A new worker takes the job over and finishes it.
    instance.run_worker_batch()

    after = instance.sql(DATASETS)
    assert [(pk, identifier) for pk, identifier, _title in after] == [
        (pk, identifier) for pk, identifier, _title in before
    ]
    assert all(title.startswith("[v2] ") for _pk, _identifier, title in after)
    assert instance.sql(
        "SELECT status, created_count, updated_count, unchanged_count"
        " FROM catalog_harvestrun ORDER BY id"
    ) == [("succeeded", 6, 0, 0), ("succeeded", 0, 6, 0)]
    assert instance.sql("SELECT count(*) FROM catalog_provenance") == [(6,)]
    [(status, workers)] = instance.tasks(HARVEST_TASK)
    assert (status, len(workers)) == ("SUCCESSFUL", 2)
    assert {status for status, _workers in instance.tasks()} == {"SUCCESSFUL"}


COVERAGE = (
    "SELECT dataset_id, commune_id, fraction FROM catalog_communecoverage"
    " ORDER BY dataset_id, commune_id"
)


def test_a_coverage_computation_killed_while_writing_runs_again_once(instance):
    instance.shell(
        "from crig.catalog.services.coverage import coverage_compute\n"
        "from crig.catalog.tests.factories import DatasetFactory\n"
        "DatasetFactory()\n"
        "DatasetFactory(min_lon=3.8, min_lat=43.55, max_lon=3.95, max_lat=43.65)\n"
        "coverage_compute()\n"
    )
    before = instance.sql(COVERAGE)
    assert len(before) > 10
    # The first dataset now covers Montpellier: its rows are to be replaced.
    instance.shell(
        "from crig.catalog.models import Dataset\n"
        "from crig.catalog.services.coverage import coverage_schedule\n"
        "from crig.catalog.tests.factories import DatasetFactory\n"
        "first = Dataset.objects.order_by('pk').first()\n"
        "other = Dataset.objects.order_by('pk').last()\n"
        "Dataset.objects.filter(pk=first.pk).update(footprint=other.footprint)\n"
        "coverage_schedule([first.pk])\n"
    )

    worker = instance.start_worker("coverage-write", name="killed")
    instance.wait_paused(worker)
    instance.kill(worker)

    assert instance.sql(COVERAGE) == before
    instance.run_worker_batch()

    after = instance.sql(COVERAGE)
    first, second = (row[0] for row in instance.sql("SELECT id FROM catalog_dataset"))
    assert [row[1:] for row in after if row[0] == first] == [
        row[1:] for row in after if row[0] == second
    ]
    assert len(after) == len(set((d, c) for d, c, _f in after))
    assert after != before
    [(status, workers)] = instance.tasks(COVERAGE_TASK)
    assert (status, len(workers)) == ("SUCCESSFUL", 2)


NEWS = """
import datetime
from django.utils import timezone
from crig.members.tests.factories import UserFactory
from crig.news.models import Subscription
from crig.news.tests.factories import NewsItemFactory, SubscriptionFactory

now = timezone.now()
for number in range(3):
    person = UserFactory(email=f"reader{number}@example.org")
    subscription = SubscriptionFactory(person=person)
    Subscription.objects.filter(pk=subscription.pk).update(
        created_at=now - datetime.timedelta(days=365)
    )
NewsItemFactory(publish_at=now - datetime.timedelta(days=2))
"""
DELIVERIES = "SELECT status, count(*) FROM news_delivery GROUP BY status ORDER BY 1"


def test_a_digest_worker_killed_mid_batch_sends_each_email_once(instance):
    instance.shell(NEWS)
    instance.crig("news", "send", "--frequency", "weekly")
    assert instance.sql(DELIVERIES) == [("pending", 3)]

    # The worker dies as it is about to hand the second digest to the server.
    worker = instance.start_worker("email:2", name="killed")
    instance.wait_paused(worker)
    instance.kill(worker)
    assert len(instance.emails()) == 1
    assert instance.sql(DELIVERIES) == [("pending", 1), ("sending", 1), ("sent", 1)]

    # A new worker: the killed task runs again, and the next one; the claim the
    # dead worker left is taken over only once it is stale (SENDING_TIMEOUT).
    instance.run_worker_batch()
    assert len(instance.emails()) == 2
    assert instance.sql(DELIVERIES) == [("sending", 1), ("sent", 2)]
    instance.sql(
        "UPDATE news_delivery SET claimed_at = datetime(claimed_at, '-16 minutes')"
        " WHERE status = 'sending'"
    )
    instance.crig("news", "send", "--frequency", "weekly")
    instance.run_worker_batch()
    instance.crig("news", "send", "--frequency", "weekly")
    instance.run_worker_batch()

    assert sorted(instance.emails()) == [
        "reader0@example.org",
        "reader1@example.org",
        "reader2@example.org",
    ]
    assert instance.sql(DELIVERIES) == [("sent", 3)]
    assert {status for status, _workers in instance.tasks()} == {"SUCCESSFUL"}
