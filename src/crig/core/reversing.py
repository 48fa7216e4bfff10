"""``reverse`` for the many links of one response (a map of 4,453 communes): the
URL is reversed once, then each value is put in its place."""

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse

#: Stands for the argument in the reversed pattern: digits, so that it passes the
#: ``int`` converter as well as ``str`` and ``slug``.
_MARKER = "9753186420"


def reverser(viewname: str) -> Callable[[object], str]:
    """A function giving ``reverse(viewname, args=[value])``. Values that
    ``reverse`` would accept and not escape — digits, or ASCII letters and digits
    where the pattern takes more than digits (INSEE codes) — take the fast way;
    any other goes through ``reverse``, with its errors.

    Build it per request, not at import: the URL carries the request's script
    prefix."""
    prefix, marker, suffix = reverse(viewname, args=[_MARKER]).partition(_MARKER)
    if not marker or _MARKER in suffix:
        return lambda value: reverse(viewname, args=[value])
    try:
        reverse(viewname, args=["a" + _MARKER])
    except NoReverseMatch:
        digits_only = True
    else:
        digits_only = False

    def url(value) -> str:
        text = str(value)
        if text.isascii() and (text.isdigit() if digits_only else text.isalnum()):
            return prefix + text + suffix
        return reverse(viewname, args=[value])

    return url
