"""One writer process of the concurrent-writers test: real writes through the
services and the login page, at the same moment as the other processes.

``python -m tests.faults.writers KIND NUMBER COUNT GO_FILE``: waits for
``GO_FILE`` to exist (so that every process starts together), does ``COUNT``
writes of ``KIND`` and prints ``{"done": n, "errors": [...]}``: every exception
that would have reached a person."""

import json
import os
import sys
import time
import traceback
from pathlib import Path


def register(number: int, index: int) -> None:
    from crig.events.models import Event
    from crig.events.services.registrations import RegistrationData, registration_create

    registration_create(
        event=Event.objects.get(slug="concurrent"),
        data=RegistrationData(
            full_name=f"Writer {number} {index}",
            email=f"writer{number}-{index}@example.org",
            category="collectivite",
            organisation_name="Mairie de Muret",
        ),
    )


def login(number: int, index: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from crig.members.tests.factories import PASSWORD

    client = Client(HTTP_HOST="localhost")
    response = client.post(
        reverse("members:login"),
        {"username": f"login{number}@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302, response.status_code  # noqa: PLR2004
    assert client.get(reverse("members:account")).status_code == 200  # noqa: PLR2004
    client.post(reverse("members:logout"))


def edit(number: int, index: int) -> None:
    import datetime

    import shapely

    from crig.catalog.models import Dataset
    from crig.catalog.services import editing
    from crig.members.models import User

    secretariat = User.objects.get(email="secretariat@example.org")
    fields = {
        "title": f"Relevé {number}-{index}",
        "abstract": "Levé topographique.",
        "producer_name": "Mairie de Muret",
        "referentiel": "pcrs",
        "revised_on": datetime.date(2024, 3, 1),
        "licence": "Licence Ouverte 2.0",
        "visibility": "public",
    }
    record = editing.ManualRecord(
        fields=fields,
        keywords=["Voirie"],
        distributions=[{"kind": "wms", "url": "https://example.org/wms", "name": "x"}],
        footprint=shapely.box(1.25, 43.4, 1.4, 43.5),
    )
    editing.dataset_create_manual(by=secretariat, record=record)
    shared = Dataset.objects.get(identifier="shared")
    record.fields["title"] = f"Relevé partagé, édité par {number}-{index}"
    editing.dataset_update_manual(dataset=shared, by=secretariat, record=record)


WRITES = {"register": register, "login": login, "edit": edit}


def main() -> None:
    kind, number, count, go = (
        sys.argv[1],
        int(sys.argv[2]),
        int(sys.argv[3]),
        sys.argv[4],
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.subprocess_settings")
    import django

    django.setup()
    while not Path(go).exists():
        time.sleep(0.01)
    done, errors = 0, []
    for index in range(count):
        try:
            WRITES[kind](number, index)
        except Exception:  # every error a person would have seen
            errors.append(traceback.format_exc())
        else:
            done += 1
    print(json.dumps({"done": done, "errors": errors}))  # noqa: T201


if __name__ == "__main__":
    main()
