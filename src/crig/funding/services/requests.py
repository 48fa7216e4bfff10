"""Funding requests: entry, submission, attachments, withdrawal.

CONTRACT (signatures fixed; bodies by the funding-domain work). Every service is
atomic, checks permissions with ``rules`` (``PermissionDenied``), raises
``InvalidInput`` with a translated message and saves nothing on bad input, and
writes an ``AuditEntry`` (who, what, field → [before, after]).
"""

import datetime
import os
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _

from crig.core.errors import InvalidInput, PermissionDenied
from crig.funding.models import (
    BudgetLine,
    CoFunder,
    DataLicence,
    FundingRequest,
    Programme,
    RequestAttachment,
)
from crig.funding.rules import (
    entered_it,
    is_applicant_member,
    is_applicant_referent,
    is_staff_role,
)
from crig.funding.services._common import audit, diff, require, require_predicate
from crig.funding.services._territory import (
    territory_check,
    territory_store,
    territory_summary,
)
from crig.funding.services.review import _transition
from crig.members.models import Membership, Organisation, Signatory
from crig.needs.models import Theme
from crig.territory.selection import TerritorySelection

State = FundingRequest.State


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


# Amounts are stored with 12 digits, 2 of them decimals.
AMOUNT_LIMIT = Decimal(10) ** 10
CENT = Decimal("0.01")
PDF_MAGIC = b"%PDF-"
# Fields of a request that ``RequestData`` fills in, as the audit trail lists them.
DATA_FIELDS = (
    "signatory_id",
    "programme_id",
    "title",
    "public_summary",
    "description",
    "theme",
    "amount_requested",
    "self_funding",
    "starts_on",
    "ends_on",
    "deliverables",
    "data_licence",
    "standards",
)
# Who may enter, change and submit a draft: its applicant's members and whoever
# entered it (e.g. the signatory's staff entering on the applicant's behalf).
may_edit = is_applicant_member | entered_it
may_withdraw = is_applicant_referent | entered_it | is_staff_role


def _euros(amount: Decimal) -> str:
    from django.utils.formats import number_format

    return number_format(amount, 2, force_grouping=True)


def _amount(value, *, field: str, zero_allowed: bool = False) -> Decimal:
    """The value as euros and cents; ``InvalidInput`` naming ``field`` else."""
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise InvalidInput(
            _("“%(value)s” is not an amount in euros.") % {"value": value}, field=field
        )
    if amount != amount.quantize(CENT):
        raise InvalidInput(
            _("Amounts are in euros and cents: two decimals at most."), field=field
        )
    if amount >= AMOUNT_LIMIT:
        raise InvalidInput(_("This amount is too large."), field=field)
    if amount < 0 or (amount == 0 and not zero_allowed):
        raise InvalidInput(
            _("This amount cannot be negative.")
            if zero_allowed
            else _("This amount must be above zero."),
            field=field,
        )
    return amount.quantize(CENT)


def _text(value, *, field: str, required_message=None, max_length=None) -> str:
    text = (value or "").strip()
    if required_message and not text:
        raise InvalidInput(required_message, field=field)
    if max_length and len(text) > max_length:
        raise InvalidInput(
            _("This text is too long (%(count)d characters at most).")
            % {"count": max_length},
            field=field,
        )
    return text


