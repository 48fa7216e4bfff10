"""A person gives a territory with the picker: searches and picks a commune,
draws a polygon, uploads a file; and without JavaScript, types codes.

The picker is tested on a page served only in tests
(tests/browser/territory_picker_page.py), which shows what the server resolved.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.territory_picker_page"),
]

DATA = Path(__file__).resolve().parents[2] / "src/crig/territory/tests/data"
PAGE = "/test/territoire/"


@pytest.fixture
def local_only(page, live_server):
    """No request leaves the machine: the base map's tiles are refused."""

    def route(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)
    return page


def pick(page, query, name, kind, *, screenshot=None):
    page.get_by_label("Chercher une commune, un EPCI ou un département").fill(query)
    option = (
        page.locator("[role=option]")
        .filter(has=page.locator("span", has_text=re.compile(f"^{re.escape(name)}$")))
        .filter(has_text=kind)
        .first
    )
    option.wait_for()
    if screenshot:
        page.screenshot(path=screenshot)
    option.click()
    page.get_by_role("button", name=f"Retirer {name}").wait_for()


def add_vertex(page, x, y, count):
    """Click a polygon's next corner. Leaflet.draw drops a press that follows the
    previous one within 50 ms (its guard against double taps), which a script
    easily does and a person does not: click again only if no corner was added."""
    corners = page.locator(".tp-map .leaflet-editing-icon")
    for _attempt in range(5):
        page.mouse.click(x, y)
        try:
            expect(corners).to_have_count(count, timeout=1_000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"Corner {count} was not added.")


def test_pick_a_commune_draw_a_polygon_and_submit(
    live_server, local_only, territory, screenshot_path
):
    page = local_only
    page.goto(live_server.url + PAGE)
    page.locator("[data-territory-picker][data-ready=true]").wait_for()
    # With JavaScript, the plain code fields give way to the search and the map.
    assert not page.get_by_label("Communes (codes INSEE").is_visible()

    pick(
        page,
        "Toulouse",
        "Toulouse",
        "commune",
        screenshot=str(screenshot_path("territory-picker-search.png")),
    )
    assert page.locator("[name=territory-communes]").input_value() == "31555"
    # Toulouse's outline is drawn on the map.
    page.locator(".tp-map .leaflet-overlay-pane path").first.wait_for()

    # Draw a square around the centre of the map, then finish it.
    page.get_by_title("Dessiner un polygone").click()
    box = page.locator(".tp-map").bounding_box()
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = ((-60, -60), (60, -60), (60, 60), (-60, 60))
    for count, (dx, dy) in enumerate(corners, start=1):
        add_vertex(page, centre_x + dx, centre_y + dy, count)
    page.get_by_title("Terminer le dessin").click()
    drawn = page.locator("[name=territory-drawn]").input_value()
    assert '"type":"FeatureCollection"' in drawn
    assert '"type":"Polygon"' in drawn
    page.screenshot(path=str(screenshot_path("territory-picker.png")), full_page=True)

    page.get_by_role("button", name="Envoyer").click()

    description = page.locator("[data-description]")
    description.wait_for()
    assert description.inner_text() == "Toulouse, polygone dessiné"
    communes = page.locator("[data-communes] li").all_inner_texts()
    assert "31555 1,0" in communes


def test_an_error_keeps_what_was_picked(live_server, local_only, territory):
    page = local_only
    page.goto(live_server.url + PAGE)
    page.locator("[data-territory-picker][data-ready=true]").wait_for()
    pick(page, "haute-gar", "Haute-Garonne", "département")
    page.get_by_label("Fichier").set_input_files(
        str(DATA / "territory-inputs/brittany.geojson")
    )

    page.get_by_role("button", name="Envoyer").click()

    page.get_by_role("alert").filter(has_text="brittany.geojson").wait_for()
    assert page.get_by_text(
        "Le territoire du fichier brittany.geojson est entièrement hors de la "
        "région Occitanie."
    ).is_visible()
    # The département is still picked, and drawn again on the map.
    assert page.get_by_role("button", name="Retirer Haute-Garonne").is_visible()
    assert page.locator("[name=territory-departements]").input_value() == "31"
    page.locator(".tp-map .leaflet-overlay-pane path").first.wait_for()


def test_without_javascript_codes_are_typed(live_server, browser, territory):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + PAGE)
        assert not page.get_by_label(
            "Chercher une commune, un EPCI ou un département"
        ).is_visible()

        page.get_by_label("Communes (codes INSEE").fill("31555, 34172")
        page.get_by_label("Fichier").set_input_files(
            str(DATA / "territory-inputs/toulouse-lambert93.zip")
        )
        page.get_by_role("button", name="Envoyer").click()

        assert (
            page.locator("[data-description]").inner_text()
            == "2 communes, fichier toulouse-lambert93.zip"
        )
    finally:
        context.close()
