"""The council's opinion: issue, publish, correct. CONTRACT (signatures fixed).

An issued opinion is never edited: ``opinion_correct`` writes a new version that
supersedes it; every version is kept and shown. Publishing sets the version's
``published_at`` and nothing else.

**What an opinion records, and what of it is public.** When it is issued, the
opinion copies each signatory's position and the recusals, so that its record
never changes. These copies are published with the opinion, so they hold only
what the council makes public: for each signatory its name, its position and
its scores on the published criteria; for each recusal the signatory and the
name of the reviewer who stood aside (as the minutes of a deliberation name
those who do not take part). The signatories' comments and the reviewers'
declarations stay in the confidential file (``SignatoryPosition.comments``,
``ReviewerSeat.conflict_statement``), seen only by those who see the file.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.core.errors import Conflict, InvalidInput
from crig.funding.models import (
    FundingRequest,
    Opinion,
    ReviewerSeat,
    SignatoryPosition,
)
from crig.funding.services._common import audit, diff, require
from crig.funding.services.review import _transition

State = FundingRequest.State


@dataclass(frozen=True)
class OpinionData:
    verdict: str
    reasoning: str
    adopted_on: datetime.date
    adoption: str  # Opinion.Adoption
    conditions: str = ""
    meeting_label: str = ""


# The opinion's own fields, as the audit trail and a correction compare them.
OPINION_FIELDS = (
    "verdict",
    "reasoning",
    "conditions",
    "adopted_on",
    "adoption",
    "meeting_label",
)


def _clean(data: OpinionData) -> dict:
    if data.verdict not in Opinion.Verdict.values:
        raise InvalidInput(_("Choose the verdict from the list."), field="verdict")
    reasoning = (data.reasoning or "").strip()
    if not reasoning:
        raise InvalidInput(_("Give the reasoning of the opinion."), field="reasoning")
    if data.adoption not in Opinion.Adoption.values:
        raise InvalidInput(
            _("Say whether a meeting or a written procedure adopted the opinion."),
            field="adoption",
        )
    meeting_label = (data.meeting_label or "").strip()
    if data.adoption == Opinion.Adoption.MEETING and not meeting_label:
        raise InvalidInput(
            _("Name the meeting that adopted the opinion."), field="meeting_label"
        )
    if len(meeting_label) > 200:
        raise InvalidInput(
            _("The meeting’s name is too long (200 characters at most)."),
            field="meeting_label",
        )
    if not isinstance(data.adopted_on, datetime.date):
        raise InvalidInput(_("Give the date of adoption."), field="adopted_on")
    if data.adopted_on > timezone.localdate():
        raise InvalidInput(
            _("The opinion cannot be adopted on a date still to come."),
            field="adopted_on",
        )
    return {
        "verdict": data.verdict,
        "reasoning": reasoning,
        "conditions": (data.conditions or "").strip(),
        "adopted_on": data.adopted_on,
        "adoption": data.adoption,
        "meeting_label": meeting_label,
    }


def _positions_snapshot(request: FundingRequest) -> list[dict]:
    """The public part of each signatory's position (see the module docstring)."""
    return [
        {
            "signatory_id": position.signatory_id,
            "signatory": str(position.signatory),
            "position": position.position,
            "scores": dict(position.scores),
        }
        for position in SignatoryPosition.objects.filter(request=request)
        .select_related("signatory__organisation")
        .order_by("signatory__position", "signatory__organisation__name")
    ]


def _recusals_snapshot(request: FundingRequest) -> list[dict]:
    return [
        {
            "signatory_id": seat.signatory_id,
            "signatory": str(seat.signatory),
            "reviewer": str(seat.reviewer),
        }
        for seat in ReviewerSeat.objects.filter(
            request=request, conflict=ReviewerSeat.Conflict.CONFLICT
        )
        .select_related("signatory__organisation", "reviewer")
        .order_by("signatory__position", "declared_at", "pk")
    ]


def _missing_positions(request: FundingRequest) -> list[str]:
    """Signatories with a cleared reviewer on the request but no position."""
    cleared = (
        ReviewerSeat.objects.filter(
            request=request, conflict=ReviewerSeat.Conflict.NONE
        )
        .exclude(
            signatory_id__in=SignatoryPosition.objects.filter(request=request).values(
                "signatory_id"
            )
        )
        .select_related("signatory__organisation")
        .order_by("signatory__position")
    )
    return list(dict.fromkeys(str(seat.signatory) for seat in cleared))


