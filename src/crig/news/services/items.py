"""News items: creation, edition, the editorial workflow (draft → review →
published, or scheduled), unpublication.

Every service is atomic, checks its permission with ``rules``
(``PermissionDenied``), raises ``InvalidInput`` with a translated message and
saves nothing on bad input. The body is sanitised (``crig.news.sanitise``) before
it is stored; titles and summaries are plain text (autoescaped where shown).

**CNIG fields.** A CNIG relay item (kind ``cnig``) needs the link to its source
(http or https; the source's name defaults to "CNIG") and the standard or
consultation it concerns; its deadline is optional. A plain news item may cite a
source (name and link) but has no standard nor deadline: giving one is refused
rather than silently dropped, so that an editor who picked the wrong kind is told.

**Links.** Every linked object (dataset, need, opinion, plan action, event) must
be visible to the author when it is linked, through each module's own
visibility; readers are shown only the links *they* may open
(``crig.news.selectors.news_links``).

**Publication.** ``news_publish`` without a date publishes now; with a future
date it schedules (the item stays invisible to readers until then). A date in
the past is refused: backdating would slip an item under digests already sent.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.actionplan.models import Action
from crig.actionplan.selectors import plans_visible_to
from crig.catalog.selectors.visibility import datasets_visible_to
from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.core.uploads import attachment_check
from crig.events.selectors import events_visible_to
from crig.funding.models import Opinion
from crig.members.models import Signatory
from crig.needs.models import Theme
from crig.needs.selectors.needs import needs_visible_to
from crig.news.models import NewsAttachment, NewsItem, NewsItemTheme
from crig.news.sanitise import plain_text, sanitise_html
from crig.news.services._common import is_staff, require, selection_communes
from crig.territory.selection import TerritorySelection

CNIG_DEFAULT_SOURCE = "CNIG"


@dataclass(frozen=True)
class NewsData:
    """The fields an editor fills in (create and update)."""

    title: str
    body: str  # HTML from the editor; sanitised by the service
    kind: str = "news"
    summary: str = ""
    audience: str = "public"
    community_id: int | None = None  # a Signatory, for the community audience
    themes: list[str] = field(default_factory=list)
    source_name: str = ""
    source_url: str = ""
    standard: str = ""
    deadline: datetime.date | None = None
    dataset_ids: list[int] = field(default_factory=list)
    need_ids: list[int] = field(default_factory=list)
    opinion_ids: list[int] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)


_http_url = URLValidator(schemes=["http", "https"])


def _in_community(user, signatory: Signatory) -> bool:
    return (
        user.memberships.filter(organisation_id=signatory.organisation_id).exists()
        or user.reviewer_assignments.filter(signatory=signatory).exists()
    )


def _clean(author, data: NewsData, *, current: NewsItem | None = None) -> dict:
    """The fields to store, or ``InvalidInput`` naming the first problem."""
    title = plain_text(data.title)
    if not title:
        raise InvalidInput(_("Give the news item a title."), field="title")
    if len(title) > NewsItem._meta.get_field("title").max_length:
        raise InvalidInput(
            _("The title is too long (200 characters at most)."), field="title"
        )
    summary = plain_text(data.summary)
    if len(summary) > NewsItem._meta.get_field("summary").max_length:
        raise InvalidInput(
            _("The summary is too long (300 characters at most)."), field="summary"
        )
    body = sanitise_html(data.body)
    if not body:
        raise InvalidInput(_("Write the text of the news item."), field="body")
    if data.kind not in NewsItem.Kind.values:
        raise InvalidInput(_("Choose a kind from the list."), field="kind")
    themes = list(dict.fromkeys(data.themes or []))
    if any(theme not in Theme.values for theme in themes):
        raise InvalidInput(_("Choose themes from the list."), field="themes")

    audience = data.audience
    if audience not in NewsItem.Audience.values:
        raise InvalidInput(_("Choose an audience from the list."), field="audience")
    community = None
    if audience == NewsItem.Audience.COMMUNITY:
        if data.community_id is None:
            raise InvalidInput(
                _("Choose the signatory whose community the item is for."),
                field="community_id",
            )
        community = Signatory.objects.filter(pk=data.community_id).first()
        if community is None:
            raise InvalidInput(
                _("Choose the signatory whose community the item is for."),
                field="community_id",
            )
        unchanged = current is not None and current.community_id == community.pk
        if not (unchanged or is_staff(author) or _in_community(author, community)):
            raise PermissionDenied(
                _("You may only write for the community of a signatory you belong to.")
            )

    source_name = plain_text(data.source_name)
    source_url = (data.source_url or "").strip()
    standard = plain_text(data.standard)
    if len(source_name) > NewsItem._meta.get_field("source_name").max_length:
        raise InvalidInput(
            _("The source's name is too long (200 characters at most)."),
            field="source_name",
        )
    if len(standard) > NewsItem._meta.get_field("standard").max_length:
        raise InvalidInput(
            _("The standard's name is too long (200 characters at most)."),
            field="standard",
        )
    if source_url:
        try:
            _http_url(source_url)
        except ValidationError as exc:
            raise InvalidInput(
                _("The source link must be a web address (http or https)."),
                field="source_url",
            ) from exc
        if len(source_url) > NewsItem._meta.get_field("source_url").max_length:
            raise InvalidInput(
                _("The source link is too long (200 characters at most)."),
                field="source_url",
            )
    if data.kind == NewsItem.Kind.CNIG:
        if not source_url:
            raise InvalidInput(
                _("A CNIG relay item needs the link to its source."),
                field="source_url",
            )
        if not standard:
            raise InvalidInput(
                _("Name the standard or the consultation the CNIG relay concerns."),
                field="standard",
            )
        source_name = source_name or CNIG_DEFAULT_SOURCE
    elif standard or data.deadline is not None:
        raise InvalidInput(
            _(
                "Only a CNIG relay item has a standard or a deadline: choose the "
                "kind “CNIG relay” or leave them empty."
            ),
            field="standard" if standard else "deadline",
        )
    if data.deadline is not None and not isinstance(data.deadline, datetime.date):
        raise InvalidInput(_("The deadline is not a date."), field="deadline")

    return {
        "fields": {
            "kind": data.kind,
            "title": title,
            "summary": summary,
            "body": body,
            "audience": audience,
            "community": community,
            "source_name": source_name,
            "source_url": source_url,
            "standard": standard,
            "deadline": data.deadline,
        },
        "themes": themes,
        "links": _clean_links(author, data),
    }


def _unique(ids) -> list[int]:
    try:
        return list(dict.fromkeys(int(pk) for pk in ids or []))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("A linked object is unknown.")) from exc


def _clean_links(author, data: NewsData) -> dict[str, list]:
    """The linked objects, each visible to the author, or ``InvalidInput``."""
    wanted = {
        "datasets": _unique(data.dataset_ids),
        "needs": _unique(data.need_ids),
        "opinions": _unique(data.opinion_ids),
        "actions": _unique(data.action_ids),
        "events": _unique(data.event_ids),
    }
    found = {
        "datasets": list(datasets_visible_to(author).filter(pk__in=wanted["datasets"])),
        "needs": list(needs_visible_to(author).filter(pk__in=wanted["needs"])),
        "opinions": [
            opinion
            for opinion in Opinion.objects.filter(pk__in=wanted["opinions"])
            if author.has_perm("funding.view_opinion", opinion)
        ],
        "actions": list(
            Action.objects.filter(
                pk__in=wanted["actions"], plan__in=plans_visible_to(author)
            )
        ),
        "events": list(events_visible_to(author).filter(pk__in=wanted["events"])),
    }
    messages = {
        "datasets": _("A linked dataset does not exist or is not visible to you."),
        "needs": _("A linked need does not exist or is not visible to you."),
        "opinions": _("A linked opinion does not exist or is not visible to you."),
        "actions": _("A linked plan action does not exist or is not visible to you."),
        "events": _("A linked event does not exist or is not visible to you."),
    }
    for name, ids in wanted.items():
        if len(found[name]) != len(ids):
            raise InvalidInput(messages[name], field=f"{name[:-1]}_ids")
    return found


def _store(item: NewsItem, cleaned: dict, territory, clear_territory: bool) -> None:
    for name, value in cleaned["fields"].items():
        setattr(item, name, value)
    codes = selection_communes(territory) if territory is not None else None
    if territory is not None:
        item.territory_description = (territory.description or "")[:300]
    elif clear_territory:
        item.territory_description = ""
    item.save()
    NewsItemTheme.objects.filter(item=item).exclude(
        theme__in=cleaned["themes"]
    ).delete()
    present = set(item.themes.values_list("theme", flat=True))
    NewsItemTheme.objects.bulk_create(
        [
            NewsItemTheme(item=item, theme=theme)
            for theme in cleaned["themes"]
            if theme not in present
        ]
    )
    for name, objects in cleaned["links"].items():
        getattr(item, name).set(objects)
    if codes is not None:
        item.communes.set(codes)
    elif clear_territory:
        item.communes.clear()


@transaction.atomic
def news_create(
    *, author, data: NewsData, territory: TerritorySelection | None = None
) -> NewsItem:
    """A draft. Linked objects must be visible to the author."""
    require(
        author,
        "news.add_item",
        None,
        _("Only the secretariat and the signatories' editors may write news."),
    )
    cleaned = _clean(author, data)
    item = NewsItem(author=author, state=NewsItem.State.DRAFT)
    _store(item, cleaned, territory, clear_territory=False)
    return item


@transaction.atomic
def news_update(
    *,
    actor,
    item: NewsItem,
    data: NewsData,
    territory: TerritorySelection | None = None,
    clear_territory: bool = False,
) -> NewsItem:
    """Change the fields; the territory when given (``clear_territory`` removes
    it). A published item stays published (a correction)."""
    item = NewsItem.objects.select_for_update().get(pk=item.pk)
    require(actor, "news.change_item", item, _("You may not change this item."))
    cleaned = _clean(actor, data, current=item)
    _store(item, cleaned, territory, clear_territory=clear_territory)
    return item


@transaction.atomic
def news_submit_for_review(*, actor, item: NewsItem) -> NewsItem:
    """Draft → in review: the editors are asked to look at it."""
    item = NewsItem.objects.select_for_update().get(pk=item.pk)
    require(actor, "news.change_item", item, _("You may not change this item."))
    if item.state != NewsItem.State.DRAFT:
        raise Conflict(_("Only a draft can be submitted for review."))
    item.state = NewsItem.State.REVIEW
    item.save(update_fields=["state", "updated_at"])
    return item


@transaction.atomic
def news_publish(
    *, actor, item: NewsItem, publish_at: datetime.datetime | None = None
) -> NewsItem:
    """Published now, or scheduled when ``publish_at`` is in the future. Immediate
    subscribers get it at the next delivery run."""
    item = NewsItem.objects.select_for_update().get(pk=item.pk)
    require(
        actor,
        "news.publish_item",
        item,
        _("Only the secretariat and the signatories' editors may publish news."),
    )
    require(actor, "news.view_item", item, _("You may not publish this item."))
    now = timezone.now()
    if item.state == NewsItem.State.PUBLISHED and (
        item.publish_at is None or item.publish_at <= now
    ):
        raise Conflict(_("This item is already published."))
    if publish_at is not None:
        if timezone.is_naive(publish_at):
            publish_at = timezone.make_aware(publish_at)
        if publish_at < now:
            raise InvalidInput(
                _("The publication date is in the past: publish now instead."),
                field="publish_at",
            )
    item.state = NewsItem.State.PUBLISHED
    item.publish_at = publish_at or now
    item.save(update_fields=["state", "publish_at", "updated_at"])
    return item


@transaction.atomic
def news_unpublish(*, actor, item: NewsItem) -> NewsItem:
    """Published or scheduled → draft: readers no longer see it (an e-mail already
    sent stays sent)."""
    item = NewsItem.objects.select_for_update().get(pk=item.pk)
    require(
        actor,
        "news.publish_item",
        item,
        _("Only the secretariat and the signatories' editors may unpublish news."),
    )
    require(actor, "news.view_item", item, _("You may not unpublish this item."))
    if item.state != NewsItem.State.PUBLISHED:
        raise Conflict(_("This item is not published."))
    item.state = NewsItem.State.DRAFT
    item.publish_at = None
    item.save(update_fields=["state", "publish_at", "updated_at"])
    return item


def news_attachment_add(
    *, actor, item: NewsItem, name: str, data: bytes
) -> NewsAttachment:
    """Attach a document (PDF, images, office files, CSV; at most
    ``NEEDS_ATTACHMENT_MAX_BYTES``) to an item its editor may change. Stored
    through the default storage under a generated name; removed again if the
    database write fails."""
    require(actor, "news.change_item", item, _("You may not change this item."))
    display, storage_name = attachment_check(
        name, data, max_bytes=settings.NEEDS_ATTACHMENT_MAX_BYTES
    )
    attachment = NewsAttachment(item=item, name=display, size=len(data))
    stored = False
    try:
        with transaction.atomic():
            attachment.file.save(storage_name, ContentFile(data), save=False)
            stored = True
            attachment.save()
    except BaseException:
        if stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def news_attachment_remove(*, actor, attachment: NewsAttachment) -> None:
    """Remove an attachment; its file is deleted once the removal is committed."""
    require(
        actor,
        "news.change_item",
        attachment.item,
        _("You may not change this item."),
    )
    file = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: file.storage.delete(file.name))