def _clean(data: RequestData, *, applicant: Organisation) -> dict:
    """The request's fields, budget lines and co-funders from ``data``, checked;
    ``InvalidInput`` (with a message for a person) on the first problem found."""
    signatory = (
        Signatory.objects.select_related("organisation")
        .filter(pk=data.signatory_id)
        .first()
        if data.signatory_id
        else None
    )
    if signatory is None:
        raise InvalidInput(
            _("Choose the signatory the request is addressed to."), field="signatory"
        )
    programme = None
    if data.programme_id:
        programme = Programme.objects.filter(pk=data.programme_id).first()
        if programme is None or programme.signatory_id != signatory.pk:
            raise InvalidInput(
                _("This programme is not one of %(signatory)s’s programmes.")
                % {"signatory": signatory},
                field="programme",
            )
        if not programme.is_active:
            raise InvalidInput(
                _("The programme “%(name)s” is closed.") % {"name": programme.name},
                field="programme",
            )
    fields = {
        "signatory": signatory,
        "programme": programme,
        "title": _text(
            data.title,
            field="title",
            required_message=_("Give the project a title."),
            max_length=200,
        ),
        "public_summary": _text(
            data.public_summary,
            field="public_summary",
            required_message=_(
                "Write the public summary: it is published with the opinion."
            ),
        ),
        "description": _text(
            data.description,
            field="description",
            required_message=_("Describe the project."),
        ),
        "deliverables": _text(data.deliverables, field="deliverables"),
        "standards": _text(data.standards, field="standards"),
    }
    if data.theme not in Theme.values:
        raise InvalidInput(_("Choose a theme from the list."), field="theme")
    if data.data_licence not in DataLicence.values:
        raise InvalidInput(
            _("Choose the licence of the data produced from the list."),
            field="data_licence",
        )
    fields["theme"] = data.theme
    fields["data_licence"] = data.data_licence
    fields["amount_requested"] = _amount(
        data.amount_requested, field="amount_requested"
    )
    fields["self_funding"] = _amount(
        data.self_funding, field="self_funding", zero_allowed=True
    )
    if data.starts_on and data.ends_on and data.starts_on > data.ends_on:
        raise InvalidInput(
            _("The project cannot end before it starts."), field="ends_on"
        )
    fields["starts_on"] = data.starts_on
    fields["ends_on"] = data.ends_on

    if not data.budget_lines:
        raise InvalidInput(_("Give at least one budget line."), field="budget_lines")
    lines = []
    for line in data.budget_lines:
        label = _text(
            line.label,
            field="budget_lines",
            required_message=_("Every budget line needs an item."),
            max_length=200,
        )
        lines.append((label, _amount(line.amount, field="budget_lines")))

    cofunders = []
    known_organisations = set(
        Organisation.objects.filter(
            pk__in=[c.organisation_id for c in data.cofunders if c.organisation_id]
        ).values_list("pk", flat=True)
    )
    for cofunder in data.cofunders:
        name = _text(cofunder.name, field="cofunders", max_length=200)
        if cofunder.organisation_id:
            if cofunder.organisation_id not in known_organisations:
                raise InvalidInput(
                    _("A co-funder is not in the directory."), field="cofunders"
                )
            if cofunder.organisation_id == applicant.pk:
                raise InvalidInput(
                    _(
                        "The applicant’s own contribution is the self-funding, "
                        "not a co-funder."
                    ),
                    field="cofunders",
                )
        elif not name:
            raise InvalidInput(
                _("Name every co-funder, or pick it from the directory."),
                field="cofunders",
            )
        if cofunder.status not in CoFunder.Status.values:
            raise InvalidInput(
                _("A co-funder’s status must be “requested” or “confirmed”."),
                field="cofunders",
            )
        cofunders.append(
            (
                cofunder.organisation_id or None,
                name,
                _amount(cofunder.amount, field="cofunders"),
                cofunder.status,
            )
        )

    budget = sum((amount for _label, amount in lines), Decimal(0))
    funding = (
        fields["amount_requested"]
        + fields["self_funding"]
        + sum((c[2] for c in cofunders), Decimal(0))
    )
    if budget != funding:
        raise InvalidInput(
            _(
                "The amounts do not add up: the budget lines total %(budget)s €, "
                "but the amount requested, the co-funders and the self-funding "
                "total %(funding)s €."
            )
            % {"budget": _euros(budget), "funding": _euros(funding)},
            field="budget_lines",
        )
    return {"fields": fields, "lines": lines, "cofunders": cofunders}


