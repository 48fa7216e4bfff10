"""News, CNIG relay items, subscriptions and the record of what was sent.

Everything a person may follow — news items, and what happens in the other
modules (new datasets, needs, published opinions, plan updates, events) — is
*pulled* from those modules' selectors when a digest is built, so no module
writes into this one. A delivery is recorded per person and period before it is
sent, so an interrupted job resumes without sending twice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crig.core.models import TimeStampedModel
from crig.needs.models import Theme


class NewsItem(TimeStampedModel):
    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        CNIG = "cnig", _("CNIG relay")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members")
        COMMUNITY = "community", _("A signatory's community")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.NEWS
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # Sanitised HTML (``crig.news.sanitise``); never rendered unsanitised.
    body = models.TextField(_("body"))
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    community = models.ForeignKey(
        "members.Signatory",
        verbose_name=_("community of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="news_items",
        help_text=_("For the audience “a signatory's community”."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    # Published items with a future date are scheduled: invisible until then.
    publish_at = models.DateTimeField(_("publication date"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="news_items",
    )
    # CNIG relay items
    source_name = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.URLField(_("source link"), blank=True)
    standard = models.CharField(
        _("standard or consultation"), max_length=200, blank=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    # Territory (optional): the communes it concerns.
    communes = models.ManyToManyField(
        "territory.Commune",
        verbose_name=_("communes"),
        related_name="news_items",
        blank=True,
    )
    territory_description = models.CharField(_("territory"), max_length=300, blank=True)
    # Links to platform objects
    datasets = models.ManyToManyField(
        "catalog.Dataset",
        verbose_name=_("datasets"),
        related_name="news_items",
        blank=True,
    )
    needs = models.ManyToManyField(
        "needs.Need", verbose_name=_("needs"), related_name="news_items", blank=True
    )
    opinions = models.ManyToManyField(
        "funding.Opinion",
        verbose_name=_("opinions"),
        related_name="news_items",
        blank=True,
    )
    actions = models.ManyToManyField(
        "actionplan.Action",
        verbose_name=_("plan actions"),
        related_name="news_items",
        blank=True,
    )
    events = models.ManyToManyField(
        "events.Event", verbose_name=_("events"), related_name="news_items", blank=True
    )

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["-publish_at", "-created_at"]
        indexes = [models.Index(fields=["state", "audience", "publish_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(audience="community")
                | models.Q(community__isnull=False),
                name="news_community_named",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("news:detail", args=[self.pk])


class NewsItemTheme(models.Model):
    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices)

    class Meta:
        verbose_name = _("theme of a news item")
        verbose_name_plural = _("themes of news items")
        constraints = [
            models.UniqueConstraint(fields=["item", "theme"], name="news_theme_once")
        ]
        indexes = [models.Index(fields=["theme", "item"])]

    def __str__(self):
        return self.get_theme_display()


class NewsAttachment(TimeStampedModel):
    item = models.ForeignKey(
        NewsItem,
        verbose_name=_("news item"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="news/%Y/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self):
        return self.name


class Subscription(TimeStampedModel):
    """What a person follows and how they want it. One per person."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("As it happens")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")

    class Topic(models.TextChoices):
        NEWS = "news", _("News and CNIG relays")
        DATASETS = "datasets", _("New datasets")
        NEEDS = "needs", _("Needs")
        OPINIONS = "opinions", _("Published opinions")
        PLAN = "plan", _("Action plan updates")
        EVENTS = "events", _("Meetings and events")

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="subscription",
    )
    # Theme values (needs.Theme); empty: every theme.
    themes = models.JSONField(_("themes"), default=list, blank=True)
    # Topic values; empty: nothing is sent.
    topics = models.JSONField(_("what to receive"), default=list, blank=True)
    # Territory: the person's organisations' perimeters (default), or these communes.
    use_organisation_perimeter = models.BooleanField(
        _("my organisations' territory"), default=True
    )
    communes = models.ManyToManyField(
        "territory.Commune",
        verbose_name=_("communes"),
        related_name="subscriptions",
        blank=True,
    )
    territory_description = models.CharField(_("territory"), max_length=300, blank=True)
    frequency = models.CharField(
        _("frequency"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.WEEKLY,
    )
    active = models.BooleanField(_("active"), default=True)
    # Put in the signed unsubscribe link; renewing it invalidates old links.
    token = models.UUIDField(_("link key"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self):
        return str(self.person)


class Delivery(models.Model):
    """One e-mail to one person for one period: recorded (``pending``) with its
    items before sending, marked ``sent`` after, so a rerun sends what is pending
    and never twice. A worker claims a delivery (``sending``, ``claimed_at``)
    before handing it to the mail server, so that two workers never send the
    same one; a claim older than ``services.deliveries.SENDING_TIMEOUT`` is a
    worker that died and may be taken over."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (will be retried)")
        CANCELLED = "cancelled", _("Cancelled (unsubscribed)")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Subscription.Frequency.choices
    )
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    # [{"topic", "title", "url", "at"}…] as sent.
    items = models.JSONField(_("items"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "frequency", "period_end"],
                name="delivery_once_per_period",
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.subject}"
