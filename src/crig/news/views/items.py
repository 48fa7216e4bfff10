"""Pages of news items: the list with its filters and feeds, an item's page, the
editorial pages (write, edit, submit for review, publish now or at a date,
unpublish) and the editors' list of drafts and items in review.

Each view parses the request, calls one selector or service and renders. The
services check the permissions again; the checks here decide what to show and
answer 403 before a form is filled for nothing. An item the person may not read
is a 404 (``selectors.news_get``), whether it exists or not.
"""

from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crig.core.errors import CrigError
from crig.core.http import http_errors, require_perm
from crig.core.uploads import attachment_size_check
from crig.needs.models import Theme
from crig.news import selectors, services
from crig.news.forms import NewsFilterForm, NewsItemForm, PublishForm
from crig.news.models import NewsAttachment, NewsItem
from crig.news.rules import is_staff_role
from crig.news.views._common import (
    add_error,
    form_status,
    item_links,
    item_or_404,
)
from crig.territory.forms import TerritoryInputForm

PAGE_SIZE = 20


def feed_links(*, theme: str = "", departement: str = "") -> list[dict]:
    """The Atom feeds a page offers: everything, and the theme or département
    the page is filtered on."""
    feeds = [{"title": _("All public news"), "url": reverse("news:feed")}]
    if theme in Theme.values:
        feeds.append(
            {
                "title": _("News on “%(theme)s”") % {"theme": Theme(theme).label},
                "url": reverse("news:feed_theme", args=[theme]),
            }
        )
    if departement:
        feeds.append(
            {
                "title": _("News of the département %(code)s") % {"code": departement},
                "url": reverse("news:feed_territory", args=[departement]),
            }
        )
    return feeds


def news_list(request):
    form = NewsFilterForm(request.GET or None)
    filters = form.filters()
    items = selectors.news_list(user=request.user, filters=filters)
    paginator = Paginator(
        items.select_related("community__organisation").prefetch_related("themes"),
        PAGE_SIZE,
    )
    page = paginator.get_page(request.GET.get("page"))
    query = urlencode(form.query())
    return render(
        request,
        "news/news_list.html",
        {
            "form": form,
            "page": page,
            "count": paginator.count,
            "query": query,
            "filtered": bool(query),
            "feeds": feed_links(theme=filters.theme, departement=filters.departement),
            "can_add": request.user.has_perm("news.add_item"),
            "can_relay": request.user.has_perm("news.preview_relay"),
            "now": timezone.now(),
        },
        status=HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else None,
    )


def news_detail(request, pk):
    item = item_or_404(request, pk)
    user = request.user
    live = item.state == NewsItem.State.PUBLISHED and (
        item.publish_at is None or item.publish_at <= timezone.now()
    )
    can_change = user.has_perm("news.change_item", item)
    can_publish = user.has_perm("news.publish_item", item)
    themes = list(item.themes.all())
    return render(
        request,
        "news/news_detail.html",
        {
            "item": item,
            "live": live,
            "scheduled": item.state == NewsItem.State.PUBLISHED and not live,
            "themes": themes,
            "links": item_links(user=user, item=item),
            "attachments": item.attachments.all(),
            "communes": item.communes.order_by("name")[:30],
            "commune_count": item.communes.count(),
            "can": {
                "edit": can_change,
                "submit": can_change and item.state == NewsItem.State.DRAFT,
                "publish": can_publish and item.state != NewsItem.State.PUBLISHED,
                "reschedule": can_publish
                and not live
                and item.state == NewsItem.State.PUBLISHED,
                "unpublish": can_publish and item.state == NewsItem.State.PUBLISHED,
            },
            "publish_form": PublishForm() if can_publish else None,
            "now": timezone.now(),
            "feeds": feed_links(theme=themes[0].theme if len(themes) == 1 else ""),
        },
    )


# Writing ----------------------------------------------------------------------


def _territory_form(request) -> TerritoryInputForm:
    if request.method == "POST":
        return TerritoryInputForm(
            request.POST, request.FILES, prefix="territory", required=False
        )
    return TerritoryInputForm(None, None, prefix="territory", required=False)


def _selection_notes(request, territory_form) -> None:
    selection = territory_form.cleaned_data.get("selection")
    for note in getattr(selection, "notes", None) or ():
        messages.info(request, note)


@login_required
def news_create(request):
    require_perm(request, "news.add_item")
    form = NewsItemForm(request.POST or None, user=request.user)
    territory_form = _territory_form(request)
    if request.method == "POST":
        form_valid = form.is_valid()
        territory_valid = territory_form.is_valid()
        if form_valid and territory_valid:
            try:
                with http_errors():
                    item = services.news_create(
                        author=request.user,
                        data=form.news_data(),
                        territory=territory_form.cleaned_data.get("selection"),
                    )
            except CrigError as error:
                add_error(form, error, territory_form)
            else:
                _selection_notes(request, territory_form)
                messages.success(
                    request,
                    _(
                        "The draft has been saved. Submit it for review or publish "
                        "it when it is ready."
                    ),
                )
                return redirect(item)
    return render(
        request,
        "news/news_form.html",
        {"form": form, "territory_form": territory_form, "item": None},
        status=form_status(form, territory_form),
    )


