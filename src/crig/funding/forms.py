"""Forms of the funding pages. They parse what a person typed and build the values
the services take (``RequestData``, ``OpinionData``…); the services decide the
rest and check everything again.

Budget lines and co-funders are formsets with a fixed number of empty rows, so
that a request can be entered without JavaScript: blank rows are ignored, and a
person who needs more rows saves the draft and gets new blank rows."""

import datetime
from decimal import Decimal

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from crig.funding.models import (
    CoFunder,
    Criterion,
    DataLicence,
    FundingRequest,
    Opinion,
    Position,
    Programme,
)
from crig.funding.selectors.register import RegisterFilters
from crig.funding.selectors.requests import RequestFilters
from crig.funding.services import (
    BudgetLineData,
    CoFunderData,
    OpinionData,
    RequestData,
)
from crig.members.models import Organisation, Signatory, User
from crig.needs.models import Theme
from crig.territory.models import EPCI, Departement

AMOUNT_MAX = Decimal("999999999.99")
BUDGET_EXTRA_ROWS = 3
COFUNDER_EXTRA_ROWS = 2
SCORES = [(str(score), str(score)) for score in range(5)]


def euros(value: Decimal) -> str:
    """« 100 000,00 € » in French, « 100,000.00 € » in English."""
    return _("%(amount)s €") % {
        "amount": number_format(value, decimal_pos=2, force_grouping=True)
    }


def _amount_field(label, *, required=True, help_text=""):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.01"),
        max_value=AMOUNT_MAX,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 14}),
    )


class _OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.acronym})" if obj.acronym else obj.name


class _ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.signatory} — {obj.name}"


