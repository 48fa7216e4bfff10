"""Pages of members: directory, organisation pages, invitations, "my account"."""

import json
from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crig.core.errors import CrigError, NotFound
from crig.core.http import require_perm
from crig.core.privacy import person_export
from crig.core.security import client_ip, rate_limit_hit
from crig.members import selectors, services
from crig.members.forms import (
    ApiTokenForm,
    CloseAccountForm,
    InvitationAcceptForm,
    InvitationForm,
    LoginForm,
    MembershipRoleForm,
    OrganisationForm,
    OrganisationSearchForm,
    ProfileForm,
)
from crig.members.models import Organisation, User


def _add_errors(form, error: CrigError | ValidationError) -> None:
    """Show a service's error on the form field it concerns, else on the form."""
    if isinstance(error, CrigError):
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error.message))
        return
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def _organisation_or_404(slug: str) -> Organisation:
    organisation = selectors.organisation_detail(slug=slug)
    if organisation is None:
        raise Http404
    return organisation


# Directory and organisation pages ------------------------------------------------


def directory(request):
    form = OrganisationSearchForm(request.GET or None)
    filters = form.filters()
    organisations = selectors.organisations_search(**filters)
    groups = []
    by_category = {}
    for organisation in organisations:
        by_category.setdefault(organisation.category, []).append(organisation)
    for code, label in Organisation.Category.choices:
        if code in by_category:
            groups.append({"code": code, "label": label, "items": by_category[code]})
    query = {key: value for key, value in request.GET.items() if key in form.fields}
    geojson_url = (
        reverse("api:organisations_list")
        + "?"
        + urlencode({**query, "format": "geojson"})
    )
    return render(
        request,
        "members/directory.html",
        {
            "form": form,
            "groups": groups,
            "total": sum(len(group["items"]) for group in groups),
            "category_counts": selectors.organisation_counts_by_category(),
            "geojson_url": geojson_url,
        },
    )


def organisation_detail(request, slug):
    organisation = _organisation_or_404(slug)
    user = request.user
    can_see_people = user.has_perm("members.view_membership_list", organisation)
    context = {
        "organisation": organisation,
        "can_see_people": can_see_people,
        "can_invite": user.has_perm("members.invite_to_organisation", organisation),
        "can_manage": user.has_perm("members.manage_memberships", organisation),
        "can_edit": user.has_perm("members.change_organisation", organisation),
        "memberships": selectors.organisation_memberships(organisation=organisation)
        if can_see_people
        else None,
        "role_form": MembershipRoleForm(),
        "perimeter_url": reverse("api:organisations_perimeter", args=[organisation.pk]),
    }
    return render(request, "members/organisation_detail.html", context)


