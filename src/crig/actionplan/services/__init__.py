"""Writes of the action plan. CONTRACT (signatures fixed; bodies by the
action-plan domain work). Atomic, permission-checked (``rules``), translated
``InvalidInput`` on bad input with nothing saved, an ``ActionChange`` per change.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from crig.actionplan.models import Action, Plan, ProgressUpdate


@dataclass(frozen=True)
class MilestoneData:
    title: str
    due_on: datetime.date
    done_on: datetime.date | None = None


@dataclass(frozen=True)
class IndicatorData:
    name: str
    target: Decimal
    current: Decimal = Decimal(0)
    unit: str = ""


@dataclass(frozen=True)
class ActionData:
    category: str
    title: str
    objectives: str
    lead_ids: list[int]  # organisations, at least one
    signatory_id: int | None = None
    partner_ids: list[int] = field(default_factory=list)
    theme: str = ""
    status: str = "proposed"
    progress: int = 0
    budget: Decimal | None = None
    milestones: list[MilestoneData] = field(default_factory=list)  # in date order
    indicators: list[IndicatorData] = field(default_factory=list)


def plan_create(*, actor, year: int, title: str, introduction: str = "") -> Plan:
    raise NotImplementedError


def plan_update(*, actor, plan: Plan, title: str, introduction: str = "") -> Plan:
    raise NotImplementedError


def plan_publish(*, actor, plan: Plan) -> Plan:
    raise NotImplementedError


def plan_roll_over(*, actor, plan: Plan) -> Plan:
    """Next year's draft plan with the unfinished actions (not done, not
    abandoned) copied — milestones not yet done, indicators, leads, partners,
    links — each with ``continues`` set. Refused if next year's plan exists."""
    raise NotImplementedError


def action_create(*, actor, plan: Plan, data: ActionData) -> Action:
    """Numbered after the plan's last action."""
    raise NotImplementedError


def action_update(*, actor, action: Action, data: ActionData) -> Action:
    raise NotImplementedError


def action_delete(*, actor, action: Action) -> None:
    """Only in a draft plan."""
    raise NotImplementedError


def action_link(
    *,
    actor,
    action: Action,
    need_ids: list[int] | None = None,
    funding_request_ids: list[int] | None = None,
    dataset_ids: list[int] | None = None,
) -> Action:
    """Replace the links given (None leaves a kind unchanged). Each item must be
    visible to the actor, else refused as if it did not exist."""
    raise NotImplementedError


def progress_update_add(
    *,
    actor,
    action: Action,
    dated: datetime.date,
    body: str,
    progress: int | None = None,
    status: str = "",
    attachment: tuple[str, bytes] | None = None,
) -> ProgressUpdate:
    """A lead's dated note; sets the action's progress and status when given."""
    raise NotImplementedError


def indicator_set_current(
    *, actor, action: Action, indicator_id: int, current: Decimal
):
    raise NotImplementedError


def milestone_mark_done(
    *, actor, action: Action, milestone_id: int, done_on: datetime.date | None
):
    raise NotImplementedError
