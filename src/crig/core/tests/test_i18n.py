"""The French catalogues are complete and their compiled .mo files up to date."""

import gettext
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(PACKAGE.glob("**/locale/fr/LC_MESSAGES/django.po"))


def test_there_is_a_french_catalogue_per_app():
    apps = {path.relative_to(PACKAGE).parts[0] for path in CATALOGUES}

    assert {"core", "members", "territory"} <= apps


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_message_is_translated(po_path):
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)

    untranslated = [
        message.id
        for message in catalog
        if message.id and not message.fuzzy and not _translated(message.string)
    ]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_compiled_catalogue_matches_its_source(po_path):
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    expected = BytesIO()
    write_mo(expected, catalog)
    expected.seek(0)

    compiled = gettext.GNUTranslations(po_path.with_suffix(".mo").open("rb"))
    fresh = gettext.GNUTranslations(expected)

    assert compiled._catalog == fresh._catalog, "run `make messages`"


def _translated(string):
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)
