"""Reads of meetings and events shared by pages, API, ICS and exports.

Visibility follows ``crig.events.rules``: draft meetings for the council only,
draft events for the secretariat only. The statistics are aggregates only: no
name, e-mail or organisation of a registrant leaves ``event_stats``.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from crig.core.errors import NotFound
from crig.events.models import (
    AgendaItem,
    Attendance,
    Decision,
    Event,
    Meeting,
    Registration,
)
from crig.events.rules import is_council_person, is_staff_role
from crig.members.models import Organisation, Signatory
from crig.territory.models import Departement

UNKNOWN_DEPARTEMENT = "unknown"


# --- Meetings ---------------------------------------------------------------


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Published meetings; drafts too for the council (secretariat,
    administrators, the signatories' people)."""
    meetings = Meeting.objects.all()
    if not is_council_person.test(user):
        meetings = meetings.filter(state="published")
    return meetings.order_by("-starts_at", "-pk")


def meeting_get(*, user, pk: int) -> Meeting:
    """One meeting the person may see, with its agenda, documents, attendance and
    decisions prefetched; ``NotFound`` otherwise (a draft is not revealed)."""
    meeting = (
        meetings_visible_to(user)
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related(
                    "action", "funding_request", "need", "round"
                ),
            ),
            "documents",
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related(
                    "organisation", "organisation__signatory"
                ).order_by("organisation__name"),
            ),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related(
                    "agenda_item", "opinion", "action"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise NotFound(_("This meeting does not exist or is not public."))
    return meeting


@dataclass(frozen=True)
class AgendaRow:
    """An agenda item as shown to someone: a confidential one is reduced to its
    position for those outside the council."""

    position: int
    kind: str
    title: str
    description: str
    redacted: bool
    item: AgendaItem | None  # None when redacted


def meeting_agenda(*, user, meeting: Meeting) -> list[AgendaRow]:
    """The agenda for ``user``; confidential items redacted for those without
    ``events.view_meeting_confidential``."""
    sees_all = user is not None and user.has_perm(
        "events.view_meeting_confidential", meeting
    )
    rows = []
    for item in meeting.agenda_items.all():
        if item.confidential and not sees_all:
            rows.append(
                AgendaRow(
                    position=item.position,
                    kind=AgendaItem.Kind.OTHER,
                    title=_("Confidential item"),
                    description="",
                    redacted=True,
                    item=None,
                )
            )
        else:
            rows.append(
                AgendaRow(
                    position=item.position,
                    kind=item.kind,
                    title=item.title,
                    description=item.description,
                    redacted=False,
                    item=item,
                )
            )
    return rows


def meeting_decisions(*, user, meeting: Meeting) -> list[Decision]:
    """Decisions ``user`` may read: confidential ones (or those of a
    confidential item) for the council only."""
    sees_all = user is not None and user.has_perm(
        "events.view_meeting_confidential", meeting
    )
    return [
        decision
        for decision in meeting.decisions.all()
        if sees_all
        or not (
            decision.confidential
            or (decision.agenda_item is not None and decision.agenda_item.confidential)
        )
    ]


def meeting_documents(*, user, meeting: Meeting) -> list:
    sees_all = user is not None and user.has_perm(
        "events.view_meeting_confidential", meeting
    )
    return [
        document
        for document in meeting.documents.all()
        if sees_all or not document.confidential
    ]


@dataclass(frozen=True)
class Quorum:
    signatories_present: int
    signatories_total: int
    required: int  # settings.EVENTS_MEETING_QUORUM

    @property
    def reached(self) -> bool:
        return self.signatories_present >= self.required


def meeting_quorum(meeting: Meeting) -> Quorum:
    """Signatories present (an attendance marked present of a signatory's
    organisation) against all signatories and the required number."""
    present = (
        Attendance.objects.filter(
            meeting=meeting, present=True, organisation__signatory__isnull=False
        )
        .values("organisation")
        .distinct()
        .count()
    )
    return Quorum(
        signatories_present=present,
        signatories_total=Signatory.objects.count(),
        required=settings.EVENTS_MEETING_QUORUM,
    )


# --- Events -----------------------------------------------------------------


def events_visible_to(user) -> QuerySet[Event]:
    """Published and cancelled events; drafts too for the secretariat and
    administrators."""
    events = Event.objects.all()
    if not is_staff_role.test(user):
        events = events.filter(state__in=[Event.State.PUBLISHED, Event.State.CANCELLED])
    return events.order_by("-starts_at", "-pk")


def event_get(*, user, slug: str) -> Event:
    """One event the person may see, with its programme; ``NotFound`` otherwise."""
    event = (
        events_visible_to(user).prefetch_related("sessions").filter(slug=slug).first()
    )
    if event is None:
        raise NotFound(_("This event does not exist or is not public."))
    return event


@dataclass(frozen=True)
class Places:
    capacity: int | None
    confirmed: int
    waiting: int

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.confirmed)


