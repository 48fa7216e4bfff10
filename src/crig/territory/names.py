"""Search keys for place names: the same normalisation on both sides of a query.

Plain Python (no database function), so SQLite and PostgreSQL behave the same.
"""

import re
import unicodedata

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
# Abbreviations people type for the words that start many French place names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


class _FoldTable(dict):
    """Code point → the character decomposed (NFKD) without its combining marks,
    filled as characters are met, for ``str.translate``."""

    def __missing__(self, code: int) -> str:
        folded = "".join(
            char
            for char in unicodedata.normalize("NFKD", chr(code))
            if not unicodedata.combining(char)
        )
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def search_words(text: str) -> list[str]:
    """Lower-case ASCII words: accents dropped, punctuation and spaces as separators.

    ``"L'Isle-en-Dodon"`` → ``["l", "isle", "en", "dodon"]``.

    Folded a character at a time through a table: decomposing a string and
    dropping its combining marks is decomposing each character and dropping its
    marks (NFKD's reordering only moves marks), so the words are those of the
    whole-string rule (tested over every code point), four times faster — every
    dataset's title and producer go through it when a harvest builds its
    similarity index.
    """
    ascii_text = text.casefold().translate(_FOLD)
    ascii_text = ascii_text.replace("œ", "oe").replace("æ", "ae")
    words = _NOT_ALPHANUMERIC.sub(" ", ascii_text).split()
    return [_ABBREVIATIONS.get(word, word) for word in words]


def search_key(text: str) -> str:
    """The compact key stored in ``search_name`` and compared with queries.

    Words are glued together so that hyphens, apostrophes and spaces never matter:
    "saint girons", "Saint-Girons" and "st-girons" give the same key "saintgirons".
    """
    return "".join(search_words(text))
