"""Who may do what in members — written once, used by pages, API, admin and exports.

Platform roles are flags on the person (``is_secretariat``; administrators are
superusers); organisation roles are ``Membership`` rows (member, referent); reviewer
roles are ``ReviewerAssignment`` rows. Public: the organisation directory, an
organisation's page, the signatories. Not public: who belongs to an organisation,
and e-mail addresses.

Predicates receive ``(user, obj)``; ``obj`` is an ``Organisation`` for the
organisation-level permissions, and may be ``None`` in the admin's list pages.
"""

import rules

from crig.members.models import Membership, Organisation


@rules.predicate
def is_active_person(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_secretariat(user) -> bool:
    return is_active_person(user) and user.is_secretariat


@rules.predicate
def is_administrator(user) -> bool:
    return is_active_person(user) and user.is_superuser


@rules.predicate
def is_reviewer(user) -> bool:
    return is_active_person(user) and user.reviewer_assignments.exists()


def _organisation_of(obj) -> Organisation | None:
    if isinstance(obj, Organisation):
        return obj
    return getattr(obj, "organisation", None)


@rules.predicate
def is_member_of(user, obj) -> bool:
    organisation = _organisation_of(obj)
    if organisation is None or not is_active_person(user):
        return False
    return user.memberships.filter(organisation=organisation).exists()


@rules.predicate
def is_referent_of(user, obj) -> bool:
    organisation = _organisation_of(obj)
    if organisation is None or not is_active_person(user):
        return False
    return user.memberships.filter(
        organisation=organisation, role=Membership.Role.REFERENT
    ).exists()


@rules.predicate
def is_self(user, obj) -> bool:
    return is_active_person(user) and obj is not None and obj.pk == user.pk


@rules.predicate
def is_token_owner(user, obj) -> bool:
    return is_active_person(user) and obj is not None and obj.person_id == user.pk


@rules.predicate
def has_platform_role(user, obj) -> bool:
    """The person edited is staff, secretariat or administrator."""
    return obj is not None and (obj.is_superuser or obj.is_secretariat or obj.is_staff)


is_staff_role = is_secretariat | is_administrator

# Organisations: public to read; the secretariat manages them, a referent edits the
# public description of their own organisation.
rules.add_perm("members.view_organisation", rules.always_allow)
rules.add_perm("members.add_organisation", is_staff_role)
rules.add_perm("members.change_organisation", is_staff_role | is_referent_of)
rules.add_perm("members.delete_organisation", is_administrator)
rules.add_perm("members.set_organisation_perimeter", is_staff_role)
rules.add_perm("members.set_organisation_openig_membership", is_staff_role)

# People of an organisation: names and e-mails only for its members and the staff.
rules.add_perm("members.view_membership_list", is_staff_role | is_member_of)
rules.add_perm("members.invite_to_organisation", is_staff_role | is_referent_of)
rules.add_perm("members.manage_memberships", is_staff_role | is_referent_of)
# Inviting someone to the platform without an organisation.
rules.add_perm("members.invite_without_organisation", is_staff_role)

# Admin site permissions (Django's view/add/change/delete names), for the
# secretariat; administrators pass every check as superusers.
for model in ("membership", "signatory", "convention", "reviewerassignment"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"members.{action}_{model}", is_staff_role)
rules.add_perm("members.use_admin", is_staff_role)
rules.add_perm("members.view_invitation", is_staff_role)
rules.add_perm("members.delete_invitation", is_staff_role)
rules.add_perm("members.view_user", is_staff_role)
# The secretariat edits ordinary accounts; only administrators edit the accounts
# that hold a platform role (so nobody can take over a more powerful account).
rules.add_perm(
    "members.change_user", is_administrator | (is_secretariat & ~has_platform_role)
)
# Granting platform roles (secretariat, staff, administrator) is for administrators.
rules.add_perm("members.grant_platform_roles", is_administrator)
rules.add_perm("members.view_apitoken", is_administrator)

# A person's own data.
rules.add_perm("members.export_user_data", is_self | is_administrator)
rules.add_perm("members.close_account", is_self)
rules.add_perm("members.revoke_apitoken", is_token_owner | is_administrator)
