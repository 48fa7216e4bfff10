"""Forms of the news pages. They parse what a person typed and build what the
services and selectors take (``NewsData``, ``NewsFilters``, the subscription's
values); the services decide the rest (permissions, sanitising the body)."""

import datetime
from urllib.parse import urlsplit

from django import forms
from django.db.models import Q
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from crig.members.models import Signatory, User
from crig.needs.models import Theme
from crig.news.models import NewsItem, Subscription
from crig.news.rules import is_staff_role
from crig.news.selectors import NewsFilters
from crig.news.services import NewsData
from crig.territory.models import Departement

YEAR_MIN = 2000
YEAR_MAX = 2100

#: The pages a news item may link to: URL name → (NewsData field, how the page
#: names its object). Events are named by slug in their addresses.
LINKABLE_PAGES = {
    "catalog:dataset_detail": "dataset_ids",
    "needs:detail": "need_ids",
    "funding:opinion_detail": "opinion_ids",
    "actionplan:action_detail": "action_ids",
    "events:event_detail": "event_ids",
}

#: Told to editors; the service keeps only these (``crig.news.sanitise``).
ALLOWED_HTML_HELP = _(
    "Simple HTML: paragraphs <p>, line breaks <br>, <strong>, <em>, links "
    '<a href="https://…">, lists <ul> and <ol> with <li>, titles <h2> to <h4>, '
    "<blockquote>, <code>, <pre> and plain tables. Anything else (scripts, styles, "
    "images, attributes such as onclick) is removed when the item is saved."
)


def departement_choices():
    return [("", _("All départements"))] + [
        (code, f"{name} ({code})")
        for code, name in Departement.objects.order_by("code").values_list(
            "code", "name"
        )
    ]


