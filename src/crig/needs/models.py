"""Needs expressed by member organisations, their supports, and their prioritisation.

A need's territory is stored twice, as the communes it concerns (with the share of
each commune inside it) and as a WGS84 outline for maps: the communes drive the
catalogue matching, the heat map and the population figures; the outline is what a
person drew or uploaded. ``crig.territory.selection`` turns what a person gave
(codes, a drawing, a file) into both.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crig.catalog.models import Referentiel
from crig.core.models import TimeStampedModel
from crig.territory.models import Outlined


class Theme(models.TextChoices):
    """The six référentiels (same values as ``catalog.Referentiel``), then others."""

    ORTHOPHOTO = "orthophotographie", _("Orthophotography")
    LAND_COVER = "occupation_du_sol", _("Land cover")
    ERP = "erp", _("Establishments open to the public (ERP)")
    PCRS = "pcrs", _("Simplified street-level base map (PCRS)")
    LIDAR = "lidar", _("LIDAR")
    ADDRESSES = "adresses", _("Addresses")
    HYDROGRAPHY = "hydrographie", _("Hydrography")
    LAND_REGISTRY = "foncier", _("Land and cadastre")
    NETWORKS = "reseaux", _("Networks and utilities")
    ENVIRONMENT = "environnement", _("Environment and biodiversity")
    MOBILITY = "mobilite", _("Mobility and transport")
    OTHER = "autre", _("Other")

    @property
    def referentiel(self) -> Referentiel | None:
        """The catalogue family matching this theme, if it is a référentiel."""
        try:
            return Referentiel(self.value)
        except ValueError:
            return None


class TerritoryFields(Outlined):
    """Where a need or a support applies: the outline (``Outlined``: GeoJSON, bbox,
    area, population weighted by the share of each commune) and how it was given."""

    territory_description = models.CharField(
        _("territory"),
        max_length=300,
        blank=True,
        help_text=_("How the territory was given, e.g. “Toulouse Métropole (EPCI)”."),
    )

    class Meta:
        abstract = True


class Need(TerritoryFields, TimeStampedModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        NEW = "new", _("New")
        QUALIFIED = "qualified", _("Qualified")
        RETAINED = "retained", _("Retained")
        SATISFIED = "satisfied", _("Satisfied")
        REJECTED = "rejected", _("Not retained")
        # Contexts: French agrees these with "besoin", unlike other apps' words.
        MERGED = "merged", pgettext_lazy("need", "Merged")

    class PlanFit(models.TextChoices):
        # Judged by the secretariat when it qualifies the need.
        UNKNOWN = "unknown", _("Not assessed")
        NONE = "none", _("Outside the current plan")
        PARTIAL = "partial", _("Partly within the current plan")
        FULL = "full", _("Within the current plan")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices)
    precision = models.CharField(
        _("wanted precision or resolution"),
        max_length=100,
        blank=True,
        help_text=_("As you would say it: “20 cm”, “1:5,000”, “class A”…"),
    )
    resolution_m = models.FloatField(
        _("wanted ground resolution (m)"),
        null=True,
        blank=True,
        help_text=_("Used to tell whether existing data is fine enough."),
    )
    horizon = models.DateField(
        _("horizon"), null=True, blank=True, help_text=_("When the data is needed.")
    )
    intended_use = models.TextField(_("intended use"), blank=True)
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs_authored",
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs_contact",
        help_text=_("A member of the organisation; the author by default."),
    )
    cofunding_min = models.PositiveIntegerField(
        _("co-funding offered, from (€)"), null=True, blank=True
    )
    cofunding_max = models.PositiveIntegerField(
        _("co-funding offered, up to (€)"), null=True, blank=True
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    plan_fit = models.CharField(
        _("fit with the current plan"),
        max_length=10,
        choices=PlanFit.choices,
        default=PlanFit.UNKNOWN,
    )
    public_answer = models.TextField(
        _("answer of the secretariat"),
        blank=True,
        help_text=_("Public: shown on the need's page."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    state_changed_at = models.DateTimeField(
        _("state changed at"), null=True, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_needs",
    )
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="split_needs",
    )
    communes = models.ManyToManyField(
        "territory.Commune",
        through="NeedCommune",
        verbose_name=_("communes"),
        related_name="needs",
        blank=True,
    )
    # The union of the need's territory and of its supports' territories, kept by
    # the services whenever one of them changes.
    consolidated_outline = models.TextField(
        _("consolidated outline (GeoJSON, WGS84)"), blank=True, editable=False
    )
    consolidated_area_km2 = models.FloatField(
        _("consolidated area (km²)"), null=True, blank=True, editable=False
    )
    consolidated_population = models.PositiveIntegerField(
        _("consolidated population"), default=0, editable=False
    )

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["state", "theme"]),
            models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cofunding_min__isnull=True)
                | models.Q(cofunding_max__isnull=True)
                | models.Q(cofunding_min__lte=models.F("cofunding_max")),
                name="need_cofunding_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(resolution_m__isnull=True)
                | models.Q(resolution_m__gt=0),
                name="need_resolution_positive",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("needs:detail", args=[self.pk])

    @property
    def theme_referentiel(self) -> Referentiel | None:
        return Theme(self.theme).referentiel

    @property
    def is_public(self) -> bool:
        return self.state != self.State.DRAFT


class NeedCommune(models.Model):
    """A commune a need concerns, and the share of the commune's area inside the
    need's own territory (1 when the commune was picked whole)."""

    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="commune_links"
    )
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="need_links"
    )
    fraction = models.FloatField(_("share of the commune"), default=1.0)

    class Meta:
        verbose_name = _("commune of a need")
        verbose_name_plural = _("communes of needs")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "commune"], name="need_commune_once"
            )
        ]
        indexes = [models.Index(fields=["commune", "need"])]

    def __str__(self):
        return f"{self.need_id} · {self.commune_id}"


