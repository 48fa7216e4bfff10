"""A page served only in tests: the territory picker alone in a form.

Used with ``@pytest.mark.urls("tests.browser.territory_picker_page")``: the
site's own URLs plus ``/test/territoire/``, which shows the picker and, once
posted, what the server resolved (description, communes, notes).
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from crig.territory.forms import TerritoryInputForm
from crig.urls import urlpatterns as site_urlpatterns

PAGE = engines["django"].from_string(
    """{% extends "base.html" %}
{% block head %}{% include "territory/_territory_picker_assets.html" %}{% endblock %}
{% block content %}
<h1>Territoire</h1>
{% if selection %}
<section aria-label="Résultat">
  <p data-description>{{ selection.description }}</p>
  <ul data-communes>
  {% for code, share in communes %}<li>{{ code }} {{ share }}</li>{% endfor %}
  </ul>
  {% for note in selection.notes %}<p data-note>{{ note }}</p>{% endfor %}
</section>
{% endif %}
<form method="post" enctype="multipart/form-data" class="stacked">
  {% csrf_token %}
  {% include "territory/_territory_picker.html" with form=form %}
  <button type="submit" class="button">Envoyer</button>
</form>
{% endblock %}"""
)


def territory_page(request):
    form = TerritoryInputForm(
        request.POST or None, request.FILES or None, prefix="territory"
    )
    selection = None
    if request.method == "POST" and form.is_valid():
        selection = form.cleaned_data["selection"]
        form = TerritoryInputForm(prefix="territory")
    context = {
        "form": form,
        "selection": selection,
        "communes": sorted(selection.communes.items()) if selection else [],
    }
    return HttpResponse(PAGE.render(context, request))


urlpatterns = [
    path("test/territoire/", territory_page, name="test_territory_page"),
    *site_urlpatterns,
]
