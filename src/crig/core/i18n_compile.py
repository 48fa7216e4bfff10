"""Compile every ``locale/*/LC_MESSAGES/django.po`` under ``src/crig`` to ``.mo``.

Uses Babel (pure Python), so compiling needs no GNU gettext; extracting strings
(``makemessages``) still does. The ``.mo`` files are committed.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


def compile_all() -> list[Path]:
    written = []
    for po_path in sorted(ROOT.glob("**/locale/*/LC_MESSAGES/django.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(path.relative_to(ROOT))
