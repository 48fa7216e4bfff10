"""Pages of funding requests: the list, the entry form, a request's file with the
analysis beside it, and the steps of the review (admissibility, reviewers,
declarations, positions, the opinion and its versions).

Each view parses the request, calls one selector or service and renders. The
services check the permissions again; the checks here decide what to show and
answer 403 early. A confidential request the person may not see is a 404, never
a 403: its existence is not revealed (``selectors.requests.request_get``).

Who sees the signatories' positions (decided here, from ``rules``):

- the secretariat, administrators and the cleared reviewers see every position
  with its scores and comments while the review runs and afterwards;
- the applicant's members see the positions and scores copied into the opinion,
  once it is published, never the comments (confidential for good);
- everyone else sees them on the public page of the published opinion, without
  the comments.
"""

import math
from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crig.core.errors import CrigError, NotFound
from crig.core.http import http_errors, require_perm
from crig.funding import rules as funding_rules
from crig.funding import services
from crig.funding.forms import (
    AdmissibilityForm,
    AmountsCheck,
    AssignReviewerForm,
    AttachmentForm,
    CorrectionForm,
    DeclarationForm,
    OpinionForm,
    PositionForm,
    RequestFilterForm,
    RequestForm,
    StartReviewForm,
    WithdrawForm,
    budget_formset,
    cofunder_formset,
    formset_values,
    reviewer_signatories,
)
from crig.funding.models import (
    Criterion,
    FundingRequest,
    Opinion,
    Position,
    RequestAttachment,
    ReviewerSeat,
)
from crig.funding.selectors import analysis as analysis_selectors
from crig.funding.selectors import register as register_selectors
from crig.funding.selectors import requests as request_selectors
from crig.funding.selectors.requests import RequestFilters

PAGE_SIZE = 20
API_REQUESTS = "/api/v1/funding-requests"
OPEN_STATES = (
    FundingRequest.State.SUBMITTED,
    FundingRequest.State.ADMISSIBLE,
    FundingRequest.State.UNDER_REVIEW,
)
#: Overlapping requests in these states still compete for money (or could
#: join forces); withdrawn and inadmissible ones do not.
LIVE_STATES = (
    *OPEN_STATES,
    FundingRequest.State.OPINION_ISSUED,
    FundingRequest.State.PUBLISHED,
)


#: The audit trail's actions (the names of the services that wrote them), for a
#: person.
AUDIT_ACTIONS = {
    "request_create": gettext_lazy("Request entered"),
    "request_update": gettext_lazy("Request changed"),
    "request_submit": gettext_lazy("Request submitted"),
    "request_withdraw": gettext_lazy("Request withdrawn"),
    "request_attachment_add": gettext_lazy("Attachment added"),
    "request_attachment_remove": gettext_lazy("Attachment removed"),
    "request_decide_admissibility": gettext_lazy("Admissibility decided"),
    "request_start_review": gettext_lazy("Review started"),
    "request_set_deadline": gettext_lazy("Deadline changed"),
    "reviewer_assign": gettext_lazy("Reviewer assigned"),
    "reviewer_unassign": gettext_lazy("Reviewer unassigned"),
    "conflict_declare": gettext_lazy("Interests declared"),
    "position_record": gettext_lazy("Position recorded"),
    "opinion_issue": gettext_lazy("Opinion issued"),
    "opinion_publish": gettext_lazy("Opinion published"),
    "opinion_correct": gettext_lazy("Opinion corrected"),
}


# Helpers ----------------------------------------------------------------------


def _request_or_404(request, pk: int) -> FundingRequest:
    with http_errors():
        return request_selectors.request_get(user=request.user, pk=pk)


def _add_error(form, error: CrigError, *other_forms) -> None:
    """A service's error on the field it names, in whichever form has it, else
    on the first form."""
    for candidate in (form, *other_forms):
        if (
            candidate is not None
            and error.field
            and hasattr(candidate, "fields")
            and error.field in candidate.fields
        ):
            candidate.add_error(error.field, str(error.message))
            return
    form.add_error(None, str(error.message))


