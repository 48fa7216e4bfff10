"""Pages of an action: its page (objectives, leads, milestones, indicators,
progress updates, links to the other modules, history), the editors' forms
(create, edit with milestones and indicators, links) and what the leads keep
current (a progress update with its attachment, a milestone done, an
indicator's value).

A form refused by a service comes back with the service's message and nothing
changed (the services are atomic); the small forms of the action's page
re-render the page with the message beside the form, answered 400."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from crig.actionplan import selectors, services
from crig.actionplan.forms import (
    ActionForm,
    IndicatorCurrentForm,
    LinkForm,
    MilestoneDoneForm,
    ProgressUpdateForm,
    formset_values,
    indicator_formset,
    milestone_formset,
)
from crig.actionplan.models import Action, Plan, ProgressUpdate
from crig.actionplan.report import STATUS_COLOURS
from crig.actionplan.views._common import (
    action_or_404,
    add_error,
    form_status,
    plan_or_404,
)
from crig.core.charts import progress_bar
from crig.core.errors import CrigError
from crig.core.http import http_errors, require_perm

HISTORY_LABELS = {
    "created": pgettext_lazy("action history", "Created"),
    "updated": gettext_lazy("Edited"),
    "linked": gettext_lazy("Links changed"),
    "progress_update": gettext_lazy("Progress update"),
    "indicator": gettext_lazy("Indicator updated"),
    "milestone": gettext_lazy("Milestone updated"),
}


def _field_label(name: str) -> str:
    try:
        return str(Action._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # "indicator: …", "update"
        prefix, _sep, rest = name.partition(": ")
        labels = {
            "indicator": _("Indicator"),
            "milestone": _("Milestone"),
            "update": _("Update"),
            "milestones": _("Milestones"),
            "indicators": _("Indicators"),
        }
        label = labels.get(prefix, prefix)
        return f"{label} : {rest}" if rest else str(label)


def _history_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _history(action: Action) -> list[dict]:
    return [
        {
            "change": change,
            "label": HISTORY_LABELS.get(change.what, change.what),
            "fields": [
                {
                    "label": _field_label(name),
                    "before": _history_text(values[0]),
                    "after": _history_text(values[1]),
                }
                for name, values in sorted(change.changes.items())
                if isinstance(values, list) and len(values) == 2
            ],
        }
        for change in action.changes.select_related("actor").order_by("-at", "-pk")
    ]


def _milestones(action: Action) -> list[dict]:
    today = timezone.localdate()
    rows = []
    for milestone in action.milestones.all():
        if milestone.done_on:
            state, label = "done", _("Achieved")
        elif milestone.due_on < today:
            state, label = "late", _("Late")
        else:
            state, label = "upcoming", _("To come")
        rows.append({"milestone": milestone, "state": state, "label": label})
    return rows


def _indicators(action: Action) -> list[dict]:
    return [
        {
            "indicator": indicator,
            "bar": progress_bar(
                float(indicator.current),
                maximum=float(indicator.target),
                label=_("%(name)s: %(current)s out of %(target)s")
                % {
                    "name": indicator.name,
                    "current": indicator.current.normalize(),
                    "target": indicator.target.normalize(),
                },
            ),
        }
        for indicator in action.indicators.all()
    ]


def _detail(request, action: Action, *, status=None, **forms):
    user = request.user
    with http_errors():
        links = selectors.action_links(user=user, action=action)
    can = {
        "edit": user.has_perm("actionplan.change_action", action),
        "update": user.has_perm("actionplan.update_progress", action),
    }
    updates = list(action.updates.select_related("author"))
    return render(
        request,
        "actionplan/action_detail.html",
        {
            "action": action,
            "plan": action.plan,
            "links": links,
            "milestones": _milestones(action),
            "indicators": _indicators(action),
            "updates": updates,
            "history": _history(action) if can["edit"] else [],
            "can": can,
            "progress_bar": progress_bar(
                action.progress,
                label=_("Progress: %(progress)s %%") % {"progress": action.progress},
            ),
            "status_colours": STATUS_COLOURS,
            "update_form": forms.get("update_form")
            or (ProgressUpdateForm(action=action) if can["update"] else None),
            "milestone_error": forms.get("milestone_error"),
            "indicator_error": forms.get("indicator_error"),
            "today": timezone.localdate(),
        },
        status=status,
    )


def action_detail(request, pk):
    return _detail(request, action_or_404(request, pk))


def _action_form_page(request, *, plan: Plan, action: Action | None):
    post = request.POST if request.method == "POST" else None
    form = ActionForm(post, action=action)
    milestones = milestone_formset(post, action=action)
    indicators = indicator_formset(post, action=action)
    if post is not None and all(
        [form.is_valid(), milestones.is_valid(), indicators.is_valid()]
    ):
        data = form.action_data(
            milestones=formset_values(milestones, "milestone"),
            indicators=formset_values(indicators, "indicator"),
        )
        try:
            with http_errors():
                if action is None:
                    saved = services.action_create(
                        actor=request.user, plan=plan, data=data
                    )
                else:
                    saved = services.action_update(
                        actor=request.user, action=action, data=data
                    )
        except CrigError as error:
            add_error(form, error)
        else:
            messages.success(
                request,
                _("The action has been added to the plan.")
                if action is None
                else _("The action has been updated."),
            )
            return redirect(saved)
    status = form_status(form, milestones, indicators)
    return render(
        request,
        "actionplan/action_form.html",
        {
            "form": form,
            "milestones": milestones,
            "indicators": indicators,
            "plan": plan,
            "action": action,
            "refused": status == HTTPStatus.BAD_REQUEST
            or bool(post is not None and form.errors),
        },
        status=status if status != HTTPStatus.OK else None,
    )


@login_required
def action_create(request, year):
    plan = plan_or_404(request, year)
    require_perm(request, "actionplan.change_plan", plan)
    return _action_form_page(request, plan=plan, action=None)


@login_required
def action_edit(request, pk):
    action = action_or_404(request, pk)
    require_perm(request, "actionplan.change_action", action)
    return _action_form_page(request, plan=action.plan, action=action)


@login_required
def action_links_edit(request, pk):
    action = action_or_404(request, pk)
    require_perm(request, "actionplan.change_action", action)
    form = LinkForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        action=action,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                services.action_link(
                    actor=request.user,
                    action=action,
                    need_ids=[need.pk for need in form.cleaned_data["needs"]],
                    funding_request_ids=[
                        item.pk for item in form.cleaned_data["funding_requests"]
                    ],
                    dataset_ids=form.cleaned_data["datasets"],
                )
        except CrigError as error:
            add_error(form, error)
        else:
            messages.success(request, _("The links of the action have been saved."))
            return redirect(reverse("actionplan:action_detail", args=[pk]) + "#links")
    return render(
        request,
        "actionplan/action_links.html",
        {"form": form, "action": action, "plan": action.plan},
        status=HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else None,
    )


@login_required
@require_POST
def update_add(request, pk):
    action = action_or_404(request, pk)
    require_perm(request, "actionplan.update_progress", action)
    form = ProgressUpdateForm(request.POST, request.FILES, action=action)
    if form.is_valid():
        try:
            with http_errors():
                services.progress_update_add(
                    actor=request.user,
                    action=action,
                    dated=form.cleaned_data["dated"],
                    body=form.cleaned_data["body"],
                    progress=form.cleaned_data["progress"],
                    status=form.cleaned_data["status"],
                    attachment=form.attachment_value(),
                )
        except CrigError as error:
            add_error(form, error)
        else:
            messages.success(request, _("Your progress update has been posted."))
            return redirect(reverse("actionplan:action_detail", args=[pk]) + "#updates")
    action.refresh_from_db()
    return _detail(request, action, status=HTTPStatus.BAD_REQUEST, update_form=form)


@login_required
@require_POST
def milestone_done(request, pk, milestone_pk):
    action = action_or_404(request, pk)
    require_perm(request, "actionplan.update_progress", action)
    form = MilestoneDoneForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Give the date it was done.")
    else:
        try:
            with http_errors():
                services.milestone_mark_done(
                    actor=request.user,
                    action=action,
                    milestone_id=milestone_pk,
                    done_on=form.cleaned_data["done_on"],
                )
        except CrigError as refused:
            error = str(refused.message)
    if error:
        return _detail(
            request,
            action,
            status=HTTPStatus.BAD_REQUEST,
            milestone_error={"id": milestone_pk, "message": error},
        )
    messages.success(request, _("The milestone has been updated."))
    return redirect(reverse("actionplan:action_detail", args=[pk]) + "#milestones")


@login_required
@require_POST
def indicator_set(request, pk, indicator_pk):
    action = action_or_404(request, pk)
    require_perm(request, "actionplan.update_progress", action)
    form = IndicatorCurrentForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("An indicator's current value must be a positive number.")
    else:
        try:
            with http_errors():
                services.indicator_set_current(
                    actor=request.user,
                    action=action,
                    indicator_id=indicator_pk,
                    current=form.cleaned_data["current"],
                )
        except CrigError as refused:
            error = str(refused.message)
    if error:
        return _detail(
            request,
            action,
            status=HTTPStatus.BAD_REQUEST,
            indicator_error={"id": indicator_pk, "message": error},
        )
    messages.success(request, _("The indicator has been updated."))
    return redirect(reverse("actionplan:action_detail", args=[pk]) + "#indicators")


def update_attachment(request, pk, update_pk):
    action = action_or_404(request, pk)
    update = get_object_or_404(ProgressUpdate, pk=update_pk, action=action)
    if not update.attachment:
        raise Http404
    try:
        handle = update.attachment.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    name = update.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


routes = [
    path("<int:year>/actions/nouvelle/", action_create, name="action_create"),
    path("actions/<int:pk>/", action_detail, name="action_detail"),
    path("actions/<int:pk>/modifier/", action_edit, name="action_edit"),
    path("actions/<int:pk>/liens/", action_links_edit, name="action_links"),
    path("actions/<int:pk>/suivi/", update_add, name="update_add"),
    path(
        "actions/<int:pk>/suivi/<int:update_pk>/piece-jointe/",
        update_attachment,
        name="update_attachment",
    ),
    path(
        "actions/<int:pk>/jalons/<int:milestone_pk>/",
        milestone_done,
        name="milestone_done",
    ),
    path(
        "actions/<int:pk>/indicateurs/<int:indicator_pk>/",
        indicator_set,
        name="indicator_set",
    ),
]