@login_required
def news_edit(request, pk):
    item = item_or_404(request, pk)
    require_perm(request, "news.change_item", item)
    form = NewsItemForm(request.POST or None, user=request.user, item=item)
    territory_form = _territory_form(request)
    if request.method == "POST":
        form_valid = form.is_valid()
        territory_valid = territory_form.is_valid()
        if form_valid and territory_valid:
            try:
                with http_errors():
                    item = services.news_update(
                        actor=request.user,
                        item=item,
                        data=form.news_data(),
                        territory=territory_form.cleaned_data.get("selection"),
                    )
            except CrigError as error:
                add_error(form, error, territory_form)
            else:
                _selection_notes(request, territory_form)
                messages.success(request, _("The news item has been updated."))
                return redirect(item)
    return render(
        request,
        "news/news_form.html",
        {"form": form, "territory_form": territory_form, "item": item},
        status=form_status(form, territory_form),
    )


@login_required
@require_POST
def news_submit(request, pk):
    item = item_or_404(request, pk)
    require_perm(request, "news.change_item", item)
    try:
        with http_errors():
            services.news_submit_for_review(actor=request.user, item=item)
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The news item has been submitted for review to the editors.")
        )
    return redirect("news:detail", pk=item.pk)


@login_required
@require_POST
def news_publish(request, pk):
    item = item_or_404(request, pk)
    require_perm(request, "news.publish_item", item)
    form = PublishForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("news:detail", pk=item.pk)
    publish_at = form.cleaned_data.get("publish_at")
    try:
        with http_errors():
            item = services.news_publish(
                actor=request.user, item=item, publish_at=publish_at
            )
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        if item.publish_at and item.publish_at > timezone.now():
            messages.success(
                request,
                _("The news item will be published on %(date)s.")
                % {
                    "date": date_format(
                        timezone.localtime(item.publish_at), "j F Y, H:i"
                    )
                },
            )
        else:
            messages.success(request, _("The news item is published."))
    return redirect("news:detail", pk=item.pk)


@login_required
@require_POST
def news_unpublish(request, pk):
    item = item_or_404(request, pk)
    require_perm(request, "news.publish_item", item)
    try:
        with http_errors():
            services.news_unpublish(actor=request.user, item=item)
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The news item is no longer published: it is a draft again.")
        )
    return redirect("news:detail", pk=item.pk)


@login_required
def editorial(request):
    """Drafts, items in review and scheduled items: everything not yet public
    that the person may read (the secretariat sees every one; an editor their
    own and those of the others, as the rules say)."""
    require_perm(request, "news.add_item")
    items = (
        selectors.news_visible_to(request.user)
        .exclude(
            state=NewsItem.State.PUBLISHED,
            publish_at__lte=timezone.now(),
        )
        .exclude(state=NewsItem.State.PUBLISHED, publish_at__isnull=True)
        .select_related("author", "community__organisation")
        .order_by("state", "-updated_at")
    )
    groups = [
        (
            _("In review"),
            "review",
            [item for item in items if item.state == NewsItem.State.REVIEW],
        ),
        (
            _("Scheduled"),
            "scheduled",
            [item for item in items if item.state == NewsItem.State.PUBLISHED],
        ),
        (
            _("Drafts"),
            "draft",
            [item for item in items if item.state == NewsItem.State.DRAFT],
        ),
    ]
    return render(
        request,
        "news/editorial.html",
        {"groups": groups, "is_secretariat": is_staff_role.test(request.user)},
    )


# Attachments --------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request, pk):
    item = item_or_404(request, pk)
    require_perm(request, "news.change_item", item)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect("news:detail", pk=item.pk)
    try:
        with http_errors():
            # Checked before reading, so a huge upload is not loaded in memory.
            attachment_size_check(
                upload.size, max_bytes=settings.NEEDS_ATTACHMENT_MAX_BYTES
            )
            services.news_attachment_add(
                actor=request.user, item=item, name=upload.name, data=upload.read()
            )
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The file is attached."))
    return redirect("news:detail", pk=item.pk)


@login_required
@require_POST
def attachment_remove(request, attachment_id):
    attachment = get_object_or_404(NewsAttachment, pk=attachment_id)
    item = item_or_404(request, attachment.item_id)
    require_perm(request, "news.change_item", item)
    try:
        with http_errors():
            services.news_attachment_remove(actor=request.user, attachment=attachment)
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The attachment was removed."))
    return redirect("news:detail", pk=item.pk)


def attachment_download(request, attachment_id):
    """Served through this view, not the media URL, so that an attachment of a
    members-only or community item is read only by its audience."""
    attachment = get_object_or_404(NewsAttachment, pk=attachment_id)
    item_or_404(request, attachment.item_id)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name
    )


routes = [
    path("actualites/", news_list, name="list"),
    path("actualites/nouvelle/", news_create, name="create"),
    path("actualites/redaction/", editorial, name="editorial"),
    path("actualites/<int:pk>/", news_detail, name="detail"),
    path("actualites/<int:pk>/modifier/", news_edit, name="edit"),
    path("actualites/<int:pk>/relecture/", news_submit, name="submit"),
    path("actualites/<int:pk>/publier/", news_publish, name="publish"),
    path("actualites/<int:pk>/depublier/", news_unpublish, name="unpublish"),
    path("actualites/<int:pk>/pieces-jointes/", attachment_add, name="attachment_add"),
    path(
        "actualites/pieces-jointes/<int:attachment_id>/",
        attachment_download,
        name="attachment_download",
    ),
    path(
        "actualites/pieces-jointes/<int:attachment_id>/retirer/",
        attachment_remove,
        name="attachment_remove",
    ),
]