def _status(*forms) -> HTTPStatus:
    if any(form is not None and form.is_bound and form.errors for form in forms):
        return HTTPStatus.BAD_REQUEST
    return HTTPStatus.OK


def _formset_status(status: HTTPStatus, *formsets) -> HTTPStatus:
    if any(fs.is_bound and not fs.is_valid() for fs in formsets):
        return HTTPStatus.BAD_REQUEST
    return status


def _territory_form(request, *, required: bool):
    from crig.territory.forms import TerritoryInputForm

    if request.method == "POST":
        return TerritoryInputForm(
            request.POST, request.FILES, prefix="territory", required=required
        )
    return TerritoryInputForm(None, None, prefix="territory", required=required)


def _selection_notes(request, territory_form) -> None:
    selection = territory_form.cleaned_data.get("selection")
    for note in getattr(selection, "notes", None) or ():
        messages.info(request, note)


def _back_to(funding_request: FundingRequest, anchor: str = ""):
    url = reverse("funding:detail", args=[funding_request.pk])
    return redirect(url + (f"#{anchor}" if anchor else ""))


# The list ---------------------------------------------------------------------


@login_required
def request_list(request):
    user = request.user
    form = RequestFilterForm(request.GET or None)
    filters = form.filters()
    requests = request_selectors.requests_list(user=user, filters=filters)
    # Counts by state over the same visible files and filters, the state aside:
    # they never include what the person may not open.
    unfiltered_state = request_selectors.requests_list(
        user=user,
        filters=RequestFilters(**{**filters.__dict__, "state": ""}),
    )
    counts = dict(
        unfiltered_state.order_by()
        .values_list("state")
        .annotate(n=Count("pk", distinct=True))
        .values_list("state", "n")
    )
    states = [
        {
            "value": state.value,
            "label": state.label,
            "count": counts.get(state.value, 0),
            "current": filters.state == state.value,
            "query": urlencode({**form.query(), "state": state.value}),
        }
        for state in FundingRequest.State
        if counts.get(state.value)
    ]
    paginator = Paginator(
        requests.select_related("applicant", "signatory__organisation", "programme"),
        PAGE_SIZE,
    )
    page = paginator.get_page(request.GET.get("page"))
    query = urlencode(form.query())
    exports = [
        (label, f"{API_REQUESTS}?{urlencode({**form.query(), 'format': fmt})}")
        for label, fmt in (("CSV", "csv"), ("XLSX", "xlsx"))
    ]
    return render(
        request,
        "funding/request_list.html",
        {
            "form": form,
            "page": page,
            "count": paginator.count,
            "states": states,
            "query": query,
            "filtered": bool(query),
            "exports": exports,
            "seats": request_selectors.seats_awaiting(user).select_related(
                "request__applicant", "signatory__organisation"
            ),
            "can_add": user.has_perm("funding.add_request"),
            "is_staff_role": user.has_perm("funding.decide_admissibility"),
        },
        status=HTTPStatus.BAD_REQUEST if form.is_bound and form.errors else None,
    )


# Entry and edition ------------------------------------------------------------


def _amounts(form, budget, cofunders) -> AmountsCheck | None:
    """The amounts as typed, once every part parsed, to show whether they add
    up (the service decides whether they must)."""
    if not (form.is_valid() and budget.is_valid() and cofunders.is_valid()):
        return None
    return AmountsCheck(
        budget_lines=formset_values(budget, "line"),
        cofunders=formset_values(cofunders, "cofunder"),
        amount_requested=form.cleaned_data.get("amount_requested"),
        self_funding=form.cleaned_data.get("self_funding"),
    )


def _form_page(request, context, status):
    return render(request, "funding/request_form.html", context, status=status)


