"""The catalogue demo: labelled, idempotent, with its coverage computed."""

import io

import pytest

from crig.catalog import demo
from crig.catalog.models import (
    CommuneCoverage,
    Dataset,
    Distribution,
    HarvestRun,
    Keyword,
    Provenance,
    Referentiel,
)
from crig.members import demo as members_demo

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Dataset, Keyword, Distribution, Provenance, CommuneCoverage)
    }


@pytest.fixture
def members(territory):
    members_demo.load_demo(stdout=io.StringIO())


def test_generated_records_are_labelled_demo_records(territory):
    ids = demo.demo_catalogue_load()

    datasets = Dataset.objects.filter(pk__in=ids)
    assert datasets.count() == len(ids) > 100
    assert not datasets.filter(is_demo=False).exists()
    assert all(
        title.startswith("[Démo] ")
        for title in datasets.values_list("title", flat=True)
    )
    assert set(datasets.values_list("referentiel", flat=True)) == set(
        Referentiel.values
    )
    assert set(
        Provenance.objects.filter(dataset__in=ids).values_list("origin", flat=True)
    ) == {"demo"}
    assert not Dataset.objects.exclude(pk__in=ids).filter(is_demo=True).exists()


def test_demo_producers_are_the_members_organisations(members):
    demo.demo_catalogue_load()

    bd_ortho = Dataset.objects.filter(is_demo=True, title__contains="BD ORTHO")
    assert {d.producer.name for d in bd_ortho} == {"IGN Occitanie"}
    toulouse_erp = Dataset.objects.get(identifier="crig-demo-erp-243100518-2024")
    assert toulouse_erp.producer.name == "Toulouse Métropole"


def test_load_demo_imports_samples_computes_coverage_and_is_idempotent(members):
    output = io.StringIO()

    demo.load_demo(stdout=output)
    first = _counts()
    demo.load_demo(stdout=io.StringIO())

    assert _counts() == first
    sample_runs = HarvestRun.objects.filter(source=None).order_by("pk")
    assert sample_runs.count() == 2
    assert sample_runs.first().created_count > 0
    assert sample_runs.last().created_count == 0
    assert Provenance.objects.filter(origin__startswith="file:").exists()
    assert not Dataset.objects.filter(
        provenances__origin__startswith="file:", is_demo=True
    ).exists()
    # Coverage: Toulouse is wholly covered by the Haute-Garonne orthophotos.
    toulouse_orthos = CommuneCoverage.objects.filter(
        commune_id="31555",
        dataset__is_demo=True,
        dataset__title__contains="Haute-Garonne",
        dataset__referentiel=Referentiel.ORTHOPHOTO,
    )
    assert toulouse_orthos.count() >= 1
    assert min(toulouse_orthos.values_list("fraction", flat=True)) > 0.999
    demo_with_coverage = Dataset.objects.filter(
        is_demo=True, commune_coverages__isnull=False
    ).distinct()
    # Every demo record but the planned PCRS covers communes.
    planned = Dataset.objects.filter(is_demo=True, title__endswith="(programmé)")
    assert demo_with_coverage.count() >= Dataset.objects.filter(
        is_demo=True
    ).count() - (planned.count())
    assert (
        not Dataset.objects.filter(is_demo=True, coverage_computed_at=None)
        .exclude(footprint="")
        .exists()
    )
    assert "generated demo records" in output.getvalue()
