"""Reads of requests. CONTRACT (signatures fixed). Everything starts from
``requests_visible_to(user)``: the files a person may open (see ``rules``); a
recused or undeclared reviewer does not get the file, and counts never include
what the person may not see."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from crig.core.errors import NotFound
from crig.funding.models import FundingRequest, RequestCommune, ReviewerSeat
from crig.funding.rules import BEFORE_OPINION
from crig.members.models import Membership


@dataclass(frozen=True)
class RequestFilters:
    q: str = ""
    state: str = ""
    theme: str = ""
    signatory: int | None = None
    applicant: str = ""  # organisation slug
    year: int | None = None  # of submission
    departement: str = ""


def _is_person(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def requests_visible_to(user) -> QuerySet[FundingRequest]:
    """The requests whose file ``user`` may open, as ``funding.view_request``
    says, in one query: the applicant's members, the person who entered it, the
    reviewers seated on it who declared no conflict, the secretariat and
    administrators. Subqueries rather than joins, so that no row is repeated and
    counts stay exact."""
    requests = FundingRequest.objects.all()
    if not _is_person(user):
        return requests.none()
    if user.is_secretariat or user.is_superuser:
        return requests
    return requests.filter(
        Q(
            applicant_id__in=Membership.objects.filter(person=user).values(
                "organisation_id"
            )
        )
        | Q(entered_by=user)
        | Q(
            pk__in=ReviewerSeat.objects.filter(
                reviewer=user, conflict=ReviewerSeat.Conflict.NONE
            ).values("request_id")
        )
    )


def _words(q: str) -> list[str]:
    return [word for word in (q or "").split() if word][:10]


def requests_list(
    *, user, filters: RequestFilters = RequestFilters()
) -> QuerySet[FundingRequest]:
    """The visible requests matching ``filters`` (every word of ``q`` in the
    reference, title, public summary or description), newest submission first,
    drafts last."""
    requests = requests_visible_to(user)
    for word in _words(filters.q):
        requests = requests.filter(
            Q(reference__icontains=word)
            | Q(title__icontains=word)
            | Q(public_summary__icontains=word)
            | Q(description__icontains=word)
        )
    if filters.state:
        requests = requests.filter(state=filters.state)
    if filters.theme:
        requests = requests.filter(theme=filters.theme)
    if filters.signatory:
        requests = requests.filter(signatory_id=filters.signatory)
    if filters.applicant:
        requests = requests.filter(applicant__slug=filters.applicant)
    if filters.year:
        requests = requests.filter(submitted_at__year=filters.year)
    if filters.departement:
        requests = requests.filter(
            pk__in=RequestCommune.objects.filter(
                commune__departement_id=filters.departement
            ).values("request_id")
        )
    return (
        requests.select_related(
            "signatory__organisation", "programme", "applicant", "entered_by"
        )
        .defer("outline")
        .order_by("-submitted_at", "-created_at", "-pk")
    )


def request_get(*, user, pk: int) -> FundingRequest:
    """The file, or ``NotFound`` (also when the person may not see it: a
    confidential request's existence is not revealed)."""
    request = (
        requests_visible_to(user)
        .select_related(
            "signatory__organisation", "programme", "applicant", "entered_by"
        )
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise NotFound(_("No such funding request."))
    return request


def seats_awaiting(user) -> QuerySet[ReviewerSeat]:
    """The person's seats still to declare (they see the request's title and
    applicant only, to judge a conflict), on requests still under way."""
    if not _is_person(user):
        return ReviewerSeat.objects.none()
    return (
        ReviewerSeat.objects.filter(
            reviewer=user,
            conflict=ReviewerSeat.Conflict.UNDECLARED,
            request__state__in=BEFORE_OPINION,
        )
        .select_related("request__applicant", "signatory__organisation")
        .defer("request__outline", "request__description")
        .order_by("request__review_deadline", "created_at", "pk")
    )