@login_required
def request_create(request):
    user = request.user
    if not user.has_perm("funding.add_request"):
        return render(
            request, "funding/request_no_organisation.html", status=HTTPStatus.FORBIDDEN
        )
    data = request.POST if request.method == "POST" else None
    form = RequestForm(data, user=user)
    budget = budget_formset(data)
    cofunders = cofunder_formset(data)
    territory_form = _territory_form(request, required=True)
    amounts = None
    if data is not None:
        valid = [
            form.is_valid(),
            budget.is_valid(),
            cofunders.is_valid(),
            territory_form.is_valid(),
        ]
        amounts = _amounts(form, budget, cofunders)
        if all(valid):
            submit = "submit" in request.POST
            try:
                with http_errors():
                    created = services.request_create(
                        actor=user,
                        applicant=form.cleaned_data["applicant"],
                        data=form.request_data(
                            formset_values(budget, "line"),
                            formset_values(cofunders, "cofunder"),
                        ),
                        territory=territory_form.cleaned_data["selection"],
                        submit=submit,
                    )
            except CrigError as error:
                _add_error(form, error, territory_form)
            else:
                _selection_notes(request, territory_form)
                if submit:
                    messages.success(
                        request,
                        _(
                            "Your request has been submitted. The secretariat will "
                            "check that it is admissible."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Your draft has been saved. Your organisation can "
                            "complete it; submit it when it is ready."
                        ),
                    )
                return redirect(created)
    return _form_page(
        request,
        {
            "form": form,
            "budget": budget,
            "cofunders": cofunders,
            "territory_form": territory_form,
            "amounts": amounts,
            "funding_request": None,
        },
        _formset_status(_status(form, territory_form), budget, cofunders),
    )


@login_required
def request_edit(request, pk):
    user = request.user
    funding_request = _request_or_404(request, pk)
    require_perm(request, "funding.change_request", funding_request)
    data = request.POST if request.method == "POST" else None
    form = RequestForm(data, user=user, funding_request=funding_request)
    budget = budget_formset(data, funding_request=funding_request)
    cofunders = cofunder_formset(data, funding_request=funding_request)
    territory_form = _territory_form(request, required=False)
    amounts = None
    if data is not None:
        valid = [
            form.is_valid(),
            budget.is_valid(),
            cofunders.is_valid(),
            territory_form.is_valid(),
        ]
        amounts = _amounts(form, budget, cofunders)
        if all(valid):
            submit = "submit" in request.POST
            try:
                with http_errors(), transaction.atomic():
                    # Saved and submitted together, or neither.
                    updated = services.request_update(
                        actor=user,
                        request=funding_request,
                        data=form.request_data(
                            formset_values(budget, "line"),
                            formset_values(cofunders, "cofunder"),
                        ),
                        territory=territory_form.cleaned_data.get("selection"),
                    )
                    if submit:
                        updated = services.request_submit(actor=user, request=updated)
            except CrigError as error:
                _add_error(form, error, territory_form)
            else:
                _selection_notes(request, territory_form)
                if submit:
                    messages.success(
                        request,
                        _(
                            "Your request has been submitted. The secretariat will "
                            "check that it is admissible."
                        ),
                    )
                else:
                    messages.success(request, _("The draft has been saved."))
                return redirect(updated)
    elif funding_request.budget_lines.exists():
        amounts = AmountsCheck(
            budget_lines=funding_request.budget_lines.all(),
            cofunders=funding_request.cofunders.all(),
            amount_requested=funding_request.amount_requested,
            self_funding=funding_request.self_funding,
        )
    return _form_page(
        request,
        {
            "form": form,
            "budget": budget,
            "cofunders": cofunders,
            "territory_form": territory_form,
            "amounts": amounts,
            "funding_request": funding_request,
        },
        _formset_status(_status(form, territory_form), budget, cofunders),
    )


@login_required
@require_POST
def request_submit(request, pk):
    funding_request = _request_or_404(request, pk)
    require_perm(request, "funding.submit_request", funding_request)
    try:
        with http_errors():
            services.request_submit(actor=request.user, request=funding_request)
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _(
                "Your request has been submitted. The secretariat will check that "
                "it is admissible."
            ),
        )
    return _back_to(funding_request)


# A request's file -------------------------------------------------------------


