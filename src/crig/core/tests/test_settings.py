"""Settings as a deployment sees them, checked in a fresh interpreter each time."""

import os
import subprocess
import sys

PRODUCTION_ENV = {
    "CRIG_DEBUG": "false",
    "CRIG_SECRET_KEY": "x" * 60 + "-a-long-and-random-production-key-0123456789",
    "CRIG_ALLOWED_HOSTS": "crig.example.org",
}


def _crig(args, env_overrides, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CRIG_", "DJANGO_"))
    }
    env.update(env_overrides)
    env.setdefault("CRIG_VAR_DIR", str(tmp_path))
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "crig", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = _crig(
        ["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CRIG_SECRET_KEY"}

    result = _crig(["check"], env, tmp_path)

    assert result.returncode != 0
    assert "CRIG_SECRET_KEY is required" in result.stderr


def test_debug_generates_a_local_secret_key_under_var(tmp_path):
    result = _crig(["check"], {"CRIG_DEBUG": "true"}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()


def test_default_database_is_sqlite_under_var_in_wal_mode(tmp_path):
    script = (
        "from django.db import connection; cursor = connection.cursor(); "
        "cursor.execute('PRAGMA journal_mode'); print(cursor.fetchone()[0]); "
        "cursor.execute('PRAGMA busy_timeout'); print(cursor.fetchone()[0])"
    )

    result = _crig(
        ["shell", "--no-imports", "-c", script], {"CRIG_DEBUG": "true"}, tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]
    assert (tmp_path / "crig.sqlite3").exists()
