"""REST endpoints of the action plan (tag "action plan"): the plans, a plan with
its overview and actions (or its export with ``format=csv|xlsx``), and an
action with its milestones, indicators, updates and links.

Read-only: the writes (plans, actions, updates, links) are made on the pages,
where the services check everything; the API reads through the same selectors,
so a draft plan is a 404 for whoever may not see it, and an action's links are
only those the caller may open."""

import datetime
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from crig.actionplan import report as plan_report
from crig.actionplan import selectors
from crig.actionplan.models import Action, Plan
from crig.core.api import OFFSET_MAX
from crig.core.exports import export_response

router = Router()

CategoryCode = Literal[tuple(Action.Category.values)]
StatusCode = Literal[tuple(Action.Status.values)]


class CodeLabelOut(Schema):
    code: str
    label: str


class PlanOrganisationOut(Schema):
    id: int
    name: str
    acronym: str
    url: str


class PlanOut(Schema):
    year: int
    title: str
    state: Literal[tuple(Plan.State.values)]
    introduction: str
    published_at: datetime.datetime | None
    rolled_over_from: int | None = Field(
        None, description="Year of the plan it was rolled over from."
    )
    actions: int
    url: str


class PlanListOut(Schema):
    count: int
    items: list[PlanOut]


class PlanCategoryOut(Schema):
    category: CodeLabelOut
    actions: int
    mean_progress: float
    by_status: dict[str, int]


class OverviewOut(Schema):
    actions: int
    mean_progress: float = Field(description="Plain mean of the actions' %.")
    by_status: dict[str, int]
    categories: list[PlanCategoryOut]


class ActionSummaryOut(Schema):
    id: int
    number: int
    title: str
    category: CodeLabelOut
    status: CodeLabelOut
    progress: int
    leads: list[PlanOrganisationOut]
    url: str


class PlanDetailOut(PlanOut):
    overview: OverviewOut
    items: list[ActionSummaryOut]


class PlanFiltersIn(Schema):
    category: CategoryCode | None = None
    status: StatusCode | None = None
    lead: str = Field("", max_length=100, description="Slug of a lead organisation.")
    format: Literal["json", "csv", "xlsx"] = Field(
        "json", description="`csv`, `xlsx`: a file of every action, one row each."
    )


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: datetime.date
    done_on: datetime.date | None
    late: bool


class IndicatorOut(Schema):
    id: int
    name: str
    unit: str
    target: Decimal
    current: Decimal


class UpdateOut(Schema):
    id: int
    dated: datetime.date
    body: str
    progress: int | None
    status: CodeLabelOut | None
    attachment_url: str | None


class ActionLinkOut(Schema):
    id: int
    title: str
    url: str


class OpinionLinkOut(Schema):
    id: int
    request_title: str
    verdict: CodeLabelOut
    adopted_on: datetime.date
    url: str


class ActionRefOut(Schema):
    id: int
    year: int
    title: str
    url: str


class LinksOut(Schema):
    needs: list[ActionLinkOut]
    funding_requests: list[ActionLinkOut]
    opinions: list[OpinionLinkOut]
    datasets: list[ActionLinkOut]
    continues: ActionRefOut | None
    continued_by: ActionRefOut | None


class ActionDetailOut(ActionSummaryOut):
    year: int
    objectives: str
    theme: CodeLabelOut | None
    partners: list[PlanOrganisationOut]
    signatory: PlanOrganisationOut | None
    budget: Decimal | None
    milestones: list[MilestoneOut]
    indicators: list[IndicatorOut]
    updates: list[UpdateOut]
    links: LinksOut


def _url(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _code_label(value: str, label) -> dict:
    return {"code": value, "label": str(label)}


def _organisation(request, organisation) -> dict:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "acronym": organisation.acronym or "",
        "url": _url(request, organisation.get_absolute_url()),
    }


def _plan_out(request, plan: Plan, actions: int) -> dict:
    return {
        "year": plan.year,
        "title": plan.title,
        "state": plan.state,
        "introduction": plan.introduction,
        "published_at": plan.published_at,
        "rolled_over_from": plan.rolled_over_from.year
        if plan.rolled_over_from_id
        else None,
        "actions": actions,
        "url": _url(request, plan.get_absolute_url()),
    }


def _action_summary(request, action: Action) -> dict:
    return {
        "id": action.pk,
        "number": action.number,
        "title": action.title,
        "category": _code_label(action.category, action.get_category_display()),
        "status": _code_label(action.status, action.get_status_display()),
        "progress": action.progress,
        "leads": [_organisation(request, o) for o in action.leads.all()],
        "url": _url(request, action.get_absolute_url()),
    }


def _overview_out(overview: selectors.PlanOverview) -> dict:
    return {
        "actions": overview.actions,
        "mean_progress": overview.mean_progress,
        "by_status": overview.by_status,
        "categories": [
            {
                "category": _code_label(c.category, c.label),
                "actions": c.actions,
                "mean_progress": c.mean_progress,
                "by_status": c.by_status,
            }
            for c in overview.categories
        ],
    }