def _position_rows(positions) -> list[dict]:
    return [
        {
            "signatory": position.signatory,
            "position": position.position,
            "label": position.get_position_display(),
            "comments": position.comments,
            "scores": _score_rows(position.scores),
            "recorded_by": position.recorded_by,
            "at": position.updated_at,
        }
        for position in positions
    ]


def _score_rows(scores: dict | None) -> list[dict]:
    scores = scores or {}
    return [
        {"label": criterion.label, "value": scores.get(criterion.value)}
        for criterion in Criterion
        if scores.get(criterion.value) is not None
    ]


def snapshot_positions(opinion: Opinion) -> list[dict]:
    """The positions copied into an opinion, without the comments (which stay
    confidential for good)."""
    rows = []
    for entry in opinion.positions or []:
        code = entry.get("position", "")
        try:
            label = Position(code).label
        except ValueError:
            label = code
        rows.append(
            {
                "signatory": entry.get("signatory_name") or entry.get("signatory", ""),
                "position": code,
                "label": label,
                "scores": _score_rows(entry.get("scores")),
            }
        )
    return rows


def snapshot_recusals(opinion: Opinion) -> list[dict]:
    """The recusals copied into an opinion: who, for which signatory (the
    statement stays with the file)."""
    return [
        {
            "signatory": entry.get("signatory_name") or entry.get("signatory", ""),
            "reviewer": entry.get("reviewer_name") or entry.get("reviewer", ""),
        }
        for entry in opinion.recusals or []
    ]


def _overlap_rows(user, overlaps) -> list[dict]:
    rows = []
    for overlap in overlaps:
        other = overlap.request
        url = ""
        if not overlap.public_only:
            url = other.get_absolute_url()
        elif other.state == FundingRequest.State.PUBLISHED:
            opinion = (
                register_selectors.register_list().filter(request_id=other.pk).first()
            )
            url = opinion.get_absolute_url() if opinion else ""
        rows.append(
            {
                "overlap": overlap,
                "request": other,
                "url": url,
                "percent": round(overlap.share_of_this * 100),
                "double_funding": other.state in LIVE_STATES,
                "pending": other.state in OPEN_STATES,
            }
        )
    return rows


def _coverage_rows(coverage) -> dict | None:
    if coverage is None:
        return None
    return {
        "match": coverage,
        "covered_percent": round(coverage.covered_share * 100),
        "gap_percent": round(coverage.gap_share * 100),
        "communes": [
            {
                "row": row,
                "percent": round(row.need_share * 100),
            }
            for row in coverage.communes
        ],
    }


def _actions(user, funding_request: FundingRequest, latest: Opinion | None) -> dict:
    state = funding_request.state
    State = FundingRequest.State
    return {
        "edit": user.has_perm("funding.change_request", funding_request),
        "submit": user.has_perm("funding.submit_request", funding_request),
        "withdraw": user.has_perm("funding.withdraw_request", funding_request),
        "attach": user.has_perm("funding.add_attachment", funding_request),
        "admissibility": state == State.SUBMITTED
        and user.has_perm("funding.decide_admissibility", funding_request),
        "assign": state in OPEN_STATES
        and user.has_perm("funding.assign_reviewers", funding_request),
        "start_review": state == State.ADMISSIBLE
        and user.has_perm("funding.start_review", funding_request),
        "position": user.has_perm("funding.record_position", funding_request),
        "issue": state == State.UNDER_REVIEW
        and user.has_perm("funding.issue_opinion", funding_request),
        "publish": latest is not None
        and latest.published_at is None
        and state == State.OPINION_ISSUED
        and user.has_perm("funding.publish_opinion", funding_request),
        "correct": latest is not None
        and state in (State.OPINION_ISSUED, State.PUBLISHED)
        and user.has_perm("funding.correct_opinion", funding_request),
        "audit": user.has_perm("funding.view_audit", funding_request),
    }


