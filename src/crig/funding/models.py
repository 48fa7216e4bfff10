"""Funding requests that reached a signatory, their review, and the council's opinion.

A request is confidential until its opinion is published: only the applicant
organisation, the reviewers assigned to it (not recused) and the secretariat see
it. The published opinion and the request's *public summary* then enter the public
register; the rest of the file (budget, attachments, reviewers' comments) stays
confidential for good. Every change is written to ``AuditEntry``; an issued
``Opinion`` is never edited: a correction is a new version.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crig.core.models import TimeStampedModel
from crig.needs.models import TerritoryFields, Theme


class Programme(TimeStampedModel):
    """A funding programme of a signatory (FEDER, Région, State funds, IGN
    partnerships…)."""

    signatory = models.ForeignKey(
        "members.Signatory",
        verbose_name=_("signatory"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        ordering = ["signatory__position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["signatory", "name"], name="programme_name_per_signatory"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.signatory})"


class DataLicence(models.TextChoices):
    LICENCE_OUVERTE = "etalab-2.0", _("Licence Ouverte 2.0 (Etalab)")
    ODBL = "odbl", _("ODbL")
    CC_BY = "cc-by-4.0", _("CC BY 4.0")
    RESTRICTED = "restricted", _("Restricted sharing between partners")
    PROPRIETARY = "proprietary", _("Not shared")


class FundingRequest(TerritoryFields, TimeStampedModel):
    class State(models.TextChoices):
        # A context, since French agrees the participle with "demande" (feminine),
        # unlike the same English words for needs or datasets.
        DRAFT = "draft", pgettext_lazy("funding request", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("funding request", "Submitted")
        ADMISSIBLE = "admissible", pgettext_lazy("funding request", "Admissible")
        INADMISSIBLE = "inadmissible", pgettext_lazy("funding request", "Inadmissible")
        UNDER_REVIEW = "under_review", pgettext_lazy("funding request", "Under review")
        OPINION_ISSUED = (
            "opinion_issued",
            pgettext_lazy("funding request", "Opinion issued"),
        )
        PUBLISHED = "published", pgettext_lazy("funding request", "Published")
        WITHDRAWN = "withdrawn", pgettext_lazy("funding request", "Withdrawn")

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, blank=True, null=True
    )
    signatory = models.ForeignKey(
        "members.Signatory",
        verbose_name=_("signatory reached"),
        on_delete=models.PROTECT,
        related_name="funding_requests",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    applicant = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("applicant organisation"),
        on_delete=models.PROTECT,
        related_name="funding_requests",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funding_requests_entered",
    )
    title = models.CharField(_("title"), max_length=200)
    public_summary = models.TextField(
        _("public summary"),
        help_text=_("Published with the opinion; write nothing confidential here."),
    )
    description = models.TextField(_("project description"))
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices)
    amount_requested = models.DecimalField(
        _("amount requested (€)"), max_digits=12, decimal_places=2
    )
    self_funding = models.DecimalField(
        _("self-funding (€)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("What the applicant pays itself."),
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    deliverables = models.TextField(_("deliverables"), blank=True)
    data_licence = models.CharField(
        _("licence of the data produced"), max_length=20, choices=DataLicence.choices
    )
    standards = models.TextField(
        _("standards followed"),
        blank=True,
        help_text=_("CNIG standards, INSPIRE specifications… one per line."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    state_reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Why the request is inadmissible or withdrawn."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    review_deadline = models.DateField(_("review deadline"), null=True, blank=True)
    communes = models.ManyToManyField(
        "territory.Commune",
        through="RequestCommune",
        verbose_name=_("communes"),
        related_name="funding_requests",
        blank=True,
    )

    class Meta:
        verbose_name = _("funding request")
        verbose_name_plural = _("funding requests")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [models.Index(fields=["state", "theme"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_requested__gt=0),
                name="funding_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(self_funding__gte=0),
                name="funding_self_funding_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(starts_on__lte=models.F("ends_on")),
                name="funding_schedule_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.reference or '—'} · {self.title}"

    def get_absolute_url(self):
        return reverse("funding:detail", args=[self.pk])

    @property
    def total_budget(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines.all()), Decimal(0))


class RequestCommune(models.Model):
    request = models.ForeignKey(
        FundingRequest, on_delete=models.CASCADE, related_name="commune_links"
    )
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="funding_links"
    )
    fraction = models.FloatField(_("share of the commune"), default=1.0)

    class Meta:
        verbose_name = _("commune of a request")
        verbose_name_plural = _("communes of requests")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "commune"], name="request_commune_once"
            )
        ]
        indexes = [models.Index(fields=["commune", "request"])]

    def __str__(self):
        return f"{self.request_id} · {self.commune_id}"


class BudgetLine(models.Model):
    request = models.ForeignKey(
        FundingRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    label = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="budget_line_positive"
            )
        ]

    def __str__(self):
        return self.label


class CoFunder(models.Model):
    """Another funder of the project (a signatory, a programme, any organisation)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")

    request = models.ForeignKey(
        FundingRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="cofunders",
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cofunded_requests",
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("When not in the directory.")
    )
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )

    class Meta:
        verbose_name = _("co-funder")
        verbose_name_plural = _("co-funders")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="cofunder_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | ~models.Q(name=""),
                name="cofunder_named",
            ),
        ]

    def __str__(self):
        return str(self.organisation or self.name)