def event_places(event: Event) -> Places:
    counts = event.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=Registration.Status.WAITING)),
    )
    return Places(
        capacity=event.capacity,
        confirmed=counts["confirmed"],
        waiting=counts["waiting"],
    )


def event_participants(event: Event) -> list[dict]:
    """The public participants list: name and organisation of confirmed
    registrants who consented; nothing else."""
    registrations = (
        event.registrations.filter(
            status=Registration.Status.CONFIRMED, consent_to_list=True
        )
        .select_related("organisation")
        .order_by("full_name", "pk")
    )
    return [
        {
            "full_name": registration.full_name,
            "organisation": registration.organisation.name
            if registration.organisation_id
            else registration.organisation_name,
        }
        for registration in registrations
    ]


@dataclass(frozen=True)
class EventStats:
    """The participation dashboard's figures (only aggregates: no personal data).

    Shares are fractions of the confirmed registrants, between 0 and 1 (0 when
    nobody is confirmed).
    """

    event: Event
    confirmed: int
    present: int | None  # None before the event has check-ins
    waiting: int
    cancelled: int
    # Share who came before: computed from past events by matching people
    # (same e-mail, or same account, in a confirmed registration of an earlier
    # event of the same kind), and declared by the registrants themselves.
    attended_before_computed: float
    attended_before_declared: float
    openig_members: float
    # In the order of Organisation.Category (the council's own list):
    # (value, label, count), every category, zeros included.
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    # (code, name, count) by département code, only those with registrants;
    # ("unknown", "Unknown", n) last for those whose département is not known.
    by_departement: list[tuple[str, str, int]] = field(default_factory=list)
    # How many confirmed registrants are counted in attended_before_computed
    # and attended_before_declared (the numerators).
    attended_before_computed_count: int = 0
    attended_before_declared_count: int = 0
    openig_members_count: int = 0


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _earlier_confirmed(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        event__kind=event.kind,
        event__state=Event.State.PUBLISHED,
        event__starts_at__lt=event.starts_at,
    ).exclude(event=event)


