"""The administration site for the secretariat and administrators.

Every permission comes from ``crig.members.rules``: the secretariat (``is_staff`` and
``is_secretariat``) manages organisations, memberships, signatories and reviewers;
granting platform roles and reading API tokens is for administrators.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdminMixin

from crig.core.errors import CrigError
from crig.members import services
from crig.members.models import (
    ApiToken,
    Convention,
    Invitation,
    Membership,
    Organisation,
    ReviewerAssignment,
    Signatory,
    User,
)


class RulesAdmin(ObjectPermissionsModelAdminMixin, admin.ModelAdmin):
    """Admin whose permissions are the rules', and only for the staff roles."""

    def has_module_permission(self, request):
        return request.user.has_perm("members.use_admin")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_view_permission(
            request, obj
        )

    def has_add_permission(self, request):
        return self.has_module_permission(request) and super().has_add_permission(
            request
        )


class MembershipInline(ObjectPermissionsModelAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "role", "created_at"]
    readonly_fields = ["created_at"]

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("members.add_membership")


def _codes(text: str) -> list[str]:
    return [code for code in text.replace(",", " ").split() if code]


class OrganisationAdminForm(forms.ModelForm):
    website = forms.URLField(
        label=_("website"), required=False, assume_scheme="https", max_length=200
    )
    perimeter_communes = forms.CharField(
        label=_("Communes (INSEE codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    perimeter_epcis = forms.CharField(
        label=_("EPCI (SIREN)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    perimeter_departements = forms.CharField(
        label=_("Départements (codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 1}),
    )
    clear_perimeter = forms.BooleanField(label=_("Empty the perimeter"), required=False)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "acronym",
            "slug",
            "siren",
            "category",
            "website",
            "is_openig_member",
            "openig_member_since",
            "description",
            "logo",
        ]

    def perimeter_codes(self) -> dict[str, list[str]]:
        return {
            "communes": _codes(self.cleaned_data.get("perimeter_communes", "")),
            "epcis": _codes(self.cleaned_data.get("perimeter_epcis", "")),
            "departements": _codes(self.cleaned_data.get("perimeter_departements", "")),
        }

    def clean(self):
        cleaned = super().clean()
        codes = self.perimeter_codes()
        try:
            services.organisation_check_perimeter(**codes)
        except CrigError as error:
            raise ValidationError(str(error.message)) from None
        if cleaned.get("clear_perimeter") and any(codes.values()):
            raise ValidationError(
                _("Either empty the perimeter or give codes, not both.")
            )
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(RulesAdmin):
    form = OrganisationAdminForm
    list_display = [
        "name",
        "acronym",
        "category",
        "siren",
        "is_openig_member",
        "openig_member_since",
        "commune_count",
    ]
    list_filter = ["category", "is_openig_member"]
    search_fields = ["name", "search_name", "acronym", "siren"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at", "perimeter_summary"]
    inlines = [MembershipInline]
    fieldsets = [
        (
            None,
            {"fields": ["name", "acronym", "slug", "siren", "category", "website"]},
        ),
        (
            _("OPenIG"),
            {"fields": ["is_openig_member", "openig_member_since"]},
        ),
        (_("Presentation"), {"fields": ["description", "logo"]}),
        (
            _("Territorial perimeter"),
            {
                "description": _(
                    "Codes separated by spaces or commas replace the perimeter; "
                    "EPCI and départements are expanded to their communes. Leave "
                    "empty to keep the current perimeter."
                ),
                "fields": [
                    "perimeter_summary",
                    "perimeter_communes",
                    "perimeter_epcis",
                    "perimeter_departements",
                    "clear_perimeter",
                ],
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(commune_count=Count("perimeter"))

    @admin.display(description=_("communes"), ordering="commune_count")
    def commune_count(self, obj):
        return obj.commune_count

    @admin.display(description=_("current perimeter"))
    def perimeter_summary(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return _("%(count)s communes") % {"count": obj.perimeter.count()}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("members.set_organisation_perimeter", obj):
            readonly += ["perimeter_communes", "perimeter_epcis"]
        return readonly

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        codes = form.perimeter_codes()
        if form.cleaned_data.get("clear_perimeter") or any(codes.values()):
            count = services.organisation_set_perimeter(
                organisation=form.instance, **codes
            )
            messages.info(
                request,
                _("The perimeter now has %(count)s communes.") % {"count": count},
            )


@admin.register(Membership)
class MembershipAdmin(RulesAdmin):
    list_display = ["person", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__category"]
    search_fields = ["person__email", "person__full_name", "organisation__name"]
    autocomplete_fields = ["person", "organisation"]
    list_select_related = ["person", "organisation"]


@admin.register(Convention)
class ConventionAdmin(RulesAdmin):
    list_display = ["name", "signed_on", "term_years", "renewed_on"]


class ReviewerInline(ObjectPermissionsModelAdminMixin, admin.TabularInline):
    model = ReviewerAssignment
    extra = 0
    autocomplete_fields = ["person"]

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("members.add_reviewerassignment")


@admin.register(Signatory)
class SignatoryAdmin(RulesAdmin):
    list_display = ["organisation", "convention", "position"]
    list_editable = ["position"]
    list_select_related = ["organisation", "convention"]
    autocomplete_fields = ["organisation"]
    inlines = [ReviewerInline]


@admin.register(ReviewerAssignment)
class ReviewerAssignmentAdmin(RulesAdmin):
    list_display = ["person", "signatory", "created_at"]
    list_filter = ["signatory"]
    search_fields = ["person__email", "person__full_name"]
    autocomplete_fields = ["person"]
    list_select_related = ["person", "signatory__organisation"]


@admin.register(Invitation)
class InvitationAdmin(RulesAdmin):
    list_display = [
        "email",
        "organisation",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
    ]
    list_filter = ["role", "accepted_at"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation", "invited_by"]
    # Invitations are created by e-mail from the site; the admin only reads them.
    readonly_fields = [field.name for field in Invitation._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(RulesAdmin):
    list_display = [
        "name",
        "person",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    search_fields = ["name", "person__email", "prefix"]
    list_select_related = ["person"]
    readonly_fields = [field.name for field in ApiToken._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False


class UserCreationForm(auth_forms.BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(ObjectPermissionsModelAdminMixin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "is_active",
        "is_secretariat",
        "is_staff",
        "is_superuser",
        "last_login",
    ]
    list_filter = ["is_active", "is_secretariat", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "job_title"]}),
        (
            _("Platform roles"),
            {
                "fields": [
                    "is_active",
                    "is_secretariat",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("History"), {"fields": ["last_login", "date_joined", "closed_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "password1", "password2"],
            },
        )
    ]
    readonly_fields = ["last_login", "date_joined", "closed_at"]
    ROLE_FIELDS = ["is_secretariat", "is_staff", "is_superuser", "groups"]
    ROLE_FIELDS += ["user_permissions", "is_active"]

    def has_module_permission(self, request):
        return request.user.has_perm("members.use_admin")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_view_permission(
            request, obj
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("members.grant_platform_roles"):
            readonly += self.ROLE_FIELDS
        return readonly
