from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from crig.core.models import SiteText
from crig.core.selectors import site_texts
from crig.members.selectors import signatories_for_display


def home(request):
    texts = site_texts(keys=SiteText.Key.values)
    return render(
        request,
        "core/home.html",
        {
            "intro": texts.get(SiteText.Key.HOME_INTRO),
            "roles": texts.get(SiteText.Key.HOME_ROLES),
            "functioning": texts.get(SiteText.Key.HOME_FUNCTIONING),
            "signatories": signatories_for_display(),
        },
    )


def health(request):
    """For load balancers: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def about_data(request):
    return render(request, "core/about_data.html")