def _single_departement_of(organisation_ids: set[int]) -> dict[int, str]:
    """Each organisation whose perimeter lies in one département → that code.
    Organisations spanning several départements (or without a perimeter) are
    left out: their registrants count as "unknown"."""
    if not organisation_ids:
        return {}
    through = Organisation.perimeter.through
    pairs = (
        through.objects.filter(organisation_id__in=organisation_ids)
        .values_list("organisation_id", "commune__departement_id")
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for organisation_id, code in pairs:
        found.setdefault(organisation_id, set()).add(code)
    return {
        organisation_id: next(iter(codes))
        for organisation_id, codes in found.items()
        if len(codes) == 1
    }


def event_stats(*, event: Event) -> EventStats:
    """The dashboard's figures for one event.

    **Attended before**, two figures: *computed* — a confirmed registrant whose
    e-mail (case folded, as stored) or account appears in a confirmed
    registration of an earlier published event of the same kind; *declared* —
    what registrants answered in the form. **Département**: the one given in
    the registration, else the organisation's when its perimeter lies in a
    single département, else "unknown".
    """
    counts = event.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=Registration.Status.WAITING)),
        cancelled=Count("pk", filter=Q(status=Registration.Status.CANCELLED)),
        present=Count(
            "pk",
            filter=Q(status=Registration.Status.CONFIRMED, checked_in_at__isnull=False),
        ),
        declared=Count(
            "pk",
            filter=Q(status=Registration.Status.CONFIRMED, attended_before=True),
        ),
        openig=Count(
            "pk",
            filter=Q(status=Registration.Status.CONFIRMED, is_openig_member=True),
        ),
    )
    confirmed = counts["confirmed"]
    earlier = _earlier_confirmed(event)
    came_before = (
        event.registrations.filter(status=Registration.Status.CONFIRMED)
        .annotate(
            by_email=Exists(earlier.filter(email=OuterRef("email"))),
            by_account=Exists(
                earlier.filter(person__isnull=False, person=OuterRef("person"))
            ),
        )
        .filter(Q(by_email=True) | Q(by_account=True))
        .count()
    )

    category_counts = {
        row["category"]: row["n"]
        for row in event.registrations.filter(status=Registration.Status.CONFIRMED)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by()
    }
    by_category = [
        (value, str(label), category_counts.get(value, 0))
        for value, label in Organisation.Category.choices
    ]

    rows = list(
        event.registrations.filter(status=Registration.Status.CONFIRMED).values_list(
            "departement_id", "organisation_id"
        )
    )
    of_organisation = _single_departement_of(
        {
            organisation_id
            for code, organisation_id in rows
            if not code and organisation_id
        }
    )
    departements = Counter(
        code or of_organisation.get(organisation_id) or UNKNOWN_DEPARTEMENT
        for code, organisation_id in rows
    )
    names = dict(
        Departement.objects.filter(pk__in=departements).values_list("code", "name")
    )
    by_departement = [
        (code, names[code], departements[code])
        for code in sorted(code for code in departements if code in names)
    ]
    if departements.get(UNKNOWN_DEPARTEMENT):
        by_departement.append(
            (UNKNOWN_DEPARTEMENT, _("Unknown"), departements[UNKNOWN_DEPARTEMENT])
        )

    return EventStats(
        event=event,
        confirmed=confirmed,
        present=counts["present"] or None,
        waiting=counts["waiting"],
        cancelled=counts["cancelled"],
        attended_before_computed=_share(came_before, confirmed),
        attended_before_declared=_share(counts["declared"], confirmed),
        openig_members=_share(counts["openig"], confirmed),
        by_category=by_category,
        by_departement=by_departement,
        attended_before_computed_count=came_before,
        attended_before_declared_count=counts["declared"],
        openig_members_count=counts["openig"],
    )


def events_comparison(*, kind: str) -> list[EventStats]:
    """The same figures for every published event of a kind, oldest first (the
    annual days across years)."""
    events = Event.objects.filter(kind=kind, state=Event.State.PUBLISHED).order_by(
        "starts_at", "pk"
    )
    return [event_stats(event=event) for event in events]


def calendar_items(*, user) -> list:
    """Meetings and events for the ICS feed, by start: those ``user`` may see
    (anonymous: published meetings, published and cancelled events — a
    cancelled one stays in calendars, marked cancelled)."""
    items = [*meetings_visible_to(user), *events_visible_to(user)]
    return sorted(items, key=lambda item: (item.starts_at, str(item.uid)))


def departements_for_choice() -> QuerySet[Departement]:
    """The region's départements, for the registration form."""
    return Departement.objects.filter(region_id=settings.CRIG_REGION_CODE).order_by(
        "code"
    )


__all__ = [
    "UNKNOWN_DEPARTEMENT",
    "AgendaRow",
    "EventStats",
    "Places",
    "Quorum",
    "calendar_items",
    "departements_for_choice",
    "event_get",
    "event_participants",
    "event_places",
    "event_stats",
    "events_comparison",
    "events_visible_to",
    "meeting_agenda",
    "meeting_decisions",
    "meeting_documents",
    "meeting_get",
    "meeting_quorum",
    "meetings_visible_to",
]
