"""Reads of the action plan shared by pages, API, exports and the report.
CONTRACT (signatures fixed; bodies by the action-plan domain work)."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from crig.actionplan.models import Action, Plan


def plans_visible_to(user) -> QuerySet[Plan]:
    raise NotImplementedError


def plan_get(*, user, year: int) -> Plan:
    """The plan, or ``NotFound`` (also for a draft the person may not see)."""
    raise NotImplementedError


@dataclass(frozen=True)
class ActionFilters:
    category: str = ""
    lead: str = ""  # organisation slug
    status: str = ""
    q: str = ""


def plan_actions(*, user, plan: Plan, filters: ActionFilters = ActionFilters()):
    """The plan's actions (leads, partners, signatory selected/prefetched)."""
    raise NotImplementedError


def action_get(*, user, pk: int) -> Action:
    raise NotImplementedError


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


def plan_overview(*, user, plan: Plan) -> PlanOverview:
    raise NotImplementedError


@dataclass(frozen=True)
class ActionLinks:
    """Only what the person may see: a confidential funding request the person
    may not open is left out (not even counted)."""

    needs: list = field(default_factory=list)
    funding_requests: list = field(default_factory=list)
    opinions: list = field(default_factory=list)
    datasets: list = field(default_factory=list)
    meetings: list = field(default_factory=list)  # filled once the events module exists
    previous: Action | None = None
    next: Action | None = None


def action_links(*, user, action: Action) -> ActionLinks:
    raise NotImplementedError


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
    events_held: int | None = None  # None until the events module exists
    attendance: int | None = None


def year_figures(*, year: int) -> YearFigures:
    raise NotImplementedError
