import pytest

from crig.catalog.models import Referentiel
from crig.needs.models import Need, Theme
from crig.needs.tests.factories import NeedFactory, SupportFactory


def test_referentiel_themes_share_the_catalogue_values():
    assert {Theme(r.value).referentiel for r in Referentiel} == set(Referentiel)
    assert Theme.OTHER.referentiel is None


@pytest.mark.django_db
def test_factories_give_a_need_over_toulouse_and_a_support(territory):
    support = SupportFactory(need=NeedFactory())

    need = Need.objects.get()
    assert list(need.communes.values_list("insee", flat=True)) == ["31555"]
    assert need.population > 400_000
    assert support.communes.get().insee == "31555"
