"""The council's opinion: issue, publish, correct. CONTRACT (signatures fixed).

An issued opinion is never edited: ``opinion_correct`` writes a new version that
supersedes it; every version is kept and shown.
"""

import datetime
from dataclasses import dataclass

from crig.funding.models import FundingRequest, Opinion


@dataclass(frozen=True)
class OpinionData:
    verdict: str
    reasoning: str
    adopted_on: datetime.date
    adoption: str  # Opinion.Adoption
    conditions: str = ""
    meeting_label: str = ""


def opinion_issue(*, actor, request: FundingRequest, data: OpinionData) -> Opinion:
    """Under review → opinion issued. Copies each signatory's position and the
    recusals into the opinion. Refused, naming them, while a signatory with a
    cleared reviewer has recorded no position."""
    raise NotImplementedError


def opinion_publish(*, actor, opinion: Opinion) -> Opinion:
    """Opinion issued → published: enters the public register; notifies the
    applicant's members and the signatory's reviewers (on commit)."""
    raise NotImplementedError


def opinion_correct(
    *, actor, opinion: Opinion, data: OpinionData, correction_note: str
) -> Opinion:
    """A new version superseding the latest one (published at once if the latest
    was published)."""
    raise NotImplementedError
