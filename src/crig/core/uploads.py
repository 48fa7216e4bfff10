"""Checks of the documents people attach (to needs, news…): what kinds are
accepted, that the content matches the extension, the size, and a safe storage
name. Territory files go through ``crig.territory.inputs`` instead."""

import os
import uuid

from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _

from crig.core.errors import InvalidInput

# No archives (zip): they hide their content from the check below. The office
# formats are zip containers, checked as such.
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "csv": (),  # text: checked below
}


def attachment_check(name: str, data: bytes, *, max_bytes: int) -> tuple[str, str]:
    """(display name, storage name) of an acceptable file; ``InvalidInput`` (on
    the field "file") otherwise."""
    display = os.path.basename((name or "").replace("\\", "/")).strip()
    stem, dot, extension = display.rpartition(".")
    extension = extension.lower() if dot else ""
    if extension not in ATTACHMENT_SIGNATURES:
        raise InvalidInput(
            _(
                "This kind of file cannot be attached. Accepted: PDF, PNG, JPEG, "
                "OpenDocument (odt, ods), Word (docx), Excel (xlsx) and CSV."
            ),
            field="file",
        )
    if not data:
        raise InvalidInput(_("The file is empty."), field="file")
    attachment_size_check(len(data), max_bytes=max_bytes)
    signatures = ATTACHMENT_SIGNATURES[extension]
    if signatures:
        content_matches = any(data.startswith(magic) for magic in signatures)
    else:
        content_matches = b"\x00" not in data[:8192]
    if not content_matches:
        raise InvalidInput(
            _("The file’s content does not match its extension (.%(extension)s).")
            % {"extension": extension},
            field="file",
        )
    safe_stem = get_valid_filename(slugify(stem))[:60] or "piece-jointe"
    storage_name = f"{uuid.uuid4().hex[:12]}-{safe_stem}.{extension}"
    return display[:200], storage_name


def attachment_size_check(size: int, *, max_bytes: int) -> None:
    """``InvalidInput`` for a file above ``max_bytes``; callable with an upload's
    declared size before it is read."""
    if size > max_bytes:
        raise InvalidInput(
            _("The file is too large (%(size)d MB at most).")
            % {"size": max_bytes // (1024 * 1024)},
            field="file",
        )