def applicant_choices(user):
    """The organisations a person may enter a request for: their own, or any
    organisation for the staff of a signatory (who enter requests that reached
    them by other channels)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if Signatory.objects.filter(organisation__memberships__person=user).exists():
        return Organisation.objects.order_by("name")
    return (
        Organisation.objects.filter(memberships__person=user)
        .distinct()
        .order_by("name")
    )


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestForm(forms.Form):
    """The fields of a request; ``applicant`` only on creation."""

    applicant = _OrganisationChoiceField(
        label=_("Applicant organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    signatory = forms.ModelChoiceField(
        label=_("Signatory reached"),
        queryset=Signatory.objects.select_related("organisation"),
        empty_label=_("Choose the signatory"),
        help_text=_("The signatory whose funds the request asks for."),
    )
    programme = _ProgrammeChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("No programme in particular"),
        help_text=_("It must be a programme of the signatory reached."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("What, where: “PCRS of the Muretain agglomeration”."),
    )
    public_summary = forms.CharField(
        label=_("Public summary"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Published in the register with the council's opinion: write nothing "
            "confidential here."
        ),
    )
    description = forms.CharField(
        label=_("Project description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Confidential: seen by your organisation, the reviewers and the "
            "secretariat only."
        ),
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)
    self_funding = _amount_field(
        _("Self-funding (€)"),
        required=False,
        help_text=_("What your organisation pays itself."),
    )
    amount_requested = _amount_field(
        _("Amount requested (€)"),
        help_text=_("From the signatory reached."),
    )
    starts_on = forms.DateField(label=_("Start"), required=False, widget=_date_widget())
    ends_on = forms.DateField(label=_("End"), required=False, widget=_date_widget())
    deliverables = forms.CharField(
        label=_("Deliverables"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The data and documents the project will deliver."),
    )
    data_licence = forms.ChoiceField(
        label=_("Licence of the data produced"), choices=DataLicence.choices
    )
    standards = forms.CharField(
        label=_("Standards followed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("CNIG standards, INSPIRE specifications… one per line."),
    )

    def __init__(
        self, *args, user, funding_request: FundingRequest | None = None, **kwargs
    ):
        if funding_request is not None:
            kwargs.setdefault(
                "initial",
                {
                    "signatory": funding_request.signatory_id,
                    "programme": funding_request.programme_id,
                    "title": funding_request.title,
                    "public_summary": funding_request.public_summary,
                    "description": funding_request.description,
                    "theme": funding_request.theme,
                    "self_funding": funding_request.self_funding or None,
                    "amount_requested": funding_request.amount_requested,
                    "starts_on": funding_request.starts_on,
                    "ends_on": funding_request.ends_on,
                    "deliverables": funding_request.deliverables,
                    "data_licence": funding_request.data_licence,
                    "standards": funding_request.standards,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = (
            Programme.objects.filter(is_active=True)
            .select_related("signatory__organisation")
            .order_by("signatory__position", "name")
        )
        if funding_request is not None:
            del self.fields["applicant"]
        else:
            organisations = applicant_choices(user)
            self.fields["applicant"].queryset = organisations
            own = (
                list(
                    Organisation.objects.filter(memberships__person=user).values_list(
                        "pk", flat=True
                    )[:2]
                )
                if user.is_authenticated
                else []
            )
            if len(own) == 1:
                self.fields["applicant"].initial = own[0]

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and starts > ends:
            self.add_error("ends_on", _("The end comes before the start."))
        signatory, programme = cleaned.get("signatory"), cleaned.get("programme")
        if signatory and programme and programme.signatory_id != signatory.pk:
            self.add_error(
                "programme",
                _(
                    "This programme belongs to %(signatory)s, not to the signatory "
                    "reached."
                )
                % {"signatory": programme.signatory},
            )
        return cleaned

    def request_data(self, budget_lines, cofunders) -> RequestData:
        data = self.cleaned_data
        return RequestData(
            signatory_id=data["signatory"].pk,
            programme_id=data["programme"].pk if data.get("programme") else None,
            title=data["title"].strip(),
            public_summary=data["public_summary"].strip(),
            description=data["description"].strip(),
            theme=data["theme"],
            amount_requested=data["amount_requested"],
            self_funding=data.get("self_funding") or Decimal(0),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            deliverables=data.get("deliverables", "").strip(),
            data_licence=data["data_licence"],
            standards=data.get("standards", "").strip(),
            budget_lines=budget_lines,
            cofunders=cofunders,
        )


class BudgetLineForm(forms.Form):
    label = forms.CharField(label=_("Item"), max_length=200, required=False)
    amount = _amount_field(_("Amount (€)"), required=False)

    def clean(self):
        cleaned = super().clean()
        label, amount = (cleaned.get("label") or "").strip(), cleaned.get("amount")
        if label and amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount of this line."))
        if amount is not None and not label:
            self.add_error("label", _("Say what this amount pays for."))
        return cleaned

    def line(self) -> BudgetLineData | None:
        data = getattr(self, "cleaned_data", {})
        label = (data.get("label") or "").strip()
        if not label or data.get("amount") is None:
            return None
        return BudgetLineData(label=label, amount=data["amount"])


class CoFunderForm(forms.Form):
    organisation = _OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("Not in the directory"),
    )
    name = forms.CharField(
        label=_("Name, when not in the directory"), max_length=200, required=False
    )
    amount = _amount_field(_("Amount (€)"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=CoFunder.Status.choices, initial="requested"
    )

    def clean(self):
        cleaned = super().clean()
        named = cleaned.get("organisation") or (cleaned.get("name") or "").strip()
        amount = cleaned.get("amount")
        if named and amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount of this co-funder."))
        if amount is not None and not named:
            self.add_error(
                "organisation", _("Choose the organisation or write its name.")
            )
        return cleaned

    def cofunder(self) -> CoFunderData | None:
        data = getattr(self, "cleaned_data", {})
        organisation = data.get("organisation")
        name = (data.get("name") or "").strip()
        if data.get("amount") is None or not (organisation or name):
            return None
        return CoFunderData(
            amount=data["amount"],
            organisation_id=organisation.pk if organisation else None,
            name="" if organisation else name,
            status=data.get("status") or CoFunder.Status.REQUESTED,
        )


BudgetLineFormSet = forms.formset_factory(
    BudgetLineForm, extra=BUDGET_EXTRA_ROWS, max_num=100, absolute_max=100
)
CoFunderFormSet = forms.formset_factory(
    CoFunderForm, extra=COFUNDER_EXTRA_ROWS, max_num=50, absolute_max=50
)


def budget_formset(data=None, *, funding_request=None):
    initial = []
    if funding_request is not None:
        initial = [
            {"label": line.label, "amount": line.amount}
            for line in funding_request.budget_lines.all()
        ]
    return BudgetLineFormSet(data, initial=initial, prefix="budget")


def cofunder_formset(data=None, *, funding_request=None):
    initial = []
    if funding_request is not None:
        initial = [
            {
                "organisation": cofunder.organisation_id,
                "name": cofunder.name,
                "amount": cofunder.amount,
                "status": cofunder.status,
            }
            for cofunder in funding_request.cofunders.all()
        ]
    return CoFunderFormSet(data, initial=initial, prefix="cofunders")


def formset_values(formset, method: str) -> list:
    """The rows a person filled in (blank rows left out)."""
    values = []
    for form in formset.forms:
        value = getattr(form, method)()
        if value is not None:
            values.append(value)
    return values


class AmountsCheck:
    """Σ budget lines = amount requested + Σ co-funders + self-funding, with the
    figures to show a person when they do not add up."""

    def __init__(self, *, budget_lines, cofunders, amount_requested, self_funding):
        self.budget = sum((line.amount for line in budget_lines), Decimal(0))
        self.cofunders = sum((c.amount for c in cofunders), Decimal(0))
        self.requested = amount_requested or Decimal(0)
        self.self_funding = self_funding or Decimal(0)
        self.resources = self.requested + self.cofunders + self.self_funding
        self.difference = self.budget - self.resources

    @property
    def balanced(self) -> bool:
        return self.difference == 0

    def message(self) -> str:
        return _(
            "The amounts do not add up: the budget lines total %(budget)s, but "
            "the amount requested (%(requested)s), the co-funders (%(cofunders)s) "
            "and the self-funding (%(self_funding)s) make %(resources)s."
        ) % {
            "budget": euros(self.budget),
            "requested": euros(self.requested),
            "cofunders": euros(self.cofunders),
            "self_funding": euros(self.self_funding),
            "resources": euros(self.resources),
        }


# Filters ------------------------------------------------------------------------


def _year_field():
    return forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"size": 5}),
    )


def _departement_choices():
    return [
        ("", _("All départements")),
        *[
            (code, f"{code} · {name}")
            for code, name in Departement.objects.order_by("code").values_list(
                "code", "name"
            )
        ],
    ]


def _signatory_choices():
    return [
        ("", _("All signatories")),
        *[
            (signatory.pk, str(signatory))
            for signatory in Signatory.objects.select_related("organisation")
        ],
    ]


class _FilterForm(forms.Form):
    def _cleaned(self) -> dict:
        if self.is_bound:
            self.is_valid()
        return getattr(self, "cleaned_data", {})

    def query(self) -> dict[str, str]:
        """The valid filters as query parameters (exports, pages)."""
        pairs = {
            name: str(value)
            for name, value in self.filters().__dict__.items()
            if value not in ("", None)
        }
        return pairs


class RequestFilterForm(_FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    signatory = forms.TypedChoiceField(
        label=_("Signatory"), required=False, coerce=int, empty_value=None
    )
    departement = forms.ChoiceField(label=_("Département"), required=False)
    year = _year_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("All states")),
            *FundingRequest.State.choices,
        ]
        self.fields["theme"].choices = [("", _("All themes")), *Theme.choices]
        self.fields["signatory"].choices = _signatory_choices()
        self.fields["departement"].choices = _departement_choices()

    def filters(self) -> RequestFilters:
        data = self._cleaned()
        return RequestFilters(
            q=(data.get("q") or "").strip(),
            state=data.get("state") or "",
            theme=data.get("theme") or "",
            signatory=data.get("signatory"),
            year=data.get("year"),
            departement=data.get("departement") or "",
        )


class RegisterFilterForm(_FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    signatory = forms.TypedChoiceField(
        label=_("Signatory"), required=False, coerce=int, empty_value=None
    )
    verdict = forms.ChoiceField(label=_("Verdict"), required=False)
    year = _year_field()
    departement = forms.ChoiceField(label=_("Département"), required=False)
    epci = forms.ChoiceField(label=_("EPCI"), required=False)
    commune = forms.RegexField(
        label=_("Commune (INSEE code)"),
        regex=r"^\s*(\d[0-9AB]\d{3})\s*$",
        required=False,
        max_length=10,
        error_messages={"invalid": _("An INSEE code has five characters: 31555.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All themes")), *Theme.choices]
        self.fields["signatory"].choices = _signatory_choices()
        self.fields["verdict"].choices = [
            ("", _("All verdicts")),
            *Opinion.Verdict.choices,
        ]
        self.fields["departement"].choices = _departement_choices()
        self.fields["epci"].choices = [
            ("", _("All EPCI")),
            *EPCI.objects.order_by("name").values_list("siren", "name"),
        ]

    def filters(self) -> RegisterFilters:
        data = self._cleaned()
        return RegisterFilters(
            q=(data.get("q") or "").strip(),
            theme=data.get("theme") or "",
            signatory=data.get("signatory"),
            year=data.get("year"),
            verdict=data.get("verdict") or "",
            departement=data.get("departement") or "",
            epci=data.get("epci") or "",
            commune=(data.get("commune") or "").strip(),
        )


# The procedure ------------------------------------------------------------------


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("PDF file"),
        help_text=_("PDF only, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the request is withdrawn"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdmissibilityForm(forms.Form):
    admissible = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Admissible")), ("no", _("Inadmissible"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required when the request is inadmissible; sent to the applicant."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("admissible") is False
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Say why the request is inadmissible."))
        return cleaned


class _ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person} — {obj.signatory}"


class AssignReviewerForm(forms.Form):
    """A reviewer among the ``ReviewerAssignment`` rows of every signatory, not
    yet seated on the request."""

    assignment = _ReviewerChoiceField(
        label=_("Reviewer"),
        queryset=None,
        empty_label=_("Choose a reviewer"),
    )

    def __init__(self, *args, funding_request: FundingRequest, **kwargs):
        from crig.members.models import ReviewerAssignment

        super().__init__(*args, **kwargs)
        seated = funding_request.reviewer_seats.values_list("reviewer_id", flat=True)
        self.fields["assignment"].queryset = (
            ReviewerAssignment.objects.filter(person__is_active=True)
            .exclude(person_id__in=list(seated))
            .select_related("person", "signatory__organisation")
            .order_by("signatory__position", "person__full_name")
        )


class StartReviewForm(forms.Form):
    deadline = forms.DateField(
        label=_("Deadline for the positions"), widget=_date_widget()
    )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= datetime.date.today():  # noqa: DTZ011 - a calendar date
            raise forms.ValidationError(_("Give a date in the future."))
        return deadline


class DeclarationForm(forms.Form):
    conflict = forms.TypedChoiceField(
        label=_("Your declaration"),
        choices=[
            ("no", _("I have no conflict of interest with this request")),
            ("yes", _("I have a conflict of interest: I recuse myself")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("Statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you recuse yourself: say what links you."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("conflict") and not (cleaned.get("statement") or "").strip():
            self.add_error("statement", _("Say what links you to the request."))
        return cleaned


class PositionForm(forms.Form):
    """A signatory's position and a score 0–4 for every published criterion."""

    position = forms.ChoiceField(
        label=_("Position"), choices=Position.choices, widget=forms.RadioSelect
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Seen by the secretariat and the other reviewers; never published."
        ),
    )

    def __init__(self, *args, signatories, position=None, **kwargs):
        if position is not None:
            initial = {"position": position.position, "comments": position.comments}
            initial.update(
                {
                    f"score_{name}": str(value)
                    for name, value in (position.scores or {}).items()
                }
            )
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.signatories = list(signatories)
        if len(self.signatories) > 1:
            self.fields["signatory"] = forms.ModelChoiceField(
                label=_("On behalf of"),
                queryset=Signatory.objects.filter(
                    pk__in=[s.pk for s in self.signatories]
                ),
                empty_label=None,
            )
        for criterion in Criterion:
            self.fields[f"score_{criterion.value}"] = forms.TypedChoiceField(
                label=criterion.label,
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "score-choices"}),
            )

    def score_fields(self):
        return [self[f"score_{criterion.value}"] for criterion in Criterion]

    def signatory(self):
        if "signatory" in self.fields:
            return self.cleaned_data["signatory"]
        return self.signatories[0]

    def scores(self) -> dict[str, int]:
        return {
            criterion.value: self.cleaned_data[f"score_{criterion.value}"]
            for criterion in Criterion
        }


class OpinionForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Opinion.Verdict.choices, widget=forms.RadioSelect
    )
    reasoning = forms.CharField(
        label=_("Reasoning"), widget=forms.Textarea(attrs={"rows": 6})
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    adopted_on = forms.DateField(label=_("Adopted on"), widget=_date_widget())
    adoption = forms.ChoiceField(
        label=_("Adopted by"),
        choices=Opinion.Adoption.choices,
        widget=forms.RadioSelect,
    )
    meeting_label = forms.CharField(
        label=_("Meeting"),
        max_length=200,
        required=False,
        help_text=_("E.g. “Comité du 12 mars”."),
    )

    def __init__(self, *args, opinion: Opinion | None = None, **kwargs):
        if opinion is not None:
            kwargs.setdefault(
                "initial",
                {
                    "verdict": opinion.verdict,
                    "reasoning": opinion.reasoning,
                    "conditions": opinion.conditions,
                    "adopted_on": opinion.adopted_on,
                    "adoption": opinion.adoption,
                    "meeting_label": opinion.meeting_label,
                },
            )
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("adoption") == Opinion.Adoption.MEETING
            and not (cleaned.get("meeting_label") or "").strip()
        ):
            self.add_error("meeting_label", _("Name the meeting that adopted it."))
        return cleaned

    def opinion_data(self) -> OpinionData:
        data = self.cleaned_data
        return OpinionData(
            verdict=data["verdict"],
            reasoning=data["reasoning"].strip(),
            conditions=data.get("conditions", "").strip(),
            adopted_on=data["adopted_on"],
            adoption=data["adoption"],
            meeting_label=data.get("meeting_label", "").strip(),
        )


class CorrectionForm(OpinionForm):
    correction_note = forms.CharField(
        label=_("What this version corrects"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the new version; the previous one stays readable."),
    )


def reviewer_signatories(user, funding_request: FundingRequest):
    """The signatories on whose behalf ``user`` is a cleared reviewer of the
    request."""
    if not isinstance(user, User):
        return Signatory.objects.none()
    return Signatory.objects.filter(
        pk__in=funding_request.reviewer_seats.filter(
            reviewer=user, conflict="none"
        ).values_list("signatory_id", flat=True)
    ).select_related("organisation")
