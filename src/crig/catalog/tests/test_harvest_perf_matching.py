"""The table-based ``territory.names.search_words`` (round 5 of the harvest
performance work) gives the words of the whole-string rule, and the compact
similarity index."""

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


def test_the_compact_index_gives_back_what_was_added_and_forgets_a_removed_one():
    from crig.catalog.services.matching import Candidate, MatchIndex

    added = [
        Candidate(10, "Plan local d'urbanisme 2019", "DDTM 80", (2.9, 49.8, 3, 50), 0),
        Candidate(4, "Plan cadastral", "", None, 2019),
        Candidate(7, "Cadastre plan 2019", "DDTM 80", (1.0, 2.0, 3.0, 4.0), None),
    ]
    index = MatchIndex()
    for candidate in added:
        index.add(candidate)

    stored = [index.candidate(slot) for slot in range(3)]
    index.remove(10)
    index.remove(99)  # not there: nothing happens

    assert [
        (c.dataset_id, c.key, c.producer, c.numbers, c.bbox, c.year or None)
        for c in added
    ] == [(c.dataset_id, c.key, c.producer, c.numbers, c.bbox, c.year) for c in stored]
    assert len(index) == 2
    assert "urbanisme" not in index.by_word
    # "plan": datasets 4 and 7 (equal shares: the smallest id first).
    assert [index.candidate(s).dataset_id for s in index.candidate_slots("plan")] == [
        4,
        7,
    ]


def test_candidate_order_is_the_same_whatever_order_datasets_were_added_in():
    import random

    from crig.catalog.services.matching import Candidate, MatchIndex

    rng = random.Random(5)
    words = "plan eau sol rue lidar bati foret route zone carte".split()
    titles = {
        pk: " ".join(rng.sample(words, rng.randint(1, 4))) for pk in range(1, 600)
    }
    in_order, shuffled = MatchIndex(), MatchIndex()
    for pk in titles:
        in_order.add(Candidate(pk, titles[pk], "", None, None))
    for pk in rng.sample(list(titles), len(titles)):
        shuffled.add(Candidate(pk, titles[pk], "", None, None))

    def order(index, key):
        return [index.candidate(s).dataset_id for s in index.candidate_slots(key)]

    assert in_order._ids_increase
    assert not shuffled._ids_increase
    for _ in range(200):
        key = " ".join(sorted(rng.sample(words, rng.randint(1, 4))))
        assert order(in_order, key) == order(shuffled, key)
        assert len(order(in_order, key)) == 25


def test_id_set_is_a_set():
    import random

    from crig.catalog.services.matching import IdSet

    rng = random.Random(2)
    given = [rng.randrange(1, 300) for _ in range(200)]
    ids = IdSet(sorted(given[:100]))
    for dataset_id in given[100:]:
        ids.add(dataset_id)

    assert len(ids) == len(set(given))
    assert [i for i in range(-5, 320) if i in ids] == sorted(set(given))
