"""REST endpoints of the news module: the items a caller may read, and the
caller's own subscription.

Every read starts from ``selectors.news_list`` / ``selectors.news_get``, which
start from ``news_visible_to``: members-only and community items reach only
their audience, drafts and scheduled items only the editors (and a scheduled or
draft item is a 404 to anyone else). ``/me/subscriptions`` takes no person and
no id: a caller reads and changes only their own subscription.
"""

import datetime
from http import HTTPStatus
from typing import Literal

from ninja import Field, Query, Router, Schema

from crig.core.api import OFFSET_MAX, authenticated, errors
from crig.needs.models import Theme
from crig.news import selectors, services
from crig.news.models import NewsItem, Subscription
from crig.news.views._common import item_links
from crig.territory.selection import territory_selection

router = Router()

KindCode = Literal[tuple(NewsItem.Kind.values)]
ThemeCode = Literal[tuple(Theme.values)]
TopicCode = Literal[tuple(Subscription.Topic.values)]
FrequencyCode = Literal[tuple(Subscription.Frequency.values)]


# --- Schemas --------------------------------------------------------------------------


class CodeLabelOut(Schema):
    code: str
    label: str


class NewsLinkOut(Schema):
    kind: Literal["dataset", "need", "opinion", "action", "event"]
    id: int
    title: str
    url: str


class AttachmentOut(Schema):
    name: str
    size: int
    url: str


