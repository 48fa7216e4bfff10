"""CSV and XLSX exports of the requests (the files a person may open) and of the
public register (published opinions, public part only)."""

# The shared fixtures (people per role, a file with every confidential part, a
# published opinion) are imported from the page tests: pytest sees them here,
# ruff takes them for redefinitions.
# ruff: noqa: F811

import csv
import io
from http import HTTPStatus

import pytest
from openpyxl import load_workbook

from crig.funding.tests import factories
from crig.funding.tests.test_views_register import (  # noqa: F401 - fixtures
    publish,
    published,
)
from crig.funding.tests.test_views_requests import (  # noqa: F401 - fixtures
    ATTACHMENT_NAME,
    BUDGET_LABEL,
    COMMENTS,
    DESCRIPTION,
    ROLES,
    SEES_FILE,
    STAFF,
    file,
    login,
    people,
)

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("role", ROLES)
def test_requests_csv_holds_only_the_files_the_person_may_open(
    client, file, people, role
):
    hidden = factories.FundingRequestFactory(title="Levé LIDAR du Gers")
    login(client, people[role])

    response = client.get("/api/v1/funding-requests", {"format": "csv"})

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = read_csv(response)
    assert header[:4] == ["Identifiant", "Référence", "Titre", "État"]
    titles = sorted(row[2] for row in rows)
    expected = sorted(
        ([file.title] if role in SEES_FILE else [])
        + ([hidden.title] if role in STAFF else [])
    )
    assert titles == expected
    content = response.content.decode()
    for secret in (DESCRIPTION, COMMENTS, ATTACHMENT_NAME):
        assert secret not in content


def test_requests_csv_row(client, file, member_user):
    client.force_login(member_user)

    header, row = read_csv(client.get("/api/v1/funding-requests", {"format": "csv"}))

    values = dict(zip(header, row, strict=True))
    assert values["Titre"] == "PCRS de Toulouse"
    assert values["Demandeur"] == "Conseil départemental de la Haute-Garonne"
    assert values["Signataire sollicité"] == "Région Occitanie"
    assert values["Montant demandé (€)"] == "60000.00"
    assert values["Autofinancement (€)"] == "40000.00"
    assert values["Budget total (€)"] == "100000.00"
    assert values["Codes INSEE"] == "31555"
    assert values["Adresse"] == f"http://testserver/financements/{file.pk}/"


def test_requests_xlsx(client, file, secretariat_user):
    client.force_login(secretariat_user)

    response = client.get("/api/v1/funding-requests", {"format": "xlsx"})

    assert response.status_code == HTTPStatus.OK
    assert "demandes-financement-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2] == "Titre"
    assert [row[2] for row in rows[1:]] == ["PCRS de Toulouse"]


def test_requests_export_is_empty_for_anonymous_people(client, file):
    header, *rows = read_csv(client.get("/api/v1/funding-requests", {"format": "csv"}))

    assert rows == []


@pytest.mark.parametrize("role", ROLES)
def test_register_csv_is_public_and_holds_the_public_part_only(
    client, published, people, role
):
    factories.OpinionFactory(request__title="Avis rendu mais pas publié")
    login(client, people[role])

    response = client.get("/api/v1/opinions", {"format": "csv"})

    assert response.status_code == HTTPStatus.OK
    header, *rows = read_csv(response)
    values = [dict(zip(header, row, strict=True)) for row in rows]
    assert [v["Titre"] for v in values] == ["PCRS de Toulouse"]
    assert values[0]["Avis"] == "Favorable"
    assert values[0]["Positions des signataires"] == "Région Occitanie: Favorable"
    assert values[0]["Déports"] == "1"
    assert values[0]["Codes INSEE"] == "31555"
    content = response.content.decode()
    for secret in (DESCRIPTION, BUDGET_LABEL, COMMENTS, ATTACHMENT_NAME):
        assert secret not in content


def test_register_xlsx_neutralises_formulas(client, funding_request, secretariat_user):
    funding_request.title = '=HYPERLINK("http://evil.example","clic")'
    funding_request.save()
    publish(funding_request, secretariat_user)

    response = client.get("/api/v1/opinions", {"format": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","clic")'


def test_register_export_follows_the_filters(client, funding_request, secretariat_user):
    publish(funding_request, secretariat_user)

    favourable = read_csv(
        client.get("/api/v1/opinions", {"format": "csv", "verdict": "favorable"})
    )
    unfavourable = read_csv(
        client.get("/api/v1/opinions", {"format": "csv", "verdict": "unfavorable"})
    )

    assert len(favourable) == 2
    assert len(unfavourable) == 1
