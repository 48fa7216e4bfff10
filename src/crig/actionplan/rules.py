"""Who may see and do what with the action plan — written once, used by pages,
API, exports and the report.

The public reads published plans and their actions. A draft plan stays internal:
the secretariat, administrators and the people of the signatories (members of a
signatory organisation, and signatories' reviewers) see and edit it. The members
of an action's lead organisations post its progress updates and keep its
milestones and indicators current; the secretariat and the signatories edit the
plan itself (actions, categories, leads, links, roll-over, publication).

Predicates receive ``(user, obj)``; ``obj`` is a ``Plan`` or an ``Action``.
"""

import rules

from crig.actionplan.models import Action, Plan
from crig.members.rules import is_active_person, is_administrator, is_secretariat

is_staff_role = is_secretariat | is_administrator


@rules.predicate
def is_signatory_person(user) -> bool:
    return is_active_person(user) and (
        user.memberships.filter(organisation__signatory__isnull=False).exists()
        or user.reviewer_assignments.exists()
    )


def _plan_of(obj) -> Plan | None:
    if isinstance(obj, Plan):
        return obj
    if isinstance(obj, Action):
        return obj.plan
    return None


@rules.predicate
def is_published_plan(user, obj) -> bool:
    plan = _plan_of(obj)
    return plan is not None and plan.state == Plan.State.PUBLISHED


@rules.predicate
def is_lead_member(user, action) -> bool:
    return (
        is_active_person(user)
        and isinstance(action, Action)
        and user.memberships.filter(organisation__in=action.leads.values("pk")).exists()
    )


can_edit_plan = is_staff_role | is_signatory_person

rules.add_perm("actionplan.view_plan", is_published_plan | can_edit_plan)
rules.add_perm("actionplan.view_action", is_published_plan | can_edit_plan)
rules.add_perm("actionplan.change_plan", can_edit_plan)
rules.add_perm("actionplan.change_action", can_edit_plan)
rules.add_perm(
    "actionplan.update_progress",
    can_edit_plan | (is_published_plan & is_lead_member),
)
