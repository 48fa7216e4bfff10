"""``crig opendata export``: the public data, and nothing confidential."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from rdflib import Graph
from rdflib.namespace import DCTERMS

from crig.actionplan.models import Plan
from crig.actionplan.tests.factories import ActionFactory, PlanFactory
from crig.catalog.models import Visibility
from crig.catalog.tests.factories import DatasetFactory
from crig.events.models import Event
from crig.events.tests.factories import EventFactory
from crig.funding.models import FundingRequest
from crig.funding.tests.factories import FundingRequestFactory, OpinionFactory
from crig.members.tests.factories import OrganisationFactory, UserFactory
from crig.needs.models import Need
from crig.needs.tests.factories import NeedFactory
from crig.news.models import NewsItem
from crig.news.tests.factories import NewsItemFactory

pytestmark = pytest.mark.django_db


def read_csv(path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def instance(territory):
    """Public objects, and a confidential twin of each."""
    organisation = OrganisationFactory(name='=HYPERLINK("http://evil")')
    UserFactory(email="secret.person@example.org")
    return {
        "dataset": DatasetFactory(title="Orthophotographie publique"),
        "restricted": DatasetFactory(
            title="Orthophotographie restreinte", visibility=Visibility.RESTRICTED
        ),
        "need": NeedFactory(title="Besoin publié", organisation=organisation),
        "draft_need": NeedFactory(title="Besoin brouillon", state=Need.State.DRAFT),
        "opinion": OpinionFactory(
            request__title="Demande publiée",
            request__state=FundingRequest.State.PUBLISHED,
            published_at=timezone.now(),
        ),
        "confidential_request": FundingRequestFactory(title="Demande confidentielle"),
        "unpublished_opinion": OpinionFactory(request__title="Avis non publié"),
        "action": ActionFactory(title="Action publiée", plan=PlanFactory(year=2024)),
        "draft_action": ActionFactory(
            title="Action d'un brouillon",
            plan=PlanFactory(year=2027, state=Plan.State.DRAFT),
        ),
        "event": EventFactory(title="Journée publiée"),
        "draft_event": EventFactory(title="Journée brouillon", state=Event.State.DRAFT),
        "news": NewsItemFactory(title="Actualité publique"),
        "members_news": NewsItemFactory(
            title="Actualité réservée aux membres",
            audience=NewsItem.Audience.MEMBERS,
        ),
    }


def test_the_export_holds_the_public_objects_and_nothing_confidential(
    instance, tmp_path
):
    out = io.StringIO()
    call_command("opendata", "export", str(tmp_path), stdout=out)

    everything = "\n".join(
        path.read_text("utf-8-sig") for path in sorted(tmp_path.iterdir())
    )
    for public in (
        "Orthophotographie publique",
        "Besoin publié",
        "Demande publiée",
        "Action publiée",
        "Journée publiée",
        "Actualité publique",
        "Toulouse",
    ):
        assert public in everything, public
    for confidential in (
        "Orthophotographie restreinte",
        "Besoin brouillon",
        "Demande confidentielle",
        "Avis non publié",
        "Détail confidentiel",  # a request's description is never public
        "Action d'un brouillon",
        "Plan d'actions 2027",
        "Journée brouillon",
        "Actualité réservée aux membres",
        "secret.person@example.org",
        "@example.org",
    ):
        assert confidential not in everything, confidential
    assert "Données publiques écrites dans" in out.getvalue()


def test_files_are_open_formats_described_by_the_data_package(instance, tmp_path):
    call_command("opendata", "export", str(tmp_path), stdout=io.StringIO())

    package = json.loads((tmp_path / "datapackage.json").read_text("utf-8"))
    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert package["created"]
    paths = {resource["path"] for resource in package["resources"]}
    assert {
        "communes.csv",
        "communes.geojson",
        "epci.csv",
        "departements.geojson",
        "organisations.csv",
        "jeux_de_donnees.csv",
        "besoins.geojson",
        "avis.csv",
        "actions.csv",
        "evenements.csv",
        "actualites.csv",
        "catalogue.ttl",
    } <= paths
    for resource in package["resources"]:
        assert (tmp_path / resource["path"]).is_file()
        assert resource["licenses"]
        if resource["format"] == "csv":
            rows = read_csv(tmp_path / resource["path"])
            header = [field["name"] for field in resource["schema"]["fields"]]
            assert not rows or list(rows[0]) == header
        if resource["format"] == "geojson":
            collection = json.loads((tmp_path / resource["path"]).read_text("utf-8"))
            assert collection["type"] == "FeatureCollection"
    communes = {resource["name"]: resource for resource in package["resources"]}[
        "communes-csv"
    ]
    assert "INSEE" in communes["description"]
    assert len(read_csv(tmp_path / "communes.csv")) == 4453

    # A spreadsheet formula in a name is neutralised.
    needs = read_csv(tmp_path / "besoins.csv")
    assert [need["organisation"] for need in needs] == ['\'=HYPERLINK("http://evil")']

    # The DCAT catalogue parses and lists only the public record.
    graph = Graph().parse(tmp_path / "catalogue.ttl", format="turtle")
    titles = {str(title) for title in graph.objects(None, DCTERMS.title)}
    assert "Orthophotographie publique" in titles
    assert "Orthophotographie restreinte" not in titles
    assert "Licence Ouverte 2.0" in (tmp_path / "README.md").read_text("utf-8")
