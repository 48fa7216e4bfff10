"""Backups of a whole instance — database and uploaded files — and their restoration.

An archive is one ``.tar.gz``::

    database/0001-contenttypes.contenttype.jsonl   one JSON Lines file per model
    database/0002-auth.permission.jsonl
    …
    files/<name in the default storage>            every file of STORAGES["default"]
    manifest.json                                  written last (see below)

Decisions:

- **Portable dump.** Rows are Django's own serialisation (the ``dumpdata`` JSON
  Lines format), streamed model by model with ``iterator()``, so the memory used
  does not grow with the catalogue and a SQLite backup restores into PostgreSQL and
  back. Primary keys are kept, since ids appear in URLs, e-mails, audit snapshots
  and JSON columns. Datetimes are written with their microseconds (``dumpdata``
  cuts them to milliseconds), so a restored row is equal to the original.
- **Content types and permissions** are the exception: their ids depend on the
  order in which ``migrate`` created them, so they are written with natural keys
  (``["members", "user"]``), and every foreign key or many-to-many link to them is
  too. They are restored first; everything else keeps its ids.
- **Left out**, and flushed by a restore: sessions (everyone logs in again), the
  django-tasks queue (a job refers to rows as they were; schedules are re-queued by
  cron: ``crig catalog schedule``, ``crig catalog coverage`` recomputes coverage),
  ``catalog.SearchChange`` (a freshness token of the facet cache, rewritten by
  the index rebuild) and ``catalog.DatasetTitleWord`` (the title words of the
  duplicate detection, derived from the records and rewritten by the same
  rebuild).
- **Consistent reading.** The whole dump is read in one transaction: REPEATABLE
  READ on PostgreSQL, a deferred read transaction on SQLite (a WAL snapshot that
  does not block writers). Files are read after the database, so every file a row
  names is in the archive unless it was deleted during the backup.
- **Files** go through ``default_storage`` (``listdir`` recursively, ``open``), so
  any configured storage works, not only the file system.
- **manifest.json** holds the format, the crig and Django versions, the date, the
  database vendor, the migration state of every app, the row count of every model
  and the SHA-256 and size of every other member. It is written last, so a
  truncated archive has none and is refused.

A restore checks everything before it changes anything: the archive is unpacked
into a temporary directory, every member's hash and size compared with the manifest
(missing, extra, corrupted or truncated members refuse the archive), the migrations
named must exist in this version of crig, and the database must hold no data
(unless ``force``). It then migrates the schema to the manifest's state, and in ONE
transaction flushes every table, loads every row (historical models of that state,
raw inserts, no signals), checks the row counts and the foreign keys, resets the
PostgreSQL sequences (what ``sqlsequencereset`` prints) and writes the files into
the storage: any failure rolls the database back as it was. Afterwards it applies
the migrations this version has beyond the archive's and rebuilds the catalogue's
full-text index (the SQLite FTS5 table is not a model, so it is recomputed from the
restored records rather than archived).
"""

import datetime
import hashlib
import json
import os
import posixpath
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.apps import apps as global_apps
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Deserializer as JSONLDeserializer
from django.core.serializers.jsonl import Serializer as JSONLSerializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import crig
from crig.core.errors import CrigError

FORMAT = "crig-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
FILES_DIR = "files"

#: Stored with natural keys, restored first (their ids are migrate's choice).
NATURAL_KEY_MODELS = ("contenttypes.contenttype", "auth.permission")
#: Caches, queues and derived rows: not archived, flushed by a restore (see the
#: module docstring).
EXCLUDED_MODELS = (
    "sessions.session",
    "django_tasks_database.dbtaskresult",
    "catalog.searchchange",
    "catalog.datasettitleword",
)
#: Tables whose rows do not make a database "not empty": ``migrate`` fills some.
_IGNORED_FOR_EMPTINESS = (*NATURAL_KEY_MODELS, *EXCLUDED_MODELS)
_BATCH = 2000
_COPY_CHUNK = 1024 * 1024

Progress = Callable[[str, int, int | None], None]


class BackupError(CrigError):
    """A backup or a restore that cannot go ahead; nothing was changed."""


class BackupInvalid(BackupError):
    """The archive is not a crig backup, or is corrupted or truncated."""


class BackupIncompatible(BackupError):
    """The archive needs a migration state this version cannot reach."""


class DatabaseNotEmpty(BackupError):
    pass


@dataclass
class RestoreReport:
    manifest: dict
    rows: int = 0
    files: int = 0
    migrated_forward: bool = False
    indexed_datasets: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def _no_progress(stage: str, done: int, total: int | None) -> None:
    pass


