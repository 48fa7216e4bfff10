"""Writes of the action plan, one module per entity, re-exported here. Atomic,
permission-checked (``rules``), translated ``InvalidInput`` on bad input with
nothing saved, an ``ActionChange`` per change of an action.
"""

from crig.actionplan.services.actions import (
    action_create,
    action_delete,
    action_link,
    action_update,
)
from crig.actionplan.services.data import ActionData, IndicatorData, MilestoneData
from crig.actionplan.services.plans import (
    plan_create,
    plan_publish,
    plan_roll_over,
    plan_update,
)
from crig.actionplan.services.progress import (
    indicator_set_current,
    milestone_mark_done,
    progress_update_add,
)

__all__ = [
    "ActionData",
    "IndicatorData",
    "MilestoneData",
    "action_create",
    "action_delete",
    "action_link",
    "action_update",
    "indicator_set_current",
    "milestone_mark_done",
    "plan_create",
    "plan_publish",
    "plan_roll_over",
    "plan_update",
    "progress_update_add",
]
