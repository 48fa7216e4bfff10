"""The coverage service against the database and the real communes."""

from unittest import mock

import pytest
import shapely
from django_tasks_db.models import DBTaskResult

from crig.catalog.coverage import FRACTION_EPSILON, prepare_footprints
from crig.catalog.models import CommuneCoverage
from crig.catalog.services.coverage import (
    commune_layer,
    coverage_compute,
    coverage_schedule,
)
from crig.catalog.tests.factories import DatasetFactory
from crig.territory.geometry import LAMBERT93, CommuneIndex
from crig.territory.models import Commune

TOULOUSE_NEIGHBOURS = ["31069", "31149", "31157", "31506", "31557"]  # Blagnac…


def _outline_dataset(*codes: str, **fields):
    outline = shapely.union_all(
        shapely.from_geojson(
            list(
                Commune.objects.filter(insee__in=codes).values_list(
                    "outline", flat=True
                )
            )
        )
    )
    west, south, east, north = outline.bounds
    return DatasetFactory(
        footprint=shapely.to_geojson(outline),
        footprint_is_bbox=False,
        min_lon=west,
        min_lat=south,
        max_lon=east,
        max_lat=north,
        **fields,
    )


def _fractions(dataset) -> dict[str, float]:
    return dict(
        CommuneCoverage.objects.filter(dataset=dataset).values_list(
            "commune_id", "fraction"
        )
    )


def test_footprint_equal_to_toulouse_covers_toulouse_whole_and_not_its_neighbours(
    toulouse,
):
    dataset = _outline_dataset("31555")

    report = coverage_compute(dataset_ids=[dataset.pk])

    fractions = _fractions(dataset)
    assert fractions["31555"] == pytest.approx(1.0, abs=1e-9)
    # Shared borders leave no sliver above the documented epsilon.
    assert {code: round(f, 6) for code, f in fractions.items()} == {"31555": 1.0}
    for code in TOULOUSE_NEIGHBOURS:
        assert code not in fractions
    assert report.datasets == 1
    assert report.rows_written == 1
    dataset.refresh_from_db()
    assert dataset.coverage_computed_at is not None


def _around_toulouse(**fields):
    """A WGS84 box around Toulouse (1.3503–1.5152 E, 43.5327–43.6685 N)."""
    return DatasetFactory(min_lon=1.33, min_lat=43.52, max_lon=1.53, max_lat=43.68)


def test_box_footprint_gives_the_plain_intersection_for_every_commune(toulouse):
    dataset = _around_toulouse()

    coverage_compute(dataset_ids=[dataset.pk])

    fractions = _fractions(dataset)
    # An independent, straightforward computation: the territory's index
    # (STRtree + intersection for every commune) on the same densified box.
    outlines = dict(Commune.objects.values_list("insee", "outline"))
    index = CommuneIndex.build(
        dict(zip(outlines, shapely.from_geojson(list(outlines.values())), strict=True))
    )
    box = prepare_footprints([shapely.box(1.33, 43.52, 1.53, 43.68)]).lambert93[0]
    expected = {
        item.insee: item.fraction
        for item in index.coverage(box, crs=LAMBERT93)
        if item.fraction > FRACTION_EPSILON
    }
    assert fractions.keys() == expected.keys()
    assert max(abs(fractions[code] - expected[code]) for code in expected) < 1e-9
    assert fractions["31555"] == 1.0
    assert fractions["31069"] == 1.0  # Blagnac
    assert sum(0 < fraction < 1 for fraction in fractions.values()) > 10
    # The pieces add up to the box.
    layer = commune_layer()
    areas = dict(zip(layer.codes, layer.areas_m2, strict=True))
    covered_m2 = sum(fraction * areas[code] for code, fraction in fractions.items())
    assert covered_m2 == pytest.approx(shapely.area(box), rel=1e-9)


def test_compute_is_idempotent(toulouse):
    dataset = _around_toulouse()
    coverage_compute(dataset_ids=[dataset.pk])
    first = _fractions(dataset)

    report = coverage_compute(dataset_ids=[dataset.pk])

    assert _fractions(dataset) == first
    assert report.rows_removed == len(first)
    assert report.rows_written == len(first)


def test_recompute_after_a_footprint_change_replaces_the_rows(toulouse, montpellier):
    dataset = _outline_dataset("31555")
    coverage_compute(dataset_ids=[dataset.pk])
    dataset.footprint = montpellier.outline
    dataset.save()

    coverage_compute(dataset_ids=[dataset.pk])

    assert list(_fractions(dataset)) == ["34172"]


