"""Pages of needs and supports: the list with its map and exports, the heat map,
a need's page (territory, backers, what the catalogue holds, score, answer,
history, attachments), the forms to express, edit, support, and the secretariat's
decision, merge and split.

Each view parses the request, calls one selector or service and renders. The
services check the permissions again; the checks here only decide what to show
and answer 403 early, before a form is filled for nothing. A draft is a 404 for
anyone but its author (``selectors.needs.need_get``).
"""

import math
from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crig.actionplan.selectors import actions_linked
from crig.core.errors import CrigError
from crig.core.http import http_errors, require_perm
from crig.core.reversing import reverser
from crig.needs import services
from crig.needs.api.needs import SUPPORT_COLOUR, heat_legend, theme_style
from crig.needs.forms import (
    AttachmentForm,
    DecisionForm,
    HeatmapForm,
    MergeForm,
    NeedFilterForm,
    NeedForm,
    SplitForm,
    SupportForm,
    supporting_organisations,
)
from crig.needs.models import Need, NeedAttachment, Support
from crig.needs.selectors import matching as matching_selectors
from crig.needs.selectors import needs as need_selectors
from crig.needs.selectors import priorities as priority_selectors
from crig.territory.forms import TerritoryInputForm

PAGE_SIZE = 20
HEATMAP_TOP = 20
SCORED_STATES = (Need.State.NEW, Need.State.QUALIFIED, Need.State.RETAINED)
API_NEEDS = "/api/v1/needs"


# Helpers ----------------------------------------------------------------------


def _need_or_404(request, pk: int) -> Need:
    with http_errors():
        return need_selectors.need_get(user=request.user, pk=pk)


def _add_error(form, error: CrigError, territory_form=None) -> None:
    """Show a service's error on the field it names, in whichever form has it;
    an error on the territory above the territory picker; else on the form."""
    for candidate in (form, territory_form):
        if candidate is not None and error.field and error.field in candidate.fields:
            candidate.add_error(error.field, str(error.message))
            return
    if territory_form is not None and error.field == "territory":
        territory_form.add_error(None, str(error.message))
        return
    form.add_error(None, str(error.message))


def _selection_notes(request, territory_forms) -> None:
    """What the territory input changed or left out (repaired geometry, parts
    outside the region…), told once the need is saved."""
    for territory_form in territory_forms:
        selection = territory_form.cleaned_data.get("selection")
        for note in getattr(selection, "notes", None) or ():
            messages.info(request, note)


def _status(*forms) -> HTTPStatus:
    bound = [form for form in forms if form is not None and form.is_bound]
    if any(form.errors for form in bound):
        return HTTPStatus.BAD_REQUEST
    return HTTPStatus.OK


def _percent(share: float) -> str:
    """A share for a person: whole percents, never "0 %" for a little nor
    "100 %" for almost all."""
    percent = share * 100
    if 0 < percent < 1:
        return _("less than 1")
    if 99 < percent < 100:
        return "99"
    return str(round(percent))


def _number(value: float, digits: int) -> str:
    """A number for a person: "20", not "20,0"; "1,5" in French."""
    value = round(value, digits)
    return number_format(int(value) if value == int(value) else value)


def _resolution(metres: float | None) -> str:
    if metres is None:
        return ""
    if metres < 1:
        return _("%(value)s cm") % {"value": _number(metres * 100, 1)}
    return _("%(value)s m") % {"value": _number(metres, 2)}


def _dataset_sentence(match) -> str:
    """« 80 % of the area covered by BD ORTHO 2023 at 20 cm »."""
    name = match.title
    if match.year and str(match.year) not in name:
        name = f"{name} {match.year}"
    if match.resolution_m is not None:
        name = _("%(dataset)s at %(resolution)s") % {
            "dataset": name,
            "resolution": _resolution(match.resolution_m),
        }
    sentence = _("%(percent)s %% of the area covered by %(dataset)s") % {
        "percent": _percent(match.area_share),
        "dataset": name,
    }
    if match.fine_enough is False:
        sentence += " " + _("(coarser than the wanted resolution)")
    return sentence


