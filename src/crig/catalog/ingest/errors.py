"""Why a document could not be read. Messages are for the harvest report."""

from django.utils.translation import gettext_lazy as _

from crig.core.errors import CrigError


class DocumentError(CrigError):
    """A document (or a page of a catalogue) could not be turned into records."""


class DocumentRefused(DocumentError):
    """Unsafe input: entities, a DTD, or more bytes than allowed."""


class DocumentUnreadable(DocumentError):
    """Not well-formed XML, Turtle, JSON…"""


class DocumentNotMetadata(DocumentError):
    """Well-formed, but not a metadata document this catalogue can read."""


class RecordInvalid(DocumentError):
    """One record of a document lacks what a catalogue record needs."""


MESSAGE_NO_TITLE = _("The record has no title.")
MESSAGE_NO_IDENTIFIER = _("The record has no identifier.")
