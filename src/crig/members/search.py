"""Search keys for organisation names (pure Python, same on SQLite and PostgreSQL)."""

from crig.territory.names import search_words


def normalise_for_search(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: accents and punctuation
    dropped, so "Région d'Occitanie" → "region d occitanie"."""
    return " ".join(search_words(text or ""))
