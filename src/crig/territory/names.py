"""Search keys for place names: the same normalisation on both sides of a query.

Plain Python (no database function), so SQLite and PostgreSQL behave the same.
"""

import re
import unicodedata

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
# Abbreviations people type for the words that start many French place names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def search_words(text: str) -> list[str]:
    """Lower-case ASCII words: accents dropped, punctuation and spaces as separators.

    ``"L'Isle-en-Dodon"`` → ``["l", "isle", "en", "dodon"]``.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char))
    ascii_text = ascii_text.replace("œ", "oe").replace("æ", "ae")
    words = _NOT_ALPHANUMERIC.sub(" ", ascii_text).split()
    return [_ABBREVIATIONS.get(word, word) for word in words]


def search_key(text: str) -> str:
    """The compact key stored in ``search_name`` and compared with queries.

    Words are glued together so that hyphens, apostrophes and spaces never matter:
    "saint girons", "Saint-Girons" and "st-girons" give the same key "saintgirons".
    """
    return "".join(search_words(text))
