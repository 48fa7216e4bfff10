"""Forms of the action-plan pages. They parse what a person typed and build the
values the services take (``ActionData``, ``MilestoneData``…); the services
decide the rest and check everything again (progress 0–100, milestones in date
order, links to items the person may see), so a refused value comes back with
the service's own message.

Milestones and indicators are formsets with a few blank rows, so that an action
can be entered without JavaScript: blank rows are ignored, and a person who
needs more rows saves and gets new blank rows."""

import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crig.actionplan.models import Action, Plan
from crig.actionplan.selectors import ActionFilters
from crig.actionplan.services import ActionData, IndicatorData, MilestoneData
from crig.core.errors import InvalidInput
from crig.core.uploads import attachment_size_check
from crig.members.models import Organisation, Signatory
from crig.needs.models import Theme

MILESTONE_EXTRA_ROWS = 2
INDICATOR_EXTRA_ROWS = 2
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _OrganisationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.acronym})" if obj.acronym else obj.name


class ActionFilterForm(forms.Form):
    """The filters of a plan's page (GET): category, lead organisation, status.
    The lead list offers only the organisations that lead an action of the
    plan."""

    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Action.Category.choices],
    )
    lead = forms.ChoiceField(label=_("Lead organisation"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Action.Status.choices],
    )

    def __init__(self, data=None, *, plan: Plan):
        super().__init__(data)
        leads = (
            Organisation.objects.filter(led_actions__plan=plan)
            .distinct()
            .order_by("name")
        )
        self.fields["lead"].choices = [("", _("All organisations"))] + [
            (o.slug, f"{o.name} ({o.acronym})" if o.acronym else o.name) for o in leads
        ]

    def filters(self) -> ActionFilters:
        if not self.is_bound or not self.is_valid():
            return ActionFilters()
        return ActionFilters(
            category=self.cleaned_data["category"],
            lead=self.cleaned_data["lead"],
            status=self.cleaned_data["status"],
        )

    def active(self) -> bool:
        return self.filters() != ActionFilters()


class PlanForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the plan is for, shown above its actions."),
    )

    def __init__(self, data=None, *, plan: Plan | None = None):
        initial = (
            {"year": plan.year, "title": plan.title, "introduction": plan.introduction}
            if plan is not None
            else {"year": timezone.localdate().year + 1}
        )
        super().__init__(data, initial=initial)
        if plan is not None:
            # The year of a plan is its identity (its address, the roll-over).
            self.fields["year"].disabled = True


class ActionForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Action.Category.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    objectives = forms.CharField(
        label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 5})
    )
    theme = forms.ChoiceField(
        label=_("Theme"),
        required=False,
        choices=[("", _("None")), *Theme.choices],
        help_text=_("The référentiel or theme it is about, when it has one."),
    )
    leads = _OrganisationChoices(
        label=_("Lead organisations"),
        queryset=Organisation.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    signatory = forms.ModelChoiceField(
        label=_("Signatory carrying it"),
        queryset=Signatory.objects.select_related("organisation"),
        required=False,
        empty_label=_("None"),
    )
    partners = _OrganisationChoices(
        label=_("Partners"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    # No bounds here: the service says what is wrong with a progress of 150.
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    budget = forms.DecimalField(
        label=_("Budget (€)"),
        required=False,
        decimal_places=2,
        max_digits=14,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, data=None, *, action: Action | None = None):
        initial = {}
        if action is not None:
            initial = {
                "category": action.category,
                "title": action.title,
                "objectives": action.objectives,
                "theme": action.theme,
                "leads": [o.pk for o in action.leads.all()],
                "signatory": action.signatory_id,
                "partners": [o.pk for o in action.partners.all()],
                "status": action.status,
                "progress": action.progress,
                "budget": action.budget,
            }
        super().__init__(data, initial=initial)

    def action_data(self, *, milestones, indicators) -> ActionData:
        data = self.cleaned_data
        return ActionData(
            category=data["category"],
            title=data["title"],
            objectives=data["objectives"],
            lead_ids=[o.pk for o in data["leads"]],
            signatory_id=data["signatory"].pk if data.get("signatory") else None,
            partner_ids=[o.pk for o in data.get("partners") or []],
            theme=data.get("theme") or "",
            status=data["status"],
            progress=data["progress"],
            budget=data.get("budget"),
            milestones=milestones,
            indicators=indicators,
        )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE_INPUT)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE_INPUT)

    def clean(self):
        cleaned = super().clean()
        title = (cleaned.get("title") or "").strip()
        if title and cleaned.get("due_on") is None and "due_on" not in self.errors:
            self.add_error("due_on", _("Give the date this milestone is due."))
        if not title and (cleaned.get("due_on") or cleaned.get("done_on")):
            self.add_error("title", _("Give this milestone a title."))
        return cleaned

    def milestone(self) -> MilestoneData | None:
        data = getattr(self, "cleaned_data", {})
        title = (data.get("title") or "").strip()
        if not title or data.get("due_on") is None:
            return None
        return MilestoneData(title, data["due_on"], data.get("done_on"))


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    target = forms.DecimalField(
        label=_("Target"), required=False, max_digits=14, decimal_places=2
    )
    current = forms.DecimalField(
        label=_("Current value"), required=False, max_digits=14, decimal_places=2
    )

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("name") or "").strip()
        if name and cleaned.get("target") is None and "target" not in self.errors:
            self.add_error("target", _("Give this indicator's target."))
        if not name and cleaned.get("target") is not None:
            self.add_error("name", _("Give this indicator a name."))
        return cleaned

    def indicator(self) -> IndicatorData | None:
        data = getattr(self, "cleaned_data", {})
        name = (data.get("name") or "").strip()
        if not name or data.get("target") is None:
            return None
        return IndicatorData(
            name=name,
            target=data["target"],
            current=data.get("current") or 0,
            unit=(data.get("unit") or "").strip(),
        )


