"""The French analysis of full-text search: pure Python, no database."""

import pytest

from crig.catalog.search import analysis


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("données", "donnees"),
        ("données", "DONNÉE"),
        ("orthophotographies", "Orthophotographie"),
        ("aériennes", "aérien"),
        ("départementaux", "départementale"),
        ("réseaux", "réseau"),
        ("routières", "routiers"),
        ("forestière", "forestier"),
        ("établissements", "etablissement"),
        ("adresses", "adresse"),
        ("parcelles", "parcelle"),
        ("végétation", "vegetation"),
        ("cours d'eau", "cours d’eaux"),
        ("Plan Corps de Rue Simplifié", "plans corps rues simplifiés"),
        ("limites administratives", "limite administrative"),
        ("œuvre", "oeuvres"),
    ],
)
def test_accents_case_and_plurals_give_the_same_terms(first, second):
    assert analysis.terms(first) == analysis.terms(second)


def test_terms_drop_stop_words_elisions_and_punctuation():
    assert analysis.terms("L'occupation du sol de l'Hérault, à 20 cm (2022).") == [
        "occup",
        "sol",
        "herault",
        "20",
        "cm",
        "2022",
    ]


def test_words_with_digits_are_not_stemmed():
    assert analysis.terms("OCS GE 2019 20cm") == ["oc", "ge", "2019", "20cm"]


def test_very_long_words_are_dropped():
    assert analysis.terms("a" * 41 + " lidar") == ["lidar"]


def test_a_query_of_stop_words_only_has_no_terms():
    assert analysis.query_terms("de la des à l'") == []
    assert analysis.query_terms(None) == []


def test_query_terms_are_distinct_in_order():
    assert analysis.query_terms("réseaux routiers, réseau routier") == [
        "reseau",
        "routi",
    ]


def test_terms_are_ascii_words_separated_by_single_spaces():
    text, title = analysis.document_terms(
        title="Orthophotographie — Haute-Garonne", texts=["Prises de vues aériennes"]
    )
    assert text == "orthophotograph haut garon pris vu aerien"
    assert title == " orthophotograph haut garon "


def test_record_terms_add_the_words_of_the_referentiel():
    text, title = analysis.record_terms(
        title="Voirie de Toulouse",
        abstract="",
        producer="Toulouse Métropole",
        organisation="",
        referentiel="pcrs",
        keywords=["Réseaux"],
    )
    assert text == "voir toulous reseau plan corp ru simplif pcr metropol"
    assert title == " voir toulous "


def test_a_record_without_title_words_has_an_empty_search_title():
    assert analysis.document_terms(title="Le", texts=["lidar"]) == ("lidar", "")


def _fold_by_the_rule(text: str) -> str:
    """The folding rule as written: NFKD of the case-folded text, combining marks
    dropped, ligatures expanded (the reference of the fast ``fold``)."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return folded.replace("œ", "oe").replace("æ", "ae")


def test_fold_gives_what_the_rule_gives_on_any_text():
    import random

    rng = random.Random(3)
    alphabet = (
        "abcXYZ 0123-'’«»…ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸàâäçéèêëîïôöùûüÿŒœÆæßĳﬁ"
        "\u0301\u0327e\u0301ΣσςДжあ中\u00a0\u2019\u2013"
    )
    texts = [
        "Plan Local d'Urbanisme",
        "Orthophotographie 2023 à 20 cm – Hérault",
        "Cœur de ville, Æsop, straße, ﬁchier",
        "e\u0301te\u0301 de\u0301compose\u0301",
    ]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert analysis.fold(text) == _fold_by_the_rule(text), text
    # Every character the fast table knows folds as the rule says.
    for code in range(0x80, 0x800):
        assert analysis.fold(chr(code)) == _fold_by_the_rule(chr(code)), hex(code)