class NewsFiltersIn(Schema):
    q: str = Field("", max_length=200, description="Words of the title or text.")
    kind: KindCode | None = None
    theme: ThemeCode | None = None
    departement: str = Field(
        "", max_length=3, description="Code: items with a commune in it."
    )
    year: int | None = Field(None, ge=2000, le=2100, description="Year published.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)

    def selector_filters(self) -> selectors.NewsFilters:
        return selectors.NewsFilters(
            q=self.q.strip(),
            kind=self.kind or "",
            theme=self.theme or "",
            departement=self.departement.strip().upper(),
            year=self.year,
        )


class NewsOut(Schema):
    id: int
    kind: CodeLabelOut
    title: str = Field(description="Plain text.")
    summary: str = Field(description="Plain text.")
    audience: CodeLabelOut
    community: str | None = Field(
        None, description="The signatory whose community may read it."
    )
    state: CodeLabelOut
    publish_at: datetime.datetime | None
    themes: list[CodeLabelOut]
    source_name: str
    source_url: str
    standard: str
    deadline: datetime.date | None
    territory_description: str
    url: str


class NewsListOut(Schema):
    count: int
    items: list[NewsOut]


class NewsDetailOut(NewsOut):
    body: str = Field(description="Sanitised HTML.")
    communes: list[str] = Field(description="INSEE codes of the territory.")
    links: list[NewsLinkOut] = Field(
        description="The platform objects it links to that the caller may open."
    )
    attachments: list[AttachmentOut]


class SubscriptionOut(Schema):
    themes: list[CodeLabelOut] = Field(description="Empty: every theme.")
    topics: list[CodeLabelOut] = Field(description="Empty: nothing is sent.")
    use_organisation_perimeter: bool
    communes: list[str] = Field(
        description="INSEE codes chosen (used when not following the "
        "organisations' perimeters; empty: the whole region)."
    )
    territory_description: str
    frequency: CodeLabelOut
    active: bool


class SubscriptionIn(Schema):
    themes: list[ThemeCode] = Field(default_factory=list)
    topics: list[TopicCode] = Field(default_factory=list)
    frequency: FrequencyCode = "weekly"
    use_organisation_perimeter: bool = True
    communes: list[str] | None = Field(
        None,
        max_length=5000,
        description="INSEE codes: replace the chosen communes; [] removes them "
        "(the whole region); absent keeps them.",
    )
    active: bool = True


# --- Helpers --------------------------------------------------------------------------


def _code_label(value: str, choices) -> dict:
    return {"code": value, "label": str(dict(choices).get(value, value))}


def news_out(request, item: NewsItem) -> dict:
    return {
        "id": item.pk,
        "kind": _code_label(item.kind, NewsItem.Kind.choices),
        "title": item.title,
        "summary": item.summary,
        "audience": _code_label(item.audience, NewsItem.Audience.choices),
        "community": (item.community.organisation.name if item.community_id else None),
        "state": _code_label(item.state, NewsItem.State.choices),
        "publish_at": item.publish_at,
        "themes": [
            _code_label(theme.theme, Theme.choices) for theme in item.themes.all()
        ],
        "source_name": item.source_name,
        "source_url": item.source_url,
        "standard": item.standard,
        "deadline": item.deadline,
        "territory_description": item.territory_description,
        "url": request.build_absolute_uri(item.get_absolute_url()),
    }


def _link(request, kind: str, obj, title: str) -> dict:
    url = request.build_absolute_uri(obj.get_absolute_url())
    return {"kind": kind, "id": obj.pk, "title": title, "url": url}


def news_detail_out(request, item: NewsItem) -> dict:
    links = item_links(user=request.user, item=item)
    return {
        **news_out(request, item),
        "body": item.body,
        "communes": sorted(item.communes.values_list("insee", flat=True)),
        "links": [
            *(_link(request, "dataset", obj, obj.title) for obj in links.datasets),
            *(_link(request, "need", obj, obj.title) for obj in links.needs),
            *(
                _link(request, "opinion", obj, obj.request.title)
                for obj in links.opinions
            ),
            *(_link(request, "action", obj, str(obj)) for obj in links.actions),
            *(_link(request, "event", obj, obj.title) for obj in links.events),
        ],
        "attachments": [
            {
                "name": attachment.name,
                "size": attachment.size,
                "url": request.build_absolute_uri(attachment.file.url),
            }
            for attachment in item.attachments.all()
        ],
    }


def subscription_out(subscription: Subscription | None) -> dict:
    if subscription is None:
        # Nothing chosen yet: what the settings page starts from.
        subscription = Subscription()
        communes = []
    else:
        communes = sorted(subscription.communes.values_list("insee", flat=True))
    return {
        "themes": [_code_label(theme, Theme.choices) for theme in subscription.themes],
        "topics": [
            _code_label(topic, Subscription.Topic.choices)
            for topic in subscription.topics
        ],
        "use_organisation_perimeter": subscription.use_organisation_perimeter,
        "communes": communes,
        "territory_description": subscription.territory_description,
        "frequency": _code_label(
            subscription.frequency, Subscription.Frequency.choices
        ),
        "active": subscription.active if subscription.pk else False,
    }


# --- Endpoints ------------------------------------------------------------------------


@router.get(
    "/news",
    response={HTTPStatus.OK: NewsListOut, **errors(HTTPStatus.BAD_REQUEST)},
    url_name="news_list",
    summary="List news",
)
def news_list(request, filters: Query[NewsFiltersIn]):
    """Published items the caller may read (public ones for everyone; members
    and community items for their audience), newest first, with the filters of
    the news page."""
    items = selectors.news_list(user=request.user, filters=filters.selector_filters())
    items = items.select_related("community__organisation").prefetch_related("themes")
    page = items[filters.offset : filters.offset + filters.limit]
    return {"count": items.count(), "items": [news_out(request, item) for item in page]}


@router.get(
    "/news/{int:item_id}",
    response=NewsDetailOut,
    url_name="news_detail",
    summary="A news item",
)
def news_detail(request, item_id: int):
    """One item with its sanitised body, territory, attachments and the links the
    caller may open; 404 for an item the caller may not read."""
    item = selectors.news_get(user=request.user, pk=item_id)
    return news_detail_out(request, item)


@router.get(
    "/me/subscriptions",
    response=SubscriptionOut,
    auth=authenticated,
    url_name="my_subscription",
    summary="My subscription",
)
def my_subscription(request):
    """The caller's own subscription (a new, inactive one if none yet)."""
    return subscription_out(Subscription.objects.filter(person=request.user).first())


@router.put(
    "/me/subscriptions",
    response={HTTPStatus.OK: SubscriptionOut, **errors(HTTPStatus.BAD_REQUEST)},
    auth=authenticated,
    url_name="my_subscription_update",
    summary="Change my subscription",
)
def my_subscription_update(request, payload: SubscriptionIn):
    """Replace the caller's own subscription. Bad input answers 400 with a
    `message` and changes nothing."""
    territory = None
    codes = None
    if payload.communes is not None:
        codes = [code.strip() for code in payload.communes if code.strip()]
    if codes:
        territory = territory_selection(communes=codes)
    subscription = services.subscription_update(
        person=request.user,
        themes=list(payload.themes),
        topics=list(payload.topics),
        frequency=payload.frequency,
        use_organisation_perimeter=payload.use_organisation_perimeter,
        territory=territory,
        active=payload.active,
        clear_territory=codes == [],
    )
    return subscription_out(subscription)
