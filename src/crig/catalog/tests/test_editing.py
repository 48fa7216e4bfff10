"""Records entered and edited by hand (``services.editing``)."""

import datetime
import json

import pytest
import shapely
from django_tasks_db.models import DBTaskResult

from crig.catalog.models import Dataset, Provenance, Visibility
from crig.catalog.search import fulltext_filter
from crig.catalog.services import editing
from crig.catalog.tests.factories import DatasetFactory
from crig.core.errors import InvalidInput, PermissionDenied

FIELDS = {
    "title": "Plan Corps de Rue Simplifié de Muret",
    "abstract": "Levé topographique des voiries communales.",
    "producer_name": "Mairie de Muret",
    "referentiel": "pcrs",
    "revised_on": datetime.date(2024, 3, 1),
    "published_on": datetime.date(2023, 6, 1),
    "licence": "Licence Ouverte 2.0",
    "visibility": Visibility.PUBLIC,
}


def _record(**changes):
    fields = {**FIELDS, **changes.pop("fields", {})}
    return editing.ManualRecord(
        fields=fields,
        keywords=changes.pop("keywords", ["Voirie", "Topographie", "voirie"]),
        distributions=changes.pop(
            "distributions",
            [{"kind": "wms", "url": "https://example.org/wms", "name": "pcrs"}],
        ),
        footprint=changes.pop("footprint", shapely.box(1.25, 43.4, 1.4, 43.5)),
    )


@pytest.mark.django_db(transaction=False)
def test_the_secretariat_creates_a_record(secretariat_user):
    dataset = editing.dataset_create_manual(by=secretariat_user, record=_record())
    dataset.refresh_from_db()
    assert dataset.identifier.startswith("crig-")
    assert dataset.year == 2024
    assert dataset.created_by == secretariat_user
    assert (dataset.min_lon, dataset.min_lat, dataset.max_lon, dataset.max_lat) == (
        1.25,
        43.4,
        1.4,
        43.5,
    )
    assert dataset.footprint_is_bbox is True
    assert json.loads(dataset.footprint)["type"] == "Polygon"
    assert list(dataset.keywords.order_by("pk").values_list("code", "label")) == [
        ("voirie", "Voirie"),
        ("topographie", "Topographie"),
    ]
    assert list(dataset.distributions.values_list("kind", "url", "position")) == [
        ("wms", "https://example.org/wms", 0)
    ]
    provenance = dataset.provenances.get()
    assert provenance.origin == editing.MANUAL_ORIGIN
    assert provenance.document_format == Provenance.Format.MANUAL
    assert json.loads(provenance.document)["fields"]["title"] == FIELDS["title"]
    # Indexed at once, coverage scheduled (the task is committed with the record).
    assert list(fulltext_filter(Dataset.objects.all(), "voiries topographiques")) == [
        dataset
    ]
    assert DBTaskResult.objects.get().args_kwargs["args"] == [[dataset.pk]]


@pytest.mark.django_db
def test_a_polygon_footprint_is_stored_with_its_bbox(secretariat_user):
    triangle = shapely.Polygon([(1.3, 43.6), (1.4, 43.7), (1.3, 43.7)])
    dataset = editing.dataset_create_manual(
        by=secretariat_user, record=_record(footprint=triangle)
    )
    assert dataset.footprint_is_bbox is False
    assert (dataset.min_lon, dataset.max_lat) == (1.3, 43.7)


@pytest.mark.django_db
def test_a_footprint_outside_france_is_refused(secretariat_user):
    with pytest.raises(InvalidInput) as error:
        editing.dataset_create_manual(
            by=secretariat_user, record=_record(footprint=shapely.box(20, 10, 21, 11))
        )
    assert error.value.field == "footprint"
    assert not Dataset.objects.exists()


@pytest.mark.django_db
def test_a_referent_creates_records_of_their_organisation_only(
    referent_user, organisation, other_organisation
):
    dataset = editing.dataset_create_manual(
        by=referent_user, record=_record(fields={"producer": organisation})
    )
    assert dataset.producer == organisation
    with pytest.raises(PermissionDenied):
        editing.dataset_create_manual(
            by=referent_user, record=_record(fields={"producer": other_organisation})
        )
    assert Dataset.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["plain_user", "member_user"])
def test_others_may_not_create_records(request, role, organisation):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        editing.dataset_create_manual(
            by=user, record=_record(fields={"producer": organisation})
        )
    assert not Dataset.objects.exists()


@pytest.mark.django_db
def test_update_replaces_fields_keywords_links_and_reindexes(secretariat_user):
    dataset = editing.dataset_create_manual(by=secretariat_user, record=_record())
    updated = editing.dataset_update_manual(
        dataset=dataset,
        by=secretariat_user,
        record=_record(
            fields={
                "title": "Orthophotographie de Muret",
                "abstract": "Prises de vues aériennes.",
                "referentiel": "orthophotographie",
                "temporal_end": datetime.date(2019, 12, 31),
            },
            keywords=["Imagerie"],
            distributions=[],
        ),
    )
    assert updated.title == "Orthophotographie de Muret"
    assert updated.year == 2019
    assert list(updated.keywords.values_list("label", flat=True)) == ["Imagerie"]
    assert not updated.distributions.exists()
    assert updated.provenances.count() == 1
    assert list(fulltext_filter(Dataset.objects.all(), "orthophotographies")) == [
        updated
    ]
    assert not fulltext_filter(Dataset.objects.all(), "voirie").exists()
    assert not fulltext_filter(Dataset.objects.all(), "plan corps").exists()


@pytest.mark.django_db
def test_a_referent_edits_their_organisation_records_only(
    referent_user, organisation, other_organisation
):
    own = DatasetFactory(producer=organisation)
    other = DatasetFactory(producer=other_organisation)
    editing.dataset_update_manual(
        dataset=own, by=referent_user, record=_record(fields={"producer": organisation})
    )
    with pytest.raises(PermissionDenied):
        editing.dataset_update_manual(
            dataset=other,
            by=referent_user,
            record=_record(fields={"producer": other_organisation}),
        )
    # Nor can they hand their own record to another organisation.
    with pytest.raises(PermissionDenied):
        editing.dataset_update_manual(
            dataset=own,
            by=referent_user,
            record=_record(fields={"producer": other_organisation}),
        )
    own.refresh_from_db()
    assert own.producer == organisation
    assert own.title == FIELDS["title"]


@pytest.mark.parametrize(
    ("fields", "year"),
    [
        ({}, None),
        ({"created_on": datetime.date(2001, 1, 1)}, 2001),
        (
            {
                "created_on": datetime.date(2001, 1, 1),
                "revised_on": datetime.date(2010, 1, 1),
            },
            2010,
        ),
        (
            {
                "revised_on": datetime.date(2010, 1, 1),
                "temporal_end": datetime.date(2005, 1, 1),
            },
            2005,
        ),
    ],
)
def test_record_year(fields, year):
    assert editing.record_year(fields) == year
