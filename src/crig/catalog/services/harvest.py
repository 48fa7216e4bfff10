"""Harvest runs: read a source to the end, then write everything in one transaction.

A run first *fetches*: every page of the source is read (timeouts and size caps in
``harvesting.http``) and its records are staged in a temporary file, so memory does
not grow with the size of the source. Only when the source was read to the end
does it *write*: in one transaction, batch by batch through
``services.records.RecordWriter``, then marks withdrawn the records the source no
longer serves. A source that times out, answers HTTP 500 or sends garbage half-way
fails the run with its reason and changes nothing else.

Runs are idempotent: run twice, the second reports everything unchanged.
"""

from __future__ import annotations

import gc
import logging
import pickle  # noqa: S403 (our own temporary file, written and read by this run)
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crig.catalog.harvesting.csw import csw_pages
from crig.catalog.harvesting.dcat import dcat_pages
from crig.catalog.harvesting.document import document_from_file, document_from_url
from crig.catalog.harvesting.errors import HarvestSourceError
from crig.catalog.harvesting.http import DEFAULT_MAX_BYTES
from crig.catalog.harvesting.pages import SourcePage
from crig.catalog.ingest.errors import DocumentError
from crig.catalog.ingest.records import RecordData
from crig.catalog.models import HarvestRun, HarvestSource
from crig.catalog.services.records import (
    CREATED,
    REPEATED,
    UNCHANGED,
    UPDATED,
    RecordWriter,
    provenances_withdraw,
)
from crig.core.errors import Conflict, InvalidInput, PermissionDenied

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]
BATCH_SIZE = 500
MAX_REPORTED_FAILURES = 1000
SCHEDULE_INTERVALS = {
    HarvestSource.Schedule.DAILY: timedelta(days=1),
    HarvestSource.Schedule.WEEKLY: timedelta(days=7),
    HarvestSource.Schedule.MONTHLY: timedelta(days=30),
}


def _no_progress(stage: str, done: int, total: int | None) -> None:
    pass


_frozen = 0
_frozen_lock = threading.Lock()


@contextmanager
def _objects_frozen():
    """The objects that exist when a write starts (Django, the territory, the
    caches: hundreds of thousands) are left out of the garbage collector's full
    passes while it runs (``gc.freeze``): the records of a run allocate enough
    to trigger several, each of which walked them all. They are collected again
    after (``gc.unfreeze``, when the last write running in the process ends)."""
    global _frozen  # noqa: PLW0603 (a count of the writes running in the process)
    with _frozen_lock:
        if not _frozen:
            gc.freeze()
        _frozen += 1
    try:
        yield
    finally:
        with _frozen_lock:
            _frozen -= 1
            if not _frozen:
                gc.unfreeze()


# -- Sources ----


def _check(by, permission: str) -> None:
    if by is not None and not by.has_perm(permission):
        raise PermissionDenied(_("Only the secretariat manages harvest sources."))


@transaction.atomic
def harvest_source_create(
    *,
    name: str,
    kind: str,
    url: str,
    title: str = "",
    page_size: int = 50,
    constraint: str = "",
    schedule: str = HarvestSource.Schedule.MANUAL,
    timeout_seconds: int = 30,
    platform=None,
    by=None,
) -> HarvestSource:
    """Register a source. A scheduled source is due at once (its first harvest
    comes with the next ``crig catalog schedule``)."""
    _check(by, "catalog.add_harvestsource")
    if HarvestSource.objects.filter(name=name).exists():
        raise Conflict(_("A source named “%(name)s” already exists.") % {"name": name})
    source = HarvestSource(
        name=name,
        title=title or name,
        kind=kind,
        url=url,
        page_size=page_size,
        constraint=constraint,
        schedule=schedule,
        timeout_seconds=timeout_seconds,
        platform=platform,
        next_run_at=None
        if schedule == HarvestSource.Schedule.MANUAL
        else timezone.now(),
    )
    try:
        source.full_clean()
    except ValidationError as exc:
        messages = "; ".join(
            f"{field_name}: {' '.join(errors)}"
            for field_name, errors in exc.message_dict.items()
        )
        raise InvalidInput(messages) from exc
    if source.page_size < 1 or source.page_size > 1000:
        raise InvalidInput(
            _("The page size must be between 1 and 1000."), field="page_size"
        )
    source.save()
    return source


