"""The needs part of a person's data: needs written or followed as contact,
supports, ballots, attachments and the history entries of their actions.

Needs, supports and ballots are their organisation's: they stay, with the
anonymised account as author. A person erased is no longer a need's contact.
"""

from crig.core.privacy import Person, PersonalDataProvider, rows
from crig.needs.models import (
    Ballot,
    Need,
    NeedAttachment,
    NeedEvent,
    Round,
    ScoringWeights,
    Support,
)


def export(person: Person) -> dict:
    user = person.user
    if user is None:
        return {}
    return {
        "needs_written": rows(
            Need.objects.filter(author=user), "pk", "title", "organisation__name"
        ),
        "needs_as_contact": rows(
            Need.objects.filter(contact=user), "pk", "title", "organisation__name"
        ),
        "supports": rows(
            Support.objects.filter(author=user),
            "need_id",
            "need__title",
            "organisation__name",
            "comment",
            "created_at",
        ),
        "ballots": rows(
            Ballot.objects.filter(cast_by=user),
            "round__title",
            "organisation__name",
            "ranking",
            "created_at",
        ),
        "attachments_uploaded": rows(
            NeedAttachment.objects.filter(uploaded_by=user), "need_id", "name", "size"
        ),
        "history": rows(
            NeedEvent.objects.filter(actor=user),
            "need_id",
            "kind",
            "from_state",
            "to_state",
            "message",
            "created_at",
        ),
        "rounds_created": rows(Round.objects.filter(created_by=user), "pk", "title"),
        "scoring_weights_published": rows(
            ScoringWeights.objects.filter(published_by=user), "pk", "created_at"
        ),
    }


def erase(person: Person) -> dict:
    if person.user is None:
        return {}
    rows_changed = Need.objects.filter(contact=person.user).update(contact=None)
    return {"needs_as_contact": rows_changed} if rows_changed else {}


PERSONAL_DATA = PersonalDataProvider(
    covers=(
        "needs.Need.author",
        "needs.Need.contact",
        "needs.Support.author",
        "needs.NeedEvent.actor",
        "needs.NeedAttachment.uploaded_by",
        "needs.ScoringWeights.published_by",
        "needs.Round.created_by",
        "needs.Ballot.cast_by",
    ),
    export=export,
    erase=erase,
    kept="Needs, supports, ballots and history belong to the organisations and the "
    "council: they keep the anonymised account as author.",
)