def _notify_on_commit(opinion: Opinion) -> None:
    from crig.funding.tasks import opinion_notify_task

    opinion_id = opinion.pk
    transaction.on_commit(lambda: opinion_notify_task.enqueue(opinion_id))


def _opinion_record(opinion: Opinion) -> dict:
    return {name: getattr(opinion, name) for name in OPINION_FIELDS}


@transaction.atomic
def opinion_issue(*, actor, request: FundingRequest, data: OpinionData) -> Opinion:
    """Under review → opinion issued. Copies each signatory's position and the
    recusals into the opinion. Refused, naming them, while a signatory with a
    cleared reviewer has recorded no position."""
    require(
        actor,
        "funding.issue_opinion",
        request,
        _("Only the secretariat issues the council's opinion."),
    )
    fields = _clean(data)
    locked = FundingRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state == State.UNDER_REVIEW:
        missing = _missing_positions(locked)
        if missing:
            raise InvalidInput(
                _("Still waiting for the position of: %(signatories)s.")
                % {"signatories": ", ".join(missing)}
            )
        if not SignatoryPosition.objects.filter(request=locked).exists():
            raise InvalidInput(_("No signatory has recorded a position yet."))
    opinion_values = {
        **fields,
        "positions": _positions_snapshot(locked),
        "recusals": _recusals_snapshot(locked),
    }
    locked = _transition(
        locked,
        State.OPINION_ISSUED,
        actor,
        action="opinion_issue",
        changes={
            f"opinion.{name}": [None, value] for name, value in opinion_values.items()
        },
    )
    return Opinion.objects.create(
        request=locked,
        version=1,
        issued_at=timezone.now(),
        issued_by=actor,
        **opinion_values,
    )


def _latest(request: FundingRequest) -> Opinion | None:
    return (
        Opinion.objects.select_for_update()
        .filter(request=request)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def opinion_publish(*, actor, opinion: Opinion) -> Opinion:
    """Opinion issued → published: enters the public register; notifies the
    applicant's members and the signatory's reviewers (on commit)."""
    require(
        actor,
        "funding.publish_opinion",
        opinion.request,
        _("Only the secretariat publishes the council's opinion."),
    )
    latest = _latest(opinion.request)
    if latest is not None and latest.pk != opinion.pk:
        raise Conflict(
            _("Version %(version)d of this opinion is the latest: publish that one.")
            % {"version": latest.version}
        )
    if latest is None or latest.published_at is not None:
        raise Conflict(_("This opinion is already published."))
    now = timezone.now()
    _transition(
        opinion.request,
        State.PUBLISHED,
        actor,
        action="opinion_publish",
        changes={"opinion.published_at": [None, now]},
    )
    latest.published_at = now
    latest.save(update_fields=["published_at"])
    _notify_on_commit(latest)
    return latest


@transaction.atomic
def opinion_correct(
    *, actor, opinion: Opinion, data: OpinionData, correction_note: str
) -> Opinion:
    """A new version superseding the latest one (published at once if the latest
    was published)."""
    require(
        actor,
        "funding.correct_opinion",
        opinion.request,
        _("Only the secretariat corrects the council's opinion."),
    )
    latest = _latest(opinion.request)
    if latest is None or latest.pk != opinion.pk:
        raise Conflict(
            _(
                "This version has already been corrected: correct the latest "
                "version (%(version)d)."
            )
            % {"version": latest.version if latest else 0}
        )
    correction_note = (correction_note or "").strip()
    if not correction_note:
        raise InvalidInput(
            _("Say what this version corrects."), field="correction_note"
        )
    fields = _clean(data)
    changes = diff(_opinion_record(latest), fields)
    if not changes:
        raise InvalidInput(_("This version changes nothing in the opinion."))
    now = timezone.now()
    # The positions and recusals are those of the review, closed when the first
    # version was issued: each version carries the same copies.
    corrected = Opinion.objects.create(
        request=latest.request,
        version=latest.version + 1,
        supersedes=latest,
        correction_note=correction_note,
        positions=latest.positions,
        recusals=latest.recusals,
        issued_at=now,
        issued_by=actor,
        published_at=now if latest.published_at else None,
        **fields,
    )
    audit(
        latest.request,
        "opinion_correct",
        actor=actor,
        changes={
            "opinion.version": [latest.version, corrected.version],
            "opinion.correction_note": [None, correction_note],
            **{f"opinion.{name}": change for name, change in changes.items()},
        },
    )
    if corrected.published_at:
        _notify_on_commit(corrected)
    return corrected
