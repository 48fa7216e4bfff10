"""A person's data across the modules: the export (GDPR articles 15 and 20) and the
erasure (article 17).

Each app that holds personal data has a ``privacy`` module with a ``PERSONAL_DATA``
``PersonalDataProvider``: the fields it answers for (``covers``: every foreign key
to the person model and every e-mail field of the app's models, checked by a test),
what it exports for a person, and what it erases. The person is an account, or only
an e-mail address (a registrant of the public day without an account).

Erasure removes what identifies the person and keeps what the council must keep:
funding opinions, reviewer positions and audit entries keep their author, the
anonymised account ("Compte fermé"), so the record of who decided stays consistent
without naming anyone. Everything runs in one transaction: an erasure that fails
half-way changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class Person:
    """Whom an export or an erasure is about: an account, and/or an address."""

    user: object | None
    email: str

    @classmethod
    def of(cls, *, user=None, email: str = "") -> "Person":
        email = (email or getattr(user, "email", "") or "").strip().casefold()
        return cls(user=user, email=email)


@dataclass(frozen=True)
class PersonalDataProvider:
    #: ``"app_label.Model.field"`` of every person foreign key and e-mail field.
    covers: tuple[str, ...]
    export: Callable[[Person], dict]
    #: Erases, returns ``{what: rows}``; ``None`` when the app keeps everything
    #: (its rows point at the anonymised account).
    erase: Callable[[Person], dict] | None = None
    #: Why what is kept is kept (shown in the erasure report and the docs).
    kept: str = ""
    order: int = field(default=100)


def providers() -> dict[str, PersonalDataProvider]:
    """``{app label: provider}`` of the installed crig apps, in the apps' order."""
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("crig."):
            continue
        try:
            module = import_module(f"{config.name}.privacy")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.privacy":
                raise
            continue
        provider = getattr(module, "PERSONAL_DATA", None)
        if provider is not None:  # core.privacy is this registry
            found[config.label] = provider
    return found


def iso(value) -> str | None:
    return value.isoformat() if value else None


def person_export(*, user=None, email: str = "") -> dict:
    """Everything the platform holds about a person, as JSON-ready data, by app."""
    person = Person.of(user=user, email=email)
    data = {
        "exported_at": iso(timezone.now()),
        "email": person.email,
    }
    for label, provider in providers().items():
        section = provider.export(person)
        if section:
            data[label] = section
    return data


@transaction.atomic
def person_erase(*, user=None, email: str = "") -> dict:
    """Erase a person everywhere; ``{app label: {what: rows}}``.

    The account, if any, is anonymised last (by ``members``), after the other apps
    have found the person's rows through it and through the e-mail address.
    """
    person = Person.of(user=user, email=email)
    report = {}
    ordered = sorted(providers().items(), key=lambda item: item[1].order)
    for label, provider in ordered:
        if provider.erase is not None:
            done = provider.erase(person)
            if done:
                report[label] = done
    return report


def rows(queryset, *fields: str) -> list[dict]:
    """``queryset.values(*fields)`` as JSON-ready dictionaries, in primary-key order."""
    return [
        {name: _json_ready(value) for name, value in row.items()}
        for row in queryset.order_by("pk").values(*fields)
    ]


def _json_ready(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
