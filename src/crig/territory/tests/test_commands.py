from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from crig.territory.models import Commune

pytestmark = pytest.mark.django_db


def test_load_reports_no_change_the_second_time(territory):
    output = StringIO()

    call_command("territory", "load", "--no-progress", stdout=output)

    text = output.getvalue()
    assert (
        "communes : 0 créée(s), 0 mise(s) à jour, 0 supprimée(s), 4453 inchangée(s)."
        in text
    )
    assert "200035129" in text


def test_load_reports_updates(territory):
    Commune.objects.filter(insee="34172").update(population=0)
    output = StringIO()

    call_command("territory", "load", "--no-progress", stdout=output)

    assert "communes : 0 créée(s), 1 mise(s) à jour" in output.getvalue()
    assert Commune.objects.get(insee="34172").population > 0


def test_load_error_exits_with_message_and_changes_nothing(territory, tmp_path):
    Commune.objects.filter(insee="34172").update(population=0)
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')

    with pytest.raises(CommandError, match="broken.geojson") as error:
        call_command("territory", "load", str(path), "--no-progress")

    assert "Rien n’a été modifié" in str(error.value)
    assert Commune.objects.get(insee="34172").population == 0


def test_info(territory):
    output = StringIO()

    call_command("territory", "info", stdout=output)

    assert output.getvalue().strip() == (
        "Occitanie (76) : 13 départements, 164 EPCI (6 à cheval sur la région), "
        "4453 communes."
    )


def test_subcommand_is_required(territory):
    with pytest.raises(CommandError):
        call_command("territory")
