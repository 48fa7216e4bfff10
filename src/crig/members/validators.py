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