def _match_context(match) -> dict | None:
    if match is None:
        return None
    # A need over the region lists its 4,453 communes: one reverse, not one each.
    dataset_url = reverser("catalog:dataset_detail")
    return {
        "match": match,
        "sentences": [
            {"text": _dataset_sentence(dataset), "dataset": dataset}
            for dataset in match.datasets
        ],
        "gap_percent": _percent(match.gap_share),
        "covered_percent": _percent(match.covered_share),
        "communes": [
            {
                "row": row,
                "need_percent": _percent(row.need_share),
                "resolution": _resolution(row.best.resolution_m) if row.best else "",
                "dataset_url": dataset_url(row.best.dataset_id) if row.best else "",
            }
            for row in match.communes
        ],
    }


def _same_territory(own, consolidated) -> bool:
    shares = {row.insee: round(row.need_share, 3) for row in own.communes}
    return shares == {
        row.insee: round(row.need_share, 3) for row in consolidated.communes
    }


def _list_query(form: NeedFilterForm, **extra) -> str:
    return urlencode({**form.query(), **extra})


# List and maps ----------------------------------------------------------------


def need_list(request):
    form = NeedFilterForm(request.GET or None, user=request.user)
    needs = need_selectors.needs_list(user=request.user, filters=form.filters())
    paginator = Paginator(needs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = _list_query(form)
    exports = [
        (label, f"{API_NEEDS}?{_list_query(form, format=fmt)}")
        for label, fmt in (("CSV", "csv"), ("XLSX", "xlsx"), ("GeoJSON", "geojson"))
    ]
    return render(
        request,
        "needs/need_list.html",
        {
            "form": form,
            "page": page,
            "count": paginator.count,
            "query": query,
            "filtered": bool(query),
            "geojson_url": f"{API_NEEDS}?{_list_query(form, format='geojson')}",
            "exports": exports,
            "can_add": request.user.has_perm("needs.add_need"),
        },
        status=HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else None,
    )


def heatmap(request):
    form = HeatmapForm(request.GET or None)
    theme = form.theme_value()
    cells = need_selectors.needs_heatmap(user=request.user, theme=theme)
    top = sorted(cells, key=lambda cell: (-(cell.needs + cell.supports), cell.name))
    return render(
        request,
        "needs/heatmap.html",
        {
            "form": form,
            "theme": theme,
            "cells": top[:HEATMAP_TOP],
            # The API colours the map; the same classes, said in words.
            "legend": heat_legend(),
            "commune_count": len(cells),
            "geojson_url": f"{API_NEEDS}/heatmap?"
            + urlencode({"format": "geojson", **({"theme": theme} if theme else {})}),
        },
    )


# Creation and edition ---------------------------------------------------------


def _territory_form(request, prefix: str, *, required: bool) -> TerritoryInputForm:
    if request.method == "POST":
        return TerritoryInputForm(
            request.POST, request.FILES, prefix=prefix, required=required
        )
    return TerritoryInputForm(None, None, prefix=prefix, required=required)


@login_required
def need_create(request):
    if not request.user.has_perm("needs.add_need"):
        return render(
            request, "needs/need_no_organisation.html", status=HTTPStatus.FORBIDDEN
        )
    form = NeedForm(request.POST or None, user=request.user)
    territory_form = _territory_form(request, "territory", required=True)
    if request.method == "POST":
        form_valid = form.is_valid()
        territory_valid = territory_form.is_valid()
        if form_valid and territory_valid:
            submit = "submit" in request.POST
            try:
                with http_errors():
                    need = services.need_create(
                        author=request.user,
                        organisation=form.cleaned_data["organisation"],
                        data=form.need_data(),
                        territory=territory_form.cleaned_data["selection"],
                        submit=submit,
                    )
            except CrigError as error:
                _add_error(form, error, territory_form)
            else:
                _selection_notes(request, [territory_form])
                if submit:
                    messages.success(
                        request,
                        _(
                            "Your need has been submitted. It is public and other "
                            "organisations may support it."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Your draft has been saved. Only you can see it until "
                            "you submit it."
                        ),
                    )
                return redirect(need)
    return render(
        request,
        "needs/need_form.html",
        {"form": form, "territory_form": territory_form, "need": None},
        status=_status(form, territory_form),
    )


@login_required
def need_edit(request, pk):
    need = _need_or_404(request, pk)
    require_perm(request, "needs.change_need", need)
    form = NeedForm(request.POST or None, user=request.user, need=need)
    territory_form = _territory_form(request, "territory", required=False)
    if request.method == "POST":
        form_valid = form.is_valid()
        territory_valid = territory_form.is_valid()
        if form_valid and territory_valid:
            try:
                with http_errors():
                    need = services.need_update(
                        actor=request.user,
                        need=need,
                        data=form.need_data(),
                        territory=territory_form.cleaned_data.get("selection"),
                        contact=form.cleaned_data.get("contact"),
                    )
            except CrigError as error:
                _add_error(form, error, territory_form)
            else:
                _selection_notes(request, [territory_form])
                messages.success(request, _("The need has been updated."))
                return redirect(need)
    return render(
        request,
        "needs/need_form.html",
        {"form": form, "territory_form": territory_form, "need": need},
        status=_status(form, territory_form),
    )


@login_required
@require_POST
def need_submit(request, pk):
    need = _need_or_404(request, pk)
    require_perm(request, "needs.submit_need", need)
    try:
        with http_errors():
            services.need_submit(actor=request.user, need=need)
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _(
                "Your need has been submitted. It is public and other "
                "organisations may support it."
            ),
        )
    return redirect("needs:detail", pk=need.pk)