MilestoneFormSet = forms.formset_factory(
    MilestoneForm, extra=MILESTONE_EXTRA_ROWS, max_num=50, absolute_max=50
)
IndicatorFormSet = forms.formset_factory(
    IndicatorForm, extra=INDICATOR_EXTRA_ROWS, max_num=30, absolute_max=30
)


def milestone_formset(data=None, *, action: Action | None = None):
    initial = []
    if action is not None:
        initial = [
            {"title": m.title, "due_on": m.due_on, "done_on": m.done_on}
            for m in action.milestones.all()
        ]
    return MilestoneFormSet(data, initial=initial, prefix="milestones")


def indicator_formset(data=None, *, action: Action | None = None):
    initial = []
    if action is not None:
        initial = [
            {"name": i.name, "unit": i.unit, "target": i.target, "current": i.current}
            for i in action.indicators.all()
        ]
    return IndicatorFormSet(data, initial=initial, prefix="indicators")


def formset_values(formset, method: str) -> list:
    """The rows a person filled in (blank rows left out)."""
    values = []
    for form in formset.forms:
        value = getattr(form, method)()
        if value is not None:
            values.append(value)
    return values


class ProgressUpdateForm(forms.Form):
    dated = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    body = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4})
    )
    progress = forms.IntegerField(
        label=_("Progress now (%)"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Leave empty to keep the current progress."),
    )
    status = forms.ChoiceField(
        label=_("Status now"),
        required=False,
        choices=[("", _("Unchanged")), *Action.Status.choices],
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_(
            "PDF, image or office document: minutes, a report, a map (optional)."
        ),
    )

    def __init__(self, data=None, files=None, *, action: Action | None = None):
        super().__init__(
            data,
            files,
            initial={"dated": timezone.localdate()},
        )
        if action is not None:
            self.fields["progress"].widget.attrs["placeholder"] = str(action.progress)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            # Checked on the declared size before the file is read in memory.
            try:
                attachment_size_check(
                    upload.size, max_bytes=settings.NEEDS_ATTACHMENT_MAX_BYTES
                )
            except InvalidInput as error:
                raise forms.ValidationError(error.message) from error
        return upload

    def attachment_value(self) -> tuple[str, bytes] | None:
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        return upload.name, upload.read()


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE_INPUT)


class IndicatorCurrentForm(forms.Form):
    current = forms.DecimalField(
        label=_("Current value"),
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )


class _VisibleChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        reference = getattr(obj, "reference", "")
        return f"{reference} · {obj.title}" if reference else obj.title


def _ids(text: str) -> list[int]:
    return [int(token) for token in re.findall(r"\d+", text or "")][:200]


class LinkForm(forms.Form):
    """The items an action is linked to, among those the person may see: needs
    and funding requests in lists, datasets by their numbers (the catalogue
    holds far too many for a list)."""

    needs = _VisibleChoices(
        label=_("Needs answered"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    funding_requests = _VisibleChoices(
        label=_("Funding requests"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    datasets = forms.CharField(
        label=_("Datasets produced or improved"),
        required=False,
        help_text=_(
            "The numbers of the catalogue's datasets, separated by commas (the "
            "number is at the end of a dataset's address)."
        ),
    )

    def __init__(self, data=None, *, user, action: Action):
        from crig.catalog.selectors.visibility import datasets_visible_to
        from crig.funding.selectors.requests import requests_visible_to
        from crig.needs.selectors.needs import needs_visible_to

        needs = needs_visible_to(user).order_by("title", "pk")
        requests = requests_visible_to(user).order_by("reference", "pk")
        visible_datasets = datasets_visible_to(user).filter(
            pk__in=action.datasets.values("pk")
        )
        super().__init__(
            data,
            initial={
                "needs": list(
                    needs.filter(pk__in=action.needs.values("pk")).values_list(
                        "pk", flat=True
                    )
                ),
                "funding_requests": list(
                    requests.filter(
                        pk__in=action.funding_requests.values("pk")
                    ).values_list("pk", flat=True)
                ),
                "datasets": ", ".join(
                    str(pk)
                    for pk in visible_datasets.order_by("pk").values_list(
                        "pk", flat=True
                    )
                ),
            },
        )
        self.fields["needs"].queryset = needs
        self.fields["funding_requests"].queryset = requests

    def clean_datasets(self) -> list[int]:
        text = self.cleaned_data.get("datasets") or ""
        if re.sub(r"[\d\s,;]", "", text):
            raise forms.ValidationError(
                _("Write only the datasets' numbers, separated by commas.")
            )
        return _ids(text)
