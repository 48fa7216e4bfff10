"""The analysis shown beside a file, computed by the platform. CONTRACT.

- Existing coverage of the request's territory for its theme (the catalogue, per
  commune, vintage): the same computation as a need's match.
- Other requests, past or pending, on the same theme whose territory shares
  communes with this one (risk of paying twice, or a chance to co-fund): only
  those the person may see in full, plus published ones from the register; the
  secretariat sees all.
- The needs it would answer (same theme, overlapping territory, published) and
  how many organisations are behind each.
- The plan actions it serves: once the action plan module exists.
"""

from dataclasses import dataclass

from crig.funding.models import FundingRequest


@dataclass(frozen=True)
class Overlap:
    request: FundingRequest
    shared_communes: int
    shared_area_km2: float
    share_of_this: float  # share of this request's area that the other covers


@dataclass(frozen=True)
class NeedAnswered:
    need: object  # crig.needs.models.Need
    backers: int
    shared_area_km2: float


@dataclass(frozen=True)
class Analysis:
    coverage: object  # crig.needs.selectors.matching.NeedMatch-like
    overlaps: list[Overlap]
    needs: list[NeedAnswered]


def request_analysis(*, user, request: FundingRequest) -> Analysis:
    raise NotImplementedError