@login_required
@require_POST
def need_delete(request, pk):
    need = _need_or_404(request, pk)
    require_perm(request, "needs.delete_need", need)
    try:
        with http_errors():
            services.need_delete(actor=request.user, need=need)
    except CrigError as error:
        messages.error(request, str(error.message))
        return redirect("needs:detail", pk=need.pk)
    messages.success(request, _("The draft has been deleted."))
    return redirect("needs:list")


# A need's page ----------------------------------------------------------------


def need_detail(request, pk):
    need = _need_or_404(request, pk)
    user = request.user
    backers = need_selectors.need_backers(need)
    supports = [backer for backer in backers if backer.support is not None]
    with http_errors():
        own_match = matching_selectors.need_match(user=user, need=need)
        consolidated_match = (
            matching_selectors.need_match(user=user, need=need, consolidated=True)
            if supports
            else None
        )
    if consolidated_match is not None and _same_territory(
        own_match, consolidated_match
    ):
        # Supports over the need's own territory: the same figures twice would
        # only make the page longer.
        consolidated_match = None
    score = (
        priority_selectors.need_score(user=user, need=need)
        if need.state in SCORED_STATES
        else None
    )
    can = {
        "edit": user.has_perm("needs.change_need", need),
        "submit": user.has_perm("needs.submit_need", need)
        and need.state == Need.State.DRAFT,
        "delete": user.has_perm("needs.delete_need", need)
        and need.state == Need.State.DRAFT,
        # Administrators pass every rule, yet support in an organisation's name.
        "support": user.has_perm("needs.support_need", need)
        and supporting_organisations(user, need).exists(),
        "decide": user.has_perm("needs.qualify_need", need)
        and need.state != Need.State.MERGED,
        "merge": user.has_perm("needs.merge_need", need)
        and need.state != Need.State.MERGED,
        "split": user.has_perm("needs.split_need", need)
        and need.state != Need.State.MERGED,
        "attach": user.has_perm("needs.add_attachment", need),
    }
    supportable = need.state in (
        Need.State.NEW,
        Need.State.QUALIFIED,
        Need.State.RETAINED,
    )
    return render(
        request,
        "needs/need_detail.html",
        {
            "need": need,
            "backers": [
                {
                    "backer": backer,
                    "can_change": backer.support is not None
                    and user.has_perm("needs.change_support", backer.support),
                }
                for backer in backers
            ],
            "own": _match_context(own_match),
            "consolidated": _match_context(consolidated_match),
            "score": score,
            "plan_actions": actions_linked(user=user, need=need),
            "events": need.events.select_related("actor", "related_need"),
            "attachments": need.attachments.all(),
            "can": can,
            "show_support_login": not user.is_authenticated and supportable,
            "decision_form": DecisionForm(need=need) if can["decide"] else None,
            "merge_form": MergeForm(need=need) if can["merge"] else None,
            "attachment_form": AttachmentForm() if can["attach"] else None,
            "geojson_url": f"{API_NEEDS}/{need.pk}?format=geojson",
            # The colours the API gives the map's outlines, for the legend.
            "map_colours": {
                "own": theme_style(need.theme)["color"],
                "support": SUPPORT_COLOUR,
            },
            "merged_needs": need.merged_needs.all(),
            "split_needs": need.split_needs.all(),
        },
    )


