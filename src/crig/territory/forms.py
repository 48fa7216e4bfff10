from django import forms
from django.utils.translation import gettext_lazy as _


class CommuneSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Commune, INSEE code or postcode"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. Béziers, 31555, 31000")}
        ),
    )
