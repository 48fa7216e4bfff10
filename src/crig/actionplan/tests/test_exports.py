"""Exports of a plan's actions (CSV, XLSX; pages and API): one row per action,
links counted as the person may see them, drafts hidden, formulas neutralised."""

import csv
import io
from decimal import Decimal
from http import HTTPStatus

import openpyxl
import pytest

from crig.actionplan.tests import factories
from crig.actionplan.tests.test_views import EDITORS, ROLES, client_as

HEADER = [
    "Catégorie",
    "N°",
    "Titre",
    "Organismes pilotes",
    "Partenaires",
    "Signataire",
    "État",
    "Avancement (%)",
    "Budget (€)",
    "Jalons",
    "Jalons réalisés",
    "Indicateurs",
    "Besoins",
    "Demandes de financement",
    "Avis",
    "Jeux de données",
    "Prolonge",
]


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def full_action(action, other_organisation, signatory, need, draft_need):
    import datetime

    action.partners.set([other_organisation])
    action.signatory = signatory
    action.budget = Decimal("120000.50")
    action.save()
    action.needs.set([need, draft_need])
    factories.MilestoneFactory(
        action=action,
        title="Cahier des charges",
        done_on=datetime.date(2024, 3, 1),
    )
    factories.MilestoneFactory(
        action=action, title="Livraison", due_on=datetime.date(2024, 12, 1)
    )
    factories.IndicatorFactory(
        action=action, name="Départements", target=13, current=4, unit="dép."
    )
    return action


def test_csv_export_has_one_row_per_action(client, full_action):
    response = client.get("/plan-d-actions/2024/actions.csv")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="plan-d-actions-2024.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == HEADER
    assert rows[1:] == [
        [
            "Référentiels",
            "1",
            "Orthophotographies",
            "CD31",
            "UM",
            "Région Occitanie",
            "En cours",
            "40",
            "120000.50",
            "2",
            "1",
            "Départements: 4/13 dép.",
            "1",  # the draft need is not counted for the public
            "0",
            "0",
            "0",
            "",
        ]
    ]


def test_xlsx_export_through_the_api(client, full_action):
    response = client.get("/api/v1/plans/2024?format=xlsx")

    assert response.status_code == HTTPStatus.OK
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1][:4] == ("Référentiels", 1, "Orthophotographies", "CD31")
    assert rows[1][8] == 120000.5


def test_the_author_of_a_draft_need_sees_it_counted(client, full_action, member_user):
    client.force_login(member_user)

    rows = _csv(client.get("/plan-d-actions/2024/actions.csv"))

    assert rows[1][12] == "2"


def test_formulas_are_neutralised(client, plan, organisation):
    factories.ActionFactory(
        plan=plan, number=1, title='=HYPERLINK("http://x")', leads=[organisation]
    )

    rows = _csv(client.get("/plan-d-actions/2024/actions.csv"))

    assert rows[1][2] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url", ["/plan-d-actions/2025/actions.csv", "/api/v1/plans/2025?format=csv"]
)
def test_draft_plan_exports_are_hidden_from_the_public(
    request, client, role, url, draft_plan, organisation
):
    factories.ActionFactory(
        plan=draft_plan, number=1, title="Jumeau numérique", leads=[organisation]
    )
    client = client_as(request, client, role)

    response = client.get(url)

    if role in EDITORS:
        assert response.status_code == HTTPStatus.OK
        assert _csv(response)[1][2] == "Jumeau numérique"
    else:
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert b"Jumeau" not in response.content


def test_unknown_export_format_is_a_404(client, plan):
    response = client.get("/plan-d-actions/2024/actions.ods")

    assert response.status_code == HTTPStatus.NOT_FOUND