def request_detail(request, pk):
    user = request.user
    try:
        funding_request = request_selectors.request_get(user=user, pk=pk)
    except NotFound:
        return _not_the_file(request, pk)
    opinions = list(funding_request.opinions.order_by("-version"))
    latest = opinions[0] if opinions else None
    can = _actions(user, funding_request, latest)
    is_staff_role = funding_rules.is_staff_role.test(user, funding_request)
    sees_positions = is_staff_role or funding_rules.is_cleared_reviewer.test(
        user, funding_request
    )
    positions = None
    if sees_positions:
        positions = _position_rows(
            funding_request.positions.select_related(
                "signatory__organisation", "recorded_by"
            ).order_by("signatory__position")
        )
    published_positions = None
    published = next((o for o in opinions if o.published_at), None)
    if positions is None and published is not None:
        published_positions = snapshot_positions(published)
    analysis = None
    if user.has_perm("funding.view_analysis", funding_request):
        analysis = analysis_selectors.request_analysis(
            user=user, request=funding_request
        )
    budget_lines = list(funding_request.budget_lines.all())
    cofunders = list(funding_request.cofunders.select_related("organisation"))
    amounts = AmountsCheck(
        budget_lines=budget_lines,
        cofunders=cofunders,
        amount_requested=funding_request.amount_requested,
        self_funding=funding_request.self_funding,
    )
    return render(
        request,
        "funding/request_detail.html",
        {
            "funding_request": funding_request,
            "can": can,
            "budget_lines": budget_lines,
            "cofunders": cofunders,
            "amounts": amounts,
            "attachments": funding_request.attachments.all(),
            "communes": funding_request.commune_links.select_related(
                "commune"
            ).order_by("commune__name"),
            "analysis": analysis,
            "coverage": _coverage_rows(analysis.coverage) if analysis else None,
            "overlaps": _overlap_rows(user, analysis.overlaps) if analysis else [],
            "seats": funding_request.reviewer_seats.select_related(
                "reviewer", "signatory__organisation"
            ).order_by("signatory__position", "reviewer__full_name")
            if is_staff_role
            else None,
            "positions": positions,
            "published_positions": published_positions,
            "opinions": [
                {
                    "opinion": opinion,
                    "positions": snapshot_positions(opinion),
                    "recusals": snapshot_recusals(opinion),
                }
                for opinion in opinions
            ],
            "audit": [
                {"entry": entry, "label": AUDIT_ACTIONS.get(entry.action, entry.action)}
                for entry in funding_request.audit_entries.select_related("actor")
            ]
            if can["audit"]
            else None,
            "geojson_url": f"{API_REQUESTS}/{funding_request.pk}?format=geojson",
            "withdraw_form": WithdrawForm() if can["withdraw"] else None,
            "admissibility_form": AdmissibilityForm() if can["admissibility"] else None,
            "assign_form": AssignReviewerForm(funding_request=funding_request)
            if can["assign"]
            else None,
            "start_review_form": StartReviewForm() if can["start_review"] else None,
            "attachment_form": AttachmentForm() if can["attach"] else None,
            "max_mb": _max_mb(),
        },
    )


def _not_the_file(request, pk):
    """Someone who may not open the file: a seated reviewer who has not declared
    goes to the declaration; a published request's public page is its opinion;
    anything else is a 404 (the request's existence is not revealed)."""
    user = request.user
    if user.is_authenticated:
        seat = request_selectors.seats_awaiting(user).filter(request_id=pk).first()
        if seat is not None:
            return redirect("funding:declare", seat_pk=seat.pk)
    opinion = register_selectors.register_list().filter(request_id=pk).first()
    if opinion is not None:
        return redirect(opinion)
    raise Http404


def _max_mb() -> int:
    return math.floor(settings.FUNDING_ATTACHMENT_MAX_BYTES / 1024 / 1024)


# Withdrawal and the secretariat's steps -----------------------------------------


def _step_page(request, funding_request, *, form, title, intro, button):
    """One step of the procedure on its own page: the form, and its errors when
    the input was refused (the file's page holds the same forms)."""
    return render(
        request,
        "funding/step.html",
        {
            "funding_request": funding_request,
            "form": form,
            "title": title,
            "intro": intro,
            "button": button,
        },
        status=_status(form),
    )


