"""Personal API tokens: created, revoked, and checked on each API request."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.core.errors import Conflict, InvalidInput, NotFound
from crig.members.models import ApiToken, User
from crig.members.services._common import _hash_secret

API_TOKEN_PREFIX = "crig_"  # noqa: S105 (a public marker, not a secret)
API_TOKEN_MAX_ACTIVE = 20
# A token's last use is written at most this often, to keep API reads read-only.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


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
