"""The similarity index's own ``search_words`` (round 5 of the harvest
performance work) gives the words ``territory.names.search_words`` gives."""

import sys

from crig.catalog.services import matching
from crig.territory import names


def test_search_words_agree_on_every_code_point():
    code_points = [c for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(code_points), 512):
        chunk = code_points[start : start + 512]
        for text in (
            "".join(chr(c) for c in chunk),
            " ".join(f"a{chr(c)}e" for c in chunk),
        ):
            assert matching.search_words(text) == names.search_words(text), start


def test_search_words_agree_on_titles():
    for text in [
        "Orthophotographie de l'Ariège 2021 — 20 cm",
        "ŒUVRES d'Æsop à Sainte-Énimie",
        "Plan de Corps de Rue Simplifié (PCRS) — Toulouse Métropole",
        "ﬁchier ＦＵＬＬＷＩＤＴＨ ²³ Ⅻ",
        "",
    ]:
        assert matching.search_words(text) == names.search_words(text)
    assert matching.title_key("Orthophotographie de la Haute-Garonne") == (
        "garonne haute orthophotographie"
    )
