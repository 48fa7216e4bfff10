"""Who may see and do what with news — written once, used by pages, API, feeds,
digests and relay newsletters.

A published item (its publication date reached) is seen according to its
audience: public → everyone; members → people belonging to an organisation;
a signatory's community → the people of that signatory's organisation and its
reviewers, plus the secretariat. Drafts, items in review and scheduled items are
seen by their author, the editors (except another signatory's community items)
and the secretariat. Members-only and community items are
never in public pages or feeds. Editors: the secretariat and the signatories'
people (``is_signatory_person``) write items; the secretariat and signatories'
people publish. A person sees and changes only their own subscription.
"""

import rules
from django.utils import timezone

from crig.members.rules import is_active_person, is_administrator, is_secretariat
from crig.news.models import NewsItem

is_staff_role = is_secretariat | is_administrator


@rules.predicate
def is_signatory_person(user) -> bool:
    return is_active_person(user) and (
        user.memberships.filter(organisation__signatory__isnull=False).exists()
        or user.reviewer_assignments.exists()
    )


@rules.predicate
def is_member(user) -> bool:
    return is_active_person(user) and user.memberships.exists()


@rules.predicate
def is_live(user, item) -> bool:
    return (
        item is not None
        and item.state == NewsItem.State.PUBLISHED
        and (item.publish_at is None or item.publish_at <= timezone.now())
    )


@rules.predicate
def is_for_public(user, item) -> bool:
    return item is not None and item.audience == NewsItem.Audience.PUBLIC


@rules.predicate
def is_for_members(user, item) -> bool:
    return item is not None and item.audience == NewsItem.Audience.MEMBERS


@rules.predicate
def is_in_community(user, item) -> bool:
    if item is None or item.audience != NewsItem.Audience.COMMUNITY:
        return False
    if not is_active_person(user):
        return False
    signatory = item.community
    return (
        user.memberships.filter(organisation_id=signatory.organisation_id).exists()
        or user.reviewer_assignments.filter(signatory=signatory).exists()
    )


@rules.predicate
def is_for_another_community(user, item) -> bool:
    """A community item for a signatory the person does not belong to."""
    return (
        item is not None
        and item.audience == NewsItem.Audience.COMMUNITY
        and not is_in_community(user, item)
    )


@rules.predicate
def is_item_author(user, item) -> bool:
    return is_active_person(user) and item is not None and item.author_id == user.pk


is_editor = is_staff_role | is_signatory_person

rules.add_perm(
    "news.view_item",
    (is_live & (is_for_public | (is_for_members & is_member) | is_in_community))
    | is_staff_role
    | is_item_author
    # The editorial queue (drafts, items in review, scheduled ones), but not
    # what another signatory prepares for its own community.
    | (is_editor & ~is_live & ~is_for_another_community),
)
rules.add_perm("news.add_item", is_editor)
rules.add_perm("news.change_item", is_staff_role | (is_editor & is_item_author))
rules.add_perm("news.publish_item", is_editor)
rules.add_perm("news.preview_relay", is_editor)
rules.add_perm("news.view_deliveries", is_staff_role)
