"""The yearly report of the action plan: what it holds (``report_build``), its
charts (shared with the plan's page), and its PDF (``pdf_render``).

The report is built once from the selectors, for the person who asks, and
rendered twice by the same template: as a page (printable from the browser) and
as a PDF by WeasyPrint. Only a plan the person may see is reported: a draft is a
``NotFound`` for the public, as everywhere else.

**WeasyPrint and the network.** WeasyPrint would fetch any URL the HTML names
(stylesheets, images) with urllib. ``StaticOnlyFetcher`` serves it the
project's own static files, read from disk through the staticfiles finders, and
refuses everything else, so that rendering a report never leaves the machine
and never reads a file outside the static directories.

**WeasyPrint and Pango.** WeasyPrint lays text out with the system's Pango
library, loaded when ``weasyprint`` is imported. Without it the import raises
``OSError``: ``pdf_unavailable_reason`` says so, the PDF view answers a page
explaining how to install it (503), the HTML report keeps working, and the
system check ``actionplan.W001`` warns at start-up.
"""

import functools
import mimetypes
import posixpath
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import checks
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crig.actionplan import selectors
from crig.actionplan.models import Action, Plan, ProgressUpdate
from crig.core.charts import Datum, bar_chart, pie_chart

PANGO_INSTALL = "apt-get install libpango-1.0-0 libpangoft2-1.0-0"

#: Status colours, the same on the pages, the charts and the PDF. Never the only
#: cue: the status is always written too.
STATUS_COLOURS = {
    Action.Status.PROPOSED: "#6b6b6b",
    Action.Status.IN_PROGRESS: "#0072b2",
    Action.Status.PAUSED: "#e69f00",
    Action.Status.DONE: "#009e73",
    Action.Status.ABANDONED: "#cc79a7",
}


# Charts ----------------------------------------------------------------------


def progress_chart(overview: selectors.PlanOverview, *, chart_id: str = ""):
    """Mean progress of each of the four categories, on a 0–100 % scale."""
    return bar_chart(
        [
            Datum(
                label=ngettext(
                    "%(category)s (%(count)s action)",
                    "%(category)s (%(count)s actions)",
                    category.actions,
                )
                % {"category": category.label, "count": category.actions},
                value=category.mean_progress,
            )
            for category in overview.categories
        ],
        title=_("Mean progress by category"),
        description=_(
            "Mean progress of the actions of each category, from 0 to 100 %."
        ),
        maximum=100,
        unit="%",
        label_header=_("Category"),
        value_header=_("Mean progress"),
        chart_id=chart_id or "chart-progress",
    )


def status_chart(overview: selectors.PlanOverview, *, chart_id: str = ""):
    """The plan's actions by status, as a donut with the total in its hole."""
    labels = dict(Action.Status.choices)
    return pie_chart(
        [
            Datum(
                label=str(labels[status]),
                value=count,
                colour=STATUS_COLOURS[status],
            )
            for status, count in overview.by_status.items()
        ],
        title=_("Actions by status"),
        description=_("Number of actions of the plan in each status."),
        centre_text=str(overview.actions),
        label_header=_("Status"),
        value_header=_("Actions"),
        chart_id=chart_id or "chart-status",
    )


def _counts_chart(counts: dict, labels: dict, *, title, label_header, chart_id):
    return bar_chart(
        [Datum(str(labels.get(key, key)), value) for key, value in counts.items()],
        title=title,
        label_header=label_header,
        value_header=_("Count"),
        chart_id=chart_id,
    )


# The report -------------------------------------------------------------------


@dataclass(frozen=True)
class ReportAction:
    action: Action
    last_update: ProgressUpdate | None


@dataclass(frozen=True)
class ReportCategory:
    progress: selectors.CategoryProgress
    actions: list[ReportAction]


@dataclass(frozen=True)
class Report:
    plan: Plan
    overview: selectors.PlanOverview
    categories: list[ReportCategory]
    figures: selectors.YearFigures
    charts: dict = field(default_factory=dict)
    generated_at: object = None
    #: Public datasets of the year outside the six référentiels (not charted).
    datasets_without_referentiel: int = 0


def _last_updates(plan: Plan) -> dict[int, ProgressUpdate]:
    """The latest update of each action of the plan, in one query."""
    latest = {}
    for update in ProgressUpdate.objects.filter(action__plan=plan).order_by(
        "action_id", "-dated", "-pk"
    ):
        latest.setdefault(update.action_id, update)
    return latest


def report_build(*, user, plan: Plan) -> Report:
    """The report of ``plan`` as ``user`` may read it: the plan's state
    (overview, each action with its progress and latest update) and the year's
    figures of the other modules (public figures only). ``NotFound`` for a plan
    the person may not see."""
    from crig.catalog.models import Referentiel
    from crig.funding.models import Opinion
    from crig.needs.models import Theme

    overview = selectors.plan_overview(user=user, plan=plan)
    actions = list(selectors.plan_actions(user=user, plan=plan))
    latest = _last_updates(plan)
    categories = [
        ReportCategory(
            progress=category,
            actions=[
                ReportAction(action, latest.get(action.pk))
                for action in actions
                if action.category == category.category
            ],
        )
        for category in overview.categories
    ]
    figures = selectors.year_figures(year=plan.year)
    charts = {
        "progress": progress_chart(overview, chart_id="report-progress"),
        "status": status_chart(overview, chart_id="report-status"),
        "needs": _counts_chart(
            figures.needs_by_theme,
            dict(Theme.choices),
            title=_("Needs collected by theme"),
            label_header=_("Theme"),
            chart_id="report-needs",
        ),
        "opinions": pie_chart(
            [
                Datum(str(label), figures.opinions_by_verdict.get(value, 0))
                for value, label in Opinion.Verdict.choices
            ],
            title=_("Opinions given by verdict"),
            centre_text=str(figures.opinions_published),
            label_header=_("Verdict"),
            value_header=_("Opinions"),
            chart_id="report-opinions",
        ),
        "datasets": _counts_chart(
            figures.datasets_by_referentiel,
            dict(Referentiel.choices),
            title=_("Datasets pooled by référentiel"),
            label_header=_("Référentiel"),
            chart_id="report-datasets",
        ),
    }
    return Report(
        plan=plan,
        overview=overview,
        categories=categories,
        figures=figures,
        charts=charts,
        generated_at=timezone.now(),
        datasets_without_referentiel=figures.datasets_pooled
        - sum(figures.datasets_by_referentiel.values()),
    )


