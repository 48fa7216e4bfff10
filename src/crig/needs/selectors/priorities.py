"""Scores and round results for pages and API. CONTRACT (signatures fixed; bodies
by the prioritisation work; the pure arithmetic is in ``crig.needs.scoring`` and
``crig.needs.ranking``)."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crig.core.errors import NotFound
from crig.members.models import Membership, Organisation
from crig.needs import scoring
from crig.needs.models import Ballot, Need, Round, ScoringWeights, Support
from crig.needs.selectors import matching

#: The needs open to prioritisation: published and still to be decided or done.
PRIORITISED_STATES = (Need.State.NEW, Need.State.QUALIFIED, Need.State.RETAINED)


def weights_current() -> ScoringWeights:
    """The latest published weights, or an unsaved instance with the defaults."""
    return ScoringWeights.objects.select_related("published_by").first() or (
        ScoringWeights()
    )


@dataclass(frozen=True)
class CriterionScore:
    name: str  # ScoringWeights.CRITERIA item
    label: str  # translated
    raw: float | None  # the need's figure (e.g. 3 organisations, 120,000 people)
    raw_display: str  # the figure for a person, translated, with its unit
    normalised: float  # 0–1, as documented in crig.needs.scoring
    weight: int
    points: float  # normalised × weight


@dataclass(frozen=True)
class NeedScore:
    need: Need
    total: float  # Σ points / Σ weights × 100, on 0–100
    criteria: list[CriterionScore]
    rank: int  # 1 = highest among the needs scored together


def criterion_label(name: str) -> str:
    return str(ScoringWeights._meta.get_field(name).verbose_name)


def _number(value, decimals=0) -> str:
    return number_format(round(value, decimals), decimals, force_grouping=True)


def _raw_display(name: str, raw, need: Need) -> str:
    if name == "supporters":
        return ngettext("%(count)s organisation", "%(count)s organisations", raw) % {
            "count": raw
        }
    if name == "population":
        return ngettext("%(count)s inhabitant", "%(count)s inhabitants", raw) % {
            "count": _number(raw)
        }
    if name == "area":
        return _("%(area)s km²") % {"area": _number(raw, 1)}
    if name == "coverage_gap":
        return _("%(percent)s %% not covered") % {"percent": _number(raw * 100)}
    if name == "urgency":
        if raw is None:
            return _("no horizon given")
        if raw < 0:
            return _("horizon passed (%(date)s)") % {
                "date": need.horizon.strftime("%d/%m/%Y")
            }
        months = round(raw / 30.44)
        return ngettext(
            "in %(count)s month (%(date)s)", "in %(count)s months (%(date)s)", months
        ) % {"count": months, "date": need.horizon.strftime("%d/%m/%Y")}
    if name == "cofunding":
        return _("%(amount)s €") % {"amount": _number(raw)}
    if name == "plan_fit":
        return str(Need.PlanFit(need.plan_fit).label)
    return str(raw)


def _visible(user, needs):
    """The needs a person may read: published ones, and their own drafts."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    return [
        need
        for need in needs
        if need.state != Need.State.DRAFT
        or (user_id is not None and need.author_id == user_id)
    ]


def _prioritised_needs() -> list[Need]:
    return list(
        Need.objects.filter(state__in=PRIORITISED_STATES)
        .select_related("organisation")
        .order_by("pk")
    )


def _figures(user, needs: list[Need]) -> list[scoring.NeedFigures]:
    ids = [need.pk for need in needs]
    supports = {}
    for need_id, organisation_id, low, high in Support.objects.filter(
        need_id__in=ids
    ).values_list("need_id", "organisation_id", "cofunding_min", "cofunding_max"):
        supports.setdefault(need_id, []).append((organisation_id, low, high))
    gaps = matching.needs_gap_shares(user=user, needs=needs)
    figures = []
    for need in needs:
        need_supports = supports.get(need.pk, [])
        organisations = {need.organisation_id} | {s[0] for s in need_supports}
        # Before the services consolidate a territory (or for an old row), the
        # need's own figures stand for the consolidated ones.
        population = need.consolidated_population or need.population or 0
        area = need.consolidated_area_km2
        if area is None:
            area = need.area_km2 or 0.0
        figures.append(
            scoring.NeedFigures(
                key=need.pk,
                organisations=len(organisations),
                population=population,
                area_km2=area,
                coverage_gap=gaps.get(need.pk, 1.0),
                horizon=need.horizon,
                cofunding_eur=scoring.cofunding_offered(
                    [(need.cofunding_min, need.cofunding_max)]
                    + [(low, high) for _org, low, high in need_supports]
                ),
                plan_fit=need.plan_fit,
            )
        )
    return figures