def test_dataset_without_footprint_gets_no_rows_and_loses_its_old_ones(toulouse):
    dataset = _around_toulouse()
    coverage_compute(dataset_ids=[dataset.pk])
    dataset.footprint = ""
    dataset.save()

    report = coverage_compute(dataset_ids=[dataset.pk])

    assert _fractions(dataset) == {}
    assert report.without_footprint == [dataset.pk]


def test_unreadable_footprint_is_reported_and_covers_nothing(toulouse):
    dataset = DatasetFactory(footprint="{not json")

    report = coverage_compute(dataset_ids=[dataset.pk])

    assert report.unreadable_footprint == [dataset.pk]
    assert _fractions(dataset) == {}


def test_full_run_covers_every_dataset_and_leaves_others_untouched(toulouse):
    first = _around_toulouse()
    second = _outline_dataset("34172")
    without = DatasetFactory(footprint="")
    # A stale row of a dataset that lost its footprint is removed by a full run.
    CommuneCoverage.objects.create(dataset=without, commune=toulouse, fraction=0.5)

    report = coverage_compute()

    assert report.datasets == 3
    assert _fractions(first)["31555"] == pytest.approx(1.0)
    assert list(_fractions(second)) == ["34172"]
    assert _fractions(without) == {}


def test_partial_run_leaves_other_datasets_rows(toulouse):
    first = _around_toulouse()
    second = _around_toulouse()
    coverage_compute()
    before = _fractions(second)

    coverage_compute(dataset_ids=[first.pk])

    assert _fractions(second) == before


def test_unknown_dataset_ids_are_ignored(toulouse):
    report = coverage_compute(dataset_ids=[999_999])

    assert report.datasets == 0
    assert report.rows_written == 0


def test_progress_reports_the_computation(toulouse):
    dataset = _around_toulouse()
    calls = []

    coverage_compute(
        dataset_ids=[dataset.pk], progress=lambda *args: calls.append(args)
    )

    assert calls == [("commune coverage", 1, 1)]


def test_commune_layer_is_cached_until_the_territory_changes(toulouse):
    first = commune_layer()

    assert commune_layer() is first
    Commune.objects.filter(pk="31555").update(
        updated_at=toulouse.updated_at.replace(year=2099)
    )
    assert commune_layer() is not first


def test_schedule_writes_the_task_in_the_callers_transaction(db):
    """The database backend's task row is committed with the footprints, or
    rolled back with them."""
    from django.db import transaction

    with transaction.atomic():
        coverage_schedule([3, 1, 3])
        assert DBTaskResult.objects.count() == 1

    task = DBTaskResult.objects.get()
    assert task.task_path == "crig.catalog.tasks.coverage_compute_task"
    assert task.args_kwargs == {"args": [[1, 3]], "kwargs": {}}

    class Failed(Exception):
        pass

    @transaction.atomic
    def failing_write():
        coverage_schedule([7])
        raise Failed

    with pytest.raises(Failed):
        failing_write()
    assert DBTaskResult.objects.count() == 1


def test_schedule_waits_for_the_commit_with_another_backend(
    db, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {  # django-tasks re-reads it (setting_changed)
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    with (
        mock.patch("crig.catalog.services.coverage.coverage_compute") as compute,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        coverage_schedule([3, 1, 3])
        assert not compute.called  # not before the commit
    assert len(callbacks) == 1
    compute.assert_called_once_with(dataset_ids=[1, 3])
    assert DBTaskResult.objects.count() == 0


def test_schedule_with_nothing_enqueues_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        coverage_schedule([])

    assert callbacks == []


def test_the_task_computes_the_coverage(toulouse):
    from crig.catalog.tasks import coverage_compute_task

    dataset = _around_toulouse()

    coverage_compute_task.call([dataset.pk])

    assert _fractions(dataset)["31555"] == pytest.approx(1.0)


def test_report_lines_for_the_command(toulouse):
    dataset = _around_toulouse()
    without = DatasetFactory(footprint="")

    report = coverage_compute(dataset_ids=[dataset.pk, without.pk])

    lines = report.lines()
    assert lines[0] == (
        f"2 dataset(s): {report.rows_written} commune coverage row(s) written, "
        "0 replaced."
    )
    assert lines[1].startswith("Read ")
    assert lines[2] == f"Without footprint: {without.pk}."
