"""The project's URLs with the ``handler500`` that ``crig/urls.py`` is to declare
(``handler500 = "crig.core.errors.server_error"``)."""

from crig.urls import urlpatterns  # noqa: F401

handler500 = "crig.core.errors.server_error"