@login_required
def request_withdraw(request, pk):
    funding_request = _request_or_404(request, pk)
    require_perm(request, "funding.withdraw_request", funding_request)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                services.request_withdraw(
                    actor=request.user,
                    request=funding_request,
                    reason=form.cleaned_data["reason"].strip(),
                )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The request has been withdrawn."))
            return _back_to(funding_request)
    return _step_page(
        request,
        funding_request,
        form=form,
        title=_("Withdraw the request"),
        intro=_(
            "A withdrawn request stays in the records with its reason; it can no "
            "longer be reviewed."
        ),
        button=_("Withdraw the request"),
    )


@login_required
def request_admissibility(request, pk):
    funding_request = _request_or_404(request, pk)
    require_perm(request, "funding.decide_admissibility", funding_request)
    form = AdmissibilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        admissible = form.cleaned_data["admissible"]
        try:
            with http_errors():
                services.request_decide_admissibility(
                    actor=request.user,
                    request=funding_request,
                    admissible=admissible,
                    reason=form.cleaned_data["reason"].strip(),
                )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("The request is admissible.")
                if admissible
                else _("The request is inadmissible; the applicant is told why."),
            )
            return _back_to(funding_request)
    return _step_page(
        request,
        funding_request,
        form=form,
        title=_("Admissibility"),
        intro=_(
            "Is the file complete and within the scope of the signatory reached? "
            "An inadmissible request ends here; the applicant is told why."
        ),
        button=_("Record the decision"),
    )


@login_required
def reviewer_assign(request, pk):
    funding_request = _request_or_404(request, pk)
    require_perm(request, "funding.assign_reviewers", funding_request)
    form = AssignReviewerForm(request.POST or None, funding_request=funding_request)
    if request.method == "POST" and form.is_valid():
        assignment = form.cleaned_data["assignment"]
        try:
            with http_errors():
                seat = services.reviewer_assign(
                    actor=request.user,
                    request=funding_request,
                    reviewer=assignment.person,
                    signatory=assignment.signatory,
                )
        except CrigError as error:
            _add_error(form, error)
        else:
            text = _(
                "%(reviewer)s reviews for %(signatory)s; they are asked to declare "
                "their interests."
            ) % {"reviewer": assignment.person, "signatory": assignment.signatory}
            if seat.conflict_suggested:
                text += " " + _(
                    "The platform suggests a conflict of interest: their "
                    "organisation is the applicant or a co-funder."
                )
            messages.success(request, text)
            return _back_to(funding_request, "reviewers")
    return _step_page(
        request,
        funding_request,
        form=form,
        title=_("Assign a reviewer"),
        intro=_(
            "Choose a reviewer of each signatory. Before opening the file, each "
            "one declares their interests."
        ),
        button=_("Assign"),
    )


@login_required
@require_POST
def reviewer_unassign(request, seat_pk):
    seat = get_object_or_404(
        ReviewerSeat.objects.select_related("reviewer"), pk=seat_pk
    )
    funding_request = _request_or_404(request, seat.request_id)
    require_perm(request, "funding.assign_reviewers", funding_request)
    try:
        with http_errors():
            services.reviewer_unassign(actor=request.user, seat=seat)
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(reviewer)s no longer reviews this request.")
            % {"reviewer": seat.reviewer},
        )
    return _back_to(funding_request, "reviewers")


@login_required
def review_start(request, pk):
    funding_request = _request_or_404(request, pk)
    require_perm(request, "funding.start_review", funding_request)
    form = StartReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                services.request_start_review(
                    actor=request.user,
                    request=funding_request,
                    deadline=form.cleaned_data["deadline"],
                )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("The review has started; the reviewers have until %(date)s.")
                % {"date": form.cleaned_data["deadline"].strftime("%d/%m/%Y")},
            )
            return _back_to(funding_request)
    return _step_page(
        request,
        funding_request,
        form=form,
        title=_("Start the review"),
        intro=_(
            "The cleared reviewers then record their signatory's position before "
            "the deadline; reminders are sent by e-mail."
        ),
        button=_("Start the review"),
    )


