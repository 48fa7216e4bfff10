from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siren(value: str) -> None:
    """A SIREN is 9 digits whose Luhn checksum is valid (INSEE)."""
    if not (isinstance(value, str) and len(value) == 9 and value.isdigit()):
        raise ValidationError(
            _("A SIREN number has exactly 9 digits."), code="siren_format"
        )
    if not luhn_is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid SIREN number (wrong check digit)."),
            code="siren_checksum",
            params={"value": value},
        )


LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 2000
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}


def validate_logo(file) -> None:
    """A logo is a PNG, JPEG or WebP image of at most 1 MB and 2000 × 2000 pixels.

    The format is read from the content with Pillow, not from the file name.
    """
    from PIL import Image, UnidentifiedImageError

    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large (%(size)s KB); the limit is 1 MB."),
            code="logo_size",
            params={"size": file.size // 1024},
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError(
            _("The logo must be a PNG, JPEG or WebP image."), code="logo_type"
        ) from None
    finally:
        file.seek(position)
    if image_format not in LOGO_FORMATS:
        raise ValidationError(
            _("The logo must be a PNG, JPEG or WebP image."), code="logo_type"
        )
    if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
        raise ValidationError(
            _(
                "The logo is %(width)s × %(height)s pixels; the limit is "
                "2000 × 2000 pixels."
            ),
            code="logo_dimensions",
            params={"width": width, "height": height},
        )
