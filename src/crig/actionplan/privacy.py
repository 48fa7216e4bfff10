"""The action plan part of a person's data: progress updates and changes made.
Both are the plan's history and keep the anonymised account."""

from crig.actionplan.models import ActionChange, ProgressUpdate
from crig.core.privacy import Person, PersonalDataProvider, rows


def export(person: Person) -> dict:
    if person.user is None:
        return {}
    return {
        "progress_updates": rows(
            ProgressUpdate.objects.filter(author=person.user),
            "action__title",
            "dated",
            "body",
            "progress",
        ),
        "changes": rows(
            ActionChange.objects.filter(actor=person.user),
            "action__title",
            "what",
            "at",
        ),
    }


PERSONAL_DATA = PersonalDataProvider(
    covers=("actionplan.ProgressUpdate.author", "actionplan.ActionChange.actor"),
    export=export,
    kept="Progress updates and changes are the plan's history.",
)