def _check_enterer(actor, applicant: Organisation, signatory: Signatory) -> None:
    """The person entering a request belongs to the applicant, or to the
    signatory it reaches (its staff entering a request they received)."""
    allowed = (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and Membership.objects.filter(
            person=actor,
            organisation_id__in=[applicant.pk, signatory.organisation_id],
        ).exists()
    )
    if not allowed:
        raise PermissionDenied(
            _(
                "You may enter a request only for an organisation you belong to, "
                "or as staff of the signatory it is addressed to."
            )
        )


def _snapshot(request: FundingRequest) -> dict:
    """What the audit trail compares before and after a change."""
    if request.pk is None:
        return dict.fromkeys([*DATA_FIELDS, "budget_lines", "cofunders", "territory"])
    values = {name: getattr(request, name) for name in DATA_FIELDS}
    values["budget_lines"] = [
        [line.label, line.amount] for line in request.budget_lines.order_by("position")
    ]
    values["cofunders"] = [
        [c.organisation_id, c.name, c.amount, c.status]
        for c in request.cofunders.order_by("pk")
    ]
    values["territory"] = territory_summary(request)
    return values


def _write(request: FundingRequest, cleaned: dict) -> None:
    for name, value in cleaned["fields"].items():
        setattr(request, name, value)
    request.save()
    request.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(request=request, label=label, amount=amount, position=index)
            for index, (label, amount) in enumerate(cleaned["lines"])
        ]
    )
    request.cofunders.all().delete()
    CoFunder.objects.bulk_create(
        [
            CoFunder(
                request=request,
                organisation_id=organisation_id,
                name=name,
                amount=amount,
                status=status,
            )
            for organisation_id, name, amount, status in cleaned["cofunders"]
        ]
    )


@transaction.atomic
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
    require(
        actor,
        "funding.add_request",
        None,
        _("Only members of an organisation may enter a funding request."),
    )
    if not isinstance(applicant, Organisation) or applicant.pk is None:
        raise InvalidInput(_("Choose the applicant organisation."), field="applicant")
    cleaned = _clean(data, applicant=applicant)
    _check_enterer(actor, applicant, cleaned["fields"]["signatory"])
    territory_check(territory)
    request = FundingRequest(applicant=applicant, entered_by=actor, state=State.DRAFT)
    before = _snapshot(request)
    _write(request, cleaned)
    territory_store(request, territory)
    changes = diff(before, _snapshot(request))
    changes["applicant_id"] = [None, applicant.pk]
    audit(request, "request_create", actor=actor, changes=changes)
    if submit:
        request = _submit(actor, request)
    return request


def _locked_draft(request: FundingRequest) -> FundingRequest:
    from crig.core.errors import Conflict

    locked = FundingRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != State.DRAFT:
        raise Conflict(
            _("Only a draft can be changed; this request is “%(state)s”.")
            % {"state": State(locked.state).label}
        )
    return locked


@transaction.atomic
def request_update(
    *,
    actor,
    request: FundingRequest,
    data: RequestData,
    territory: TerritorySelection | None = None,
) -> FundingRequest:
    """Only while a draft."""
    require_predicate(may_edit, actor, request, _("You may not change this request."))
    request = _locked_draft(request)
    cleaned = _clean(data, applicant=request.applicant)
    if cleaned["fields"]["signatory"].pk != request.signatory_id:
        _check_enterer(actor, request.applicant, cleaned["fields"]["signatory"])
    if territory is not None:
        territory_check(territory)
    before = _snapshot(request)
    _write(request, cleaned)
    if territory is not None:
        territory_store(request, territory)
    changes = diff(before, _snapshot(request))
    if changes:
        audit(request, "request_update", actor=actor, changes=changes)
    return request


