"""The relay newsletter of a signatory: what it should forward to its community
for a period, previewed and downloaded as HTML and plain text.

Editors pick among the signatories they belong to or review for (all of them for
the secretariat): a newsletter holds the items of the signatory's community,
which the people of another signatory may not read.
"""

from http import HTTPStatus
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify

from crig.core.http import require_perm
from crig.news import selectors
from crig.news.forms import RelayForm, signatories_for

DOWNLOADS = {
    "html": ("text/html; charset=utf-8", "html"),
    "txt": ("text/plain; charset=utf-8", "text"),
}


@login_required
def relay(request):
    require_perm(request, "news.preview_relay")
    start, end = RelayForm.default_period(timezone.localdate())
    signatories = signatories_for(request.user)
    only = signatories.first() if signatories.count() == 1 else None
    data = request.GET.copy() if request.GET else None
    if data is None and only is not None:
        # One signatory to choose from: its newsletter straight away.
        data = {"signatory": str(only.pk)}
    if data is not None:
        # The last 30 days unless a period is given.
        data.setdefault("start", start.isoformat())
        data.setdefault("end", end.isoformat())
        if only is not None:
            data.setdefault("signatory", str(only.pk))
    form = RelayForm(data, user=request.user, initial={"start": start, "end": end})
    newsletter = None
    if form.is_bound and form.is_valid():
        newsletter = selectors.relay_newsletter(
            signatory=form.cleaned_data["signatory"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
        download = request.GET.get("download")
        if download in DOWNLOADS:
            content_type, attribute = DOWNLOADS[download]
            name = slugify(
                newsletter.signatory.organisation.acronym
                or newsletter.signatory.organisation.name
            )
            filename = (
                f"relais-crig-{name}-{newsletter.start:%Y%m%d}-"
                f"{newsletter.end:%Y%m%d}.{download}"
            )
            response = HttpResponse(
                getattr(newsletter, attribute), content_type=content_type
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    return render(
        request,
        "news/relay.html",
        {
            "form": form,
            "newsletter": newsletter,
            "no_signatory": not form.fields["signatory"].queryset.exists(),
            "query": (
                urlencode(
                    {
                        "signatory": newsletter.signatory.pk,
                        "start": newsletter.start.isoformat(),
                        "end": newsletter.end.isoformat(),
                    }
                )
                if newsletter
                else ""
            ),
        },
        status=HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else None,
    )


routes = [path("actualites/relais/", relay, name="relay")]
