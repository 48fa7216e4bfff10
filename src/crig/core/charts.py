"""Server-side charts as inline SVG: horizontal bar charts, progress bars, pie
and donut charts, shared by every module (the action plan's pages and yearly
report; the events module's participation dashboards).

**Hand-written SVG, not pygal.** The charts needed are three simple shapes, and
each must work in three places that pygal serves poorly: a page without
JavaScript, a PDF made by WeasyPrint (which draws inline SVG but runs no script
and should load no file), and a printer in black and white. Writing the SVG here
takes some two hundred lines with no dependency, every text is escaped by
Django's ``format_html``/``escape``, and the markup is exactly what accessibility
needs: ``role="img"`` with a ``<title>`` and ``<desc>`` named by
``aria-labelledby``, and beside each chart a real ``<table>`` of the figures for
screen readers, for people who want the numbers, and for a page that shows no
image. pygal would add a dependency, its own stylesheet and script hooks to turn
off (``js=[]``, no CDN), tooltips that only exist on hover, and SVG whose
accessibility we would have to patch afterwards.

**Readable printed.** Every bar and every slice carries its value as text (a
reader of a grey photocopy never needs the colours), labels sit above the bars
so that no text is cut, the palette is Okabe–Ito (told apart by people with the
common colour-vision deficiencies) and the legend of a pie names each slice with
its figure and share. The SVGs scale with their container (``viewBox``, width
100 %), and the stylesheets decide their maximum width.

Each function returns safe HTML (``SafeString``) to put in a template with
``{{ chart }}``.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

#: Okabe–Ito, in an order where neighbours differ in lightness too.
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#6b6b6b",
    "#f0e442",
)
INK = "#1d2327"
TRACK = "#e8ecef"
WIDTH = 640
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Datum:
    """One bar or slice: its label, its value, and optionally how the value is
    written (else the number, in the language of the page) and its colour."""

    label: str
    value: float
    text: str = ""
    colour: str = ""


def _number(value: float) -> str:
    rounded = round(float(value), 1)
    if rounded == int(rounded):
        return number_format(int(rounded), force_grouping=True)
    return number_format(rounded, decimal_pos=1, force_grouping=True)


def _text(datum: Datum, unit: str = "") -> str:
    if datum.text:
        return datum.text
    return f"{_number(datum.value)}\u00a0{unit}" if unit else _number(datum.value)


def _colour(datum: Datum, index: int) -> str:
    colour = datum.colour or PALETTE[index % len(PALETTE)]
    # Only #rgb/#rrggbb colours: the value goes into an attribute as it is.
    if not re.fullmatch(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?", colour):
        raise ValueError(f"Not a hexadecimal colour: {colour!r}")
    return colour


def _chart_id(title: str, chart_id: str | None) -> str:
    return chart_id or "chart-" + (slugify(title) or "figure")


def _data_table(
    data: Sequence[Datum],
    *,
    title: str,
    label_header: str,
    value_header: str,
    unit: str,
    shares: bool = False,
) -> SafeString:
    """The figures as a table, folded under the chart: what a screen reader
    reads, and the fallback when no picture is shown."""
    total = sum(max(d.value, 0) for d in data)
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td class="number">{}</td>{}</tr>',
        (
            (
                d.label,
                _text(d, unit),
                format_html(
                    '<td class="number">{}\u00a0%</td>',
                    _number(100 * max(d.value, 0) / total) if total else "0",
                )
                if shares
                else "",
            )
            for d in data
        ),
    )
    share_header = (
        format_html('<th scope="col" class="number">{}</th>', _("Share"))
        if shares
        else ""
    )
    return format_html(
        '<details class="chart-details"><summary>{}</summary>'
        '<table class="data chart-data"><caption>{}</caption>'
        '<thead><tr><th scope="col">{}</th><th scope="col" class="number">{}</th>{}'
        "</tr></thead><tbody>{}</tbody></table></details>",
        _("The figures"),
        title,
        label_header,
        value_header,
        share_header,
        rows,
    )


def _figure(
    svg: SafeString, table: SafeString, *, kind: str, chart_id: str
) -> SafeString:
    return format_html(
        '<figure class="chart chart-{}" id="{}-figure">{}{}</figure>',
        kind,
        chart_id,
        svg,
        table,
    )


def _svg_open(chart_id: str, height: float, title: str, description: str) -> str:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
        'viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'aria-labelledby="{}-title {}-desc" {}>'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        WIDTH,
        _coordinate(height),
        chart_id,
        chart_id,
        mark_safe(FONT),  # noqa: S308  (a constant)
        chart_id,
        title,
        chart_id,
        description,
    )


def _coordinate(value: float) -> str:
    # SVG wants a dot as decimal mark whatever the language of the page.
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _empty(title: str, chart_id: str, kind: str) -> SafeString:
    return format_html(
        '<figure class="chart chart-{} chart-empty" id="{}-figure">'
        '<figcaption>{}</figcaption><p class="muted">{}</p></figure>',
        kind,
        chart_id,
        title,
        _("No figures to show."),
    )


def bar_chart(
    data: Sequence[Datum],
    *,
    title: str,
    description: str = "",
    maximum: float | None = None,
    unit: str = "",
    label_header: str = "",
    value_header: str = "",
    chart_id: str | None = None,
) -> SafeString:
    """Horizontal bars, one per datum, each labelled above and with its value
    written at its end. ``maximum`` fixes the scale (100 for percentages);
    otherwise the largest value fills the width."""
    chart_id = _chart_id(title, chart_id)
    if not data:
        return _empty(title, chart_id, "bar")
    scale = maximum if maximum else max((d.value for d in data), default=0)
    scale = scale if scale > 0 else 1
    row_height, bar_height, top, label_gap = 54, 20, 6, 22
    value_room = 90  # room kept right of the longest bar for its value
    track_width = WIDTH - value_room
    height = top + row_height * len(data)
    parts = [_svg_open(chart_id, height, title, description or title)]
    for index, datum in enumerate(data):
        y = top + index * row_height
        share = min(max(datum.value, 0) / scale, 1)
        bar_width = track_width * share
        text = _text(datum, unit)
        parts.append(
            format_html(
                '<g class="chart-row"><text x="0" y="{}" font-size="18" fill="{}">{}'
                "</text>"
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}" rx="2"/>'
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}" rx="2"/>'
                '<text x="{}" y="{}" font-size="18" font-weight="600" fill="{}">{}'
                "</text></g>",
                _coordinate(y + 17),
                INK,
                datum.label,
                _coordinate(y + label_gap + 2),
                _coordinate(track_width),
                bar_height,
                TRACK,
                _coordinate(y + label_gap + 2),
                _coordinate(bar_width),
                bar_height,
                _colour(datum, index),
                _coordinate(bar_width + 6),
                _coordinate(y + label_gap + 18),
                INK,
                text,
            )
        )
    parts.append("</svg>")
    table = _data_table(
        data,
        title=title,
        label_header=label_header or pgettext("chart data table", "Item"),
        value_header=value_header or _("Value"),
        unit=unit,
    )
    return _figure(mark_safe("".join(parts)), table, kind="bar", chart_id=chart_id)  # noqa: S308


def _arc_path(cx, cy, outer, inner, start, end) -> str:
    """An annular sector (``inner`` 0: a pie slice) between two angles, in
    radians clockwise from twelve o'clock."""

    def point(radius, angle):
        return (
            _coordinate(cx + radius * math.sin(angle)),
            _coordinate(cy - radius * math.cos(angle)),
        )

    large = 1 if end - start > math.pi else 0
    x0, y0 = point(outer, start)
    x1, y1 = point(outer, end)
    if inner <= 0:
        centre = f"{_coordinate(cx)} {_coordinate(cy)}"
        return f"M{centre} L{x0} {y0} A{outer} {outer} 0 {large} 1 {x1} {y1} Z"
    x2, y2 = point(inner, end)
    x3, y3 = point(inner, start)
    return (
        f"M{x0} {y0} A{outer} {outer} 0 {large} 1 {x1} {y1} "
        f"L{x2} {y2} A{inner} {inner} 0 {large} 0 {x3} {y3} Z"
    )


