import gzip
import secrets
import string
from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse
from django.middleware import gzip as django_gzip
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext


class FrenchFirstLocaleMiddleware:
    """Activate the language chosen with the language switch, else French.

    Django's LocaleMiddleware would follow the browser's Accept-Language header; the
    platform speaks French to everyone until a person asks for English.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


TOKEN_PATHS = ("/api/", "/csw", "/ogcapi/", "/catalog.")


class ApiTokenMiddleware:
    """Authenticate machine requests that carry ``Authorization: Bearer <token>``:
    the REST API and the standards endpoints GIS tools call (CSW, OGC API, DCAT).

    A wrong or revoked token is refused with 401 rather than served as anonymous, so
    a script never silently sees less than it should.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if request.path.startswith(TOKEN_PATHS) and header[:7].lower() == "bearer ":
            from crig.members.services import api_token_authenticate

            user = api_token_authenticate(raw_token=header[7:].strip())
            if user is None:
                return JsonResponse(
                    {"message": gettext("Invalid or revoked API token.")},
                    status=HTTPStatus.UNAUTHORIZED,
                )
            request.user = user
            request.authenticated_by_token = True
            # Token requests carry no cookie, so CSRF does not apply to them.
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)


class GZipMiddleware(django_gzip.GZipMiddleware):
    """Django's gzip middleware, with a faster compression level for large
    responses.

    Django compresses at level 6. The large responses are the maps' GeoJSON (a few
    MB): there level 1 compresses about five times faster for some 15–20 % more
    bytes, which is what keeps the maps' latency under load (``make load``). Smaller
    responses keep Django's path and level. Both add Django's random padding against
    BREACH.
    """

    #: Responses from this size (bytes) are compressed at ``large_level``.
    large_response = 256 * 1024
    large_level = 1

    def process_response(self, request, response):
        if (
            response.streaming
            or len(response.content) < self.large_response
            or response.has_header("Content-Encoding")
        ):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        if not django_gzip.re_accepts_gzip.search(
            request.META.get("HTTP_ACCEPT_ENCODING", "")
        ):
            return response
        response.content = _gzip(response.content, level=self.large_level)
        response.headers["Content-Length"] = str(len(response.content))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response


def _gzip(content: bytes, *, level: int) -> bytes:
    """gzip with a random file name of 1 to ``max_random_bytes`` letters in the
    header, as Django's ``compress_string`` pads its output against BREACH."""
    compressed = memoryview(gzip.compress(content, compresslevel=level, mtime=0))
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    length = secrets.randbelow(django_gzip.GZipMiddleware.max_random_bytes) + 1
    name = "".join(secrets.choice(string.ascii_letters) for _ in range(length))
    return bytes(header) + name.encode() + b"\x00" + compressed[10:]
