"""The annual CRIG day in a real browser, on the demo: a person registers for the
next day (its last place), receives the confirmation with its calendar file,
cancels through the e-mailed link, and the waiting list moves; the secretariat
checks people in on a phone; the 2024 day's dashboard shows the council's
figures (164 confirmed, 46 % had come before, 70 % OPenIG members), on screen
and printed."""

import io
import re

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from crig.events import demo as events_demo
from crig.events import selectors, services
from crig.events.models import Event, Registration
from crig.members import demo as members_demo
from crig.members.tests.factories import PASSWORD, UserFactory
from crig.territory.models import Commune
from crig.territory.services import territory_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "camille.durand@example.org"


@pytest.fixture
def demo_site(transactional_db, live_server, settings):
    # The members demo (directory, accounts) and the events demo are enough
    # here, and do not wait on the other modules' demos. A transactional test
    # empties the tables it used, the territory included: load it again.
    if not Commune.objects.exists():
        territory_load()
    members_demo.load_demo(stdout=io.StringIO())
    events_demo.load_demo(stdout=io.StringIO())
    # Links in e-mails point at this server; e-mails stay in mail.outbox.
    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def visit(browser, live_server):
    """A fresh browser session per person; nothing leaves the machine (the base
    map's tiles are refused)."""
    contexts = []

    def open_as(person=None, *, phone=False):
        viewport = (
            {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        )
        context = browser.new_context(
            locale="fr-FR", viewport=viewport, is_mobile=phone, has_touch=phone
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)

        def route(route):
            if route.request.url.startswith(live_server.url):
                route.continue_()
            else:
                route.abort()

        page.route("**/*", route)
        if person is not None:
            page.goto(live_server.url + "/connexion/")
            page.locator("input[name=username]").fill(person.email)
            page.locator("input[name=password]").fill(PASSWORD)
            page.get_by_role("button", name=re.compile("connecter", re.I)).click()
            page.get_by_role("link", name="Mon compte", exact=True).wait_for()
        return page

    yield open_as
    for context in contexts:
        context.close()


def run_background_tasks():
    """What ``crig db_worker`` does in production: send the queued e-mails."""
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0
    )


def next_annual_day() -> Event:
    return Event.objects.get(kind=Event.Kind.ANNUAL_DAY, starts_at__gt=timezone.now())


def test_register_cancel_and_the_waiting_list_moves(
    live_server, demo_site, visit, screenshot_path
):
    # Given the next annual day with one place left
    day = next_annual_day()
    places = selectors.event_places(day)
    Event.objects.filter(pk=day.pk).update(capacity=places.confirmed + 1)
    page = visit()

    # When a person finds the day and registers
    page.goto(live_server.url + "/evenements/")
    page.get_by_role("link", name=day.title).click()
    expect(page.locator(".ev-places")).to_contain_text("1 place restante")
    page.locator("[data-crig-map][data-loaded=true]").wait_for()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=screenshot_path("events-day.png"), full_page=True)
    page.get_by_role("link", name="S'inscrire", exact=True).click()
    page.get_by_label("Prénom et nom").fill("Camille Durand")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Ou le nom de votre organisme").fill("Syndicat mixte du Tarn")
    page.get_by_label("Type d'organisme").select_option(
        label="Autres structures publiques, associations"
    )
    page.get_by_label("Département où vous travaillez").select_option(label="81 — Tarn")
    page.get_by_role("group", name=re.compile("adhérent à OPenIG")).get_by_label(
        "Non"
    ).check()
    page.get_by_role("group", name=re.compile("déjà venu·e")).get_by_label(
        "Oui"
    ).check()
    page.get_by_label("Régime alimentaire").fill("Végétarien")
    page.get_by_label("Faire figurer mon nom").check()
    page.screenshot(path=screenshot_path("events-register.png"), full_page=True)
    page.get_by_role("button", name="S'inscrire").click()

    # Then the place is theirs, and the page says an e-mail was sent
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre inscription est confirmée"
    )
    expect(page.get_by_text(f"Un e-mail a été envoyé à {EMAIL}")).to_be_visible()
    page.screenshot(path=screenshot_path("events-registered.png"), full_page=True)
    camille = Registration.objects.get(event=day, email=EMAIL)
    assert camille.status == Registration.Status.CONFIRMED

    # Given someone else, now on the waiting list
    waiting = services.registration_create(
        event=day,
        data=services.RegistrationData(
            full_name="Hugo Attente",
            email="hugo.attente@example.org",
            category="entreprise",
            organisation_name="Géomètres associés",
        ),
    )
    assert waiting.status == Registration.Status.WAITING

    # When the e-mails go out
    run_background_tasks()
    [confirmation] = [m for m in mail.outbox if m.to == [EMAIL]]
    (name, content, mimetype) = confirmation.attachments[0]
    calendar = icalendar.Calendar.from_ical(content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["summary"]) == day.title
    assert str(entry["uid"]) == str(day.uid)
    cancel_url = re.search(
        re.escape(live_server.url) + r"/evenements/inscriptions/annuler/\S+/",
        confirmation.body,
    )[0]

    # And the person opens the cancellation link and confirms
    page.goto(cancel_url)
    page.screenshot(path=screenshot_path("events-cancel.png"), full_page=True)
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    expect(page.get_by_role("status")).to_contain_text("est annulée")

    # Then the waiting list has moved, and the promoted person is told
    camille.refresh_from_db()
    waiting.refresh_from_db()
    assert camille.status == Registration.Status.CANCELLED
    assert waiting.status == Registration.Status.CONFIRMED
    mail.outbox.clear()
    run_background_tasks()
    assert [m.to for m in mail.outbox] == [["hugo.attente@example.org"]]


