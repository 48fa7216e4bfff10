"""A council meeting as one person may see it, for the page and the API alike:
the agenda, decisions, documents and attendance as ``selectors`` filter them
(confidential parts redacted outside the council), each item with links only
to what the person may open in the other modules (a plan action, a funding
request's file, its opinion in the register once published, a need, a round).

A redacted item keeps its number ("Point confidentiel") so that the numbering
of the published minutes stays the council's; its title, description, links and
decisions are left out of the data, not hidden by a template.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from crig.events import selectors
from crig.events.models import AgendaItem, Meeting, MeetingDocument


@dataclass(frozen=True)
class Link:
    kind: str  # action, funding_request, opinion, need, round
    label: str  # what the link is ("Plan action", "Opinion in the register")
    title: str
    url: str


@dataclass(frozen=True)
class AgendaEntry:
    number: int
    redacted: bool
    title: str = ""
    description: str = ""
    kind: str = ""
    kind_label: str = ""
    confidential: bool = False
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionEntry:
    redacted: bool
    text: str = ""
    kind: str = ""
    kind_label: str = ""
    agenda_number: int | None = None
    confidential: bool = False
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class AttendanceEntry:
    organisation_name: str
    organisation_acronym: str
    organisation_url: str
    representatives: str
    present: bool
    is_signatory: bool


def sees_confidential(user, meeting: Meeting) -> bool:
    return user.has_perm("events.view_meeting_confidential", meeting)


def _published_opinion(funding_request):
    return (
        funding_request.opinions.filter(published_at__isnull=False)
        .order_by("-version")
        .first()
    )


def _action_link(user, action) -> list[Link]:
    if action is None or not user.has_perm("actionplan.view_action", action):
        return []
    return [
        Link(
            "action",
            _("Plan action"),
            f"{action.plan.year} · {action.number}. {action.title}",
            action.get_absolute_url(),
        )
    ]


def _opinion_link(user, opinion) -> list[Link]:
    if opinion is None or not user.has_perm("funding.view_opinion", opinion):
        return []
    return [
        Link(
            "opinion",
            _("Opinion in the register"),
            str(opinion.request.title),
            opinion.get_absolute_url(),
        )
    ]


def _item_links(user, item: AgendaItem) -> list[Link]:
    links = _action_link(user, item.action)
    funding_request = item.funding_request
    if funding_request is not None:
        # The file only to those who may open it; everyone else reaches the
        # request through its published opinion, or not at all (its title
        # itself is confidential before the opinion).
        if user.has_perm("funding.view_request", funding_request):
            links.append(
                Link(
                    "funding_request",
                    _("Funding request"),
                    str(funding_request.title),
                    funding_request.get_absolute_url(),
                )
            )
        opinion = _published_opinion(funding_request)
        if opinion is not None and opinion.published_at is not None:
            links += _opinion_link(user, opinion)
    if item.need is not None and user.has_perm("needs.view_need", item.need):
        links.append(
            Link("need", _("Need"), item.need.title, item.need.get_absolute_url())
        )
    if item.round is not None and user.has_perm("needs.view_round", item.round):
        links.append(
            Link(
                "round",
                _("Prioritisation round"),
                item.round.title,
                item.round.get_absolute_url(),
            )
        )
    return links


def meeting_agenda(*, user, meeting: Meeting) -> list[AgendaEntry]:
    entries = []
    rows = selectors.meeting_agenda(user=user, meeting=meeting)
    for number, row in enumerate(rows, start=1):
        if row.redacted:
            entries.append(AgendaEntry(number=number, redacted=True))
            continue
        item = row.item
        entries.append(
            AgendaEntry(
                number=number,
                redacted=False,
                title=item.title,
                description=item.description,
                kind=item.kind,
                kind_label=str(item.get_kind_display()),
                confidential=item.confidential,
                links=_item_links(user, item),
            )
        )
    return entries


def meeting_decisions(*, user, meeting: Meeting) -> list[DecisionEntry]:
    """The decisions ``user`` may read (``selectors.meeting_decisions`` leaves
    out the confidential ones outside the council), numbered after the agenda
    item they settle."""
    numbers = {
        item.pk: number
        for number, item in enumerate(meeting.agenda_items.all(), start=1)
    }
    return [
        DecisionEntry(
            redacted=False,
            text=decision.text,
            kind=decision.kind,
            kind_label=str(decision.get_kind_display()),
            agenda_number=numbers.get(decision.agenda_item_id),
            confidential=decision.confidential
            or (decision.agenda_item is not None and decision.agenda_item.confidential),
            links=_opinion_link(user, decision.opinion)
            + _action_link(user, decision.action),
        )
        for decision in selectors.meeting_decisions(user=user, meeting=meeting)
    ]


def meeting_documents(*, user, meeting: Meeting) -> list[MeetingDocument]:
    return selectors.meeting_documents(user=user, meeting=meeting)


def meeting_attendance(meeting: Meeting) -> list[AttendanceEntry]:
    entries = []
    for attendance in meeting.attendances.all():
        organisation = attendance.organisation
        entries.append(
            AttendanceEntry(
                organisation_name=organisation.name,
                organisation_acronym=organisation.acronym or "",
                organisation_url=organisation.get_absolute_url(),
                representatives=attendance.representatives,
                present=attendance.present,
                is_signatory=hasattr(organisation, "signatory"),
            )
        )
    # Signatories first: they make the quorum.
    entries.sort(key=lambda entry: not entry.is_signatory)
    return entries
