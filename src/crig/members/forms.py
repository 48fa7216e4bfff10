from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from crig.members.models import Membership, Organisation


class OrganisationSearchForm(forms.Form):
    MEMBER_CHOICES = [
        ("", _("All")),
        ("yes", _("OPenIG members")),
        ("no", _("Not OPenIG members")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Organisation.Category.choices],
    )
    member = forms.ChoiceField(
        label=_("OPenIG membership"), required=False, choices=MEMBER_CHOICES
    )

    def filters(self) -> dict:
        """The search arguments, or none when the form is invalid."""
        if not self.is_valid():
            return {"q": "", "category": "", "member": None}
        member = {"yes": True, "no": False}.get(self.cleaned_data["member"])
        return {
            "q": self.cleaned_data["q"],
            "category": self.cleaned_data["category"],
            "member": member,
        }


class OrganisationForm(forms.ModelForm):
    """An organisation's facts; referents get only the public presentation fields."""

    REFERENT_FIELDS = ("acronym", "website", "description", "logo")
    website = forms.URLField(
        label=_("website"), required=False, assume_scheme="https", max_length=200
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "acronym",
            "siren",
            "category",
            "is_openig_member",
            "openig_member_since",
            "website",
            "description",
            "logo",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, full_access: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not full_access:
            for name in list(self.fields):
                if name not in self.REFERENT_FIELDS:
                    del self.fields[name]
        self.fields["logo"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"

    def _post_clean(self):
        # The service validates the whole organisation (duplicates included); the
        # form only checks fields, so that errors are not reported twice.
        pass

    def changes(self) -> dict:
        changes = {
            name: value
            for name, value in self.cleaned_data.items()
            if name in self.changed_data
        }
        if changes.get("logo") is False:
            changes["logo"] = ""
        return changes


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person to invite"))
    role = forms.ChoiceField(
        label=_("Role in the organisation"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        help_text=_("A referent can invite and manage the organisation's members."),
    )


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput()
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("To recognise it later, e.g. “QGIS script”."),
    )


class CloseAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that closing my account cannot be undone."),
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter a correct e-mail address and password. The password is "
            "case-sensitive."
        ),
    }