def _next_reference(year: int) -> str:
    prefix = f"FIN-{year}-"
    numbers = [
        int(reference[len(prefix) :])
        for reference in FundingRequest.objects.filter(
            reference__startswith=prefix
        ).values_list("reference", flat=True)
        if reference[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


# Two submissions at the same moment may compute the same number on PostgreSQL
# (SQLite's IMMEDIATE transactions serialise them): the unique constraint then
# refuses the second, which takes the next number in a fresh savepoint.
REFERENCE_ATTEMPTS = 5


def _submit(actor, request: FundingRequest) -> FundingRequest:
    for attempt in range(REFERENCE_ATTEMPTS):
        now = timezone.now()
        current = FundingRequest.objects.only("reference").get(pk=request.pk)
        reference = current.reference or _next_reference(timezone.localdate().year)
        try:
            with transaction.atomic():
                return _transition(
                    request,
                    State.SUBMITTED,
                    actor,
                    action="request_submit",
                    reference=reference,
                    submitted_at=now,
                )
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def request_submit(*, actor, request: FundingRequest) -> FundingRequest:
    """Draft → submitted; gives the request its reference (e.g. "FIN-2024-007").
    A second submission is refused."""
    require_predicate(may_edit, actor, request, _("You may not submit this request."))
    return _submit(actor, request)


@transaction.atomic
def request_withdraw(*, actor, request: FundingRequest, reason: str) -> FundingRequest:
    """Withdrawn at any point before the opinion is issued."""
    require_predicate(
        may_withdraw,
        actor,
        request,
        _(
            "Only a referent of the applicant, the person who entered the request "
            "or the secretariat may withdraw it."
        ),
    )
    reason = _text(
        reason,
        field="reason",
        required_message=_("Say why the request is withdrawn."),
    )
    return _transition(
        request, State.WITHDRAWN, actor, reason, action="request_withdraw"
    )


def _check_attachment(name: str, data: bytes) -> tuple[str, str]:
    """(display name, storage name) of an acceptable PDF; ``InvalidInput`` else."""
    display = os.path.basename((name or "").replace("\\", "/")).strip()
    if not data:
        raise InvalidInput(_("The file is empty."), field="file")
    limit = settings.FUNDING_ATTACHMENT_MAX_BYTES
    if len(data) > limit:
        raise InvalidInput(
            _("The file is too large (%(size)s at most).")
            % {"size": filesizeformat(limit)},
            field="file",
        )
    # The name can lie: only the content tells a PDF.
    if not data.startswith(PDF_MAGIC):
        raise InvalidInput(
            _("Only PDF files can be attached to a request."), field="file"
        )
    stem = display[:-4] if display.lower().endswith(".pdf") else display
    safe_stem = get_valid_filename(slugify(stem))[:60] or "piece-jointe"
    if not display.lower().endswith(".pdf"):
        display = f"{display or 'piece-jointe'}.pdf"
    return display[-200:], f"{uuid.uuid4().hex[:12]}-{safe_stem}.pdf"


def request_attachment_add(
    *, actor, request: FundingRequest, name: str, data: bytes
) -> RequestAttachment:
    """PDF only (checked by content), at most ``FUNDING_ATTACHMENT_MAX_BYTES``.
    Stored through the default storage; removed again if the database write
    fails."""
    require_predicate(
        may_edit, actor, request, _("You may not add attachments to this request.")
    )
    display, storage_name = _check_attachment(name, data)
    stored_name = None
    try:
        with transaction.atomic():
            request = _locked_draft(request)
            attachment = RequestAttachment(
                request=request, name=display, size=len(data), uploaded_by=actor
            )
            attachment.file.save(storage_name, ContentFile(data), save=False)
            stored_name = attachment.file.name
            attachment.save()
            audit(
                request,
                "request_attachment_add",
                actor=actor,
                changes={"attachments": [None, display]},
            )
    except BaseException:
        if stored_name:
            attachment.file.storage.delete(stored_name)
        raise
    return attachment


@transaction.atomic
def request_attachment_remove(*, actor, attachment: RequestAttachment) -> None:
    """Only while a draft; the file is deleted once the removal is committed."""
    request = attachment.request
    require_predicate(
        may_edit,
        actor,
        request,
        _("You may not remove attachments from this request."),
    )
    _locked_draft(request)
    file = attachment.file
    name = attachment.name
    attachment.delete()
    audit(
        request,
        "request_attachment_remove",
        actor=actor,
        changes={"attachments": [name, None]},
    )
    transaction.on_commit(lambda: file.storage.delete(file.name))