def test_check_in_on_a_phone(live_server, demo_site, visit, screenshot_path):
    # Given the secretariat on the day, with a phone
    day = next_annual_day()
    secretariat = UserFactory(
        email="accueil@example.org", full_name="Accueil", is_secretariat=True
    )
    confirmed = selectors.event_places(day).confirmed
    someone = (
        day.registrations.filter(status=Registration.Status.CONFIRMED)
        .order_by("full_name")
        .first()
    )
    page = visit(secretariat, phone=True)

    # When they search a name and press "Présent"
    page.goto(live_server.url + f"/evenements/{day.slug}/pointage/")
    expect(page.locator(".ev-checkin-counts")).to_contain_text("0 présents")
    page.get_by_label("Chercher un nom ou un organisme").fill(
        someone.full_name.split()[-1]
    )
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("button", name=f"Marquer {someone.full_name} présent·e").click()

    # Then they are counted present, and the list stays on the search
    expect(page.locator(".ev-checkin-counts")).to_contain_text("1 présents")
    expect(page.locator(".ev-checkin-counts")).to_contain_text(f"{confirmed} confirmés")
    expect(
        page.get_by_role("button", name=f"{someone.full_name} est présent·e : annuler")
    ).to_be_visible()
    page.screenshot(path=screenshot_path("events-checkin-phone.png"), full_page=True)
    someone.refresh_from_db()
    assert someone.checked_in_at is not None

    # And the printable list is there for the paper signatures
    page.goto(live_server.url + f"/evenements/{day.slug}/pointage/liste/")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    page.screenshot(path=screenshot_path("events-attendance-print.png"), full_page=True)


def test_the_2024_dashboard_shows_the_councils_figures(
    live_server, demo_site, visit, screenshot_path
):
    page = visit()

    page.goto(live_server.url + "/evenements/?type=annual_day")
    page.get_by_role("link", name="Journée du CRIG Occitanie 2024").click()
    page.get_by_role("link", name="Statistiques de participation").click()

    figures = page.locator(".ev-keyfigures")
    expect(figures).to_contain_text("164 inscrits « confirmés »")
    expect(figures).to_contain_text("46 % déjà venus (leur réponse)")
    expect(figures).to_contain_text(
        "46 % déjà venus (retrouvés dans les éditions passées)"
    )
    expect(figures).to_contain_text("70 % Adhérents OPenIG")
    bars = page.locator("#chart-categories-figure .chart-row text:first-child")
    assert bars.all_text_contents() == [
        "Collectivités",
        "Entreprises, SCOP",
        "Autres structures publiques, associations",
        "OPenIG",
        "IGN",
        "État",
        "Académique, scientifique",
    ]
    expect(page.locator("[data-crig-map][data-loaded=true]")).to_have_count(1)
    years = page.locator("table.ev-years tbody tr")
    expect(years).to_have_count(6)
    expect(page.locator("table.ev-years tr.ev-current")).to_contain_text("164")
    page.screenshot(path=screenshot_path("events-dashboard.png"), full_page=True)

    # And the council's meetings of the year are there, minutes and all
    page.goto(live_server.url + "/reunions/")
    page.locator("#year-2024 ~ ul a").first.click()
    expect(page.get_by_role("heading", name="Compte rendu")).to_be_visible()
    page.screenshot(path=screenshot_path("events-meeting.png"), full_page=True)

    # Printed, the dashboard's figures stay readable without the map or colours
    page.goto(live_server.url + "/evenements/journee-du-crig-2024/statistiques/")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    page.screenshot(path=screenshot_path("events-dashboard-print.png"), full_page=True)
    assert page.locator(".site-header").is_hidden()
    assert page.locator("table.ev-departements").is_visible()
