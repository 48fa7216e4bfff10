"""The public register of opinions. CONTRACT (signatures fixed).

Only published opinions (the latest published version of each request), with the
request's non-confidential part: reference, title, public summary, theme,
territory, signatory, programme, applicant, amount requested.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from crig.core.errors import NotFound
from crig.funding.models import FundingRequest, Opinion, RequestCommune


@dataclass(frozen=True)
class RegisterFilters:
    q: str = ""
    theme: str = ""
    signatory: int | None = None
    year: int | None = None  # of adoption
    verdict: str = ""
    departement: str = ""
    epci: str = ""
    commune: str = ""


# Columns of the request that stay confidential for good: never loaded for the
# register, so that no template or serializer can show them by mistake.
CONFIDENTIAL_REQUEST_FIELDS = (
    "request__description",
    "request__deliverables",
    "request__state_reason",
    "request__self_funding",
    "request__outline",
)


def _published() -> QuerySet[Opinion]:
    return Opinion.objects.filter(
        published_at__isnull=False, request__state=FundingRequest.State.PUBLISHED
    )


def register_list(*, filters: RegisterFilters = RegisterFilters()) -> QuerySet[Opinion]:
    """The latest published version of each published request's opinion, with
    the request's public part, most recently adopted first."""
    newer = _published().filter(
        request=OuterRef("request"), version__gt=OuterRef("version")
    )
    opinions = _published().filter(~Exists(newer))
    for word in [w for w in (filters.q or "").split() if w][:10]:
        opinions = opinions.filter(
            Q(request__title__icontains=word)
            | Q(request__public_summary__icontains=word)
            | Q(request__reference__icontains=word)
        )
    if filters.theme:
        opinions = opinions.filter(request__theme=filters.theme)
    if filters.signatory:
        opinions = opinions.filter(request__signatory_id=filters.signatory)
    if filters.year:
        opinions = opinions.filter(adopted_on__year=filters.year)
    if filters.verdict:
        opinions = opinions.filter(verdict=filters.verdict)
    communes = RequestCommune.objects.all()
    territorial = False
    if filters.departement:
        communes = communes.filter(commune__departement_id=filters.departement)
        territorial = True
    if filters.epci:
        communes = communes.filter(commune__epci_id=filters.epci)
        territorial = True
    if filters.commune:
        communes = communes.filter(commune_id=filters.commune)
        territorial = True
    if territorial:
        opinions = opinions.filter(request_id__in=communes.values("request_id"))
    return (
        opinions.select_related(
            "request__signatory__organisation",
            "request__programme",
            "request__applicant",
        )
        .defer(*CONFIDENTIAL_REQUEST_FIELDS)
        .order_by("-adopted_on", "-issued_at", "-pk")
    )


def register_get(*, user, pk: int) -> Opinion:
    """A published opinion (any version), or an unpublished one to those who
    see its file; else ``NotFound``."""
    opinion = (
        Opinion.objects.select_related(
            "request__signatory__organisation",
            "request__programme",
            "request__applicant",
            "supersedes",
        )
        .filter(pk=pk)
        .first()
    )
    if opinion is None or not (
        opinion.published_at is not None
        or (user is not None and user.has_perm("funding.view_opinion", opinion))
    ):
        raise NotFound(_("No such opinion."))
    return opinion
