"""Who may see and edit catalogue records — used by pages, API, exports and the
standards endpoints alike (through ``selectors.visibility``).

Public records are for everyone. A restricted record is seen only by the
secretariat, administrators, the person who entered it and the members of its
producer organisation. Records are created and edited by hand by the secretariat, or
by an organisation's referent for its own data; harvest sources are the
secretariat's.
"""

import rules

from crig.catalog.models import Dataset, Visibility
from crig.members.rules import is_active_person, is_administrator, is_secretariat

is_staff_role = is_secretariat | is_administrator


@rules.predicate
def is_producer_member(user, dataset) -> bool:
    if not isinstance(dataset, Dataset) or dataset.producer_id is None:
        return False
    return (
        is_active_person(user)
        and user.memberships.filter(organisation_id=dataset.producer_id).exists()
    )


@rules.predicate
def is_producer_referent(user, dataset) -> bool:
    if not isinstance(dataset, Dataset) or dataset.producer_id is None:
        return False
    return (
        is_active_person(user)
        and user.memberships.filter(
            organisation_id=dataset.producer_id, role="referent"
        ).exists()
    )


@rules.predicate
def is_record_author(user, dataset) -> bool:
    return (
        isinstance(dataset, Dataset)
        and is_active_person(user)
        and dataset.created_by_id == user.pk
    )


@rules.predicate
def is_public(user, dataset) -> bool:
    return isinstance(dataset, Dataset) and dataset.visibility == Visibility.PUBLIC


@rules.predicate
def is_referent_of_any(user) -> bool:
    return is_active_person(user) and user.memberships.filter(role="referent").exists()


rules.add_perm(
    "catalog.view_dataset",
    is_public | is_staff_role | is_producer_member | is_record_author,
)
rules.add_perm("catalog.add_dataset", is_staff_role | is_referent_of_any)
rules.add_perm("catalog.change_dataset", is_staff_role | is_producer_referent)
rules.add_perm("catalog.delete_dataset", is_staff_role)
rules.add_perm("catalog.manage_duplicates", is_staff_role)
for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"catalog.{action}_harvestsource", is_staff_role)
rules.add_perm("catalog.view_harvestrun", is_staff_role)
rules.add_perm("catalog.run_harvest", is_staff_role)