class NewsFilterForm(forms.Form):
    """The filters of the list; an invalid filter is ignored and said so."""

    q = forms.CharField(
        label=_("Words"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("News and CNIG relays"))] + list(NewsItem.Kind.choices),
    )
    theme = forms.ChoiceField(
        label=_("Theme"),
        required=False,
        choices=[("", _("All themes"))] + list(Theme.choices),
    )
    departement = forms.ChoiceField(label=_("Département"), required=False)
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = departement_choices()

    def filters(self) -> NewsFilters:
        if not self.is_bound:
            return NewsFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return NewsFilters(
            q=(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            theme=data.get("theme") or "",
            departement=data.get("departement") or "",
            year=data.get("year"),
        )

    def query(self) -> dict:
        """The valid filters in use, for the pages' and exports' links."""
        filters = self.filters()
        values = {
            "q": filters.q,
            "kind": filters.kind,
            "theme": filters.theme,
            "departement": filters.departement,
            "year": filters.year or "",
        }
        return {key: value for key, value in values.items() if value}


class _SignatoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


def signatories_for(user):
    """The signatories whose community the person may write to or relay for:
    every one for the secretariat and administrators; otherwise those of the
    person's organisations and those they review for."""
    signatories = Signatory.objects.select_related("organisation").order_by(
        "position", "organisation__name"
    )
    if is_staff_role.test(user):
        return signatories
    if not user.is_authenticated:
        return signatories.none()
    return signatories.filter(
        Q(organisation__memberships__person=user) | Q(reviewers__person=user)
    ).distinct()


class NewsItemForm(forms.Form):
    """A news item's fields. Links to platform objects are given as the
    addresses of their pages (one per line), which editors copy from their
    browser; the territory comes from the shared territory picker."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=NewsItem.Kind.choices,
        widget=forms.RadioSelect,
        initial=NewsItem.Kind.NEWS,
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        required=False,
        help_text=_("One or two sentences shown in lists, feeds and digests."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "true"}),
    )
    audience = forms.ChoiceField(
        label=_("Who may read it"),
        choices=NewsItem.Audience.choices,
        widget=forms.RadioSelect,
        initial=NewsItem.Audience.PUBLIC,
    )
    community = _SignatoryChoiceField(
        label=_("Community of"),
        queryset=Signatory.objects.none(),
        required=False,
        help_text=_("For the audience “a signatory's community”."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    source_name = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("CNIG relays: who publishes it, e.g. “CNIG – GT PCRS”."),
    )
    source_url = forms.URLField(
        label=_("Source link"),
        required=False,
        assume_scheme="https",
        max_length=200,
    )
    standard = forms.CharField(
        label=_("Standard or consultation"),
        max_length=200,
        required=False,
        help_text=_("E.g. “PCRS standard v2.0”, “consultation on the BAN”."),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        help_text=_("For a consultation: the last day to answer."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    links = forms.CharField(
        label=_("Linked pages of the platform"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "The addresses of the pages of a dataset, a need, an opinion, a plan "
            "action or an event, one per line."
        ),
    )

    def __init__(self, *args, user, item: NewsItem | None = None, **kwargs):
        if item is not None and not kwargs.get("initial"):
            kwargs["initial"] = self.initial_for(item)
        super().__init__(*args, **kwargs)
        self.user = user
        self.item = item
        self.fields["community"].queryset = signatories_for(user)
        # Django's field templates render help texts as HTML: the tag names of
        # this one must show as text.
        self.fields["body"].help_text = escape(str(ALLOWED_HTML_HELP))

    @staticmethod
    def initial_for(item: NewsItem) -> dict:
        links = [
            obj.get_absolute_url()
            for manager in (
                item.datasets,
                item.needs,
                item.opinions,
                item.actions,
                item.events,
            )
            for obj in manager.all()
        ]
        return {
            "kind": item.kind,
            "title": item.title,
            "summary": item.summary,
            "body": item.body,
            "themes": list(item.themes.values_list("theme", flat=True)),
            "audience": item.audience,
            "community": item.community_id,
            "source_name": item.source_name,
            "source_url": item.source_url,
            "standard": item.standard,
            "deadline": item.deadline,
            "links": "\n".join(links),
        }

    def clean_links(self) -> dict[str, list[int]]:
        from crig.events.models import Event

        found: dict[str, list[int]] = {name: [] for name in LINKABLE_PAGES.values()}
        unknown = []
        for line in (self.cleaned_data.get("links") or "").splitlines():
            address = line.strip()
            if not address:
                continue
            try:
                match = resolve(urlsplit(address).path or "/")
            except Resolver404:
                unknown.append(address)
                continue
            name = LINKABLE_PAGES.get(match.view_name)
            if name is None:
                unknown.append(address)
                continue
            if name == "event_ids":
                pk = (
                    Event.objects.filter(slug=match.kwargs.get("slug"))
                    .values_list("pk", flat=True)
                    .first()
                )
                if pk is None:
                    unknown.append(address)
                    continue
            else:
                pk = int(next(iter(match.kwargs.values())))
            if pk not in found[name]:
                found[name].append(pk)
        if unknown:
            raise forms.ValidationError(
                _(
                    "Not the address of a dataset, need, opinion, plan action or "
                    "event of the platform: %(addresses)s"
                ),
                params={"addresses": ", ".join(unknown)},
                code="unknown_link",
            )
        return found

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == NewsItem.Audience.COMMUNITY and not cleaned.get("community"):
            self.add_error(
                "community", _("Choose the signatory whose community may read it.")
            )
        return cleaned

    def news_data(self) -> NewsData:
        data = self.cleaned_data
        links = data.get("links") or {}
        community = data.get("community")
        return NewsData(
            title=data["title"].strip(),
            body=data["body"],
            kind=data["kind"],
            summary=(data.get("summary") or "").strip(),
            audience=data["audience"],
            community_id=(
                community.pk
                if community and data["audience"] == NewsItem.Audience.COMMUNITY
                else None
            ),
            themes=list(data.get("themes") or []),
            source_name=data.get("source_name") or "",
            source_url=data.get("source_url") or "",
            standard=data.get("standard") or "",
            deadline=data.get("deadline"),
            dataset_ids=links.get("dataset_ids", []),
            need_ids=links.get("need_ids", []),
            opinion_ids=links.get("opinion_ids", []),
            action_ids=links.get("action_ids", []),
            event_ids=links.get("event_ids", []),
        )


class PublishForm(forms.Form):
    """Publish now (no date) or at a date (scheduled)."""

    publish_at = forms.DateTimeField(
        label=_("Publication date"),
        required=False,
        help_text=_("Leave empty to publish now."),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def clean_publish_at(self):
        value = self.cleaned_data.get("publish_at")
        if value is not None and value < timezone.now() - datetime.timedelta(minutes=1):
            raise forms.ValidationError(
                _("The publication date is in the past: leave it empty to publish now.")
            )
        return value


class SubscriptionForm(forms.Form):
    """One's own subscription. The territory is the organisations' perimeters or
    the communes given with the territory picker (a separate form)."""

    TERRITORY_ORGANISATIONS = "organisations"
    TERRITORY_REGION = "region"
    TERRITORY_CHOSEN = "chosen"

    topics = forms.MultipleChoiceField(
        label=_("What I want to receive"),
        choices=Subscription.Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nothing ticked: nothing is sent."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes I follow"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nothing ticked: every theme."),
    )
    territory = forms.ChoiceField(
        label=_("Which territory"),
        choices=[
            (TERRITORY_ORGANISATIONS, _("The territory of my organisations")),
            (TERRITORY_REGION, _("The whole region")),
            (TERRITORY_CHOSEN, _("Communes I choose (below)")),
        ],
        widget=forms.RadioSelect,
        initial=TERRITORY_ORGANISATIONS,
        help_text=_("What concerns no territory in particular is always sent."),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscription.Frequency.choices,
        widget=forms.RadioSelect,
        initial=Subscription.Frequency.WEEKLY,
    )
    active = forms.BooleanField(
        label=_("Send me these e-mails"),
        required=False,
        initial=True,
        help_text=_("Untick to stop every e-mail and keep your choices."),
    )

    def __init__(self, *args, subscription: Subscription | None = None, **kwargs):
        if subscription is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "topics": list(subscription.topics),
                "themes": list(subscription.themes),
                "territory": self.territory_of(subscription),
                "frequency": subscription.frequency,
                "active": subscription.active,
            }
        super().__init__(*args, **kwargs)
        self.subscription = subscription

    @classmethod
    def territory_of(cls, subscription: Subscription) -> str:
        if subscription.use_organisation_perimeter:
            return cls.TERRITORY_ORGANISATIONS
        if subscription.communes.exists():
            return cls.TERRITORY_CHOSEN
        return cls.TERRITORY_REGION


class RelayForm(forms.Form):
    """A signatory and a period for its relay newsletter."""

    signatory = _SignatoryChoiceField(
        label=_("Signatory"), queryset=Signatory.objects.none(), empty_label=None
    )
    start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signatory"].queryset = signatories_for(user)

    @staticmethod
    def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The last 30 days: about a month, and what was published today."""
        return today - datetime.timedelta(days=30), today

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The end of the period is before its start."))
            elif (end - start).days > 366:
                self.add_error("end", _("The period may not exceed a year."))
        return cleaned


class DigestPreviewForm(forms.Form):
    """Whose digest and for which frequency; ``person`` only for the secretariat."""

    frequency = forms.ChoiceField(
        label=_("Digest"),
        choices=[("", _("As in the subscription"))]
        + list(Subscription.Frequency.choices),
        required=False,
    )
    person = forms.EmailField(
        label=_("Person (e-mail address)"),
        required=False,
        help_text=_("The secretariat may preview anyone's digest."),
    )

    def __init__(self, *args, may_choose_person: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_choose_person:
            del self.fields["person"]

    def clean_person(self):
        email = (self.cleaned_data.get("person") or "").strip()
        if not email:
            return None
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("No active account has this address."))
        return person
