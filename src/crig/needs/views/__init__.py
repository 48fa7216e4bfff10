"""Pages of the needs module (filled by the views work)."""

from django.http import HttpResponse


def need_list(request):
    return HttpResponse(status=501)


def need_detail(request, pk):
    return HttpResponse(status=501)


def round_detail(request, pk):
    return HttpResponse(status=501)
