"""Reads of the news module: what a person may read, the public feeds, what a
digest holds, and the relay newsletters.

Everything a reader sees starts from ``news_visible_to(user)``, which is the
queryset form of the ``news.view_item`` rule (tests check both agree for every
role). Lists and feeds show only *live* items: published, their date reached.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crig.actionplan.models import Plan, ProgressUpdate
from crig.actionplan.selectors import plans_visible_to
from crig.catalog.models import CommuneCoverage, Dataset, Visibility
from crig.catalog.selectors.visibility import datasets_published_to
from crig.core.errors import InvalidInput, NotFound
from crig.events.models import Event
from crig.events.selectors import events_visible_to, meetings_visible_to
from crig.funding.models import RequestCommune
from crig.funding.selectors.register import register_list
from crig.members.models import Signatory
from crig.needs.models import Need, NeedCommune, SupportCommune, Theme
from crig.needs.selectors.needs import needs_visible_to
from crig.news.models import Delivery, NewsItem, NewsItemTheme, Subscription
from crig.news.rules import is_signatory_person
from crig.news.sanitise import html_to_text
from crig.territory.models import Commune, Departement
from crig.territory.selectors import commune_at


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


# --- Digests ----------------------------------------------------------------

#: A dataset first seen by the platform is announced only if its own latest date
#: (revision, publication or creation) is this recent: adding a source or a
#: first import brings years of old records the platform had not seen, which
#: are not news. A record without any of these dates cannot be told from an old
#: one and is not announced.
NEW_DATASET_MAX_AGE = datetime.timedelta(days=180)
#: A plan update is announced when it is recorded in the period and dated at
#: most this long before the period: a lead filling in last year's history
#: does not make news.
PLAN_UPDATE_MAX_AGE = datetime.timedelta(days=31)
#: The longest period a digest covers, per frequency (see ``digest_period``).
DIGEST_WINDOWS = {
    "immediate": datetime.timedelta(days=1),
    "daily": datetime.timedelta(days=1),
    "weekly": datetime.timedelta(days=7),
}
TOPIC_ORDER = [topic for topic, _label in Subscription.Topic.choices]


@dataclass(frozen=True)
class DigestEntry:
    topic: str  # Subscription.Topic
    title: str
    url: str  # absolute
    at: datetime.datetime
    summary: str = ""
    themes: list[str] = field(default_factory=list)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def digest_period(
    *, person, frequency: str, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """The period the person's next digest of ``frequency`` covers, ``[start,
    end)``.

    ``end`` is ``now`` cut to the minute (immediate) or to the hour (daily,
    weekly), so that the command run twice by cron in the same minute or hour
    finds the same period, which the database records once (``Delivery``'s
    unique person × frequency × end). ``start`` is the end of the person's last
    delivery of that frequency (periods follow each other: nothing twice,
    nothing skipped), but not before the subscription was created, and never
    more than the frequency's window before ``end`` (a day for immediate and
    daily, seven days for weekly): after a pause, a digest does not bring back a
    month of old news."""
    if frequency not in DIGEST_WINDOWS:
        raise InvalidInput(_("Choose a frequency from the list."), field="frequency")
    now = now or timezone.now()
    if frequency == Subscription.Frequency.IMMEDIATE:
        end = now.replace(second=0, microsecond=0)
    else:
        end = now.replace(minute=0, second=0, microsecond=0)
    start = end - DIGEST_WINDOWS[frequency]
    last_end = (
        Delivery.objects.filter(person=person, frequency=frequency, period_end__lt=end)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    if last_end is not None:
        start = max(start, last_end)
    created = (
        Subscription.objects.filter(person=person)
        .values_list("created_at", flat=True)
        .first()
    )
    if created is not None:
        start = max(start, min(created, end))
    return start, end


def subscription_territory(subscription: Subscription) -> QuerySet[Commune] | None:
    """The communes a subscription follows, or None for the whole region: the
    person's organisations' perimeters (default), else the communes picked;
    an empty perimeter or no commune picked means the whole region."""
    if subscription.use_organisation_perimeter:
        communes = Commune.objects.filter(
            organisations__memberships__person_id=subscription.person_id
        )
    else:
        communes = Commune.objects.filter(subscriptions=subscription)
    if not communes.exists():
        return None
    return Commune.objects.filter(insee__in=communes.values("insee"))


def _in_period(name: str, start, end) -> Q:
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def _news_entries(person, subscription, territory, start, end) -> list[DigestEntry]:
    items = NewsItem.objects.filter(
        readable_q(person, end), _in_period("publish_at", start, end)
    )
    if subscription.themes:
        items = items.filter(
            pk__in=NewsItemTheme.objects.filter(theme__in=subscription.themes).values(
                "item_id"
            )
        )
    if territory is not None:
        links = NewsItem.communes.through.objects
        items = items.filter(
            ~Q(pk__in=links.values("newsitem_id"))
            | Q(pk__in=links.filter(commune__in=territory).values("newsitem_id"))
        )
    entries = []
    for item in items.prefetch_related("themes").order_by("publish_at", "pk"):
        summary = item.summary
        if item.kind == NewsItem.Kind.CNIG:
            summary = " · ".join(
                part for part in (_("CNIG relay"), item.standard, item.summary) if part
            )
        entries.append(
            DigestEntry(
                topic=Subscription.Topic.NEWS,
                title=item.title,
                url=_absolute(item.get_absolute_url()),
                at=item.publish_at,
                summary=summary,
                themes=[theme.theme for theme in item.themes.all()],
            )
        )
    return entries


def _latest_own_date(dataset: Dataset) -> datetime.date | None:
    dates = [
        d for d in (dataset.revised_on, dataset.published_on, dataset.created_on) if d
    ]
    return max(dates) if dates else None


def _dataset_in_territory(dataset: Dataset, territory, covered: set[int]) -> bool:
    """Its commune coverage when computed (none: outside the region); before
    that, its bounding box against the communes'; no footprint: no territory."""
    if territory is None or dataset.pk in covered:
        return True
    if dataset.coverage_computed_at is not None:
        return False
    if dataset.min_lon is None or not dataset.footprint:
        return True
    return territory.filter(
        min_lon__lte=dataset.max_lon,
        max_lon__gte=dataset.min_lon,
        min_lat__lte=dataset.max_lat,
        max_lat__gte=dataset.min_lat,
    ).exists()


