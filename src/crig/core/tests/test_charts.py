import re
from xml.etree import ElementTree as ET

import pytest
from django.utils import translation

from crig.core.charts import Datum, bar_chart, pie_chart, progress_bar

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _svg(html: str) -> ET.Element:
    return ET.fromstring(  # noqa: S314  (our own output)
        re.search(r"<svg.*?</svg>", html, re.DOTALL).group(0)
    )


def test_bar_chart_is_an_image_named_by_its_title_with_a_table_of_figures():
    # Given two categories with their mean progress
    data = [Datum("Organisation", 42.5), Datum("Référentiels", 80)]

    # When drawn on a 0–100 scale
    html = bar_chart(data, title="Mean progress", unit="%", maximum=100)

    # Then the SVG is an image labelled by its title and description
    svg = _svg(html)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == (
        "chart-mean-progress-title chart-mean-progress-desc"
    )
    assert svg.find(f"{SVG}title").text == "Mean progress"
    # and each bar is as long as its share of the track, its value written
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("fill") != "#e8ecef"]
    assert [bar.get("width") for bar in bars] == ["233.75", "440"]
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert texts == ["Organisation", "42.5\u00a0%", "Référentiels", "80\u00a0%"]
    # and the same figures are in a table
    assert "<caption>Mean progress</caption>" in html
    assert '<th scope="row">Organisation</th><td class="number">42.5\u00a0%</td>' in (
        html
    )


def test_bar_chart_escapes_labels():
    html = bar_chart([Datum('<script>alert("x")</script>', 1)], title="A & B")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert _svg(html).find(f"{SVG}title").text == "A & B"


def test_bar_chart_without_data_says_so():
    html = bar_chart([], title="Mean progress")

    assert "<svg" not in html
    assert "No figures to show." in html


def test_bar_chart_without_maximum_scales_to_the_largest_value():
    svg = _svg(bar_chart([Datum("a", 5), Datum("b", 10)], title="t"))

    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("fill") != "#e8ecef"]
    assert [bar.get("width") for bar in bars] == ["275", "550"]


def test_pie_chart_draws_slices_in_proportion_and_a_legend_with_shares():
    data = [Datum("In progress", 3), Datum("Done", 1), Datum("Abandoned", 0)]

    html = pie_chart(data, title="Actions by status", centre_text="4")

    svg = _svg(html)
    assert len(list(svg.iter(f"{SVG}path"))) == 2  # no slice for a zero
    legend = [t.text for t in svg.iter(f"{SVG}text")]
    assert legend == [
        "4",
        "In progress — 3 (75\u00a0%)",
        "Done — 1 (25\u00a0%)",
        "Abandoned — 0 (0\u00a0%)",
    ]
    assert '<td class="number">75\u00a0%</td>' in html


def test_pie_chart_of_a_single_value_is_a_full_ring():
    svg = _svg(pie_chart([Datum("Done", 2), Datum("Paused", 0)], title="t"))

    circles = list(svg.iter(f"{SVG}circle"))
    assert [c.get("r") for c in circles] == ["90", "52"]
    assert list(svg.iter(f"{SVG}path")) == []


def test_pie_chart_of_nothing_says_so():
    html = pie_chart([Datum("Done", 0)], title="t")

    assert "<svg" not in html
    assert "No figures to show." in html


def test_progress_bar_is_labelled_and_clamped():
    html = progress_bar(140, label="Progress: 140 %")

    svg = _svg(html)
    assert svg.get("aria-label") == "Progress: 140 %"
    assert [r.get("width") for r in svg.iter(f"{SVG}rect")] == ["100", "100"]
    assert "100\u00a0%</span>" in html


def test_a_colour_that_is_not_hexadecimal_is_refused():
    with pytest.raises(ValueError, match="Not a hexadecimal colour"):
        bar_chart([Datum("a", 1, colour='red" onload="x')], title="t")
