"""Shared fixtures and golden-file helpers of the standards endpoint tests
(CSW, OGC API Records, DCAT). Imported by those test modules; holds no test.

The catalogue is fixed (identifiers, texts, dates, boxes), so the standards output
is byte-stable except for what depends on the run: the response timestamp and the
database ids in dataset page URLs, which ``normalise`` replaces by placeholders.
Set ``CRIG_UPDATE_GOLDEN=1`` to rewrite the golden files after a deliberate change.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from crig.catalog.models import Dataset, Distribution, Keyword, Visibility
from crig.catalog.standards import repository
from crig.catalog.tests.factories import (
    DatasetFactory,
    DistributionFactory,
    KeywordFactory,
)

EXPECTED = Path(__file__).parent / "expected"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
# A triangle over Toulouse: its bbox meets NORTH_EAST_CORNER, the triangle does not.
TRIANGLE = (
    '{"type": "Polygon", "coordinates": [[[1.2, 43.5], [1.6, 43.5], [1.2, 43.8], '
    "[1.2, 43.5]]]}"
)
NORTH_EAST_CORNER = (1.5, 43.75, 1.6, 43.8)


def _box(west, south, east, north) -> dict:
    return {"min_lon": west, "min_lat": south, "max_lon": east, "max_lat": north}


def _keywords(dataset, *items):
    for kind, code, label, thesaurus in items:
        KeywordFactory(
            dataset=dataset, kind=kind, code=code, label=label, thesaurus=thesaurus
        )


def build_catalogue(organisation) -> dict[str, Dataset]:
    """Three public records, one restricted to ``organisation``, one withdrawn."""
    ortho = DatasetFactory(
        identifier="crig-ortho-31-2022",
        resource_identifier="https://data.geopf.fr/ortho/31/2022",
        title="Orthophotographie de la Haute-Garonne 2022",
        abstract=(
            "Prises de vues aériennes à 20 cm de résolution sur tout le département."
        ),
        producer_name="IGN",
        producer_email="contact@ign.fr",
        language="fr",
        referentiel="orthophotographie",
        created_on=dt.date(2022, 3, 1),
        published_on=dt.date(2022, 6, 15),
        revised_on=dt.date(2023, 1, 10),
        temporal_start=dt.date(2022, 4, 1),
        temporal_end=dt.date(2022, 9, 30),
        year=2022,
        resolution_m=0.2,
        licence="Licence Ouverte 2.0",
        licence_url=LICENCE_URL,
        lineage="Aérotriangulation et mosaïquage par l'IGN.",
        **_box(0.44, 42.69, 1.95, 43.92),
    )
    _keywords(
        ortho,
        (Keyword.Kind.REFERENTIEL, "orthophotographie", "Orthophotographie", ""),
        (
            Keyword.Kind.INSPIRE,
            "oi",
            "Ortho-imagerie",
            "GEMET - INSPIRE themes, version 1.0",
        ),
        (Keyword.Kind.FREE, "photographie-aerienne", "photographie aérienne", ""),
    )
    DistributionFactory(
        dataset=ortho,
        kind=Distribution.Kind.WMS,
        url="https://data.geopf.fr/wms-r/wms",
        name="HR.ORTHOIMAGERY.ORTHOPHOTOS",
        title="Orthophotographie (WMS)",
        position=0,
    )
    DistributionFactory(
        dataset=ortho,
        kind=Distribution.Kind.DOWNLOAD,
        url="https://data.geopf.fr/telechargement/ortho-31-2022.zip",
        name="",
        title="Dalles JPEG 2000",
        media_type="application/zip",
        position=1,
    )
    pcrs = DatasetFactory(
        identifier="crig-pcrs-tm-2021",
        title="PCRS de Toulouse Métropole",
        abstract="Plan corps de rue simplifié, classe de précision A.",
        producer_name="Toulouse Métropole",
        referentiel="pcrs",
        published_on=dt.date(2021, 11, 2),
        year=2021,
        licence="ODbL 1.0",
        footprint=TRIANGLE,
        footprint_is_bbox=False,
        **_box(1.2, 43.5, 1.6, 43.8),
    )
    _keywords(pcrs, (Keyword.Kind.REFERENTIEL, "pcrs", "PCRS", ""))
    lidar = DatasetFactory(
        identifier="crig-lidar-34-2023",
        title="LIDAR HD de l'Hérault",
        abstract="Nuages de points LIDAR classés, 10 points par mètre carré.",
        producer_name="IGN",
        language="fr",
        referentiel="lidar",
        created_on=dt.date(2023, 2, 1),
        temporal_start=dt.date(2023, 1, 1),
        year=2023,
        licence="Licence Ouverte 2.0",
        licence_url=LICENCE_URL,
        **_box(2.53, 43.21, 4.19, 43.97),
    )
    _keywords(
        lidar,
        (Keyword.Kind.REFERENTIEL, "lidar", "LIDAR", ""),
        (Keyword.Kind.FREE, "altimetrie", "altimétrie", ""),
    )
    restricted = DatasetFactory(
        identifier="crig-erp-31-restricted",
        title="Établissements recevant du public de la Haute-Garonne",
        abstract="Liste de travail, non publiée.",
        producer_name=organisation.name,
        producer=organisation,
        referentiel="erp",
        visibility=Visibility.RESTRICTED,
        published_on=dt.date(2024, 1, 5),
        **_box(0.44, 42.69, 1.95, 43.92),
    )
    withdrawn = DatasetFactory(
        identifier="crig-ortho-31-2016",
        title="Orthophotographie de la Haute-Garonne 2016",
        status=Dataset.Status.WITHDRAWN,
        **_box(0.44, 42.69, 1.95, 43.92),
    )
    records = {
        "ortho": ortho,
        "pcrs": pcrs,
        "lidar": lidar,
        "restricted": restricted,
        "withdrawn": withdrawn,
    }
    from crig.catalog.search.index import dataset_index

    dataset_index([d.pk for d in records.values()])
    return records


@pytest.fixture
def catalogue(organisation) -> dict[str, Dataset]:
    return build_catalogue(organisation)


PUBLIC_IDENTIFIERS = ["crig-lidar-34-2023", "crig-ortho-31-2022", "crig-pcrs-tm-2021"]


def fixed_page_path(dataset) -> str:
    return f"/DATASET-PAGE/{dataset.identifier}/"


@pytest.fixture
def stable_pages(monkeypatch):
    """Dataset page URLs hold database ids, which vary between runs: golden tests
    replace them (``test_*_landing_page`` tests check the real ones)."""
    monkeypatch.setattr(repository, "dataset_page_path", fixed_page_path)


def normalise(text: str) -> str:
    """Replaces what varies between runs: the response timestamp."""
    return re.sub(r'timestamp="[^"]+"', 'timestamp="TIMESTAMP"', text)


def assert_golden(name: str, actual: str) -> None:
    path = EXPECTED / name
    if os.environ.get("CRIG_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(
            f"No golden file {name}: run with CRIG_UPDATE_GOLDEN=1 to write it."
        )
    assert actual == path.read_text(encoding="utf-8")
