"""Fill msgstr entries of a .po file from a JSON mapping {msgid: msgstr}.

Usage: python tools/fill_po.py path/to/django.po translations.json
Leaves already-translated entries alone unless --force; clears fuzzy flags it fills.
"""

import json
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, mapping_path: str, force: bool = False) -> None:
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    mapping = json.load(open(mapping_path, encoding="utf-8"))
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in mapping and (force or not message.string or message.fuzzy):
            value = mapping[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            filled += 1
    with open(po_path, "wb") as handle:
        write_po(handle, catalog, width=88)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"filled {filled}; still untranslated: {len(missing)}")
    for item in missing:
        print("  ", item)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], force="--force" in sys.argv)
