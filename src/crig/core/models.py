from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SiteText(TimeStampedModel):
    """A block of public text the secretariat edits in the admin (home page…)."""

    class Key(models.TextChoices):
        HOME_INTRO = "home_intro", _("Home page: what the CRIG is")
        HOME_ROLES = "home_roles", _("Home page: roles")
        HOME_FUNCTIONING = "home_functioning", _("Home page: how it works")

    key = models.CharField(_("key"), max_length=50, choices=Key.choices, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_fr = models.TextField(
        _("text (French)"), help_text=_("Plain text; a blank line starts a paragraph.")
    )
    body_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        verbose_name = _("site text")
        verbose_name_plural = _("site texts")
        ordering = ["key"]

    def __str__(self):
        return self.get_key_display()

    @property
    def title(self) -> str:
        if get_language() == "en" and self.title_en:
            return self.title_en
        return self.title_fr

    @property
    def body(self) -> str:
        if get_language() == "en" and self.body_en:
            return self.body_en
        return self.body_fr
