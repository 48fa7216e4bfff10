"""Reads of requests. CONTRACT (signatures fixed). Everything starts from
``requests_visible_to(user)``: the files a person may open (see ``rules``); a
recused or undeclared reviewer does not get the file, and counts never include
what the person may not see."""

from dataclasses import dataclass

from django.db.models import QuerySet

from crig.funding.models import FundingRequest, ReviewerSeat


@dataclass(frozen=True)
class RequestFilters:
    q: str = ""
    state: str = ""
    theme: str = ""
    signatory: int | None = None
    applicant: str = ""  # organisation slug
    year: int | None = None  # of submission
    departement: str = ""


def requests_visible_to(user) -> QuerySet[FundingRequest]:
    raise NotImplementedError


def requests_list(
    *, user, filters: RequestFilters = RequestFilters()
) -> QuerySet[FundingRequest]:
    raise NotImplementedError


def request_get(*, user, pk: int) -> FundingRequest:
    """The file, or ``NotFound`` (also when the person may not see it: a
    confidential request's existence is not revealed)."""
    raise NotImplementedError


def seats_awaiting(user) -> QuerySet[ReviewerSeat]:
    """The person's seats still to declare (they see the request's title and
    applicant only, to judge a conflict)."""
    raise NotImplementedError
