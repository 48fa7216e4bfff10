"""French text analysis for full-text search: the same words at index and query time.

Pure Python, no Django and no database function, so that the SQLite FTS5 table and
the PostgreSQL ``tsvector`` receive exactly the same terms and therefore return the
same records. The pipeline, applied to every word:

1. case folding, ``œ``/``æ`` expanded, accents dropped (NFKD), anything that is not
   ``[a-z0-9]`` is a separator (so ``l'orthophotographie`` gives ``l`` +
   ``orthophotographie``);
2. French stop words and single letters dropped (articles, elided pronouns,
   prepositions: ``le``, ``des``, ``d``, ``l``, ``qu``…);
3. feminine ``-ière(s)`` brought to the masculine ``-ier(s)`` (``routière`` and
   ``routier`` then share a stem: Snowball would handle it only on accented text);
4. Snowball's French stemmer (the pure-Python ``snowballstemmer`` implementation,
   imported directly so that an installed PyStemmer, which may carry another
   Snowball release, never changes the stems of an existing index). Words with a
   digit (years, ``20cm``) are kept as they are.

Accents are dropped *before* stemming so that a query typed without accents
(``donnees``) finds accented text (``données``); stemming the accented word first
would give ``don`` for ``données`` and ``donne`` for ``donnees``.

Terms are ASCII ``[a-z0-9]+`` words separated by single spaces: both SQLite's
``unicode61`` tokenizer and PostgreSQL's parser with the ``simple`` configuration
split them into the same tokens, unchanged.
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from snowballstemmer.french_stemmer import FrenchStemmer

#: Longer "words" are noise (hashes, glued URLs); PostgreSQL ignores words over 2047
#: characters, so a bound keeps both backends identical as well.
MAX_TERM_LENGTH = 40

_SEPARATORS = re.compile(r"[^a-z0-9]+")
_HAS_DIGIT = re.compile(r"[0-9]")

#: Snowball's French stop-word list, accents dropped, plus elided single letters and
#: a few words that carry no meaning in metadata.
STOP_WORDS = frozenset(
    """
    a ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez
    auriez aurions aurons auront aux avaient avais avait avec avez aviez avions
    avons ayant ayez ayons c ce ceci cela ces cet cette d dans de des du elle en es
    est et etaient etais etait etant etante etantes etants ete etee etees etes
    etiez etions etre eu eue eues eumes eurent eus eusse eussent eusses eussiez
    eussions eut eutes eux furent fus fusse fussent fusses fussiez fussions fut
    futes ici il ils j je l la le les leur leurs lui m ma mais me meme mes moi mon
    n ne nos notre nous on ont ou par pas pour qu que quel quelle quelles quels qui
    s sa sans se sera serai seraient serais serait seras serez seriez serions
    serons seront ses si son sont sur t ta te tes toi ton tu un une vos votre vous
    y
    """.split()
)

_stemmer = FrenchStemmer()


def _fold_slowly(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return folded.replace("œ", "oe").replace("æ", "ae")


# The folding of every Latin-1, Latin Extended-A and combining character, for
# ``str.translate``: NFKD decomposes character by character and the combining marks
# it yields are dropped, so folding a text is folding each of its characters.
_FOLDED = {
    code: _fold_slowly(chr(code))
    for code in (*range(0x80, 0x180), *range(0x300, 0x370))
}


def fold(text: str) -> str:
    """Lower-case ASCII: accents dropped, ligatures expanded."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    folded = folded.translate(_FOLDED)
    # Other scripts and typographic signs: the general rule.
    return folded if folded.isascii() else _fold_slowly(folded)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The search term of one folded word (cached: a catalogue's vocabulary is small
    and the pure-Python stemmer does about 20,000 words per second)."""
    if _HAS_DIGIT.search(word):
        return word
    if word.endswith("ieres"):
        word = word[:-5] + "iers"
    elif word.endswith("iere"):
        word = word[:-4] + "ier"
    return _stemmer.stemWord(word)


def terms(text: str) -> list[str]:
    """Every search term of a text, in order, repeats included."""
    result = []
    for word in _SEPARATORS.split(fold(text)):
        if not word or word in STOP_WORDS or len(word) > MAX_TERM_LENGTH:
            continue
        if len(word) == 1 and not word.isdigit():
            continue
        result.append(stem(word))
    return result


def distinct_terms(texts: Iterable[str]) -> list[str]:
    """The terms of several texts, each once, in order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for term in terms(text):
            seen.setdefault(term, None)
    return list(seen)


def query_terms(text: str | None) -> list[str]:
    """The terms a query must all match (empty when it has only stop words)."""
    return distinct_terms([text or ""])


def document_terms(*, title: str, texts: Iterable[str]) -> tuple[str, str]:
    """``(search_text, search_title)`` of a record.

    ``search_text`` holds every distinct term of the title and the other texts;
    ``search_title`` the title's terms between spaces (``" plan corp ru "``), so that
    ``LIKE '% term %'`` tells a title match on any database.
    """
    title_terms = distinct_terms([title])
    all_terms = distinct_terms([title, *texts])
    return " ".join(all_terms), f" {' '.join(title_terms)} " if title_terms else ""


#: French words for each référentiel code, so that "adresse", "ERP" or "corps de
#: rue" find the family whatever words the record itself uses. Fixed here, not
#: taken from the translated labels, so that the index does not change with them.
REFERENTIEL_WORDS = {
    "orthophotographie": "orthophotographie orthophoto photographie aérienne",
    "occupation_du_sol": "occupation du sol OCS OCSGE",
    "erp": "établissements recevant du public ERP",
    "pcrs": "plan de corps de rue simplifié PCRS",
    "lidar": "LIDAR nuage de points altimétrie",
    "adresses": "adresses adresse BAN",
}


def record_terms(
    *,
    title: str,
    abstract: str,
    producer: str,
    organisation: str,
    referentiel: str,
    keywords: Iterable[str],
) -> tuple[str, str]:
    """``(search_text, search_title)`` of a catalogue record: its title, keywords,
    référentiel, producer (as given and as the member organisation) and abstract."""
    return document_terms(
        title=title,
        texts=[
            *keywords,
            REFERENTIEL_WORDS.get(referentiel, ""),
            producer,
            organisation,
            abstract,
        ],
    )