# Reviewers --------------------------------------------------------------------


@login_required
def conflict_declare(request, seat_pk):
    """The reviewer's declaration of interests. Until it is made they see only
    the title, the applicant and the co-funders: enough to judge a conflict."""
    seat = get_object_or_404(
        ReviewerSeat.objects.select_related(
            "request__applicant", "request__signatory__organisation", "signatory"
        ),
        pk=seat_pk,
        reviewer=request.user,
    )
    funding_request = seat.request
    can_declare = request.user.has_perm("funding.declare_conflict", seat)
    form = DeclarationForm(request.POST or None) if can_declare else None
    if request.method == "POST":
        if not can_declare:
            raise DjangoPermissionDenied
        if form.is_valid():
            conflict = form.cleaned_data["conflict"]
            try:
                with http_errors():
                    services.conflict_declare(
                        actor=request.user,
                        seat=seat,
                        conflict=conflict,
                        statement=form.cleaned_data["statement"].strip(),
                    )
            except CrigError as error:
                _add_error(form, error)
            else:
                if conflict:
                    messages.success(
                        request,
                        _(
                            "You are recused from this request; the record says so. "
                            "Thank you."
                        ),
                    )
                    return redirect("funding:list")
                messages.success(
                    request,
                    _("Thank you. You may now read the file and record a position."),
                )
                return _back_to(funding_request)
    return render(
        request,
        "funding/declare.html",
        {
            "seat": seat,
            "funding_request": funding_request,
            "cofunders": funding_request.cofunders.select_related("organisation"),
            "form": form,
        },
        status=_status(form),
    )


@login_required
def position_record(request, pk):
    funding_request = _request_or_404(request, pk)
    require_perm(request, "funding.record_position", funding_request)
    signatories = list(reviewer_signatories(request.user, funding_request))
    if not signatories:
        raise DjangoPermissionDenied
    current = (
        funding_request.positions.filter(signatory__in=signatories)
        .order_by("signatory__position")
        .first()
    )
    form = PositionForm(request.POST or None, signatories=signatories, position=current)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                services.position_record(
                    actor=request.user,
                    request=funding_request,
                    signatory=form.signatory(),
                    position=form.cleaned_data["position"],
                    comments=form.cleaned_data["comments"].strip(),
                    scores=form.scores(),
                )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("The position of %(signatory)s has been recorded.")
                % {"signatory": form.signatory()},
            )
            return _back_to(funding_request, "positions")
    return render(
        request,
        "funding/position_form.html",
        {
            "funding_request": funding_request,
            "form": form,
            "signatories": signatories,
            "criteria": Criterion,
        },
        status=_status(form),
    )


# The opinion ------------------------------------------------------------------


@login_required
def opinion_issue(request, pk):
    funding_request = _request_or_404(request, pk)
    require_perm(request, "funding.issue_opinion", funding_request)
    form = OpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                opinion = services.opinion_issue(
                    actor=request.user,
                    request=funding_request,
                    data=form.opinion_data(),
                )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The opinion has been issued. It is not public until you "
                    "publish it."
                ),
            )
            return _back_to(funding_request, f"opinion-{opinion.version}")
    return render(
        request,
        "funding/opinion_form.html",
        {
            "funding_request": funding_request,
            "form": form,
            "opinion": None,
            "positions": _position_rows(
                funding_request.positions.select_related(
                    "signatory__organisation", "recorded_by"
                )
            ),
        },
        status=_status(form),
    )


def _opinion_or_404(request, pk) -> Opinion:
    with http_errors():
        return register_selectors.register_get(user=request.user, pk=pk)


