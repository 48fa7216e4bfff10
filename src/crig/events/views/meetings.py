"""Pages of council meetings: the list by year, a meeting's page (agenda with its
links, documents, attendance and quorum, minutes and decisions), a document's
download and the meeting's calendar file.

A draft is a 404 for anyone outside the council (``selectors.meeting_get``);
confidential items, decisions and documents are redacted for them by
``presenters``, the same code that builds the API's answer.
"""

from itertools import groupby

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path

from crig.events import ics, selectors
from crig.events.views import presenters
from crig.events.views._common import ics_response, meeting_or_404


def meeting_list(request):
    meetings = selectors.meetings_visible_to(request.user).order_by("-starts_at")
    years = [
        (year, list(items))
        for year, items in groupby(meetings, key=lambda m: m.starts_at.year)
    ]
    return render(request, "events/meeting_list.html", {"years": years})


def meeting_detail(request, pk):
    meeting = meeting_or_404(request, pk)
    user = request.user
    return render(
        request,
        "events/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": presenters.meeting_agenda(user=user, meeting=meeting),
            "decisions": presenters.meeting_decisions(user=user, meeting=meeting),
            "documents": presenters.meeting_documents(user=user, meeting=meeting),
            "attendance": presenters.meeting_attendance(meeting),
            "quorum": selectors.meeting_quorum(meeting),
            "council": presenters.sees_confidential(user, meeting),
        },
    )


def meeting_document(request, pk, document_pk):
    meeting = meeting_or_404(request, pk)
    document = get_object_or_404(meeting.documents, pk=document_pk)
    if document.confidential and not presenters.sees_confidential(
        request.user, meeting
    ):
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=document.name)


def meeting_calendar(request, pk):
    meeting = meeting_or_404(request, pk)
    return ics_response(
        ics.meeting_calendar(meeting), filename=f"reunion-crig-{meeting.pk}.ics"
    )


routes = [
    path("reunions/", meeting_list, name="meeting_list"),
    path("reunions/<int:pk>/", meeting_detail, name="meeting_detail"),
    path(
        "reunions/<int:pk>/documents/<int:document_pk>/",
        meeting_document,
        name="meeting_document",
    ),
    path("reunions/<int:pk>/calendrier.ics", meeting_calendar, name="meeting_ics"),
]
