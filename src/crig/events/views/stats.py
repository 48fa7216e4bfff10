"""The participation dashboard of an event and its export: confirmed registrants,
the share who came before (computed from past events and declared, both
named), the split by kind of organisation in the council's order, the share of
OPenIG members, the registrants by département (map and table), present vs
confirmed, and the comparison with the other events of the same kind.

Only aggregates, never a person: the page is public for a published event
(``events.view_stats``). Charts are server-side SVG (``crig.core.charts``) with
their figures as text, so that the page reads the same printed in black and
white; the map is an addition on screen, the table beside it says the same.
"""

from django.shortcuts import render
from django.urls import re_path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from crig.core.charts import Datum, bar_chart, pie_chart
from crig.core.exports import export_response
from crig.core.http import http_errors, require_perm
from crig.events import selectors
from crig.events.views._common import (
    event_or_404,
)

YES_COLOUR, NO_COLOUR = "#0072b2", "#b8c4cc"
#: Sequential blues for the map of départements, from 1 registrant to the most.
MAP_CLASSES = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
MAP_EMPTY = "#f4f4f4"


def percent(share: float | None) -> int | None:
    """A share (0–1) as the whole percent the council writes ("46 %")."""
    return None if share is None else round(100 * share)


def _yes_no_chart(yes: int, share: float, *, title: str, total: int, chart_id: str):
    return pie_chart(
        [
            Datum(_("Yes"), yes, colour=YES_COLOUR),
            Datum(_("No"), total - yes, colour=NO_COLOUR),
        ],
        title=title,
        centre_text=f"{percent(share)}\u00a0%",
        label_header=_("Answer"),
        value_header=_("Registrants"),
        chart_id=chart_id,
    )


