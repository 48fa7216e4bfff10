"""Fill msgstr entries of a .po file from a JSON mapping {msgid: msgstr}.

Usage: python tools/fill_po.py path/to/django.po translations.json [--force]

For a plural entry, map its singular msgid to a list [singular, plural]. For an entry
with a context (pgettext), the key "context|msgid" wins over the bare msgid. Entries
already translated are left alone unless --force; fuzzy entries are always refilled.
The file's header is kept as it is.
"""

import io
import json
import sys

from babel.messages.pofile import read_po, write_po


def _translated(string) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def main(po_path: str, mapping_path: str, force: bool = False) -> None:
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    with open(mapping_path, encoding="utf-8") as handle:
        mapping = json.load(handle)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        # A "context|msgid" key is authoritative: it also corrects an entry filled
        # earlier from the bare msgid.
        contextual = message.context and f"{message.context}|{key}" in mapping
        if contextual:
            key = f"{message.context}|{key}"
        if key in mapping and (
            contextual or force or message.fuzzy or not _translated(message.string)
        ):
            value = mapping[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            filled += 1
    with open(po_path, encoding="utf-8") as handle:
        header = handle.read().split("\n\n", 1)[0]
    body = io.BytesIO()
    write_po(body, catalog, width=88, omit_header=True)
    with open(po_path, "w", encoding="utf-8") as handle:
        handle.write(header + "\n\n" + body.getvalue().decode())
    missing = [m.id for m in catalog if m.id and not _translated(m.string)]
    print(f"filled {filled}; still untranslated: {len(missing)}")
    for item in missing:
        print("  ", item)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], force="--force" in sys.argv)
