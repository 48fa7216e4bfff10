"""Council meetings (agenda, attendance, minutes, decisions) and events (the annual
CRIG day, workshops…) with their registrations and participation statistics.

Personal data of registrants (e-mail, accessibility and dietary needs) is seen by
the secretariat only; a participants list shows only those who consented.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crig.core.models import TimeStampedModel
from crig.members.models import Organisation


class Publication(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Meeting(TimeStampedModel):
    """A meeting of the council (three a year). A draft is seen by the council
    only (the secretariat and the signatories' people); published minutes are
    public, with confidential agenda items redacted."""

    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=Publication.choices, default="draft"
    )
    minutes = models.TextField(_("minutes"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    uid = models.UUIDField(_("calendar identifier"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:meeting_detail", args=[self.pk])


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        ACTION = "action", _("Plan action")
        FUNDING = "funding", _("Funding request for an opinion")
        NEED = "need", _("Need")
        ROUND = "round", _("Prioritisation round")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="agenda_items",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER
    )
    # Redacted in the published minutes (e.g. a funding request before its opinion).
    confidential = models.BooleanField(_("confidential"), default=False)
    action = models.ForeignKey(
        "actionplan.Action",
        verbose_name=_("action"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    funding_request = models.ForeignKey(
        "funding.FundingRequest",
        verbose_name=_("funding request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    need = models.ForeignKey(
        "needs.Need",
        verbose_name=_("need"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    round = models.ForeignKey(
        "needs.Round",
        verbose_name=_("prioritisation round"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]

    def __str__(self):
        return self.title


class MeetingDocument(TimeStampedModel):
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    file = models.FileField(_("file"), upload_to="meetings/%Y/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    confidential = models.BooleanField(_("confidential"), default=False)

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["created_at"]

    def __str__(self):
        return self.name


class Attendance(models.Model):
    """An organisation at a meeting; a signatory's presence counts for the quorum
    (``EVENTS_MEETING_QUORUM`` signatories, 3 of 4 by default)."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="meeting_attendances",
    )
    representatives = models.CharField(_("represented by"), max_length=300, blank=True)
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="attendance_once"
            )
        ]

    def __str__(self):
        return f"{self.meeting} · {self.organisation}"


class Decision(models.Model):
    class Kind(models.TextChoices):
        OPINION = "opinion", _("Opinion adopted")
        ACTION = "action", _("Action created or changed")
        ROUND = "round", _("Prioritisation adopted")
        OTHER = "other", _("Other decision")

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER
    )
    text = models.TextField(_("decision"))
    opinion = models.ForeignKey(
        "funding.Opinion",
        verbose_name=_("opinion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    action = models.ForeignKey(
        "actionplan.Action",
        verbose_name=_("action"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    confidential = models.BooleanField(_("confidential"), default=False)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "pk"]

    def __str__(self):
        return self.text[:80]


class Event(TimeStampedModel):
    class Kind(models.TextChoices):
        ANNUAL_DAY = "annual_day", _("Annual CRIG day")
        WORKSHOP = "workshop", _("Workshop")
        PCRS = "pcrs", _("PCRS meeting")
        WEBINAR = "webinar", _("Webinar")
        OTHER = "other", _("Other event")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place_name = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens at"), null=True, blank=True
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes at"), null=True, blank=True
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    uid = models.UUIDField(_("calendar identifier"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:event_detail", args=[self.slug])


class Session(models.Model):
    """A slot of an event's programme."""

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    speakers = models.CharField(_("speakers"), max_length=300, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["event", "starts_at", "pk"]

    def __str__(self):
        return self.title


class Registration(TimeStampedModel):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    full_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    organisation_name = models.CharField(
        _("organisation (typed)"),
        max_length=200,
        blank=True,
        help_text=_("When it is not in the directory."),
    )
    category = models.CharField(
        _("kind of organisation"), max_length=20, choices=Organisation.Category.choices
    )
    departement = models.ForeignKey(
        "territory.Departement",
        verbose_name=_("département"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_openig_member = models.BooleanField(_("OPenIG member"), default=False)
    attended_before = models.BooleanField(
        _("attended a CRIG day before (declared)"), default=False
    )
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    dietary_needs = models.TextField(_("dietary needs"), blank=True)
    consent_to_list = models.BooleanField(
        _("appears in the participants list"), default=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(
        _("present (checked in at)"), null=True, blank=True
    )
    confirmation_sent_at = models.DateTimeField(
        _("confirmation sent at"), null=True, blank=True
    )
    reminder_sent_at = models.DateTimeField(
        _("reminder sent at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            # One live registration per e-mail (case folded by the services); a
            # cancelled one does not block registering again.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~models.Q(status="cancelled"),
                name="registration_once_per_email",
            )
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self):
        return f"{self.full_name} · {self.event}"


class PersonalDataExport(models.Model):
    """The log of every export of registrants' personal data."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    what = models.CharField(_("what"), max_length=100)
    rows = models.PositiveIntegerField(_("rows"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("export of personal data")
        verbose_name_plural = _("exports of personal data")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.event} · {self.what} · {self.at:%Y-%m-%d %H:%M}"
