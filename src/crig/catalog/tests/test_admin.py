"""The catalogue in the admin: who sees it, "harvest now", merging duplicates."""

from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from crig.catalog.models import Dataset, DuplicateCandidate, HarvestRun
from crig.catalog.tests.factories import (
    DatasetFactory,
    HarvestSourceFactory,
    ProvenanceFactory,
)

PAGES = [
    "admin:catalog_harvestsource_changelist",
    "admin:catalog_harvestrun_changelist",
    "admin:catalog_dataset_changelist",
    "admin:catalog_duplicatecandidate_changelist",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.django_db
def test_secretariat_sees_the_catalogue_pages(client, secretariat_user, page):
    client.force_login(secretariat_user)

    assert client.get(reverse(page)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.django_db
def test_a_member_does_not(client, member_user, page):
    member_user.is_staff = True  # even with the staff flag, not a platform role
    member_user.save()
    client.force_login(member_user)

    assert client.get(reverse(page)).status_code in (
        HTTPStatus.FORBIDDEN,
        HTTPStatus.FOUND,
    )


@pytest.mark.django_db
def test_dataset_page_shows_the_verbatim_document(client, secretariat_user):
    provenance = ProvenanceFactory(
        document="<gmd:MD_Metadata>verbatim</gmd:MD_Metadata>"
    )
    client.force_login(secretariat_user)

    response = client.get(
        reverse("admin:catalog_dataset_change", args=[provenance.dataset_id])
    )

    assert response.status_code == HTTPStatus.OK
    assert "&lt;gmd:MD_Metadata&gt;verbatim&lt;/gmd:MD_Metadata&gt;" in response.text


@pytest.mark.django_db
def test_harvest_now_queues_a_run(
    client, secretariat_user, django_capture_on_commit_callbacks
):
    source = HarvestSourceFactory()
    client.force_login(secretariat_user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("admin:catalog_harvestsource_changelist"),
            {"action": "harvest_now", "_selected_action": [source.pk]},
            follow=True,
        )

    assert response.status_code == HTTPStatus.OK
    run = HarvestRun.objects.get()
    assert (run.source, run.status, run.triggered_by) == (
        source,
        "queued",
        secretariat_user,
    )
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_merge_action_merges_the_pair(client, secretariat_user):
    keep = DatasetFactory(first_seen_at=datetime(2024, 1, 1, tzinfo=UTC))
    other = DatasetFactory()
    ProvenanceFactory(dataset=other)
    candidate = DuplicateCandidate.objects.create(
        dataset=keep, other=other, score=0.8, reasons={}
    )
    client.force_login(secretariat_user)

    client.post(
        reverse("admin:catalog_duplicatecandidate_changelist"),
        {"action": "merge", "_selected_action": [candidate.pk]},
    )

    assert list(Dataset.objects.values_list("pk", flat=True)) == [keep.pk]
    assert keep.provenances.count() == 1


@pytest.mark.django_db
def test_keep_apart_action(client, secretariat_user):
    candidate = DuplicateCandidate.objects.create(
        dataset=DatasetFactory(), other=DatasetFactory(), score=0.7, reasons={}
    )
    client.force_login(secretariat_user)

    client.post(
        reverse("admin:catalog_duplicatecandidate_changelist"),
        {"action": "keep_apart", "_selected_action": [candidate.pk]},
    )

    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.DISTINCT
