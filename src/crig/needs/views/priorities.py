"""Pages of the score, the weights and the prioritisation rounds.

The forms of these pages live here too: they are only used by these views.
"""

from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crig.core.errors import CrigError, NotFound
from crig.core.http import require_perm
from crig.needs import services
from crig.needs.models import Need, Round, ScoringWeights
from crig.needs.selectors import priorities as selectors
from crig.needs.services.weights import MAX_WEIGHT

# Forms --------------------------------------------------------------------------------


class WeightsForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why these weights"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Public: shown with the weights."),
    )

    def __init__(self, *args, current: ScoringWeights, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for name in ScoringWeights.CRITERIA:
            fields[name] = forms.IntegerField(
                label=selectors.criterion_label(name).capitalize(),
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=getattr(current, name),
            )
        fields["note"] = self.fields["note"]
        self.fields = fields
        self.initial.setdefault("note", current.note)

    def weights(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in ScoringWeights.CRITERIA}


class ShortlistField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, need: Need) -> str:
        return _("No. %(number)s · %(title)s — %(organisation)s (%(state)s)") % {
            "number": need.pk,
            "title": need.title,
            "organisation": need.organisation.name,
            "state": need.get_state_display(),
        }


class RoundForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Ballots expected until"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text=gettext_lazy("Optional; no ballot is accepted after it."),
    )
    needs = ShortlistField(
        label=gettext_lazy("Shortlist"),
        queryset=Need.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "At least two needs, new, qualified or retained. They are listed by number."
        ),
    )

    def __init__(self, *args, round_: Round | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = selectors.shortlist_candidates()
        if round_ is not None:
            # Keep the needs already shortlisted visible, even if they changed
            # state since: the service says what is wrong with them.
            candidates = (candidates | round_.needs.all()).distinct()
        self.fields["needs"].queryset = candidates.select_related(
            "organisation"
        ).order_by("pk")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "need_ids": [need.pk for need in data["needs"]],
            "closes_at": data["closes_at"],
        }


