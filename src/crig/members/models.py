"""Organisations, people, their roles, and the signatories of the CRIG convention."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crig.core.models import TimeStampedModel
from crig.members.search import normalise_for_search
from crig.members.validators import validate_logo, validate_siren


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Signs in with an e-mail address.

    Platform-wide roles are flags (``is_secretariat``, ``is_superuser`` for
    administrators); roles within an organisation or a signatory are the
    ``Membership`` and ``ReviewerAssignment`` rows.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can log into the administration site."),
    )
    is_secretariat = models.BooleanField(
        _("secretariat"),
        default=False,
        help_text=_("Member of the CRIG secretariat (run by OPenIG)."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    closed_at = models.DateTimeField(_("account closed at"), null=True, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Organisation(TimeStampedModel):
    class Category(models.TextChoices):
        # The council's own closed list (CRIG day 2024 registrations).
        COLLECTIVITE = "collectivite", _("Collectivités")
        ENTREPRISE = "entreprise", _("Entreprises, SCOP")
        AUTRE_PUBLIC = "autre_public", _("Autres structures publiques, associations")
        OPENIG = "openig", _("OPenIG")
        IGN = "ign", _("IGN")
        ETAT = "etat", _("État")
        ACADEMIQUE = "academique", _("Académique, scientifique")

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    siren = models.CharField(
        _("SIREN"),
        max_length=9,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_siren],
        help_text=_("9 digits, as in the SIRENE register."),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    is_openig_member = models.BooleanField(_("OPenIG member"), default=False)
    openig_member_since = models.PositiveSmallIntegerField(
        _("OPenIG member since"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1994), MaxValueValidator(2100)],
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="logos/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG, JPEG or WebP, at most 1 MB and 2000 × 2000 pixels."),
    )
    perimeter = models.ManyToManyField(
        "territory.Commune",
        verbose_name=_("territorial perimeter"),
        related_name="organisations",
        blank=True,
    )
    # Derived from ``name``: lower case, no accents or punctuation. Unique, so two
    # spellings of one name ("Région Occitanie", "REGION OCCITANIE") cannot coexist.
    search_name = models.CharField(
        _("name for search"), max_length=200, unique=True, editable=False
    )
    # The union of the perimeter's commune outlines, kept by
    # ``services.organisation_set_perimeter`` so that maps need no geometry work.
    perimeter_outline = models.TextField(
        _("perimeter outline (GeoJSON, WGS84)"), blank=True, editable=False
    )
    perimeter_min_lon = models.FloatField(null=True, blank=True, editable=False)
    perimeter_min_lat = models.FloatField(null=True, blank=True, editable=False)
    perimeter_max_lon = models.FloatField(null=True, blank=True, editable=False)
    perimeter_max_lat = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(openig_member_since__isnull=True)
                | models.Q(is_openig_member=True),
                name="organisation_member_since_needs_membership",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args, **kwargs):
        self.search_name = normalise_for_search(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("members:organisation_detail", args=[self.slug])

    def clean(self):
        errors = {}
        if self.openig_member_since and not self.is_openig_member:
            errors["openig_member_since"] = _(
                "Only an OPenIG member can have a membership year."
            )
        duplicate = (
            Organisation.objects.filter(search_name=normalise_for_search(self.name))
            .exclude(pk=self.pk)
            .first()
        )
        if self.name and duplicate:
            errors["name"] = _(
                "An organisation with this name already exists: %(name)s."
            ) % {"name": duplicate.name}
        if errors:
            raise ValidationError(errors)

    @property
    def perimeter_bbox(self) -> tuple[float, float, float, float] | None:
        if self.perimeter_min_lon is None:
            return None
        return (
            self.perimeter_min_lon,
            self.perimeter_min_lat,
            self.perimeter_max_lon,
            self.perimeter_max_lat,
        )


class Membership(TimeStampedModel):
    """A person's belonging to an organisation; a referent manages its members."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        REFERENT = "referent", _("Referent")

    person = models.ForeignKey(
        User,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, default=Role.MEMBER
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], name="membership_unique"
            )
        ]

    def __str__(self):
        return f"{self.person} — {self.organisation} ({self.get_role_display()})"


class Convention(TimeStampedModel):
    """The agreement that founds the CRIG, co-signed by its signatories."""

    name = models.CharField(_("name"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=3)
    renewed_on = models.DateField(_("last renewed on"), null=True, blank=True)
    is_tacitly_renewable = models.BooleanField(_("renewable"), default=True)

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["-signed_on"]

    def __str__(self):
        return self.name


class Signatory(TimeStampedModel):
    """An organisation that co-pilots the CRIG under the convention."""

    convention = models.ForeignKey(
        Convention,
        verbose_name=_("convention"),
        on_delete=models.CASCADE,
        related_name="signatories",
    )
    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="signatory",
    )
    position = models.PositiveSmallIntegerField(_("display order"), default=0)
    role_fr = models.TextField(_("role in the CRIG (French)"), blank=True)
    role_en = models.TextField(_("role in the CRIG (English)"), blank=True)
    community_fr = models.CharField(
        _("community it relays to (French)"), max_length=300, blank=True
    )
    community_en = models.CharField(
        _("community it relays to (English)"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["position", "organisation__name"]

    def __str__(self):
        return self.organisation.name


class ReviewerAssignment(TimeStampedModel):
    """A person who reviews, for one signatory, what reaches the council."""

    person = models.ForeignKey(
        User,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="reviewer_assignments",
    )
    signatory = models.ForeignKey(
        Signatory,
        verbose_name=_("signatory"),
        on_delete=models.CASCADE,
        related_name="reviewers",
    )

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "signatory"], name="reviewer_unique"
            )
        ]

    def __str__(self):
        return f"{self.person} — {self.signatory}"


class Invitation(TimeStampedModel):
    """An e-mail invitation to join the platform, optionally in an organisation.

    Only a hash of the token is stored; the token itself travels in the e-mail.
    """

    email = models.EmailField(_("e-mail address"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="invitations",
        null=True,
        blank=True,
    )
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=Membership.Role.choices,
        default=Membership.Role.MEMBER,
    )
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class ApiToken(TimeStampedModel):
    """A personal token for the REST API (``Authorization: Bearer <token>``).

    Only a SHA-256 hash is stored; the token is shown once, when it is created.
    """

    person = models.ForeignKey(
        User,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