class Support(TerritoryFields, TimeStampedModel):
    """Another organisation's “nous aussi” on a need, with its own territory."""

    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="supports"
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="need_supports",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="need_supports",
    )
    comment = models.TextField(_("comment"), blank=True)
    cofunding_min = models.PositiveIntegerField(
        _("co-funding offered, from (€)"), null=True, blank=True
    )
    cofunding_max = models.PositiveIntegerField(
        _("co-funding offered, up to (€)"), null=True, blank=True
    )
    communes = models.ManyToManyField(
        "territory.Commune",
        through="SupportCommune",
        verbose_name=_("communes"),
        related_name="need_supports",
        blank=True,
    )

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "organisation"], name="support_once_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(cofunding_min__isnull=True)
                | models.Q(cofunding_max__isnull=True)
                | models.Q(cofunding_min__lte=models.F("cofunding_max")),
                name="support_cofunding_range_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.need}"


class SupportCommune(models.Model):
    support = models.ForeignKey(
        Support, on_delete=models.CASCADE, related_name="commune_links"
    )
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="support_links"
    )
    fraction = models.FloatField(_("share of the commune"), default=1.0)

    class Meta:
        verbose_name = _("commune of a support")
        verbose_name_plural = _("communes of supports")
        constraints = [
            models.UniqueConstraint(
                fields=["support", "commune"], name="support_commune_once"
            )
        ]
        indexes = [models.Index(fields=["commune", "support"])]

    def __str__(self):
        return f"{self.support_id} · {self.commune_id}"


class NeedEvent(models.Model):
    """The history of a need: every change a person made, in order."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("need history", "Created")
        SUBMITTED = "submitted", _("Submitted")
        EDITED = "edited", _("Edited")
        STATE_CHANGED = "state_changed", _("State changed")
        SUPPORTED = "supported", _("Supported")
        SUPPORT_CHANGED = "support_changed", _("Support changed")
        SUPPORT_WITHDRAWN = "support_withdrawn", _("Support withdrawn")
        MERGED = "merged", _("Merged into another need")
        ABSORBED = "absorbed", _("Another need merged into this one")
        SPLIT = "split", _("Split")
        SPLIT_FROM = "split_from", _("Created by splitting another need")
        ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
        ATTACHMENT_REMOVED = "attachment_removed", _("Attachment removed")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_state = models.CharField(
        _("from state"), max_length=20, choices=Need.State.choices, blank=True
    )
    to_state = models.CharField(
        _("to state"), max_length=20, choices=Need.State.choices, blank=True
    )
    message = models.TextField(_("message"), blank=True)
    related_need = models.ForeignKey(
        Need,
        verbose_name=_("related need"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    # Set when the people involved have been e-mailed about this entry, so that the
    # notification task does nothing when it runs twice.
    notified_at = models.DateTimeField(
        _("notified at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("need history entry")
        verbose_name_plural = _("need history")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.need_id} · {self.kind}"


class NeedAttachment(TimeStampedModel):
    need = models.ForeignKey(
        Need,
        verbose_name=_("need"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="needs/%Y/")
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


class ScoringWeights(TimeStampedModel):
    """A published set of weights of the priority score; the latest one applies.
    Older rows are kept so that a past ranking can be explained."""

    supporters = models.PositiveSmallIntegerField(
        _("supporting organisations"), default=3
    )
    population = models.PositiveSmallIntegerField(_("population concerned"), default=2)
    area = models.PositiveSmallIntegerField(_("area concerned"), default=1)
    coverage_gap = models.PositiveSmallIntegerField(_("coverage gap"), default=3)
    urgency = models.PositiveSmallIntegerField(_("urgency"), default=1)
    cofunding = models.PositiveSmallIntegerField(_("co-funding offered"), default=2)
    plan_fit = models.PositiveSmallIntegerField(
        _("fit with the current plan"), default=2
    )
    note = models.TextField(
        _("explanation"), blank=True, help_text=_("Why these weights; public.")
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    CRITERIA = (
        "supporters",
        "population",
        "area",
        "coverage_gap",
        "urgency",
        "cofunding",
        "plan_fit",
    )

    class Meta:
        verbose_name = _("scoring weights")
        verbose_name_plural = _("scoring weights")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self._meta.verbose_name} · {self.created_at:%Y-%m-%d}"

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.CRITERIA}


class Round(TimeStampedModel):
    """A prioritisation round: member organisations rank a shortlist of needs."""

    class State(models.TextChoices):
        DRAFT = "draft", _("In preparation")
        OPEN = "open", _("Open for ballots")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    needs = models.ManyToManyField(
        Need, verbose_name=_("shortlist"), related_name="rounds", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Written when the round closes: both methods' full results (see
    # ``crig.needs.ranking``), so the published page never changes afterwards.
    result = models.JSONField(_("result"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("prioritisation round")
        verbose_name_plural = _("prioritisation rounds")
        ordering = ["-year", "-created_at"]

    def __str__(self):
        return f"{self.title} ({self.year})"

    def get_absolute_url(self):
        return reverse("needs:round_detail", args=[self.pk])


class Ballot(TimeStampedModel):
    """One organisation's ranking of a round's shortlist (every need, once)."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="ballots"
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="ballots",
    )
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cast by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Need ids, most wanted first.
    ranking = models.JSONField(_("ranking"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation"], name="ballot_once_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.round} · {self.organisation}"
