"""``crig backup`` and ``crig restore``: a realistic instance goes into an archive and
comes back, row for row and byte for byte, into an empty database — on whichever
database the suite runs (SQLite, or PostgreSQL in ``.ci/run``, which then restores
an archive made on PostgreSQL; the SQLite → PostgreSQL path is the same code)."""

import io
import json
import tarfile

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from crig.catalog.selectors.search import datasets_search
from crig.core import backup
from crig.core.backup import (
    EXCLUDED_MODELS,
    BackupIncompatible,
    BackupInvalid,
    backup_create,
    backup_restore,
    database_is_empty,
    storage_files,
)
from crig.members.models import Organisation
from crig.members.tests.factories import OrganisationFactory

# A 1×1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e5270ade000000"
    "0049454e44ae426082"
)


def _canonical(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def title_words() -> list[tuple[int, str]]:
    from crig.catalog.models import DatasetTitleWord

    return sorted(DatasetTitleWord.objects.values_list("dataset_id", "word"))


def database_snapshot() -> dict[str, list[str]]:
    """Every row of every archived table (auto-created many-to-many tables too),
    as canonical JSON, sorted. Content types and permissions are named by their
    natural keys, since their ids are migrate's choice; so are links to them."""
    content_types = {
        ct.pk: [ct.app_label, ct.model] for ct in ContentType.objects.all()
    }
    permissions = {
        pk: [codename, *content_types[ct]]
        for pk, codename, ct in apps.get_model(
            "auth", "Permission"
        ).objects.values_list("pk", "codename", "content_type")
    }
    natural = {
        "contenttypes.contenttype": content_types,
        "auth.permission": permissions,
    }
    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in EXCLUDED_MODELS or not model._meta.managed:
            continue
        rows = []
        for row in model._base_manager.order_by("pk").values():
            row = {key: _canonical(value) for key, value in row.items()}
            for field in model._meta.concrete_fields:
                target = field.remote_field.model if field.is_relation else None
                if target is not None and target._meta.label_lower in natural:
                    row[field.attname] = natural[target._meta.label_lower].get(
                        row[field.attname]
                    )
            if label in natural or model._meta.auto_created:
                row.pop(model._meta.pk.attname)
            rows.append(json.dumps(row, sort_keys=True, default=repr))
        snapshot[label] = sorted(rows)
    return snapshot


def storage_snapshot() -> dict[str, bytes]:
    return {name: default_storage.open(name, "rb").read() for name in storage_files()}


def search_ids(q: str) -> list[int]:
    return sorted(datasets_search(user=AnonymousUser(), q=q).ids())


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database_gives_back_every_row_and_file(
    territory, tmp_path, settings
):
    # Given a realistic instance: the whole demo, an organisation's logo and a
    # file with an accented name deep in the storage.
    call_command("demo", stdout=io.StringIO())
    organisation = Organisation.objects.order_by("pk").first()
    organisation.logo.save("openig.png", ContentFile(PNG))
    default_storage.save("exports/été 2024/notes.txt", ContentFile("Notes d'été\n"))
    rows_before = database_snapshot()
    files_before = storage_snapshot()
    found_before = search_ids("orthophotographie")
    assert found_before
    words_before = title_words()
    assert words_before
    assert len(files_before) >= 4

    # When it is backed up, the database emptied, the storage replaced by an
    # empty one, and the archive restored.
    out = io.StringIO()
    call_command("backup", str(tmp_path), "--no-progress", stdout=out)
    archive = next(tmp_path.glob("crig-backup-*.tar.gz"))
    assert "Sauvegarde écrite dans" in out.getvalue()
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    assert database_is_empty()
    assert storage_snapshot() == {}

    out = io.StringIO()
    call_command("restore", str(archive), "--no-progress", stdout=out)

    # Then every row and every file is back, and the search finds the same records.
    rows_after = database_snapshot()
    assert rows_after.keys() == rows_before.keys()
    for label, rows in rows_before.items():
        assert len(rows_after[label]) == len(rows), label
        assert rows_after[label] == rows, label
    assert storage_snapshot() == files_before
    assert search_ids("orthophotographie") == found_before
    # The duplicate detection's title words are not archived: rebuilt.
    assert title_words() == words_before
    assert "Restauration terminée." in out.getvalue()

    # And the manifest says what the archive holds.
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format"] == "crig-backup"
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["catalog"].startswith("00")
    counts = {entry["label"]: entry["count"] for entry in manifest["models"]}
    assert counts["territory.commune"] == 4453
    assert counts["members.organisation"] == Organisation.objects.count()
    assert "sessions.session" not in counts
    assert manifest["files"]["count"] == len(files_before)
    assert manifest["members"]["files/exports/été 2024/notes.txt"]["size"] == len(
        "Notes d'été\n".encode()
    )


@pytest.fixture
def small_archive(territory, tmp_path):
    """An archive of the test database with one organisation and its logo."""
    organisation = OrganisationFactory(name="Sauvegardée")
    organisation.logo.save("logo.png", ContentFile(PNG))
    return backup_create(destination=tmp_path / "small.tar.gz")


def _rewrite(archive, target, *, change):
    """A copy of the archive whose members pass through ``change(name, data)``
    (returning None drops the member)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            data = source.extractfile(member).read()
            data = change(member.name, data)
            if data is None:
                continue
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def _flip_a_byte(name, data):
    if name.endswith("members.organisation.jsonl"):
        return data.replace(b"Sauvegard", b"Sauvegart")
    return data


def _drop_a_file(name, data):
    return None if name.startswith("files/") else data


def _drop_manifest(name, data):
    return None if name == "manifest.json" else data


def _truncate(archive, target):
    data = archive.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda a, t: _rewrite(a, t, change=_flip_a_byte), "ne correspond pas"),
        (lambda a, t: _rewrite(a, t, change=_drop_a_file), "manque"),
        (lambda a, t: _rewrite(a, t, change=_drop_manifest), "manifeste"),
        (_truncate, "endommagée ou tronquée"),
        (lambda a, t: t.write_bytes(b"not a tar") and t, "endommagée ou tronquée"),
    ],
    ids=["corrupted member", "missing member", "no manifest", "truncated", "garbage"],
)
def test_a_damaged_archive_is_refused_before_anything_changes(
    small_archive, tmp_path, damage, reason
):
    damaged = damage(small_archive, tmp_path / "damaged.tar.gz")
    OrganisationFactory(name="Ajoutée après la sauvegarde")
    rows_before = database_snapshot()
    files_before = storage_snapshot()

    with pytest.raises(CommandError) as error:
        call_command("restore", str(damaged), "--force", stdout=io.StringIO())

    assert "n'est pas une sauvegarde crig utilisable" in str(error.value)
    assert reason in str(error.value)
    assert database_snapshot() == rows_before
    assert storage_snapshot() == files_before


@pytest.mark.django_db
def test_a_database_that_holds_data_is_refused_without_force(small_archive):
    OrganisationFactory(name="Ajoutée après la sauvegarde")
    rows_before = database_snapshot()

    with pytest.raises(CommandError) as error:
        call_command("restore", str(small_archive), stdout=io.StringIO())

    assert str(error.value) == (
        "La base de données contient déjà des données : une restauration les "
        "remplacerait. Utilisez --force pour les remplacer, ou restaurez dans une "
        "base vide."
    )
    assert database_snapshot() == rows_before


@pytest.mark.django_db
def test_force_replaces_the_data_with_the_archive(small_archive, settings, tmp_path):
    rows_in_archive = database_snapshot()
    OrganisationFactory(name="Ajoutée après la sauvegarde")
    settings.MEDIA_ROOT = tmp_path / "other-media"

    report = backup_restore(archive=small_archive, force=True)

    assert not Organisation.objects.filter(name="Ajoutée après la sauvegarde").exists()
    assert database_snapshot() == rows_in_archive
    logo = Organisation.objects.get(name="Sauvegardée").logo
    assert logo.read() == PNG
    assert report.counts["members.organisation"] == 1


@pytest.mark.django_db
def test_an_archive_from_a_newer_version_is_refused(small_archive, tmp_path):
    def future(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["catalog"] = "9999_from_the_future"
        return json.dumps(manifest).encode()

    newer = _rewrite(small_archive, tmp_path / "newer.tar.gz", change=future)

    with pytest.raises(BackupIncompatible) as error:
        backup_restore(archive=newer, force=True)

    assert "catalog.9999_from_the_future" in str(error.value)


@pytest.mark.django_db
def test_check_verifies_an_archive_without_restoring_it(small_archive, tmp_path):
    out = io.StringIO()
    call_command("restore", str(small_archive), "--check", stdout=out)
    assert "Archive intacte" in out.getvalue()

    with pytest.raises(BackupInvalid):
        backup.backup_verify(archive=_truncate(small_archive, tmp_path / "cut.tar.gz"))