def _dataset_entries(person, subscription, territory, start, end) -> list[DigestEntry]:
    cutoff = timezone.localdate(end) - NEW_DATASET_MAX_AGE
    datasets = (
        datasets_published_to(person)
        .filter(visibility=Visibility.PUBLIC)
        .annotate(seen_at=Coalesce("first_seen_at", "created_at"))
        .filter(_in_period("seen_at", start, end))
        .filter(
            Q(revised_on__gte=cutoff)
            | Q(published_on__gte=cutoff)
            | Q(created_on__gte=cutoff)
        )
    )
    if subscription.themes:
        datasets = datasets.filter(referentiel__in=subscription.themes)
    datasets = list(datasets.order_by("seen_at", "pk"))
    covered = set()
    if territory is not None and datasets:
        covered = set(
            CommuneCoverage.objects.filter(
                dataset_id__in=[d.pk for d in datasets], commune__in=territory
            ).values_list("dataset_id", flat=True)
        )
    return [
        DigestEntry(
            topic=Subscription.Topic.DATASETS,
            title=dataset.title,
            url=_absolute(dataset.get_absolute_url()),
            at=dataset.seen_at,
            summary=dataset.producer_name,
            themes=[dataset.referentiel] if dataset.referentiel else [],
        )
        for dataset in datasets
        if _latest_own_date(dataset) is not None
        and _latest_own_date(dataset) >= cutoff
        and _dataset_in_territory(dataset, territory, covered)
    ]


def _need_entries(person, subscription, territory, start, end) -> list[DigestEntry]:
    needs = (
        needs_visible_to(person)
        .exclude(state__in=[Need.State.DRAFT, Need.State.MERGED])
        .filter(
            _in_period("submitted_at", start, end)
            | _in_period("state_changed_at", start, end)
        )
        .select_related("organisation")
    )
    if subscription.themes:
        needs = needs.filter(theme__in=subscription.themes)
    if territory is not None:
        needs = needs.filter(
            Q(
                pk__in=NeedCommune.objects.filter(commune__in=territory).values(
                    "need_id"
                )
            )
            | Q(
                pk__in=SupportCommune.objects.filter(commune__in=territory).values(
                    "support__need_id"
                )
            )
        )
    entries = []
    for need in needs.order_by("pk"):
        submitted = need.submitted_at is not None and start <= need.submitted_at < end
        at = need.submitted_at if submitted else need.state_changed_at
        label = _("New need") if submitted else need.get_state_display()
        entries.append(
            DigestEntry(
                topic=Subscription.Topic.NEEDS,
                title=need.title,
                url=_absolute(need.get_absolute_url()),
                at=at,
                summary=f"{label} · {need.organisation.name}",
                themes=[need.theme],
            )
        )
    return entries


