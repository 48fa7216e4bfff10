"""A member draws a polygon on the map and submits a need; a member of another
organisation joins it with "Nous aussi"."""

import math
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from crig.members.models import Membership
from crig.members.tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
)
from crig.needs.models import Need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The picker's map opens on this view (territory-picker.js): the pixel of a
# point follows from Web Mercator at this zoom.
MAP_CENTRE = (2.2, 43.7)  # lon, lat
MAP_ZOOM = 7
TOULOUSE = (1.444, 43.604)


@pytest.fixture
def demo_site(transactional_db):
    # Transactional tests empty every table when they end; the demo command reloads
    # the territory when it is missing, and brings the catalogue's orthophotos.
    call_command("demo", verbosity=0)


def _offset_px(lon: float, lat: float) -> tuple[float, float]:
    """Pixels from the map's centre to (lon, lat) at the opening zoom."""
    scale = 256 * 2**MAP_ZOOM

    def mercator(lon_, lat_):
        x = (lon_ + 180) / 360 * scale
        y = (
            (
                1
                - math.log(
                    math.tan(math.radians(lat_)) + 1 / math.cos(math.radians(lat_))
                )
                / math.pi
            )
            / 2
            * scale
        )
        return x, y

    x, y = mercator(lon, lat)
    cx, cy = mercator(*MAP_CENTRE)
    return x - cx, y - cy


def _local_only(page, base_url):
    """No request leaves the machine: the base map's tiles are refused."""

    def route(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)
    return page


def _log_in(page, base_url, email):
    page.goto(base_url + "/connexion/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("connecter", re.I)).click()
    page.get_by_role("link", name="Mon compte", exact=True).wait_for()


def test_draw_a_polygon_submit_a_need_and_support_it(
    live_server, browser, page, demo_site, screenshot_path
):
    author = MembershipFactory(
        person__email="amelie.garonne@example.org",
        person__full_name="Amélie Garonne",
        organisation=OrganisationFactory(
            name="Syndicat mixte des bassins de la Garonne", acronym="SMBG"
        ),
        role=Membership.Role.MEMBER,
    ).person
    supporter = MembershipFactory(
        person__email="bruno.lauragais@example.org",
        person__full_name="Bruno Lauragais",
        organisation=OrganisationFactory(
            name="Communauté de communes test du Lauragais", acronym="CCTL"
        ),
        role=Membership.Role.MEMBER,
    ).person

    # A member opens the form from the needs list.
    _local_only(page, live_server.url)
    _log_in(page, live_server.url, author.email)
    page.goto(live_server.url + "/besoins/")
    page.get_by_role("link", name="Exprimer un besoin").click()
    page.wait_for_url(re.compile(r"/besoins/nouveau/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Exprimer un besoin"

    page.get_by_label("Titre").fill(
        "Orthophotographie 5 cm de l'agglomération toulousaine"
    )
    page.get_by_label("Thème").select_option("orthophotographie")
    page.get_by_label("Description").fill(
        "Suivre l'érosion des berges de la Garonne et les travaux de voirie."
    )
    page.get_by_label("Précision ou résolution souhaitée").fill("5 cm")
    page.get_by_label("Résolution au sol souhaitée (m)").fill("0.05")
    page.get_by_label("Cofinancement proposé, à partir de (€)").fill("20000")
    page.get_by_label("Cofinancement proposé, jusqu'à (€)").fill("40000")

    # It draws a polygon around Toulouse with the map's polygon tool: a click on
    # each corner, then a click on the first corner closes it.
    picker = page.locator("[data-territory-picker]")
    picker.locator("[data-tp-enhanced]").wait_for()
    map_box = picker.locator("[data-tp-map]")
    # The whole map in view: a click focuses it, and a map half out of view would
    # scroll under the next clicks.
    map_box.evaluate("element => element.scrollIntoView({block: 'center'})")
    page.get_by_title("Dessiner un polygone").click()
    box = map_box.bounding_box()
    dx, dy = _offset_px(*TOULOUSE)
    centre_x = box["x"] + box["width"] / 2 + dx
    centre_y = box["y"] + box["height"] / 2 + dy
    corners = [(-14, -12), (16, -14), (18, 12), (-12, 15)]
    vertices = picker.locator(".leaflet-editing-icon")
    for count, (corner_x, corner_y) in enumerate(corners, start=1):
        # Leaflet.draw ignores a press within 50 ms of the previous one (its
        # guard against double taps): press the button as a person does.
        # The pointer moves there first, so that the drawing tool's cursor marker
        # follows it before the press.
        page.mouse.move(centre_x + corner_x, centre_y + corner_y, steps=4)
        page.mouse.click(centre_x + corner_x, centre_y + corner_y, delay=100)
        expect(vertices).to_have_count(count)
    vertices.first.click(delay=100)
    expect(vertices).to_have_count(0)
    page.screenshot(path=str(screenshot_path("needs-form-drawn.png")), full_page=True)
    drawn = page.locator("[name=territory-drawn]").input_value()
    assert '"Polygon"' in drawn

    page.get_by_role("button", name="Déposer le besoin").click()
    page.wait_for_url(re.compile(r"/besoins/\d+/$"))

    # The need's page: submitted, public, and what the catalogue already holds.
    need = Need.objects.get(author=author)
    assert need.state == Need.State.NEW
    assert need.title == "Orthophotographie 5 cm de l'agglomération toulousaine"
    assert "31555" in set(need.commune_links.values_list("commune_id", flat=True))
    assert page.get_by_role("heading", level=1).inner_text() == need.title
    assert page.get_by_text("Votre besoin a été déposé.").is_visible()
    assert page.locator(".need-heading .need-state").inner_text() == "Nouveau"
    match = page.get_by_role("region", name="Ce que le catalogue contient déjà")
    assert match.get_by_text(
        re.compile(r"de la surface couverte par")
    ).first.is_visible()
    page.locator("[data-crig-map][data-loaded=true]").first.wait_for()
    page.screenshot(path=str(screenshot_path("needs-detail.png")), full_page=True)

    # A member of another organisation joins it.
    other = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    phone = other.new_page()
    phone.set_default_timeout(15_000)
    _local_only(phone, live_server.url)
    _log_in(phone, live_server.url, supporter.email)
    phone.goto(live_server.url + need.get_absolute_url())
    phone.get_by_role("link", name="Nous aussi").click()
    phone.wait_for_url(re.compile(r"/soutenir/$"))
    phone.get_by_label("Commentaire").fill("Nous en avons besoin pour le Lauragais.")
    phone.get_by_label("Cofinancement proposé, à partir de (€)").fill("5000")
    phone.screenshot(
        path=str(screenshot_path("needs-support-phone.png")), full_page=True
    )
    phone.get_by_role("button", name="Soutenir ce besoin").click()
    phone.wait_for_url(re.compile(r"/besoins/\d+/$"))

    assert phone.get_by_text(
        "Votre organisation soutient désormais ce besoin. Merci !"
    ).is_visible()
    backers = phone.get_by_role("region", name="Qui le porte")
    assert backers.get_by_text("2 organisations le portent", exact=True).is_visible()
    assert backers.get_by_text("Communauté de communes test du Lauragais").is_visible()
    phone.screenshot(
        path=str(screenshot_path("needs-supported-phone.png")), full_page=True
    )
    other.close()
    assert need.supports.get().organisation.acronym == "CCTL"
