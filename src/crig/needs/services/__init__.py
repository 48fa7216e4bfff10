"""Writes of the needs module, one module per entity, re-exported here."""

from crig.needs.services.needs import (
    NeedData,
    need_attachment_add,
    need_attachment_remove,
    need_create,
    need_delete,
    need_merge,
    need_split,
    need_submit,
    need_transition,
    need_update,
)
from crig.needs.services.rounds import (
    ballot_submit,
    round_close,
    round_create,
    round_open,
    round_update,
)
from crig.needs.services.supports import (
    SupportData,
    support_create,
    support_update,
    support_withdraw,
)
from crig.needs.services.weights import weights_publish

__all__ = [
    "NeedData",
    "SupportData",
    "ballot_submit",
    "need_attachment_add",
    "need_attachment_remove",
    "need_create",
    "need_delete",
    "need_merge",
    "need_split",
    "need_submit",
    "need_transition",
    "need_update",
    "round_close",
    "round_create",
    "round_open",
    "round_update",
    "support_create",
    "support_update",
    "support_withdraw",
    "weights_publish",
]
