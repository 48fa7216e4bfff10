"""Pages of needs and supports (filled by the views work)."""

from django.http import HttpResponse
from django.urls import path


def need_list(request):
    # Placeholder until the needs pages land: the site menu links here.
    return HttpResponse("")


routes = [path("", need_list, name="list")]