# --- what is archived ---------------------------------------------------------


def _label(model) -> str:
    return model._meta.label_lower


def archived_models() -> list:
    """The models a backup holds, in restore order: content types, permissions,
    then every other concrete model (dependency order, for readers of the dump)."""
    models = [
        model
        for model in global_apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and _label(model) not in EXCLUDED_MODELS
    ]
    first = [global_apps.get_model(label) for label in NATURAL_KEY_MODELS]
    rest = [model for model in models if model not in first]
    app_list = {}
    for model in rest:
        app_list.setdefault(model._meta.app_config, []).append(model)
    ordered = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    return first + ordered


def _natural(model) -> bool:
    return _label(model) in NATURAL_KEY_MODELS


class _ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but datetimes and times keep their microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _PortableSerializer(JSONLSerializer):
    """JSON Lines with natural keys only for links to content types and
    permissions; every other link stays an id."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = _natural(field.remote_field.model)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = _natural(field.remote_field.model)
        super().handle_m2m_field(obj, field)


def model_rows(model, *, using: str = DEFAULT_DB_ALIAS) -> Iterator:
    """The rows of a model as the backup reads them: ordered, in chunks, with the
    many-to-many links prefetched (only their ids, or natural keys)."""
    queryset = model._base_manager.using(using).order_by("pk")
    prefetches = []
    for m2m in model._meta.local_many_to_many:
        if not m2m.remote_field.through._meta.auto_created:
            continue  # an explicit through model is archived as a model
        target = m2m.remote_field.model
        related = target._base_manager.all()
        if _label(target) == "auth.permission":
            related = related.select_related("content_type")
        else:
            related = related.only("pk")
        prefetches.append(Prefetch(m2m.name, queryset=related))
    fk_natural = [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and _natural(field.remote_field.model)
    ]
    if fk_natural:
        queryset = queryset.select_related(*fk_natural)
    return queryset.prefetch_related(*prefetches).iterator(chunk_size=_BATCH)


def serialize_model(model, stream, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Write a model's rows to a text stream as JSON Lines; returns the count."""
    counter = _Counter(model_rows(model, using=using))
    _PortableSerializer().serialize(
        counter,
        stream=stream,
        use_natural_primary_keys=_natural(model),
        cls=_ExactEncoder,
    )
    return counter.count


class _Counter:
    def __init__(self, iterable):
        self.iterable = iterable
        self.count = 0

    def __iter__(self):
        for item in self.iterable:
            self.count += 1
            yield item


def storage_files(storage=None, path: str = "") -> Iterator[str]:
    """Every file name of a storage, recursively, in a stable order."""
    storage = storage or default_storage
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for directory in sorted(directories):
        yield from storage_files(storage, posixpath.join(path, directory))


def migration_state(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The last applied migration of each app, in the graph's order."""
    executor = MigrationExecutor(connections[using])
    applied = set(executor.loader.applied_migrations)
    graph = executor.loader.graph
    state = {}
    for app_label, name in graph.leaf_nodes():
        for node in graph.forwards_plan((app_label, name)):
            if node[0] == app_label and node in applied:
                state[app_label] = node[1]
    return dict(sorted(state.items()))


def _pending_migrations(using: str) -> list:
    executor = MigrationExecutor(connections[using])
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


# --- backup -------------------------------------------------------------------


class _read_snapshot:
    """One consistent view of the database for the whole dump."""

    def __init__(self, using: str):
        self.connection = connections[using]
        self.atomic = None
        self.sqlite_transaction = False

    def __enter__(self):
        connection = self.connection
        if connection.in_atomic_block:
            return self  # already one transaction (a caller's, or a test's)
        if connection.vendor == "postgresql":
            self.atomic = transaction.atomic(using=connection.alias)
            self.atomic.__enter__()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )
        elif connection.vendor == "sqlite":
            # Django's atomic() would BEGIN IMMEDIATE (settings) and hold the write
            # lock for the whole dump; a deferred read transaction is a WAL
            # snapshot that lets writers go on.
            connection.ensure_connection()
            connection.connection.execute("BEGIN DEFERRED")
            self.sqlite_transaction = True
        return self

    def __exit__(self, *exc):
        if self.atomic is not None:
            self.atomic.__exit__(*exc)
        elif self.sqlite_transaction:
            self.connection.connection.execute("ROLLBACK")
        return False


def _default_archive_name() -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return f"crig-backup-{stamp}.tar.gz"


def _add_member(tar: tarfile.TarFile, name: str, path: Path, members: dict) -> None:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o644
    with path.open("rb") as handle:
        tar.addfile(info, handle)
    members[name] = {"sha256": digest.hexdigest(), "size": info.size}


