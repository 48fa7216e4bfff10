"""The Content-Security-Policy in a real browser: the main pages, their maps,
charts, the territory picker, the admin and the API docs run without a single
violation, and their scripts still work."""

import re

import pytest
from django.core.management import call_command

from crig.catalog.models import Dataset
from crig.members.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TILE_HOST = "https://data.geopf.fr/"

# Collects what the page reports, whatever loads first: the event fires for every
# refused script, style, image, connection or frame.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " " + (event.blockedURI || "inline") + " at " +
    (event.sourceFile || "") + ":" + event.lineNumber
  );
});
"""


@pytest.fixture
def demo_site(transactional_db):
    call_command("demo", verbosity=0)


class Visit:
    """One person's browser: every page it opens is checked for violations."""

    def __init__(self, browser, base_url):
        self.base_url = base_url
        self.context = browser.new_context(
            locale="fr-FR", viewport={"width": 1280, "height": 900}
        )
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.console: list[str] = []
        self.outside_requests: list[str] = []
        self.violations: dict[str, list[str]] = {}
        self.page.on("console", self._on_console)
        # Nothing leaves the machine; a request that reaches this point was
        # allowed by the policy (refused ones never become requests).
        self.page.route("**/*", self._route)

    def _on_console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def _route(self, route):
        if route.request.url.startswith(self.base_url):
            route.continue_()
        else:
            self.outside_requests.append(route.request.url)
            route.abort()

    def open(self, path):
        response = self.page.goto(self.base_url + path)
        assert response.status == 200, path
        return self.page

    def check(self, label):
        """Record the violations of the page in view (after its scripts ran)."""
        self.page.wait_for_load_state("networkidle")
        found = self.page.evaluate("window.__cspViolations") + self.console
        self.console = []
        if found:
            self.violations[label] = found

    def log_in(self, email, password):
        page = self.open("/connexion/")
        page.locator("input[name=username]").fill(email)
        page.locator("input[name=password]").fill(password)
        page.get_by_role("button", name=re.compile("connecter", re.I)).click()
        page.get_by_role("link", name="Mon compte", exact=True).wait_for()

    def maps_drawn(self):
        maps = self.page.locator("[data-crig-map]")
        assert maps.count() >= 1
        for index in range(maps.count()):
            maps.nth(index).and_(self.page.locator("[data-loaded=true]")).wait_for()
        assert self.page.locator(".leaflet-tile-pane img.leaflet-tile").count() > 0


@pytest.fixture
def visit(browser, live_server):
    visits = []

    def open_for(email=None, password=None):
        person = Visit(browser, live_server.url)
        visits.append(person)
        if email:
            person.log_in(email, password)
        return person

    yield open_for
    for person in visits:
        person.context.close()


def test_public_and_member_pages_run_without_violation(demo_site, visit):
    member = visit("membre@demo.crig.example", "demo-membre")

    member.open("/")
    member.check("home")

    page = member.open("/catalogue/?q=orthophotographie")
    member.maps_drawn()
    member.check("catalogue search")

    dataset = Dataset.objects.exclude(footprint="").order_by("pk").first()
    member.open(f"/catalogue/jeux-de-donnees/{dataset.pk}/")
    member.maps_drawn()
    member.check("dataset page")

    member.open("/besoins/")
    member.maps_drawn()
    member.check("needs map")

    page = member.open("/besoins/nouveau/")
    picker = page.locator("[data-territory-picker]")
    picker.locator("[data-tp-enhanced]").wait_for()
    page.get_by_label("Chercher une commune, un EPCI ou un département").fill(
        "Toulouse"
    )
    page.locator("[role=option]").filter(has_text="Toulouse").first.click()
    page.get_by_role("button", name="Retirer Toulouse").wait_for()
    page.get_by_title("Dessiner un polygone").click()  # Leaflet.draw's tool
    assert picker.locator(".leaflet-draw-actions").first.is_visible()
    member.check("need form with the territory picker")

    page = member.open("/plan-d-actions/2024/")
    assert page.locator("figure.chart svg").count() >= 1
    member.check("action plan with charts")

    page = member.open("/evenements/")
    member.check("events")
    page.locator("main a[href^='/evenements/']").first.click()
    page.wait_for_load_state()
    member.check("an event")

    page = member.open("/mon-compte/abonnements/")
    chosen = page.locator("#chosen-communes")
    page.locator('input[name="territory"][value="chosen"]').check()
    assert chosen.is_visible()
    other = page.locator('input[name="territory"]:not([value="chosen"])').first
    other.check()
    assert chosen.is_hidden()  # the script moved out of the page toggles it
    member.check("subscriptions")

    page = member.open("/mon-compte/")
    token_form = page.locator("form[action='/mon-compte/jetons/']")
    token_form.locator("input[name=name]").fill("Script QGIS")
    with page.expect_navigation():
        token_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    token = page.locator("#new-token")
    token.focus()
    # The handler moved out of the page selects the whole token for copying.
    assert token.evaluate("el => [el.selectionStart, el.selectionEnd]") == [
        0,
        len(token.input_value()),
    ]
    member.check("account with a new token")

    assert member.violations == {}
    assert any(url.startswith(TILE_HOST) for url in member.outside_requests)


def test_secretariat_pages_admin_and_api_docs_run_without_violation(demo_site, visit):
    admin = visit("admin@demo.crig.example", "demo-admin")

    page = admin.open("/evenements/journee-du-crig-2024/statistiques/")
    admin.maps_drawn()
    admin.check("event statistics")

    page = admin.open("/evenements/journee-du-crig-2024/pointage/liste/")
    page.evaluate("window.print = function () { window.__printed = true; }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.__printed") is True
    admin.check("attendance list")

    page = admin.open("/actualites/resume/")
    admin.check("digest preview")

    admin.open("/admin/")
    admin.check("admin index")
    page = admin.open("/admin/members/organisation/")
    assert page.locator("#result_list tbody tr").count() >= 1
    # The changelist's own script: "select all" ticks every row.
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select:checked").count() == (
        page.locator("input.action-select").count()
    )
    admin.check("admin changelist")
    organisation = Organisation.objects.order_by("pk").first()
    admin.open(f"/admin/members/organisation/{organisation.pk}/change/")
    admin.check("admin change form")
    admin.open("/admin/catalog/dataset/")
    admin.check("admin datasets")

    page = admin.open("/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    admin.check("API docs")

    assert admin.violations == {}
