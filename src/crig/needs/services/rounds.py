"""Prioritisation rounds and ballots. CONTRACT (signatures fixed).

A round is prepared by the secretariat (draft, shortlist of published needs),
opened, receives one ballot per organisation (a complete ranking of the
shortlist, each need once, cast by a referent; a new ballot replaces the previous
one while the round is open), then closed: ``Round.result`` then holds the Borda
and Schulze results (``crig.needs.ranking``).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crig.core.errors import Conflict, InvalidInput, PermissionDenied
from crig.members.models import Membership
from crig.needs import ranking as ranking_methods
from crig.needs.models import Ballot, Need, Round

#: States of the needs a round may shortlist.
SHORTLIST_STATES = (Need.State.NEW, Need.State.QUALIFIED, Need.State.RETAINED)
MIN_SHORTLIST = 2
FIRST_YEAR = 2000
#: A round may be prepared this many years ahead.
YEARS_AHEAD = 2


def _require_manager(actor) -> None:
    if actor is None or not actor.has_perm("needs.manage_rounds"):
        raise PermissionDenied(_("Only the secretariat may run prioritisation rounds."))


def _quoted(titles) -> str:
    return ", ".join(_("“%(title)s”") % {"title": title} for title in titles)


def _clean_year(year) -> int:
    this_year = timezone.localdate().year
    if (
        isinstance(year, bool)
        or not isinstance(year, int)
        or not FIRST_YEAR <= year <= this_year + YEARS_AHEAD
    ):
        raise InvalidInput(
            _("The year must be between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": this_year + YEARS_AHEAD},
            field="year",
        )
    return year


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("Give the round a title."), field="title")
    if len(title) > Round._meta.get_field("title").max_length:
        raise InvalidInput(_("The title is too long."), field="title")
    return title


def _clean_closes_at(closes_at):
    if closes_at is not None and closes_at <= timezone.now():
        raise InvalidInput(
            _("The closing date must be in the future."), field="closes_at"
        )
    return closes_at


def _shortlist(need_ids) -> list[Need]:
    """The needs of ``need_ids`` (duplicates ignored), checked to be eligible."""
    ids = []
    for need_id in need_ids or []:
        if isinstance(need_id, bool) or not isinstance(need_id, int):
            raise InvalidInput(_("The shortlist holds need numbers."), field="needs")
        if need_id not in ids:
            ids.append(need_id)
    if len(ids) < MIN_SHORTLIST:
        raise InvalidInput(
            _("A round needs a shortlist of at least %(count)s needs.")
            % {"count": MIN_SHORTLIST},
            field="needs",
        )
    needs = {need.pk: need for need in Need.objects.filter(pk__in=ids)}
    unknown = [str(need_id) for need_id in ids if need_id not in needs]
    if unknown:
        raise InvalidInput(
            _("Unknown needs: %(ids)s.") % {"ids": ", ".join(unknown)}, field="needs"
        )
    ineligible = [
        needs[need_id]
        for need_id in ids
        if needs[need_id].state not in SHORTLIST_STATES
        or needs[need_id].merged_into_id is not None
    ]
    if ineligible:
        raise InvalidInput(
            ngettext(
                "Only new, qualified or retained needs can be shortlisted: "
                "%(needs)s is not.",
                "Only new, qualified or retained needs can be shortlisted: "
                "%(needs)s are not.",
                len(ineligible),
            )
            % {"needs": _quoted(need.title for need in ineligible)},
            field="needs",
        )
    return [needs[need_id] for need_id in ids]


def _locked(round_: Round) -> Round:
    """The round re-read under a row lock, so that concurrent ballots and closing
    see one state."""
    return Round.objects.select_for_update().get(pk=round_.pk)


@transaction.atomic
def round_create(
    *,
    actor,
    year: int,
    title: str,
    description: str = "",
    need_ids: list[int],
    closes_at: datetime.datetime | None = None,
) -> Round:
    _require_manager(actor)
    round_ = Round.objects.create(
        year=_clean_year(year),
        title=_clean_title(title),
        description=(description or "").strip(),
        closes_at=_clean_closes_at(closes_at),
        created_by=actor,
    )
    round_.needs.set(_shortlist(need_ids))
    return round_


@transaction.atomic
def round_update(
    *,
    actor,
    round_: Round,
    title: str,
    description: str = "",
    need_ids: list[int],
    closes_at: datetime.datetime | None = None,
    year: int | None = None,
) -> Round:
    """Only while in preparation. ``year`` unchanged when None."""
    _require_manager(actor)
    round_ = _locked(round_)
    if round_.state != Round.State.DRAFT:
        raise Conflict(_("Only a round in preparation can be changed."))
    if year is not None:
        round_.year = _clean_year(year)
    round_.title = _clean_title(title)
    round_.description = (description or "").strip()
    round_.closes_at = _clean_closes_at(closes_at)
    shortlist = _shortlist(need_ids)
    round_.save()
    round_.needs.set(shortlist)
    return round_


@transaction.atomic
def round_open(*, actor, round_: Round) -> Round:
    _require_manager(actor)
    round_ = _locked(round_)
    if round_.state != Round.State.DRAFT:
        raise Conflict(_("Only a round in preparation can be opened."))
    # The shortlist is checked again: a need may have been rejected or merged
    # since the round was prepared.
    _shortlist(list(round_.needs.values_list("pk", flat=True)))
    if round_.closes_at is not None and round_.closes_at <= timezone.now():
        raise InvalidInput(
            _("The closing date has passed; change it before opening the round."),
            field="closes_at",
        )
    round_.state = Round.State.OPEN
    round_.opened_at = timezone.now()
    round_.save(update_fields=["state", "opened_at", "updated_at"])
    return round_


def shortlist_ids(round_: Round) -> list[int]:
    """The round's needs in the order of the shortlist (by need number), the order
    of the matrices of the result."""
    return list(round_.needs.order_by("pk").values_list("pk", flat=True))


def ballot_problem(ranking_ids, titles: dict[int, str]) -> str | None:
    """A sentence naming what is wrong with a ranking, None if it is a complete
    ranking of the shortlist (``titles``: need id → title, in shortlist order)."""
    items = list(titles)
    if not isinstance(ranking_ids, list) or any(
        isinstance(i, bool) or not isinstance(i, int) for i in ranking_ids
    ):
        return _("A ballot is a list of need numbers, most wanted first.")
    try:
        ranking_methods.ballot_check(ranking_ids, items)
    except ranking_methods.BallotInvalid as error:
        if error.problem == "unknown":
            return ngettext(
                "Need %(ids)s is not in the shortlist of this round.",
                "Needs %(ids)s are not in the shortlist of this round.",
                len(error.items),
            ) % {"ids": ", ".join(str(i) for i in error.items)}
        named = _quoted(titles[i] for i in error.items)
        if error.problem == "repeated":
            return ngettext(
                "Each need must be ranked once: %(needs)s is ranked more than once.",
                "Each need must be ranked once: %(needs)s are ranked more than once.",
                len(error.items),
            ) % {"needs": named}
        return ngettext(
            "The ballot must rank every need of the shortlist: %(needs)s is missing.",
            "The ballot must rank every need of the shortlist: %(needs)s are missing.",
            len(error.items),
        ) % {"needs": named}
    return None


@transaction.atomic
def ballot_submit(*, actor, round_: Round, organisation, ranking: list[int]) -> Ballot:
    """Record ``organisation``'s ranking (need ids, most wanted first); it replaces
    the organisation's previous ballot. Only a referent of the organisation, while
    the round is open and before its closing date."""
    round_ = _locked(round_)
    is_referent = (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and Membership.objects.filter(
            person=actor, organisation=organisation, role=Membership.Role.REFERENT
        ).exists()
    )
    if not is_referent:
        raise PermissionDenied(
            _("Only a referent of %(organisation)s may cast its ballot.")
            % {"organisation": organisation.name}
        )
    if round_.state != Round.State.OPEN:
        raise Conflict(_("This round is not open for ballots."))
    if round_.closes_at is not None and round_.closes_at <= timezone.now():
        raise Conflict(_("The closing date of this round has passed."))
    titles = dict(round_.needs.order_by("pk").values_list("pk", "title"))
    problem = ballot_problem(ranking, titles)
    if problem:
        raise InvalidInput(problem, field="ranking")
    ballot, _created = Ballot.objects.update_or_create(
        round=round_,
        organisation=organisation,
        defaults={"ranking": list(ranking), "cast_by": actor},
    )
    return ballot


@transaction.atomic
def round_close(*, actor, round_: Round) -> Round:
    """Close the round and compute its result (both methods, notes) once for all."""
    _require_manager(actor)
    round_ = _locked(round_)
    if round_.state != Round.State.OPEN:
        raise Conflict(_("Only an open round can be closed."))
    items = shortlist_ids(round_)
    ballots = list(round_.ballots.order_by("pk").values_list("ranking", flat=True))
    if not ballots:
        raise Conflict(_("No organisation has voted yet: the round cannot be closed."))
    outcome = ranking_methods.round_outcome(ballots, items)
    # Titles as they were when the round closed, so the published result still
    # reads the same if a need is renamed or merged later.
    outcome["titles"] = {
        str(pk): title for pk, title in round_.needs.values_list("pk", "title")
    }
    round_.result = outcome
    round_.state = Round.State.CLOSED
    round_.closed_at = timezone.now()
    round_.save(update_fields=["result", "state", "closed_at", "updated_at"])
    return round_