def backup_create(
    *,
    destination: Path,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress = _no_progress,
) -> Path:
    """Write a backup archive of the database and the default storage.

    ``destination`` is the archive's path, or a directory to write
    ``crig-backup-<date>-<time>.tar.gz`` into. The archive is written beside it
    under a temporary name and renamed at the end, so a failed backup leaves no
    half-written archive. Returns the archive's path.
    """
    destination = Path(destination)
    if destination.is_dir():
        destination = destination / _default_archive_name()
    destination.parent.mkdir(parents=True, exist_ok=True)
    if _pending_migrations(using):
        raise BackupError(
            _("The database has unapplied migrations: run “crig migrate” first.")
        )
    connection = connections[using]
    members: dict[str, dict] = {}
    models_manifest = []
    partial = destination.with_name(destination.name + ".part")
    with tempfile.TemporaryDirectory(prefix="crig-backup-") as scratch:
        scratch_dir = Path(scratch)
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                with _read_snapshot(using):
                    state = migration_state(using)
                    models = archived_models()
                    for position, model in enumerate(models, start=1):
                        label = _label(model)
                        name = f"{DATABASE_DIR}/{position:04d}-{label}.jsonl"
                        dump = scratch_dir / "dump.jsonl"
                        with dump.open("w", encoding="utf-8") as stream:
                            count = serialize_model(model, stream, using=using)
                        _add_member(tar, name, dump, members)
                        dump.unlink()
                        models_manifest.append(
                            {"label": label, "member": name, "count": count}
                        )
                        progress(str(_("Database")), position, len(models))
                file_count = file_bytes = 0
                for file_name in storage_files():
                    copy = scratch_dir / "file"
                    with default_storage.open(file_name, "rb") as source:
                        with copy.open("wb") as target:
                            shutil.copyfileobj(source, target, _COPY_CHUNK)
                    member = f"{FILES_DIR}/{file_name}"
                    _add_member(tar, member, copy, members)
                    file_count += 1
                    file_bytes += members[member]["size"]
                    copy.unlink()
                    progress(str(_("Files")), file_count, None)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "crig_version": crig.__version__,
                    "django_version": django.get_version(),
                    "created_at": timezone.now().isoformat(),
                    "database": {"vendor": connection.vendor},
                    "migrations": state,
                    "models": models_manifest,
                    "excluded_models": list(EXCLUDED_MODELS),
                    "files": {"count": file_count, "bytes": file_bytes},
                    "members": members,
                }
                manifest_path = scratch_dir / MANIFEST
                manifest_path.write_text(
                    json.dumps(manifest, indent=1, ensure_ascii=False), "utf-8"
                )
                tar.add(str(manifest_path), arcname=MANIFEST)
            os.replace(partial, destination)
        finally:
            partial.unlink(missing_ok=True)
    return destination


def backup_verify(*, archive: Path) -> dict:
    """Check an archive against its manifest (every member's size and SHA-256)
    without restoring it; returns the manifest or raises ``BackupInvalid``."""
    with tempfile.TemporaryDirectory(prefix="crig-restore-") as scratch:
        return _unpack_verified(Path(archive), Path(scratch))


# --- restore ------------------------------------------------------------------


def _invalid(archive: Path, reason) -> BackupInvalid:
    return BackupInvalid(
        _("“%(name)s” is not a usable crig backup: %(reason)s")
        % {"name": archive.name, "reason": reason}
    )


def _safe_member_name(name: str) -> bool:
    return (
        name == MANIFEST
        or (
            name.startswith((f"{DATABASE_DIR}/", f"{FILES_DIR}/"))
            and posixpath.normpath(name) == name
            and ".." not in name.split("/")
        )
    ) and "\\" not in name


