"""Registrations to events: register, cancel (signed link or secretariat), promote
from the waiting list, check in, remind, log exports.

**Places.** A registration is confirmed while the event has places left, else it
goes on the waiting list. The count is taken inside the transaction after
locking the event row (``select_for_update`` on PostgreSQL; on SQLite the
transaction is ``IMMEDIATE``, which takes the database's write lock at ``BEGIN``),
so two people cannot both take the last place.

**E-mails.** Sent by a background task enqueued once the transaction commits
(``crig.events.tasks``), never inside it: a slow mail server does not hold the
event's lock, and a registration that is rolled back sends nothing.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from crig.events.models import Event, PersonalDataExport, Registration
from crig.members.models import Organisation
from crig.territory.models import Departement

CANCEL_SALT = "crig.events.registration-cancel"
REMINDER_DELAY = datetime.timedelta(days=2)


@dataclass(frozen=True)
class RegistrationData:
    full_name: str
    email: str
    category: str  # Organisation.Category; taken from the organisation if picked
    organisation_id: int | None = None
    organisation_name: str = ""
    departement: str = ""  # code
    is_openig_member: bool = False
    attended_before: bool = False
    accessibility_needs: str = ""
    dietary_needs: str = ""
    consent_to_list: bool = False


def _require(user, perm: str, obj, message) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def normalise_email(email: str) -> str:
    """The address as stored and compared: stripped, checked with Django's
    validator, case folded (``Marie@X.fr`` and ``marie@x.fr`` are one person)."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise InvalidInput(
            _("“%(email)s” is not a valid e-mail address.") % {"email": email},
            field="email",
        ) from error
    return email.casefold()


def registration_is_open(event: Event, *, now: datetime.datetime | None = None):
    """Whether registering is possible now (published event, inside the window;
    without a closing date, registration closes when the event starts)."""
    return _closed_reason(event, now or timezone.now()) is None


def _closed_reason(event: Event, now: datetime.datetime) -> str | None:
    if event.state == Event.State.CANCELLED:
        return _("The event “%(event)s” is cancelled.") % {"event": event.title}
    if event.state != Event.State.PUBLISHED:
        return _("The event “%(event)s” is not open for registration.") % {
            "event": event.title
        }
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("Registration for “%(event)s” opens on %(date)s.") % {
            "event": event.title,
            "date": timezone.localtime(event.registration_opens_at).strftime(
                "%d/%m/%Y %H:%M"
            ),
        }
    closes_at = event.registration_closes_at or event.starts_at
    if now >= closes_at:
        return _("Registration for “%(event)s” is closed.") % {"event": event.title}
    return None


def _clean(data: RegistrationData) -> dict:
    full_name = " ".join((data.full_name or "").split())
    if not full_name:
        raise InvalidInput(_("Please give your name."), field="full_name")
    values = {
        "full_name": full_name[:200],
        "email": normalise_email(data.email),
        "accessibility_needs": (data.accessibility_needs or "").strip(),
        "dietary_needs": (data.dietary_needs or "").strip(),
        "consent_to_list": bool(data.consent_to_list),
        "attended_before": bool(data.attended_before),
        "organisation": None,
        "organisation_name": "",
    }
    if data.organisation_id is not None:
        organisation = Organisation.objects.filter(pk=data.organisation_id).first()
        if organisation is None:
            raise InvalidInput(
                _("This organisation is not in the directory."), field="organisation"
            )
        # Picked from the directory: its category and membership are known.
        values.update(
            organisation=organisation,
            category=organisation.category,
            is_openig_member=organisation.is_openig_member,
        )
    else:
        name = " ".join((data.organisation_name or "").split())
        if not name:
            raise InvalidInput(
                _("Pick your organisation from the directory or type its name."),
                field="organisation_name",
            )
        if data.category not in Organisation.Category.values:
            raise InvalidInput(
                _("Choose the kind of your organisation."), field="category"
            )
        values.update(
            organisation_name=name[:200],
            category=data.category,
            is_openig_member=bool(data.is_openig_member),
        )
    values["departement"] = None
    if data.departement:
        departement = Departement.objects.filter(pk=data.departement.strip()).first()
        if departement is None:
            raise InvalidInput(
                _("Unknown département code “%(code)s”.") % {"code": data.departement},
                field="departement",
            )
        values["departement"] = departement
    return values


def _locked_event(event: Event) -> Event:
    # On SQLite select_for_update is a no-op; the IMMEDIATE transaction already
    # holds the write lock.
    return Event.objects.select_for_update().get(pk=event.pk)


def _confirmed_count(event: Event) -> int:
    return event.registrations.filter(status=Registration.Status.CONFIRMED).count()


def _notify_on_commit(registration_id: int, *, promoted: bool = False) -> None:
    from crig.events.tasks import registration_notify_task

    transaction.on_commit(
        lambda: registration_notify_task.enqueue(registration_id, promoted)
    )


