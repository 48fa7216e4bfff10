from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from crig.api import api

# A failure the view could not answer (the database gone away: a 503 page that
# reads nothing from it; anything else: Django's 500).
handler500 = "crig.core.errors.server_error"

urlpatterns = [
    path("", include("crig.core.urls")),
    path("territoire/", include("crig.territory.urls")),
    path("", include("crig.members.urls")),
    path("catalogue/", include("crig.catalog.urls")),
    path("besoins/", include("crig.needs.urls")),
    path("financements/", include("crig.funding.urls")),
    path("plan-d-actions/", include("crig.actionplan.urls")),
    path("", include("crig.events.urls")),
    path("", include("crig.news.urls")),
    path("", include("crig.catalog.urls_standards")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
