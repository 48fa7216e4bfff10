"""Memberships: who belongs to an organisation, and as what."""

from django.db import transaction
from django.utils.translation import gettext as _

from crig.core.errors import Conflict, InvalidInput, NotFound
from crig.members.models import Membership, Organisation, User
from crig.members.services._common import _require


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
