"""Reads of the action plan shared by pages, API, exports and the report.

Everything starts from ``plans_visible_to(user)``: a draft plan, its actions and
their counts exist only for the people who may edit the plan (``rules.py``). The
links of an action to the other modules go through each module's own visibility
selector, so a page never shows (nor counts) an item the person may not open.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.actionplan.models import Action, Plan
from crig.actionplan.rules import can_edit_plan
from crig.core.errors import InvalidInput, NotFound


def _may_edit_plans(user) -> bool:
    return bool(user is not None and can_edit_plan.test(user, None))


def plans_visible_to(user) -> QuerySet[Plan]:
    """Published plans for everyone; drafts too for the people who edit the plan
    (secretariat, administrators, signatories' people)."""
    plans = Plan.objects.all()
    if _may_edit_plans(user):
        return plans
    return plans.filter(state=Plan.State.PUBLISHED)


def plan_get(*, user, year: int) -> Plan:
    """The plan, or ``NotFound`` (also for a draft the person may not see)."""
    plan = plans_visible_to(user).filter(year=year).first()
    if plan is None:
        raise NotFound(_("No action plan for %(year)s.") % {"year": year})
    return plan


@dataclass(frozen=True)
class ActionFilters:
    category: str = ""
    lead: str = ""  # organisation slug
    status: str = ""
    q: str = ""


def _actions_selected(actions: QuerySet[Action]) -> QuerySet[Action]:
    return actions.select_related("plan", "signatory__organisation").prefetch_related(
        "leads", "partners"
    )


def _check_choice(value: str, choices: list[str], field_name: str) -> None:
    if value and value not in choices:
        raise InvalidInput(_("Unknown value for this filter."), field=field_name)


def plan_actions(*, user, plan: Plan, filters: ActionFilters = ActionFilters()):
    """The plan's actions (leads, partners, signatory selected/prefetched), in
    the plan's order. Unknown category or status: ``InvalidInput``; a plan the
    person may not see: ``NotFound``."""
    if not plans_visible_to(user).filter(pk=plan.pk).exists():
        raise NotFound(_("No action plan for %(year)s.") % {"year": plan.year})
    _check_choice(filters.category, Action.Category.values, "category")
    _check_choice(filters.status, Action.Status.values, "status")
    actions = Action.objects.filter(plan=plan)
    if filters.category:
        actions = actions.filter(category=filters.category)
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.lead:
        # A subquery, not a join: an action led by two organisations stays one row.
        actions = actions.filter(
            pk__in=Action.leads.through.objects.filter(
                organisation__slug=filters.lead
            ).values("action_id")
        )
    for word in [w for w in (filters.q or "").split() if w][:10]:
        actions = actions.filter(
            Q(title__icontains=word) | Q(objectives__icontains=word)
        )
    return _actions_selected(actions).order_by("number")


def action_get(*, user, pk: int) -> Action:
    """The action, or ``NotFound`` (also when its plan is a draft the person may
    not see)."""
    action = (
        _actions_selected(
            Action.objects.filter(plan__in=plans_visible_to(user).values("pk"))
        )
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise NotFound(_("No such action."))
    return action


@dataclass(frozen=True)
class CategoryProgress:
    category: str
    label: str
    actions: int
    mean_progress: float  # 0–100
    by_status: dict[str, int]


@dataclass(frozen=True)
class PlanOverview:
    plan: Plan
    actions: int
    mean_progress: float
    by_status: dict[str, int]
    categories: list[CategoryProgress]


def _mean(values: list[int]) -> float:
    # One decimal: what a page or a chart shows, and exact enough to compare.
    return round(sum(values) / len(values), 1) if values else 0.0


def _by_status(statuses: list[str]) -> dict[str, int]:
    counts = Counter(statuses)
    return {status: counts.get(status, 0) for status in Action.Status.values}


def plan_overview(*, user, plan: Plan) -> PlanOverview:
    """The plan at a glance: number of actions, mean progress (the plain mean of
    the actions' percentages, one decimal) and counts by status (every status,
    zeros included), for the plan and for each of the four categories (all four,
    in their order, even an empty one, so that charts keep their axes)."""
    if not plans_visible_to(user).filter(pk=plan.pk).exists():
        raise NotFound(_("No action plan for %(year)s.") % {"year": plan.year})
    rows = list(
        Action.objects.filter(plan=plan).values_list("category", "status", "progress")
    )
    categories = []
    for category in Action.Category:
        mine = [row for row in rows if row[0] == category.value]
        categories.append(
            CategoryProgress(
                category=category.value,
                label=str(category.label),
                actions=len(mine),
                mean_progress=_mean([row[2] for row in mine]),
                by_status=_by_status([row[1] for row in mine]),
            )
        )
    return PlanOverview(
        plan=plan,
        actions=len(rows),
        mean_progress=_mean([row[2] for row in rows]),
        by_status=_by_status([row[1] for row in rows]),
        categories=categories,
    )


@dataclass(frozen=True)
class ActionLinks:
    """Only what the person may see: a confidential funding request the person
    may not open is left out (not even counted)."""

    needs: list = field(default_factory=list)
    funding_requests: list = field(default_factory=list)
    opinions: list = field(default_factory=list)
    datasets: list = field(default_factory=list)
    meetings: list = field(default_factory=list)  # council meetings that discussed it
    previous: Action | None = None
    next: Action | None = None


def action_links(*, user, action: Action) -> ActionLinks:
    """The items linked to the action that ``user`` may open, each through its
    module's visibility selector: needs (``needs_visible_to``), funding request
    files (``requests_visible_to``: never the public), the published opinions on
    the linked requests (the public register, ``register_list``: public once
    published, even when the file itself stays confidential), datasets
    (``datasets_visible_to``), and the action it continues and the one that
    continues it, when their plans are visible."""
    from crig.catalog.selectors.visibility import datasets_visible_to
    from crig.funding.selectors.register import register_list
    from crig.funding.selectors.requests import requests_visible_to
    from crig.needs.selectors.needs import needs_visible_to

    if not plans_visible_to(user).filter(pk=action.plan_id).exists():
        raise NotFound(_("No such action."))
    needs = (
        needs_visible_to(user)
        .filter(pk__in=action.needs.values("pk"))
        .select_related("organisation")
        .order_by("title", "pk")
    )
    requests = (
        requests_visible_to(user)
        .filter(pk__in=action.funding_requests.values("pk"))
        .select_related("applicant", "signatory__organisation")
        .order_by("reference", "pk")
    )
    opinions = register_list().filter(
        request_id__in=action.funding_requests.values("pk")
    )
    datasets = (
        datasets_visible_to(user)
        .filter(pk__in=action.datasets.values("pk"))
        .order_by("title", "pk")
    )
    visible_plans = plans_visible_to(user).values("pk")
    previous = (
        Action.objects.filter(pk=action.continues_id, plan__in=visible_plans)
        .select_related("plan")
        .first()
        if action.continues_id
        else None
    )
    following = (
        Action.objects.filter(continues=action, plan__in=visible_plans)
        .select_related("plan")
        .first()
    )
    return ActionLinks(
        needs=list(needs),
        funding_requests=list(requests),
        opinions=list(opinions),
        datasets=list(datasets),
        meetings=_meetings_about(user, action),
        previous=previous,
        next=following,
    )


def _meetings_about(user, action: Action) -> list:
    """Council meetings the person may see whose agenda or decisions concern the
    action; a confidential item counts only for the council."""
    from crig.events.models import AgendaItem, Decision
    from crig.events.selectors import meetings_visible_to

    items = AgendaItem.objects.filter(action=action)
    decisions = Decision.objects.filter(action=action)
    if user is None or not user.has_perm("events.view_meeting_confidential"):
        items = items.filter(confidential=False)
        decisions = decisions.filter(confidential=False)
    return list(
        meetings_visible_to(user)
        .filter(
            Q(pk__in=items.values("meeting_id"))
            | Q(pk__in=decisions.values("meeting_id"))
        )
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class YearFigures:
    """The year's figures from the other modules, for the yearly report. Only
    public figures: published needs, published opinions, public events."""

    year: int
    needs_collected: int
    needs_by_theme: dict[str, int]
    needs_prioritised: int  # in a closed round of the year
    rounds_closed: int
    opinions_published: int
    opinions_by_verdict: dict[str, int]
    datasets_pooled: int  # public datasets in the catalogue at the end of the year
    datasets_by_referentiel: dict[str, int]
    events_held: int | None = None  # published events that took place in the year
    attendance: int | None = None  # people marked present at them


def _sorted_counts(counter: Counter, order: list[str]) -> dict[str, int]:
    """Non-zero counts, in the order of the choices."""
    return {key: counter[key] for key in order if counter.get(key)}


def year_figures(*, year: int) -> YearFigures:
    """What the other modules show the public about ``year``:

    - needs collected: needs made public (submitted) during the year, drafts and
      merged duplicates left out, by theme;
    - needs prioritised: the public needs on the shortlist of a prioritisation
      round of the year that is closed, and the number of such rounds;
    - opinions: the public register's opinions (latest published version of
      each request) adopted during the year, by verdict;
    - datasets pooled: public, active catalogue records dated on or before
      31 December of the year (publication date, else creation date, else the
      day the catalogue first saw them); by référentiel (records without one
      count in the total only);
    - events held: published (not cancelled) events that ended during the year
      and before now; attendance: the registrants marked present at them.
    """
    from crig.catalog.models import Referentiel
    from crig.catalog.selectors.visibility import datasets_published_to
    from crig.events.models import Event, Registration
    from crig.funding.models import Opinion
    from crig.funding.selectors.register import RegisterFilters, register_list
    from crig.needs.models import Need, Round, Theme
    from crig.needs.selectors.needs import needs_visible_to

    public_needs = needs_visible_to(None).exclude(state=Need.State.MERGED)
    collected = public_needs.filter(submitted_at__year=year)
    needs_by_theme = Counter(collected.values_list("theme", flat=True))

    closed_rounds = Round.objects.filter(year=year, state=Round.State.CLOSED)
    prioritised = public_needs.filter(
        pk__in=Round.needs.through.objects.filter(
            round__in=closed_rounds.values("pk")
        ).values("need_id")
    )

    opinions = register_list(filters=RegisterFilters(year=year))
    by_verdict = Counter(opinions.values_list("verdict", flat=True))

    end_of_year = datetime.date(year, 12, 31)
    datasets = (
        datasets_published_to(None)
        .annotate(
            dated=Coalesce(
                "published_on",
                "created_on",
                TruncDate("first_seen_at"),
                TruncDate("created_at"),
            )
        )
        .filter(dated__lte=end_of_year)
    )
    by_referentiel = Counter(datasets.values_list("referentiel", flat=True))

    held = Event.objects.filter(
        state=Event.State.PUBLISHED, ends_at__year=year, ends_at__lt=timezone.now()
    )

    return YearFigures(
        year=year,
        needs_collected=sum(needs_by_theme.values()),
        needs_by_theme=_sorted_counts(needs_by_theme, Theme.values),
        needs_prioritised=prioritised.count(),
        rounds_closed=closed_rounds.count(),
        opinions_published=sum(by_verdict.values()),
        opinions_by_verdict=_sorted_counts(by_verdict, Opinion.Verdict.values),
        datasets_pooled=sum(by_referentiel.values()),
        datasets_by_referentiel=_sorted_counts(by_referentiel, Referentiel.values),
        events_held=held.count(),
        attendance=Registration.objects.filter(
            event__in=held.values("pk"), checked_in_at__isnull=False
        ).count(),
    )


def actions_linked(*, user, need=None, dataset=None) -> list[Action]:
    """The actions of plans the person may see that answer ``need`` or produced or
    improved ``dataset`` — the other side of ``Action.needs`` and
    ``Action.datasets``, shown on the need's and the dataset's pages."""
    actions = Action.objects.filter(plan__in=plans_visible_to(user).values("pk"))
    if need is not None:
        actions = actions.filter(needs=need)
    if dataset is not None:
        actions = actions.filter(datasets=dataset)
    return list(actions.select_related("plan").order_by("-plan__year", "number"))
