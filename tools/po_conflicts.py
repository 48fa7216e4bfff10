"""List msgids translated differently by two apps' French catalogues.

Django merges the catalogues of every installed app and the first app in
INSTALLED_APPS wins, so such an entry shows the other app's wording. Give one of
them a context (pgettext) or agree on the wording.

Usage: python tools/po_conflicts.py
"""

from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "crig"


def main() -> int:
    seen = defaultdict(dict)
    for po_path in sorted(PACKAGE.glob("*/locale/fr/LC_MESSAGES/django.po")):
        app = po_path.parts[-5]
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and not message.context:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    string = message.string
                    seen[key][app] = string if isinstance(string, str) else string[0]
    conflicts = 0
    for msgid, by_app in sorted(seen.items()):
        if len(set(by_app.values())) > 1:
            conflicts += 1
            print(f"{msgid!r}: " + "; ".join(f"{a}={t!r}" for a, t in by_app.items()))
    return conflicts


if __name__ == "__main__":
    raise SystemExit(1 if main() else 0)
