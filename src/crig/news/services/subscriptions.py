"""Subscriptions: what a person follows, and the one-click unsubscribe link.

A person only ever changes their own subscription (the services take the person,
never a subscription id). The territory is the person's organisations'
perimeters by default (read when a digest is built, so it follows the
organisations' changes), or communes the person picked; with neither, the whole
region.

**Unsubscribe links.** The link carries the subscription's id and its ``token``,
signed with ``django.core.signing`` (salt ``crig.news.unsubscribe``): a tampered
link fails the signature, and an old link stops working once the token is
renewed — which happens whenever an inactive subscription is turned on again, so
that a link from before cannot silently undo a new choice. The link does not
expire otherwise: RFC 8058 clients may use it long after the e-mail arrived.
"""

import uuid

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from crig.core.errors import InvalidInput, PermissionDenied
from crig.needs.models import Theme
from crig.news.models import Subscription
from crig.news.services._common import selection_communes
from crig.territory.selection import TerritorySelection

UNSUBSCRIBE_SALT = "crig.news.unsubscribe"


def _is_active_person(person) -> bool:
    return bool(
        person is not None
        and person.is_authenticated
        and person.is_active
        and getattr(person, "closed_at", None) is None
    )


@transaction.atomic
def subscription_update(
    *,
    person,
    themes: list[str],
    topics: list[str],
    frequency: str,
    use_organisation_perimeter: bool = True,
    territory: TerritorySelection | None = None,
    active: bool = True,
    clear_territory: bool = False,
) -> Subscription:
    """Create or change the person's own subscription.

    ``themes`` empty: every theme. ``topics`` empty: nothing is sent.
    ``territory`` replaces the picked communes (kept as they are when None;
    ``clear_territory`` removes them: the whole region). With
    ``use_organisation_perimeter`` the picked communes are kept but unused."""
    if not _is_active_person(person):
        raise PermissionDenied(_("Log in to manage your subscription."))
    themes = list(dict.fromkeys(themes or []))
    if any(theme not in Theme.values for theme in themes):
        raise InvalidInput(_("Choose themes from the list."), field="themes")
    topics = list(dict.fromkeys(topics or []))
    if any(topic not in Subscription.Topic.values for topic in topics):
        raise InvalidInput(_("Choose what to receive from the list."), field="topics")
    if frequency not in Subscription.Frequency.values:
        raise InvalidInput(_("Choose a frequency from the list."), field="frequency")
    codes = selection_communes(territory) if territory is not None else None

    subscription = (
        Subscription.objects.select_for_update().filter(person=person).first()
    )
    if subscription is None:
        subscription = Subscription(person=person)
    elif active and not subscription.active:
        # Turned on again: links sent before the unsubscription stop working.
        subscription.token = uuid.uuid4()
    subscription.themes = themes
    subscription.topics = topics
    subscription.frequency = frequency
    subscription.use_organisation_perimeter = bool(use_organisation_perimeter)
    subscription.active = bool(active)
    if territory is not None:
        subscription.territory_description = (territory.description or "")[:300]
    elif clear_territory:
        subscription.territory_description = ""
    subscription.save()
    if codes is not None:
        subscription.communes.set(codes)
    elif clear_territory:
        subscription.communes.clear()
    return subscription


def _signed(subscription: Subscription) -> str:
    return signing.dumps(
        {"s": subscription.pk, "t": subscription.token.hex},
        salt=UNSUBSCRIBE_SALT,
        compress=True,
    )


def subscription_unsubscribe_url(subscription: Subscription) -> str:
    """The absolute one-click link (page ``news:unsubscribe``; RFC 8058 POST)."""
    path = reverse("news:unsubscribe", kwargs={"token": _signed(subscription)})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def subscription_unsubscribe(*, token: str) -> Subscription:
    """From a signed one-click link; a tampered or outdated link is refused.
    Unsubscribing twice with the same link is harmless."""
    refused = InvalidInput(
        _(
            "This unsubscribe link is not valid (altered, or replaced by a newer "
            "one). Manage your subscription from your account."
        ),
        field="token",
    )
    try:
        value = signing.loads(str(token or ""), salt=UNSUBSCRIBE_SALT)
        pk, token_hex = int(value["s"]), str(value["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise refused from exc
    subscription = Subscription.objects.select_for_update().filter(pk=pk).first()
    if subscription is None or subscription.token.hex != token_hex:
        raise refused
    if subscription.active:
        subscription.active = False
        subscription.save(update_fields=["active", "updated_at"])
    return subscription