def _opinion_entries(person, subscription, territory, start, end) -> list[DigestEntry]:
    opinions = register_list().filter(_in_period("published_at", start, end))
    if subscription.themes:
        opinions = opinions.filter(request__theme__in=subscription.themes)
    if territory is not None:
        opinions = opinions.filter(
            request__in=RequestCommune.objects.filter(commune__in=territory).values(
                "request_id"
            )
        )
    return [
        DigestEntry(
            topic=Subscription.Topic.OPINIONS,
            title=opinion.request.title,
            url=_absolute(opinion.get_absolute_url()),
            at=opinion.published_at,
            summary=opinion.get_verdict_display(),
            themes=[opinion.request.theme],
        )
        for opinion in opinions.select_related("request").order_by("published_at")
    ]


def _plan_entries(person, subscription, territory, start, end) -> list[DigestEntry]:
    oldest = timezone.localdate(start) - PLAN_UPDATE_MAX_AGE
    updates = ProgressUpdate.objects.filter(
        _in_period("created_at", start, end),
        dated__gte=oldest,
        action__plan__in=plans_visible_to(person)
        .filter(state=Plan.State.PUBLISHED)
        .values("pk"),
    ).select_related("action__plan")
    if subscription.themes:
        updates = updates.filter(action__theme__in=subscription.themes)
    return [
        DigestEntry(
            topic=Subscription.Topic.PLAN,
            title=str(update.action),
            url=_absolute(update.action.get_absolute_url()),
            at=update.created_at,
            summary=Truncator(update.body).chars(200),
            themes=[update.action.theme] if update.action.theme else [],
        )
        for update in updates.order_by("created_at", "pk")
    ]


def _event_entries(person, subscription, territory, start, end) -> list[DigestEntry]:
    """Events announced in the period and still to come, and meetings published
    in the period. Neither has a theme: they come with the topic alone; an event
    with a location passes the territorial filter when it is in it."""
    entries = []
    events = events_visible_to(person).filter(
        _in_period("created_at", start, end),
        state=Event.State.PUBLISHED,
        ends_at__gte=end,
    )
    for event in events.order_by("starts_at", "pk"):
        if territory is not None and event.longitude is not None:
            commune = commune_at(longitude=event.longitude, latitude=event.latitude)
            if commune is not None and not territory.filter(pk=commune.pk).exists():
                continue
        entries.append(
            DigestEntry(
                topic=Subscription.Topic.EVENTS,
                title=event.title,
                url=_absolute(event.get_absolute_url()),
                at=event.created_at,
                summary=date_format(
                    timezone.localtime(event.starts_at), "DATETIME_FORMAT"
                ),
            )
        )
    meetings = meetings_visible_to(person).filter(
        _in_period("published_at", start, end), state="published"
    )
    for meeting in meetings.order_by("starts_at", "pk"):
        entries.append(
            DigestEntry(
                topic=Subscription.Topic.EVENTS,
                title=meeting.title,
                url=_absolute(meeting.get_absolute_url()),
                at=meeting.published_at,
                summary=date_format(
                    timezone.localtime(meeting.starts_at), "DATETIME_FORMAT"
                ),
            )
        )
    return entries


_ENTRIES = {
    Subscription.Topic.NEWS: _news_entries,
    Subscription.Topic.DATASETS: _dataset_entries,
    Subscription.Topic.NEEDS: _need_entries,
    Subscription.Topic.OPINIONS: _opinion_entries,
    Subscription.Topic.PLAN: _plan_entries,
    Subscription.Topic.EVENTS: _event_entries,
}


def digest_entries(
    *, person, start: datetime.datetime, end: datetime.datetime
) -> list[DigestEntry]:
    """What the person's subscription selects in [start, end): news items they
    may read, new public datasets, published needs, published opinions, plan
    updates, published events and meetings — filtered by their themes, topics
    and territory (items without a territory always pass the territorial
    filter). Pulled from each module's selectors; only what the person may see.

    Themes: an item is kept when one of its themes is followed (a dataset's
    theme is its référentiel, a plan update's its action's); an item without a
    theme does not match a subscription that names themes, except events and
    meetings, which have none and come with their topic alone. No theme
    followed: every theme. Grouped by topic (in ``Subscription.Topic`` order),
    oldest first within a topic."""
    subscription = Subscription.objects.filter(person=person).first()
    if subscription is None or not getattr(person, "is_active", False):
        return []
    territory = subscription_territory(subscription)
    entries = []
    for topic in TOPIC_ORDER:
        if topic in subscription.topics:
            entries += _ENTRIES[topic](person, subscription, territory, start, end)
    return entries


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    html: str
    text: str