def map_colour(count: int, maximum: int) -> str:
    """The fill of a département with ``count`` registrants, in five classes of
    equal width up to the largest count."""
    if count <= 0 or maximum <= 0:
        return MAP_EMPTY
    classes = len(MAP_CLASSES)
    index = min(classes, (count * classes + maximum - 1) // maximum) - 1
    return MAP_CLASSES[index]


def map_legend(maximum: int) -> list[dict]:
    """The classes of ``map_colour`` as "from–to" ranges, for the legend."""
    if maximum <= 0:
        return []
    legend, low = [], 1
    for colour in MAP_CLASSES:
        # The highest count of the class: the largest n with map_colour(n) here.
        high = max(
            (n for n in range(low, maximum + 1) if map_colour(n, maximum) == colour),
            default=0,
        )
        if high >= low:
            legend.append({"colour": colour, "low": low, "high": high})
            low = high + 1
    return legend


def _year_label(event) -> str:
    # The place says which annual day it was (Toulouse or Montpellier).
    return f"{event.starts_at.year} · {event.place_name or event.title}"


def _comparison(event, comparison) -> dict:
    rows = [
        {
            "stats": stats,
            "current": stats.event.pk == event.pk,
            "year": stats.event.starts_at.year,
            "before_computed": percent(stats.attended_before_computed),
            "before_declared": percent(stats.attended_before_declared),
            "openig": percent(stats.openig_members),
        }
        for stats in comparison
    ]
    chart = bar_chart(
        [
            Datum(
                _year_label(row["stats"].event),
                row["stats"].confirmed,
                colour="#d55e00" if row["current"] else "#0072b2",
            )
            for row in rows
        ],
        title=_("Confirmed registrants, year by year"),
        label_header=_("Event"),
        value_header=_("Confirmed registrants"),
        chart_id="chart-years",
    )
    return {"rows": rows, "chart": chart}


def event_stats(request, slug):
    event = event_or_404(request, slug)
    require_perm(request, "events.view_stats", event)
    with http_errors():
        stats = selectors.event_stats(event=event)
        comparison = selectors.events_comparison(kind=event.kind)
    total = stats.confirmed
    maximum = max((count for _code, _name, count in stats.by_departement), default=0)
    attendance = [Datum(_("Confirmed registrants"), stats.confirmed, colour="#0072b2")]
    if stats.present is not None:
        attendance.append(
            Datum(_("Present on the day"), stats.present, colour="#009e73")
        )
    return render(
        request,
        "events/event_stats.html",
        {
            "event": event,
            "stats": stats,
            "before_computed": percent(stats.attended_before_computed),
            "before_declared": percent(stats.attended_before_declared),
            "openig": percent(stats.openig_members),
            "present_share": percent(stats.present / total)
            if stats.present is not None and total
            else None,
            "before_computed_chart": _yes_no_chart(
                stats.attended_before_computed_count,
                stats.attended_before_computed,
                title=_("Found in past events"),
                total=total,
                chart_id="chart-before-computed",
            ),
            "before_declared_chart": _yes_no_chart(
                stats.attended_before_declared_count,
                stats.attended_before_declared,
                title=_("Their answer: came before?"),
                total=total,
                chart_id="chart-before-declared",
            ),
            "openig_chart": _yes_no_chart(
                stats.openig_members_count,
                stats.openig_members,
                title=_("Member of OPenIG?"),
                total=total,
                chart_id="chart-openig",
            ),
            "category_chart": bar_chart(
                [Datum(str(label), count) for _code, label, count in stats.by_category],
                title=_("Registrants by kind of organisation"),
                label_header=_("Kind of organisation"),
                value_header=_("Registrants"),
                chart_id="chart-categories",
            ),
            "attendance_chart": bar_chart(
                attendance,
                title=_("Present and confirmed"),
                label_header=_("Registrants"),
                value_header=_("Number"),
                chart_id="chart-attendance",
            ),
            "departements": [
                {
                    "code": code,
                    "name": name,
                    "count": count,
                    "share": percent(count / total) if total else 0,
                    "colour": map_colour(count, maximum),
                }
                for code, name, count in stats.by_departement
            ],
            "map_legend": map_legend(maximum),
            "map_geojson_url": reverse("api:event_stats_departements", args=[event.pk]),
            "comparison": _comparison(event, comparison),
        },
    )


STATS_HEADER = (
    pgettext_lazy("events export column", "Figure"),
    pgettext_lazy("events export column", "Item"),
    pgettext_lazy("events export column", "Count"),
    pgettext_lazy("events export column", "Share (%)"),
)


def stats_table(stats) -> tuple[list[str], list[list]]:
    """The dashboard's figures as rows (aggregates only), for the exports of
    the page and the API."""
    total = stats.confirmed

    def share(count):
        return round(100 * count / total, 1) if total else None

    rows = [
        [_("Registrants"), _("Confirmed registrants"), stats.confirmed, None],
        [_("Registrants"), _("On the waiting list"), stats.waiting, None],
        [_("Registrants"), _("Cancelled"), stats.cancelled, None],
    ]
    if stats.present is not None:
        rows.append(
            [
                _("Registrants"),
                _("Present on the day"),
                stats.present,
                share(stats.present),
            ]
        )
    for label, count in (
        (_("Came before (found in past events)"), stats.attended_before_computed_count),
        (_("Came before (their answer)"), stats.attended_before_declared_count),
        (_("OPenIG members"), stats.openig_members_count),
    ):
        rows.append([label, _("Yes"), count, share(count)])
    for _code, label, count in stats.by_category:
        rows.append([_("Kind of organisation"), str(label), count, share(count)])
    for code, name, count in stats.by_departement:
        rows.append([_("Département"), f"{code} {name}", count, share(count)])
    return [str(label) for label in STATS_HEADER], rows


def event_stats_export(request, slug, fmt):
    event = event_or_404(request, slug)
    require_perm(request, "events.view_stats", event)
    with http_errors():
        stats = selectors.event_stats(event=event)
    header, rows = stats_table(stats)
    return export_response(
        format=fmt,
        filename=f"statistiques-{event.slug}",
        header=header,
        rows=rows,
        sheet_title=_("Statistics"),
    )


routes = [
    re_path(
        r"^evenements/(?P<slug>[-\w]+)/statistiques/$", event_stats, name="event_stats"
    ),
    re_path(
        r"^evenements/(?P<slug>[-\w]+)/statistiques\.(?P<fmt>csv|xlsx)$",
        event_stats_export,
        name="event_stats_export",
    ),
]
