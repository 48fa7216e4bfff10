"""Every write in members: organisations, memberships, invitations, accounts, tokens.

Functions are keyword-only, atomic and named ``<entity>_<verb>``. They raise
``crig.core.errors`` types (or Django's ``ValidationError`` for field validation)
with messages meant for a person; views and the API show them as they are.
"""

import hashlib
import json
import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from crig.core.errors import (
    Conflict,
    DeliveryFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from crig.members.geometry import outline_bbox, perimeter_outline
from crig.members.models import (
    ApiToken,
    Convention,
    Invitation,
    Membership,
    Organisation,
    ReviewerAssignment,
    Signatory,
    User,
)
from crig.members.search import normalise_for_search
from crig.territory.models import EPCI, Commune, Departement

logger = logging.getLogger(__name__)

ORGANISATION_FIELDS = (
    "name",
    "acronym",
    "siren",
    "category",
    "is_openig_member",
    "openig_member_since",
    "website",
    "description",
    "logo",
)
API_TOKEN_PREFIX = "crig_"  # noqa: S105 (a public marker, not a secret)
API_TOKEN_MAX_ACTIVE = 20
# A token's last use is written at most this often, to keep API reads read-only.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def _hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require(user: User, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this."))


# Organisations -----------------------------------------------------------------


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "organisation"
    slug, counter = base, 2
    taken = Organisation.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _check_not_duplicate(organisation: Organisation) -> None:
    others = Organisation.objects.exclude(pk=organisation.pk)
    if organisation.siren:
        same_siren = others.filter(siren=organisation.siren).first()
        if same_siren:
            raise Conflict(
                _("The SIREN %(siren)s is already used by %(name)s.")
                % {"siren": organisation.siren, "name": same_siren.name},
                field="siren",
            )
    same_name = others.filter(
        search_name=normalise_for_search(organisation.name)
    ).first()
    if same_name:
        raise Conflict(
            _("An organisation with this name already exists: %(name)s.")
            % {"name": same_name.name},
            field="name",
        )


def _normalise_organisation_fields(organisation: Organisation) -> None:
    organisation.name = " ".join((organisation.name or "").split())
    organisation.acronym = " ".join((organisation.acronym or "").split())
    organisation.siren = (organisation.siren or "").replace(" ", "") or None
    if not organisation.is_openig_member:
        organisation.openig_member_since = None


@transaction.atomic
def organisation_create(
    *,
    name: str,
    category: str,
    acronym: str = "",
    siren: str | None = None,
    is_openig_member: bool = False,
    openig_member_since: int | None = None,
    website: str = "",
    description: str = "",
    logo=None,
) -> Organisation:
    """Create an organisation; a second one with the same SIREN or name is refused.

    Raises ``Conflict`` for a duplicate, ``ValidationError`` for invalid fields.
    """
    organisation = Organisation(
        name=name,
        category=category,
        acronym=acronym,
        siren=siren,
        is_openig_member=is_openig_member,
        openig_member_since=openig_member_since,
        website=website,
        description=description,
    )
    if logo:
        organisation.logo = logo
    _normalise_organisation_fields(organisation)
    _check_not_duplicate(organisation)
    organisation.slug = _unique_slug(organisation.name)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **changes) -> Organisation:
    """Change an organisation's facts (``ORGANISATION_FIELDS``); the slug stays."""
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    # Work on a fresh copy so that a refused change leaves the caller's object as is.
    updated = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for field, value in changes.items():
        setattr(updated, field, value)
    _normalise_organisation_fields(updated)
    _check_not_duplicate(updated)
    updated.full_clean()
    updated.save()
    return updated


def _missing(codes: list[str], found: set[str]) -> list[str]:
    return sorted(set(codes) - found)


def _clean_codes(communes, epcis, departements):
    return (
        [code.strip() for code in communes if code.strip()],
        [code.strip() for code in epcis if code.strip()],
        [code.strip().upper() for code in departements if code.strip()],
    )