def needs_scored(*, user, needs: list[Need] | None = None) -> list[NeedScore]:
    """Scores of the given needs (default: every visible need open to
    prioritisation: new, qualified, retained), best first. Normalisation is
    relative to the set scored (see crig.needs.scoring)."""
    needs = _prioritised_needs() if needs is None else _visible(user, list(needs))
    if not needs:
        return []
    weights = weights_current().as_dict()
    by_id = {need.pk: need for need in needs}
    scores = scoring.score_needs(
        _figures(user, needs), weights, today=timezone.localdate()
    )
    labels = {name: criterion_label(name) for name in ScoringWeights.CRITERIA}
    return [
        NeedScore(
            need=by_id[score.key],
            total=score.total,
            rank=score.rank,
            criteria=[
                CriterionScore(
                    name=criterion.name,
                    label=labels[criterion.name],
                    raw=criterion.raw,
                    raw_display=_raw_display(
                        criterion.name, criterion.raw, by_id[score.key]
                    ),
                    normalised=criterion.normalised,
                    weight=criterion.weight,
                    points=criterion.points,
                )
                for criterion in score.criteria
            ],
        )
        for score in scores
    ]


def need_score(*, user, need: Need) -> NeedScore:
    """The need's score among all needs open to prioritisation."""
    if not _visible(user, [need]):
        raise NotFound(_("Need not found."))
    needs = _prioritised_needs()
    if need.pk not in {other.pk for other in needs}:
        # A need outside the prioritised states is scored as if it were one of
        # them, so its page can still explain its score.
        needs.append(need)
    else:
        needs = [need if other.pk == need.pk else other for other in needs]
    scores = needs_scored(user=user, needs=needs)
    return next(score for score in scores if score.need.pk == need.pk)


def _is_secretariat(user) -> bool:
    return user is not None and user.has_perm("needs.manage_rounds")


def rounds_visible_to(user):
    """Rounds the person may see (all for the secretariat, else not the drafts),
    latest year first, annotated with ``ballot_count`` and ``need_count``."""
    rounds = Round.objects.annotate(
        ballot_count=Count("ballots", distinct=True),
        need_count=Count("needs", distinct=True),
    ).order_by("-year", "-created_at", "-pk")
    if not _is_secretariat(user):
        rounds = rounds.exclude(state=Round.State.DRAFT)
    return rounds


def round_get(*, user, pk: int) -> Round:
    round_ = Round.objects.filter(pk=pk).first()
    if round_ is None or not user.has_perm("needs.view_round", round_):
        # A draft is not announced to those who may not see it.
        raise NotFound(_("Prioritisation round not found."))
    return round_


@dataclass(frozen=True)
class RoundStatus:
    round: Round
    ballots: int
    eligible_organisations: int
    own_ballot: object | None  # the person's organisation's ballot, if any
    # Organisations the person casts a ballot for (referent of), by name; empty
    # when the person may not vote in this round now.
    voting_organisations: list = field(default_factory=list)
    # Ballots of those organisations, by organisation id.
    own_ballots: dict = field(default_factory=dict)


def eligible_organisations():
    """Organisations that can cast a ballot: those with at least one referent."""
    return Organisation.objects.filter(
        memberships__role=Membership.Role.REFERENT
    ).distinct()


def round_status(*, user, round_: Round) -> RoundStatus:
    voting = []
    if user is not None and user.is_authenticated and user.is_active:
        voting = list(
            Organisation.objects.filter(
                memberships__person=user, memberships__role=Membership.Role.REFERENT
            )
            .distinct()
            .order_by("name")
        )
    own_ballots = {
        ballot.organisation_id: ballot
        for ballot in Ballot.objects.filter(
            round=round_, organisation__in=[o.pk for o in voting]
        )
    }
    own_ballot = next((own_ballots[o.pk] for o in voting if o.pk in own_ballots), None)
    return RoundStatus(
        round=round_,
        ballots=round_.ballots.count(),
        eligible_organisations=eligible_organisations().count(),
        own_ballot=own_ballot,
        voting_organisations=voting
        if user.has_perm("needs.vote_round", round_)
        else [],
        own_ballots=own_ballots,
    )


