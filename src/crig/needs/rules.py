"""Who may do what with needs — written once, used by pages, API, exports and maps.

Anyone reads a need that left the draft state; a draft is seen by its author only.
A member of an organisation expresses needs and supports others' needs in its name;
the author or a referent of the organisation edits a need while it is new; the
secretariat qualifies, answers, merges, splits, sets the scoring weights and runs
the prioritisation rounds, where each organisation's ballot is cast by a referent.

Predicates receive ``(user, obj)``; ``obj`` is a ``Need``, a ``Support``, a
``Round`` or an ``Organisation`` as the permission says.
"""

import rules

from crig.members.models import Membership
from crig.members.rules import is_active_person, is_secretariat
from crig.needs.models import Need, Round

EDITABLE_STATES = (Need.State.DRAFT, Need.State.NEW)
SUPPORTABLE_STATES = (Need.State.NEW, Need.State.QUALIFIED, Need.State.RETAINED)


@rules.predicate
def is_author(user, need) -> bool:
    return is_active_person(user) and need is not None and need.author_id == user.pk


@rules.predicate
def is_published(user, need) -> bool:
    return need is not None and need.state != Need.State.DRAFT


@rules.predicate
def is_editable(user, need) -> bool:
    return need is not None and need.state in EDITABLE_STATES


@rules.predicate
def is_supportable(user, need) -> bool:
    return need is not None and need.state in SUPPORTABLE_STATES


@rules.predicate
def is_member_of_need_organisation(user, need) -> bool:
    return (
        is_active_person(user)
        and need is not None
        and user.memberships.filter(organisation_id=need.organisation_id).exists()
    )


@rules.predicate
def is_referent_of_need_organisation(user, need) -> bool:
    return (
        is_active_person(user)
        and need is not None
        and user.memberships.filter(
            organisation_id=need.organisation_id, role=Membership.Role.REFERENT
        ).exists()
    )


@rules.predicate
def belongs_to_an_organisation(user) -> bool:
    return is_active_person(user) and user.memberships.exists()


@rules.predicate
def can_support_in_another_organisation(user, need) -> bool:
    """The person belongs to an organisation other than the need's that has not
    supported it yet."""
    if not is_active_person(user) or need is None:
        return False
    supporting = need.supports.values("organisation_id")
    return (
        user.memberships.exclude(organisation_id=need.organisation_id)
        .exclude(organisation_id__in=supporting)
        .exists()
    )


@rules.predicate
def is_support_author_or_referent(user, support) -> bool:
    if not is_active_person(user) or support is None:
        return False
    if support.author_id == user.pk:
        return True
    return user.memberships.filter(
        organisation_id=support.organisation_id, role=Membership.Role.REFERENT
    ).exists()


@rules.predicate
def is_round_open(user, round_) -> bool:
    return round_ is not None and round_.state == Round.State.OPEN


@rules.predicate
def is_round_visible(user, round_) -> bool:
    return round_ is not None and round_.state != Round.State.DRAFT


@rules.predicate
def is_a_referent(user) -> bool:
    return (
        is_active_person(user)
        and user.memberships.filter(role=Membership.Role.REFERENT).exists()
    )


# Needs
rules.add_perm("needs.view_need", is_published | is_author)
rules.add_perm("needs.add_need", belongs_to_an_organisation)
rules.add_perm(
    "needs.change_need",
    # An author who has left the organisation no longer speaks in its name.
    (
        is_editable
        & (
            (is_author & is_member_of_need_organisation)
            | is_referent_of_need_organisation
        )
    )
    | (is_published & is_secretariat),
)
rules.add_perm("needs.submit_need", is_author & is_editable)
rules.add_perm("needs.delete_need", is_author & is_editable & ~is_published)
rules.add_perm(
    "needs.add_attachment",
    (is_editable & (is_author | is_member_of_need_organisation))
    | (is_published & is_secretariat),
)
# Secretariat's work on published needs
rules.add_perm("needs.qualify_need", is_published & is_secretariat)
rules.add_perm("needs.merge_need", is_published & is_secretariat)
rules.add_perm("needs.split_need", is_published & is_secretariat)
# Supports
rules.add_perm(
    "needs.support_need",
    is_published & is_supportable & can_support_in_another_organisation,
)
rules.add_perm("needs.change_support", is_support_author_or_referent | is_secretariat)
# Scoring and rounds
rules.add_perm("needs.publish_weights", is_secretariat)
rules.add_perm("needs.manage_rounds", is_secretariat)
rules.add_perm("needs.view_round", is_round_visible | is_secretariat)
rules.add_perm("needs.vote_round", is_round_open & is_a_referent)