def registration_create(
    *,
    event: Event,
    data: RegistrationData,
    person=None,
    notify: bool = True,
    past: bool = False,
) -> Registration:
    """Register (signed in or not): confirmed while places remain, else on the
    waiting list. Refused: a live registration with the same e-mail (case
    folded), registration not open or closed, a draft or cancelled event, an
    invalid e-mail. Sends the confirmation (ICS attached, cancellation link).

    ``person``: the signed-in account, if any (linked to the registration so that
    people are matched across years even when they change address).
    For loading past registrations (the demo, an import of the spreadsheets),
    never for a person registering: ``notify=False`` sends no e-mail and marks
    nothing as sent; ``past=True`` skips the registration window (the event must
    still be published).
    """
    values = _clean(data)
    if person is not None and not getattr(person, "is_authenticated", False):
        person = None
    with transaction.atomic():
        locked = _locked_event(event)
        reason = _closed_reason(locked, timezone.now())
        if past and locked.state == Event.State.PUBLISHED:
            reason = None
        if reason:
            raise InvalidInput(reason)
        if locked.registrations.filter(
            email=values["email"],
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING],
        ).exists():
            raise Conflict(
                _("%(email)s is already registered for “%(event)s”.")
                % {"email": values["email"], "event": locked.title},
                field="email",
            )
        full = (
            locked.capacity is not None and _confirmed_count(locked) >= locked.capacity
        )
        status = Registration.Status.WAITING if full else Registration.Status.CONFIRMED
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=locked, person=person, status=status, **values
                )
        except IntegrityError as error:  # a concurrent twin got in first
            raise Conflict(
                _("%(email)s is already registered for “%(event)s”.")
                % {"email": values["email"], "event": locked.title},
                field="email",
            ) from error
        if notify:
            _notify_on_commit(registration.pk)
    return registration


def registration_cancel_link(registration: Registration) -> str:
    """The signed, absolute cancellation URL sent by e-mail (page
    ``events:registration_cancel`` with the ``token``)."""
    token = signing.dumps(registration.pk, salt=CANCEL_SALT)
    return settings.SITE_URL + reverse(
        "events:registration_cancel", kwargs={"token": token}
    )


def registration_for_token(token: str) -> Registration:
    """The registration a cancellation token names; a forged or altered one is
    ``InvalidInput`` (for the confirmation page before cancelling)."""
    try:
        registration_id = signing.loads(token, salt=CANCEL_SALT)
    except signing.BadSignature as error:
        raise InvalidInput(
            _("This cancellation link is not valid. Use the link of your e-mail.")
        ) from error
    registration = (
        Registration.objects.select_related("event").filter(pk=registration_id).first()
    )
    if registration is None:
        raise NotFound(_("This registration no longer exists."))
    return registration


def _promote(event: Event) -> list[int]:
    """Move the first people of the waiting list into the places left; returns
    their ids (to tell them)."""
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - _confirmed_count(event)
        if free <= 0:
            return []
    waiting = event.registrations.filter(status=Registration.Status.WAITING).order_by(
        "created_at", "pk"
    )
    promoted = list(waiting.values_list("pk", flat=True)[:free] if free else waiting)
    # The confirmation e-mail is sent again, now saying the place is theirs.
    Registration.objects.filter(pk__in=promoted).update(
        status=Registration.Status.CONFIRMED, confirmation_sent_at=None
    )
    return promoted


def _cancel(registration: Registration) -> Registration:
    with transaction.atomic():
        event = _locked_event(registration.event)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            return current
        current.status = Registration.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.checked_in_at = None
        current.save(update_fields=["status", "cancelled_at", "checked_in_at"])
        for promoted_id in _promote(event):
            _notify_on_commit(promoted_id, promoted=True)
    registration.refresh_from_db()
    return registration


def registration_cancel(*, token: str) -> Registration:
    """Cancel through a signed link; a forged or altered token is refused. The
    first on the waiting list is promoted and told. Cancelling twice is
    harmless (answers the same registration)."""
    return _cancel(registration_for_token(token))


def registration_cancel_on_erasure(*, registration: Registration) -> Registration:
    """Give back the place of a person whose data is being erased (the caller,
    ``core.privacy.person_erase``, checked who may erase)."""
    return _cancel(registration)


def registration_cancel_by_staff(*, actor, registration: Registration) -> Registration:
    """The secretariat cancels someone's registration (they asked by phone…);
    the waiting list moves as for a cancellation by link."""
    _require(
        actor,
        "events.change_event",
        registration.event,
        _("Only the secretariat may cancel a registration."),
    )
    return _cancel(registration)


def registration_check_in(
    *,
    actor,
    registration: Registration,
    present: bool = True,
    at: datetime.datetime | None = None,
) -> Registration:
    """Mark a confirmed registrant present (or undo). ``at``: when they arrived,
    if not now (a paper list typed in afterwards)."""
    _require(
        actor,
        "events.check_in",
        registration.event,
        _("Only the secretariat may mark people present."),
    )
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status != Registration.Status.CONFIRMED:
            raise InvalidInput(_("Only a confirmed registrant can be marked present."))
        if present and current.checked_in_at is None:
            current.checked_in_at = at or timezone.now()
        elif not present:
            current.checked_in_at = None
        current.save(update_fields=["checked_in_at"])
    registration.refresh_from_db()
    return registration


def registrations_remind(*, now: datetime.datetime | None = None) -> int:
    """E-mail confirmed registrants of events starting within 2 days, once each.
    Returns the number sent. Run daily (``crig events remind``)."""
    from crig.events.services.notifications import registration_remind

    now = now or timezone.now()
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        event__state=Event.State.PUBLISHED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMINDER_DELAY,
    ).order_by("event__starts_at", "pk")
    return sum(
        registration_remind(registration_id=pk, now=now)
        for pk in due.values_list("pk", flat=True)
    )


def registrations_export_logged(*, actor, event: Event, what: str, rows: int) -> None:
    """Record an export of personal data (who, what, when, how many rows)."""
    _require(
        actor,
        "events.export_registrations",
        event,
        _("Only the secretariat may export registrations."),
    )
    PersonalDataExport.objects.create(
        actor=actor, event=event, what=what[:100], rows=rows
    )