def next_run_after(source: HarvestSource, moment: datetime) -> datetime | None:
    interval = SCHEDULE_INTERVALS.get(source.schedule)
    return None if interval is None else moment + interval


# -- Runs ----


@transaction.atomic
def harvest_start(*, source: HarvestSource, by=None) -> HarvestRun:
    """Queue a run of ``source`` in the background (once this transaction commits).
    A source already queued or running is not queued twice."""
    from crig.catalog.tasks import harvest_run_task

    _check(by, "catalog.run_harvest")
    pending = source.runs.filter(
        status__in=[HarvestRun.Status.QUEUED, HarvestRun.Status.RUNNING]
    ).first()
    if pending is not None:
        return pending
    run = HarvestRun.objects.create(
        source=source, label=source.title, triggered_by=by if by and by.pk else None
    )
    transaction.on_commit(lambda: harvest_run_task.enqueue(run.pk))
    return run


def harvest_run_execute(
    *, run_id: int, progress: Progress | None = None, resume: bool = False
) -> HarvestRun:
    """Execute a queued run (the background task). A run that is no longer queued
    is left as it is, so executing a task twice does nothing the second time.

    ``resume``: the task's previous attempt died with its worker, so a run left
    running is started again from the beginning; the dead attempt wrote nothing,
    since a run writes in one transaction at the end."""
    claimable = [HarvestRun.Status.QUEUED]
    if resume:
        claimable.append(HarvestRun.Status.RUNNING)
    with transaction.atomic():
        claimed = HarvestRun.objects.filter(pk=run_id, status__in=claimable).update(
            status=HarvestRun.Status.RUNNING, started_at=timezone.now()
        )
    run = HarvestRun.objects.select_related("source").get(pk=run_id)
    if not claimed:
        return run
    return _execute(run, progress or _no_progress)


def harvest_source(
    *, source: HarvestSource, progress: Progress | None = None, by=None
) -> HarvestRun:
    """Harvest ``source`` now, in this process (``crig catalog harvest``)."""
    _check(by, "catalog.run_harvest")
    run = HarvestRun.objects.create(
        source=source,
        label=source.title,
        status=HarvestRun.Status.RUNNING,
        started_at=timezone.now(),
        triggered_by=by if by and by.pk else None,
    )
    try:
        return _execute(run, progress or _no_progress)
    except BaseException:
        # Ctrl-C: a run left "running" would keep the source from being harvested
        # again (harvest_start returns it instead of queueing a new one).
        _finish(run, _Tally(), error=_("The harvest was interrupted."))
        raise


def file_origin(path: str | Path) -> str:
    """The origin of a record read from a file: "file:" and the file's name, so
    the same catalogue imported from another folder or machine gets the same
    provenances and identifiers, and no local path leaks into them."""
    return f"file:{Path(path).name}"


def catalog_import_files(
    *, paths: Iterable[str | Path], progress: Progress | None = None, by=None
) -> HarvestRun:
    """Import ISO or DCAT files (format detected from the content). An unreadable
    file is a failure of the run's report; the others are imported.

    Files are read one after the other inside the write transaction and their
    records written by batches as they come: nothing is staged, since a file that
    cannot be read fails alone (it is not a source failing half-way), while an
    unexpected error rolls the whole import back."""
    progress = progress or _no_progress
    # The paths as given: a ``Path`` per file, built as the file is read, is not
    # kept for the length of the run (20,000 of them weighed some 6 MiB).
    paths = paths if isinstance(paths, list | tuple) else list(paths)
    if not paths:
        raise InvalidInput(_("No file to import."))
    run = HarvestRun.objects.create(
        label=(_("Import: %(files)s") % {"files": _file_names(paths, 300)})[:300],
        status=HarvestRun.Status.RUNNING,
        started_at=timezone.now(),
        triggered_by=by if by and by.pk else None,
    )
    tally = _Tally()
    try:
        with _objects_frozen(), transaction.atomic():
            writer = RecordWriter(
                origin="file", seen_at=run.started_at, skip_repeated=True
            )
            tally.write(writer, _file_records(paths, tally, progress), progress)
    except Exception as exc:  # a bug must not leave a run "running" forever
        logger.exception("Import run %s failed", run.pk)
        tally.created = tally.updated = tally.unchanged = 0
        return _finish(
            run, tally, error=_("Writing failed: %(error)s") % {"error": exc}
        )
    return _finish(run, tally)


