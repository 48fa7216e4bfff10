"""Scores, weights, rounds, ballots and rankings.

Scores and published weights are public; rounds in preparation are seen by the
secretariat only (404 for everyone else); a ballot is cast by a referent of the
organisation while the round is open; the individual ballots stay private, only
the aggregated ranking of a closed round is published.
"""

from datetime import datetime
from http import HTTPStatus

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from crig.core.api import Paginated, authenticated, errors
from crig.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from crig.members.models import Membership, Organisation
from crig.needs import services
from crig.needs.models import Need, Round, ScoringWeights
from crig.needs.selectors import priorities as selectors

router = Router()


# --- Schemas --------------------------------------------------------------------------


class CodeLabelOut(Schema):
    code: str
    label: str


class RoundNeedOut(Schema):
    id: int
    title: str
    theme: CodeLabelOut
    state: CodeLabelOut
    organisation: str
    url: str


class CriterionScoreOut(Schema):
    name: str
    label: str
    raw: float | None = Field(description="The need's figure for the criterion.")
    raw_display: str
    normalised: float = Field(description="Share between 0 and 1.")
    weight: int
    points: float = Field(description="normalised × weight")


class NeedScoreOut(Schema):
    need: RoundNeedOut
    rank: int = Field(description="1 = highest; equal totals share a rank.")
    total: float = Field(description="Σ points / Σ weights × 100, on 0–100.")
    criteria: list[CriterionScoreOut]


class CriterionWeightOut(Schema):
    name: str
    label: str
    weight: int


class WeightsOut(Schema):
    criteria: list[CriterionWeightOut]
    weight_total: int
    note: str
    published_at: datetime | None = Field(
        description="Null while the defaults apply (nothing published yet)."
    )


class RoundOut(Schema):
    id: int
    year: int
    title: str
    description: str
    state: CodeLabelOut
    closes_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    need_count: int
    ballot_count: int
    url: str


class OwnBallotOut(Schema):
    organisation: str
    organisation_id: int
    ranking: list[int]
    cast_at: datetime


class RoundDetailOut(RoundOut):
    needs: list[RoundNeedOut] = Field(description="The shortlist, by need number.")
    eligible_organisations: int = Field(
        description="Organisations that can vote (those with a referent)."
    )
    can_vote_for: list[str] = Field(
        description="Organisations the caller may cast a ballot for now."
    )
    own_ballots: list[OwnBallotOut] = Field(
        description="Ballots of the organisations the caller is a referent of."
    )


class RankedNeedOut(Schema):
    need: RoundNeedOut
    position: int = Field(description="1-based; equal positions are ties.")
    tied: bool
    borda_points: int


class RankingOut(Schema):
    round: int
    ballots: int
    needs: list[RoundNeedOut] = Field(description="Order of the matrices' rows.")
    schulze: list[RankedNeedOut]
    borda: list[RankedNeedOut]
    pairwise: list[list[int]] = Field(
        description="pairwise[i][j]: ballots ranking needs[i] above needs[j]."
    )
    strongest: list[list[int]] = Field(
        description="Schulze: strength of the strongest path from needs[i] to needs[j]."
    )
    notes: list[str] = Field(description="How ties were handled, in words.")


class BallotIn(Schema):
    ranking: list[int] = Field(
        description="Every need of the shortlist once, most wanted first."
    )
    organisation: int | None = Field(
        None,
        description="Id of the organisation voting; needed only for a referent of "
        "several organisations.",
    )


class BallotOut(Schema):
    round: int
    organisation: str
    organisation_id: int
    ranking: list[int]
    cast_at: datetime


# --- Output helpers ------------------------------------------------------------------


def need_ref(need: Need) -> dict:
    # A need deleted after its round closed is an unsaved stand-in (title only).
    organisation = need.organisation if need.organisation_id else None
    return {
        "id": need.pk,
        "title": need.title,
        "theme": {"code": need.theme, "label": str(need.get_theme_display())},
        "state": {"code": need.state, "label": str(need.get_state_display())},
        "organisation": organisation.name if organisation else "",
        "url": need.get_absolute_url(),
    }


def round_out(round_: Round) -> dict:
    return {
        "id": round_.pk,
        "year": round_.year,
        "title": round_.title,
        "description": round_.description,
        "state": {"code": round_.state, "label": str(round_.get_state_display())},
        "closes_at": round_.closes_at,
        "opened_at": round_.opened_at,
        "closed_at": round_.closed_at,
        # Annotated by ``rounds_visible_to``; counted for a single round.
        "need_count": round_.need_count
        if hasattr(round_, "need_count")
        else round_.needs.count(),
        "ballot_count": round_.ballot_count
        if hasattr(round_, "ballot_count")
        else round_.ballots.count(),
        "url": round_.get_absolute_url(),
    }


def ranked_out(rows: list[selectors.RankedNeed]) -> list[dict]:
    return [
        {
            "need": need_ref(row.need),
            "position": row.position,
            "tied": row.tied,
            "borda_points": row.borda_points,
        }
        for row in rows
    ]


# --- Endpoints ------------------------------------------------------------------------