# Export -----------------------------------------------------------------------


def export_table(*, user, plan: Plan) -> tuple[list[str], list[list]]:
    """One row per action of the plan, as ``user`` may see it: the links are
    counted through each module's visibility (``selectors.action_links``)."""
    actions = list(
        selectors.plan_actions(user=user, plan=plan).prefetch_related(
            "milestones", "indicators"
        )
    )
    header = [
        _("Category"),
        _("No."),
        _("Title"),
        _("Lead organisations"),
        _("Partners"),
        _("Signatory"),
        _("Status"),
        _("Progress (%)"),
        _("Budget (€)"),
        _("Milestones"),
        _("Milestones done"),
        _("Indicators"),
        _("Needs"),
        _("Funding requests"),
        _("Opinions"),
        _("Datasets"),
        _("Continues"),
    ]
    rows = []
    for action in actions:
        links = selectors.action_links(user=user, action=action)
        milestones = list(action.milestones.all())
        rows.append(
            [
                action.get_category_display(),
                action.number,
                action.title,
                [_organisation_name(o) for o in action.leads.all()],
                [_organisation_name(o) for o in action.partners.all()],
                str(action.signatory) if action.signatory_id else "",
                action.get_status_display(),
                action.progress,
                action.budget,
                len(milestones),
                sum(1 for m in milestones if m.done_on),
                "; ".join(_indicator_summary(i) for i in action.indicators.all()),
                len(links.needs),
                len(links.funding_requests),
                len(links.opinions),
                len(links.datasets),
                (
                    f"{links.previous.plan.year} · {links.previous.number}. "
                    f"{links.previous.title}"
                )
                if links.previous
                else "",
            ]
        )
    return header, rows


def _organisation_name(organisation) -> str:
    return organisation.acronym or organisation.name


def _number(value) -> str:
    from django.utils.formats import number_format

    value = round(float(value), 2)
    return number_format(int(value) if value == int(value) else value)


def _indicator_summary(indicator) -> str:
    unit = f" {indicator.unit}" if indicator.unit else ""
    return (
        f"{indicator.name}: {_number(indicator.current)}/"
        f"{_number(indicator.target)}{unit}"
    )


# PDF --------------------------------------------------------------------------


@functools.cache
def pdf_unavailable_reason() -> str:
    """Why WeasyPrint cannot make PDFs here ("" when it can)."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:  # Pango (or one of its libraries) is missing.
        return str(error)
    except ImportError as error:
        return str(error)
    return ""


def _static_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the project's static files to WeasyPrint, refuses the rest."""

        def __init__(self, base_url: str):
            super().__init__(allowed_protocols=())
            static = urlsplit(settings.STATIC_URL)
            if static.scheme:  # Static files on another host: their own prefix.
                self.static_prefix = static
            else:
                self.static_prefix = urlsplit(base_url)._replace(
                    path=posixpath.join("/", static.path.lstrip("/")),
                    query="",
                    fragment="",
                )

        def fetch(self, url, headers=None):
            return URLFetcherResponse(url, **_static_file(url, self.static_prefix))

    return StaticOnlyFetcher


def _static_file(url: str, prefix) -> dict:
    """The body and content type of a static file named by ``url``, or
    ``ValueError`` for any other URL."""
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc) or not (
        parts.path.startswith(prefix.path)
    ):
        raise ValueError(f"Not a static file of the platform: {url}")
    relative = posixpath.normpath(unquote(parts.path[len(prefix.path) :]))
    if relative.startswith(("..", "/")) or relative == ".":
        raise ValueError(f"Not a static file of the platform: {url}")
    path = finders.find(relative)
    if not path:
        raise ValueError(f"No such static file: {url}")
    content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
    with open(path, "rb") as handle:
        return {"body": handle.read(), "headers": {"Content-Type": content_type}}


def static_only_fetcher(base_url: str):
    """A WeasyPrint URL fetcher that serves only the static files under
    ``base_url``'s ``STATIC_URL`` (see the module docstring)."""
    return _static_fetcher_class()(base_url)


def pdf_render(html: str, *, base_url: str) -> bytes:
    """The PDF of the report's HTML. ``base_url`` is the site's address, so
    that the links in the PDF lead to the pages."""
    import weasyprint

    return weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=static_only_fetcher(base_url)
    ).write_pdf()


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for the running header of the PDF)."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\\n\r<>' else char for char in str(text)
    )
    return f'"{escaped}"'


@checks.register(checks.Tags.compatibility)
def check_pdf_renderer(app_configs, **kwargs):
    """Warn at start-up when the PDF of the yearly report cannot be made."""
    reason = pdf_unavailable_reason()
    if not reason:
        return []
    return [
        checks.Warning(
            "The yearly report cannot be made as PDF: WeasyPrint cannot load the "
            f"system's Pango library ({reason}). The HTML report still works.",
            hint=f"Install Pango: {PANGO_INSTALL}",
            id="actionplan.W001",
        )
    ]