@login_required
@require_POST
def opinion_publish(request, pk):
    opinion = _opinion_or_404(request, pk)
    require_perm(request, "funding.publish_opinion", opinion.request)
    try:
        with http_errors():
            opinion = services.opinion_publish(actor=request.user, opinion=opinion)
    except CrigError as error:
        messages.error(request, str(error.message))
        return _back_to(opinion.request, f"opinion-{opinion.version}")
    messages.success(
        request,
        _(
            "The opinion is published in the public register; the applicant and "
            "the signatory are notified."
        ),
    )
    return redirect(opinion)


@login_required
def opinion_correct(request, pk):
    opinion = _opinion_or_404(request, pk)
    funding_request = opinion.request
    require_perm(request, "funding.correct_opinion", funding_request)
    form = CorrectionForm(request.POST or None, opinion=opinion)
    if request.method == "POST" and form.is_valid():
        try:
            with http_errors():
                corrected = services.opinion_correct(
                    actor=request.user,
                    opinion=opinion,
                    data=form.opinion_data(),
                    correction_note=form.cleaned_data["correction_note"].strip(),
                )
        except CrigError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("Version %(version)s of the opinion has been recorded.")
                % {"version": corrected.version},
            )
            return _back_to(funding_request, f"opinion-{corrected.version}")
    return render(
        request,
        "funding/opinion_form.html",
        {
            "funding_request": funding_request,
            "form": form,
            "opinion": opinion,
            "positions": [],
        },
        status=_status(form),
    )


# Attachments ------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request, pk):
    funding_request = _request_or_404(request, pk)
    require_perm(request, "funding.add_attachment", funding_request)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a PDF file to attach."))
        return _back_to(funding_request, "attachments")
    upload = form.cleaned_data["file"]
    if upload.size > settings.FUNDING_ATTACHMENT_MAX_BYTES:
        # Refused before reading it into memory; the service checks it too.
        messages.error(
            request,
            _("The file is larger than the limit of %(size)s MB.")
            % {"size": _max_mb()},
        )
        return _back_to(funding_request, "attachments")
    try:
        with http_errors():
            services.request_attachment_add(
                actor=request.user,
                request=funding_request,
                name=upload.name,
                data=upload.read(),
            )
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("“%(name)s” has been attached.") % {"name": upload.name}
        )
    return _back_to(funding_request, "attachments")


def _attachment_or_404(request, pk, attachment_pk):
    funding_request = _request_or_404(request, pk)
    attachment = get_object_or_404(
        RequestAttachment, pk=attachment_pk, request=funding_request
    )
    return funding_request, attachment


def attachment_download(request, pk, attachment_pk):
    _funding_request, attachment = _attachment_or_404(request, pk, attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type="application/pdf",
    )


@login_required
@require_POST
def attachment_remove(request, pk, attachment_pk):
    funding_request, attachment = _attachment_or_404(request, pk, attachment_pk)
    require_perm(request, "funding.add_attachment", funding_request)
    name = attachment.name
    try:
        with http_errors():
            services.request_attachment_remove(
                actor=request.user, attachment=attachment
            )
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("“%(name)s” has been removed.") % {"name": name})
    return _back_to(funding_request, "attachments")


routes = [
    path("", request_list, name="list"),
    path("nouvelle/", request_create, name="create"),
    path("<int:pk>/", request_detail, name="detail"),
    path("<int:pk>/modifier/", request_edit, name="edit"),
    path("<int:pk>/deposer/", request_submit, name="submit"),
    path("<int:pk>/retirer/", request_withdraw, name="withdraw"),
    path("<int:pk>/recevabilite/", request_admissibility, name="admissibility"),
    path("<int:pk>/relecteurs/", reviewer_assign, name="assign"),
    path("sieges/<int:seat_pk>/retirer/", reviewer_unassign, name="unassign"),
    path("<int:pk>/instruction/", review_start, name="start_review"),
    path("sieges/<int:seat_pk>/declaration/", conflict_declare, name="declare"),
    path("<int:pk>/position/", position_record, name="position"),
    path("<int:pk>/avis/", opinion_issue, name="opinion_issue"),
    path("avis/<int:pk>/publier/", opinion_publish, name="opinion_publish"),
    path("avis/<int:pk>/corriger/", opinion_correct, name="opinion_correct"),
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