class RequestAttachment(TimeStampedModel):
    request = models.ForeignKey(
        FundingRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="funding/%Y/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self):
        return self.name


class ReviewerSeat(TimeStampedModel):
    """A reviewer of a signatory assigned to a request, and their declaration of
    interests, made before they may open the file."""

    class Conflict(models.TextChoices):
        UNDECLARED = "undeclared", _("Not declared yet")
        NONE = "none", _("No conflict of interest")
        CONFLICT = "conflict", _("Conflict of interest: recused")

    request = models.ForeignKey(
        FundingRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="reviewer_seats",
    )
    signatory = models.ForeignKey(
        "members.Signatory",
        verbose_name=_("signatory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviewer_seats",
    )
    conflict = models.CharField(
        _("conflict of interest"),
        max_length=12,
        choices=Conflict.choices,
        default=Conflict.UNDECLARED,
    )
    # Proposed by the platform when the reviewer's organisation is the applicant
    # or a co-funder; the reviewer still declares.
    conflict_suggested = models.BooleanField(_("conflict suggested"), default=False)
    conflict_statement = models.TextField(_("declaration"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    # Set by the notification task when it e-mails the reviewer about the seat,
    # so that running the task twice sends one e-mail.
    assignment_notified_at = models.DateTimeField(
        _("assignment e-mailed at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("reviewer seat")
        verbose_name_plural = _("reviewer seats")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "reviewer"], name="reviewer_seat_once"
            )
        ]

    def __str__(self):
        return f"{self.request} · {self.reviewer}"

    @property
    def is_recused(self) -> bool:
        return self.conflict == self.Conflict.CONFLICT


class Position(models.TextChoices):
    FAVORABLE = "favorable", _("Favourable")
    FAVORABLE_WITH_RESERVATIONS = "reserves", _("Favourable with reservations")
    UNFAVORABLE = "unfavorable", _("Unfavourable")
    ABSTENTION = "abstention", _("Abstention")


class Criterion(models.TextChoices):
    """The published criteria each signatory scores (0–4)."""

    OPENNESS = "openness", _("Openness of the data")
    STANDARDS = "standards", _("Standards followed")
    POOLING = "pooling", _("Pooling between partners")
    COVERAGE_GAP = "coverage_gap", _("Coverage gap filled")
    NEEDS_AND_PLAN = "needs_and_plan", _("Match with the needs and the plan")


class SignatoryPosition(TimeStampedModel):
    """One signatory's position on a request, recorded by one of its reviewers."""

    request = models.ForeignKey(
        FundingRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="positions",
    )
    signatory = models.ForeignKey(
        "members.Signatory",
        verbose_name=_("signatory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.CharField(_("position"), max_length=12, choices=Position.choices)
    comments = models.TextField(_("comments"), blank=True)
    scores = models.JSONField(
        _("criteria scores"), default=dict, help_text=_("Criterion → 0 to 4.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("signatory position")
        verbose_name_plural = _("signatory positions")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "signatory"], name="position_once_per_signatory"
            )
        ]

    def __str__(self):
        return f"{self.request} · {self.signatory}: {self.position}"


class Opinion(models.Model):
    """One version of the council's consolidated opinion. Never edited once issued:
    a correction is a new version (``version`` + 1, ``supersedes`` the previous)."""

    class Verdict(models.TextChoices):
        FAVORABLE = "favorable", _("Favourable")
        FAVORABLE_WITH_RESERVATIONS = "reserves", _("Favourable with reservations")
        UNFAVORABLE = "unfavorable", _("Unfavourable")

    class Adoption(models.TextChoices):
        MEETING = "meeting", _("Council meeting")
        WRITTEN = "written", _("Written procedure")

    request = models.ForeignKey(
        FundingRequest,
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        related_name="opinions",
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    correction_note = models.TextField(_("what this version corrects"), blank=True)
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    reasoning = models.TextField(_("reasoning"))
    conditions = models.TextField(_("conditions"), blank=True)
    adopted_on = models.DateField(_("adopted on"))
    adoption = models.CharField(
        _("adopted by"), max_length=10, choices=Adoption.choices
    )
    meeting_label = models.CharField(
        _("meeting"),
        max_length=200,
        blank=True,
        help_text=_("E.g. “Comité du 12 mars”."),
    )
    # Copies made when the opinion is issued, so that the record never changes
    # even if a position is later corrected.
    positions = models.JSONField(_("signatories' positions"), default=list)
    recusals = models.JSONField(_("recusals"), default=list)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Set by the notification task when it announces the publication, so that
    # running the task twice sends the e-mails once.
    notified_at = models.DateTimeField(
        _("publication e-mailed at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "version"], name="opinion_version_once"
            )
        ]

    def __str__(self):
        return f"{self.request} · v{self.version}"

    def get_absolute_url(self):
        return reverse("funding:opinion_detail", args=[self.pk])


class AuditEntry(models.Model):
    """Who changed what on a request, and when; written by every service."""

    request = models.ForeignKey(
        FundingRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="audit_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    changes = models.JSONField(
        _("changes"), default=dict, help_text=_("Field → [before, after].")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request_id} · {self.action}"