def digest_groups(items: list[dict]) -> list[dict]:
    """Recorded items grouped by topic, with the topic's label, in topic order."""
    labels = dict(Subscription.Topic.choices)
    return [
        {"topic": topic, "label": labels[topic], "items": rows}
        for topic in TOPIC_ORDER
        if (rows := [item for item in items if item["topic"] == topic])
    ]


def entry_record(entry: DigestEntry) -> dict:
    """An entry as a delivery records it (JSON): what is sent, as sent."""
    return {
        "topic": str(entry.topic),
        "title": entry.title,
        "url": entry.url,
        "at": entry.at.astimezone(datetime.UTC).isoformat(),
        "summary": entry.summary,
    }


def digest_subject(*, frequency: str, count: int) -> str:
    values = {"name": settings.CRIG_NAME, "count": count}
    if frequency == Subscription.Frequency.WEEKLY:
        text = ngettext(
            "%(name)s: %(count)d new item this week",
            "%(name)s: %(count)d new items this week",
            count,
        )
    elif frequency == Subscription.Frequency.DAILY:
        text = ngettext(
            "%(name)s: %(count)d new item today",
            "%(name)s: %(count)d new items today",
            count,
        )
    else:
        text = ngettext(
            "%(name)s: %(count)d new item", "%(name)s: %(count)d new items", count
        )
    return text % values


def digest_render(
    *,
    person,
    frequency: str,
    start: datetime.datetime,
    end: datetime.datetime,
    items: list[dict],
    unsubscribe_url: str,
) -> RenderedDigest:
    """The e-mail (subject, HTML, text) of recorded items, in French."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "person": person,
            "frequency": frequency,
            "start": start,
            "end": end,
            "groups": digest_groups(items),
            "count": len(items),
            "unsubscribe_url": unsubscribe_url,
            "settings_url": _absolute(reverse("news:subscriptions")),
            "site_url": settings.SITE_URL,
            "crig_name": settings.CRIG_NAME,
        }
        return RenderedDigest(
            subject=digest_subject(frequency=frequency, count=len(items)),
            html=render_to_string("news/email/digest.html", context),
            text=render_to_string("news/email/digest.txt", context),
        )


# --- Relay newsletters -------------------------------------------------------


@dataclass(frozen=True)
class RelayNewsletter:
    signatory: object
    start: datetime.date
    end: datetime.date
    items: list[NewsItem]
    html: str
    text: str


def relay_items(*, signatory, start: datetime.date, end: datetime.date):
    """Live items published from ``start`` to ``end`` (both included) that the
    signatory may relay: public ones and those for its own community — never
    members-only items, nor another community's."""
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    after = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    return (
        NewsItem.objects.filter(live_q(), _in_period("publish_at", first, after))
        .filter(
            Q(audience=NewsItem.Audience.PUBLIC)
            | Q(audience=NewsItem.Audience.COMMUNITY, community=signatory)
        )
        .prefetch_related("themes")
        .order_by("publish_at", "pk")
    )


def relay_newsletter(
    *, signatory, start: datetime.date, end: datetime.date
) -> RelayNewsletter:
    """What the signatory should relay to its community for the period: public
    items and those for its community, as a ready newsletter (HTML + text)."""
    if end < start:
        raise InvalidInput(_("The end of the period is before its start."), field="end")
    items = list(relay_items(signatory=signatory, start=start, end=end))
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "signatory": signatory,
            "start": start,
            "end": end,
            "items": [
                {
                    "item": item,
                    "url": _absolute(item.get_absolute_url()),
                    "text": html_to_text(item.body),
                    "themes": [
                        theme.get_theme_display() for theme in item.themes.all()
                    ],
                }
                for item in items
            ],
            "site_url": settings.SITE_URL,
            "crig_name": settings.CRIG_NAME,
        }
        html = render_to_string("news/newsletter/relay.html", context)
        text = render_to_string("news/newsletter/relay.txt", context)
    return RelayNewsletter(
        signatory=signatory, start=start, end=end, items=items, html=html, text=text
    )
