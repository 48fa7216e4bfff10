"""Reads of meetings and events shared by pages, API, ICS and exports.
CONTRACT (signatures fixed; bodies by the events domain work)."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from crig.events.models import Event, Meeting


def meetings_visible_to(user) -> QuerySet[Meeting]:
    raise NotImplementedError


def meeting_get(*, user, pk: int) -> Meeting:
    raise NotImplementedError


@dataclass(frozen=True)
class Quorum:
    signatories_present: int
    signatories_total: int
    required: int  # settings.EVENTS_MEETING_QUORUM

    @property
    def reached(self) -> bool:
        return self.signatories_present >= self.required


def meeting_quorum(meeting: Meeting) -> Quorum:
    raise NotImplementedError


def events_visible_to(user) -> QuerySet[Event]:
    raise NotImplementedError


def event_get(*, user, slug: str) -> Event:
    raise NotImplementedError


@dataclass(frozen=True)
class Places:
    capacity: int | None
    confirmed: int
    waiting: int

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.confirmed)


def event_places(event: Event) -> Places:
    raise NotImplementedError


def event_participants(event: Event) -> list[dict]:
    """The public participants list: name and organisation of confirmed
    registrants who consented; nothing else."""
    raise NotImplementedError


@dataclass(frozen=True)
class EventStats:
    """The participation dashboard's figures (only aggregates: no personal data)."""

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
    # In the order of Organisation.Category (the council's own list).
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    by_departement: list[tuple[str, str, int]] = field(default_factory=list)


def event_stats(*, event: Event) -> EventStats:
    raise NotImplementedError


def events_comparison(*, kind: str) -> list[EventStats]:
    """The same figures for every published event of a kind, oldest first (the
    annual days across years)."""
    raise NotImplementedError


def calendar_items(*, user) -> list:
    """Public (or visible) meetings and events for the ICS feed."""
    raise NotImplementedError