# Supports ---------------------------------------------------------------------


@login_required
def support_create(request, pk):
    need = _need_or_404(request, pk)
    require_perm(request, "needs.support_need", need)
    form = SupportForm(request.POST or None, user=request.user, need=need)
    territory_form = _territory_form(request, "territory", required=False)
    if request.method == "POST":
        form_valid = form.is_valid()
        territory_valid = territory_form.is_valid()
        if form_valid and territory_valid:
            try:
                with http_errors():
                    services.support_create(
                        author=request.user,
                        need=need,
                        organisation=form.cleaned_data["organisation"],
                        data=form.support_data(),
                        territory=territory_form.cleaned_data.get("selection"),
                    )
            except CrigError as error:
                _add_error(form, error, territory_form)
            else:
                _selection_notes(request, [territory_form])
                messages.success(
                    request,
                    _("Your organisation now supports this need. Thank you!"),
                )
                return redirect(need)
    return render(
        request,
        "needs/support_form.html",
        {
            "form": form,
            "territory_form": territory_form,
            "need": need,
            "support": None,
        },
        status=_status(form, territory_form),
    )


def _support_or_404(request, pk, support_pk) -> tuple[Need, Support]:
    need = _need_or_404(request, pk)
    support = get_object_or_404(
        Support.objects.select_related("organisation"), pk=support_pk, need=need
    )
    return need, support


@login_required
def support_edit(request, pk, support_pk):
    need, support = _support_or_404(request, pk, support_pk)
    require_perm(request, "needs.change_support", support)
    form = SupportForm(
        request.POST or None, user=request.user, need=need, support=support
    )
    territory_form = _territory_form(request, "territory", required=False)
    if request.method == "POST":
        form_valid = form.is_valid()
        territory_valid = territory_form.is_valid()
        if form_valid and territory_valid:
            try:
                with http_errors():
                    services.support_update(
                        actor=request.user,
                        support=support,
                        data=form.support_data(),
                        territory=territory_form.cleaned_data.get("selection"),
                    )
            except CrigError as error:
                _add_error(form, error, territory_form)
            else:
                _selection_notes(request, [territory_form])
                messages.success(request, _("The support has been updated."))
                return redirect(need)
    return render(
        request,
        "needs/support_form.html",
        {
            "form": form,
            "territory_form": territory_form,
            "need": need,
            "support": support,
        },
        status=_status(form, territory_form),
    )


@login_required
@require_POST
def support_withdraw(request, pk, support_pk):
    need, support = _support_or_404(request, pk, support_pk)
    require_perm(request, "needs.change_support", support)
    try:
        with http_errors():
            services.support_withdraw(actor=request.user, support=support)
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(organisation)s no longer supports this need.")
            % {"organisation": support.organisation.name},
        )
    return redirect(need)


# The secretariat's work -------------------------------------------------------


@login_required
def need_decide(request, pk):
    need = _need_or_404(request, pk)
    require_perm(request, "needs.qualify_need", need)
    form = DecisionForm(request.POST or None, need=need)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                need = services.need_transition(
                    actor=request.user,
                    need=need,
                    to_state=form.cleaned_data["to_state"],
                    answer=form.cleaned_data["answer"].strip(),
                    plan_fit=form.cleaned_data["plan_fit"],
                )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("The need is now “%(state)s”; everyone involved is notified.")
                % {"state": need.get_state_display()},
            )
            return redirect(need)
    return render(
        request,
        "needs/need_decide.html",
        {"form": form, "need": need},
        status=_status(form),
    )


@login_required
def need_merge(request, pk):
    need = _need_or_404(request, pk)
    require_perm(request, "needs.merge_need", need)
    form = MergeForm(request.POST or None, need=need)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                kept = services.need_merge(
                    actor=request.user,
                    need=need,
                    into=form.cleaned_data["into"],
                    message=form.cleaned_data["message"].strip(),
                )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("“%(merged)s” has been merged into this need.")
                % {"merged": need.title},
            )
            return redirect(kept)
    return render(
        request,
        "needs/need_merge.html",
        {"form": form, "need": need},
        status=_status(form),
    )