def _file_names(paths: Sequence[str | Path], length: int) -> str:
    """The files' names, comma-separated, at least ``length`` characters of them
    (or all)."""
    names = []
    for path in paths:
        names.append(Path(path).name)
        if sum(len(name) + 2 for name in names) - 2 >= length:
            break
    return ", ".join(names)


def _file_records(
    paths: Sequence[str | Path], tally: _Tally, progress: Progress
) -> Iterator[RecordData]:
    """The records of each file in turn, their origin set; a file that cannot be
    read is a failure of the run."""
    for done, given in enumerate(paths, start=1):
        path = Path(given)
        try:
            page = document_from_file(path)
        except (DocumentError, OSError) as exc:
            error = getattr(exc, "message", None) or str(exc)
            tally.fail(str(path), str(error))
        else:
            origin = file_origin(path)
            for record in page.records:
                record.origin = origin
            tally.take_page_notes(page)
            yield from page.records
        progress(_("reading"), done, len(paths))


# -- Execution ----


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    merged: int = 0
    duplicates: int = 0
    fetched: int = 0
    pages: int = 0
    failures: list[dict] = field(default_factory=list)
    failed: int = 0
    warnings: list[str] = field(default_factory=list)
    failed_remote_ids: set[str] = field(default_factory=set)

    def fail(self, identifier: str, reason: str) -> None:
        self.failed += 1
        if identifier:
            self.failed_remote_ids.add(identifier)
        if len(self.failures) < MAX_REPORTED_FAILURES:
            self.failures.append({"id": identifier, "reason": str(reason)})

    def take_page_notes(self, page: SourcePage, count: int | None = None) -> None:
        """Count a page read (``count``: its records, when they were taken away)."""
        self.pages += 1
        self.fetched += len(page.records) if count is None else count
        for identifier, reason in page.failures:
            self.fail(identifier, reason)
        for warning in page.warnings:
            note = f"{page.url}: {warning}" if page.url else str(warning)
            if note not in self.warnings and len(self.warnings) < 100:
                self.warnings.append(note)

    def write(self, writer: RecordWriter, records: Iterable[RecordData], progress):
        """Write records in batches of ``BATCH_SIZE``, each record once: a
        record listed twice in a batch is caught here, one listed in an earlier
        batch by the writer (``skip_repeated``: its provenance already carries
        the run's stamp), so the run keeps no set of every record it has seen."""
        batch, keys = [], set()
        for record in records:
            key = (record.origin, record.remote_identifier)
            if key in keys:
                self._repeated(record)
                continue
            keys.add(key)
            batch.append(record)
            if len(batch) >= BATCH_SIZE:
                self._write_batch(writer, batch, progress)
                batch, keys = [], set()
        if batch:
            self._write_batch(writer, batch, progress)

    def _repeated(self, record: RecordData) -> None:
        self.fail(
            record.remote_identifier,
            _("The source lists this record twice; the first copy was kept."),
        )

    def _write_batch(self, writer: RecordWriter, batch, progress) -> None:
        report = writer.write(batch)
        for record, outcome in zip(batch, report.outcomes, strict=True):
            if outcome == REPEATED:
                self._repeated(record)
        self.created += report.count(CREATED)
        self.updated += report.count(UPDATED)
        self.unchanged += report.count(UNCHANGED)
        self.merged += report.merged
        self.duplicates += report.duplicates
        done = self.created + self.updated + self.unchanged
        progress(_("writing"), done, self.fetched)

    def report(self) -> dict:
        return {
            "pages": self.pages,
            "fetched": self.fetched,
            "merged": self.merged,
            "duplicates": self.duplicates,
            "failures": self.failures,
            "warnings": self.warnings,
        }


