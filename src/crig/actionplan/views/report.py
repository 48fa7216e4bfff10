"""The yearly report of a plan: a printable page and the same as a PDF.

Both render ``actionplan/_report_body.html`` from one ``report.report_build``;
the PDF adds the print stylesheet of ``report_pdf.html`` (page numbers and the
council's name on every page). A draft plan is a 404 for the public, as its
page is."""

from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from crig.actionplan import report as plan_report
from crig.actionplan.views._common import (
    plan_or_404,
)
from crig.core.http import http_errors


def _build(request, year):
    plan = plan_or_404(request, year)
    with http_errors():
        return plan_report.report_build(user=request.user, plan=plan)


def report(request, year):
    built = _build(request, year)
    return render(
        request,
        "actionplan/report.html",
        {
            "report": built,
            "plan": built.plan,
            "pdf_available": not plan_report.pdf_unavailable_reason(),
        },
    )


def report_pdf(request, year):
    built = _build(request, year)
    reason = plan_report.pdf_unavailable_reason()
    if reason:
        return render(
            request,
            "actionplan/report_pdf_unavailable.html",
            {
                "plan": built.plan,
                "reason": reason,
                "install": plan_report.PANGO_INSTALL,
            },
            status=HTTPStatus.SERVICE_UNAVAILABLE,
        )
    base_url = request.build_absolute_uri("/")
    html = render_to_string(
        "actionplan/report_pdf.html",
        {
            "report": built,
            "plan": built.plan,
            # Texts of the page margins: CSS strings, escaped for CSS.
            "running_title": plan_report.css_string(built.plan.title),
            "running_council": plan_report.css_string(settings.CRIG_NAME),
            "page_label": plan_report.css_string(_("Page") + " "),
        },
        request=request,
    )
    response = HttpResponse(
        plan_report.pdf_render(html, base_url=base_url),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"rapport-plan-d-actions-{built.plan.year}.pdf"
    )
    return response


routes = [
    path("<int:year>/rapport/", report, name="report"),
    path("<int:year>/rapport.pdf", report_pdf, name="report_pdf"),
]
