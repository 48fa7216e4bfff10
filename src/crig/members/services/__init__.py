"""Every write in members: organisations, memberships, invitations, accounts, tokens.

Functions are keyword-only, atomic and named ``<entity>_<verb>``. They raise
``crig.core.errors`` types (or Django's ``ValidationError`` for field validation)
with messages meant for a person; views and the API show them as they are. One module
per entity; callers import from ``crig.members.services``.
"""

from crig.members.services.accounts import (
    user_anonymise,
    user_close_account,
    user_erase,
    user_export_data,
    user_update_profile,
)
from crig.members.services.convention import (
    convention_save,
    reviewer_assign,
    signatory_save,
)
from crig.members.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_token_hash,
)
from crig.members.services.memberships import (
    membership_add,
    membership_remove,
    membership_set_role,
)
from crig.members.services.organisations import (
    ORGANISATION_FIELDS,
    organisation_check_perimeter,
    organisation_create,
    organisation_set_perimeter,
    organisation_update,
)
from crig.members.services.tokens import (
    API_TOKEN_MAX_ACTIVE,
    API_TOKEN_PREFIX,
    API_TOKEN_TOUCH_INTERVAL,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

__all__ = [
    "API_TOKEN_MAX_ACTIVE",
    "API_TOKEN_PREFIX",
    "API_TOKEN_TOUCH_INTERVAL",
    "ORGANISATION_FIELDS",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "convention_save",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_token_hash",
    "membership_add",
    "membership_remove",
    "membership_set_role",
    "organisation_check_perimeter",
    "organisation_create",
    "organisation_set_perimeter",
    "organisation_update",
    "reviewer_assign",
    "signatory_save",
    "user_anonymise",
    "user_close_account",
    "user_erase",
    "user_export_data",
    "user_update_profile",
]
