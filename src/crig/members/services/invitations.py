"""Invitations by e-mail to join the platform or an organisation."""

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
from django.utils.translation import gettext as _

from crig.core.errors import Conflict, DeliveryFailed, InvalidInput, NotFound
from crig.members.models import Invitation, Membership, Organisation, User
from crig.members.services._common import _hash_secret, _require

logger = logging.getLogger(__name__)


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
