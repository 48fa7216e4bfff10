"""The council's yearly plan of common actions, their progress, and their links
to the rest of the platform (needs, funding requests, datasets; meetings link to
actions from the events module).

A plan is a draft (internal: the secretariat and the signatories) until it is
published. Rolling a plan over creates next year's draft with the unfinished
actions copied, each pointing to the action it continues.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crig.core.models import TimeStampedModel
from crig.needs.models import Theme


class Plan(TimeStampedModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    rolled_over_from = models.OneToOneField(
        "self",
        verbose_name=_("rolled over from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rolled_over_to",
    )

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-year"]

    def __str__(self):
        return self.title or str(self.year)

    def get_absolute_url(self):
        return reverse("actionplan:plan_detail", args=[self.year])


class Action(TimeStampedModel):
    class Category(models.TextChoices):
        # Not the bare word: "Organisation" is already the msgid of an organisation
        # (an "organisme"), and this is the organisation of the council's work.
        ORGANISATION = "organisation", _("Organisation of the council")
        REFERENTIELS = "referentiels", _("Reference data")
        TRANSVERSAL = "transversal", _("Cross-cutting themes")
        PARTICULAR = "particular", _("Specific themes")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_PROGRESS = "in_progress", _("In progress")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")
        ABANDONED = "abandoned", _("Abandoned")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions"
    )
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Order in the plan (1, 2, 3…).")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    objectives = models.TextField(_("objectives"))
    theme = models.CharField(
        _("theme"),
        max_length=30,
        choices=Theme.choices,
        blank=True,
        help_text=_("The référentiel or theme it is about, when it has one."),
    )
    leads = models.ManyToManyField(
        "members.Organisation",
        verbose_name=_("lead organisations"),
        related_name="led_actions",
    )
    signatory = models.ForeignKey(
        "members.Signatory",
        verbose_name=_("signatory carrying it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    partners = models.ManyToManyField(
        "members.Organisation",
        verbose_name=_("partners"),
        related_name="partner_actions",
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    budget = models.DecimalField(
        _("budget (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    continues = models.OneToOneField(
        "self",
        verbose_name=_("continues"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text=_("The action of the previous year's plan it carries over."),
    )
    needs = models.ManyToManyField(
        "needs.Need",
        verbose_name=_("needs answered"),
        related_name="actions",
        blank=True,
    )
    funding_requests = models.ManyToManyField(
        "funding.FundingRequest",
        verbose_name=_("funding requests"),
        related_name="actions",
        blank=True,
    )
    datasets = models.ManyToManyField(
        "catalog.Dataset",
        verbose_name=_("datasets produced or improved"),
        related_name="actions",
        blank=True,
    )

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="action_number_per_plan"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="action_progress_at_most_100",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("actionplan:action_detail", args=[self.pk])


class Milestone(models.Model):
    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title


class Indicator(models.Model):
    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    current = models.DecimalField(
        _("current value"), max_digits=14, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class ProgressUpdate(TimeStampedModel):
    """A dated note by a lead: what happened, and the progress and status after."""

    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="updates",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    dated = models.DateField(_("date"))
    body = models.TextField(_("note"))
    progress = models.PositiveSmallIntegerField(
        _("progress after (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    status = models.CharField(
        _("status after"), max_length=12, choices=Action.Status.choices, blank=True
    )
    attachment = models.FileField(_("attachment"), upload_to="actions/%Y/", blank=True)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-dated", "-pk"]

    def __str__(self):
        return f"{self.action} · {self.dated}"


class ActionChange(models.Model):
    """The history of an action: every change, who made it and when."""

    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="changes",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    what = models.CharField(_("what"), max_length=40)
    changes = models.JSONField(
        _("changes"), default=dict, help_text=_("Field → [before, after].")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("change of an action")
        verbose_name_plural = _("changes of actions")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action_id} · {self.what}"
