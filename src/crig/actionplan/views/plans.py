"""Pages of the plans: the latest plan, a plan at a glance (charts, filters, the
actions by category), its exports, and the editors' forms (create, edit,
publish, roll over).

A draft plan is a 404 for anyone who may not edit the plan
(``selectors.plan_get``); the services check the permissions again, the checks
here only decide what to show and answer 403 before a form is filled for
nothing."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crig.actionplan import report as plan_report
from crig.actionplan import selectors, services
from crig.actionplan.forms import ActionFilterForm, PlanForm
from crig.actionplan.models import Action, Plan
from crig.actionplan.report import STATUS_COLOURS
from crig.actionplan.views._common import (
    add_error,
    plan_or_404,
)
from crig.core.charts import progress_bar
from crig.core.errors import CrigError
from crig.core.exports import export_response
from crig.core.http import http_errors, require_perm

EXPORT_FORMATS = ("csv", "xlsx")


def index(request):
    """The latest plan the person may see; the list of years when there is
    none to show."""
    plans = list(selectors.plans_visible_to(request.user).order_by("-year"))
    published = [plan for plan in plans if plan.state == Plan.State.PUBLISHED]
    latest = published[0] if published else (plans[0] if plans else None)
    if latest is not None and "annees" not in request.GET:
        return redirect(latest)
    return render(
        request,
        "actionplan/index.html",
        {
            "plans": plans,
            "can_create": request.user.has_perm("actionplan.change_plan"),
        },
    )


def _neighbours(request, plan: Plan) -> tuple[Plan | None, Plan | None]:
    visible = selectors.plans_visible_to(request.user)
    previous = visible.filter(year__lt=plan.year).order_by("-year").first()
    following = visible.filter(year__gt=plan.year).order_by("year").first()
    return previous, following


def action_rows(actions) -> list[dict]:
    """The actions as the lists show them, each with its progress bar."""
    return [
        {
            "action": action,
            "progress_bar": progress_bar(
                action.progress,
                label=_("Progress of “%(title)s”: %(progress)s %%")
                % {"title": action.title, "progress": action.progress},
            ),
        }
        for action in actions
    ]


def plan_detail(request, year):
    plan = plan_or_404(request, year)
    user = request.user
    form = ActionFilterForm(request.GET or None, plan=plan)
    with http_errors():
        overview = selectors.plan_overview(user=user, plan=plan)
        actions = list(
            selectors.plan_actions(user=user, plan=plan, filters=form.filters())
        )
    rows = action_rows(actions)
    groups = [
        {
            "category": category,
            "rows": [row for row in rows if row["action"].category == category.value],
        }
        for category in Action.Category
    ]
    previous, following = _neighbours(request, plan)
    can_edit = user.has_perm("actionplan.change_plan", plan)
    return render(
        request,
        "actionplan/plan_detail.html",
        {
            "plan": plan,
            "overview": overview,
            "form": form,
            "filtered": form.active(),
            "count": len(actions),
            "groups": [group for group in groups if group["rows"]],
            "progress_chart": plan_report.progress_chart(overview),
            "status_chart": plan_report.status_chart(overview),
            "status_colours": STATUS_COLOURS,
            "previous": previous,
            "next": following,
            "can_edit": can_edit,
            "can_roll_over": can_edit
            and not Plan.objects.filter(year=plan.year + 1).exists(),
            "can_publish": can_edit and plan.state == Plan.State.DRAFT,
            "exports": [
                (fmt.upper(), reverse("actionplan:export", args=[plan.year, fmt]))
                for fmt in EXPORT_FORMATS
            ],
        },
        status=HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else None,
    )


def export(request, year, fmt):
    plan = plan_or_404(request, int(year))
    with http_errors():
        header, rows = plan_report.export_table(user=request.user, plan=plan)
    return export_response(
        format=fmt,
        filename=f"plan-d-actions-{plan.year}",
        header=header,
        rows=rows,
        sheet_title=_("Actions %(year)s") % {"year": plan.year},
    )


@login_required
def plan_create(request):
    require_perm(request, "actionplan.change_plan")
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                plan = services.plan_create(
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    title=form.cleaned_data["title"],
                    introduction=form.cleaned_data["introduction"],
                )
        except CrigError as error:
            add_error(form, error)
        else:
            messages.success(
                request,
                _("The %(year)s plan has been created as a draft.")
                % {"year": plan.year},
            )
            return redirect(plan)
    return render(
        request,
        "actionplan/plan_form.html",
        {"form": form, "plan": None},
        status=HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else None,
    )


@login_required
def plan_edit(request, year):
    plan = plan_or_404(request, year)
    require_perm(request, "actionplan.change_plan", plan)
    form = PlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                services.plan_update(
                    actor=request.user,
                    plan=plan,
                    title=form.cleaned_data["title"],
                    introduction=form.cleaned_data["introduction"],
                )
        except CrigError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The plan has been updated."))
            return redirect(plan)
    return render(
        request,
        "actionplan/plan_form.html",
        {"form": form, "plan": plan},
        status=HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else None,
    )


@login_required
@require_POST
def plan_publish(request, year):
    plan = plan_or_404(request, year)
    require_perm(request, "actionplan.change_plan", plan)
    try:
        with http_errors():
            services.plan_publish(actor=request.user, plan=plan)
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The %(year)s plan is published: everyone can read it.")
            % {"year": plan.year},
        )
    return redirect(plan)


@login_required
def plan_roll_over(request, year):
    """A confirmation page (GET), then the roll-over (POST)."""
    plan = plan_or_404(request, year)
    require_perm(request, "actionplan.change_plan", plan)
    unfinished = plan.actions.exclude(
        status__in=[Action.Status.DONE, Action.Status.ABANDONED]
    ).order_by("number")
    error = None
    if request.method == "POST":
        try:
            with http_errors():
                new_plan = services.plan_roll_over(actor=request.user, plan=plan)
        except CrigError as refused:
            error = str(refused.message)
        else:
            messages.success(
                request,
                _(
                    "The %(year)s plan has been started as a draft with the "
                    "%(count)s unfinished actions of %(previous)s."
                )
                % {
                    "year": new_plan.year,
                    "count": new_plan.actions.count(),
                    "previous": plan.year,
                },
            )
            return redirect(new_plan)
    elif Plan.objects.filter(year=plan.year + 1).exists():
        error = str(
            _(
                "The %(year)s plan already exists: the %(previous)s plan has "
                "already been rolled over."
            )
            % {"year": plan.year + 1, "previous": plan.year}
        )
    return render(
        request,
        "actionplan/plan_roll_over.html",
        {
            "plan": plan,
            "next_year": plan.year + 1,
            "unfinished": unfinished,
            "error": error,
        },
        status=HTTPStatus.CONFLICT if error else None,
    )


routes = [
    path("", index, name="index"),
    path("nouveau/", plan_create, name="plan_create"),
    path("<int:year>/", plan_detail, name="plan_detail"),
    path("<int:year>/modifier/", plan_edit, name="plan_edit"),
    path("<int:year>/publier/", plan_publish, name="plan_publish"),
    path("<int:year>/reconduire/", plan_roll_over, name="plan_roll_over"),
    re_path(r"^(?P<year>[0-9]+)/actions\.(?P<fmt>csv|xlsx)$", export, name="export"),
]
