"""The table-based ``territory.names.search_words`` (round 5 of the harvest
performance work) gives the words of the whole-string rule."""

import sys
import unicodedata

from crig.catalog.services import matching
from crig.territory import names


def _whole_string_words(text: str) -> list[str]:
    """The rule as first written: the whole string decomposed at once."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char))
    ascii_text = ascii_text.replace("œ", "oe").replace("æ", "ae")
    words = names._NOT_ALPHANUMERIC.sub(" ", ascii_text).split()
    return [names._ABBREVIATIONS.get(word, word) for word in words]


def test_search_words_agree_on_every_code_point():
    code_points = [c for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(code_points), 512):
        chunk = code_points[start : start + 512]
        for text in (
            "".join(chr(c) for c in chunk),
            " ".join(f"a{chr(c)}e" for c in chunk),
        ):
            assert names.search_words(text) == _whole_string_words(text), start


def test_search_words_agree_on_titles():
    for text in [
        "Orthophotographie de l'Ariège 2021 — 20 cm",
        "ŒUVRES d'Æsop à Sainte-Énimie",
        "Plan de Corps de Rue Simplifié (PCRS) — Toulouse Métropole",
        "ﬁchier ＦＵＬＬＷＩＤＴＨ ²³ Ⅻ",
        "",
    ]:
        assert names.search_words(text) == _whole_string_words(text)
    assert matching.title_key("Orthophotographie de la Haute-Garonne") == (
        "garonne haute orthophotographie"
    )