def _copy_hashed(source, output) -> dict:
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(_COPY_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        output.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def _unpack_verified(archive: Path, target: Path) -> dict:
    """Unpack the archive into ``target`` and check it against its manifest;
    returns the manifest. Raises ``BackupInvalid`` on any discrepancy."""
    if not archive.is_file():
        raise _invalid(archive, _("the file does not exist."))
    seen: dict[str, dict] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile() or not _safe_member_name(member.name):
                    raise _invalid(
                        archive,
                        _("unexpected member “%(member)s”.") % {"member": member.name},
                    )
                if member.name in seen:
                    raise _invalid(
                        archive,
                        _("member “%(member)s” appears twice.")
                        % {"member": member.name},
                    )
                path = target / member.name
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("wb") as output:
                    seen[member.name] = _copy_hashed(tar.extractfile(member), output)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise _invalid(
            archive,
            _("the archive is damaged or truncated (%(error)s).") % {"error": error},
        ) from error
    if MANIFEST not in seen:
        raise _invalid(archive, _("it has no manifest (truncated archive?)."))
    try:
        manifest = json.loads((target / MANIFEST).read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _invalid(archive, _("its manifest is unreadable.")) from error
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("members"), dict)
        or not isinstance(manifest.get("models"), list)
        or not isinstance(manifest.get("migrations"), dict)
    ):
        raise _invalid(archive, _("its manifest is not a crig backup manifest."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupIncompatible(
            _(
                "This archive has format version %(found)s; this version of crig "
                "reads version %(expected)s."
            )
            % {"found": manifest.get("format_version"), "expected": FORMAT_VERSION}
        )
    expected = manifest["members"]
    for name, facts in expected.items():
        found = seen.get(name)
        if found is None:
            raise _invalid(
                archive, _("member “%(member)s” is missing.") % {"member": name}
            )
        if found != {"sha256": facts.get("sha256"), "size": facts.get("size")}:
            raise _invalid(
                archive,
                _("member “%(member)s” does not match its checksum.")
                % {"member": name},
            )
    extra = sorted(set(seen) - set(expected) - {MANIFEST})
    if extra:
        raise _invalid(
            archive,
            _("member “%(member)s” is not in the manifest.") % {"member": extra[0]},
        )
    for entry in manifest["models"]:
        if entry.get("member") not in expected:
            raise _invalid(archive, _("its manifest is not a crig backup manifest."))
    return manifest


def _check_migrations(manifest: dict, using: str) -> list[tuple[str, str]]:
    executor = MigrationExecutor(connections[using])
    nodes = executor.loader.graph.nodes
    targets = []
    unknown = []
    for app_label, name in manifest["migrations"].items():
        if (app_label, name) in nodes:
            targets.append((app_label, name))
        else:
            unknown.append(f"{app_label}.{name}")
    if unknown:
        raise BackupIncompatible(
            _(
                "This archive was made by a newer version of crig (%(version)s): "
                "these migrations are unknown here: %(migrations)s. Restore it with "
                "that version or a later one."
            )
            % {
                "version": manifest.get("crig_version", "?"),
                "migrations": ", ".join(unknown),
            }
        )
    return targets


def database_is_empty(using: str = DEFAULT_DB_ALIAS) -> bool:
    """No row in any table but those ``migrate`` fills and the caches."""
    connection = connections[using]
    ignored = {
        global_apps.get_model(label)._meta.db_table for label in _IGNORED_FOR_EMPTINESS
    }
    tables = connection.introspection.django_table_names(
        only_existing=True, include_views=False
    )
    with connection.cursor() as cursor:
        for table in sorted(set(tables) - ignored):
            cursor.execute(
                f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1"  # noqa: S608
            )
            if cursor.fetchone() is not None:
                return False
    return True


def _migrate_to(targets: list[tuple[str, str]], using: str) -> None:
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(targets)
    if not plan:
        return
    try:
        executor.migrate(targets, plan=plan)
    except IrreversibleError as error:
        raise BackupIncompatible(
            _(
                "The database is at a later migration state than the archive and "
                "cannot be migrated back (%(error)s): restore into a new, empty "
                "database."
            )
            % {"error": error}
        ) from error


class _HistoricalDeserializer(JSONLDeserializer):
    """Reads rows into the models of the archive's migration state."""

    def __init__(self, stream, *, state_apps, **options):
        super().__init__(stream, **options)
        self.state_apps = state_apps

    def _get_model_from_node(self, model_identifier):
        try:
            return self.state_apps.get_model(model_identifier)
        except (LookupError, TypeError) as error:
            raise serializers.base.DeserializationError(
                f"Invalid model identifier: {model_identifier}"
            ) from error


def _insert_batch(model, objects: list, m2m: list, using: str) -> None:
    """Raw inserts (no ``save()``, no signals, ``auto_now`` left as archived)."""
    connection = connections[using]
    with_pk = [obj for obj in objects if obj.pk is not None]
    without_pk = [obj for obj in objects if obj.pk is None]
    fields = [
        field for field in model._meta.local_concrete_fields if not field.generated
    ]
    if with_pk:
        size = max(1, connection.ops.bulk_batch_size(fields, with_pk))
        for start in range(0, len(with_pk), size):
            # What Model.save_base(raw=True) and bulk_create both call.
            model._base_manager.using(using)._insert(
                with_pk[start : start + size], fields=fields, raw=True, using=using
            )
    for obj in without_pk:
        obj.save_base(using=using, raw=True, force_insert=True)
    for obj, m2m_data in m2m:
        for field_name, values in m2m_data.items():
            field = model._meta.get_field(field_name)
            through = field.remote_field.through
            source = f"{field.m2m_field_name()}_id"
            target = f"{field.m2m_reverse_field_name()}_id"
            through._base_manager.using(using).bulk_create(
                [through(**{source: obj.pk, target: value}) for value in values],
                batch_size=_BATCH,
            )


def _load_model(entry: dict, path: Path, state_apps, using: str) -> int:
    count = 0
    with path.open(encoding="utf-8") as stream:
        objects = []
        m2m = []
        model = None
        for deserialized in _HistoricalDeserializer(
            stream, state_apps=state_apps, using=using
        ):
            obj = deserialized.object
            if model is None:
                model = type(obj)
            if type(obj) is not model:
                raise serializers.base.DeserializationError(
                    f"{entry['member']} mixes models."
                )
            objects.append(obj)
            if deserialized.m2m_data:
                m2m.append((obj, deserialized.m2m_data))
            if len(objects) >= _BATCH:
                _insert_batch(model, objects, m2m, using)
                count += len(objects)
                objects, m2m = [], []
        if objects:
            _insert_batch(model, objects, m2m, using)
            count += len(objects)
    return count


def _flush_everything(using: str) -> None:
    connection = connections[using]
    tables = connection.introspection.django_table_names(
        only_existing=True, include_views=False
    )
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=False, allow_cascade=False
    )
    connection.ops.execute_sql_flush(statements)


def _reset_sequences(using: str) -> None:
    connection = connections[using]
    models = [
        model
        for model in global_apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _restore_files(root: Path, storage) -> int:
    files_root = root / FILES_DIR
    count = 0
    if not files_root.is_dir():
        return 0
    for path in sorted(files_root.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(files_root).as_posix()
        if storage.exists(name):
            storage.delete(name)
        with path.open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(
                _("The storage renamed “%(name)s” to “%(saved)s”.")
                % {"name": name, "saved": saved}
            )
        count += 1
    return count


def backup_restore(
    *,
    archive: Path,
    force: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress = _no_progress,
) -> RestoreReport:
    """Restore an archive made by ``backup_create`` (see the module docstring).

    Refuses a database that holds data unless ``force``; with ``force`` its rows
    are replaced (files of the storage that the archive does not hold are left in
    place). Raises ``BackupInvalid``, ``BackupIncompatible`` or
    ``DatabaseNotEmpty`` before changing anything.
    """
    # Imported here: the catalogue's search modules import its models.
    from django.contrib.contenttypes.models import ContentType

    from crig.catalog.search.index import dataset_index_all

    archive = Path(archive)
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="crig-restore-") as scratch:
        root = Path(scratch)
        manifest = _unpack_verified(archive, root)
        targets = _check_migrations(manifest, using)
        if not force and not database_is_empty(using):
            raise DatabaseNotEmpty(
                _(
                    "The database already holds data: a restore would replace it. "
                    "Use --force to replace it, or restore into an empty database."
                )
            )
        report = RestoreReport(manifest=manifest)
        _migrate_to(targets, using)
        state_apps = MigrationExecutor(connection).loader.project_state(targets).apps
        ContentType.objects.clear_cache()
        try:
            with transaction.atomic(using=using):
                _flush_everything(using)
                entries = manifest["models"]
                for position, entry in enumerate(entries, start=1):
                    count = _load_model(
                        entry, root / entry["member"], state_apps, using
                    )
                    if count != entry.get("count"):
                        raise _invalid(
                            archive,
                            _("%(member)s holds %(found)d rows, not %(expected)s.")
                            % {
                                "member": entry["member"],
                                "found": count,
                                "expected": entry.get("count"),
                            },
                        )
                    report.counts[entry["label"]] = count
                    report.rows += count
                    progress(str(_("Database")), position, len(entries))
                _reset_sequences(using)
                connection.check_constraints()
                report.files = _restore_files(root, default_storage)
        except serializers.base.DeserializationError as error:
            raise _invalid(archive, error) from error
        except DatabaseError as error:
            raise BackupError(
                _(
                    "The rows of the archive could not be loaded (%(error)s): the "
                    "database was left as it was."
                )
                % {"error": error}
            ) from error
        finally:
            ContentType.objects.clear_cache()
    # Applies this version's later migrations, if any, and creates the content
    # types and permissions of models the archive did not know.
    report.migrated_forward = bool(_pending_migrations(using))
    call_command(
        "migrate", database=using, interactive=False, verbosity=0, skip_checks=True
    )
    report.indexed_datasets = dataset_index_all()
    return report
