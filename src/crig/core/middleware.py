from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
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