@router.get(
    "/needs/scores",
    response=list[NeedScoreOut],
    url_name="needs_scores",
    summary="Needs by priority score",
)
@paginate(Paginated)
def needs_scores(request):
    """Every need open to prioritisation (new, qualified, retained), best first,
    with the points of each criterion. Shares are relative to this whole set,
    whatever the page."""
    return [
        {
            "need": need_ref(score.need),
            "rank": score.rank,
            "total": round(score.total, 2),
            "criteria": [
                {
                    "name": c.name,
                    "label": c.label,
                    "raw": c.raw,
                    "raw_display": c.raw_display,
                    "normalised": round(c.normalised, 4),
                    "weight": c.weight,
                    "points": round(c.points, 4),
                }
                for c in score.criteria
            ],
        }
        for score in selectors.needs_scored(user=request.user)
    ]


@router.get(
    "/needs/weights",
    response=WeightsOut,
    url_name="needs_weights",
    summary="Published weights of the score",
)
def needs_weights(request):
    weights = selectors.weights_current()
    criteria = [
        {
            "name": name,
            "label": selectors.criterion_label(name),
            "weight": getattr(weights, name),
        }
        for name in ScoringWeights.CRITERIA
    ]
    return {
        "criteria": criteria,
        "weight_total": sum(c["weight"] for c in criteria),
        "note": weights.note,
        "published_at": weights.created_at if weights.pk else None,
    }


@router.get(
    "/rounds",
    response=list[RoundOut],
    url_name="rounds_list",
    summary="Prioritisation rounds",
)
@paginate(Paginated)
def rounds_list(request, year: int | None = None):
    """Latest year first; rounds in preparation only for the secretariat."""
    rounds = selectors.rounds_visible_to(request.user)
    if year is not None:
        rounds = rounds.filter(year=year)
    return [round_out(round_) for round_ in rounds]


@router.get(
    "/rounds/{int:round_id}",
    response=RoundDetailOut,
    url_name="rounds_detail",
    summary="One prioritisation round",
)
def rounds_detail(request, round_id: int):
    round_ = selectors.round_get(user=request.user, pk=round_id)
    status = selectors.round_status(user=request.user, round_=round_)
    needs = round_.needs.select_related("organisation").order_by("pk")
    data = round_out(round_)
    data["ballot_count"] = status.ballots
    data.update(
        needs=[need_ref(need) for need in needs],
        eligible_organisations=status.eligible_organisations,
        can_vote_for=[o.name for o in status.voting_organisations],
        own_ballots=[
            {
                "organisation": ballot.organisation.name,
                "organisation_id": ballot.organisation_id,
                "ranking": ballot.ranking,
                "cast_at": ballot.updated_at,
            }
            for ballot in status.own_ballots.values()
        ],
    )
    return data


@router.get(
    "/rounds/{int:round_id}/ranking",
    response={
        HTTPStatus.OK: RankingOut,
        **errors(HTTPStatus.FORBIDDEN, HTTPStatus.CONFLICT),
    },
    url_name="rounds_ranking",
    summary="Result of a closed round",
)
def rounds_ranking(request, round_id: int):
    """Both methods' orders, the pairwise and strongest-path matrices and the
    notes on ties. 409 while the round is not closed."""
    round_ = selectors.round_get(user=request.user, pk=round_id)
    result = selectors.round_result(user=request.user, round_=round_)
    if result is None:
        raise Conflict(_("The result is published when the round closes."))
    return {
        "round": round_.pk,
        "ballots": result.ballots,
        "needs": [need_ref(need) for need in result.needs],
        "schulze": ranked_out(result.schulze),
        "borda": ranked_out(result.borda),
        "pairwise": result.pairwise,
        "strongest": result.strongest,
        "notes": result.notes,
    }


def _voting_organisation(user, organisation_id: int | None) -> Organisation:
    if organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise NotFound(_("Organisation not found."))
        return organisation
    referent_of = list(
        Organisation.objects.filter(
            memberships__person=user, memberships__role=Membership.Role.REFERENT
        ).distinct()[:2]
    )
    if not referent_of:
        raise PermissionDenied(
            _("Only a referent of a member organisation may cast a ballot.")
        )
    if len(referent_of) > 1:
        raise InvalidInput(
            _(
                "You are a referent of several organisations: say on whose behalf "
                "you vote (organisation)."
            ),
            field="organisation",
        )
    return referent_of[0]


@router.post(
    "/rounds/{int:round_id}/ballots",
    response={
        HTTPStatus.CREATED: BallotOut,
        **errors(HTTPStatus.BAD_REQUEST, HTTPStatus.CONFLICT),
    },
    auth=authenticated,
    url_name="rounds_ballot",
    summary="Cast an organisation's ballot",
)
def rounds_ballot(request, round_id: int, payload: BallotIn):
    """The ranking of every need of the shortlist, most wanted first, by a
    referent of the organisation while the round is open; it replaces the
    organisation's previous ballot. An incomplete ranking or a need ranked twice
    answers 400 with a `message` naming the needs."""
    round_ = selectors.round_get(user=request.user, pk=round_id)
    organisation = _voting_organisation(request.user, payload.organisation)
    ballot = services.ballot_submit(
        actor=request.user,
        round_=round_,
        organisation=organisation,
        ranking=payload.ranking,
    )
    return Status(
        HTTPStatus.CREATED,
        {
            "round": round_.pk,
            "organisation": organisation.name,
            "organisation_id": organisation.pk,
            "ranking": ballot.ranking,
            "cast_at": ballot.updated_at,
        },
    )
