"""Writes of the funding module, one module per concern, re-exported here."""

from crig.funding.services.opinions import (
    OpinionData,
    opinion_correct,
    opinion_issue,
    opinion_publish,
)
from crig.funding.services.requests import (
    BudgetLineData,
    CoFunderData,
    RequestData,
    request_attachment_add,
    request_attachment_remove,
    request_create,
    request_submit,
    request_update,
    request_withdraw,
)
from crig.funding.services.review import (
    conflict_declare,
    position_record,
    request_decide_admissibility,
    request_set_deadline,
    request_start_review,
    reviewer_assign,
    reviewer_unassign,
    reviewers_remind,
)

__all__ = [
    "BudgetLineData",
    "CoFunderData",
    "OpinionData",
    "RequestData",
    "conflict_declare",
    "opinion_correct",
    "opinion_issue",
    "opinion_publish",
    "position_record",
    "request_attachment_add",
    "request_attachment_remove",
    "request_create",
    "request_decide_admissibility",
    "request_set_deadline",
    "request_start_review",
    "request_submit",
    "request_update",
    "request_withdraw",
    "reviewer_assign",
    "reviewer_unassign",
    "reviewers_remind",
]