@login_required
def organisation_edit(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    require_perm(request, "members.change_organisation", organisation)
    full_access = request.user.has_perm("members.add_organisation")
    form = OrganisationForm(
        request.POST or None,
        request.FILES or None,
        instance=organisation,
        full_access=full_access,
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_update(
                organisation=organisation, **form.changes()
            )
        except (CrigError, ValidationError) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The organisation has been updated."))
            return redirect(organisation)
    status = HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK
    return render(
        request,
        "members/organisation_edit.html",
        {"organisation": organisation, "form": form},
        status=status,
    )


@login_required
@require_POST
def membership_change(request, slug, person_id):
    organisation = get_object_or_404(Organisation, slug=slug)
    require_perm(request, "members.manage_memberships", organisation)
    person = get_object_or_404(User, pk=person_id)
    try:
        if request.POST.get("action") == "remove":
            if person == request.user and not request.user.has_perm(
                "members.add_organisation"
            ):
                messages.error(
                    request,
                    _("You cannot remove yourself; ask the secretariat."),
                )
                return redirect(organisation)
            services.membership_remove(
                person=person, organisation=organisation, by=request.user
            )
            messages.success(
                request,
                _("%(person)s is no longer a member.") % {"person": person},
            )
        else:
            form = MembershipRoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a valid role."))
                return redirect(organisation)
            services.membership_set_role(
                person=person,
                organisation=organisation,
                role=form.cleaned_data["role"],
                by=request.user,
            )
            messages.success(
                request, _("The role of %(person)s was changed.") % {"person": person}
            )
    except CrigError as error:
        messages.error(request, str(error.message))
    return redirect(organisation)


# Invitations ----------------------------------------------------------------------


@login_required
def invitation_create(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    require_perm(request, "members.invite_to_organisation", organisation)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                invited_by=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except CrigError as error:
            _add_errors(form, error)
            status = error.status_code
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.")
                % {"email": invitation.email},
            )
            return redirect(organisation)
    else:
        status = HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK
    return render(
        request,
        "members/invitation_create.html",
        {"organisation": organisation, "form": form},
        status=status,
    )


def invitation_accept(request, token):
    try:
        invitation = services.invitation_for_token(raw_token=token)
    except NotFound as error:
        return render(
            request,
            "members/invitation_invalid.html",
            {"message": error.message},
            status=HTTPStatus.NOT_FOUND,
        )
    account_exists = User.objects.filter(email=invitation.email).exists()
    form = None
    if not request.user.is_authenticated and not account_exists:
        form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and (request.user.is_authenticated or form):
        if request.user.is_authenticated:
            try:
                services.invitation_accept(raw_token=token, user=request.user)
            except CrigError as error:
                messages.error(request, str(error.message))
                return redirect("members:account")
            messages.success(
                request,
                _("You have joined %(organisation)s.")
                % {"organisation": invitation.organisation or settings.CRIG_NAME},
            )
            return redirect("members:account")
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    raw_token=token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
            except ValidationError as error:
                form.add_error("password1", error)
            except CrigError as error:
                _add_errors(form, error)
            else:
                login(
                    request, user, backend="django.contrib.auth.backends.ModelBackend"
                )
                messages.success(
                    request,
                    _("Welcome! Your account has been created."),
                )
                return redirect("members:account")
    has_errors = form is not None and form.errors
    status = HTTPStatus.BAD_REQUEST if has_errors else HTTPStatus.OK
    return render(
        request,
        "members/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "account_exists": account_exists,
            "login_url": reverse("members:login")
            + "?"
            + urlencode({"next": request.get_full_path()}),
        },
        status=status,
    )


# My account -----------------------------------------------------------------------


def _account_context(request, **extra) -> dict:
    user = selectors.user_with_roles(user_id=request.user.pk)
    return {
        "person": user,
        "memberships": user.memberships.all(),
        "reviewer_assignments": user.reviewer_assignments.all(),
        "api_tokens": user.api_tokens.all(),
        "profile_form": ProfileForm(
            initial={"full_name": user.full_name, "job_title": user.job_title}
        ),
        "token_form": ApiTokenForm(),
        **extra,
    }


@login_required
def account(request):
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.user_update_profile(user=request.user, **form.cleaned_data)
            except (CrigError, ValidationError) as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("members:account")
        return render(
            request,
            "members/account.html",
            _account_context(request, profile_form=form),
            status=HTTPStatus.BAD_REQUEST,
        )
    return render(request, "members/account.html", _account_context(request))


@login_required
@require_POST
def api_token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw_token = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except CrigError as error:
            _add_errors(form, error)
        else:
            # Rendered, not redirected: the raw token is stored nowhere.
            return render(
                request,
                "members/account.html",
                _account_context(request, new_token=token, new_raw_token=raw_token),
            )
    return render(
        request,
        "members/account.html",
        _account_context(request, token_form=form),
        status=HTTPStatus.BAD_REQUEST,
    )


@login_required
@require_POST
def api_token_revoke(request, token_id):
    try:
        token = services.api_token_revoke(user=request.user, token_id=token_id)
    except CrigError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The token “%(name)s” has been revoked.") % {"name": token.name}
        )
    return redirect("members:account")


@login_required
def account_export(request):
    data = person_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"crig-my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def account_close(request):
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_close_account(
                user=request.user, password=form.cleaned_data["password"]
            )
        except CrigError as error:
            _add_errors(form, error)
        else:
            logout(request)
            messages.success(request, _("Your account has been closed. Goodbye."))
            return redirect("core:home")
    status = HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK
    return render(request, "members/account_close.html", {"form": form}, status=status)


# Sign-in and password reset: Django's views with the platform's templates. -------


class LoginView(auth_views.LoginView):
    template_name = "members/auth/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer (``AXES_LOCKOUT_CALLABLE``), for this site's
    login and the admin's: too many wrong passwords for this e-mail address from
    this client address."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "members/auth/login_locked.html",
        {"minutes": minutes},
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )


class LogoutView(auth_views.LogoutView):
    pass


PASSWORD_RESET_PERIOD = 3600


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, with a limit on the requests per e-mail address and per
    client address: each one sends an e-mail, so without it the form could be used
    to flood a mailbox. The limit applies whether or not the address has an
    account, so it tells nothing about who has one."""

    template_name = "members/auth/password_reset_form.html"
    email_template_name = "members/email/password_reset.txt"
    subject_template_name = "members/email/password_reset_subject.txt"
    success_url = reverse_lazy("members:password_reset_done")

    @property
    def extra_email_context(self):
        return {"site_name": settings.CRIG_NAME}

    def form_valid(self, form):
        over_email = rate_limit_hit(
            scope="password-reset-email",
            key=form.cleaned_data["email"].strip().lower(),
            limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL,
            period=PASSWORD_RESET_PERIOD,
        )
        over_ip = rate_limit_hit(
            scope="password-reset-ip",
            key=client_ip(self.request),
            limit=settings.PASSWORD_RESET_LIMIT_PER_IP,
            period=PASSWORD_RESET_PERIOD,
        )
        if over_email or over_ip:
            form.add_error(
                None,
                _(
                    "Too many password reset requests. Wait an hour before asking "
                    "again; a link already received stays valid for three days."
                ),
            )
            return self.render_to_response(
                self.get_context_data(form=form),
                status=HTTPStatus.TOO_MANY_REQUESTS,
            )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "members/auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "members/auth/password_reset_confirm.html"
    success_url = reverse_lazy("members:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "members/auth/password_reset_complete.html"
