"""The yearly report: the page, the PDF (a real PDF, rendered to an image to be
looked at), drafts hidden, the page shown when Pango is missing, the system
check, and the URL fetcher that keeps WeasyPrint off the network."""

import datetime
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.management import call_command

from crig.actionplan import report as plan_report
from crig.actionplan.models import Action
from crig.actionplan.tests import factories
from crig.actionplan.tests.test_views import EDITORS, ROLES, client_as

SCREENSHOTS = Path(__file__).resolve().parents[4] / "var" / "screenshots"


@pytest.fixture
def report_plan(plan, organisation, other_organisation):
    """The 2024 plan with three actions in three categories and updates."""
    first = factories.ActionFactory(
        plan=plan,
        number=1,
        title="Interopérabilité des plateformes",
        category=Action.Category.ORGANISATION,
        progress=70,
        leads=[organisation],
    )
    factories.ActionFactory(
        plan=plan,
        number=2,
        title="LIDAR HD",
        category=Action.Category.REFERENTIELS,
        status=Action.Status.DONE,
        progress=100,
        leads=[other_organisation],
    )
    factories.ActionFactory(
        plan=plan,
        number=3,
        title="Forêts anciennes",
        category=Action.Category.PARTICULAR,
        status=Action.Status.PAUSED,
        progress=10,
        leads=[organisation, other_organisation],
    )
    factories.ProgressUpdateFactory(
        action=first, dated=datetime.date(2024, 3, 1), body="Ancien point."
    )
    factories.ProgressUpdateFactory(
        action=first,
        dated=datetime.date(2024, 9, 12),
        body="Catalogues moissonnés par Géo-Occitanie et PICTO.",
    )
    return plan


def test_report_page_holds_the_state_and_the_figures(client, report_plan):
    response = client.get("/plan-d-actions/2024/rapport/")

    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    assert "<h1>Bilan annuel 2024</h1>" in text
    assert "<strong>3</strong> actions" in text
    assert "<strong>60 %</strong> d’avancement moyen" in text
    # the charts, accessible
    assert '<title id="report-progress-title">Avancement moyen par catégorie' in text
    assert '<title id="report-status-title">Actions par statut' in text
    # each action with its latest update only
    assert "Catalogues moissonnés par Géo-Occitanie et PICTO." in text
    assert "Ancien point." not in text
    assert "Pas encore de point d’étape." in text
    # the year's figures
    assert "<strong>0</strong> besoin recueilli en 2024" in text
    assert "Pas encore disponible" not in text


def test_report_counts_the_years_needs_and_datasets(client, report_plan, need):
    from crig.catalog.tests.factories import DatasetFactory

    need.submitted_at = datetime.datetime(2024, 4, 2, tzinfo=datetime.UTC)
    need.save()
    DatasetFactory(published_on=datetime.date(2023, 5, 1))
    DatasetFactory(published_on=datetime.date(2024, 5, 1), referentiel="")

    text = client.get("/plan-d-actions/2024/rapport/").content.decode()

    assert "<strong>1</strong> besoin recueilli en 2024" in text
    assert '<title id="report-needs-title">Besoins recueillis par thème' in text
    assert "<strong>2</strong> jeux de données publics au catalogue fin 2024" in text
    assert "Et 1 jeu de données sur d’autres thèmes." in text
    assert '<th scope="row">Orthophotographie</th><td class="number">1</td>' in text


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", ["rapport/", "rapport.pdf"])
def test_draft_plan_report_is_hidden_from_the_public(
    request, client, role, suffix, draft_plan, organisation
):
    factories.ActionFactory(
        plan=draft_plan, title="Jumeau numérique", leads=[organisation]
    )
    client = client_as(request, client, role)

    response = client.get(f"/plan-d-actions/2025/{suffix}")

    if role in EDITORS:
        assert response.status_code == HTTPStatus.OK
    else:
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert b"Jumeau" not in response.content


def test_draft_report_says_it_is_internal(client, draft_plan, secretariat_user):
    client.force_login(secretariat_user)

    text = client.get("/plan-d-actions/2025/rapport/").content.decode()

    assert "Plan en projet : ce bilan est interne, il n’est pas public." in text


def test_pdf_is_a_readable_pdf(client, report_plan):
    # Given the published 2024 plan
    # When the report is asked as PDF
    response = client.get("/plan-d-actions/2024/rapport.pdf")

    # Then it is a PDF
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (
        'filename="rapport-plan-d-actions-2024.pdf"'
        in (response["Content-Disposition"])
    )
    # whose text is the report's, with the page numbers and the council's name
    import pypdfium2

    pdf = pypdfium2.PdfDocument(response.content)
    assert len(pdf) == 2
    first = pdf[0].get_textpage().get_text_range()
    assert "Bilan annuel 2024" in first
    assert "CRIG Occitanie" in first
    assert "Page 1 / 2" in first
    assert "Référentiels (1 action)" in first  # the charts are drawn
    second = pdf[1].get_textpage().get_text_range()
    assert "12 septembre 2024 — Catalogues\r\nmoissonnés par Géo-Occitanie" in second
    assert "Page 2 / 2" in second
    # and its pages are rendered as images for a person to look at
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for index in range(len(pdf)):
        image = pdf[index].render(scale=1.5).to_pil()
        assert image.size == (893, 1263)  # A4 at 108 dpi
        image.save(SCREENSHOTS / f"actionplan-report-page-{index + 1}.png")


def test_pdf_without_pango_answers_a_french_page(client, report_plan, monkeypatch):
    monkeypatch.setattr(
        plan_report,
        "pdf_unavailable_reason",
        lambda: "cannot load library 'libpango-1.0-0'",
    )

    pdf = client.get("/plan-d-actions/2024/rapport.pdf")
    page = client.get("/plan-d-actions/2024/rapport/")

    assert pdf.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    text = pdf.content.decode()
    assert "Le PDF du bilan n’est pas disponible" in text
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in text
    assert page.status_code == HTTPStatus.OK
    assert "Télécharger le PDF" not in page.content.decode()


def test_system_check_warns_without_pango(monkeypatch, capsys):
    monkeypatch.setattr(
        plan_report, "pdf_unavailable_reason", lambda: "no library called pango"
    )

    messages = plan_report.check_pdf_renderer(None)

    assert [m.id for m in messages] == ["actionplan.W001"]
    assert messages[0].hint == (
        "Install Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0"
    )


def test_system_check_is_silent_when_weasyprint_loads(db):
    assert plan_report.pdf_unavailable_reason() == ""
    assert plan_report.check_pdf_renderer(None) == []
    call_command("check")  # registered, and passes


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/static/crig/css/crig.css",
        "http://testserver/media/actions/2024/secret.pdf",
        "http://testserver/static/../settings.py",
        "http://testserver/static/crig/css/absent.css",
        "file:///etc/passwd",
    ],
)
def test_fetcher_refuses_anything_but_static_files(url):
    fetcher = plan_report.static_only_fetcher("http://testserver/")

    with pytest.raises(ValueError, match="static file"):
        fetcher(url)


def test_fetcher_serves_the_static_files():
    fetcher = plan_report.static_only_fetcher("http://testserver/")

    response = fetcher("http://testserver/static/crig/css/actionplan.css")

    assert response.content_type == "text/css"
    assert response.read().startswith(b"/* Action plan")


def test_css_string_escapes_quotes_and_markup():
    assert plan_report.css_string('Plan "2024" </style>') == (
        '"Plan \\22 2024\\22  \\3c /style\\3e "'
    )
