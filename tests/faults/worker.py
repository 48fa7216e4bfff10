"""A real ``crig db_worker`` with a pause point, for the fault tests.

``python -m tests.faults.worker [db_worker options]``, with ``CRIG_TEST_PAUSE``:

- ``harvest-write``: a harvest's write transaction, after its first batch (of 2);
- ``coverage-write``: a coverage computation's transaction, old rows deleted;
- ``email:N``: just before the N-th e-mail is handed to the mail backend.

There the worker writes its pid to the file ``CRIG_TEST_PAUSED`` and sleeps until
the test kills it. Everything else is the real worker running the real tasks.
"""

import os
import sys
import time
from pathlib import Path


def _pause() -> None:
    Path(os.environ["CRIG_TEST_PAUSED"]).write_text(str(os.getpid()))
    while True:
        time.sleep(60)


def _install_pause(where: str) -> None:
    if where == "harvest-write":
        from crig.catalog.services import harvest

        harvest.BATCH_SIZE = 2
        write_batch = harvest._Tally._write_batch

        def paused_write_batch(self, writer, batch, progress):
            write_batch(self, writer, batch, progress)
            _pause()

        harvest._Tally._write_batch = paused_write_batch
    elif where == "coverage-write":
        from crig.catalog.services import coverage

        delete_rows = coverage._delete_rows

        def paused_delete_rows(dataset_ids):
            delete_rows(dataset_ids)
            _pause()

        coverage._delete_rows = paused_delete_rows
    elif where.startswith("email:"):
        from django.core.mail import EmailMessage

        number, sent = int(where.split(":")[1]), []
        send = EmailMessage.send

        def paused_send(self, fail_silently=False):
            sent.append(self)
            if len(sent) == number:
                _pause()
            return send(self, fail_silently)

        EmailMessage.send = paused_send


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.subprocess_settings")
    import django

    django.setup()
    _install_pause(os.environ.get("CRIG_TEST_PAUSE", ""))
    from django.core.management import call_command

    call_command("db_worker", *sys.argv[1:])


if __name__ == "__main__":
    main()