def _perimeter_lookup(communes, epcis, departements):
    """The codes found, or ``InvalidInput`` naming every unknown code."""
    found_communes = set(
        Commune.objects.filter(insee__in=communes).values_list("insee", flat=True)
    )
    found_epcis = dict(
        EPCI.objects.filter(siren__in=epcis).values_list("siren", "outline")
    )
    found_departements = dict(
        Departement.objects.filter(code__in=departements).values_list("code", "outline")
    )
    problems = []
    if unknown := _missing(communes, found_communes):
        problems.append(
            _("unknown communes: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    if unknown := _missing(epcis, set(found_epcis)):
        problems.append(_("unknown EPCI: %(codes)s") % {"codes": ", ".join(unknown)})
    if unknown := _missing(departements, set(found_departements)):
        problems.append(
            _("unknown départements: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    if problems:
        raise InvalidInput(
            _("The perimeter was not changed: %(problems)s.")
            % {"problems": "; ".join(problems)},
            field="perimeter",
        )
    return found_communes, found_epcis, found_departements


def organisation_check_perimeter(
    *, communes: list[str] = (), epcis: list[str] = (), departements: list[str] = ()
) -> None:
    """Raise ``InvalidInput`` naming the unknown codes, without changing anything."""
    _perimeter_lookup(*_clean_codes(communes, epcis, departements))


@transaction.atomic
def organisation_set_perimeter(
    *,
    organisation: Organisation,
    communes: list[str] = (),
    epcis: list[str] = (),
    departements: list[str] = (),
) -> int:
    """Replace the perimeter with these communes (INSEE codes), the communes of these
    EPCI (SIREN) and of these départements (codes). Returns the number of communes.

    Unknown codes are refused all together, with a message naming them.
    """
    communes, epcis, departements = _clean_codes(communes, epcis, departements)
    found_communes, found_epcis, found_departements = _perimeter_lookup(
        communes, epcis, departements
    )
    commune_codes = set(found_communes)
    commune_codes |= set(
        Commune.objects.filter(epci_id__in=found_epcis).values_list("insee", flat=True)
    )
    commune_codes |= set(
        Commune.objects.filter(departement_id__in=found_departements).values_list(
            "insee", flat=True
        )
    )
    organisation.perimeter.set(commune_codes)

    # The union is built from the largest pieces available: an EPCI's or a
    # département's outline is already the union of its communes, and merging 13
    # outlines is much cheaper than merging 4,453.
    pieces = [outline for outline in found_departements.values() if outline]
    covered = set(
        Commune.objects.filter(
            departement_id__in=[c for c, o in found_departements.items() if o]
        ).values_list("insee", flat=True)
    )
    pieces += [outline for outline in found_epcis.values() if outline]
    covered |= set(
        Commune.objects.filter(
            epci_id__in=[s for s, o in found_epcis.items() if o]
        ).values_list("insee", flat=True)
    )
    pieces += Commune.objects.filter(insee__in=commune_codes - covered).values_list(
        "outline", flat=True
    )
    outline = perimeter_outline(pieces)
    _store_perimeter_outline(organisation, outline)
    return len(commune_codes)


def _store_perimeter_outline(organisation: Organisation, outline: dict | None) -> None:
    bbox = outline_bbox(outline) if outline else (None, None, None, None)
    organisation.perimeter_outline = json.dumps(outline) if outline else ""
    (
        organisation.perimeter_min_lon,
        organisation.perimeter_min_lat,
        organisation.perimeter_max_lon,
        organisation.perimeter_max_lat,
    ) = bbox
    Organisation.objects.filter(pk=organisation.pk).update(
        perimeter_outline=organisation.perimeter_outline,
        perimeter_min_lon=bbox[0],
        perimeter_min_lat=bbox[1],
        perimeter_max_lon=bbox[2],
        perimeter_max_lat=bbox[3],
        updated_at=timezone.now(),
    )


# Memberships -------------------------------------------------------------------


@transaction.atomic
def membership_add(
    *,
    person: User,
    organisation: Organisation,
    role: str = Membership.Role.MEMBER,
    by: User | None = None,
) -> Membership:
    """Make a person a member (or referent) of an organisation.

    ``by`` is the person acting (checked against the rules); None for the system.
    """
    if by is not None:
        _require(by, "members.manage_memberships", organisation)
    if role not in Membership.Role.values:
        raise InvalidInput(_("Unknown role: %(role)s.") % {"role": role}, field="role")
    if not person.is_active:
        raise InvalidInput(_("This account is closed."))
    if Membership.objects.filter(person=person, organisation=organisation).exists():
        raise Conflict(
            _("%(person)s is already a member of %(organisation)s.")
            % {"person": person, "organisation": organisation.name}
        )
    return Membership.objects.create(
        person=person, organisation=organisation, role=role
    )


def _membership(person: User, organisation: Organisation) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .filter(person=person, organisation=organisation)
        .first()
    )
    if membership is None:
        raise NotFound(
            _("%(person)s is not a member of %(organisation)s.")
            % {"person": person, "organisation": organisation.name}
        )
    return membership


@transaction.atomic
def membership_remove(
    *, person: User, organisation: Organisation, by: User | None = None
) -> None:
    if by is not None:
        _require(by, "members.manage_memberships", organisation)
    _membership(person, organisation).delete()


@transaction.atomic
def membership_set_role(
    *, person: User, organisation: Organisation, role: str, by: User | None = None
) -> Membership:
    if by is not None:
        _require(by, "members.manage_memberships", organisation)
    if role not in Membership.Role.values:
        raise InvalidInput(_("Unknown role: %(role)s.") % {"role": role}, field="role")
    membership = _membership(person, organisation)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


# Invitations -------------------------------------------------------------------


def invitation_token_hash(raw_token: str) -> str:
    return _hash_secret(raw_token)


def _send_invitation_email(invitation: Invitation, *, raw_token: str) -> None:
    accept_url = settings.SITE_URL + reverse(
        "members:invitation_accept", args=[raw_token]
    )
    context = {
        "invitation": invitation,
        "accept_url": accept_url,
        "inviter_name": invitation.invited_by.get_full_name()
        if invitation.invited_by
        else settings.CRIG_NAME,
        "crig_name": settings.CRIG_NAME,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    # The invitee has no language preference yet: French, the platform's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string("members/email/invitation_subject.txt", context).split()
        )
        body = render_to_string("members/email/invitation.txt", context)
        html = render_to_string("members/email/invitation.html", context)
        message = EmailMultiAlternatives(subject, body, to=[invitation.email])
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("Invitation to %s not sent: %s", invitation.email, error)
            raise DeliveryFailed(
                _(
                    "The invitation e-mail could not be sent: the mail server did "
                    "not answer. Nothing was saved; please try again later."
                )
            ) from error


@transaction.atomic
def invitation_create(
    *,
    invited_by: User,
    email: str,
    organisation: Organisation | None,
    role: str = Membership.Role.MEMBER,
) -> Invitation:
    """Invite someone by e-mail, into an organisation or (secretariat) the platform.

    The e-mail is sent inside the transaction: if the mail server refuses it,
    ``DeliveryFailed`` is raised and the invitation is not saved. An earlier pending
    invitation of the same address to the same organisation is superseded.
    """
    if organisation is None:
        _require(invited_by, "members.invite_without_organisation")
    else:
        _require(invited_by, "members.invite_to_organisation", organisation)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(_("Enter a valid e-mail address."), field="email") from None
    if role not in Membership.Role.values:
        raise InvalidInput(_("Unknown role: %(role)s.") % {"role": role}, field="role")
    if (
        organisation is not None
        and Membership.objects.filter(
            organisation=organisation, person__email=email
        ).exists()
    ):
        raise Conflict(
            _("%(email)s is already a member of %(organisation)s.")
            % {"email": email, "organisation": organisation.name},
            field="email",
        )
    if organisation is None and User.objects.filter(email=email).exists():
        raise Conflict(
            _("%(email)s already has an account.") % {"email": email}, field="email"
        )
    now = timezone.now()
    Invitation.objects.filter(
        email=email,
        organisation=organisation,
        accepted_at__isnull=True,
        expires_at__gt=now,
    ).update(expires_at=now)
    raw_token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        organisation=organisation,
        role=role,
        invited_by=invited_by,
        token_hash=invitation_token_hash(raw_token),
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    _send_invitation_email(invitation, raw_token=raw_token)
    return invitation


def invitation_for_token(*, raw_token: str) -> Invitation:
    """The pending invitation with this token; ``NotFound`` if invalid or used."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=invitation_token_hash(raw_token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise NotFound(
            _(
                "This invitation link is not valid: it has expired or has already "
                "been used. Ask the person who invited you for a new one."
            )
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    raw_token: str,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
) -> User:
    """Accept an invitation, as ``user`` (signed in) or by creating an account.

    A new account gets the invited address, ``full_name`` and ``password`` (checked
    by the password validators). If an account already exists for the address, its
    owner must sign in first. Returns the person who joined.
    """
    invitation = invitation_for_token(raw_token=raw_token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        # Accepted in a concurrent request between the two reads.
        raise NotFound(_("This invitation has already been used."))
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise Conflict(
                _(
                    "An account already exists for %(email)s: log in to accept "
                    "the invitation."
                )
                % {"email": invitation.email}
            )
        full_name = " ".join((full_name or "").split())
        if not full_name:
            raise InvalidInput(_("Please enter your name."), field="full_name")
        user = User(email=invitation.email, full_name=full_name)
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    elif not user.is_active:
        raise InvalidInput(_("This account is closed."))
    if invitation.organisation is not None:
        membership = Membership.objects.filter(
            person=user, organisation=invitation.organisation
        ).first()
        if membership is None:
            Membership.objects.create(
                person=user, organisation=invitation.organisation, role=invitation.role
            )
        elif invitation.role == Membership.Role.REFERENT:
            membership.role = Membership.Role.REFERENT
            membership.save(update_fields=["role", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return user


# Accounts ----------------------------------------------------------------------


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, job_title: str = "") -> User:
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise InvalidInput(_("Please enter your name."), field="full_name")
    user.full_name = full_name
    user.job_title = " ".join((job_title or "").split())
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "job_title"])
    return user


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def user_export_data(*, user: User) -> dict:
    """Everything the platform holds about a person, as JSON-ready data."""
    memberships = user.memberships.select_related("organisation").order_by(
        "organisation__name"
    )
    reviewer_roles = user.reviewer_assignments.select_related(
        "signatory__organisation"
    ).order_by("signatory__position")
    invitations = user.invitations_sent.select_related("organisation").order_by(
        "created_at"
    )
    return {
        "profile": {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "job_title": user.job_title,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_secretariat": user.is_secretariat,
            "is_administrator": user.is_superuser,
        },
        "memberships": [
            {
                "organisation_id": membership.organisation_id,
                "organisation": membership.organisation.name,
                "role": membership.role,
                "since": _iso(membership.created_at),
            }
            for membership in memberships
        ],
        "reviewer_roles": [
            {
                "signatory_id": assignment.signatory_id,
                "signatory": assignment.signatory.organisation.name,
                "since": _iso(assignment.created_at),
            }
            for assignment in reviewer_roles
        ],
        "invitations_sent": [
            {
                "email": invitation.email,
                "organisation": invitation.organisation.name
                if invitation.organisation
                else None,
                "role": invitation.role,
                "sent_at": _iso(invitation.created_at),
                "expires_at": _iso(invitation.expires_at),
                "accepted_at": _iso(invitation.accepted_at),
            }
            for invitation in invitations
        ],
        "api_tokens": [
            {
                "id": token.pk,
                "name": token.name,
                "prefix": token.prefix,
                "created_at": _iso(token.created_at),
                "last_used_at": _iso(token.last_used_at),
                "revoked_at": _iso(token.revoked_at),
            }
            for token in user.api_tokens.order_by("created_at")
        ],
    }


@transaction.atomic
def user_close_account(*, user: User, password: str) -> None:
    """Close an account after checking its password.

    The person's name, address and roles are removed and their tokens revoked; the
    row stays, anonymised, so that what they did keeps a consistent author.
    """
    if not user.check_password(password or ""):
        raise InvalidInput(_("The password is incorrect."), field="password")
    if (
        user.is_superuser
        and not User.objects.filter(is_superuser=True, is_active=True)
        .exclude(pk=user.pk)
        .exists()
    ):
        raise Conflict(
            _(
                "You are the only administrator: give the role to someone else "
                "before closing your account."
            )
        )
    now = timezone.now()
    former_email = user.email
    anonymous_email = f"closed-account-{user.pk}@invalid.invalid"
    user.memberships.all().delete()
    user.reviewer_assignments.all().delete()
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    Invitation.objects.filter(email=former_email).update(email=anonymous_email)
    Invitation.objects.filter(
        invited_by=user, accepted_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    user.email = anonymous_email
    user.full_name = ""
    user.job_title = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.is_secretariat = False
    user.closed_at = now
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


# API tokens --------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; returns it with the raw token, shown only once."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(
            _("Give the token a name, to recognise it later."), field="name"
        )
    if len(name) > 100:
        raise InvalidInput(
            _("The name is too long (100 characters at most)."), field="name"
        )
    if not user.is_active:
        raise InvalidInput(_("This account is closed."))
    active = user.api_tokens.filter(revoked_at__isnull=True).count()
    if active >= API_TOKEN_MAX_ACTIVE:
        raise Conflict(
            _("You already have %(count)s active tokens: revoke one first.")
            % {"count": active}
        )
    secret = secrets.token_urlsafe(32)
    raw_token = API_TOKEN_PREFIX + secret
    token = ApiToken.objects.create(
        person=user, name=name, prefix=secret[:8], key_hash=_hash_secret(raw_token)
    )
    return token, raw_token


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or not user.has_perm("members.revoke_apitoken", token):
        raise NotFound(_("This token does not exist."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(*, raw_token: str) -> User | None:
    """The active person who owns this active token, or None."""
    if not raw_token or not raw_token.startswith(API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("person")
        .filter(key_hash=_hash_secret(raw_token), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.person.is_active:
        return None
    now = timezone.now()
    if (
        token.last_used_at is None
        or now - token.last_used_at > API_TOKEN_TOUCH_INTERVAL
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person


# Convention and signatories ---------------------------------------------------------


@transaction.atomic
def convention_save(
    *,
    name: str,
    signed_on,
    term_years: int = 3,
    renewed_on=None,
) -> Convention:
    """Create the convention with this name, or update its dates."""
    convention, _created = Convention.objects.update_or_create(
        name=name,
        defaults={
            "signed_on": signed_on,
            "term_years": term_years,
            "renewed_on": renewed_on,
        },
    )
    convention.full_clean()
    return convention


@transaction.atomic
def signatory_save(
    *,
    convention: Convention,
    organisation: Organisation,
    position: int,
    role_fr: str = "",
    role_en: str = "",
    community_fr: str = "",
    community_en: str = "",
) -> Signatory:
    """Make an organisation a signatory of the convention, or update its texts."""
    signatory, _created = Signatory.objects.update_or_create(
        organisation=organisation,
        defaults={
            "convention": convention,
            "position": position,
            "role_fr": role_fr,
            "role_en": role_en,
            "community_fr": community_fr,
            "community_en": community_en,
        },
    )
    return signatory


@transaction.atomic
def reviewer_assign(
    *, person: User, signatory: Signatory, by: User | None = None
) -> ReviewerAssignment:
    """Make a person a reviewer for a signatory (secretariat or administrator)."""
    if by is not None:
        _require(by, "members.add_reviewerassignment")
    assignment, _created = ReviewerAssignment.objects.get_or_create(
        person=person, signatory=signatory
    )
    return assignment
