"""Funding requests: entry, submission, attachments, withdrawal.

CONTRACT (signatures fixed; bodies by the funding-domain work). Every service is
atomic, checks permissions with ``rules`` (``PermissionDenied``), raises
``InvalidInput`` with a translated message and saves nothing on bad input, and
writes an ``AuditEntry`` (who, what, field → [before, after]).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from crig.funding.models import FundingRequest, RequestAttachment
from crig.territory.selection import TerritorySelection


@dataclass(frozen=True)
class BudgetLineData:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class CoFunderData:
    amount: Decimal
    organisation_id: int | None = None
    name: str = ""
    status: str = "requested"


@dataclass(frozen=True)
class RequestData:
    """What the applicant fills in. The amounts must add up: Σ budget lines =
    amount requested + Σ co-funders + self-funding."""

    signatory_id: int
    title: str
    public_summary: str
    description: str
    theme: str
    amount_requested: Decimal
    data_licence: str
    programme_id: int | None = None
    self_funding: Decimal = Decimal(0)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    deliverables: str = ""
    standards: str = ""
    budget_lines: list[BudgetLineData] = field(default_factory=list)
    cofunders: list[CoFunderData] = field(default_factory=list)


def request_create(
    *,
    actor,
    applicant,
    data: RequestData,
    territory: TerritorySelection,
    submit: bool = False,
) -> FundingRequest:
    """A draft (or submitted) request of ``applicant``: entered by one of its
    members, or by a member of the signatory it reaches (the signatory's staff)."""
    raise NotImplementedError


def request_update(
    *,
    actor,
    request: FundingRequest,
    data: RequestData,
    territory: TerritorySelection | None = None,
) -> FundingRequest:
    """Only while a draft."""
    raise NotImplementedError


def request_submit(*, actor, request: FundingRequest) -> FundingRequest:
    """Draft → submitted; gives the request its reference (e.g. "FIN-2024-007").
    A second submission is refused."""
    raise NotImplementedError


def request_withdraw(*, actor, request: FundingRequest, reason: str) -> FundingRequest:
    """Withdrawn at any point before the opinion is issued."""
    raise NotImplementedError


def request_attachment_add(
    *, actor, request: FundingRequest, name: str, data: bytes
) -> RequestAttachment:
    """PDF only (checked by content), at most ``FUNDING_ATTACHMENT_MAX_BYTES``."""
    raise NotImplementedError


def request_attachment_remove(*, actor, attachment: RequestAttachment) -> None:
    raise NotImplementedError
