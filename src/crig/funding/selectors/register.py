"""The public register of opinions. CONTRACT (signatures fixed).

Only published opinions (the latest published version of each request), with the
request's non-confidential part: reference, title, public summary, theme,
territory, signatory, programme, applicant, amount requested.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from crig.funding.models import Opinion


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


def register_list(*, filters: RegisterFilters = RegisterFilters()) -> QuerySet[Opinion]:
    raise NotImplementedError


def register_get(*, user, pk: int) -> Opinion:
    """A published opinion (any version), or an unpublished one to those who
    see its file; else ``NotFound``."""
    raise NotImplementedError
