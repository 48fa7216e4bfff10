import pytest
from django.core.exceptions import ImproperlyConfigured

from crig.core.env import env_bool, env_int, env_list, local_secret_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("On", True), ("0", False), ("false", False)],
)
def test_env_bool_reads_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("CRIG_TEST_FLAG", raw)

    assert env_bool("CRIG_TEST_FLAG") is expected


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("CRIG_TEST_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="CRIG_TEST_FLAG"):
        env_bool("CRIG_TEST_FLAG")


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("CRIG_TEST_INT", "42")
    monkeypatch.setenv("CRIG_TEST_LIST", "a.example, b.example,,")

    assert env_int("CRIG_TEST_INT", 1) == 42
    assert env_list("CRIG_TEST_LIST", []) == ["a.example", "b.example"]
    assert env_int("CRIG_TEST_MISSING", 7) == 7


def test_env_int_rejects_text(monkeypatch):
    monkeypatch.setenv("CRIG_TEST_INT", "ten")

    with pytest.raises(ImproperlyConfigured, match="integer"):
        env_int("CRIG_TEST_INT", 1)


def test_local_secret_key_is_created_once_and_kept(tmp_path):
    first = local_secret_key(tmp_path)
    second = local_secret_key(tmp_path)

    assert first == second
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
