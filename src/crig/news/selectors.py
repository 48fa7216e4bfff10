"""Reads of the news module: what a person may read, the public feeds, what a
digest holds, and the relay newsletters.

Everything a reader sees starts from ``news_visible_to(user)``, which is the
queryset form of the ``news.view_item`` rule (tests check both agree for every
role). Lists and feeds show only *live* items: published, their date reached.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.core.errors import InvalidInput, NotFound
from crig.members.models import Signatory
from crig.needs.models import Theme
from crig.news.models import NewsItem
from crig.news.rules import is_signatory_person
from crig.territory.models import Departement


@dataclass(frozen=True)
class NewsFilters:
    q: str = ""
    kind: str = ""
    theme: str = ""
    departement: str = ""  # code: items with a commune in it
    year: int | None = None  # of publication


def _is_active_person(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def live_q(now: datetime.datetime | None = None) -> Q:
    """Published, and the publication date reached."""
    now = now or timezone.now()
    return Q(state=NewsItem.State.PUBLISHED) & (
        Q(publish_at__isnull=True) | Q(publish_at__lte=now)
    )


def _not_live_q(now: datetime.datetime) -> Q:
    return Q(state__in=[NewsItem.State.DRAFT, NewsItem.State.REVIEW]) | Q(
        state=NewsItem.State.PUBLISHED, publish_at__gt=now
    )


def communities_of(user) -> QuerySet[Signatory]:
    """The signatories whose community the person belongs to: their
    organisation's people and the reviewers assigned to them."""
    return Signatory.objects.filter(
        Q(organisation__memberships__person=user) | Q(reviewers__person=user)
    ).distinct()


def readable_q(user, now: datetime.datetime | None = None) -> Q:
    """The live items the person may read by their audience (no editorial
    rights, no authorship): what digests and relay newsletters may hold."""
    now = now or timezone.now()
    public = Q(audience=NewsItem.Audience.PUBLIC)
    if not _is_active_person(user):
        return live_q(now) & public
    if user.is_superuser or user.is_secretariat:
        return live_q(now)
    readable = public | Q(
        audience=NewsItem.Audience.COMMUNITY,
        community__in=communities_of(user).values("pk"),
    )
    if user.memberships.exists():
        readable |= Q(audience=NewsItem.Audience.MEMBERS)
    return live_q(now) & readable


def _ordered(items: QuerySet[NewsItem]) -> QuerySet[NewsItem]:
    return items.order_by(F("publish_at").desc(nulls_last=True), "-created_at", "-pk")


def news_visible_to(user) -> QuerySet[NewsItem]:
    """Items the person may read (see rules): for the anonymous public, public
    published items whose date is reached, only."""
    now = timezone.now()
    items = NewsItem.objects.all()
    if not _is_active_person(user):
        return _ordered(items.filter(readable_q(None, now)))
    if user.is_superuser or user.is_secretariat:
        return _ordered(items)
    visible = readable_q(user, now) | Q(author=user)
    if is_signatory_person.test(user):
        communities = communities_of(user).values("pk")
        visible |= _not_live_q(now) & (
            ~Q(audience=NewsItem.Audience.COMMUNITY) | Q(community__in=communities)
        )
    return _ordered(items.filter(visible))


def _check_choice(value: str, choices, field_name: str) -> None:
    if value and value not in choices:
        raise InvalidInput(_("Unknown value for this filter."), field=field_name)


def _filtered(
    items: QuerySet[NewsItem],
    *,
    q: str = "",
    kind: str = "",
    theme: str = "",
    departement: str = "",
    year: int | None = None,
) -> QuerySet[NewsItem]:
    _check_choice(kind, NewsItem.Kind.values, "kind")
    _check_choice(theme, Theme.values, "theme")
    if departement and not Departement.objects.filter(code=departement).exists():
        raise InvalidInput(_("Unknown value for this filter."), field="departement")
    for word in [w for w in (q or "").split() if w][:10]:
        items = items.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(body__icontains=word)
            | Q(standard__icontains=word)
        )
    if kind:
        items = items.filter(kind=kind)
    if theme:
        items = items.filter(themes__theme=theme)
    if departement:
        items = items.filter(
            pk__in=NewsItem.communes.through.objects.filter(
                commune__departement_id=departement
            ).values("newsitem_id")
        )
    if year is not None:
        items = items.filter(publish_at__year=year)
    return items


def news_list(*, user, filters: NewsFilters = NewsFilters()) -> QuerySet[NewsItem]:
    """The live items the person may read, newest first, filtered. The filter
    on a département keeps the items with a commune in it (an item without a
    territory concerns no département in particular)."""
    items = news_visible_to(user).filter(live_q())
    return _filtered(
        items,
        q=filters.q,
        kind=filters.kind,
        theme=filters.theme,
        departement=filters.departement,
        year=filters.year,
    )


def news_get(*, user, pk: int) -> NewsItem:
    """One item the person may read, or ``NotFound`` (whether it exists or not)."""
    item = (
        news_visible_to(user)
        .select_related("author", "community__organisation")
        .prefetch_related("themes", "attachments", "communes")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise NotFound(_("This news item does not exist or is not visible to you."))
    return item


def news_public_feed(
    *, theme: str = "", departement: str = "", limit: int = 50
) -> QuerySet[NewsItem]:
    """For the Atom feeds: public, published, date reached — nothing else, ever."""
    items = NewsItem.objects.filter(live_q(), audience=NewsItem.Audience.PUBLIC)
    items = _filtered(items, theme=theme, departement=departement)
    return _ordered(items).prefetch_related("themes")[: max(0, int(limit))]


@dataclass(frozen=True)
class DigestEntry:
    topic: str  # Subscription.Topic
    title: str
    url: str  # absolute
    at: datetime.datetime
    summary: str = ""
    themes: list[str] = field(default_factory=list)


def digest_entries(
    *, person, start: datetime.datetime, end: datetime.datetime
) -> list[DigestEntry]:
    """What the person's subscription selects in [start, end): news items they
    may read, new public datasets, published needs, published opinions, plan
    updates, published events and meetings — filtered by their themes, topics
    and territory (items without a territory always pass the territorial
    filter). Pulled from each module's selectors; only what the person may see."""
    raise NotImplementedError


@dataclass(frozen=True)
class RelayNewsletter:
    signatory: object
    start: datetime.date
    end: datetime.date
    items: list[NewsItem]
    html: str
    text: str


def relay_newsletter(
    *, signatory, start: datetime.date, end: datetime.date
) -> RelayNewsletter:
    """What the signatory should relay to its community for the period: public
    items and those for its community, as a ready newsletter (HTML + text)."""
    raise NotImplementedError