class BallotForm(forms.Form):
    """One select per need of the shortlist: its position, 1 = most wanted."""

    def __init__(self, *args, needs: list[Need], organisations, ballots, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = needs
        choices = [("", "—")] + [(str(i), str(i)) for i in range(1, len(needs) + 1)]
        organisations = list(organisations)
        if len(organisations) > 1:
            self.fields["organisation"] = forms.TypedChoiceField(
                label=gettext_lazy("On behalf of"),
                choices=[(o.pk, o.name) for o in organisations],
                coerce=int,
            )
        self.organisations = {o.pk: o for o in organisations}
        previous = ballots.get(organisations[0].pk) if organisations else None
        positions = (
            {need_id: i for i, need_id in enumerate(previous.ranking, start=1)}
            if previous
            else {}
        )
        for need in needs:
            self.fields[f"position-{need.pk}"] = forms.ChoiceField(
                label=need.title,
                choices=choices,
                initial=positions.get(need.pk, ""),
                error_messages={
                    "required": _("Choose a position for “%(title)s”.")
                    % {"title": need.title}
                },
            )

    def position_fields(self):
        return [(need, self[f"position-{need.pk}"]) for need in self.needs]

    def clean(self):
        data = super().clean()
        by_position: dict[str, list[Need]] = {}
        for need in self.needs:
            position = data.get(f"position-{need.pk}")
            if position:
                by_position.setdefault(position, []).append(need)
        for position, needs in sorted(by_position.items(), key=lambda i: int(i[0])):
            if len(needs) > 1:
                self.add_error(
                    None,
                    _("Position %(position)s is given to several needs: %(needs)s.")
                    % {
                        "position": position,
                        "needs": ", ".join(
                            _("“%(title)s”") % {"title": n.title} for n in needs
                        ),
                    },
                )
        return data

    def chosen_organisation(self):
        if "organisation" in self.fields:
            return self.organisations[self.cleaned_data["organisation"]]
        return next(iter(self.organisations.values()))

    def ranking(self) -> list[int]:
        return [
            need.pk
            for need in sorted(
                self.needs,
                key=lambda need: int(self.cleaned_data[f"position-{need.pk}"]),
            )
        ]


# Helpers ------------------------------------------------------------------------------


def _round_or_404(request, pk: int) -> Round:
    try:
        return selectors.round_get(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404 from error


def _add_error(form, error: CrigError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def _status(form) -> int:
    return HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK


# Score and weights --------------------------------------------------------------------


def priorities(request):
    weights = selectors.weights_current()
    scores = selectors.needs_scored(user=request.user)
    criteria = [
        {
            "name": name,
            "label": selectors.criterion_label(name),
            "weight": getattr(weights, name),
        }
        for name in ScoringWeights.CRITERIA
    ]
    return render(
        request,
        "needs/priorities/priorities.html",
        {
            "scores": scores,
            "weights": weights,
            "criteria": criteria,
            "weight_total": sum(c["weight"] for c in criteria),
            "can_edit_weights": request.user.has_perm("needs.publish_weights"),
        },
    )


@login_required
def weights_edit(request):
    require_perm(request, "needs.publish_weights")
    current = selectors.weights_current()
    form = WeightsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.weights_publish(
                actor=request.user,
                weights=form.weights(),
                note=form.cleaned_data["note"],
            )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The new weights are published."))
            return redirect("needs:priorities")
    return render(
        request,
        "needs/priorities/weights_edit.html",
        {"form": form, "current": current},
        status=_status(form),
    )


# Rounds -------------------------------------------------------------------------------


def round_list(request):
    return render(
        request,
        "needs/priorities/round_list.html",
        {
            "years": selectors.rounds_by_year(request.user),
            "can_manage": request.user.has_perm("needs.manage_rounds"),
        },
    )


@login_required
def round_create(request):
    require_perm(request, "needs.manage_rounds")
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(
                actor=request.user,
                year=form.cleaned_data["year"],
                **form.service_kwargs(),
            )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("The round is prepared; open it when the shortlist is final."),
            )
            return redirect(round_)
    return render(
        request,
        "needs/priorities/round_form.html",
        {"form": form, "round": None},
        status=_status(form),
    )


@login_required
def round_edit(request, pk):
    require_perm(request, "needs.manage_rounds")
    round_ = _round_or_404(request, pk)
    if round_.state != Round.State.DRAFT:
        messages.error(request, _("Only a round in preparation can be changed."))
        return redirect(round_)
    initial = {
        "year": round_.year,
        "title": round_.title,
        "description": round_.description,
        "closes_at": round_.closes_at,
        "needs": list(round_.needs.all()),
    }
    form = RoundForm(request.POST or None, initial=initial, round_=round_)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_update(
                actor=request.user,
                round_=round_,
                year=form.cleaned_data["year"],
                **form.service_kwargs(),
            )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The round has been updated."))
            return redirect(round_)
    return render(
        request,
        "needs/priorities/round_form.html",
        {"form": form, "round": round_},
        status=_status(form),
    )


def _round_action(request, round_: Round):
    """Open or close the round (POST from the secretariat's buttons)."""
    action = request.POST.get("action")
    try:
        if action == "open":
            services.round_open(actor=request.user, round_=round_)
            messages.success(request, _("The round is open: referents can vote."))
        elif action == "close":
            services.round_close(actor=request.user, round_=round_)
            messages.success(request, _("The round is closed and its result public."))
        else:
            messages.error(request, _("Unknown action."))
    except CrigError as error:
        messages.error(request, str(error.message))
    return redirect(round_)


def round_detail(request, pk):
    round_ = _round_or_404(request, pk)
    user = request.user
    if request.method == "POST" and request.POST.get("action") in ("open", "close"):
        if not user.is_authenticated:
            return redirect(f"{reverse('members:login')}?next={request.path}")
        require_perm(request, "needs.manage_rounds")
        return _round_action(request, round_)

    status = selectors.round_status(user=user, round_=round_)
    needs = list(round_.needs.select_related("organisation").order_by("pk"))
    ballot_form = None
    http_status = HTTPStatus.OK
    if status.voting_organisations:
        ballot_form = BallotForm(
            request.POST if request.method == "POST" else None,
            needs=needs,
            organisations=status.voting_organisations,
            ballots=status.own_ballots,
        )
        if request.method == "POST":
            if ballot_form.is_valid():
                try:
                    services.ballot_submit(
                        actor=user,
                        round_=round_,
                        organisation=ballot_form.chosen_organisation(),
                        ranking=ballot_form.ranking(),
                    )
                except CrigError as error:
                    _add_error(ballot_form, error)
                else:
                    messages.success(
                        request,
                        _("The ballot of %(organisation)s is recorded.")
                        % {"organisation": ballot_form.chosen_organisation().name},
                    )
                    return redirect(round_)
            http_status = HTTPStatus.BAD_REQUEST
    elif request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('members:login')}?next={request.path}")
        raise DjangoPermissionDenied

    result = selectors.round_result(user=user, round_=round_)
    own_ballot_needs = None
    if status.own_ballot is not None:
        by_id = {need.pk: need for need in needs}
        own_ballot_needs = [by_id[i] for i in status.own_ballot.ranking if i in by_id]
    return render(
        request,
        "needs/priorities/round_detail.html",
        {
            "round": round_,
            "status": status,
            "needs": needs,
            "ballot_form": ballot_form,
            "own_ballot_needs": own_ballot_needs,
            "result": result,
            "matrix": _matrix_rows(result) if result else None,
            "can_manage": user.has_perm("needs.manage_rounds"),
        },
        status=http_status,
    )


def _matrix_rows(result: selectors.RoundResult) -> list[dict]:
    """Rows of the pairwise table: for need i, the count against each other need,
    marked when it wins the duel."""
    rows = []
    for i, need in enumerate(result.needs):
        cells = []
        for j in range(len(result.needs)):
            if i == j:
                cells.append({"self": True})
                continue
            wins = result.pairwise[i][j]
            loses = result.pairwise[j][i]
            cells.append(
                {
                    "self": False,
                    "count": wins,
                    "against": loses,
                    "wins": wins > loses,
                    "strongest": result.strongest[i][j],
                }
            )
        rows.append({"number": i + 1, "need": need, "cells": cells})
    return rows


routes = [
    path("priorites/", priorities, name="priorities"),
    path("priorites/poids/", weights_edit, name="weights_edit"),
    path("priorisation/", round_list, name="round_list"),
    path("priorisation/nouveau/", round_create, name="round_create"),
    path("priorisation/<int:pk>/", round_detail, name="round_detail"),
    path("priorisation/<int:pk>/modifier/", round_edit, name="round_edit"),
]