def source_pages(
    source: HarvestSource, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[SourcePage]:
    """The pages of a source, by kind."""
    timeout = float(source.timeout_seconds)
    if source.kind == HarvestSource.Kind.CSW:
        return csw_pages(
            source.url,
            page_size=source.page_size,
            constraint=source.constraint,
            timeout=timeout,
            max_bytes=max_bytes,
        )
    if source.kind == HarvestSource.Kind.DCAT:
        return dcat_pages(source.url, timeout=timeout, max_bytes=max_bytes)
    return iter([document_from_url(source.url, timeout=timeout, max_bytes=max_bytes)])


def _execute(run: HarvestRun, progress: Progress) -> HarvestRun:
    source = run.source
    tally = _Tally()
    with tempfile.TemporaryFile(prefix="crig-harvest-") as staging:
        # 1. Fetch everything, staging the records on disk.
        try:
            for page in source_pages(source):
                tally.take_page_notes(page)
                pickle.dump(page.records, staging, protocol=pickle.HIGHEST_PROTOCOL)
                progress(_("fetching"), tally.fetched, page.matched)
        except HarvestSourceError as exc:
            return _finish(
                run,
                tally,
                error=_("%(error)s Nothing was changed (%(pages)d pages read).")
                % {"error": exc.message, "pages": tally.pages},
            )
        except Exception as exc:
            logger.exception("Harvest run %s failed while fetching", run.pk)
            return _finish(
                run, tally, error=_("Reading failed: %(error)s") % {"error": exc}
            )
        # 2. Write it all in one transaction.
        staging.seek(0)
        try:
            with _objects_frozen(), transaction.atomic():
                writer = RecordWriter(
                    origin=source.name,
                    source=source,
                    seen_at=run.started_at,
                    skip_repeated=True,
                )
                tally.write(writer, _batches(_staged_pages(staging)), progress)
                withdrawn = provenances_withdraw(
                    origin=source.name,
                    seen_at=run.started_at,
                    keep_remote_ids=tally.failed_remote_ids,
                )
                tally.withdrawn = len(withdrawn)
        except Exception as exc:
            logger.exception("Harvest run %s failed while writing", run.pk)
            tally.created = tally.updated = tally.unchanged = tally.withdrawn = 0
            return _finish(
                run,
                tally,
                error=_("Writing failed, nothing was changed: %(error)s")
                % {"error": exc},
            )
    return _finish(run, tally)


def _batches(pages: Iterable[list[RecordData]]) -> Iterator[RecordData]:
    for records in pages:
        yield from records


def _staged_pages(staging) -> Iterator[list[RecordData]]:
    while True:
        try:
            yield pickle.load(staging)  # noqa: S301 (written by this run)
        except EOFError:
            return


def _finish(run: HarvestRun, tally: _Tally, *, error: str = "") -> HarvestRun:
    run.finished_at = timezone.now()
    run.created_count = tally.created
    run.updated_count = tally.updated
    run.unchanged_count = tally.unchanged
    run.withdrawn_count = tally.withdrawn
    run.failed_count = tally.failed
    run.report = tally.report()
    run.error = str(error)
    if error:
        run.status = HarvestRun.Status.FAILED
    elif tally.failed:
        run.status = HarvestRun.Status.PARTIAL
    else:
        run.status = HarvestRun.Status.SUCCEEDED
    run.save()
    return run


# -- Schedule ----


def harvest_due(now: datetime | None = None) -> list[HarvestRun]:
    """Queue a run of every enabled, scheduled source whose time has come, and set
    its next time (``crig catalog schedule``, from cron or a systemd timer)."""
    now = now or timezone.now()
    runs = []
    due = HarvestSource.objects.filter(is_enabled=True).exclude(
        schedule=HarvestSource.Schedule.MANUAL
    )
    for source in due.order_by("pk"):
        if source.next_run_at is not None and source.next_run_at > now:
            continue
        with transaction.atomic():
            runs.append(harvest_start(source=source))
            HarvestSource.objects.filter(pk=source.pk).update(
                next_run_at=next_run_after(source, now)
            )
    return runs