@router.get(
    "/plans",
    response=PlanListOut,
    url_name="plans_list",
    summary="The action plans",
)
def plans_list(
    request,
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=OFFSET_MAX),
):
    """The plans the caller may see, latest year first: the published ones,
    and the drafts for the secretariat and the signatories."""
    from django.db.models import Count

    plans = (
        selectors.plans_visible_to(request.user)
        .select_related("rolled_over_from")
        .annotate(action_count=Count("actions"))
        .order_by("-year")
    )
    return {
        "count": plans.count(),
        "items": [
            _plan_out(request, plan, plan.action_count)
            for plan in plans[offset : offset + limit]
        ],
    }


@router.get(
    "/plans/{int:year}",
    response=PlanDetailOut,
    url_name="plans_detail",
    summary="One year's plan, its overview and its actions",
)
def plans_detail(request, year: int, filters: Query[PlanFiltersIn]):
    """The plan of ``year`` (404 for a draft the caller may not see), its
    overview by category and status, and its actions (filtered by category,
    status and lead organisation). `format=csv|xlsx`: the export of every
    action of the plan, one row each."""
    plan = selectors.plan_get(user=request.user, year=year)
    if filters.format in ("csv", "xlsx"):
        header, rows = plan_report.export_table(user=request.user, plan=plan)
        return export_response(
            format=filters.format,
            filename=f"plan-d-actions-{plan.year}",
            header=header,
            rows=rows,
            sheet_title=_("Actions %(year)s") % {"year": plan.year},
        )
    overview = selectors.plan_overview(user=request.user, plan=plan)
    actions = selectors.plan_actions(
        user=request.user,
        plan=plan,
        filters=selectors.ActionFilters(
            category=filters.category or "",
            status=filters.status or "",
            lead=filters.lead,
        ),
    )
    return {
        **_plan_out(request, plan, overview.actions),
        "overview": _overview_out(overview),
        "items": [_action_summary(request, action) for action in actions],
    }


def _action_ref(request, action: Action | None) -> dict | None:
    if action is None:
        return None
    return {
        "id": action.pk,
        "year": action.plan.year,
        "title": action.title,
        "url": _url(request, action.get_absolute_url()),
    }


@router.get(
    "/actions/{int:action_id}",
    response=ActionDetailOut,
    url_name="actions_detail",
    summary="One action of a plan",
)
def actions_detail(request, action_id: int):
    """An action with its milestones, indicators and progress updates, and
    the items linked to it that the caller may open (needs, funding requests,
    published opinions, datasets; the action it continues and the one that
    continues it). 404 when its plan is a draft the caller may not see."""
    from django.urls import reverse
    from django.utils import timezone

    action = selectors.action_get(user=request.user, pk=action_id)
    links = selectors.action_links(user=request.user, action=action)
    today = timezone.localdate()
    statuses = dict(Action.Status.choices)
    return {
        **_action_summary(request, action),
        "year": action.plan.year,
        "objectives": action.objectives,
        "theme": _code_label(action.theme, action.get_theme_display())
        if action.theme
        else None,
        "partners": [_organisation(request, o) for o in action.partners.all()],
        "signatory": _organisation(request, action.signatory.organisation)
        if action.signatory_id
        else None,
        "budget": action.budget,
        "milestones": [
            {
                "id": m.pk,
                "title": m.title,
                "due_on": m.due_on,
                "done_on": m.done_on,
                "late": m.done_on is None and m.due_on < today,
            }
            for m in action.milestones.all()
        ],
        "indicators": list(action.indicators.all()),
        "updates": [
            {
                "id": u.pk,
                "dated": u.dated,
                "body": u.body,
                "progress": u.progress,
                "status": _code_label(u.status, statuses[u.status])
                if u.status
                else None,
                "attachment_url": _url(
                    request,
                    reverse("actionplan:update_attachment", args=[action.pk, u.pk]),
                )
                if u.attachment
                else None,
            }
            for u in action.updates.all()
        ],
        "links": {
            "needs": [
                {
                    "id": n.pk,
                    "title": n.title,
                    "url": _url(request, n.get_absolute_url()),
                }
                for n in links.needs
            ],
            "funding_requests": [
                {
                    "id": r.pk,
                    "title": r.title,
                    "url": _url(request, r.get_absolute_url()),
                }
                for r in links.funding_requests
            ],
            "opinions": [
                {
                    "id": o.pk,
                    "request_title": o.request.title,
                    "verdict": _code_label(o.verdict, o.get_verdict_display()),
                    "adopted_on": o.adopted_on,
                    "url": _url(request, o.get_absolute_url()),
                }
                for o in links.opinions
            ],
            "datasets": [
                {
                    "id": d.pk,
                    "title": d.title,
                    "url": _url(request, d.get_absolute_url()),
                }
                for d in links.datasets
            ],
            "continues": _action_ref(request, links.previous),
            "continued_by": _action_ref(request, links.next),
        },
    }