@login_required
def need_split(request, pk):
    need = _need_or_404(request, pk)
    require_perm(request, "needs.split_need", need)
    form = SplitForm(request.POST or None, need=need)
    part_forms = [
        _territory_form(request, f"part{number}", required=True)
        for number in range(1, SplitForm.PARTS + 1)
    ]
    if request.method == "POST":
        valid = [form.is_valid()] + [part.is_valid() for part in part_forms]
        if all(valid):
            parts = [
                (
                    form.cleaned_data[f"title_{number}"].strip(),
                    part.cleaned_data["selection"],
                )
                for number, part in enumerate(part_forms, start=1)
            ]
            try:
                with http_errors():
                    result = services.need_split(
                        actor=request.user,
                        need=need,
                        parts=parts,
                        message=form.cleaned_data["message"].strip(),
                    )
            except CrigError as error:
                _add_error(form, error)
            else:
                _selection_notes(request, part_forms)
                messages.success(
                    request,
                    _("The need has been split into %(count)s needs.")
                    % {"count": len(result)},
                )
                return redirect(result[0])
    return render(
        request,
        "needs/need_split.html",
        {
            "form": form,
            "need": need,
            "parts": [
                {
                    "number": number,
                    "title": form[f"title_{number}"],
                    "territory_form": part,
                }
                for number, part in enumerate(part_forms, start=1)
            ],
        },
        status=_status(form, *part_forms),
    )


# Attachments ------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request, pk):
    need = _need_or_404(request, pk)
    require_perm(request, "needs.add_attachment", need)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect(need)
    upload = form.cleaned_data["file"]
    if upload.size > settings.NEEDS_ATTACHMENT_MAX_BYTES:
        # Refused before reading it into memory; the service checks it too.
        messages.error(
            request,
            _("The file is larger than the limit of %(size)s MB.")
            % {"size": math.floor(settings.NEEDS_ATTACHMENT_MAX_BYTES / 1024 / 1024)},
        )
        return redirect(need)
    try:
        with http_errors():
            services.need_attachment_add(
                actor=request.user, need=need, name=upload.name, data=upload.read()
            )
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("“%(name)s” has been attached.") % {"name": upload.name}
        )
    return redirect(reverse("needs:detail", args=[need.pk]) + "#attachments")


def _attachment_or_404(request, pk, attachment_pk) -> tuple[Need, NeedAttachment]:
    need = _need_or_404(request, pk)
    attachment = get_object_or_404(NeedAttachment, pk=attachment_pk, need=need)
    return need, attachment


def attachment_download(request, pk, attachment_pk):
    _need, attachment = _attachment_or_404(request, pk, attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
@require_POST
def attachment_remove(request, pk, attachment_pk):
    need, attachment = _attachment_or_404(request, pk, attachment_pk)
    require_perm(request, "needs.add_attachment", need)
    name = attachment.name
    try:
        with http_errors():
            services.need_attachment_remove(actor=request.user, attachment=attachment)
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("“%(name)s” has been removed.") % {"name": name})
    return redirect(reverse("needs:detail", args=[need.pk]) + "#attachments")


routes = [
    path("", need_list, name="list"),
    path("carte/", heatmap, name="heatmap"),
    path("nouveau/", need_create, name="create"),
    path("<int:pk>/", need_detail, name="detail"),
    path("<int:pk>/modifier/", need_edit, name="edit"),
    path("<int:pk>/deposer/", need_submit, name="submit"),
    path("<int:pk>/supprimer/", need_delete, name="delete"),
    path("<int:pk>/soutenir/", support_create, name="support"),
    path(
        "<int:pk>/soutiens/<int:support_pk>/modifier/",
        support_edit,
        name="support_edit",
    ),
    path(
        "<int:pk>/soutiens/<int:support_pk>/retirer/",
        support_withdraw,
        name="support_withdraw",
    ),
    path("<int:pk>/decision/", need_decide, name="decide"),
    path("<int:pk>/fusionner/", need_merge, name="merge"),
    path("<int:pk>/scinder/", need_split, name="split"),
    path("<int:pk>/pieces-jointes/ajouter/", attachment_add, name="attachment_add"),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/",
        attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/supprimer/",
        attachment_remove,
        name="attachment_remove",
    ),
]