@dataclass(frozen=True)
class RankedNeed:
    need: Need
    position: int  # 1-based; equal positions are ties
    tied: bool
    borda_points: int  # total Borda points (also shown in the Schulze list)


@dataclass(frozen=True)
class RoundResult:
    round: Round
    ballots: int
    needs: list[Need]  # the shortlist, in the order of the matrices below
    borda: list[RankedNeed]
    schulze: list[RankedNeed]
    pairwise: list[list[int]]  # pairwise[i][j]: ballots ranking needs[i] above needs[j]
    strongest: list[list[int]]  # Schulze strongest path strengths, same order
    notes: list[str]  # translated: how ties were handled, whether methods agree


def _ranked(tiers, needs_by_id, points_by_id) -> list[RankedNeed]:
    ranked, position = [], 1
    for tier in tiers:
        for need_id in tier:
            ranked.append(
                RankedNeed(
                    need=needs_by_id[need_id],
                    position=position,
                    tied=len(tier) > 1,
                    borda_points=points_by_id[need_id],
                )
            )
        position += len(tier)
    return ranked


def _note(note: dict, titles: dict[int, str]) -> str:
    names = ", ".join(
        _("“%(title)s”") % {"title": titles[need_id]} for need_id in note["items"]
    )
    code = note["code"]
    if code == "no_ballots":
        return _("No ballot was cast: every need is tied.")
    if code == "condorcet_winner":
        return _(
            "%(need)s is preferred to each other need by a majority of the ballots "
            "(a Condorcet winner): both methods can be read with that in mind."
        ) % {"need": names}
    if code == "condorcet_cycle":
        return _(
            "No need is preferred to every other by a majority: the preferences "
            "form a cycle, which the Schulze method settles by the strongest paths."
        )
    if code == "schulze_tie":
        return _(
            "Schulze method: %(needs)s are tied (no strongest path places one above "
            "the other). No tie-break is applied: they share the same position and "
            "are listed by Borda points, for reading only."
        ) % {"needs": names}
    if code == "borda_tie":
        return _(
            "Borda count: %(needs)s have the same number of points. No tie-break is "
            "applied: they share the same position and are listed in the order of "
            "the shortlist."
        ) % {"needs": names}
    if code == "methods_agree":
        return _("The Borda count and the Schulze method give the same order.")
    if code == "methods_differ":
        return _(
            "The Borda count and the Schulze method give different orders: the "
            "Schulze order follows the head-to-head majorities, the Borda order the "
            "average position."
        )
    return code


def round_result(*, user, round_: Round) -> RoundResult | None:
    """The published result of a closed round (None before it closes)."""
    if not user.has_perm("needs.view_round", round_):
        raise NotFound(_("Prioritisation round not found."))
    result = round_.result
    if round_.state != Round.State.CLOSED or not result:
        return None
    items = result["items"]
    stored_titles = {int(pk): title for pk, title in result.get("titles", {}).items()}
    current = Need.objects.select_related("organisation").in_bulk(items)
    needs_by_id = {
        # A need deleted since keeps its place in the result, under its title.
        need_id: current.get(need_id)
        or Need(pk=need_id, title=stored_titles.get(need_id, str(need_id)))
        for need_id in items
    }
    titles = {
        need_id: stored_titles.get(need_id) or needs_by_id[need_id].title
        for need_id in items
    }
    points = dict(zip(items, result["borda"]["points"], strict=True))
    return RoundResult(
        round=round_,
        ballots=result["ballots"],
        needs=[needs_by_id[need_id] for need_id in items],
        borda=_ranked(result["borda"]["tiers"], needs_by_id, points),
        schulze=_ranked(result["schulze"]["tiers"], needs_by_id, points),
        pairwise=result["schulze"]["pairwise"],
        strongest=result["schulze"]["strongest"],
        notes=[_note(note, titles) for note in result["notes"]],
    )


def rounds_by_year(user) -> list[tuple[int, list[Round]]]:
    """Visible rounds grouped by year, latest first."""
    groups: dict[int, list[Round]] = {}
    for round_ in rounds_visible_to(user):
        groups.setdefault(round_.year, []).append(round_)
    return list(groups.items())


def shortlist_candidates():
    """Needs a round may shortlist, by number."""
    return (
        Need.objects.filter(state__in=PRIORITISED_STATES, merged_into__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
