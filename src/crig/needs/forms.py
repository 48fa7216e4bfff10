"""Forms of the needs pages. They parse what a person typed and build the values
the services take (``NeedData``, ``SupportData``); the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crig.members.models import Organisation, User
from crig.needs.models import Need, Theme
from crig.needs.selectors.needs import NeedFilters
from crig.needs.services import NeedData, SupportData
from crig.territory.models import EPCI, Departement

COFUNDING_MAX = 100_000_000


def _organisations_of(user, *, exclude_ids=()):
    if not user.is_authenticated:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(memberships__person=user)
        .exclude(pk__in=list(exclude_ids))
        .distinct()
        .order_by("name")
    )


def supporting_organisations(user, need: Need):
    """The person's organisations that may support ``need``: not its own, not
    those already behind it."""
    excluded = {need.organisation_id}
    excluded.update(need.supports.values_list("organisation_id", flat=True))
    return _organisations_of(user, exclude_ids=excluded)


class _OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.acronym})" if obj.acronym else obj.name


class _CofundingRange(forms.Form):
    """A co-funding range in euros; both ends optional, ``from`` ≤ ``up to``."""

    cofunding_min = forms.IntegerField(
        label=_("Co-funding offered, from (€)"),
        required=False,
        min_value=0,
        max_value=COFUNDING_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
    )
    cofunding_max = forms.IntegerField(
        label=_("Co-funding offered, up to (€)"),
        required=False,
        min_value=0,
        max_value=COFUNDING_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
    )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("cofunding_min"), cleaned.get("cofunding_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "cofunding_max",
                _("The upper end of the co-funding range is below its lower end."),
            )
        return cleaned


class NeedForm(_CofundingRange):
    """A need's fields. ``organisation`` is asked on creation only (among the
    person's organisations, preselected when there is one); ``contact`` on edition
    only (among the members of the need's organisation)."""

    organisation = _OrganisationChoiceField(
        label=_("In the name of"),
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("In a few words: what, where. E.g. “LIDAR HD of the Garonne”."),
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What is missing today, and what the data would change."),
    )
    precision = forms.CharField(
        label=_("Wanted precision or resolution"),
        max_length=100,
        required=False,
        help_text=_("As you would say it: “20 cm”, “1:5,000”, “class A”…"),
    )
    resolution_m = forms.FloatField(
        label=_("Wanted ground resolution (m)"),
        required=False,
        min_value=0.001,
        max_value=10_000,
        help_text=_(
            "Optional, in metres (0.2 for 20 cm): tells whether existing data is "
            "fine enough."
        ),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    horizon = forms.DateField(
        label=_("Horizon"),
        required=False,
        help_text=_("When the data is needed."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    intended_use = forms.CharField(
        label=_("Intended use"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("The author"),
        help_text=_("A member of the organisation who answers questions."),
    )

    field_order = [
        "organisation",
        "title",
        "theme",
        "description",
        "precision",
        "resolution_m",
        "horizon",
        "intended_use",
        "cofunding_min",
        "cofunding_max",
        "contact",
    ]

    def __init__(self, *args, user, need: Need | None = None, **kwargs):
        if need is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": need.title,
                    "theme": need.theme,
                    "description": need.description,
                    "precision": need.precision,
                    "resolution_m": need.resolution_m,
                    "horizon": need.horizon,
                    "intended_use": need.intended_use,
                    "cofunding_min": need.cofunding_min,
                    "cofunding_max": need.cofunding_max,
                    "contact": need.contact_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.need = need
        if need is None:
            del self.fields["contact"]
            organisations = _organisations_of(user)
            self.fields["organisation"].queryset = organisations
            if len(organisations) == 1:
                self.fields["organisation"].initial = organisations[0].pk
        else:
            del self.fields["organisation"]
            self.fields["contact"].queryset = (
                User.objects.filter(
                    memberships__organisation_id=need.organisation_id,
                    is_active=True,
                )
                .distinct()
                .order_by("full_name", "email")
            )

    def need_data(self) -> NeedData:
        data = self.cleaned_data
        return NeedData(
            title=data["title"].strip(),
            description=data["description"].strip(),
            theme=data["theme"],
            precision=data["precision"].strip(),
            resolution_m=data["resolution_m"],
            horizon=data["horizon"],
            intended_use=data["intended_use"].strip(),
            cofunding_min=data["cofunding_min"],
            cofunding_max=data["cofunding_max"],
        )


class SupportForm(_CofundingRange):
    """“Nous aussi”: the organisation (on creation, among the person's
    organisations other than the need's that have not supported it yet)."""

    organisation = _OrganisationChoiceField(
        label=_("In the name of"),
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why your organisation needs it too, what differs."),
    )

    field_order = ["organisation", "comment", "cofunding_min", "cofunding_max"]

    def __init__(self, *args, user, need: Need, support=None, **kwargs):
        if support is not None:
            kwargs.setdefault(
                "initial",
                {
                    "comment": support.comment,
                    "cofunding_min": support.cofunding_min,
                    "cofunding_max": support.cofunding_max,
                },
            )
        super().__init__(*args, **kwargs)
        if support is not None:
            del self.fields["organisation"]
            return
        organisations = supporting_organisations(user, need)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk

    def support_data(self) -> SupportData:
        data = self.cleaned_data
        return SupportData(
            comment=data["comment"].strip(),
            cofunding_min=data["cofunding_min"],
            cofunding_max=data["cofunding_max"],
        )


DECISION_STATES = (
    Need.State.QUALIFIED,
    Need.State.RETAINED,
    Need.State.SATISFIED,
    Need.State.REJECTED,
)


class DecisionForm(forms.Form):
    to_state = forms.ChoiceField(
        label=_("New state"),
        choices=[(state.value, state.label) for state in DECISION_STATES],
    )
    plan_fit = forms.ChoiceField(
        label=_("Fit with the current plan"), choices=Need.PlanFit.choices
    )
    answer = forms.CharField(
        label=_("Public answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Shown on the need's page and sent to everyone involved; required to "
            "retain, satisfy or reject."
        ),
    )

    def __init__(self, *args, need: Need, **kwargs):
        kwargs.setdefault(
            "initial", {"plan_fit": need.plan_fit, "answer": need.public_answer}
        )
        super().__init__(*args, **kwargs)


class _NeedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"#{obj.pk} · {obj.title} ({obj.organisation})"


class MergeForm(forms.Form):
    into = _NeedChoiceField(
        label=_("Merge into"),
        queryset=Need.objects.none(),
        empty_label=_("Choose the need to keep"),
        help_text=_(
            "This need becomes a support of the one kept; its history stays here."
        ),
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, need: Need, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Need.objects.exclude(pk=need.pk)
            .exclude(state__in=[Need.State.DRAFT, Need.State.MERGED])
            .select_related("organisation")
            .order_by("title")
        )


class SplitForm(forms.Form):
    """The titles of two parts; each part's territory is its own territory form
    (prefixes ``part1`` and ``part2``)."""

    PARTS = 2

    title_1 = forms.CharField(label=_("Title of part 1"), max_length=200)
    title_2 = forms.CharField(label=_("Title of part 2"), max_length=200)
    message = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, need: Need, **kwargs):
        kwargs.setdefault("initial", {"title_1": need.title})
        super().__init__(*args, **kwargs)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image or office document."),
    )


class NeedFilterForm(forms.Form):
    """The list's filters, turned into ``selectors.needs.NeedFilters``."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("All themes"))]
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states"))]
    )
    organisation = forms.ChoiceField(
        label=_("Organisation"), required=False, choices=[]
    )
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
    year = forms.IntegerField(
        label=_("Year submitted"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"size": 5}),
    )
    mine = forms.BooleanField(label=_("My organisations' needs"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All themes")), *Theme.choices]
        self.fields["state"].choices = [
            ("", _("All states")),
            *[(s.value, s.label) for s in Need.State if s != Need.State.DRAFT],
        ]
        if user.is_authenticated:
            self.fields["state"].choices.append(
                (Need.State.DRAFT.value, _("My drafts"))
            )
        self.fields["organisation"].choices = [
            ("", _("All organisations")),
            # Organisations with a public need: a draft says nothing to others.
            *Organisation.objects.filter(
                pk__in=Need.objects.exclude(state=Need.State.DRAFT).values(
                    "organisation_id"
                )
            )
            .order_by("name")
            .values_list("slug", "name"),
        ]
        self.fields["departement"].choices = [
            ("", _("All départements")),
            *[
                (code, f"{code} · {name}")
                for code, name in Departement.objects.order_by("code").values_list(
                    "code", "name"
                )
            ],
        ]
        self.fields["epci"].choices = [
            ("", _("All EPCI")),
            *EPCI.objects.order_by("name").values_list("siren", "name"),
        ]
        if not user.is_authenticated or not user.memberships.exists():
            del self.fields["mine"]

    MORE = ("organisation", "departement", "epci", "commune", "year")

    def primary_fields(self):
        return [field for field in self.visible_fields() if field.name not in self.MORE]

    def more_fields(self):
        return [field for field in self.visible_fields() if field.name in self.MORE]

    def more_used(self) -> bool:
        """Whether one of the secondary filters is set (its box then opens)."""
        return any(self.data.get(name) for name in self.MORE)

    def filters(self) -> NeedFilters:
        """The filters, leaving out those that are not valid."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        commune = data.get("commune") or ""
        return NeedFilters(
            q=(data.get("q") or "").strip(),
            theme=data.get("theme") or "",
            state=data.get("state") or "",
            organisation=data.get("organisation") or "",
            departement=data.get("departement") or "",
            epci=data.get("epci") or "",
            commune=commune.strip(),
            year=data.get("year"),
            mine=bool(data.get("mine")),
        )

    def query(self) -> dict[str, str]:
        """The valid filters as query parameters (for the map, exports, pages)."""
        filters = self.filters()
        pairs = {
            "q": filters.q,
            "theme": filters.theme,
            "state": filters.state,
            "organisation": filters.organisation,
            "departement": filters.departement,
            "epci": filters.epci,
            "commune": filters.commune,
            "year": str(filters.year) if filters.year else "",
            "mine": "true" if filters.mine else "",
        }
        return {name: value for name, value in pairs.items() if value}


class HeatmapForm(forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All themes")), *Theme.choices]

    def theme_value(self) -> str:
        return self.cleaned_data.get("theme", "") if self.is_valid() else ""
