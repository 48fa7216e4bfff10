import pytest
import shapely

from crig.territory import selectors
from crig.territory.names import search_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Béziers", "beziers"),
        ("Saint-Girons", "saintgirons"),
        ("st girons", "saintgirons"),
        ("L'Isle-Jourdain", "lislejourdain"),
        ("  CASTELNAUDARY ", "castelnaudary"),
        ("Œillet", "oeillet"),
    ],
)
def test_search_key(text, key):
    assert search_key(text) == key


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("beziers", "34032"),
        ("BÉZIERS", "34032"),
        ("31555", "31555"),
        ("31000", "31555"),
        ("31400", "31555"),
        ("saint girons", "09261"),
        ("saint-girons", "09261"),
        ("st girons", "09261"),
        ("toulouse", "31555"),
        ("montpellier", "34172"),
        ("l'isle jourdain", "32160"),
        ("lisle jourdain", "32160"),
    ],
)
def test_commune_search_first_result(territory, query, first):
    assert selectors.communes_search(query=query)[0].insee == first


def test_exact_name_before_prefix_before_inside(territory):
    names = [c.name for c in selectors.communes_search(query="toulouse")]

    assert names[0] == "Toulouse"
    assert set(names[1:]) >= {"Vieille-Toulouse"}
    assert names.index("Vieille-Toulouse") > 0


def test_prefix_before_inside_then_population(territory):
    results = list(selectors.communes_search(query="castelnau"))

    ranks = [commune.rank for commune in results]
    assert ranks == sorted(ranks)
    prefix = [c for c in results if c.rank == 1]
    assert [c.population for c in prefix] == sorted(
        (c.population for c in prefix), reverse=True
    )
    assert all(c.search_name.startswith("castelnau") for c in prefix)


def test_code_prefix_search(territory):
    results = selectors.communes_search(query="3155")

    assert {c.insee for c in results} >= {"31555", "31550"}
    assert all(
        c.insee.startswith("3155") or any(p.startswith("3155") for p in c.postcode_list)
        for c in results
    )


def test_filters(territory):
    assert selectors.communes_search(departement="31").count() == 586
    assert selectors.communes_search(epci="243100518").count() == 37
    assert selectors.communes_search(query="toulouse", departement="34").count() == 0


def test_no_match(territory):
    assert selectors.communes_search(query="zzzz").count() == 0


def test_epci_search(territory):
    assert selectors.epcis_search(query="toulouse metropole")[0].siren == "243100518"
    assert selectors.epcis_search(query="243100518").get().name == "Toulouse Métropole"
    assert selectors.epcis_search(departement="31").filter(siren="243100518").exists()
    assert (
        not selectors.epcis_search(departement="34").filter(siren="243100518").exists()
    )


def test_departements_have_commune_counts(territory):
    counts = {d.code: d.commune_count for d in selectors.departements()}

    assert counts["31"] == 586
    assert counts["48"] == 152
    assert sum(counts.values()) == 4453


def test_commune_at(territory):
    # Place du Capitole, Toulouse.
    assert selectors.commune_at(longitude=1.4437, latitude=43.6045).insee == "31555"
    # Paris.
    assert selectors.commune_at(longitude=2.35, latitude=48.85) is None


def test_communes_covered_by_toulouse_outline(toulouse):
    outline = shapely.from_geojson(toulouse.outline)

    covered = selectors.communes_covered(outline)

    assert covered[0].commune.insee == "31555"
    assert covered[0].coverage.fraction == pytest.approx(1.0, abs=1e-6)
    assert all(item.coverage.fraction < 0.01 for item in covered[1:])


def test_region_summary(territory):
    summary = selectors.region_summary()

    assert (
        summary.commune_count,
        summary.epci_count,
        summary.departement_count,
        summary.straddling_epci_count,
    ) == (4453, 164, 13, 6)
