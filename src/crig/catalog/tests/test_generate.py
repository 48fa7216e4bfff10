"""The catalogue generator: deterministic, realistic, labelled demo records."""

import datetime
from collections import Counter

import pytest
import shapely
from lxml import etree

from crig.catalog import generate
from crig.catalog.models import Referentiel

GMD = "{http://www.isotc211.org/2005/gmd}"
GCO = "{http://www.isotc211.org/2005/gco}"
FRENCH_WORDS = {"de", "du", "des", "la", "le", "les", "et", "à", "en", "au"}


@pytest.fixture
def snapshot(territory):
    return generate.territory_from_database()


def _comparable(record: dict) -> dict:
    footprint = record["footprint"]
    return {**record, "footprint": None if footprint is None else footprint.wkb}


def test_snapshot_holds_the_region(snapshot):
    assert (len(snapshot.communes), len(snapshot.departements)) == (4453, 13)
    assert sum(len(d.members) for d in snapshot.departements) == 4453
    assert snapshot.epci("243100518").name == "Toulouse Métropole"


def test_demo_records_are_deterministic(snapshot):
    first = [_comparable(r) for r in generate.demo_records(snapshot, seed=7)]
    second = [_comparable(r) for r in generate.demo_records(snapshot, seed=7)]
    other = [_comparable(r) for r in generate.demo_records(snapshot, seed=8)]

    assert first == second
    assert first != other


def test_demo_records_cover_the_six_referentiels_and_are_labelled(snapshot):
    records = generate.demo_records(snapshot)

    families = Counter(record["referentiel"] for record in records)
    assert set(families) == set(Referentiel.values)
    assert families["orthophotographie"] >= 13  # at least one per département
    assert all(record["is_demo"] for record in records)
    assert all(record["title"].startswith("[Démo] ") for record in records)
    assert all("démonstration" in record["abstract"] for record in records)
    identifiers = [record["identifier"] for record in records]
    assert len(set(identifiers)) == len(identifiers)
    assert all(i.startswith("crig-demo-") for i in identifiers)


def test_demo_orthophotos_have_vintages_and_resolutions(snapshot):
    orthos = [
        r
        for r in generate.demo_records(snapshot)
        if r["referentiel"] == "orthophotographie" and "BD ORTHO" in r["title"]
    ]

    per_departement = Counter(r["title"].split("(")[1][:2] for r in orthos)
    assert set(per_departement) == {d.code for d in snapshot.departements}
    assert len({r["year"] for r in orthos}) >= 4
    assert {r["resolution_m"] for r in orthos} <= {0.2, 0.5}
    assert min(r["year"] for r in orthos) <= 2017  # some départements lag behind


def test_demo_pcrs_has_the_three_stages(snapshot):
    pcrs = [r for r in generate.demo_records(snapshot) if r["referentiel"] == "pcrs"]

    stages = Counter(r["title"].rsplit("(", 1)[1].rstrip(")") for r in pcrs)
    assert set(stages) == {"réalisé", "en cours", "programmé"}
    in_progress = next(r for r in pcrs if r["title"].endswith("(en cours)"))
    epci = next(e for e in snapshot.epcis if e.name in in_progress["title"])
    assert 0 < len(in_progress["covers"]) < len(epci.members)
    assert all(r["year"] is None for r in pcrs if "(réalisé)" not in r["title"])


def test_footprints_lie_in_the_region(snapshot):
    region = snapshot.region_geometry
    west, south, east, north = snapshot.region_bbox
    records = generate.demo_records(snapshot) + list(
        generate.catalogue_records(snapshot, count=300, seed=5)
    )

    unplaced = [r["title"] for r in records if r["footprint"] is None]
    assert all(title.endswith("(programmé)") for title in unplaced)
    for record in records:
        footprint = record["footprint"]
        if footprint is None:
            continue
        assert footprint.is_valid, record["title"]
        assert footprint.intersects(region), record["title"]
        fw, fs, fe, fn = footprint.bounds
        assert (fw, fs) >= (west - 0.02, south - 0.02), record["title"]
        assert (fe, fn) <= (east + 0.02, north + 0.02), record["title"]


def test_footprints_made_of_communes_cover_them(snapshot):
    records = list(generate.catalogue_records(snapshot, count=200, seed=9))

    for record in records:
        for insee in record["covers"][:5]:
            commune = snapshot.commune(insee).geometry
            overlap = shapely.area(shapely.intersection(commune, record["footprint"]))
            assert overlap / commune.area > 0.999, (record["title"], insee)


def test_catalogue_record_is_random_access(snapshot):
    sequence = list(generate.catalogue_records(snapshot, count=5, seed=4, start=10))
    alone = generate.catalogue_record(snapshot, 12, seed=4)

    assert _comparable(sequence[2]) == _comparable(alone)
    assert _comparable(alone) != _comparable(generate.catalogue_record(snapshot, 12))


def test_catalogue_records_read_as_french(snapshot):
    records = list(generate.catalogue_records(snapshot, count=400, seed=2))

    for record in records:
        words = set(record["abstract"].lower().replace("'", " ").split())
        assert words & FRENCH_WORDS, record["abstract"]
        assert record["language"] == "fre"
    assert any(ch in "éèàç" for r in records for ch in r["title"])
    titles = " ".join(r["title"] for r in records)
    assert "Plan local d'urbanisme" in titles
    assert "de l'" in titles or "d'" in titles
    assert "de Lot" not in titles
    assert "de Gers" not in titles


def test_iso19139_document_round_trips_the_main_fields(snapshot):
    record = generate.catalogue_record(snapshot, 0, seed=11)
    record["revised_on"] = datetime.date(2024, 5, 6)

    root = etree.fromstring(generate.iso19139_document(record))

    assert (
        root.findtext(f"{GMD}fileIdentifier/{GCO}CharacterString")
        == (record["identifier"])
    )
    citation = root.find(f".//{GMD}CI_Citation")
    assert citation.findtext(f"{GMD}title/{GCO}CharacterString") == record["title"]
    assert root.findtext(f".//{GMD}abstract/{GCO}CharacterString") == record["abstract"]
    west = float(root.findtext(f".//{GMD}westBoundLongitude/{GCO}Decimal"))
    assert west == pytest.approx(record["footprint"].bounds[0], abs=1e-6)
    keywords = [k.text for k in root.iterfind(f".//{GMD}keyword/{GCO}CharacterString")]
    assert keywords == [label for _kind, _code, label, _th in record["keywords"]]
    assert "2024-05-06" in [d.text for d in root.iterfind(f".//{GCO}Date")]


def test_csw_response_wraps_documents(snapshot):
    records = list(generate.catalogue_records(snapshot, count=3, seed=1))
    documents = [generate.iso19139_document(r, declaration=False) for r in records]

    root = etree.fromstring(
        generate.csw_getrecords_response(documents, matched=10, next_record=4)
    )

    results = root.find("{http://www.opengis.net/cat/csw/2.0.2}SearchResults")
    assert results.get("numberOfRecordsMatched") == "10"
    assert results.get("numberOfRecordsReturned") == "3"
    assert results.get("nextRecord") == "4"
    assert len(results.findall(f"{GMD}MD_Metadata")) == 3
