"""The analysis shown beside a file, computed by the platform. CONTRACT.

- Existing coverage of the request's territory for its theme (the catalogue, per
  commune, vintage): the same computation as a need's match
  (``needs.selectors.matching.territory_match``), with a commune "outdated" when
  its best dataset is older than ``OUTDATED_AFTER_YEARS``.
- Other requests, past or pending, on the same theme whose territory shares
  communes with this one (risk of paying twice, or a chance to co-fund): only
  those the person may see in full, plus published ones from the register; the
  secretariat sees all.
- The needs it would answer (same theme, overlapping territory, published) and
  how many organisations are behind each.
- The plan actions it serves: actions of a published plan linked to the request
  or to one of the needs it answers.

Areas are estimated per commune, as the needs matching does: the area two
territories share is Σ over their common communes of area(commune) × the smaller
of the two shares of the commune. Exact when either share is 1.

Which other requests count (``OVERLAP_STATES``): those submitted and still under
way, and those that received an opinion. Drafts are not requests yet; a
withdrawn or inadmissible request will not be funded through the council, so it
is neither a risk of double funding nor a partner.

Confidentiality: an overlapping request the person may not open is shown only
when its opinion is published, and then only its public part (the register's:
reference, title, public summary, theme, territory, signatory, programme,
applicant, amount requested, state) — the other columns of that instance are
never loaded and hold blanks, so no page can show them by mistake. Requests the
person may neither open nor read in the register are left out before anything is
counted: nothing about them, not even their number, reaches the analysis.

A handful of queries whatever the numbers of requests, needs and actions.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from crig.actionplan.models import Action, Plan
from crig.funding.models import FundingRequest, RequestCommune
from crig.funding.selectors.requests import requests_visible_to
from crig.needs.models import Need, NeedCommune, SupportCommune
from crig.needs.selectors.matching import territory_match
from crig.needs.selectors.needs import needs_visible_to

State = FundingRequest.State

# A commune whose most recent dataset is older than this (in years) is
# "outdated": aerial imagery and surveys are renewed every three to five years.
OUTDATED_AFTER_YEARS = 5

# Other requests that count: under way, or that received an opinion.
OVERLAP_STATES = (
    State.SUBMITTED,
    State.ADMISSIBLE,
    State.UNDER_REVIEW,
    State.OPINION_ISSUED,
    State.PUBLISHED,
)

# Needs still open to an answer: published and neither decided against, nor
# satisfied, nor merged into another.
OPEN_NEED_STATES = (Need.State.NEW, Need.State.QUALIFIED, Need.State.RETAINED)

# The columns of a request that the public register shows (see
# ``selectors.register``); the others stay blank on a request seen only there.
PUBLIC_REQUEST_FIELDS = (
    "id",
    "reference",
    "title",
    "public_summary",
    "theme",
    "signatory",
    "programme",
    "applicant",
    "amount_requested",
    "state",
    "territory_description",
    "area_km2",
    "population",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
)


@dataclass(frozen=True)
class Overlap:
    request: FundingRequest
    shared_communes: int
    shared_area_km2: float
    share_of_this: float  # share of this request's area that the other covers
    # True when the person may not open the other file and sees it only as the
    # register shows it (its confidential columns are blank).
    public_only: bool = False


@dataclass(frozen=True)
class NeedAnswered:
    need: object  # crig.needs.models.Need
    backers: int
    shared_area_km2: float


@dataclass(frozen=True)
class ActionServed:
    """An action of a published plan that the request serves: linked to the
    request itself (``direct``), or to needs it answers (``needs``)."""

    action: Action  # plan selected
    direct: bool
    needs: list = field(default_factory=list)  # crig.needs.models.Need


@dataclass(frozen=True)
class Analysis:
    coverage: object  # crig.needs.selectors.matching.NeedMatch-like
    overlaps: list[Overlap]
    needs: list[NeedAnswered]
    actions: list[ActionServed] = field(default_factory=list)


def _shared_km2(
    this: dict[str, float], other: dict[str, float], areas: dict[str, float]
) -> float:
    return sum(
        areas.get(insee, 0.0) * min(share, this[insee])
        for insee, share in other.items()
        if insee in this
    )


def _public_part(request: FundingRequest) -> FundingRequest:
    """Blank every column the register does not show (they were not loaded), so
    that reading one gives nothing rather than a query for the secret."""
    for model_field in FundingRequest._meta.concrete_fields:
        if model_field.name not in PUBLIC_REQUEST_FIELDS:
            setattr(request, model_field.attname, model_field.get_default())
    return request


def _overlaps(
    *, user, request: FundingRequest, shares: dict[str, float], total_km2: float
) -> list[Overlap]:
    own_communes = RequestCommune.objects.filter(request=request).values("commune_id")
    visible = requests_visible_to(user)
    # Only what the person may open, or read in the register, is ever fetched.
    rows = (
        RequestCommune.objects.filter(
            commune_id__in=own_communes,
            request__theme=request.theme,
            request__state__in=OVERLAP_STATES,
        )
        .exclude(request_id=request.pk)
        .filter(
            Q(request_id__in=visible.values("pk")) | Q(request__state=State.PUBLISHED)
        )
        .values_list("request_id", "commune_id", "fraction", "commune__area_km2")
    )
    others: dict[int, dict[str, float]] = defaultdict(dict)
    areas: dict[str, float] = {}
    for other_id, insee, fraction, area in rows:
        others[other_id][insee] = fraction
        areas[insee] = area or 0.0
    if not others:
        return []
    related = ("signatory__organisation", "programme", "applicant")
    full = {
        other.pk: other
        for other in visible.filter(pk__in=list(others))
        .select_related(*related)
        .defer("outline")
    }
    public_ids = [pk for pk in others if pk not in full]
    public = {}
    if public_ids:
        public = {
            other.pk: _public_part(other)
            for other in FundingRequest.objects.filter(
                pk__in=public_ids, state=State.PUBLISHED
            )
            .select_related(*related)
            .only(*PUBLIC_REQUEST_FIELDS)
        }
    overlaps = []
    for other_id, other_shares in others.items():
        other = full.get(other_id) or public.get(other_id)
        if other is None:  # changed state in between: left out
            continue
        shared = _shared_km2(shares, other_shares, areas)
        overlaps.append(
            Overlap(
                request=other,
                shared_communes=len(other_shares),
                shared_area_km2=shared,
                share_of_this=min(1.0, shared / total_km2) if total_km2 else 0.0,
                public_only=other_id not in full,
            )
        )
    overlaps.sort(key=lambda o: (-o.shared_area_km2, -o.shared_communes, o.request.pk))
    return overlaps


def _needs(
    *, user, request: FundingRequest, shares: dict[str, float]
) -> list[NeedAnswered]:
    own_communes = RequestCommune.objects.filter(request=request).values("commune_id")
    candidates = (
        needs_visible_to(user)
        .filter(theme=request.theme, state__in=OPEN_NEED_STATES)
        .values("pk")
    )
    # The consolidated territory of each need (its own and its supports'), on
    # the request's communes only: the largest share of the commune in any of
    # them, as ``need_consolidated_communes`` says.
    consolidated: dict[int, dict[str, float]] = defaultdict(dict)
    areas: dict[str, float] = {}
    rows = list(
        NeedCommune.objects.filter(
            commune_id__in=own_communes, need_id__in=candidates
        ).values_list("need_id", "commune_id", "fraction", "commune__area_km2")
    ) + list(
        SupportCommune.objects.filter(
            commune_id__in=own_communes, support__need_id__in=candidates
        ).values_list("support__need_id", "commune_id", "fraction", "commune__area_km2")
    )
    for need_id, insee, fraction, area in rows:
        communes = consolidated[need_id]
        communes[insee] = max(fraction, communes.get(insee, 0.0))
        areas[insee] = area or 0.0
    if not consolidated:
        return []
    # The organisation expressing the need and each supporting one (a support
    # is unique per organisation).
    needs = (
        Need.objects.filter(pk__in=list(consolidated))
        .select_related("organisation")
        .defer("outline", "consolidated_outline")
        .annotate(supporter_count=Count("supports", distinct=True) + 1)
    )
    answered = [
        NeedAnswered(
            need=need,
            backers=need.supporter_count,
            shared_area_km2=_shared_km2(shares, consolidated[need.pk], areas),
        )
        for need in needs
    ]
    answered.sort(key=lambda a: (-a.backers, -a.shared_area_km2, a.need.pk))
    return answered


def _actions(*, request: FundingRequest, needs: list) -> list[ActionServed]:
    """Actions of published plans only: a draft plan is internal to the people
    who prepare it, and a published plan is public (``actionplan.view_action``),
    so every person who sees the analysis may open these actions."""
    # Two small queries for the links, one for the actions.
    direct = set(
        Action.funding_requests.through.objects.filter(
            fundingrequest_id=request.pk
        ).values_list("action_id", flat=True)
    )
    by_pk = {need.pk: need for need in needs}
    needs_of: dict[int, list] = defaultdict(list)
    if by_pk:
        for action_id, need_id in Action.needs.through.objects.filter(
            need_id__in=list(by_pk)
        ).values_list("action_id", "need_id"):
            needs_of[action_id].append(by_pk[need_id])
    if not direct and not needs_of:
        return []
    actions = (
        Action.objects.filter(
            plan__state=Plan.State.PUBLISHED, pk__in=direct | set(needs_of)
        )
        .select_related("plan")
        .order_by("-plan__year", "number")
    )
    return [
        ActionServed(
            action=action,
            direct=action.pk in direct,
            needs=sorted(needs_of.get(action.pk, []), key=lambda n: n.pk),
        )
        for action in actions
    ]


def request_analysis(
    *, user, request: FundingRequest, older_than: int | None = OUTDATED_AFTER_YEARS
) -> Analysis:
    """The analysis of ``request`` as ``user`` may see it (callers check
    ``funding.view_analysis`` on the request first)."""
    shares = dict(
        RequestCommune.objects.filter(request=request).values_list(
            "commune_id", "fraction"
        )
    )
    coverage = territory_match(
        user=user, shares=shares, theme=request.theme, older_than=older_than
    )
    total_km2 = coverage.area_km2
    needs = _needs(user=user, request=request, shares=shares)
    return Analysis(
        coverage=coverage,
        overlaps=_overlaps(
            user=user, request=request, shares=shares, total_km2=total_km2
        ),
        needs=needs,
        actions=_actions(request=request, needs=[item.need for item in needs]),
    )
