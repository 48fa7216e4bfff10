"""A person's own account: profile, data download, closing."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.core.errors import Conflict, InvalidInput
from crig.members.models import Invitation, User


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
def user_close_account(*, user: User, password: str) -> dict:
    """Close an account after checking its password: the person is erased in every
    module (``core.privacy.person_erase``); ``{app label: {what: rows}}``.

    The account row stays, anonymised (``user_anonymise``), so that what the person
    did keeps a consistent author.
    """
    if not user.check_password(password or ""):
        raise InvalidInput(_("The password is incorrect."), field="password")
    return user_erase(user=user)


@transaction.atomic
def user_erase(*, user: User) -> dict:
    """Erase a person with an account everywhere (their own closing, or the
    secretariat acting on a request); refused for the last administrator."""
    from crig.core.privacy import person_erase

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
    return person_erase(user=user)


def user_anonymise(*, user: User) -> dict:
    """The members part of an erasure: name, address, roles and tokens removed;
    the row stays, inactive, without a usable password."""
    now = timezone.now()
    former_email = user.email
    anonymous_email = f"closed-account-{user.pk}@invalid.invalid"
    done = {
        "memberships": user.memberships.all().delete()[0],
        "reviewer_roles": user.reviewer_assignments.all().delete()[0],
        "api_tokens_revoked": user.api_tokens.filter(revoked_at__isnull=True).update(
            revoked_at=now
        ),
        "invitations_received": Invitation.objects.filter(
            email__iexact=former_email
        ).update(email=anonymous_email),
    }
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
    done["account"] = 1
    return done