def pie_chart(
    data: Sequence[Datum],
    *,
    title: str,
    description: str = "",
    donut: bool = True,
    centre_text: str = "",
    unit: str = "",
    label_header: str = "",
    value_header: str = "",
    chart_id: str | None = None,
) -> SafeString:
    """A pie (or, by default, a donut with ``centre_text`` in its hole) and a
    legend naming every datum with its value and share, zeros included so that
    the same chart keeps the same legend from one year to the next."""
    chart_id = _chart_id(title, chart_id)
    total = sum(max(d.value, 0) for d in data)
    if not data or total <= 0:
        return _empty(title, chart_id, "pie")
    radius, inner = 90, (52 if donut else 0)
    cx = cy = 100
    legend_row = 30
    height = max(200, 12 + legend_row * len(data))
    parts = [_svg_open(chart_id, height, title, description or title)]
    angle = 0.0
    for index, datum in enumerate(data):
        value = max(datum.value, 0)
        if not value:
            continue
        colour = _colour(datum, index)
        if value >= total:
            # One slice is the whole: an arc cannot start and end at one point.
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="{}" fill="{}"/>', cx, cy, radius, colour
                )
            )
            if inner:
                parts.append(
                    format_html(
                        '<circle cx="{}" cy="{}" r="{}" fill="#fff"/>', cx, cy, inner
                    )
                )
            continue
        end = angle + 2 * math.pi * value / total
        parts.append(
            format_html(
                '<path d="{}" fill="{}" stroke="#fff" stroke-width="2"/>',
                _arc_path(cx, cy, radius, inner, angle, end),
                colour,
            )
        )
        angle = end
    if donut and centre_text:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="22" font-weight="700" fill="{}" '
                'text-anchor="middle">{}</text>',
                cx,
                cy + 8,
                INK,
                centre_text,
            )
        )
    for index, datum in enumerate(data):
        y = 12 + index * legend_row
        share = _number(100 * max(datum.value, 0) / total)
        parts.append(
            format_html(
                '<g class="chart-legend"><rect x="224" y="{}" width="17" height="17" '
                'fill="{}" stroke="{}" stroke-width="0.5"/>'
                '<text x="248" y="{}" font-size="17" fill="{}">{} — {} ({}\u00a0%)'
                "</text></g>",
                y,
                _colour(datum, index),
                INK,
                y + 14,
                INK,
                datum.label,
                _text(datum, unit),
                share,
            )
        )
    parts.append("</svg>")
    table = _data_table(
        data,
        title=title,
        label_header=label_header or pgettext("chart data table", "Item"),
        value_header=value_header or _("Value"),
        unit=unit,
        shares=True,
    )
    return _figure(mark_safe("".join(parts)), table, kind="pie", chart_id=chart_id)  # noqa: S308


def progress_bar(value: float, *, label: str, maximum: float = 100) -> SafeString:
    """A thin bar for a percentage (or ``value`` out of ``maximum``), followed
    by the figure as text; ``label`` names it for screen readers ("Progress of
    “Orthophotographies”: 40 %")."""
    maximum = maximum if maximum and maximum > 0 else 100
    share = min(max(float(value), 0) / maximum, 1)
    percent = _number(100 * share)
    return format_html(
        '<span class="progress-bar">'
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 100 10" '
        'width="120" height="10" preserveAspectRatio="none" class="progress-bar-svg" '
        'aria-label="{}">'
        "<title>{}</title>"
        '<rect x="0" y="0" width="100" height="10" rx="2" fill="{}"/>'
        '<rect x="0" y="0" width="{}" height="10" rx="2" fill="{}"/></svg>'
        '<span class="progress-bar-text" aria-hidden="true">{}\u00a0%</span></span>',
        label,
        label,
        TRACK,
        _coordinate(100 * share),
        PALETTE[0],
        percent,
    )
