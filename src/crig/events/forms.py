"""Forms of the events pages. They parse what a person typed and build the values
the services take (``RegistrationData``); the services decide the rest and check
everything again (a live registration with the same e-mail, the registration
window, the places left), so a refused registration comes back with the
service's own message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crig.events import selectors
from crig.events.models import Event
from crig.events.services import RegistrationData
from crig.members.models import Organisation
from crig.territory.models import Departement

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _yes_no(label, help_text="", required=True):
    # Radios rather than a checkbox: the dashboard counts the answer, and an
    # unticked box cannot tell "no" from "did not read the question".
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        required=required,
        empty_value=None,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.acronym})" if obj.acronym else obj.name


class _DepartementChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class RegistrationForm(forms.Form):
    """The registration form of an event. The organisation is picked from the
    directory (its kind then follows) or typed with its kind."""

    full_name = forms.CharField(label=_("First and last name"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("The confirmation and the calendar file are sent there."),
    )
    organisation = _OrganisationChoice(
        label=_("Organisation (from the directory)"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("— Not in the directory —"),
    )
    organisation_name = forms.CharField(
        label=_("Or the name of your organisation"),
        max_length=200,
        required=False,
        help_text=_("When it is not in the directory."),
    )
    category = forms.ChoiceField(
        label=_("Kind of organisation"),
        required=False,
        choices=[("", _("— Choose —")), *Organisation.Category.choices],
        help_text=_(
            "Needed when the organisation is typed; otherwise the directory's."
        ),
    )
    departement = _DepartementChoice(
        label=_("Département where you work"),
        queryset=Departement.objects.none(),
        required=False,
        empty_label=_("— Outside Occitanie —"),
    )
    is_openig_member = _yes_no(
        _("Is your organisation a member of OPenIG?"),
        help_text=_("Taken from the directory when you pick your organisation."),
        required=False,
    )
    attended_before = _yes_no(_("Have you come to a CRIG day before?"))
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen by the secretariat only."),
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen by the secretariat only."),
    )
    consent_to_list = forms.BooleanField(
        label=_("Show my name and organisation in the public participants list"),
        required=False,
    )

    def __init__(self, data=None, *, event: Event, person=None):
        super().__init__(data, initial=self._initial_for(person))
        self.event = event
        self.fields["departement"].queryset = selectors.departements_for_choice()
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organisation_name"].widget.attrs["autocomplete"] = "organization"

    @staticmethod
    def _initial_for(person) -> dict:
        """What a signed-in person need not type again."""
        if person is None or not person.is_authenticated:
            return {}
        initial = {"full_name": person.full_name, "email": person.email}
        membership = (
            person.memberships.select_related("organisation")
            .order_by("organisation__name")
            .first()
        )
        if membership is not None:
            organisation = membership.organisation
            initial.update(
                organisation=organisation.pk,
                category=organisation.category,
                is_openig_member="yes" if organisation.is_openig_member else "no",
            )
        return initial

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        if organisation is not None:
            cleaned["organisation_name"] = ""
            if not cleaned.get("category"):
                cleaned["category"] = organisation.category
        else:
            if not cleaned.get("organisation_name", "").strip():
                self.add_error(
                    "organisation",
                    _("Pick your organisation from the directory or type its name."),
                )
            if not cleaned.get("category"):
                self.add_error("category", _("Choose the kind of your organisation."))
            if cleaned.get("is_openig_member") is None:
                self.add_error(
                    "is_openig_member",
                    _("Say whether your organisation is a member of OPenIG."),
                )
        return cleaned

    def registration_data(self) -> RegistrationData:
        data = self.cleaned_data
        organisation = data["organisation"]
        departement = data["departement"]
        return RegistrationData(
            full_name=data["full_name"],
            email=data["email"],
            category=data["category"],
            organisation_id=organisation.pk if organisation else None,
            organisation_name=data["organisation_name"].strip(),
            departement=departement.code if departement else "",
            is_openig_member=bool(data["is_openig_member"]),
            attended_before=data["attended_before"],
            accessibility_needs=data["accessibility_needs"].strip(),
            dietary_needs=data["dietary_needs"].strip(),
            consent_to_list=data["consent_to_list"],
        )


class CheckInSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a name or an organisation"), required=False, max_length=200
    )

    def query(self) -> str:
        if not self.is_valid():
            return ""
        return self.cleaned_data["q"].strip()
